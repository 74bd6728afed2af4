"""The hostile bundle corpus: every way we know to make a genuine export lie.

Why a builder module: issue #14 found that a genuine, signed bundle could be made to
say something else without any key, and that our two checkers disagreed on 13 of 46
hostile bundles. Every case here starts from ONE real export (made once per test
session by :func:`make_genuine`) and changes it the way an attacker would: byte
surgery on the zip structure (second central directory in the comment, hidden local
entries, gaps, zip64 disagreements, ...), edits that keep the old signatures, and
re-signing with the victim's key (journal breaks: what a key holder could do) or with
someone else's key. Each :class:`Case` says which exit code every checker must give
(1: the bundle was changed; 2: not a bundle / unsafe zip) and a regular expression
the reason must match. ``tests/test_hostile_bundles.py`` runs all three checkers.

Zip layouts used here (little-endian, APPNOTE 4.3): local header 30 bytes + name +
extra; central header 46 bytes + name + extra + comment; end record (EOCD) 22 bytes +
comment; zip64 end record 56 bytes; zip64 locator 20 bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import struct
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from victim_log.export import bagit_zip as bz
from victim_log.export import sign
from victim_log.model import canonical_json

PASSPHRASE = "correct horse battery staple"
STAMP = 1_795_000_000  # export time of the genuine bundle (fixed: rebuilds are byte-identical)
OTHER_KEY = sign.private_key_from_bytes(bytes(range(1, 33)))
NFC_NAME = "café-photo.jpg"  # an exhibit whose name has an NFD twin

_LOCAL = b"PK\x03\x04"
_CENTRAL = b"PK\x01\x02"
_EOCD = b"PK\x05\x06"
_ZIP64_EOCD = b"PK\x06\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_COMPUTED = {bz.BAGGING_DATE.casefold(), bz.PAYLOAD_OXUM.casefold()}
_RESERVED_TAGS = {
    bz.BAGIT_TXT,
    bz.BAG_INFO_TXT,
    bz.MANIFEST,
    bz.TAGMANIFEST,
    sign.MINISIGN_PUB_NAME,
    sign.ALLOWED_SIGNERS_NAME,
    *bz.UNLISTED_TAG_FILES,
}


# --- the genuine bundle -----------------------------------------------------------------------


@dataclass(frozen=True)
class Genuine:
    """One real export, and what a forger would read out of it."""

    path: Path
    bag: str  # the bag folder inside the zip
    key_bytes: bytes  # the victim's signing key (for cases a key holder could make)
    fingerprint: str
    short_fingerprint: str
    journal_entries: tuple[dict[str, Any], ...]  # the vault's full journal at export

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()

    @property
    def key(self) -> Ed25519PrivateKey:
        return sign.private_key_from_bytes(self.key_bytes)

    @property
    def prefix(self) -> str:
        return self.bag + "/"

    def members(self) -> dict[str, bytes]:
        """Bag-relative name -> content, in zip order."""
        with zipfile.ZipFile(self.path) as zf:
            return {i.filename[len(self.prefix) :]: zf.read(i) for i in zf.infolist()}

    def bag_info(self) -> list[tuple[str, str]]:
        text = self.members()[bz.BAG_INFO_TXT].decode()
        return [(k, v.strip()) for k, _, v in (line.partition(":") for line in text.splitlines())]


def make_genuine(base: Path) -> Genuine:
    """A vault with the demo case and three exhibits (one with a non-ASCII name),
    exported once. Import here so collecting the tests stays cheap."""
    from victim_log.demo import fill_demo
    from victim_log.export.bundle import export
    from victim_log.export.bundle import signing_key
    from victim_log.export.case import ExportOptions
    from victim_log.vault import Vault

    vault, _ = Vault.create(base / "vault", PASSPHRASE)
    try:
        fill_demo(vault, total=20)
        vault.evidence.add_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8, "photo 1.jpg", incident_id=3)
        vault.evidence.add_bytes(b"chat log line\n" * 40, "chat.txt", incident_id=5)
        vault.evidence.add_bytes(b"\xff\xd8\xff\xe0 accented " * 20, NFC_NAME, incident_id=7)
        out = base / "genuine-export.zip"
        export(vault, out, ExportOptions(initials="SM"), timestamp=STAMP)
        key = signing_key(vault)
        entries = tuple(e.to_json() for e in vault.journal_entries())
    finally:
        vault.lock()
    with zipfile.ZipFile(out) as zf:
        bag = zf.namelist()[0].split("/")[0]
    pub = key.public_key()
    return Genuine(
        out, bag, sign.private_key_to_bytes(key), sign.fingerprint(pub), sign.short_fingerprint(pub), entries
    )


# --- raw zip surgery --------------------------------------------------------------------------


@dataclass
class RawEntry:
    """One member as bytes: its local header (+name+extra), its data, its central header."""

    local: bytes
    data: bytes
    central: bytes

    @property
    def name(self) -> str:
        (n,) = struct.unpack_from("<H", self.central, 28)
        return self.central[46 : 46 + n].decode("utf-8")

    def with_central(self, offset: int, fmt: str, *values: int) -> RawEntry:
        c = bytearray(self.central)
        struct.pack_into(fmt, c, offset, *values)
        return replace(self, central=bytes(c))

    def with_local(self, offset: int, fmt: str, *values: int) -> RawEntry:
        loc = bytearray(self.local)
        struct.pack_into(fmt, loc, offset, *values)
        return replace(self, local=bytes(loc))


def parse_zip(data: bytes) -> list[RawEntry]:
    """Our writer's zips only (no comment, no zip64 end record)."""
    eocd = len(data) - 22
    assert data[eocd : eocd + 4] == _EOCD
    n, cd_size, cd_off = struct.unpack_from("<HII", data, eocd + 10)
    out = []
    pos = cd_off
    for _ in range(n):
        assert data[pos : pos + 4] == _CENTRAL
        csize, _usize, nlen, xlen, clen = struct.unpack_from("<IIHHH", data, pos + 20)
        (lho,) = struct.unpack_from("<I", data, pos + 42)
        central = data[pos : pos + 46 + nlen + xlen + clen]
        pos += len(central)
        lnlen, lxlen = struct.unpack_from("<HH", data, lho + 26)
        local = data[lho : lho + 30 + lnlen + lxlen]
        start = lho + len(local)
        out.append(RawEntry(local, data[start : start + csize], central))
    return out


def local_header(name: str, payload: bytes, *, method: int = 0, flags: int = 0x800) -> RawEntry:
    """A fresh member (stored or deflated) with matching local and central headers."""
    raw = name.encode("utf-8")
    data = payload if method == 0 else _deflate(payload)
    crc = zlib.crc32(payload)
    local = (
        struct.pack(
            "<4sHHHHHIIIHH", _LOCAL, 20, flags, method, 0, 0x5B21, crc, len(data), len(payload), len(raw), 0
        )
        + raw
    )
    central = (
        struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            _CENTRAL,
            0x0314,
            20,
            flags,
            method,
            0,
            0x5B21,
            crc,
            len(data),
            len(payload),
            len(raw),
            0,
            0,
            0,
            0,
            0o100644 << 16,
            0,
        )
        + raw
    )
    return RawEntry(local, data, central)


def _deflate(payload: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(payload) + c.flush()


@dataclass
class Layout:
    """Where each piece goes when a zip is assembled from :class:`RawEntry` objects."""

    prefix: bytes = b""  # before the first local header (offsets count from 0 of the file)
    shift: int = 0  # added to every central offset (for an unadjusted prefix use 0)
    gaps: dict[int, bytes] = field(default_factory=dict)  # after local entry i
    before_cd: bytes = b""
    between_cd_and_end: bytes = b""
    comment: bytes = b""
    comment_length: int | None = None  # what the EOCD claims (default: len(comment))
    trailing: bytes = b""
    zip64_end: bool = False


def assemble(
    entries: list[RawEntry], layout: Layout | None = None, central: list[RawEntry] | None = None
) -> bytes:
    """Lay the local entries out, then the central directory (``central`` defaults to
    the same entries; its offsets are patched to where each local header landed)."""
    lay = layout or Layout()
    out = bytearray(lay.prefix)
    where: dict[int, int] = {}
    for i, e in enumerate(entries):
        where[id(e)] = len(out) - len(lay.prefix) + lay.shift
        out += e.local + e.data
        out += lay.gaps.get(i, b"")
    out += lay.before_cd
    cd_off = len(out) - len(lay.prefix) + lay.shift
    cd = bytearray()
    listed = central if central is not None else entries
    for e in listed:
        c = bytearray(e.central)
        if id(e) in where:
            struct.pack_into("<I", c, 42, where[id(e)])
        cd += c
    out += cd
    n = len(listed)
    out += lay.between_cd_and_end
    if lay.zip64_end:
        z_off = len(out) - len(lay.prefix) + lay.shift
        out += struct.pack("<4sQHHIIQQQQ", _ZIP64_EOCD, 44, 45, 45, 0, 0, n, n, len(cd), cd_off)
        out += struct.pack("<4sIQI", _ZIP64_LOCATOR, 0, z_off, 1)
    clen = len(lay.comment) if lay.comment_length is None else lay.comment_length
    out += struct.pack("<4sHHHHIIH", _EOCD, 0, 0, n, n, len(cd), cd_off, clen) + lay.comment
    out += lay.trailing
    return bytes(out)


# --- rebuilding bags --------------------------------------------------------------------------


def rezip(
    g: Genuine,
    *,
    replace_: dict[str, bytes | None] | None = None,
    add: list[tuple[str | zipfile.ZipInfo, bytes]] | None = None,
) -> bytes:
    """Rewrite the bundle the way a zip editor would: change or drop members (names
    relative to the bag), append new ones (full names or ZipInfo), keep everything
    else (order, compression, dates). No signature is touched."""
    changes = replace_ or {}
    buf = io.BytesIO()
    with zipfile.ZipFile(g.path) as src, zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            rel = info.filename[len(g.prefix) :]
            data = src.read(info)
            if rel in changes:
                new = changes[rel]
                if new is None:
                    continue
                data = new
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.compress_type = info.compress_type
            copy.create_system = info.create_system
            copy.external_attr = info.external_attr
            out.writestr(copy, data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # duplicates are the point of some cases
            for name, data in add or []:
                if isinstance(name, zipfile.ZipInfo):
                    out.writestr(name, data)
                else:
                    out.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def recompute_manifests(g: Genuine, members: dict[str, bytes]) -> dict[str, bytes]:
    """What a forger without the key does after editing payload: fix manifest,
    Payload-Oxum and tag manifest so ``sha256sum -c`` and bagit pass. Old signatures stay."""
    out = dict(members)
    payload = {n: d for n, d in out.items() if n.startswith(bz.PAYLOAD_DIR)}
    out[bz.MANIFEST] = "".join(f"{sha(d)}  {n}\n" for n, d in payload.items()).encode()
    oxum = f"{sum(len(d) for d in payload.values())}.{len(payload)}"
    lines = out[bz.BAG_INFO_TXT].decode().splitlines()
    out[bz.BAG_INFO_TXT] = "".join(
        (f"Payload-Oxum: {oxum}" if ln.startswith("Payload-Oxum:") else ln) + "\n" for ln in lines
    ).encode()
    listed = [
        n
        for n in out
        if n not in (bz.TAGMANIFEST, *bz.UNLISTED_TAG_FILES) and not n.startswith(bz.PAYLOAD_DIR)
    ]
    out[bz.TAGMANIFEST] = "".join(f"{sha(out[n])}  {n}\n" for n in sorted(listed)).encode()
    return out


def write_members(g: Genuine, members: dict[str, bytes]) -> bytes:
    """A clean zip (Python's writer) of bag-relative ``members``, tag files deflated."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for rel, data in members.items():
            info = zipfile.ZipInfo(g.prefix + rel, (2026, 11, 18, 10, 0, 0))
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            method = zipfile.ZIP_STORED if rel.startswith(bz.PAYLOAD_DIR) else zipfile.ZIP_DEFLATED
            zf.writestr(info, data, compress_type=method)
    return buf.getvalue()


def resign(
    g: Genuine,
    dest: Path,
    *,
    key: Ed25519PrivateKey | None = None,
    payload: dict[str, bytes] | None = None,
    info_edit: Callable[[list[tuple[str, str]]], list[tuple[str, str]]] | None = None,
) -> Path:
    """Rebuild the bag with our own writer and sign it with ``key`` (default: the
    victim's, i.e. what the key holder could do). Unchanged inputs give the genuine
    bytes again. ``payload`` maps ``data/...`` names to new content (None entries are
    not supported: pass the full set)."""
    members = g.members()
    data = (
        payload if payload is not None else {n: d for n, d in members.items() if n.startswith(bz.PAYLOAD_DIR)}
    )
    info = [(k, v) for k, v in g.bag_info() if k.casefold() not in _COMPUTED]
    if info_edit is not None:
        info = info_edit(info)
    tags = [
        bz.TagFile(n, d)
        for n, d in members.items()
        if n not in _RESERVED_TAGS and not n.startswith(bz.PAYLOAD_DIR)
    ]
    entries = [bz.PayloadEntry.from_bytes(n[len(bz.PAYLOAD_DIR) :], d) for n, d in data.items()]
    bz.write_bag_zip(
        dest, g.bag, entries, bag_info=info, tag_files=tags, signing_key=key or g.key, timestamp=STAMP
    )
    return dest


# --- journals ---------------------------------------------------------------------------------


ZERO = "0" * 64


def chain(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Re-number and re-hash a list of full entries into a valid chain from seq 1."""
    out: list[dict[str, Any]] = []
    prev = ZERO
    for n, e in enumerate(entries, 1):
        fields = {k: v for k, v in e.items() if k not in ("hash", "withheld")}
        fields.update(seq=n, prev=prev)
        full = {**fields, "hash": sha(canonical_json(fields))}
        out.append(full)
        prev = full["hash"]
    return out


def stub(entry: dict[str, Any]) -> dict[str, Any]:
    return {"hash": entry["hash"], "prev": entry["prev"], "seq": entry["seq"], "withheld": True}


def new_format_journal(g: Genuine) -> list[dict[str, Any]]:
    """FORMAT-14 journal from the vault's real chain: incident and evidence entries
    full, every other entry (vault events, people, orders) a withheld stub."""
    return [e if e["kind"] in ("incident", "evidence") else stub(e) for e in g.journal_entries]


def journal_bytes(lines: list[dict[str, Any]]) -> bytes:
    return b"".join(canonical_json(line) + b"\n" for line in lines)


def with_head(seq: int, digest: str) -> Callable[[list[tuple[str, str]]], list[tuple[str, str]]]:
    def edit(info: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [*[(k, v) for k, v in info if k != "Journal-Head"], ("Journal-Head", f"{seq} {digest}")]

    return edit


def resign_journal(
    g: Genuine, dest: Path, lines: list[dict[str, Any]] | bytes, head: tuple[int, str] | None
) -> Path:
    """Victim-key re-signed bundle with ``lines`` as data/journal.jsonl and
    ``Journal-Head`` (removed when ``head`` is None)."""
    payload = {n: d for n, d in g.members().items() if n.startswith(bz.PAYLOAD_DIR)}
    payload["data/journal.jsonl"] = lines if isinstance(lines, bytes) else journal_bytes(lines)

    def edit(info: list[tuple[str, str]]) -> list[tuple[str, str]]:
        info = [(k, v) for k, v in info if k != "Journal-Head"]
        return info if head is None else with_head(*head)(info)

    return resign(g, dest, payload=payload, info_edit=edit)


# --- the cases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A hostile bundle: ``build(genuine, dest)`` writes it; every checker must exit
    ``exit`` with a reason matching ``reason`` (a case-insensitive regex; ``{declared}``
    and ``{signer}`` are replaced by the escaped fingerprints). ``expect_key``: run the
    checkers pinned to the victim's fingerprint."""

    id: str
    exit: int
    reason: str
    build: Callable[[Genuine, Path], Path]
    expect_key: bool = False
    note: str = ""


CASES: list[Case] = []


def case(
    id: str, exit: int, reason: str, *, expect_key: bool = False, note: str = ""
) -> Callable[[Callable[[Genuine, Path], Path | bytes]], None]:
    def register(fn: Callable[[Genuine, Path], Path | bytes]) -> None:
        def build(g: Genuine, dest: Path) -> Path:
            result = fn(g, dest)
            if isinstance(result, bytes):
                dest.write_bytes(result)
                return dest
            return result

        CASES.append(Case(id, exit, reason, build, expect_key, note or (fn.__doc__ or "")))

    return register


def _rel(g: Genuine, e: RawEntry) -> str:
    return e.name[len(g.prefix) :]


def _index(g: Genuine, entries: list[RawEntry], rel: str) -> int:
    return next(i for i, e in enumerate(entries) if _rel(g, e) == rel)


def _forged_members(g: Genuine, *, script: bool) -> dict[str, bytes]:
    """Forged timeline (csv and pdf) with manifests and bag-info recomputed, old signatures."""
    members = g.members()
    members["data/timeline.csv"] = b"when,what\n2026-01-01,nothing ever happened\n"
    members["data/timeline.pdf"] = b"%PDF-1.4\n% forged\n%%EOF\n"
    if script:
        members[bz.VERIFY_SCRIPT] = b"print('VALID: every file matches')\n"
    return recompute_manifests(g, members)


def _forged_entries(g: Genuine, members: dict[str, bytes], names: list[str]) -> list[RawEntry]:
    return [local_header(g.prefix + n, members[n], method=8) for n in names]


_FORGED = ["data/timeline.csv", "data/timeline.pdf", bz.MANIFEST, bz.BAG_INFO_TXT, bz.TAGMANIFEST]

# ZIP AMBIGUITY (issue #14, finding 1) ---------------------------------------------------------

ZIP_AMBIGUITY = r"comment|end.of.(central|archive)|end record|two .*director|second|hidden|table of contents"
HIDDEN = (
    r"offset 0|before the first|prefix|start|gap|between|hidden|unlisted|not listed|stray|unaccounted|tile"
)


def _second_cd_in_comment(g: Genuine, *, script: bool) -> bytes:
    entries = parse_zip(g.data)
    members = _forged_members(g, script=script)
    names = _FORGED + ([bz.VERIFY_SCRIPT] if script else [])
    forged = {n: e for n, e in zip(names, _forged_entries(g, members, names), strict=True)}
    base = assemble(entries)[:-22]  # everything but the real end record
    real_end = assemble(entries)[-22:]
    # The blob after the real end record: forged locals, a forged directory naming the
    # real local headers for untouched members, and a forged end record.
    blob = bytearray()
    offsets: dict[str, int] = {}
    start = len(base) + 22
    for n, e in forged.items():
        offsets[n] = start + len(blob)
        blob += e.local + e.data
    real_offsets = [struct.unpack_from("<I", e.central, 42)[0] for e in parse_zip(g.data)]
    cd = bytearray()
    for e, off in zip(entries, real_offsets, strict=True):
        rel = _rel(g, e)
        src = forged.get(rel, e)
        c = bytearray(src.central)
        struct.pack_into("<I", c, 42, offsets.get(rel, off))
        cd += c
    cd_off = start + len(blob)
    blob += cd
    count = len(entries)
    blob += struct.pack("<4sHHHHIIH", _EOCD, 0, 0, count, count, len(cd), cd_off, 0)
    assert len(blob) < 0xFFFF
    end = bytearray(real_end)
    struct.pack_into("<H", end, 20, len(blob))
    return bytes(base) + bytes(end) + bytes(blob)


@case("second-central-directory-in-comment", 2, ZIP_AMBIGUITY)
def _c1(g: Genuine, dest: Path) -> bytes:
    """Issue #14 finding 1: zipfile/unzip read a forged directory hidden in the comment."""
    return _second_cd_in_comment(g, script=False)


@case("second-central-directory-in-comment-with-script", 2, ZIP_AMBIGUITY)
def _c2(g: Genuine, dest: Path) -> bytes:
    """Same, the forged view also replaces verify_bundle.py."""
    return _second_cd_in_comment(g, script=True)


@case("hidden-local-entry-before-first-member", 2, HIDDEN)
def _c3(g: Genuine, dest: Path) -> bytes:
    """A forged timeline.csv local entry at offset 0, every real offset moved up."""
    hidden = local_header(g.prefix + "data/timeline.csv", b"forged,row\n")
    return assemble(
        parse_zip(g.data), Layout(prefix=hidden.local + hidden.data, shift=len(hidden.local + hidden.data))
    )


@case("hidden-local-entry-in-gap", 2, HIDDEN)
def _c4(g: Genuine, dest: Path) -> bytes:
    """A forged timeline.csv local entry between two members, offsets adjusted."""
    entries = parse_zip(g.data)
    i = _index(g, entries, "data/timeline.csv")
    hidden = local_header(g.prefix + "data/timeline.csv", b"forged,row\n")
    return assemble(entries, Layout(gaps={i: hidden.local + hidden.data}))


@case("hidden-local-entry-before-central-directory", 2, HIDDEN)
def _c5(g: Genuine, dest: Path) -> bytes:
    """A forged local entry after the last member, before the central directory."""
    hidden = local_header(g.prefix + "data/timeline.csv", b"forged,row\n")
    return assemble(parse_zip(g.data), Layout(before_cd=hidden.local + hidden.data))


# CHANGED CONTENT, OLD SIGNATURES (finding 2) ------------------------------------------------

SIGNATURE = r"signature|\.minisig\b|\.sig\b"


@case("timeline-changed-manifests-recomputed", 1, SIGNATURE)
def _c6(g: Genuine, dest: Path) -> bytes:
    """timeline.csv edited, manifest/bag-info/tagmanifest recomputed, signatures kept."""
    members = g.members()
    members["data/timeline.csv"] = b"when,what\n2026-01-01,nothing happened\n"
    return write_members(g, recompute_manifests(g, members))


@case("timeline-changed-only", 1, r"timeline\.csv")
def _c7(g: Genuine, dest: Path) -> bytes:
    """timeline.csv edited, nothing else."""
    return rezip(g, replace_={"data/timeline.csv": b"when,what\n2026-01-01,edited\n"})


@case("checker-replaced", 1, r"verify_bundle\.py")
def _c8(g: Genuine, dest: Path) -> bytes:
    """verify_bundle.py replaced by one that always says VALID."""
    return rezip(g, replace_={bz.VERIFY_SCRIPT: b"print('VALID')\n"})


@case("checker-replaced-tagmanifest-recomputed", 1, SIGNATURE)
def _c9(g: Genuine, dest: Path) -> bytes:
    """verify_bundle.py replaced and the tag manifest fixed to match: only the signature says so."""
    members = g.members()
    members[bz.VERIFY_SCRIPT] = b"import sys\nprint('VALID')\nsys.exit(0)\n"
    return write_members(g, recompute_manifests(g, members))


@case("checker-removed", 1, r"verify_bundle\.py")
def _c10(g: Genuine, dest: Path) -> bytes:
    """verify_bundle.py dropped."""
    return rezip(g, replace_={bz.VERIFY_SCRIPT: None})


@case("fetch-txt-present", 1, r"fetch\.txt")
def _c11(g: Genuine, dest: Path) -> bytes:
    """fetch.txt added: a bag that fetches files from elsewhere."""
    return rezip(g, add=[(g.prefix + "fetch.txt", b"https://example.invalid/x 10 data/x.jpg\n")])


@case("fetch-txt-listed-in-tagmanifest", 1, r"fetch\.txt|signature")
def _c12(g: Genuine, dest: Path) -> bytes:
    """fetch.txt added and listed in a recomputed tag manifest."""
    members = g.members()
    members["fetch.txt"] = b"https://example.invalid/x 10 data/x.jpg\n"
    return write_members(g, recompute_manifests(g, members))


@case("two-payload-oxum-lines", 1, r"payload-oxum|bag-info\.txt")
def _c13(g: Genuine, dest: Path) -> bytes:
    """bag-info.txt with a second, different Payload-Oxum line."""
    info = g.members()[bz.BAG_INFO_TXT] + b"Payload-Oxum: 1.1\n"
    return rezip(g, replace_={bz.BAG_INFO_TXT: info})


@case("two-payload-oxum-lines-tagmanifest-recomputed", 1, r"payload-oxum|signature")
def _c14(g: Genuine, dest: Path) -> bytes:
    """Two Payload-Oxum lines, tag manifest recomputed, signatures kept."""
    members = g.members()
    members[bz.BAG_INFO_TXT] = b"Payload-Oxum: 1.1\n" + members[bz.BAG_INFO_TXT]
    fixed = recompute_manifests(g, members)
    fixed[bz.BAG_INFO_TXT] = members[bz.BAG_INFO_TXT]
    listed = [
        n
        for n in fixed
        if n not in (bz.TAGMANIFEST, *bz.UNLISTED_TAG_FILES) and not n.startswith(bz.PAYLOAD_DIR)
    ]
    fixed[bz.TAGMANIFEST] = "".join(f"{sha(fixed[n])}  {n}\n" for n in sorted(listed)).encode()
    return write_members(g, fixed)


@case("signatures-removed", 1, r"not signed|signature|\.minisig|\.sig\b")
def _c15(g: Genuine, dest: Path) -> bytes:
    """Both signature files dropped (keys kept)."""
    return rezip(g, replace_={sign.MINISIG_NAME: None, sign.SSHSIG_NAME: None})


@case("signatures-and-keys-removed", 1, r"not signed|signature|minisign\.pub|allowed_signers")
def _c16(g: Genuine, dest: Path) -> bytes:
    """Signatures and both key files dropped."""
    return rezip(
        g,
        replace_={
            n: None
            for n in (sign.MINISIG_NAME, sign.SSHSIG_NAME, sign.MINISIGN_PUB_NAME, sign.ALLOWED_SIGNERS_NAME)
        },
    )


@case("minisig-removed", 1, r"minisig|signature")
def _c17(g: Genuine, dest: Path) -> bytes:
    """Only the minisign signature dropped."""
    return rezip(g, replace_={sign.MINISIG_NAME: None})


@case("exhibit-changed", 1, r"SM-1")
def _c18(g: Genuine, dest: Path) -> bytes:
    """One byte of an exhibit changed."""
    name = next(n for n in g.members() if n.startswith("data/exhibits/SM-1"))
    data = bytearray(g.members()[name])
    data[len(data) // 2] ^= 1
    return rezip(g, replace_={name: bytes(data)})


@case("exhibit-removed", 1, r"SM-2")
def _c19(g: Genuine, dest: Path) -> bytes:
    """An exhibit dropped."""
    name = next(n for n in g.members() if n.startswith("data/exhibits/SM-2"))
    return rezip(g, replace_={name: None})


@case("payload-file-added", 1, r"data/planted\.jpg")
def _c20(g: Genuine, dest: Path) -> bytes:
    """A file added under data/."""
    return rezip(g, add=[(g.prefix + "data/planted.jpg", b"\xff\xd8 planted")])


@case("file-outside-bag-added", 1, r"planted\.txt")
def _c21(g: Genuine, dest: Path) -> bytes:
    """A file added next to the bag folder."""
    return rezip(g, add=[("planted.txt", b"planted")])


@case("bag-info-edited", 1, r"bag-info\.txt")
def _c22(g: Genuine, dest: Path) -> bytes:
    """Incident-Count changed in bag-info.txt."""
    info = g.members()[bz.BAG_INFO_TXT].replace(b"Incident-Count: ", b"Incident-Count: 1")
    return rezip(g, replace_={bz.BAG_INFO_TXT: info})


@case("readme-edited", 1, r"README\.txt")
def _c23(g: Genuine, dest: Path) -> bytes:
    """README.txt changed (e.g. to name another fingerprint)."""
    return rezip(g, replace_={"README.txt": g.members()["README.txt"] + b"\nCall me.\n"})


@case("signature-from-other-key", 1, r"signature|minisig")
def _c24(g: Genuine, dest: Path) -> bytes:
    """Both signatures replaced by another key's signatures over the same tag manifest."""
    tm = g.members()[bz.TAGMANIFEST]
    sigs = sign.signature_files(OTHER_KEY, tm, trusted_comment="timestamp:1")
    return rezip(g, replace_=dict(sigs))


@case("public-key-swapped", 1, r"minisign\.pub|signature|different keys")
def _c25(g: Genuine, dest: Path) -> bytes:
    """minisign.pub replaced by another key, allowed_signers kept."""
    other = sign.key_files(OTHER_KEY.public_key())
    return rezip(g, replace_={sign.MINISIGN_PUB_NAME: other[sign.MINISIGN_PUB_NAME]})


@case("tagmanifest-line-edited", 1, r"signature|tagmanifest")
def _c26(g: Genuine, dest: Path) -> bytes:
    """A digest in the tag manifest changed by one character."""
    tm = bytearray(g.members()[bz.TAGMANIFEST])
    tm[3] = ord("0") if tm[3] != ord("0") else ord("1")
    return rezip(g, replace_={bz.TAGMANIFEST: bytes(tm)})


# SIGNER (finding 3) --------------------------------------------------------------------------


@case("resigned-with-other-key", 1, r"(?s){declared}.*{signer}|{signer}.*{declared}")
def _c27(g: Genuine, dest: Path) -> Path:
    """Re-signed with someone else's key; bag-info, README and PDF still name the victim's."""
    return resign(g, dest, key=OTHER_KEY)


@case("declared-fingerprint-edited-resigned", 1, r"Signing-Key-Fingerprint|declare|names")
def _c28(g: Genuine, dest: Path) -> Path:
    """Victim's key, but bag-info declares another key (a key holder's slip, or a trap)."""
    other = sign.fingerprint(OTHER_KEY.public_key())

    def edit(info: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(k, other if k == "Signing-Key-Fingerprint" else v) for k, v in info]

    return resign(g, dest, info_edit=edit)


@case("consistent-forgery-pinned", 1, r"expected|{declared}", expect_key=True)
def _c29(g: Genuine, dest: Path) -> Path:
    """Re-signed with another key and bag-info re-declared to match: only a pin catches it."""
    other = sign.fingerprint(OTHER_KEY.public_key())

    def edit(info: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(k, other if k == "Signing-Key-Fingerprint" else v) for k, v in info]

    return resign(g, dest, key=OTHER_KEY, info_edit=edit)


# NAMES ---------------------------------------------------------------------------------------

DUPLICATE = r"two files|twice|duplicate|same name|differ only"


@case("duplicate-name", 2, DUPLICATE)
def _c30(g: Genuine, dest: Path) -> bytes:
    """A second data/timeline.csv appended (zipfile would read the last one)."""
    return rezip(g, add=[(g.prefix + "data/timeline.csv", b"forged,row\n")])


@case("duplicate-case-only", 2, DUPLICATE)
def _c31(g: Genuine, dest: Path) -> bytes:
    """data/TIMELINE.csv beside data/timeline.csv (one file on Windows and macOS)."""
    return rezip(g, add=[(g.prefix + "data/TIMELINE.csv", b"forged,row\n")])


@case("duplicate-unicode-normalisation", 2, DUPLICATE)
def _c32(g: Genuine, dest: Path) -> bytes:
    """The NFD spelling of an exhibit's NFC name beside it (one file on macOS)."""
    name = next(n for n in g.members() if NFC_NAME in n)
    nfd = unicodedata.normalize("NFD", name)
    assert nfd != name
    return rezip(g, add=[(g.prefix + nfd, b"forged")])


def _symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0))
    info.create_system = 3
    info.external_attr = 0o120777 << 16
    return info


@case("symlink-member", 2, r"link|special")
def _c33(g: Genuine, dest: Path) -> bytes:
    """A symlink member pointing at /etc/passwd."""
    return rezip(g, add=[(_symlink(g.prefix + "data/link.jpg"), b"/etc/passwd")])


@case("symlink-replacing-exhibit", 2, r"link|special")
def _c34(g: Genuine, dest: Path) -> bytes:
    """An exhibit turned into a symlink in place (same name, central attributes changed)."""
    entries = parse_zip(g.data)
    i = next(i for i, e in enumerate(entries) if "/data/exhibits/" in e.name)
    entries[i] = entries[i].with_central(38, "<I", 0o120777 << 16)
    return assemble(entries)


@case("absolute-path", 2, r"absolute")
def _c35(g: Genuine, dest: Path) -> bytes:
    """A member called /etc/cron.d/evil."""
    return rezip(g, add=[("/etc/cron.d/evil", b"* * * * * root sh\n")])


@case("dotdot-path", 2, r"\.\.|climb|outside|parent")
def _c36(g: Genuine, dest: Path) -> bytes:
    """A member that climbs out of the bag folder."""
    return rezip(g, add=[(g.prefix + "../../evil.sh", b"#!/bin/sh\n")])


@case("dotdot-top-level", 2, r"\.\.|climb|outside|parent")
def _c37(g: Genuine, dest: Path) -> bytes:
    """../evil.sh at the top of the zip."""
    return rezip(g, add=[("../evil.sh", b"#!/bin/sh\n")])


@case("windows-drive-path", 2, r"absolute|drive")
def _c38(g: Genuine, dest: Path) -> bytes:
    """C:/Windows/evil.dll."""
    return rezip(g, add=[("C:/Windows/evil.dll", b"MZ")])


@case("backslash-path", 2, r"backslash")
def _c39(g: Genuine, dest: Path) -> bytes:
    """bag\\data\\evil.jpg (a path on Windows unzippers)."""
    return rezip(g, add=[(g.bag + "\\data\\evil.jpg", b"x")])


@case("control-character-name", 2, r"control")
def _c40(g: Genuine, dest: Path) -> bytes:
    """A name with a BEL character."""
    return rezip(g, add=[(g.prefix + "data/ctl\x07.jpg", b"x")])


@case("bidi-override-name", 2, r"control|bidi|direction")
def _c41(g: Genuine, dest: Path) -> bytes:
    """A right-to-left override disguising an .exe."""
    return rezip(g, add=[(g.prefix + "data/gpj.\u202eexe", b"MZ")])


@case("file-used-as-folder", 2, r"folder")
def _c42(g: Genuine, dest: Path) -> bytes:
    """bagit.txt/inner: a name used as a file and a folder."""
    return rezip(g, add=[(g.prefix + "bagit.txt/inner", b"x")])


@case("unicode-path-extra-alias", 2, r"name|unicode|extra")
def _c43(g: Genuine, dest: Path) -> bytes:
    """An Info-ZIP Unicode Path extra field naming ../../evil.jpg."""
    info = zipfile.ZipInfo(g.prefix + "data/alias.jpg", (2026, 1, 1, 0, 0, 0))
    alias = b"../../evil.jpg"
    body = b"\x01" + struct.pack("<I", zlib.crc32(info.filename.encode())) + alias
    info.extra = struct.pack("<HH", 0x7075, len(body)) + body
    return rezip(g, add=[(info, b"x")])


# ZIP64 DISAGREEMENTS -------------------------------------------------------------------------

ZIP64 = r"zip64|disagree|size|damaged"


def _zip64_local(e: RawEntry, usize: int, csize: int) -> RawEntry:
    """Give a member's local header zip64 sizes (32-bit fields 0xFFFFFFFF)."""
    (nlen, xlen) = struct.unpack_from("<HH", e.local, 26)
    extra = struct.pack("<HHQQ", 1, 16, usize, csize)
    header = bytearray(e.local[:30])
    struct.pack_into("<IIHH", header, 18, 0xFFFFFFFF, 0xFFFFFFFF, nlen, xlen + len(extra))
    struct.pack_into("<H", header, 4, 45)
    return replace(e, local=bytes(header) + e.local[30:] + extra)


def _pick_stored(g: Genuine, entries: list[RawEntry]) -> int:
    return _index(g, entries, "data/timeline.csv")


@case("zip64-local-size-disagrees", 2, ZIP64)
def _c44(g: Genuine, dest: Path) -> bytes:
    """Local zip64 extra says a different size from the central directory."""
    entries = parse_zip(g.data)
    i = _pick_stored(g, entries)
    n = len(entries[i].data)
    entries[i] = _zip64_local(entries[i], n + 100, n + 100)
    return assemble(entries)


@case("zip64-central-size-disagrees", 2, ZIP64)
def _c45(g: Genuine, dest: Path) -> bytes:
    """Central zip64 extra (fields 0xFFFFFFFF) gives sizes the local header contradicts."""
    entries = parse_zip(g.data)
    i = _pick_stored(g, entries)
    e = entries[i]
    n = len(e.data)
    nlen, xlen, clen = struct.unpack_from("<HHH", e.central, 28)
    extra = struct.pack("<HHQQ", 1, 16, n + 7, n + 7)
    c = bytearray(e.central[:46])
    struct.pack_into("<II", c, 20, 0xFFFFFFFF, 0xFFFFFFFF)
    struct.pack_into("<H", c, 30, xlen + len(extra))
    tail = e.central[46:]
    entries[i] = replace(e, central=bytes(c) + tail[: nlen + xlen] + extra + tail[nlen + xlen :])
    return assemble(entries)


@case("zip64-end-record-count-disagrees", 2, ZIP64 + r"|count|director")
def _c46(g: Genuine, dest: Path) -> bytes:
    """A zip64 end record whose member count differs from the classic end record's."""
    data = bytearray(assemble(parse_zip(g.data), Layout(zip64_end=True)))
    z = data.rindex(_ZIP64_EOCD)
    n = struct.unpack_from("<Q", data, z + 24)[0]
    struct.pack_into("<QQ", data, z + 24, n + 1, n + 1)
    return bytes(data)


@case("zip64-locator-points-elsewhere", 2, ZIP64 + r"|damaged|director")
def _c47(g: Genuine, dest: Path) -> bytes:
    """The zip64 locator points into the central directory instead of at its record."""
    data = bytearray(assemble(parse_zip(g.data), Layout(zip64_end=True)))
    loc = data.rindex(_ZIP64_LOCATOR)
    z = struct.unpack_from("<Q", data, loc + 8)[0]
    struct.pack_into("<Q", data, loc + 8, z - 46)
    return bytes(data)


@case("zip64-end-record-directory-offset-disagrees", 2, ZIP64 + r"|director|offset")
def _c48(g: Genuine, dest: Path) -> bytes:
    """Zip64 end record's directory offset differs from the classic record's."""
    data = bytearray(assemble(parse_zip(g.data), Layout(zip64_end=True)))
    z = data.rindex(_ZIP64_EOCD)
    off = struct.unpack_from("<Q", data, z + 48)[0]
    struct.pack_into("<Q", data, z + 48, off + 46)
    return bytes(data)


# DATA WHERE NONE BELONGS ---------------------------------------------------------------------

OUTSIDE = r"before|after|between|gap|prefix|trailing|start|end|extra data|data where|joined|tile"


@case("data-before-first-member", 2, OUTSIDE)
def _c49(g: Genuine, dest: Path) -> bytes:
    """An executable stub prepended, offsets not adjusted (zipfile copes; we must refuse)."""
    return b"MZ\x90\x00 self-extracting stub " * 8 + g.data


@case("data-before-first-member-offsets-adjusted", 2, OUTSIDE)
def _c50(g: Genuine, dest: Path) -> bytes:
    """Junk prepended with every offset moved to match."""
    junk = b"MZ\x90\x00 stub " * 10
    return assemble(parse_zip(g.data), Layout(prefix=junk, shift=len(junk)))


@case("data-after-end-record", 2, OUTSIDE)
def _c51(g: Genuine, dest: Path) -> bytes:
    """Bytes appended after the end record."""
    return g.data + b"appended after the end\n"


@case("data-between-members", 2, OUTSIDE)
def _c52(g: Genuine, dest: Path) -> bytes:
    """A gap of junk between two members, offsets adjusted."""
    return assemble(parse_zip(g.data), Layout(gaps={2: b"\x00junk in a gap\x00" * 4}))


@case("data-between-members-and-directory", 2, OUTSIDE + r"|director")
def _c53(g: Genuine, dest: Path) -> bytes:
    """Junk between the last member and the central directory."""
    return assemble(parse_zip(g.data), Layout(before_cd=b"junk before the directory" * 3))


@case("data-between-directory-and-end-record", 2, OUTSIDE + r"|director")
def _c54(g: Genuine, dest: Path) -> bytes:
    """Junk between the central directory and the end record."""
    return assemble(parse_zip(g.data), Layout(between_cd_and_end=b"junk" * 8))


@case("zip-comment", 2, r"comment")
def _c55(g: Genuine, dest: Path) -> bytes:
    """A harmless-looking zip comment (our writer writes none)."""
    return assemble(parse_zip(g.data), Layout(comment=b"Checked by the police IT team."))


@case("member-comment", 2, r"comment")
def _c56(g: Genuine, dest: Path) -> bytes:
    """A comment on one central directory entry."""
    entries = parse_zip(g.data)
    e = entries[1]
    text = b"looks fine"
    c = bytearray(e.central)
    struct.pack_into("<H", c, 32, len(text))
    entries[1] = replace(e, central=bytes(c) + text)
    return assemble(entries)


@case("second-end-record-appended", 2, ZIP_AMBIGUITY + "|" + OUTSIDE)
def _c57(g: Genuine, dest: Path) -> bytes:
    """A copy of the end record appended after the real one."""
    return g.data + g.data[-22:]


@case("second-end-record-in-comment", 2, ZIP_AMBIGUITY)
def _c58(g: Genuine, dest: Path) -> bytes:
    """The comment holds another end record (readers disagree on which is real)."""
    return assemble(parse_zip(g.data), Layout(comment=g.data[-22:]))


@case("second-directory-appended", 2, ZIP_AMBIGUITY + "|" + OUTSIDE)
def _c59(g: Genuine, dest: Path) -> bytes:
    """A second central directory and end record appended after the real end record."""
    entries = parse_zip(g.data)
    tail = assemble(entries)
    cd_off = struct.unpack_from("<I", tail, len(tail) - 6)[0]
    return tail + tail[cd_off:]


@case("comment-length-past-end", 2, ZIP_AMBIGUITY + r"|not a zip|damaged|cut short|after its end")
def _c60(g: Genuine, dest: Path) -> bytes:
    """The end record claims a comment longer than what follows it."""
    return assemble(parse_zip(g.data), Layout(comment=b"abc", comment_length=40))


# FLAGS, METHODS, HEADERS ----------------------------------------------------------------------


def _flags(g: Genuine, rel: str, flags: int, *, local: bool = True, central: bool = True) -> bytes:
    entries = parse_zip(g.data)
    i = _index(g, entries, rel)
    e = entries[i]
    (old,) = struct.unpack_from("<H", e.central, 8)
    if local:
        e = e.with_local(6, "<H", old | flags)
    if central:
        e = e.with_central(8, "<H", old | flags)
    entries[i] = e
    return assemble(entries)


@case("encrypted-flag", 2, r"password|encrypt")
def _c61(g: Genuine, dest: Path) -> bytes:
    """The encryption bit on an exhibit, local and central."""
    rel = next(n for n in g.members() if n.startswith("data/exhibits/"))
    return _flags(g, rel, 0x0001)


@case("encrypted-flag-central-only", 2, r"password|encrypt|disagree")
def _c62(g: Genuine, dest: Path) -> bytes:
    """The encryption bit in the central directory only."""
    return _flags(g, "data/timeline.csv", 0x0001, local=False)


@case("strong-encryption-flag", 2, r"password|encrypt")
def _c63(g: Genuine, dest: Path) -> bytes:
    """The strong-encryption bit (0x40) on bag-info.txt."""
    return _flags(g, bz.BAG_INFO_TXT, 0x0041)


@case("data-descriptor-flag-central-only", 2, r"disagree|descriptor|local|flag|streaming")
def _c64(g: Genuine, dest: Path) -> bytes:
    """Data-descriptor bit set in the central header only."""
    return _flags(g, "data/timeline.csv", 0x0008, local=False)


@case("unsupported-compression", 2, r"compression|method")
def _c65(g: Genuine, dest: Path) -> bytes:
    """A member stored with bzip2."""
    buf = io.BytesIO(g.data)
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr(g.prefix + "data/notes.txt", b"x" * 100, compress_type=zipfile.ZIP_BZIP2)
    return buf.getvalue()


@case("method-disagrees", 2, r"disagree|local|method|compression")
def _c66(g: Genuine, dest: Path) -> bytes:
    """Central says deflate, local says stored, for a stored member."""
    entries = parse_zip(g.data)
    i = _index(g, entries, "data/timeline.csv")
    entries[i] = entries[i].with_central(10, "<H", 8)
    return assemble(entries)


@case("local-name-disagrees", 2, r"disagree|local|name")
def _c67(g: Genuine, dest: Path) -> bytes:
    """The local header names another file (same length) than the central one."""
    entries = parse_zip(g.data)
    i = _index(g, entries, "data/timeline.csv")
    e = entries[i]
    entries[i] = replace(e, local=e.local.replace(b"timeline.csv", b"timeline.CSV"))
    return assemble(entries)


@case("crc-disagrees", 2, r"disagree|crc|local|damaged")
def _c68(g: Genuine, dest: Path) -> bytes:
    """The local CRC differs from the central CRC."""
    entries = parse_zip(g.data)
    i = _index(g, entries, "data/timeline.csv")
    (crc,) = struct.unpack_from("<I", entries[i].local, 14)
    entries[i] = entries[i].with_local(14, "<I", crc ^ 0xFFFF)
    return assemble(entries)


@case("two-entries-one-local-header", 2, r"overlap|disagree|twice|tile|local|gap")
def _c69(g: Genuine, dest: Path) -> bytes:
    """Two directory entries share the local header of timeline.csv (second named .bak)."""
    entries = parse_zip(g.data)
    i = _index(g, entries, "data/timeline.csv")
    e = entries[i]
    alias_central = e.central.replace(b"timeline.csv", b"timeline.bak")
    alias = RawEntry(e.local, e.data, alias_central)
    data = bytearray(assemble(entries, central=[*entries, alias]))
    # The alias's offset is the real entry's: copy it over.
    cd_off = struct.unpack_from("<I", data, len(data) - 6)[0]
    pos = cd_off
    offs = {}
    while data[pos : pos + 4] == _CENTRAL:
        nlen, xlen, clen = struct.unpack_from("<HHH", data, pos + 28)
        name = bytes(data[pos + 46 : pos + 46 + nlen])
        offs[name] = pos
        pos += 46 + nlen + xlen + clen
    real = struct.unpack_from("<I", data, offs[(g.prefix + "data/timeline.csv").encode()] + 42)[0]
    struct.pack_into("<I", data, offs[(g.prefix + "data/timeline.bak").encode()] + 42, real)
    return bytes(data)


@case("overlapping-members", 2, r"overlap|disagree|tile|gap|size")
def _c70(g: Genuine, dest: Path) -> bytes:
    """A member's sizes grown (local and central) so its data runs into the next one."""
    entries = parse_zip(g.data)
    i = _index(g, entries, "data/timeline.csv")
    e = entries[i]
    n = len(e.data) + 40
    entries[i] = e.with_local(18, "<II", n, n).with_central(20, "<II", n, n)
    return assemble(entries)


@case("directory-count-disagrees", 2, r"director|count|damaged")
def _c71(g: Genuine, dest: Path) -> bytes:
    """The end record says one member fewer than the directory holds."""
    data = bytearray(g.data)
    n = struct.unpack_from("<H", data, len(data) - 12)[0]
    struct.pack_into("<HH", data, len(data) - 14, n - 1, n - 1)
    return bytes(data)


@case("zip-bomb-deflate", 2, r"bomb|ratio|too large")
def _c72(g: Genuine, dest: Path) -> bytes:
    """64 MiB of zeros deflated into a few dozen KiB."""
    buf = io.BytesIO(g.data)
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr(
            g.prefix + "data/bomb.bin", bytes(64 << 20), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9
        )
    return buf.getvalue()


@case("zip-bomb-declared-size", 2, r"bomb|ratio|too large|size|disagree")
def _c73(g: Genuine, dest: Path) -> bytes:
    """A small deflated tag file whose headers claim 3 GiB uncompressed."""
    entries = parse_zip(g.data)
    i = _index(g, entries, "README.txt")
    big = 3 << 30
    entries[i] = entries[i].with_local(22, "<I", big).with_central(24, "<I", big)
    return assemble(entries)


# NOT A BUNDLE --------------------------------------------------------------------------------


@case("truncated", 2, r"not a zip|cut short|damaged")
def _c74(g: Genuine, dest: Path) -> bytes:
    """The first half of the bundle only."""
    return g.data[: len(g.data) // 2]


@case("two-bags-in-one-zip", 2, r"more than one|exactly one")
def _c75(g: Genuine, dest: Path) -> bytes:
    """A second bag folder beside the real one."""
    return rezip(g, add=[("other-bag/bagit.txt", bz.BAGIT_TXT_CONTENT)])


# JOURNAL (FORMAT-14; re-signed with the victim's key: what only a key holder can do) --------

JOURNAL = r"journal"


def _jl(g: Genuine) -> list[dict[str, Any]]:
    """The bundle's own journal when the exporter wrote FORMAT-14 (it has a
    Journal-Head), else one built by hand from the vault's chain."""
    if any(k == "Journal-Head" for k, _ in g.bag_info()):
        raw = g.members()["data/journal.jsonl"]
        return [json.loads(line) for line in raw.decode().splitlines()]
    return [dict(e) for e in new_format_journal(g)]


def _head(lines: list[dict[str, Any]]) -> tuple[int, str]:
    return lines[-1]["seq"], lines[-1]["hash"]


def _first_full(lines: list[dict[str, Any]], after: int = 2) -> int:
    return next(i for i, e in enumerate(lines) if i >= after and not e.get("withheld"))


@case("journal-entry-removed", 1, JOURNAL)
def _j1(g: Genuine, dest: Path) -> Path:
    """One journal line dropped from the middle (seq gap), head kept."""
    lines = _jl(g)
    head = _head(lines)
    del lines[len(lines) // 2]
    return resign_journal(g, dest, lines, head)


@case("journal-entry-edited", 1, JOURNAL)
def _j2(g: Genuine, dest: Path) -> Path:
    """A full entry's action text edited, its hash left as it was."""
    lines = _jl(g)
    i = _first_full(lines)
    lines[i]["detail"] = {**lines[i]["detail"], "reason": "edited later"}
    return resign_journal(g, dest, lines, _head(lines))


@case("journal-entry-edited-and-rehashed", 1, JOURNAL)
def _j3(g: Genuine, dest: Path) -> Path:
    """A full entry edited and its own hash recomputed: the next entry's prev no longer fits."""
    lines = _jl(g)
    i = _first_full(lines)
    lines[i]["detail"] = {**lines[i]["detail"], "reason": "edited later"}
    fields = {k: v for k, v in lines[i].items() if k != "hash"}
    lines[i]["hash"] = sha(canonical_json(fields))
    return resign_journal(g, dest, lines, _head(lines))


@case("journal-truncated-head-kept", 1, JOURNAL + r"|head")
def _j4(g: Genuine, dest: Path) -> Path:
    """The newest entries dropped, Journal-Head still the real head."""
    lines = _jl(g)
    head = _head(lines)
    return resign_journal(g, dest, lines[:-3], head)


@case("journal-head-wrong-hash", 1, JOURNAL + r"|head")
def _j5(g: Genuine, dest: Path) -> Path:
    """Journal-Head names the right seq with another hash."""
    lines = _jl(g)
    seq, _ = _head(lines)
    return resign_journal(g, dest, lines, (seq, "ab" * 32))


@case("journal-stub-prev-altered", 1, JOURNAL)
def _j6(g: Genuine, dest: Path) -> Path:
    """A withheld stub's prev changed."""
    lines = _jl(g)
    i = next(i for i, e in enumerate(lines) if i > 0 and e.get("withheld"))
    lines[i]["prev"] = "cd" * 32
    return resign_journal(g, dest, lines, _head(lines))


@case("journal-first-prev-not-zero", 1, JOURNAL)
def _j7(g: Genuine, dest: Path) -> Path:
    """The chain re-hashed from a non-zero start (history cut off at the front)."""
    lines = _rehash_from(chain(list(g.journal_entries)[1:]), "ef" * 32)
    return resign_journal(g, dest, lines, _head(lines))


def _rehash_from(lines: list[dict[str, Any]], prev: str) -> list[dict[str, Any]]:
    out = []
    for e in lines:
        fields = {k: v for k, v in e.items() if k != "hash"}
        fields["prev"] = prev
        prev = sha(canonical_json(fields))
        out.append({**fields, "hash": prev})
    return out


@case("journal-lines-swapped", 1, JOURNAL)
def _j8(g: Genuine, dest: Path) -> Path:
    """Two adjacent journal lines swapped."""
    lines = _jl(g)
    i = len(lines) // 2
    lines[i], lines[i + 1] = lines[i + 1], lines[i]
    return resign_journal(g, dest, lines, _head(lines))


@case("journal-garbage-line", 1, JOURNAL)
def _j9(g: Genuine, dest: Path) -> Path:
    """A line that is not JSON."""
    raw = journal_bytes(_jl(g))
    cut = raw.index(b"\n") + 1
    return resign_journal(g, dest, raw[:cut] + b"not json at all\n" + raw[cut:], _head(_jl(g)))


@case("journal-lone-surrogate", 1, JOURNAL)
def _j9b(g: Genuine, dest: Path) -> Path:
    """A line of valid JSON whose text holds a lone surrogate ("\\ud800", which JSON
    allows): writing it back as UTF-8 to compare raised UnicodeEncodeError."""
    raw = journal_bytes(_jl(g))
    cut = raw.index(b"\n") + 1
    line = b'{"action":"\\ud800","at":"","body_sha256":"","detail":{},"hash":"0","id":1}\n'
    return resign_journal(g, dest, raw[:cut] + line + raw[cut:], _head(_jl(g)))


@case("journal-head-malformed", 1, r"journal-head|journal")
def _j10(g: Genuine, dest: Path) -> Path:
    """Journal-Head that is not "<seq> <64 hex>"."""
    lines = _jl(g)
    payload = {n: d for n, d in g.members().items() if n.startswith(bz.PAYLOAD_DIR)}
    payload["data/journal.jsonl"] = journal_bytes(lines)

    def edit(info: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [*[(k, v) for k, v in info if k != "Journal-Head"], ("Journal-Head", "12 abc")]

    return resign(g, dest, payload=payload, info_edit=edit)


@case("journal-missing-with-head", 1, JOURNAL)
def _j11(g: Genuine, dest: Path) -> Path:
    """Journal-Head declared but data/journal.jsonl left out (manifests consistent)."""
    payload = {
        n: d for n, d in g.members().items() if n.startswith(bz.PAYLOAD_DIR) and n != "data/journal.jsonl"
    }
    return resign(g, dest, payload=payload, info_edit=with_head(*_head(_jl(g))))


@case("journal-rechained-after-rewrite", 1, JOURNAL + r"|head")
def _j12(g: Genuine, dest: Path) -> Path:
    """An entry edited and every later hash recomputed, but the head left as exported."""
    lines = _jl(g)
    head = _head(lines)
    full = list(g.journal_entries)[: head[0]]
    i = next(i for i, e in enumerate(full) if e["kind"] == "incident")
    full[i] = {**full[i], "detail": {**full[i]["detail"], "reason": "rewritten"}}
    rechained = chain(full)
    lines = [e if e["kind"] in ("incident", "evidence") else stub(e) for e in rechained]
    return resign_journal(g, dest, lines, head)


@case("journal-legacy-entry-hash-wrong", 1, JOURNAL)
def _j13(g: Genuine, dest: Path) -> Path:
    """Legacy journal (no Journal-Head): one entry's own hash does not fit its fields."""
    lines = [dict(e) for e in g.journal_entries if e["kind"] in ("incident", "evidence")]
    lines[1]["hash"] = "01" * 32
    return resign_journal(g, dest, lines, None)


@case("journal-two-head-lines", 1, r"journal-head|journal")
def _j14(g: Genuine, dest: Path) -> Path:
    """Two Journal-Head lines in bag-info (the older one first)."""
    lines = _jl(g)
    payload = {n: d for n, d in g.members().items() if n.startswith(bz.PAYLOAD_DIR)}
    payload["data/journal.jsonl"] = journal_bytes(lines[:-2])
    seq, h = _head(lines)

    def edit(info: list[tuple[str, str]]) -> list[tuple[str, str]]:
        info = [(k, v) for k, v in info if k != "Journal-Head"]
        return [
            *info,
            ("Journal-Head", f"{lines[-3]['seq']} {lines[-3]['hash']}"),
            ("Journal-Head", f"{seq} {h}"),
        ]

    return resign(g, dest, payload=payload, info_edit=edit)


# --- genuine controls (exit 0) --------------------------------------------------------------


def control_resigned_journal(g: Genuine, dest: Path) -> Path:
    """The genuine content with a hand-built FORMAT-14 journal and head, signed by the
    victim's key: indistinguishable from a genuine new-format export (exit 0)."""
    lines = _jl(g)
    return resign_journal(g, dest, lines, _head(lines))


def control_rebuilt(g: Genuine, dest: Path) -> Path:
    """The genuine bundle rebuilt by our writer with the victim's key (same bytes)."""
    return resign(g, dest)


CONTROLS: dict[str, Callable[[Genuine, Path], Path]] = {
    "genuine": lambda g, dest: Path(shutil.copyfile(g.path, dest)),
    "genuine-rebuilt": control_rebuilt,
    "genuine-journal-format-14": control_resigned_journal,
}


def reason_pattern(c: Case, g: Genuine) -> str:
    import re

    return c.reason.replace("{declared}", re.escape(g.fingerprint)).replace(
        "{signer}", re.escape(sign.fingerprint(OTHER_KEY.public_key()))
    )


def describe() -> str:
    """The corpus as text (for a report)."""
    return "\n".join(f"{c.exit}  {c.id}: {c.note.strip()}" for c in CASES)


def jsonable(obj: Any) -> str:
    return json.dumps(obj, default=str)
