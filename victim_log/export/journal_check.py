"""Check a bundle's ``data/journal.jsonl`` against its signed ``Journal-Head``.

Why: the signature proves the bundle is as its key holder exported it, but not that
the history inside is whole. From format 14 on (``Journal-Head: <seq> <hash>`` in
bag-info.txt) the journal is the vault's complete chain: entries about what was
exported in full, every other entry as a withheld stub (its hash and prev only), so
a dropped, reordered or rewritten entry breaks the chain or misses the head. An
earlier export's head then anchors what a later export must still contain
(:func:`extends`).

Older bundles have no head: their journal holds only the exported records' entries,
and each is checked on its own (its hash over its fields); no continuity can be shown.

Pure functions over bytes, no zip and no Qt, so the CLI, the GUI and the tests share
them. Messages never quote entry content: seq numbers and line numbers only.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from ..model import canonical_json

JOURNAL_FILE = "data/journal.jsonl"
JOURNAL_HEAD = "Journal-Head"
ZERO_HASH = "0" * 64
BAG_INFO = "bag-info.txt"
MAX_LINE = 1 << 20  # one entry; a longer line is not ours

FULL_KEYS = frozenset(
    {"action", "at", "body_sha256", "detail", "hash", "id", "kind", "prev", "seq", "version"}
)
STUB_KEYS = frozenset({"hash", "prev", "seq", "withheld"})
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEAD = re.compile(r"([1-9][0-9]{0,17}|0) ([0-9a-f]{64})")


@dataclass(frozen=True)
class JournalHead:
    seq: int
    hash: str

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash}


def parse_head(value: str) -> JournalHead | None:
    """``"<seq> <64 lower-case hex>"`` -> JournalHead, None when malformed."""
    m = _HEAD.fullmatch(value.strip())
    return JournalHead(int(m.group(1)), m.group(2)) if m else None


@dataclass
class JournalCheck:
    """What the journal check found. ``hashes[i]`` is the hash of seq ``i + 1`` (new
    format, for :func:`extends`); ``problems`` are (file, full sentence) pairs."""

    chained: bool  # new format (a head was declared)
    head: JournalHead | None = None
    entries: int = 0
    withheld: int = 0
    hashes: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)

    def fail(self, message: str, file: str = JOURNAL_FILE) -> JournalCheck:
        self.problems.append((file, message))
        return self

    @property
    def ok(self) -> bool:
        return not self.problems


def _lines(chunks: Iterable[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes without the newline); None for a line too long to be ours.
    A last line without its newline is yielded too (the caller reports it)."""
    buf = b""
    number = 0
    for chunk in chunks:
        buf += chunk
        start = 0
        while (end := buf.find(b"\n", start)) >= 0:
            number += 1
            yield number, (buf[start:end] if end - start <= MAX_LINE else None)
            start = end + 1
        buf = buf[start:]
        if len(buf) > MAX_LINE:
            number += 1
            yield number, None
            return
    if buf:
        yield number + 1, buf + b"\x00"  # marks "no newline at the end" (never canonical)


def _entry_hash(entry: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


def _parse_line(raw: bytes | None) -> dict[str, Any] | None:
    """The line's object if it is canonical JSON of an object with our field types."""
    if raw is None:
        return None
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    try:
        # A lone surrogate ("\\ud800", valid JSON) cannot be written back as UTF-8.
        if not isinstance(obj, dict) or canonical_json(obj) != raw:
            return None
    except UnicodeEncodeError:
        return None
    seq = obj.get("seq")
    if type(seq) is not int or seq < 1:
        return None
    if not all(isinstance(obj.get(k), str) and _HEX64.fullmatch(obj[k]) for k in ("hash", "prev")):
        return None
    keys = frozenset(obj)
    if keys == STUB_KEYS:
        return obj if obj["withheld"] is True else None
    if keys != FULL_KEYS:
        return None
    if type(obj["id"]) is not int or type(obj["version"]) is not int:
        return None
    if not all(isinstance(obj[k], str) for k in ("action", "at", "body_sha256", "kind")):
        return None
    return obj if isinstance(obj["detail"], dict) else None


def check_journal(chunks: Iterable[bytes] | None, head_values: list[str]) -> JournalCheck:
    """Check the journal's bytes (``None``: the bundle has no journal file) against the
    ``Journal-Head`` values found in bag-info.txt (normally one; none for old bundles).
    Stops at the first break: later entries cannot be placed once the chain is broken."""
    if len(head_values) > 1:
        return JournalCheck(True).fail(
            f"{BAG_INFO} has {len(head_values)} {JOURNAL_HEAD} lines; a bundle has one.", BAG_INFO
        )
    if not head_values:
        return _check_legacy(chunks)
    head = parse_head(head_values[0])
    result = JournalCheck(True, head=head)
    if head is None:
        return result.fail(
            f"{BAG_INFO} has a malformed {JOURNAL_HEAD} (it must be a number and a 64-digit SHA-256).",
            BAG_INFO,
        )
    if chunks is None:
        return result.fail(
            f"{BAG_INFO} declares a journal head, but the bundle has no {JOURNAL_FILE}.", BAG_INFO
        )
    prev = ZERO_HASH
    for number, raw in _lines(chunks):
        entry = _parse_line(raw)
        seq = result.entries + 1
        if entry is None:
            return result.fail(
                f"{JOURNAL_FILE} line {number} is not a journal entry in the exported form "
                f"(the history breaks at entry {seq})."
            )
        if entry["seq"] != seq:
            return result.fail(
                f"{JOURNAL_FILE}: entry {seq} is missing or out of order (line {number} holds "
                f"entry {entry['seq']})."
            )
        if entry["prev"] != prev:
            return result.fail(
                f"{JOURNAL_FILE}: the history breaks at entry {seq}: "
                + (
                    "it does not follow the entry before it."
                    if seq > 1
                    else "it does not start the history (something before it was cut off)."
                )
            )
        if entry.get("withheld"):
            result.withheld += 1
        elif _entry_hash(entry) != entry["hash"]:
            return result.fail(
                f"{JOURNAL_FILE}: entry {seq} was changed after it was recorded (its hash "
                "does not match its contents)."
            )
        prev = entry["hash"]
        result.entries += 1
        result.hashes.append(prev)
    if (result.entries, prev) != (head.seq, head.hash):
        if result.entries < head.seq:
            where = f"it ends at entry {result.entries}, but the signed head is entry {head.seq}"
        elif result.entries > head.seq:
            where = f"it runs to entry {result.entries}, past the signed head (entry {head.seq})"
        else:
            where = f"its last entry ({head.seq}) is not the one the signed head names"
        result.fail(f"{JOURNAL_FILE} does not reach the journal head in {BAG_INFO}: {where}.")
    return result


def _check_legacy(chunks: Iterable[bytes] | None) -> JournalCheck:
    """Before format 14: exported records' entries only, each checked on its own."""
    result = JournalCheck(False)
    if chunks is None:
        return result
    for number, raw in _lines(chunks):
        entry = _parse_line(raw)
        if entry is None or entry.get("withheld"):
            return result.fail(f"{JOURNAL_FILE} line {number} is not a journal entry.")
        if _entry_hash(entry) != entry["hash"]:
            return result.fail(
                f"{JOURNAL_FILE}: entry {entry['seq']} (line {number}) was changed after it "
                "was recorded (its hash does not match its contents)."
            )
        result.entries += 1
    return result


def extends(older: JournalHead, newer_hashes: list[str]) -> bool:
    """Does a chain (``newer_hashes``, seq 1..N) hold the older export's head unchanged?
    Then nothing up to that entry was removed or rewritten in between."""
    return 1 <= older.seq <= len(newer_hashes) and newer_hashes[older.seq - 1] == older.hash
