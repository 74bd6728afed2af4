"""What the zip reader raises, and the named reasons a zip is refused.

Every refusal is an :class:`UnsafeZip` (a :class:`~victim_log.errors.NotABundle`, exit
2) carrying a stable ``reason`` from :data:`REASONS`, so tests, the JSON output and the
standalone checker can agree on *why* without parsing sentences. Damage found only
while a member is read is a :class:`DamagedMember` (a
:class:`~victim_log.errors.BundleInvalid`, exit 1): the verifier names that file and
goes on checking the rest.
"""

from __future__ import annotations

from ..errors import BundleInvalid
from ..errors import NotABundle

#: Every reason an :class:`UnsafeZip` can carry.
REASONS = frozenset(
    {
        "not-a-zip",  # no end-of-archive record at all
        "damaged",  # a record is cut short or its fields do not add up
        "multi-disk",  # split archives
        "comment",  # an archive comment (strict: never; lenient: never one holding records)
        "trailing-data",  # bytes after the end-of-archive record
        "second-eocd",  # another end-of-archive record outside member data
        "zip64-mismatch",  # zip64 records disagree with the classic ones
        "directory-gap",  # bytes between the table of contents and its end record
        "prefix-data",  # bytes before the first member
        "member-gap",  # bytes between two members (room for a hidden entry)
        "directory-gap-before",  # bytes between the last member and the table of contents
        "overlap",  # members whose data overlaps
        "local-central-mismatch",  # a member's two headers (or its descriptor) disagree
        "stray-signature",  # a zip record signature hidden inside a header field
        "data-descriptor",  # streaming-mode sizes after the data (strict: our writer never)
        "entry-comment",  # a comment on a member
        "encrypted",
        "compression-method",  # anything but stored/deflate
        "unsupported-feature",  # flags for patched data, enhanced deflate, reserved bits
        "symlink",  # a link or special file
        "unsafe-name",  # absolute, .., backslash, control/bidi characters, empty parts
        "name-encoding",  # undecodable, or non-ASCII without the UTF-8 flag (strict)
        "two-names",  # an Info-ZIP Unicode Path field naming another file
        "duplicate-name",
        "normalisation-duplicate",  # NFC/NFD spellings of one name
        "case-duplicate",  # names equal after case folding
        "file-folder-clash",
        "folder-with-data",
        "too-many-members",
        "directory-too-large",
        "member-too-large",
        "total-too-large",
        "zip-bomb",
        "impossible-size",
        "zipfile-disagrees",  # Python's zipfile lists another archive than ours
    }
)


class UnsafeZip(NotABundle):
    """The zip is malformed or built to attack a reader; nothing is read from it."""

    def __init__(self, reason: str, message: str) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown zip refusal reason {reason!r}")
        super().__init__(message)
        self.reason = reason


class DamagedMember(BundleInvalid):
    """One member's data cannot be read back; the rest of the zip may be fine."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
