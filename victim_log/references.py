"""Exhibit and entry references that never move.

Why this exists: exports used to number exhibits ``SM/1..N`` and entries ``Entry
1..N`` in the order of each export, so a filtered export, or one more old entry,
renumbered everything and two exports gave two different "SM/1"s. A defence lawyer
would hold the two up side by side. Now:

* **Entry references** are the log's own incident ids: "Entry 12" is incident 12 in
  every export, for ever. Ids are never reused (a deleted entry keeps its id), so the
  gaps in an export's numbering are entries not in it, and the export lists them.
* **Exhibit references** (the producer's initials and a number, ``SM/4``) are stored
  in the vault (:mod:`victim_log.store.references`) the first time an export cites the
  file, and read back by every later export. A number is never given twice, even if
  the file is later removed or erased, and changing the initials later leaves every
  reference already given as it was (new ones carry the new initials).

Why at first export rather than at intake: the reference carries the producer's
initials, and the export is where the app asks for them (a file can be added, or a
chat imported, long before anyone has typed initials, and a reference with invented
letters would be worse than none). Numbering at first export also means the officer
who receives the first export sees SM/1 as its earliest exhibit, and no number is
spent on a file that is never handed over. Every intake path (a file added by hand,
each importer) stays unchanged. A file cited by an exported entry but removed from
the log gets its reference too, so the export can say "SM/7, removed from the log"
instead of a bare count.

This module holds no Qt and no SQL: the rules, the wording and the transaction.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .clock import now_iso
from .errors import BadInput
from .errors import NotFound
from .store import meta
from .store import references as store
from .store.references import ExhibitRef
from .textsafe import display_safe

if TYPE_CHECKING:
    from .model import IncidentVersion
    from .vault import Vault

__all__ = [
    "INITIALS_SETTING",
    "MAX_INITIALS",
    "NEED_INITIALS",
    "NOT_INCLUDED",
    "ExhibitRef",
    "cite_reason",
    "cite_source",
    "clean_initials",
    "cited_evidence_ids",
    "in_app_names",
    "entry_ranges",
    "give",
    "known",
    "provisional",
    "ranges_text",
    "remember_initials",
    "span_text",
    "vault_initials",
]

INITIALS_SETTING = "initials"
MAX_INITIALS = 10
NOT_INCLUDED = "a file not included in this export"
NEED_INITIALS = (
    "Exhibits are numbered with your initials (for example SM/1), and this log has none "
    "yet. Give them with --initials, for example --initials SM; they are kept for later "
    "exports, and each exhibit keeps the reference it is given now."
)
JOURNAL_ACTION = "exhibit_references"


# ---------------------------------------------------------------------------- initials


def clean_initials(text: str) -> str:
    """Initials as typed, checked: 1 to :data:`MAX_INITIALS` letters or digits, upper
    case (``sm`` -> ``SM``); "" stays "". Letters and digits only, so ``SM/1`` and
    the file name ``SM-1_photo.jpg`` are always safe."""
    given = unicodedata.normalize("NFC", text.strip()).upper()
    if not given:
        return ""
    if not given.isalnum() or len(given) > MAX_INITIALS:
        raise BadInput(
            f"Initials for exhibit references must be 1 to {MAX_INITIALS} letters or digits, for example SM."
        )
    return given


def clean_setting(value: str) -> str:
    """A stored initials setting, made safe leniently (it was checked when typed)."""
    setting = unicodedata.normalize("NFC", value).upper()
    return "".join(ch for ch in setting if ch.isalnum())[:MAX_INITIALS]


def vault_initials(vault: Vault) -> str:
    """The initials the log holds (asked at first run and at export), or ""."""
    return clean_setting(vault.get_setting(INITIALS_SETTING, ""))


def remember_initials(vault: Vault, initials: str) -> None:
    """Keep ``initials`` as the log's own if it has none yet (never replaces them:
    changing one's initials is a choice made in Settings)."""
    cleaned = clean_initials(initials)
    if cleaned and not vault.read_only and not vault_initials(vault):
        vault.set_setting(INITIALS_SETTING, cleaned)


# ---------------------------------------------------------------------------- giving references


def known(vault: Vault, evidence_ids: Iterable[int] | None = None) -> dict[int, ExhibitRef]:
    """References already given (all of them, or those of ``evidence_ids``)."""
    if evidence_ids is None:
        return store.load(vault.conn)
    return store.lookup(vault.conn, evidence_ids)


def give(vault: Vault, evidence_ids: Sequence[int], initials: str) -> dict[int, ExhibitRef]:
    """The reference of each of ``evidence_ids``, giving new ones where needed.

    New numbers follow the highest ever given, in the order of ``evidence_ids``, and
    are stored in one transaction (with a journal entry naming them) before anything
    is written out, so two exports at once cannot give one number twice and a crash
    cannot leave an export citing a reference the log does not hold. Raises BadInput
    (:data:`NEED_INITIALS`) when a new reference is needed and ``initials`` is "".
    """
    have = store.lookup(vault.conn, evidence_ids)
    missing = [e for e in dict.fromkeys(evidence_ids) if e not in have]
    if not missing:
        return have
    if not initials:
        raise BadInput(NEED_INITIALS)
    with vault.transaction("the exhibit references") as tx:
        given = store.allocate(tx.conn, missing, initials, now_iso())
        if given:
            tx.record_event(JOURNAL_ACTION, {"given": [[r.evidence_id, r.text] for r in given]})
        key = meta.SETTING_PREFIX + INITIALS_SETTING
        if not clean_setting(tx.get_meta(key) or ""):
            tx.put_meta(key, initials)  # kept: the next export need not ask again
    return store.lookup(vault.conn, evidence_ids)


def provisional(vault: Vault, evidence_ids: Sequence[int], initials: str) -> dict[int, ExhibitRef]:
    """What :func:`give` would return, without writing anything (a preview's count).

    The new ones have ``assigned_at == ""``; without initials they are shown as
    ``?/N``, never as invented letters.
    """
    have = store.lookup(vault.conn, evidence_ids)
    number = store.last_number(vault.conn)
    out = dict(have)
    for eid in dict.fromkeys(evidence_ids):
        if eid not in out:
            number += 1
            out[eid] = ExhibitRef(eid, initials or "?", number, "")
    return out


# ---------------------------------------------------------------------------- citing

# "import:whatsapp exhibit 9 line 10" (importers), "import:photos exhibit 12", and the
# first form, "import:whatsapp E3 line 120".
_SOURCE = re.compile(r"^import:(?P<fmt>[\w.+-]+) (?:exhibit |E)(?P<id>\d{1,18})(?:\s+(?P<rest>.*))?$", re.S)
_ATTACHED = re.compile(r"^attached evidence (?P<id>\d{1,18})$")


def cited_evidence_ids(text: str) -> tuple[int, ...]:
    """The internal evidence ids a machine-written source or reason names."""
    for pattern in (_SOURCE, _ATTACHED):
        m = pattern.match(text.strip())
        if m:
            return (int(m.group("id")),)
    return ()


def _cite(eid: int, refs: Mapping[int, str], missing: str = NOT_INCLUDED) -> str:
    return refs.get(eid) or missing


def cite_source(source: str, refs: Mapping[int, str], missing: str = NOT_INCLUDED) -> str:
    """An imported entry's source with the exhibit's reference for the internal id:
    ``import:whatsapp exhibit 9 line 10`` -> ``SM/4, line 10`` (or "a file not
    included in this export, line 10"). Anything else is returned unchanged."""
    m = _SOURCE.match(source.strip())
    if not m:
        return source
    cited = _cite(int(m.group("id")), refs, missing)
    rest = (m.group("rest") or "").strip()
    return f"{cited}, {rest}" if rest else cited


def cite_reason(reason: str, refs: Mapping[int, str], missing: str = NOT_INCLUDED) -> str:
    """A version's machine-written reason with the reference for the internal id:
    ``attached evidence 4`` -> ``attached SM/7`` (or "attached a file not included in
    this export"). Reasons people typed are returned unchanged."""
    m = _ATTACHED.match(reason.strip())
    if not m:
        return reason
    return f"attached {_cite(int(m.group('id')), refs, missing)}"


GONE = "a file no longer in the log"


def in_app_names(vault: Vault, history: Sequence[IncidentVersion]) -> dict[int, str]:
    """How the app names each file an entry's versions cite: its exhibit reference
    once an export gave one (``SM/4``), else its file name, never the internal id.
    Use with :func:`cite_source` / :func:`cite_reason` and ``missing=GONE``."""
    ids: set[int] = set()
    for v in history:
        ids.update(v.evidence)
        ids.update(cited_evidence_ids(v.reason))
        ids.update(cited_evidence_ids(v.data.source))
    refs = store.lookup(vault.conn, ids)
    names: dict[int, str] = {}
    for eid in ids:
        if eid in refs:
            names[eid] = refs[eid].text
            continue
        with contextlib.suppress(NotFound):
            names[eid] = display_safe(vault.evidence.get(eid).filename, single_line=True)
    return names


# ---------------------------------------------------------------------------- lists in words


def entry_ranges(ids: Iterable[int]) -> list[tuple[int, int]]:
    """Entry references as runs ``(first, last)``: 1,2,3,5 -> (1,3),(5,5)."""
    out: list[tuple[int, int]] = []
    for i in sorted(set(ids)):
        if out and i == out[-1][1] + 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


def ranges_text(runs: Sequence[tuple[int, int]], limit: int = 60) -> str:
    """``1 to 3, 5`` for the PDF; long lists end with how many more runs there are."""
    parts = [str(a) if a == b else f"{a} to {b}" for a, b in runs[:limit]]
    if len(runs) > limit:
        parts.append(f"and {len(runs) - limit} more runs (timeline.json lists them all)")
    return ", ".join(parts)


def span_text(refs: Sequence[ExhibitRef]) -> str:
    """The exhibits of one export in a few words, e.g. ``SM/1 to SM/9 (7 exhibits)``:
    stored references have gaps (files not in this export), so "1 to N" would lie."""
    if not refs:
        return "No exhibits"
    ordered = sorted(refs, key=lambda r: r.number)
    first, last = ordered[0].text, ordered[-1].text
    if len(ordered) == 1:
        return first
    count = len(ordered)
    if (
        last == f"{ordered[-1].initials}/{ordered[0].number + count - 1}"
        and len({r.initials for r in ordered}) == 1
    ):
        return f"{first} to {last}"
    return f"{first} to {last} ({count} exhibits)"
