"""Domain types: what a log entry holds, as plain values.

The fields follow what police and charity diaries ask for (see shared/DOMAIN.md).
Values are frozen dataclasses that serialise to canonical JSON; the database mapping
lives in :mod:`victim_log.store` only. Machine ids (kinds, effects, precisions) are
stable because exports and scripts depend on them; labels are for people and may
change or be translated.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import fields
from dataclasses import replace
from datetime import date
from datetime import datetime
from datetime import tzinfo
from typing import Any

from . import casetime
from .errors import BadInput
from .fastinit import fast_init
from .fields import free_text_names

# --- Kinds of contact ------------------------------------------------------------------

KINDS: dict[str, str] = {
    "phone_call": "Phone call",
    "message": "Text or message",
    "voicemail": "Voicemail",
    "email": "Email",
    "social_media": "Social media (post, comment, DM, tag, fake profile)",
    "in_person": "Approached in person",
    "following": "Following",
    "loitering": "Loitering or watching",
    "turned_up": "Turned up at a place",
    "gift": "Gift or item left",
    "damage": "Damage to property",
    "third_party": "Contact through someone else",
    "monitoring": "Monitoring or tracking",
    "threat": "Threat",
    "violence": "Violence",
    "order_breach": "Breach of an order",
    "other": "Something else",
}

SHORT_LABELS: dict[str, str] = {
    "phone_call": "Call",
    "message": "Message",
    "voicemail": "Voicemail",
    "email": "Email",
    "social_media": "Social media",
    "in_person": "In person",
    "following": "Following",
    "loitering": "Watching",
    "turned_up": "Turned up",
    "gift": "Gift/item",
    "damage": "Damage",
    "third_party": "Third party",
    "monitoring": "Monitoring",
    "threat": "Threat",
    "violence": "Violence",
    "order_breach": "Order breach",
    "other": "Other",
}

# --- How sure the time is --------------------------------------------------------------

PRECISIONS: dict[str, str] = {
    "exact": "Exact time",
    "approximate": "Approximate time",
    "day": "Day only (time not known)",
    "unknown_time": "Time not known",
}

# --- Effect on the victim (s.4A: substantial adverse effect) ----------------------------

EFFECTS: dict[str, str] = {
    "afraid_violence": "I felt afraid of violence",
    "alarm_distress": "It caused me serious alarm or distress",
    "changed_routine": "I changed my routine or route",
    "stayed_home": "I stopped going out or stayed home",
    "work_affected": "It affected my work or studies",
    "sleep_affected": "It affected my sleep or health",
    "changed_number": "I changed my number or accounts",
    "security_changes": "I changed locks or added security",
    "moved_home": "I moved or considered moving home",
    "children_affected": "It affected my children or family",
}

PERSON_ROLES: dict[str, str] = {
    "perpetrator": "The person doing this",
    "third_party": "Someone acting for them",
    "contacted": "Someone they contacted or involved",
    "witness": "Witness",
    "named": "Named (role not given)",
    "other": "Other",
}
#: The role of someone named in an entry without saying who they are (``add --person``):
#: neither perpetrator nor third party, so naming a person never accuses them (#16.6).
DEFAULT_NAMED_ROLE = "named"


_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean_text(value: Any, name: str, max_len: int = 200_000) -> str:
    if type(value) is str and len(value) <= max_len and value.isascii():
        return value  # the common case first: imports check nine fields per message
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadInput(f"The field '{name}' must be text.")
    if len(value) > max_len:
        raise BadInput(f"The field '{name}' is too long ({len(value)} characters).")
    return value if value.isascii() else _SURROGATE.sub("\ufffd", value)


def _clean_list(values: tuple[str, ...], name: str) -> tuple[str, ...]:
    return tuple(v for v in (_clean_text(x, name, 500).strip() for x in values) if v)


def parse_when(value: str, zone: tzinfo | None = None) -> datetime:
    """Parse an ISO 8601 date or date-time the user typed; naive means the case's
    time zone (:mod:`victim_log.casetime`; ``zone`` overrides it).

    The result carries its UTC offset, so a stored time is one instant whatever zone
    reads it. A naive time the case zone skipped or had twice (a night the clocks
    changed) is refused with the offsets to choose from (BadInput), never moved; a
    bare date means that day's midnight.
    """
    text = value.strip()
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(
            f"'{value[:40]}' is not a date and time we understand. "
            "Use a form like 2026-03-04 or 2026-03-04T21:15."
        ) from None
    if dt.tzinfo is None:
        z = zone or casetime.active_zone()
        if len(text) <= 10:  # a date: its midnight, whatever a clock change does to it
            dt = casetime.fixed(casetime.in_zone(dt.replace(tzinfo=z), z))
        else:
            dt = casetime.typed(dt, z, original=text[:40])
    return dt


def iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


# A time as validated() stores it: to the second, with an offset ("-00:00" becomes
# "+00:00", so it is not one). Ranges are left to fromisoformat.
_STORED_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]"
)


def _stored_time(value: str) -> str:
    """``iso(parse_when(value))``, without re-writing a time already in that form
    (imports hand over tens of thousands of them)."""
    if _STORED_TIME.fullmatch(value) and not value.endswith("-00:00"):
        try:
            datetime.fromisoformat(value)  # a real date and time
        except ValueError:
            pass  # parse_when says why
        else:
            return value
    return iso(parse_when(value))


@dataclass(frozen=True)
class PoliceReport:
    reference: str = ""
    officer: str = ""
    collar_number: str = ""
    reported_on: str = ""  # ISO date, as the user gave it

    def is_empty(self) -> bool:
        return not (self.reference or self.officer or self.collar_number or self.reported_on)


# Frozen, so every incident without a police report can share this one.
_NO_POLICE = PoliceReport()


@fast_init  # one per message an import makes: see victim_log/fastinit.py
@dataclass(frozen=True)
class IncidentData:
    """One version of an incident, as the victim (or a support worker) told it.

    ``recorded_at`` is not here: it is set by the store when a version is written and
    can never be supplied by a caller.
    """

    summary: str
    kinds: tuple[str, ...] = ("other",)
    occurred_start: str = ""  # ISO 8601 with offset; "" means unknown
    occurred_end: str = ""
    precision: str = "exact"
    location: str = ""
    details: str = ""
    people: tuple[int, ...] = ()  # Person ids
    witnesses: str = ""
    effects: tuple[str, ...] = ()
    effect_text: str = ""
    actions: str = ""  # what I did
    police: PoliceReport = _NO_POLICE
    private_note: str = ""
    author: str = "victim"  # "victim" or "support:<name>"
    complete_later: bool = False
    order_id: int | None = None
    order_condition: str = ""
    source: str = ""  # e.g. "import:whatsapp E3 line 120"
    source_time: str = ""  # an imported item's time exactly as its source wrote it

    def validated(self) -> IncidentData:
        """Return a normalised copy or raise BadInput with a reason a person understands.

        Imports validate one of these per message, so the common cases (one known
        kind, empty fields, ASCII text, no police report) take short paths; the
        outcome is the same as the general rules below them.
        """
        summary = _clean_text(self.summary, "summary", 2000).strip()
        if not summary:
            raise BadInput("Please give a short summary of what happened.")
        kinds = self.kinds
        if not (type(kinds) is tuple and len(kinds) == 1 and kinds[0] in KINDS):
            kinds = tuple(dict.fromkeys(k.strip() for k in kinds if k.strip())) or ("other",)
            unknown = [k for k in kinds if k not in KINDS]
            if unknown:
                raise BadInput(f"Unknown kind '{unknown[0][:40]}'. Known kinds: {', '.join(KINDS)}.")
        if self.precision not in PRECISIONS:
            raise BadInput(f"Unknown time precision. Use one of: {', '.join(PRECISIONS)}.")
        effects = self.effects
        bad_effects = [e for e in effects if e not in EFFECTS] if effects else None
        if bad_effects:
            raise BadInput(f"Unknown effect '{bad_effects[0][:40]}'.")
        effects = tuple(dict.fromkeys(effects)) if effects else ()
        start, end = self.occurred_start, self.occurred_end
        if start:
            start = _stored_time(start)
        if end:
            end = _stored_time(end)
            if not start:
                raise BadInput("An end time needs a start time.")
            if parse_when(end) < parse_when(start):
                raise BadInput("The end time is before the start time.")
        fields = self.__dict__
        values: dict[str, Any] = {name: _clean_text(fields[name], name) for name in _FREE_TEXT}
        people = self.people
        if not (type(people) is tuple and len(people) == 1 and type(people[0]) is int):
            people = tuple(dict.fromkeys(int(p) for p in people))
        p = self.police
        police = (
            p
            if p is _NO_POLICE or p == _NO_POLICE
            else PoliceReport(
                _clean_text(p.reference, "reference", 500),
                _clean_text(p.officer, "officer", 500),
                _clean_text(p.collar_number, "collar_number", 500),
                _clean_text(p.reported_on, "reported_on", 500),
            )
        )
        values.update(
            summary=summary,
            kinds=kinds,
            occurred_start=start,
            occurred_end=end,
            precision=self.precision,
            people=people,
            effects=effects,
            police=police,
            complete_later=bool(self.complete_later),
            order_id=self.order_id,
            author=values["author"] or "victim",
        )
        return IncidentData(**values)

    def to_dict(self) -> dict[str, Any]:
        # Field by field rather than dataclasses.asdict: imports call this per message
        # and asdict's deep copy was a fifth of the import time.
        data: dict[str, Any] = {f: getattr(self, f) for f in _INCIDENT_FIELDS}
        data["kinds"] = list(self.kinds)
        data["people"] = list(self.people)
        data["effects"] = list(self.effects)
        p = self.police
        data["police"] = {
            "reference": p.reference,
            "officer": p.officer,
            "collar_number": p.collar_number,
            "reported_on": p.reported_on,
        }
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IncidentData:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        police = values.get("police") or {}
        values["police"] = PoliceReport(
            **{k: str(v) for k, v in police.items() if k in PoliceReport.__dataclass_fields__}
        )
        for name in ("kinds", "people", "effects"):
            if name in values:
                values[name] = tuple(values[name])
        return cls(**values)


_INCIDENT_FIELDS = tuple(f.name for f in fields(IncidentData))
# Free-text fields validated() checks alike (summary has its own, shorter, limit),
# as victim_log.fields declares them.
_FREE_TEXT = free_text_names()


@dataclass(frozen=True)
class PersonData:
    """Someone in the log: the perpetrator, people acting for them, witnesses."""

    name: str
    role: str = "perpetrator"
    aliases: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()  # social media handles, emails
    vehicles: tuple[str, ...] = ()  # description with registration
    relationship: str = ""  # e.g. "ex-partner"
    notes: str = ""

    def validated(self) -> PersonData:
        name = _clean_text(self.name, "name", 300).strip()
        if not name:
            raise BadInput("A person needs a name (a nickname or description is fine).")
        if self.role not in PERSON_ROLES:
            raise BadInput(f"Unknown role. Use one of: {', '.join(PERSON_ROLES)}.")
        return PersonData(
            name=name,
            role=self.role,
            aliases=_clean_list(self.aliases, "aliases"),
            phones=_clean_list(self.phones, "phones"),
            accounts=_clean_list(self.accounts, "accounts"),
            vehicles=_clean_list(self.vehicles, "vehicles"),
            relationship=_clean_text(self.relationship, "relationship", 300),
            notes=_clean_text(self.notes, "notes"),
        )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("aliases", "phones", "accounts", "vehicles"):
            d[k] = list(d[k])
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PersonData:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for k in ("aliases", "phones", "accounts", "vehicles"):
            if k in values:
                values[k] = tuple(values[k])
        return cls(**values)


#: How an order may be served, as the app offers it (free text is kept as typed).
SERVICE_METHODS: tuple[str, ...] = (
    "In person",
    "By a police officer",
    "By post",
    "By email",
    "Told at the court hearing",
)

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def order_day(value: str) -> date | None:
    """The calendar date an order field holds (``2026-03-04``), or None when it is
    empty or not a date we can read (old versions kept free text: "4/3/2026").

    Only the one unambiguous form counts: Python also reads ``20260304`` and week dates,
    which a person never meant."""
    text = value.strip() if isinstance(value, str) else ""
    if not _ISO_DAY.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _order_date(value: Any, what: str) -> str:
    """An order's date as stored (``""`` or ``YYYY-MM-DD``), or BadInput saying which."""
    text = _clean_text(value, what, 100).strip()
    if not text:
        return ""
    day = order_day(text)
    if day is None:
        raise BadInput(
            f"The {what} ('{text[:40]}') is not a date we can use: give it as year-month-day, "
            "for example 2026-03-04."
        )
    if not 1900 <= day.year <= 2199:
        raise BadInput(f"The {what} is in the year {day.year}: please check the year.")
    return text


@dataclass(frozen=True)
class OrderVariation:
    """A court's variation of an order: when, and what changed, in words."""

    on: str  # ISO date the variation was made
    what: str
    expires_on: str = ""  # the new end date it set ("" = the end date did not change)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> OrderVariation:
        if not isinstance(data, dict):
            return cls(on="", what=str(data))
        return cls(
            on=str(data.get("on", "")),
            what=str(data.get("what", "")),
            expires_on=str(data.get("expires_on", "")),
        )


@dataclass(frozen=True)
class OrderData:
    """A protection order (SPO, non-molestation, restraining, DAPO) and its conditions.

    A breach is an offence only while the order is in force and, for an order made
    without notice, once the respondent knew of it (s.42A Family Law Act 1996): hence
    service (when, how, by whom), interim or full, and the variations. Every field
    added after the first has a default, so orders stored before load unchanged.
    """

    order_type: str
    made_on: str = ""
    expires_on: str = ""  # "" = until further order
    court: str = ""
    reference: str = ""
    conditions: tuple[str, ...] = ()
    person_id: int | None = None
    served_on: str = ""  # "" = service not recorded
    served_how: str = ""
    served_by: str = ""
    interim: bool | None = None  # True interim, False full (final), None not recorded
    without_notice: bool = False  # made without the respondent being told of the hearing
    variations: tuple[OrderVariation, ...] = ()

    def validated(self) -> OrderData:
        """A cleaned copy, or BadInput naming the field (dates checked, in sequence)."""
        order_type = _clean_text(self.order_type, "order type", 200).strip()
        if not order_type:
            raise BadInput("Please say what kind of order this is.")
        made = _order_date(self.made_on, "date the order was made")
        served = _order_date(self.served_on, "date the order was served")
        expires = _order_date(self.expires_on, "date the order ends")
        if made and expires and expires < made:
            raise BadInput("The order ends before it was made: please check the two dates.")
        if made and served and served < made:
            raise BadInput("The order was served before it was made: please check the two dates.")
        if self.interim not in (None, True, False) or self.without_notice not in (True, False):
            raise BadInput("Interim and 'made without notice' must be yes or no.")
        variations = []
        for v in self.variations:
            on = _order_date(v.on, "date of the variation")
            if not on:
                raise BadInput("Please give the date the order was varied.")
            if made and on < made:
                raise BadInput("The order was varied before it was made: please check the dates.")
            what = _clean_text(v.what, "variation", 20_000).strip()
            if not what:
                raise BadInput("Please say what the variation changed.")
            new_end = _order_date(v.expires_on, "new end date")
            variations.append(OrderVariation(on=on, what=what, expires_on=new_end))
        return replace(
            self,
            order_type=order_type,
            made_on=made,
            served_on=served,
            expires_on=expires,
            court=_clean_text(self.court, "court", 500).strip(),
            reference=_clean_text(self.reference, "reference", 500).strip(),
            served_how=_clean_text(self.served_how, "how it was served", 500).strip(),
            served_by=_clean_text(self.served_by, "who served it", 500).strip(),
            conditions=tuple(_clean_text(c, "condition", 20_000) for c in self.conditions),
            variations=tuple(variations),
        )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["conditions"] = list(self.conditions)
        d["variations"] = [v.to_dict() for v in self.variations]
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OrderData:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "conditions" in values:
            values["conditions"] = tuple(values["conditions"])
        if "variations" in values:
            values["variations"] = tuple(OrderVariation.from_dict(v) for v in values["variations"] or ())
        return cls(**values)


@dataclass(frozen=True)
class IncidentVersion:
    """A stored, immutable version of an incident."""

    incident_id: int
    version: int
    recorded_at: str  # when this version was written (set by the app)
    first_recorded_at: str  # when the incident was first written
    reason: str
    deleted: bool
    data: IncidentData
    evidence: tuple[int, ...] = ()


@dataclass(frozen=True)
class Person:
    id: int
    version: int
    data: PersonData
    deleted: bool = False  # taken out of People; the history keeps them


@dataclass(frozen=True)
class Order:
    id: int
    version: int
    data: OrderData
    recorded_at: str = ""  # when this version was written (set by the store)
    reason: str = ""  # why this version was written ("created", "served", ...)


def canonical_json(value: Any) -> bytes:
    """The one serialisation that hashes are taken over (sorted keys, no spaces, UTF-8)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


_json_text = json.encoder.encode_basestring

_INCIDENT_BODY = (
    '{"data":{"actions":%s,"author":%s,"complete_later":%s,"details":%s,"effect_text":%s,'
    '"effects":%s,"kinds":%s,"location":%s,"occurred_end":%s,"occurred_start":%s,'
    '"order_condition":%s,"order_id":%s,"people":%s,"police":{"collar_number":%s,'
    '"officer":%s,"reference":%s,"reported_on":%s},"precision":%s,"private_note":%s,'
    '"source":%s,"source_time":%s,"summary":%s,"witnesses":%s},"evidence":%s}'
)


def incident_body_json(data: IncidentData, evidence: tuple[int, ...]) -> str:
    """``canonical_json({"data": data.to_dict(), "evidence": [...]})``, as text.

    Written out field by field because an import stores one body per message and the
    generic encoder (building the dict, then sorting its keys) was a tenth of the
    import's time. Anything but plain values takes the generic path, so the bytes
    (which the journal hashes) are always the canonical ones; a property test holds
    the two together.
    """
    ints = (*data.people, *evidence)
    plain = (
        type(data.complete_later) is bool
        and all(type(i) is int for i in ints)
        and (data.order_id is None or type(data.order_id) is int)
    )
    t, p = _json_text, data.police
    try:
        if plain:
            return _INCIDENT_BODY % (
                t(data.actions),
                t(data.author),
                "true" if data.complete_later else "false",
                t(data.details),
                t(data.effect_text),
                "[" + ",".join(map(t, data.effects)) + "]",
                "[" + ",".join(map(t, data.kinds)) + "]",
                t(data.location),
                t(data.occurred_end),
                t(data.occurred_start),
                t(data.order_condition),
                "null" if data.order_id is None else str(data.order_id),
                "[" + ",".join(map(str, data.people)) + "]",
                t(p.collar_number),
                t(p.officer),
                t(p.reference),
                t(p.reported_on),
                t(data.precision),
                t(data.private_note),
                t(data.source),
                t(data.source_time),
                t(data.summary),
                t(data.witnesses),
                "[" + ",".join(map(str, evidence)) + "]",
            )
    except TypeError:  # a field that is not text: the generic encoder decides
        pass
    return canonical_json({"data": data.to_dict(), "evidence": list(evidence)}).decode()


@dataclass(frozen=True)
class EvidenceItem:
    """An original file kept in the vault. Facts recorded at intake never change."""

    id: int
    version: int
    filename: str  # untrusted: as the file was called; display through textsafe
    size: int
    media_type: str
    sha256: str
    added_at: str
    added_by: str
    metadata: dict[str, Any]
    blob_id: str
    removed: bool = False
    removed_reason: str = ""
    erased: bool = False
    incidents: tuple[int, ...] = ()


def require_reason(reason: str) -> str:
    """A change's reason, cleaned: every edit, deletion and removal must say why."""
    reason = _SURROGATE.sub("\ufffd", reason or "").strip()
    if not reason:
        raise BadInput("Please give a short reason for the change (for example 'added details').")
    if len(reason) > 500:
        raise BadInput("The reason is too long; a sentence is enough.")
    return reason
