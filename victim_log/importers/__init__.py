"""Parsers for what victims already have: chat exports, phone backups, mail, photos.

Each parser is a pure function over untrusted input that yields neutral records
(:mod:`.records`); connecting them to the vault (incidents, exhibits) happens
elsewhere. Every parser raises only :class:`ImportFormatError` (a
:class:`~victim_log.errors.BadInput`) with a one-line message naming no content.
"""

from __future__ import annotations

from ..safezip import SafeZip, UnsafeZip, ZipLimits
from .email_import import html_to_text, parse_email_file, parse_eml, parse_mbox
from .photos import ImageMeta, PhotoFile, PhotoScan, read_image_metadata, scan_photos
from .records import (
    AmbiguousDateOrder,
    CallInfo,
    ImportFormatError,
    ImportReadError,
    ImportStats,
    ItemStream,
    ParsedAttachment,
    ParsedItem,
    ParseResult,
    SkippedEntry,
)
from .sms_backup import parse_sms_backup
from .whatsapp import DateOrder, parse_whatsapp

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
