"""Parsers for what victims already have: chat exports, phone backups, mail, photos.

Each parser is a pure function over untrusted input that yields neutral records
(:mod:`.records`); connecting them to the vault (incidents, exhibits) happens
elsewhere. Every parser raises only :class:`ImportFormatError` (a
:class:`~victim_log.errors.BadInput`) with a one-line message naming no content.
"""

from __future__ import annotations

from ..safezip import SafeZip
from ..safezip import UnsafeZip
from ..safezip import ZipLimits
from .email_import import html_to_text
from .email_import import parse_email_file
from .email_import import parse_eml
from .email_import import parse_mbox
from .photos import ImageMeta
from .photos import PhotoFile
from .photos import PhotoScan
from .photos import read_image_metadata
from .photos import scan_photos
from .records import AmbiguousDateOrder
from .records import CallInfo
from .records import ImportFormatError
from .records import ImportReadError
from .records import ImportStats
from .records import ItemStream
from .records import ParsedAttachment
from .records import ParsedItem
from .records import ParseResult
from .records import SkippedEntry
from .sms_backup import parse_sms_backup
from .whatsapp import DateOrder
from .whatsapp import parse_whatsapp

__all__ = [
    "AmbiguousDateOrder",
    "CallInfo",
    "DateOrder",
    "ImageMeta",
    "ImportFormatError",
    "ImportReadError",
    "ImportStats",
    "ItemStream",
    "ParseResult",
    "ParsedAttachment",
    "ParsedItem",
    "PhotoFile",
    "PhotoScan",
    "SafeZip",
    "SkippedEntry",
    "UnsafeZip",
    "ZipLimits",
    "html_to_text",
    "parse_email_file",
    "parse_eml",
    "parse_mbox",
    "parse_sms_backup",
    "parse_whatsapp",
    "read_image_metadata",
    "scan_photos",
]
