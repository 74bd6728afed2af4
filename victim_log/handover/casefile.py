"""The case file's container: one file, every part sealed, opened with the code.

Format, version 1 (integers are big-endian). Never change it in place: a new layout
gets a new ``version`` and the reader keeps every older one.

    offset  size  field
    0       8     magic    89 56 4C 43 41 53 45 0A  ("\\x89VLCASE\\n")
    8       4     H        the header's length, 2 .. 65536
    12      H     header   UTF-8 JSON: {"format": "victim-log case file", "version": 1,
                           "kdf": {"name": "argon2id", "salt", "iterations",
                           "memory_kib", "lanes"}, "parts": N, "check": base64}
    12+H    ...   N parts, each an 8-byte length L and L bytes of a sealed stream in the
                  evidence blob format (victim_log/crypto/stream.py, version 2: chunked
                  AES-256-GCM, padded to a size class); nothing may follow the last.

    key      = HKDF-SHA256(Argon2id(code, salt, costs), info=b"victim-log case file v1")
               (victim_log/handover/code.py; the code is normalised first)
    check    = HMAC-SHA256(key, b"victim-log case file check"): tells a wrong code
               from a damaged file before any part is opened
    part i   sealed with ``key``; its context (associated data of every chunk) is
             SHA-256(the first 12+H bytes) || b"part" || i as 4 bytes

Part 0 is the manifest (UTF-8 JSON, docs/handover-format.md); part i >= 1 is the
i-th evidence file the manifest lists. Binding the header's hash and the part's
number into every chunk means a changed header, a part moved, cut, doubled or taken
from another case file all fail authentication; the part count in the header means
a part cut off the end is noticed; bytes after the last part are refused.

A reader first opens every part into nothing (:meth:`CaseFile.verify`), so a damaged
file is refused before the vault is touched; evidence is then decrypted again
straight into the vault's own encrypted store, through a pipe, never into a
plaintext temporary file.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import json
import os
import struct
import threading
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from typing import BinaryIO
from typing import Final
from typing import cast

from ..crypto import keys
from ..crypto import stream
from ..errors import BadInput
from ..errors import IntegrityError
from ..errors import WrongPassphrase
from ..fsutil import atomic_writer
from ..fsutil import check_output_path
from ..fsutil import translate_os_error
from .code import case_key
from .code import new_kdf

MAGIC: Final = b"\x89VLCASE\n"
VERSION: Final = 1
FORMAT: Final = "victim-log case file"
MAX_HEADER: Final = 64 * 1024
MAX_MANIFEST: Final = 512 * 1024 * 1024
_LEN: Final = struct.Struct(">Q")
_CHECK_INFO: Final = b"victim-log case file check"

DAMAGED: Final = (
    "This case file is damaged or has been altered since it was made, so it was not "
    "opened. Nothing was changed. Ask for it to be made and sent again."
)
WRONG_CODE: Final = (
    "That code does not open this case file. Check it with the person who made the "
    "file (each file has its own code). Nothing was changed."
)


def _check(key: bytes) -> bytes:
    return hmac.new(key, _CHECK_INFO, hashlib.sha256).digest()


def _context(prefix_hash: bytes, index: int) -> bytes:
    return prefix_hash + b"part" + index.to_bytes(4, "big")


Producer = Callable[[BinaryIO], object]


@contextlib.contextmanager
def piped(produce: Producer) -> Iterator[BinaryIO]:
    """A readable stream of what ``produce`` writes on a thread of its own (a pipe:
    the bytes are never on disk). What ``produce`` raised is raised when the block
    ends, so a consumer that finished reading must still treat its result as
    provisional until then."""
    read_fd, write_fd = os.pipe()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            with open(write_fd, "wb") as out:
                produce(out)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer's thread
            failure.append(exc)

    worker = threading.Thread(target=run, name="case-file-pipe", daemon=True)
    worker.start()
    with open(read_fd, "rb") as src:
        try:
            yield src
        finally:
            src.close()  # a producer still writing stops (broken pipe)
            worker.join()
    if failure and not isinstance(failure[0], BrokenPipeError):
        raise failure[0]


def write(out: Path, code: str, manifest: bytes, files: Sequence[Producer]) -> int:
    """Write the case file at ``out`` (a new path or a regular file), atomically;
    returns its size. ``files`` write each evidence file's bytes, in order."""
    out = check_output_path(Path(out), "the case file", overwrite=True)
    kdf = new_kdf()
    key = case_key(code, kdf)
    header = json.dumps(
        {
            "format": FORMAT,
            "version": VERSION,
            "kdf": kdf,
            "parts": 1 + len(files),
            "check": keys.b64e(_check(key)),
        },
        sort_keys=True,
    ).encode()
    prefix = MAGIC + len(header).to_bytes(4, "big") + header
    prefix_hash = hashlib.sha256(prefix).digest()
    with atomic_writer(out, "the case file") as fh:
        fh.write(prefix)

        def part(index: int, src: BinaryIO) -> None:
            start = fh.tell()
            fh.write(_LEN.pack(0))
            stream.encrypt_stream(src, fh, key, _context(prefix_hash, index))
            end = fh.tell()
            fh.seek(start)
            fh.write(_LEN.pack(end - start - _LEN.size))
            fh.seek(end)

        part(0, io.BytesIO(manifest))
        for index, produce in enumerate(files, 1):
            with piped(produce) as src:
                part(index, src)
        return fh.tell()


class _Section(io.RawIOBase):
    """``length`` bytes of ``fh`` from ``start``, as a file of their own (a part is read
    and sought in as if it were a blob file)."""

    def __init__(self, fh: BinaryIO, start: int, length: int) -> None:
        super().__init__()
        self._fh, self._start, self._length, self._pos = fh, start, length, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: self._length}[whence]
        self._pos = max(0, min(self._length, base + offset))
        return self._pos

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        n = min(len(view), self._length - self._pos)
        if n <= 0:
            return 0
        self._fh.seek(self._start + self._pos)
        got = self._fh.readinto(view[:n]) or 0  # type: ignore[attr-defined]
        self._pos += got
        return int(got)


class CaseFile:
    """A case file someone gave us: its layout read at once, its parts opened only
    with the code (:meth:`unlock`). Untrusted until :meth:`verify` has passed."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            with open(self.path, "rb") as fh:
                self._read_layout(fh)
        except IsADirectoryError:
            raise BadInput("That is a folder, not a case file.") from None
        except FileNotFoundError:
            raise BadInput("There is no case file there.") from None
        except OSError as exc:
            raise translate_os_error(exc, "the case file") from None
        self._key: bytes | None = None

    def _read_layout(self, fh: BinaryIO) -> None:
        head = fh.read(12)
        if head[:8] != MAGIC:
            raise BadInput("This is not a Victim Log case file (made with 'share').")
        if len(head) < 12:
            raise IntegrityError(DAMAGED)
        size = int.from_bytes(head[8:12], "big")
        if not 2 <= size <= MAX_HEADER:
            raise IntegrityError(DAMAGED)
        raw = fh.read(size)
        try:
            header = json.loads(raw)
        except (ValueError, RecursionError):
            raise IntegrityError(DAMAGED) from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise IntegrityError(DAMAGED)
        if header.get("version") != VERSION:
            raise BadInput("This case file was made by a newer Victim Log: please update to open it.")
        parts = header.get("parts")
        if type(parts) is not int or not 1 <= parts <= 10_000_000:
            raise IntegrityError(DAMAGED)
        self.header = header
        self._prefix_hash = hashlib.sha256(head + raw).digest()
        self.parts: list[tuple[int, int]] = []
        pos = 12 + size
        end = fh.seek(0, os.SEEK_END)
        for _ in range(parts):
            fh.seek(pos)
            raw_len = fh.read(_LEN.size)
            if len(raw_len) < _LEN.size:
                raise IntegrityError(DAMAGED)
            (length,) = _LEN.unpack(raw_len)
            start = pos + _LEN.size
            if start + length > end:
                raise IntegrityError(DAMAGED)
            self.parts.append((start, length))
            pos = start + length
        if pos != end:
            raise IntegrityError(DAMAGED)

    def unlock(self, code: str) -> None:
        """Derive the key from ``code``; WrongPassphrase (exit 3) when it is not this
        file's code."""
        key = case_key(code, self.header.get("kdf"))
        try:
            expected = keys.b64d(self.header.get("check"))
        except Exception:  # noqa: BLE001 - the key file's words would mislead here
            raise IntegrityError(DAMAGED) from None
        if not hmac.compare_digest(_check(key), expected):
            raise WrongPassphrase(WRONG_CODE)
        self._key = key

    @contextlib.contextmanager
    def _section(self, index: int) -> Iterator[io.RawIOBase]:
        start, length = self.parts[index]
        try:
            with open(self.path, "rb") as fh:
                yield _Section(fh, start, length)
        except OSError as exc:
            raise translate_os_error(exc, "the case file") from None

    def _open(self, index: int, sink: BinaryIO) -> stream.StreamResult:
        if self._key is None:
            raise WrongPassphrase(WRONG_CODE)
        with self._section(index) as section:
            try:
                return stream.decrypt_stream(
                    cast(BinaryIO, section), sink, self._key, _context(self._prefix_hash, index)
                )
            except (IntegrityError, ValueError):
                raise IntegrityError(DAMAGED) from None

    def verify(self) -> None:
        """Open every part into nothing: IntegrityError (exit 1) unless all verify."""
        with open(os.devnull, "wb") as nowhere:
            for index in range(len(self.parts)):
                self._open(index, nowhere)

    def manifest(self) -> dict[str, Any]:
        """Part 0, parsed (verified before anything is returned)."""
        if self._key is None:
            raise WrongPassphrase(WRONG_CODE)
        with self._section(0) as section:
            try:
                raw = stream.decrypt_to_bytes(
                    cast(BinaryIO, section), self._key, _context(self._prefix_hash, 0), MAX_MANIFEST
                )
            except (IntegrityError, ValueError):
                raise IntegrityError(DAMAGED) from None
        try:
            doc = json.loads(raw)
        except (ValueError, RecursionError):
            raise IntegrityError(DAMAGED) from None
        if not isinstance(doc, dict):
            raise IntegrityError(DAMAGED)
        return doc

    def head(self, index: int, size: int) -> bytes:
        """The first ``size`` bytes of part ``index`` (for the evidence's media type)."""
        got = bytearray()

        class _Enough(Exception):
            pass

        class _Collect(io.RawIOBase):
            def writable(self) -> bool:
                return True

            def write(self, b: Any) -> int:
                view = memoryview(b)
                got.extend(view[: size - len(got)])
                if len(got) >= size:
                    raise _Enough
                return len(view)

        with contextlib.suppress(_Enough):
            self._open(index, cast(BinaryIO, _Collect()))
        return bytes(got)

    @contextlib.contextmanager
    def reading(self, index: int) -> Iterator[BinaryIO]:
        """Part ``index``'s plaintext as a stream (see :func:`piped`)."""
        with piped(lambda out: self._open(index, out)) as src:
            yield src
