"""The README publishes the SHA-256 of this release's verify_bundle.py.

Why: an officer must not have to trust the copy inside a bundle they were sent; the
README gives the hash to check it against. A change to the script without the README
(or the other way round) fails here.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_publishes_the_checker_hash() -> None:
    script = (ROOT / "resources" / "verify_bundle.py").read_bytes()
    published = re.findall(
        r"verify_bundle\.py SHA-256: ([0-9a-f]{64})", (ROOT / "README.md").read_text(encoding="utf-8")
    )
    assert published == [hashlib.sha256(script).hexdigest()]
