"""The old home of the bundle zip reader: kept until the GUI imports victim_log.safezip
directly (the one hardened reader for every zip; see :mod:`victim_log.safezip`)."""

from __future__ import annotations

from ..safezip import (
    DamagedMember,
    SafeZip,
    UnsafeZip,
    ZipMember,
    is_unsafe_char,
    unsafe_name_reason,
)

__all__ = ["DamagedMember", "SafeZip", "UnsafeZip", "ZipMember", "is_unsafe_char", "unsafe_name_reason"]
