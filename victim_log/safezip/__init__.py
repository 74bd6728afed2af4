"""One hardened reader for every zip Victim Log reads (bundles, backups, phone exports).

``SafeZip(path_or_file, STRICT | LENIENT)`` checks the whole archive before anything
is read; see :mod:`.archive` for the rules, :mod:`.policy` for what each policy allows,
:mod:`.errors` for the named reasons a zip is refused, :mod:`.names` for name rules.
"""

from __future__ import annotations

from .archive import DEFLATED
from .archive import STORED
from .archive import ZipMember
from .errors import REASONS
from .errors import DamagedMember
from .errors import UnsafeZip
from .names import is_unsafe_char
from .names import unsafe_name_reason
from .policy import LENIENT
from .policy import STRICT
from .policy import ZipLimits
from .policy import ZipPolicy
from .reader import READ_CHUNK
from .reader import SafeZip
from .reader import is_zip

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
