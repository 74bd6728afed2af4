"""Earlier versions of each exported entry: what it said before, and what kind of change each was.

Why this exists: the defence will ask for the first version of every amended entry
(CPIA 1996 Code para 5.4 keeps earlier drafts whose content differs; *Warren v R*
[2021] EWCA Crim 413; s.139 Criminal Justice Act 2003 on refreshing memory from a
note made at the time). An export that only says "amended" invites "what did it say
before?", so the bundle carries every earlier version's wording: in full in
``timeline.json`` (``versions``) and ``versions.csv``, and as a word-level diff in the
PDF's Appendix A.

Two kinds of change are told apart, because a defence lawyer would count them
together: a change to the **account** (any exported field of the entry) and a change
to the **evidence** it cites (a file attached or taken off the entry). Attaching a
screenshot the next morning is not an amendment of what the victim said.

Redaction applies to earlier versions exactly as to the current one (the export's
``_Redactor``, field by field as :mod:`victim_log.fields` declares the kind of value),
so an old version cannot leak a place or a name the export redacts. Private notes
stay out unless the owner included them; a version that changed only the private
note says so without its words.

Word diffs mark words taken out as ``[-old words-]`` and words put in as
``{+new words+}`` (the form of ``git diff --word-diff``): plain text that survives
black-and-white printing, photocopying and ``pdftotext``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from typing import Protocol
from typing import TypeVar

from ..fields import FIELDS_BY_NAME
from ..fields import INCIDENT_FIELDS
from ..fields import POLICE_PARTS
from ..fields import Field
from ..fields import changed_names
from ..fields import pick
from ..model import EFFECTS
from ..model import KINDS
from ..model import PRECISIONS
from ..model import IncidentData
from ..model import IncidentVersion
from ..model import PoliceReport
from .provenance import author_label


@dataclass(frozen=True, slots=True)  # slots: one per named person in every exported entry
class PersonRef:
    """A person as the export names them."""

    id: int
    name: str  # THIRD_PARTY_REDACTED when redacted
    role: str  # machine id from model.PERSON_ROLES
    role_label: str


#: A police report's four texts, exported as the log holds them.
PoliceRef = PoliceReport


@dataclass(frozen=True)
class HistoryEntry:
    """One stored version of an incident: when it was written and why."""

    version: int
    recorded_at: str
    reason: str


@dataclass(frozen=True, slots=True)  # slots: a 100,000-entry export holds one per entry (#23.8)
class Entry:
    """What an exported entry says, field by field, redacted: shared by the current
    entry (``case.CaseIncident``) and each of its versions (:class:`CaseVersion`), so
    the CSV, JSON and PDF render both with the same code (this module imports nothing
    from ``case``, which imports it). Build one with :func:`entry`."""

    version: int
    occurred_start: str
    occurred_end: str
    precision: str
    precision_label: str
    when: str  # in words, e.g. "Sat 6 Jun 2026 at about 21:15"
    kinds: tuple[str, ...]
    kind_labels: tuple[str, ...]
    summary: str
    location: str
    details: str
    people: tuple[PersonRef, ...]
    witnesses: str
    effects: tuple[str, ...]
    effect_labels: tuple[str, ...]
    effect_text: str
    actions: str
    police: PoliceRef
    author: str
    author_label: str
    complete_later: bool
    source: str
    breach: bool
    order_id: int | None
    order_label: str
    order_condition: str
    exhibits: tuple[str, ...]  # exhibit references it cites that are in the export, e.g. ("SM/1",)
    exhibits_not_included: int  # files it cites that are not in this export
    private_note: str | None  # None: not exported (the default); "" : there is none


__all__ = [
    "DELETED_MARK",
    "INSERTED_MARK",
    "LEGEND",
    "CaseVersion",
    "Entry",
    "HistoryEntry",
    "PersonRef",
    "PoliceRef",
    "VersionCounts",
    "build_versions",
    "entry",
    "field_json",
    "officer_rows",
    "row_changes",
    "version_json",
    "word_diff",
]

DELETED_MARK = ("[-", "-]")
INSERTED_MARK = ("{+", "+}")
LEGEND = (
    "How to read a change: words between [- and -] were in the earlier version and were "
    "taken out; words between {+ and +} were put in by the later version; the other words "
    "are the same in both."
)

#: Longer texts than this (in words, both sides multiplied) are shown whole, old then
#: new, instead of diffed word by word: the diff's cost grows with the product.
MAX_DIFF_PRODUCT = 4_000_000
#: Values of at most this many words are shown whole, old then new, when most words changed.
SHORT_WORDS = 12


class Redactor(Protocol):
    """What the export's ``_Redactor`` offers (case.py), so this module needs no import of it."""

    def text(self, value: str) -> str: ...

    def location(self, value: str) -> str: ...

    def witnesses(self, value: str) -> str: ...


@dataclass(frozen=True)
class CaseVersion(HistoryEntry, Entry):
    """One stored version of an exported entry, as the export shows it.

    Its :class:`Entry` fields carry the same names and meanings as on ``CaseIncident``
    (redacted the same way). The last version of an incident is its current text.
    """

    change: str  # "created", "account", "evidence", "account and evidence", "private note", "none"
    account_changed: bool  # an exported field differs from the version before
    evidence_changed: bool  # the files it cites differ from the version before
    private_note_changed: bool  # the private note differs (its words only if included)
    changed_fields: tuple[str, ...]  # field names that differ from the version before (exported ones)
    evidence_attached: tuple[str, ...]  # vs the version before: references, or a phrase
    evidence_detached: tuple[str, ...]
    # Registry fields this class does not name yet (a field added to victim_log.fields
    # after it), redacted by their kind; read as attributes like the others.
    other: tuple[tuple[str, object], ...] = ()

    def __getattr__(self, name: str) -> object:
        try:
            other = object.__getattribute__(self, "other")
        except AttributeError:
            raise AttributeError(name) from None
        for key, value in other:
            if key == name:
                return value
        raise AttributeError(name)


_NAMED = frozenset(CaseVersion.__dataclass_fields__)


def _other_fields(
    data: IncidentData, redactor: Redactor, include_private: bool
) -> tuple[tuple[str, object], ...]:
    out: list[tuple[str, object]] = []
    for f in INCIDENT_FIELDS:
        if f.name in _NAMED:
            continue
        value = getattr(data, f.name, "")
        if not f.exported and not include_private:
            value = None
        elif isinstance(value, str):
            if f.kind == "place":
                value = redactor.location(value)
            elif f.kind == "witnesses":
                value = redactor.witnesses(value)
            elif f.kind in ("line", "text"):
                value = redactor.text(value)
        out.append((f.name, value))
    return tuple(out)


@dataclass(frozen=True)
class VersionCounts:
    """How an entry changed after it was first recorded, by kind of change."""

    account_changes: int
    evidence_changes: int
    private_note_changes: int
    other_versions: int  # versions that changed nothing the export can tell (none so far)

    @classmethod
    def of(cls, versions: Sequence[CaseVersion]) -> VersionCounts:
        later = versions[1:]
        return cls(
            account_changes=sum(v.account_changed for v in later),
            evidence_changes=sum(v.evidence_changed for v in later),
            private_note_changes=sum(
                v.private_note_changed and not v.account_changed and not v.evidence_changed for v in later
            ),
            other_versions=sum(v.change == "none" for v in later),
        )


# ------------------------------------------------------------------------------ building


E = TypeVar("E", bound=Entry)


def entry(
    cls: type[E],
    d: IncidentData,
    redactor: Redactor,
    *,
    person_ref: Callable[[int], PersonRef],
    when: str,
    order_label: str,
    source: str,
    author_label: str,
    include_private: bool,
    **more: Any,
) -> E:
    """An :class:`Entry` (or a subclass, whose own fields come in ``more``) of ``d``:
    texts redacted, ids given their labels. ``when``, ``order_label``, ``source`` and
    ``author_label`` are the caller's words for them (``source`` is redacted here);
    the order's condition is quoted unredacted, as every order's words are (#16.6)."""
    return cls(
        occurred_start=d.occurred_start,
        occurred_end=d.occurred_end,
        precision=d.precision,
        precision_label=PRECISIONS.get(d.precision, d.precision),
        when=when,
        kinds=d.kinds,
        kind_labels=tuple(KINDS.get(k, k) for k in d.kinds),
        summary=redactor.text(d.summary),
        location=redactor.location(d.location),
        details=redactor.text(d.details),
        people=tuple(person_ref(pid) for pid in d.people),
        witnesses=redactor.witnesses(d.witnesses),
        effects=d.effects,
        effect_labels=tuple(EFFECTS.get(e, e) for e in d.effects),
        effect_text=redactor.text(d.effect_text),
        actions=redactor.text(d.actions),
        police=d.police,
        author=d.author,
        author_label=author_label,
        complete_later=d.complete_later,
        source=redactor.text(source),
        breach="order_breach" in d.kinds or d.order_id is not None,
        order_id=d.order_id,
        order_label=order_label,
        order_condition=d.order_condition,  # an order's words are never redacted (#16.6)
        private_note=redactor.text(d.private_note) if include_private else None,
        **more,
    )


def _change(account: bool, evidence: bool, private: bool) -> str:
    if account and evidence:
        return "account and evidence"
    if account:
        return "account"
    if evidence:
        return "evidence"
    if private:
        return "private note"
    return "none"


def build_versions(
    history: Sequence[IncidentVersion],
    *,
    redactor: Redactor,
    person_ref: Callable[[int], PersonRef],
    order_label: Callable[[int | None], str],
    exhibit_ref: Callable[[int], str | None],
    when: Callable[[str, str, str], str],
    include_private: bool,
    reason_text: Callable[[str], str] | None = None,
    source_text: Callable[[str], str] | None = None,
    withheld_ref: Callable[[int], str] | None = None,
) -> tuple[CaseVersion, ...]:
    """Every version of one incident (oldest first, the current one last), redacted;
    ``()`` for an entry never changed (most of them: an import's thousands), whose
    only version is the entry itself.

    ``person_ref``, ``order_label`` and ``exhibit_ref`` are the export's own lookups
    (so a version names people, orders and exhibits exactly as the entry does);
    ``exhibit_ref`` returns None for a file not in this export, which
    ``withheld_ref`` then names. ``reason_text`` and ``source_text`` turn a stored
    reason or source into the export's words (exhibit references for internal ids)
    before redaction, as the entry's own history does.
    """

    if len(history) < 2:
        return ()

    def cite(eid: int) -> str:
        ref = exhibit_ref(eid)
        if ref is not None:
            return ref
        return withheld_ref(eid) if withheld_ref is not None else "a file not included in this export"

    reason_of = reason_text or (lambda text: text)
    source_of = source_text or (lambda text: text)

    out: list[CaseVersion] = []
    previous: IncidentVersion | None = None
    for v in history:
        d = v.data
        refs = [exhibit_ref(e) for e in dict.fromkeys(v.evidence)]
        if previous is None:
            changed: list[str] = []
            private_changed = False
            account = False
            attached: tuple[str, ...] = ()
            detached: tuple[str, ...] = ()
        else:
            names = changed_names(previous.data, d)
            private_changed = "private_note" in names
            changed = [
                n for n in names if FIELDS_BY_NAME[n].exported or (include_private and n == "private_note")
            ]
            account = any(FIELDS_BY_NAME[n].exported for n in names)
            before, after = set(previous.evidence), set(v.evidence)
            attached = tuple(cite(e) for e in dict.fromkeys(v.evidence) if e not in before)
            detached = tuple(cite(e) for e in dict.fromkeys(previous.evidence) if e not in after)
        evidence = bool(attached or detached)
        out.append(
            entry(
                CaseVersion,
                d,
                redactor,
                person_ref=person_ref,
                when=when(d.occurred_start, d.occurred_end, d.precision),
                order_label=order_label(d.order_id),
                source=source_of(d.source),
                author_label=author_label(d.author),
                include_private=include_private,
                version=v.version,
                recorded_at=v.recorded_at,
                reason=redactor.text(reason_of(v.reason)),
                change="created" if previous is None else _change(account, evidence, private_changed),
                account_changed=account,
                evidence_changed=evidence,
                private_note_changed=private_changed,
                changed_fields=tuple(changed),
                exhibits=tuple(r for r in refs if r is not None),
                exhibits_not_included=sum(r is None for r in refs),
                evidence_attached=attached,
                evidence_detached=detached,
                other=_other_fields(d, redactor, include_private),
            )
        )
        previous = v
    return tuple(out)


def locations_of(history: Sequence[IncidentVersion]) -> list[str]:
    """Every place an incident was ever given, for the redactor's list of places."""
    return [v.data.location for v in history]


# ------------------------------------------------------------------------------ text for people

# The rows a version is shown in, one per officer label, in registry order: fields
# that share a label (the parts of "When", the effects) are shown together.
_ROWS: tuple[tuple[str, tuple[Field, ...]], ...] = tuple(
    (label, tuple(f for f in INCIDENT_FIELDS if f.officer_label == label))
    for label in dict.fromkeys(f.officer_label for f in INCIDENT_FIELDS)
)


def _police_text(p: PoliceRef) -> str:
    officer = " ".join(
        x for x in (p.officer, f"(collar number {p.collar_number})" if p.collar_number else "") if x
    )
    parts = [
        f"Reference {p.reference}" if p.reference else "",
        officer,
        f"reported on {p.reported_on}" if p.reported_on else "",
    ]
    return "; ".join(x for x in parts if x)


def _row_text(first: str, obj: Entry) -> str:
    """The text of the row whose first field is ``first``, as the PDF shows it."""
    if first == "occurred_start":
        return obj.when
    if first == "kinds":
        return "; ".join(obj.kind_labels)
    if first == "people":
        return "; ".join(f"{p.name} ({p.role_label.lower()})" for p in obj.people)
    if first == "effects":
        return "\n".join([*obj.effect_labels, *([obj.effect_text] if obj.effect_text else [])])
    if first == "police":
        return _police_text(obj.police)
    if first == "order_id":
        if not obj.breach:
            return ""
        order = obj.order_label or "an order"
        return f"{order}: {obj.order_condition}" if obj.order_condition else order
    if first == "author":
        return "" if not obj.author or obj.author == "victim" else obj.author_label
    if first == "complete_later":
        return "The author marked this entry to be completed later." if obj.complete_later else ""
    if first == "private_note":
        return obj.private_note or ""
    value = getattr(obj, first, "")
    return value if isinstance(value, str) else "" if value is None else str(value)


def officer_rows(obj: Entry, *, include_private: bool = False) -> list[tuple[str, str]]:
    """``(label, text)`` for every exported field of an entry or version, in registry
    order, fields sharing a label in one row; empty rows included (a field emptied by
    an amendment must still show)."""
    rows: list[tuple[str, str]] = []
    for label, group in _ROWS:
        if not any(f.exported or include_private for f in group):
            continue
        rows.append((label, _row_text(group[0].name, obj)))
    return rows


def row_changes(
    before: Entry,
    after: Entry,
    changed_fields: Sequence[str],
    *,
    include_private: bool = False,
) -> list[tuple[str, str, str]]:
    """``(label, old text, new text)`` for each row with a changed field."""
    wanted = set(changed_fields)
    old = dict(officer_rows(before, include_private=include_private))
    new = dict(officer_rows(after, include_private=include_private))
    out = []
    for label, group in _ROWS:
        if label in old and any(f.name in wanted for f in group):
            out.append((label, old[label], new[label]))
    return out


_TOKEN = re.compile(r"\n|[^\s]+")


def _tokens(text: str) -> list[str]:
    """Words and line breaks; other white space only separates words."""
    return _TOKEN.findall(text)


def _join(items: list[str]) -> str:
    """Items joined by single spaces, with no space around a line break."""
    out = ""
    for item in items:
        if not item:
            continue
        if out and not out.endswith("\n") and not item.startswith("\n"):
            out += " "
        out += item
    return out


def _mark(words: list[str], marks: tuple[str, str]) -> str:
    """A run of words in one pair of marks; a run that crosses a line break is marked
    line by line, so each printed line says what it is."""
    lines: list[list[str]] = [[]]
    for w in words:
        if w == "\n":
            lines.append([])
        else:
            lines[-1].append(w)
    return "\n".join(f"{marks[0]}{' '.join(line)}{marks[1]}" if line else "" for line in lines)


def word_diff(old: str, new: str) -> str:
    """``new`` with the words ``old`` had and it lost as ``[-...-]`` and the words it
    gained as ``{+...+}``; an empty side reads ``(empty)``. Runs of spaces print as one.

    Very long texts on both sides are shown whole (old marked deleted, new marked
    inserted) rather than spend minutes on a word diff. A text that itself contains
    one of the marks is shown as "Before:" and "After:" lines instead, so no reader
    mistakes the person's own brackets for ours.
    """
    if old == new:
        return new
    if any(m in text for text in (old, new) for m in (*DELETED_MARK, *INSERTED_MARK)):
        return f"Before: {old}\nAfter: {new}"
    a, b = _tokens(old), _tokens(new)
    if not a:
        return "[-(empty)-] " + _mark(b, INSERTED_MARK)
    if not b:
        return _mark(a, DELETED_MARK) + " {+(empty)+}"
    if len(a) * len(b) > MAX_DIFF_PRODUCT:
        return _mark(a, DELETED_MARK) + "\n" + _mark(b, INSERTED_MARK)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if max(len(a), len(b)) <= SHORT_WORDS and matcher.ratio() < 0.5:
        # A short value mostly rewritten (a place, a summary) reads better whole than
        # as a patchwork of "the" and "on" kept between changed words.
        return _mark(a, DELETED_MARK) + " " + _mark(b, INSERTED_MARK)
    items: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            items.extend(a[i1:i2])
            continue
        if op in ("delete", "replace"):
            items.append(_mark(a[i1:i2], DELETED_MARK))
        if op in ("insert", "replace"):
            items.append(_mark(b[j1:j2], INSERTED_MARK))
    return _join(items)


# ------------------------------------------------------------------------------ JSON


def field_json(obj: Entry, field: Field) -> object:
    """A field's value in ``timeline.json``: the same shape as the incident's own key."""
    value: Any = getattr(obj, field.name, "")
    if field.kind == "people":
        return [pick(p, "id", "name", "role") for p in value]
    if field.kind == "police":
        return pick(value, *POLICE_PARTS)
    if field.kind == "choices":
        return list(value)
    return value


def version_json(v: CaseVersion) -> dict[str, object]:
    """One earlier version in ``timeline.json`` ``versions`` (docs/export-format.md)."""
    doc: dict[str, object] = {
        "version": v.version,
        "recorded_at": v.recorded_at,
        "reason": v.reason,
        "author": v.author,
        "change": v.change,
        "account_changed": v.account_changed,
        "evidence_changed": v.evidence_changed,
        "changed_fields": list(v.changed_fields),
        "evidence_attached": list(v.evidence_attached),
        "evidence_detached": list(v.evidence_detached),
        "exhibits": list(v.exhibits),
        "exhibits_not_included": v.exhibits_not_included,
        "when": v.when,
        "kind_labels": list(v.kind_labels),
        "effect_labels": list(v.effect_labels),
        "breach": v.breach,
        "order": v.order_label,
    }
    for f in INCIDENT_FIELDS:
        if f.name not in doc:
            doc[f.name] = field_json(v, f)
    return doc
