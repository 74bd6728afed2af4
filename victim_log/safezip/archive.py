"""Read and check a zip's structure: one archive, laid out so every tool sees it alike.

The forgery this prevents: a genuine signed bundle, untouched, with a second table of
contents and forged members hidden where only some tools look (the archive comment,
before the first member, between members). We read the real records; Info-ZIP, Python's
zipfile and Java read the forged ones. So we do not only read the archive, we prove
there is no room for another one:

1. one end-of-archive record (EOCD), ending exactly at the end of the file, without a
   comment (or, if the policy allows one, a comment holding no zip record); a zip64
   record and locator only exactly in front of it, agreeing with it;
2. the members, sorted by offset, tile the file from byte 0 to the table of contents:
   local header, name, extra field, data (and a data descriptor if the policy allows
   them) of one member end exactly where the next begins, the last exactly where the
   table of contents starts, which ends exactly at the zip64 record or EOCD;
3. each member's local header agrees with its central entry;
4. no zip record signature hides in an extra field, and the last 65,557 bytes (where
   tools search for the EOCD) hold no other EOCD outside member data;
5. names are safe and unique (:mod:`.names`), no encryption, links, entry comments or
   other compression than stored/deflate, and sizes within the policy's limits.

Python's zipfile is then asked for its listing (:mod:`.crosscheck`).
"""

from __future__ import annotations

import bisect
import stat
import struct
import unicodedata
import zlib
from dataclasses import dataclass

from .errors import UnsafeZip
from .names import decode_name
from .names import folder_clash
from .names import unsafe_name_reason
from .policy import ZipPolicy
from .records import ALL_SIGNATURES
from .records import CENTRAL_SIZE
from .records import EOCD_SIZE
from .records import EXTRA_UNICODE_PATH
from .records import EXTRA_ZIP64
from .records import FLAG_DATA_DESCRIPTOR
from .records import FLAG_ENCRYPTED
from .records import FLAG_MASKED_HEADERS
from .records import FLAG_STRONG_ENCRYPTION
from .records import FLAGS_KNOWN
from .records import FLAGS_THAT_MATTER
from .records import LOCAL_SIZE
from .records import MAX_COMMENT
from .records import MAX_DESCRIPTOR
from .records import SIG_EOCD
from .records import SIG_ZIP64_LOCATOR
from .records import U16_MAX
from .records import U32_MAX
from .records import ZIP64_EOCD_SIZE
from .records import ZIP64_LOCATOR_SIZE
from .records import CentralEntry
from .records import EndRecord
from .records import damaged
from .records import descriptor_matches
from .records import local_lengths
from .records import parse_central
from .records import parse_eocd
from .records import parse_local
from .records import parse_zip64_end
from .records import parse_zip64_locator
from .source import Source

STORED = 0
DEFLATED = 8

#: How far from the end tools search for the EOCD: its size plus the longest comment.
EOCD_SEARCH = EOCD_SIZE + MAX_COMMENT

_ALTERED = "(it may have been altered to fool zip tools), so it cannot be checked."


@dataclass(frozen=True, slots=True)
class ZipMember:
    """One checked member. ``name`` is untrusted: a lookup key, shown only via
    :func:`victim_log.textsafe.display_safe` or the verifier's ``shown``."""

    name: str
    method: int
    flags: int
    crc32: int
    compressed_size: int
    size: int
    header_offset: int
    data_offset: int
    index: int  # 1-based position in the table of contents

    @property
    def is_dir(self) -> bool:
        return self.name.endswith("/")


@dataclass(frozen=True, slots=True)
class _Entry:
    index: int
    name: str
    who: str
    central: CentralEntry


def _who(policy: ZipPolicy, index: int, name: str | None) -> str:
    if policy.name_in_messages and name is not None:
        return name
    return f"member {index}"


def read_archive(src: Source, policy: ZipPolicy) -> tuple[ZipMember, ...]:
    """Every member of the zip at ``src``, in table-of-contents order, or UnsafeZip."""
    end = find_end(src, policy)
    entries = read_directory(src, end, policy)
    members = check_layout(src, entries, end, policy)
    check_tail(src, members, end)
    return members


# -- 1. the end records -------------------------------------------------------------------


def _not_a_zip(src: Source) -> UnsafeZip:
    what = f"{src.label} is not a zip file." if src.label else "This isn't a readable zip file."
    return UnsafeZip("not-a-zip", what)


def find_end(src: Source, policy: ZipPolicy) -> EndRecord:
    if src.size < EOCD_SIZE:
        raise _not_a_zip(src)
    tail_len = min(src.size, EOCD_SEARCH)
    tail_start = src.size - tail_len
    tail = src.read_exact(tail_len, tail_start)
    pos = len(tail) - EOCD_SIZE
    if tail[pos : pos + 4] != SIG_EOCD or parse_eocd(tail, pos)[6] != 0:
        pos = tail.rfind(SIG_EOCD, 0, len(tail) - EOCD_SIZE + 4)
        while pos >= 0 and pos + EOCD_SIZE + parse_eocd(tail, pos)[6] != len(tail):
            pos = tail.rfind(SIG_EOCD, 0, pos)
        if pos < 0:
            if SIG_EOCD in tail:
                raise UnsafeZip(
                    "trailing-data",
                    "This zip has data after its end (it may have been altered or joined "
                    "to another file), so it cannot be checked.",
                )
            raise _not_a_zip(src)
        comment = tail[pos + EOCD_SIZE :]
        if not policy.allow_comment:
            raise UnsafeZip(
                "comment",
                "This zip carries a comment, which an export never has: it can hide a "
                "second table of contents that other zip tools would read. It cannot be "
                "checked.",
            )
        if any(sig in comment for sig in ALL_SIGNATURES):
            raise UnsafeZip(
                "comment",
                "This zip's comment hides zip records that other zip tools could read "
                "as a different archive, so it cannot be checked.",
            )
    eocd = tail_start + pos
    disk, cd_disk, n_disk, n_total, cd_size, cd_offset, c_len = parse_eocd(tail, pos)
    comment = tail[pos + EOCD_SIZE : pos + EOCD_SIZE + c_len]
    cd_end = eocd
    zip64_offset: int | None = None
    loc_at = eocd - ZIP64_LOCATOR_SIZE
    if loc_at >= 0 and src.read_exact(4, loc_at) == SIG_ZIP64_LOCATOR:
        z_disk, z_offset, z_disks = parse_zip64_locator(src.read_exact(ZIP64_LOCATOR_SIZE, loc_at))
        if z_disk != 0 or z_disks != 1:
            raise UnsafeZip("multi-disk", "This zip spans several disks, which Victim Log does not read.")
        if z_offset != loc_at - ZIP64_EOCD_SIZE:
            raise UnsafeZip(
                "zip64-mismatch",
                "This zip's zip64 end record is not where it must be " + _ALTERED,
            )
        rec_size, z_disk, z_cd_disk, z_n_disk, z_n_total, z_cd_size, z_cd_offset = parse_zip64_end(
            src.read_exact(ZIP64_EOCD_SIZE, z_offset)
        )
        classic = (
            (n_disk, z_n_disk, U16_MAX),
            (n_total, z_n_total, U16_MAX),
            (cd_size, z_cd_size, U32_MAX),
            (cd_offset, z_cd_offset, U32_MAX),
            (disk, z_disk, U16_MAX),
            (cd_disk, z_cd_disk, U16_MAX),
        )
        if rec_size != ZIP64_EOCD_SIZE - 12 or any(c not in (z, cap) for c, z, cap in classic):
            raise UnsafeZip(
                "zip64-mismatch",
                "This zip's two end records (classic and zip64) disagree " + _ALTERED,
            )
        disk, cd_disk, n_disk, n_total = z_disk, z_cd_disk, z_n_disk, z_n_total
        cd_size, cd_offset = z_cd_size, z_cd_offset
        cd_end = zip64_offset = z_offset
    if disk != 0 or cd_disk != 0 or n_disk != n_total:
        raise UnsafeZip("multi-disk", "This zip spans several disks, which Victim Log does not read.")
    return EndRecord(eocd, comment, n_total, cd_offset, cd_size, cd_end, zip64_offset)


# -- 2. the table of contents --------------------------------------------------------------


def read_directory(src: Source, end: EndRecord, policy: ZipPolicy) -> list[_Entry]:
    lim = policy.limits
    if end.entries > lim.max_members:
        raise UnsafeZip(
            "too-many-members",
            f"This zip holds too many files ({end.entries}; at most {lim.max_members}).",
        )
    if end.cd_size > (end.entries + 1) * lim.cd_bytes_per_member or (
        end.cd_size < CENTRAL_SIZE * end.entries
    ):
        raise UnsafeZip(
            "directory-too-large", "This zip's table of contents is damaged or implausibly large."
        )
    if end.cd_offset + end.cd_size < end.cd_end:
        raise UnsafeZip(
            "directory-gap",
            "This zip has hidden data after its table of contents " + _ALTERED,
        )
    if end.cd_offset + end.cd_size > end.cd_end:
        raise damaged()
    cd = src.read_exact(end.cd_size, end.cd_offset)
    entries: list[_Entry] = []
    seen: set[str] = set()
    normal: set[str] = set()
    folded: set[str] = set()
    total = 0
    pos = 0
    for index in range(1, end.entries + 1):
        e = parse_central(cd, pos)
        pos += e.length
        entry = _check_entry(index, e, policy)
        name, who = entry.name, entry.who
        nfc = name if name.isascii() else unicodedata.normalize("NFC", name)
        key = nfc.casefold()  # collision_key(name)
        if name in seen:
            raise UnsafeZip("duplicate-name", f"This zip holds the same file twice ({who}).")
        if nfc in normal:
            raise UnsafeZip(
                "normalisation-duplicate",
                f"This zip holds two files whose names differ only in how accents are "
                f"encoded ({who}); they are one file on a Mac.",
            )
        if key in folded:
            raise UnsafeZip(
                "case-duplicate",
                f"This zip holds two files whose names differ only in upper and lower "
                f"case ({who}); they are one file on Windows and Mac.",
            )
        seen.add(name)
        normal.add(nfc)
        folded.add(key)
        total += e.size
        if total > lim.max_total_size:
            raise UnsafeZip("total-too-large", "This zip would unpack to more than we allow.")
        entries.append(entry)
    if pos != len(cd):
        raise damaged("This zip's table of contents is damaged, so it cannot be checked.")
    clash = folder_clash(e.name for e in entries)
    if clash is not None:
        who = clash if policy.name_in_messages else "one name"
        raise UnsafeZip("file-folder-clash", f"This zip uses {who} both as a file and as a folder.")
    return entries


def _check_entry(index: int, e: CentralEntry, policy: ZipPolicy) -> _Entry:
    lim = policy.limits
    name = decode_name(e.raw_name, e.flags, allow_cp437=policy.allow_cp437_names)
    if name is None:
        raise UnsafeZip(
            "name-encoding",
            f"This zip has a file name that zip tools read differently (member {index}).",
        )
    reason = unsafe_name_reason(name, max_bytes=lim.max_name_bytes, allow_marks=policy.allow_direction_marks)
    if reason:
        raise UnsafeZip("unsafe-name", f"This zip is unsafe to open: member {index} has {reason}.")
    who = _who(policy, index, name)
    _check_unicode_path(e.extras, e.raw_name, name, who)
    if e.comment_len:
        raise UnsafeZip("entry-comment", f"This zip has a comment on {who}, which an export never has.")
    if e.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_MASKED_HEADERS):
        raise UnsafeZip("encrypted", f"This zip is password-protected ({who}); Victim Log reads none.")
    if e.flags & ~FLAGS_KNOWN:
        raise UnsafeZip(
            "unsupported-feature",
            f"This zip uses a zip feature Victim Log does not read ({who}).",
        )
    if e.method not in (STORED, DEFLATED):
        raise UnsafeZip(
            "compression-method",
            f"This zip uses a compression method Victim Log does not read ({who}).",
        )
    if e.flags & FLAG_DATA_DESCRIPTOR and not policy.allow_data_descriptor:
        raise UnsafeZip(
            "data-descriptor",
            f"This zip was written in streaming mode ({who}), which an export never is, "
            "so it cannot be checked.",
        )
    mode = e.external_attr >> 16
    if mode and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise UnsafeZip("symlink", f"This zip is unsafe to open: {who} is a link or special file.")
    if e.disk not in (0, U16_MAX):
        raise UnsafeZip("multi-disk", "This zip spans several disks, which Victim Log does not read.")
    if e.method == STORED and e.compressed_size != e.size:
        raise UnsafeZip("impossible-size", f"This zip declares an impossible size for {who}.")
    if e.size > lim.max_member_size:
        raise UnsafeZip("member-too-large", f"A file inside this zip is too large ({who}).")
    if (
        e.method == DEFLATED
        and e.size >= lim.ratio_min_size
        and (e.size > lim.max_ratio * max(e.compressed_size, 1))
    ):
        raise UnsafeZip(
            "zip-bomb",
            f"This zip is unsafe to open: {who} would expand to an absurd size (a zip bomb).",
        )
    if name.endswith("/") and e.size != 0:
        raise UnsafeZip("folder-with-data", f"This zip's folder {who} holds data; it is damaged.")
    return _Entry(index, name, who, e)


def _check_unicode_path(extras: dict[int, bytes], raw_name: bytes, name: str, who: str) -> None:
    """Info-ZIP's Unicode Path field gives some tools a *second* name: allow it only
    when it names the same file, so no extractor can see another path than we do."""
    field = extras.get(EXTRA_UNICODE_PATH)
    if field is None:
        return
    ok = len(field) >= 5 and field[0] == 1
    if ok:
        (name_crc,) = struct.unpack_from("<I", field, 1)
        try:
            ok = name_crc == zlib.crc32(raw_name) and field[5:].decode("utf-8") == name
        except UnicodeDecodeError:
            ok = False
    if not ok:
        raise UnsafeZip("two-names", f"This zip gives one of its files two different names ({who}).")


# -- 3. local headers and the tiling ------------------------------------------------------------


def check_layout(
    src: Source, entries: list[_Entry], end: EndRecord, policy: ZipPolicy
) -> tuple[ZipMember, ...]:
    """Check every local header against its entry and that members tile the file."""
    by_index: dict[int, ZipMember] = {}
    ordered = sorted(entries, key=lambda x: x.central.header_offset)
    # Where each member's records must end: where the next begins.
    bounds = [e.central.header_offset for e in ordered[1:]] + [end.cd_offset]
    next_start = {e.index: bound for e, bound in zip(ordered, bounds, strict=False)}
    expected = 0
    for entry in ordered:
        offset = entry.central.header_offset
        if offset < expected:
            raise _overlap()
        if offset > expected:
            if expected == 0:
                raise UnsafeZip("prefix-data", "This zip has hidden data before its first file " + _ALTERED)
            raise UnsafeZip("member-gap", "This zip has hidden data between its files " + _ALTERED)
        member, expected = _check_local(src, entry, end.cd_offset, next_start[entry.index])
        by_index[entry.index] = member
    if expected != end.cd_offset:
        if expected > end.cd_offset:
            raise _overlap()
        reason = "prefix-data" if expected == 0 else "directory-gap-before"
        raise UnsafeZip(reason, "This zip has hidden data before its table of contents " + _ALTERED)
    return tuple(by_index[e.index] for e in entries)


def _overlap() -> UnsafeZip:
    return UnsafeZip("overlap", "This zip is unsafe to open: its files overlap (a trick used by zip bombs).")


def _mismatch(who: str) -> UnsafeZip:
    return UnsafeZip(
        "local-central-mismatch",
        f"This zip is unsafe to open: the two records of {who} disagree "
        "(it may have been altered to fool zip tools).",
    )


def _check_local(src: Source, entry: _Entry, cd_offset: int, next_start: int) -> tuple[ZipMember, int]:
    """The member as checked, and where its records end (the next must start there)."""
    c = entry.central
    offset = c.header_offset
    if offset + LOCAL_SIZE > cd_offset:
        raise _overlap()
    # One read for the header, its name and (usually) its extra field.
    guess = min(LOCAL_SIZE + len(c.raw_name) + len(c.extra) + 64, cd_offset - offset)
    block = src.read_exact(guess, offset)
    n_len, e_len = local_lengths(block[:LOCAL_SIZE])
    length = LOCAL_SIZE + n_len + e_len
    if offset + length > cd_offset:
        raise _overlap()
    if length > len(block):
        block += src.read_exact(length - len(block), offset + len(block))
    local = parse_local(block[:LOCAL_SIZE], block[LOCAL_SIZE:length])
    if (
        local.raw_name != c.raw_name
        or local.method != c.method
        or (local.flags ^ c.flags) & FLAGS_THAT_MATTER
    ):
        raise _mismatch(entry.who)
    _check_unicode_path(local.extras, local.raw_name, entry.name, entry.who)
    recorded = (local.crc32, local.compressed_size, local.size)
    if c.flags & FLAG_DATA_DESCRIPTOR:
        # Streaming writers leave these zero (or fill them in): never anything else.
        if recorded not in ((0, 0, 0), (c.crc32, c.compressed_size, c.size)):
            raise _mismatch(entry.who)
    elif recorded != (c.crc32, c.compressed_size, c.size):
        raise _mismatch(entry.who)
    for extra in (local.extra, c.extra):
        _check_no_signature(extra, entry.who)
    data_offset = offset + local.length
    data_end = data_offset + c.compressed_size
    if data_end > cd_offset:
        raise _overlap()
    if c.flags & FLAG_DATA_DESCRIPTOR:
        # Its four forms have four lengths; the next record says which one this is
        # (zero sizes read alike in the 4- and 8-byte forms).
        length = next_start - data_end
        if length > MAX_DESCRIPTOR:
            raise UnsafeZip("member-gap", "This zip has hidden data between its files " + _ALTERED)
        if length < 0 or not descriptor_matches(
            src.read_exact(length, data_end), c.crc32, c.compressed_size, c.size
        ):
            raise _mismatch(entry.who)
        data_end += length
    member = ZipMember(
        entry.name,
        c.method,
        c.flags,
        c.crc32,
        c.compressed_size,
        c.size,
        offset,
        data_offset,
        entry.index,
    )
    return member, data_end


def _check_no_signature(extra: bytes, who: str) -> None:
    """No zip record signature inside an extra field (the zip64 field's values are
    parsed and checked, so they are blanked first: a size may hold any bytes)."""
    if b"PK" not in extra:
        return
    scan = bytearray(extra)
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        if tag == EXTRA_ZIP64:
            scan[pos + 4 : pos + 4 + size] = bytes(size)
        pos += 4 + size
    if any(sig in scan for sig in ALL_SIGNATURES):
        raise UnsafeZip(
            "stray-signature",
            f"This zip hides a zip record inside the header of {who} " + _ALTERED,
        )


# -- 4. the tail -----------------------------------------------------------------------------


def check_tail(src: Source, members: tuple[ZipMember, ...], end: EndRecord) -> None:
    """No EOCD signature in the last 65,557 bytes but ours, except inside member data
    (evidence may itself be a zip): tools searching backwards must find only ours."""
    tail_len = min(src.size, EOCD_SEARCH)
    tail_start = src.size - tail_len
    tail = src.read_exact(tail_len, tail_start)
    spans = sorted((m.data_offset, m.data_offset + m.compressed_size) for m in members if m.compressed_size)
    starts = [s for s, _ in spans]
    pos = tail.find(SIG_EOCD)
    while pos >= 0:
        at = tail_start + pos
        if at != end.offset:
            i = bisect.bisect_right(starts, at) - 1
            if i < 0 or at + 4 > spans[i][1]:
                raise UnsafeZip(
                    "second-eocd",
                    "This zip holds a second end-of-archive record, which other zip tools "
                    "could read as a different archive, so it cannot be checked.",
                )
        pos = tail.find(SIG_EOCD, pos + 1)
