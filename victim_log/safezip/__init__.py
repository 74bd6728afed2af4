"""One hardened reader for every zip Victim Log reads (bundles, backups, phone exports).

``SafeZip(path_or_file, STRICT | LENIENT)`` checks the whole archive before anything
is read; see :mod:`.archive` for the rules, :mod:`.policy` for what each policy allows,
:mod:`.errors` for the named reasons a zip is refused, :mod:`.names` for name rules.
"""

from __future__ import annotations

from .archive import DEFLATED, STORED, ZipMember
from .errors import REASONS, DamagedMember, UnsafeZip
from .names import is_unsafe_char, unsafe_name_reason
from .policy import LENIENT, STRICT, ZipLimits, ZipPolicy
from .reader import READ_CHUNK, SafeZip, is_zip

__all__ = [
    "DEFLATED",
    "LENIENT",
    "READ_CHUNK",
    "REASONS",
    "STORED",
    "STRICT",
    "DamagedMember",
    "SafeZip",
    "UnsafeZip",
    "ZipLimits",
    "ZipMember",
    "ZipPolicy",
    "is_unsafe_char",
    "is_zip",
    "unsafe_name_reason",
]
