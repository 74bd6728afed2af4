"""Process-wide protections applied before any secret exists in memory.

Core dumps would write the data key and decrypted diary text to disk where anyone
with the laptop can read them, so we switch them off; the umask makes every file we
create private to the user.
"""

from __future__ import annotations

import contextlib

from . import paths


def harden_process() -> None:
    paths.secure_umask()
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with contextlib.suppress(ImportError, OSError, AttributeError):
        import ctypes

        # PR_SET_DUMPABLE = 4: no core dump and no ptrace by other processes of the user.
        libc = ctypes.CDLL(None)
        libc.prctl(4, 0, 0, 0, 0)
