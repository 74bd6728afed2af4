"""How strict the reader is: one policy object per kind of zip we read.

:data:`STRICT` is for what Victim Log wrote itself and must read back exactly (export
bundles and backups): the zip must be laid out the way our writer lays it out, so no
other zip tool can see a different archive in the same bytes. :data:`LENIENT` is for
zips made by phones and desktop tools (WhatsApp exports): each thing those writers
really do that our writer never does is one named field below, and everything else
stays as strict as for bundles. Whatever the policy, nothing hides in the file: members
tile it exactly, local and central headers agree, names are safe and unique, and
Python's zipfile must list the same archive.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

__all__ = ["LENIENT", "STRICT", "ZipLimits", "ZipPolicy"]

MiB = 1024 * 1024
GiB = 1024 * MiB
TiB = 1024 * GiB


@dataclass(frozen=True)
class ZipLimits:
    """Bounds checked from the table of contents, before any member is read."""

    max_members: int = 20_000
    max_member_size: int = 1 * GiB
    max_total_size: int = 8 * GiB
    #: Highest allowed uncompressed/compressed ratio (real media is ~1, text ~10,
    #: bombs ~1000).
    max_ratio: int = 200
    #: Members smaller than this are not ratio-checked (a small file of zeros is fine).
    ratio_min_size: int = 1 * MiB
    max_name_bytes: int = 1024
    #: Bytes of table of contents allowed per member (names and extra fields).
    cd_bytes_per_member: int = 1024


@dataclass(frozen=True)
class ZipPolicy:
    """What a zip may look like. Construct variants with :meth:`replace`."""

    #: "strict" or "lenient": for messages and logs.
    name: str
    limits: ZipLimits
    #: An archive comment (Windows and some Android tools add one). Even when allowed,
    #: a comment holding any zip record signature is refused: that is where a second,
    #: forged table of contents hides.
    allow_comment: bool = False
    #: Streaming writers (Android's java.util.zip, macOS Archive Utility) put a
    #: member's CRC and sizes in a data descriptor after its data. When allowed, the
    #: descriptor must be there, exactly, and agree with the table of contents.
    allow_data_descriptor: bool = False
    #: Non-ASCII names without the UTF-8 flag, read as code page 437 like zipfile does
    #: (zips re-made on Windows). Strict refuses them: tools disagree on such names.
    allow_cp437_names: bool = False
    #: The invisible left-to-right/right-to-left marks (U+200E, U+200F, U+061C) in
    #: names: WhatsApp puts contact names written in right-to-left scripts in file
    #: names. Embeddings and overrides (U+202A..U+202E, U+2066..U+2069) stay refused.
    allow_direction_marks: bool = False
    #: Name the member in messages (bundle paths are what the verifier reports);
    #: otherwise members are named by number only (a phone export's names are private).
    name_in_messages: bool = True
    #: Compare our listing with Python's zipfile (names, order, offsets, sizes, CRCs).
    cross_check_zipfile: bool = True

    def replace(self, **changes: object) -> ZipPolicy:
        """A copy with some fields changed (e.g. other limits for a test or a caller)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


#: Export bundles and backups: exactly what our writers produce.
STRICT = ZipPolicy(
    name="strict",
    limits=ZipLimits(
        max_members=100_000,
        max_member_size=1 * TiB,
        max_total_size=16 * TiB,
        cd_bytes_per_member=4096,
    ),
)

#: Phone exports (WhatsApp): what real phones and desktop zip tools write.
LENIENT = ZipPolicy(
    name="lenient",
    limits=ZipLimits(),
    allow_comment=True,
    allow_data_descriptor=True,
    allow_cp437_names=True,
    allow_direction_marks=True,
    name_in_messages=False,
)
