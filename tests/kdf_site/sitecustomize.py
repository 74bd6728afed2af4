"""Loaded by every Python the test suite starts (this folder is first on PYTHONPATH):
cheap Argon2id costs, injected from outside the package (see fast_kdf.py)."""

import fast_kdf

fast_kdf.install()
