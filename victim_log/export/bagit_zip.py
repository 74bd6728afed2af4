"""Write a BagIt 1.0 bag (RFC 8493) straight into a zip file, streaming.

Why BagIt in a zip: it is the archivists' standard for "these files, and proof they
are complete and unchanged"; an officer can check it with bagit-python,
``sha256sum -c`` or the ``verify_bundle.py`` we put inside, and the zip is one file to
email or burn to disc. The layout inside the zip::

    <bag-name>/bagit.txt                       BagIt-Version: 1.0
    <bag-name>/data/...                        the payload, stored uncompressed
    <bag-name>/bag-info.txt                    caller's fields + Bagging-Date, Payload-Oxum
    <bag-name>/manifest-sha256.txt             SHA-256 of every payload file
    <bag-name>/<extra tag files>               e.g. README.txt, verify_bundle.py
    <bag-name>/minisign.pub, allowed_signers   the signing public key (if signed)
    <bag-name>/tagmanifest-sha256.txt          SHA-256 of every tag file above
    <bag-name>/tagmanifest-sha256.txt.minisig  signatures over the tag manifest:
    <bag-name>/tagmanifest-sha256.txt.sig      the only files no manifest lists

Payload is stored (not deflated) so a 1 GiB exhibit can be hashed at disk speed when
verifying, and is streamed in chunks while being hashed, so memory stays constant.
The zip goes to a temp file beside ``dest`` that replaces it only when complete; on
any error the temp file is removed and a plain error raised. Timestamps come from
``timestamp`` (or ``SOURCE_DATE_EPOCH``), and Ed25519 signatures are deterministic,
so the same input gives the same zip bytes.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import unicodedata
import zipfile
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO
from typing import cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..errors import BadInput
from ..fsutil import atomic_writer
from ..resources import resource_path
from ..safezip import is_unsafe_char
from ..safezip import unsafe_name_reason
from ..textsafe import ascii_digits
from . import sign

BAGIT_TXT = "bagit.txt"
BAG_INFO_TXT = "bag-info.txt"
MANIFEST = "manifest-sha256.txt"
TAGMANIFEST = sign.SIGNED_FILE_NAME
FETCH_TXT = "fetch.txt"
PAYLOAD_DIR = "data/"
VERIFY_SCRIPT = "verify_bundle.py"

BAGIT_TXT_CONTENT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"

#: Tag files that no tag manifest lists, because they sign the tag manifest. A verifier
#: accepts these two names unlisted and nothing else.
UNLISTED_TAG_FILES = frozenset({sign.MINISIG_NAME, sign.SSHSIG_NAME})

# bag-info.txt labels: the two we compute, and those the verifier summarises.
BAGGING_DATE = "Bagging-Date"
PAYLOAD_OXUM = "Payload-Oxum"
INCIDENT_COUNT = "Incident-Count"
EXHIBIT_COUNT = "Exhibit-Count"
PERIOD = "Period"  # "YYYY-MM-DD/YYYY-MM-DD", see period_value()

_RESERVED_TAG_NAMES = frozenset(
    {BAGIT_TXT, BAG_INFO_TXT, MANIFEST, TAGMANIFEST, FETCH_TXT, sign.MINISIGN_PUB_NAME}
    | {sign.ALLOWED_SIGNERS_NAME}
    | UNLISTED_TAG_FILES
)
_COMPUTED_LABELS = frozenset({BAGGING_DATE.casefold(), PAYLOAD_OXUM.casefold()})
_BAG_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_WINDOWS_FORBIDDEN = frozenset('<>:"|?*')
# "%" is legal in BagIt (percent-encoded as %25) but bagit-python 1.8 and sha256sum -c
# do not decode it, so an officer's check would fail: we refuse it in names we write.
_REFUSED = _WINDOWS_FORBIDDEN | {"%"}
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}
)
_CHUNK = 1024 * 1024
_DOS_FIRST = 315532800  # 1980-01-01, the earliest time a zip can hold
_DOS_LAST = 4354819198  # 2107-12-31 23:59:58, the latest

PayloadSource = Callable[[], IO[bytes] | Iterable[bytes | bytearray]]
#: A file made by code that pushes its bytes out as it goes (fpdf2's writer): called
#: once with ``put``, to which it hands each piece.
PayloadWriter = Callable[[Callable[[bytes | bytearray], None]], object]


@dataclass(frozen=True)
class PayloadEntry:
    """One payload file: ``path`` is relative to ``data/`` (e.g. ``exhibits/SM-1.jpg``).

    ``source`` is called once, when the file is written, and returns a binary file
    (closed for you) or an iterable of byte chunks. Give ``size`` when known: it is
    checked, and without it the entry gets zip64 headers in case it is huge, unless
    ``zip64`` is False: a file made as it is written that is known to stay far below
    4 GiB (an export's tables) then has the same headers as one of known size.
    ``writer``, when given, is used instead of ``source``: see :meth:`written`.
    """

    path: str
    source: PayloadSource
    size: int | None = None
    zip64: bool | None = None  # None: only when the size is not given
    writer: PayloadWriter | None = None

    @classmethod
    def written(cls, path: str, writer: PayloadWriter) -> PayloadEntry:
        """A file far below 4 GiB whose maker pushes its bytes out as it goes
        (``writer(put)``): each piece is hashed and written as it comes, never held
        whole. ``source`` gives the same bytes in one piece, for a caller that wants them."""

        def whole() -> list[bytes]:
            buf = bytearray()
            writer(buf.extend)
            return [bytes(buf)]

        return cls(path, whole, zip64=False, writer=writer)

    @classmethod
    def from_bytes(cls, path: str, data: bytes) -> PayloadEntry:
        return cls(path, lambda: [data], len(data))

    @classmethod
    def from_file(cls, path: str, file: Path) -> PayloadEntry:
        return cls(path, lambda: open(file, "rb"), file.stat().st_size)  # noqa: SIM115


@dataclass(frozen=True)
class TagFile:
    """An extra file at the top of the bag (``name`` has no ``data/`` prefix)."""

    name: str
    content: bytes


@dataclass(frozen=True)
class ManifestEntry:
    path: str  # relative to the bag, e.g. "data/exhibits/SM-1.jpg"
    sha256: str
    size: int


@dataclass(frozen=True)
class BagResult:
    path: Path
    bag_name: str
    manifest: tuple[ManifestEntry, ...]
    tagmanifest: bytes
    fingerprint: str | None

    @property
    def payload_oxum(self) -> str:
        """The ``Payload-Oxum`` bag-info value: payload bytes "." payload files."""
        return _oxum(self.manifest)


def _oxum(manifest: Sequence[ManifestEntry]) -> str:
    return f"{sum(m.size for m in manifest)}.{len(manifest)}"


def period_value(start: date, end: date) -> str:
    """The ``Period`` bag-info value (an ISO 8601 interval) the verifier reads back."""
    return f"{start.isoformat()}/{end.isoformat()}"


def verify_script_tag_file() -> TagFile:
    """``verify_bundle.py`` (standard library only) to ship inside every bag."""
    return TagFile(VERIFY_SCRIPT, resource_path(VERIFY_SCRIPT).read_bytes())


def encode_manifest_path(path: str) -> str:
    """RFC 8493 2.1.3: percent-encode exactly CR, LF and %, nothing else."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


_ESCAPE = re.compile(r"%(25|0[aA]|0[dD])")


def decode_manifest_path(encoded: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), encoded)


def check_payload_path(path: str) -> str:
    """Validate a payload path (relative to ``data/``); return it with ``data/`` prefixed.

    Beyond zip safety, names must also unzip on Windows and macOS, because the officer
    will open the bundle there: NFC, none of ``<>:"|?*``, no device names, no trailing
    dots or spaces; and no ``%``, which common BagIt tools mis-handle. Use
    :func:`safe_payload_name` to make a name from an untrusted original file name.
    """
    what = repr(path) if isinstance(path, str) else "an exhibit"
    if not isinstance(path, str) or not path or path.endswith("/"):
        raise BadInput(f"Export file name {what} is not a file name.")
    reason = unsafe_name_reason(path)
    if reason:
        raise BadInput(f"Export file name {what} is not allowed: it has {reason}.")
    if unicodedata.normalize("NFC", path) != path:
        raise BadInput(f"Export file name {what} must be in Unicode NFC form.")
    if any(c in _REFUSED for c in path):
        raise BadInput(f'Export file name {what} must not contain any of <>:"|?*%.')
    for part in path.split("/"):
        if part.endswith((" ", ".")) or part.split(".")[0].upper() in _WINDOWS_DEVICES:
            raise BadInput(f"Export file name {what} cannot be used on Windows.")
    return PAYLOAD_DIR + path


def safe_payload_name(untrusted_name: str, fallback: str = "file") -> str:
    """One path component that :func:`check_payload_path` accepts, made from an
    untrusted name (e.g. an exhibit's original file name): refused characters become
    ``_``, the extension is kept, and the result is at most 120 characters."""
    name = unicodedata.normalize("NFC", untrusted_name)
    name = "".join("_" if c in _REFUSED or c in "/\\" or is_unsafe_char(c) else c for c in name)
    name = name.strip().rstrip(". ") or fallback
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 10:
        stem, dot, ext = name, "", ""
    if len(name) > 120:
        name = stem[: 119 - len(ext)] + dot + ext
    if name.split(".")[0].upper() in _WINDOWS_DEVICES or name in (".", ".."):
        name = "_" + name
    return name


def _check_tag_name(name: str) -> None:
    if name in _RESERVED_TAG_NAMES or name.startswith(("manifest-", "tagmanifest-")):
        raise BadInput(f"Tag file {name!r} would replace a file the bag writes itself.")
    if name == "data" or name.startswith(PAYLOAD_DIR):
        raise BadInput(f"Tag file {name!r} must not be inside data/.")
    check_payload_path(name)


def _check_bag_info(bag_info: Sequence[tuple[str, str]]) -> None:
    for label, value in bag_info:
        if (
            not label
            or label != label.strip()
            or ":" in label
            or any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in label + value)
        ):
            raise BadInput(f"Bag-info label {label!r} or its value is not one plain line.")
        if label.casefold() in _COMPUTED_LABELS:
            raise BadInput(f"Bag-info {label} is computed by the bag writer; do not pass it.")


def resolve_timestamp(timestamp: int | None) -> int:
    """``timestamp``, else ``SOURCE_DATE_EPOCH``, else now: seconds since 1970 (UTC)."""
    if timestamp is None:
        env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        timestamp = int(env) if ascii_digits(env) else int(time.time())  # "²" is a digit to isdigit
    return min(max(int(timestamp), _DOS_FIRST), _DOS_LAST)


def _source_chunks(entry: PayloadEntry) -> Iterator[bytes | bytearray]:
    """The entry's bytes; read failures become a plain error naming the file."""
    try:
        src = entry.source()
        if isinstance(src, bytes | bytearray | memoryview):
            yield bytes(src)
        elif hasattr(src, "read"):
            with cast(IO[bytes], src) as fh:
                while chunk := fh.read(_CHUNK):
                    yield chunk
        else:
            iterator = iter(src)
            try:
                for part in iterator:
                    if not isinstance(part, bytes | bytearray | memoryview):
                        raise TypeError("payload chunks must be bytes")
                    yield part
            finally:
                close = getattr(iterator, "close", None)
                if close is not None:
                    close()
    except OSError:
        raise BadInput(
            f"Victim Log could not read {entry.path} while exporting. Nothing was saved."
        ) from None


class _BagZip:
    """The bag under construction inside an open ZipFile."""

    def __init__(self, zf: zipfile.ZipFile, bag_name: str, timestamp: int) -> None:
        self.zf = zf
        self.prefix = bag_name + "/"
        self.date_time = time.gmtime(timestamp)[:6]
        self.tag_hashes: dict[str, str] = {}
        self.names: set[str] = set()

    def _info(self, name: str) -> zipfile.ZipInfo:
        folded = name.casefold()
        if folded in self.names:
            raise BadInput(f"The export would hold two files called {name}.")
        self.names.add(folded)
        info = zipfile.ZipInfo(self.prefix + name, date_time=self.date_time)
        info.create_system = 3  # Unix, so the mode bits below mean what they say
        info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
        return info

    def add_tag(self, name: str, content: bytes, *, listed: bool = True) -> None:
        info = self._info(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zf.writestr(info, content, compresslevel=9)
        if listed:
            self.tag_hashes[name] = hashlib.sha256(content).hexdigest()

    def add_payload(self, entry: PayloadEntry) -> ManifestEntry:
        name = check_payload_path(entry.path)
        info = self._info(name)
        info.compress_type = zipfile.ZIP_STORED
        if entry.size is not None:
            info.file_size = entry.size  # lets zipfile choose zip64 headers up front
        digest = hashlib.sha256()
        written = 0
        zip64 = entry.size is None if entry.zip64 is None else entry.zip64

        try:
            with self.zf.open(info, "w", force_zip64=zip64) as out:

                def put(chunk: bytes | bytearray) -> None:
                    nonlocal written
                    digest.update(chunk)
                    out.write(chunk)
                    written += len(chunk)

                if entry.writer is not None:
                    entry.writer(put)
                else:
                    for chunk in _source_chunks(entry):
                        put(chunk)
        except RuntimeError:  # zipfile: past 4 GiB without zip64 headers
            raise BadInput(f"{entry.path} is too large for the export. Nothing was saved.") from None
        if entry.size is not None and written != entry.size:
            raise BadInput(f"{entry.path} changed size while it was being exported. Nothing was saved.")
        return ManifestEntry(name, digest.hexdigest(), written)


def write_bag_zip(
    dest: str | os.PathLike[str],
    bag_name: str,
    payload: Iterable[PayloadEntry],
    *,
    bag_info: Sequence[tuple[str, str]] = (),
    tag_files: Sequence[TagFile] = (),
    signing_key: Ed25519PrivateKey | None = None,
    timestamp: int | None = None,
) -> BagResult:
    """Write the bag as ``dest`` (a .zip), atomically; see the module docstring.

    ``bag_info`` is written in the order given, followed by ``Bagging-Date`` (UTC date
    of ``timestamp``) and ``Payload-Oxum``. With ``signing_key`` the bag gets the public
    key files and both signatures over ``tagmanifest-sha256.txt``.

    Raises :class:`~victim_log.errors.BadInput` for unusable names or fields or an
    unreadable payload source, and :class:`~victim_log.errors.DiskFull` (or
    ``ReadOnlyVault``) when the zip cannot be written; ``dest`` is then untouched.
    """
    if not _BAG_NAME.fullmatch(bag_name):
        raise BadInput(f"Bag name {bag_name!r} must be letters, digits, '.', '_' or '-'.")
    _check_bag_info(bag_info)
    for tag in tag_files:
        _check_tag_name(tag.name)
    stamp = resolve_timestamp(timestamp)
    dest_path = Path(dest)
    manifest: list[ManifestEntry] = []
    with (
        atomic_writer(dest_path, "the export") as fh,
        zipfile.ZipFile(fh, "w", allowZip64=True) as zf,
    ):
        bag = _BagZip(zf, bag_name, stamp)
        bag.add_tag(BAGIT_TXT, BAGIT_TXT_CONTENT)
        for entry in payload:
            manifest.append(bag.add_payload(entry))
        info_lines = [
            *bag_info,
            (BAGGING_DATE, time.strftime("%Y-%m-%d", time.gmtime(stamp))),
            (PAYLOAD_OXUM, _oxum(manifest)),
        ]
        bag.add_tag(BAG_INFO_TXT, "".join(f"{k}: {v}\n" for k, v in info_lines).encode())
        bag.add_tag(
            MANIFEST,
            "".join(f"{m.sha256}  {encode_manifest_path(m.path)}\n" for m in manifest).encode(),
        )
        for tag in tag_files:
            bag.add_tag(tag.name, tag.content)
        fingerprint = None
        if signing_key is not None:
            public = signing_key.public_key()
            fingerprint = sign.fingerprint(public)
            for name, content in sign.key_files(public).items():
                bag.add_tag(name, content)
        tagmanifest = "".join(
            f"{digest}  {encode_manifest_path(name)}\n" for name, digest in sorted(bag.tag_hashes.items())
        ).encode()
        bag.add_tag(TAGMANIFEST, tagmanifest, listed=False)
        if signing_key is not None:
            comment = f"timestamp:{stamp}\tfile:{TAGMANIFEST}\tbag:{bag_name}\thashed"
            for name, content in sign.signature_files(
                signing_key, tagmanifest, trusted_comment=comment
            ).items():
                bag.add_tag(name, content, listed=False)
    return BagResult(dest_path, bag_name, tuple(manifest), tagmanifest, fingerprint)
