"""Ask Python's zipfile what it sees, and refuse the zip if it sees anything else.

Our parser proves the layout leaves no room for a second archive; this is the
independent second opinion the officer's tools would give. zipfile finds the EOCD its
own way (with its own tolerance for prepended data and comments), so if a trick we did
not think of made it read other records, the listings differ here: same names in the
same order, same local header offsets, sizes and CRCs, or the zip is refused.
"""

from __future__ import annotations

import contextlib
import struct
import zipfile
import zlib
from collections.abc import Iterator
from collections.abc import Sequence

from .archive import ZipMember
from .errors import UnsafeZip
from .source import Source


@contextlib.contextmanager
def _opened(src: Source) -> Iterator[zipfile.ZipFile]:
    fp = src.fileobj
    if fp is None:
        assert src.path is not None
        with zipfile.ZipFile(src.path) as zf:
            yield zf
        return
    with src.lock, zipfile.ZipFile(fp) as zf:  # zipfile moves the shared position
        yield zf


def cross_check(src: Source, members: Sequence[ZipMember]) -> None:
    ours = [(m.name, m.header_offset, m.compressed_size, m.size, m.crc32) for m in members]
    try:
        with _opened(src) as zf:
            theirs = [
                (i.filename, i.header_offset, i.compress_size, i.file_size, i.CRC) for i in zf.infolist()
            ]
    except (zipfile.BadZipFile, zlib.error, struct.error, EOFError, ValueError, OSError, NotImplementedError):
        theirs = None
    if theirs != ours:
        raise UnsafeZip(
            "zipfile-disagrees",
            "Other zip tools would read a different list of files from this zip than "
            "Victim Log does (it may have been altered to fool zip tools), so it cannot "
            "be checked.",
        )
