"""build_case: what goes into a police export (order, exhibits, counts, redaction, privacy)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from tests.helpers import CANARY
from tests.helpers import PASSPHRASE
from victim_log import casetime
from victim_log.demo import fill_demo
from victim_log.errors import BadInput
from victim_log.errors import NotFound
from victim_log.export.case import LOCATION_REDACTED
from victim_log.export.case import THIRD_PARTY_REDACTED
from victim_log.export.case import ExportOptions
from victim_log.export.case import build_case
from victim_log.export.case import case_to_json
from victim_log.export.case import readout_fingerprint
from victim_log.export.case import when_text
from victim_log.model import KINDS
from victim_log.model import IncidentData
from victim_log.model import OrderData
from victim_log.model import PersonData
from victim_log.vault import Vault

EXPORTED_AT = "2026-09-06T14:03:00+01:00"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Vault, dict[str, int]]]:
    """The demo case plus exhibits, an amendment, a private note and a deletion."""
    vault, _ = Vault.create(tmp_path_factory.mktemp("case") / "v", PASSPHRASE)
    fill_demo(vault)
    ids = [s.id for s in vault.list_incidents(oldest_first=True)]
    marks = {
        "late": ids[30],
        "early": ids[5],
        "shared": ids[40],
        "removed": ids[7],
        "amended": ids[10],
        "private": ids[12],
        "deleted": ids[20],
    }
    # Cited first by a later incident, so numbering must follow the timeline, not intake.
    photo, _ = vault.evidence.add_bytes(JPEG, "Kerry's photo.jpg", incident_id=marks["late"])
    voice, _ = vault.evidence.add_bytes(b"voicemail bytes", "voicemail", incident_id=marks["early"])
    vault.evidence.attach(photo, marks["shared"])
    gone, _ = vault.evidence.add_bytes(b"wrong file", "gone.txt", incident_id=marks["removed"])
    vault.evidence.remove(gone, "attached by mistake")
    marks.update(photo=photo, voice=voice, gone=gone)
    cur = vault.get_incident(marks["amended"])
    vault.edit_incident(
        marks["amended"], replace(cur.data, details=cur.data.details + " Again."), "added what he said next"
    )
    cur = vault.get_incident(marks["private"])
    vault.edit_incident(marks["private"], replace(cur.data, private_note=CANARY), "note")
    vault.delete_incident(marks["deleted"], "entered twice")
    # The first export gives the exhibit references (#16.2); every test's export,
    # filtered or not, then finds them as they are.
    build_case(vault, ExportOptions(), exported_at=EXPORTED_AT)
    yield vault, marks
    vault.lock()


def test_incidents_oldest_first_and_numbered(demo: tuple[Vault, dict[str, int]]) -> None:
    vault, marks = demo
    case = build_case(vault, ExportOptions(), exported_at=EXPORTED_AT)
    assert len(case.incidents) == 59  # 60 minus the deleted one
    assert [i.number for i in case.incidents] == [i.id for i in case.incidents]  # "Entry N" = id
    assert [i.position for i in case.incidents] == list(range(1, 60))
    times = [datetime.fromisoformat(i.occurred_start) for i in case.incidents]
    assert times == sorted(times)
    assert marks["deleted"] not in {i.id for i in case.incidents}
    assert case.deleted_not_exported == 1
    assert case.case_title == "Log of Sam Morgan"
    assert case.producer_initials == "SM"
    # The first date on the case's clock, whatever offset the time was stored with.
    assert case.first_incident == casetime.in_zone(times[0]).date().isoformat()
    assert case.last_incident == casetime.in_zone(times[-1]).date().isoformat()


def test_counts_add_up(demo: tuple[Vault, dict[str, int]]) -> None:
    vault, _ = demo
    case = build_case(vault, ExportOptions(), exported_at=EXPORTED_AT)
    assert sum(k.count for k in case.counts_by_kind) == sum(len(i.kinds) for i in case.incidents)
    for k in case.counts_by_kind:
        assert k.count == sum(1 for i in case.incidents if k.kind in i.kinds)
        assert k.label == KINDS[k.kind]
    assert sum(w.count for w in case.per_week) == len(case.incidents) - case.date_not_known
    assert sum(w.breaches for w in case.per_week) == len(case.breaches)
    assert sum(m.count for m in case.per_month) == sum(w.count for w in case.per_week)
    starts = [datetime.fromisoformat(w.start) for w in case.per_week]
    assert all(s.weekday() == 0 for s in starts)
    assert all((b - a).days == 7 for a, b in zip(starts, starts[1:], strict=False))
    assert case.breaches and all(i.breach for i in case.breaches)
    assert all("order_breach" in i.kinds or i.order_id is not None for i in case.breaches)


def test_exhibits_numbered_by_first_citation(demo: tuple[Vault, dict[str, int]]) -> None:
    vault, marks = demo
    case = build_case(vault, ExportOptions(), exported_at=EXPORTED_AT)
    # The removed file was cited between the two, so it holds SM/2 (never given again).
    assert [e.reference for e in case.exhibits] == ["SM/1", "SM/3"]
    first, second = case.exhibits
    assert first.evidence_id == marks["voice"]  # cited earliest in the timeline
    assert second.evidence_id == marks["photo"]
    assert second.incident_ids == (marks["late"], marks["shared"])
    by_id = {i.id: i for i in case.incidents}
    assert second.incident_numbers == (by_id[marks["late"]].number, by_id[marks["shared"]].number)
    assert by_id[marks["late"]].exhibits == ("SM/3",)
    assert by_id[marks["early"]].exhibits == ("SM/1",)
    # The removed file is not an exhibit, and its incident says one was left out.
    assert marks["gone"] not in {e.evidence_id for e in case.exhibits}
    assert by_id[marks["removed"]].exhibits_not_included == 1
    assert by_id[marks["removed"]].exhibits_withheld == ("SM/2",)
    assert first.bag_path == "data/exhibits/SM-1_voicemail.txt"  # extension from content type
    assert first.payload_path == "exhibits/SM-1_voicemail.txt"
    assert second.bag_name == "SM-3_Kerry's photo.jpg"
    assert second.media_type == "image/jpeg" and second.size == len(JPEG)
    item = vault.evidence.get(marks["photo"])
    assert second.sha256 == item.sha256 and second.added_at == item.added_at


def test_exhibit_names_are_valid_bag_paths(tmp_path: Path) -> None:
    from victim_log.export.bagit_zip import check_payload_path

    vault, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    iid = vault.add_incident(IncidentData(summary="many files", occurred_start="2026-05-01T10:00"))
    names = [
        "CON.txt",
        "a/b\\c.png",
        "..",
        " trailing. ",
        "x" * 400 + ".jpeg",
        "e\u0301t\u00e9.mp3",
        "\u202eevil\u202cgpj.exe",
        "same.png",
        "same.png",
        "new\nline.txt",
        "-rf",
        "",
    ]
    for k, name in enumerate(names):
        vault.evidence.add_bytes(f"file {k}".encode(), name, incident_id=iid)
    case = build_case(vault, ExportOptions(initials="jd"), exported_at=EXPORTED_AT)
    assert len(case.exhibits) == len(names)
    assert len({e.bag_name.casefold() for e in case.exhibits}) == len(names)
    for e in case.exhibits:
        assert e.reference == f"JD/{e.number}"
        assert e.bag_name.startswith(f"JD-{e.number}_")
        assert check_payload_path(e.payload_path) == e.bag_path
        assert len(e.bag_name.encode()) <= 120
    assert case.exhibits[4].bag_name.endswith(".jpeg")


def test_private_note_only_when_asked(demo: tuple[Vault, dict[str, int]]) -> None:
    vault, marks = demo
    case = build_case(vault, ExportOptions(), exported_at=EXPORTED_AT)
    assert CANARY not in json.dumps(case_to_json(case), ensure_ascii=False)
    assert CANARY not in repr(case)
    assert all(i.private_note is None for i in case.incidents)
    assert case_to_json(case)["private_notes_included"] is False
    with_notes = build_case(vault, ExportOptions(include_private=True), exported_at=EXPORTED_AT)
    by_id = {i.id: i for i in with_notes.incidents}
    assert by_id[marks["private"]].private_note == CANARY
    assert by_id[marks["early"]].private_note == ""
    assert CANARY in json.dumps(case_to_json(with_notes), ensure_ascii=False)


def test_amendments_carry_their_history(demo: tuple[Vault, dict[str, int]]) -> None:
    vault, marks = demo
    case = build_case(vault, ExportOptions(), exported_at=EXPORTED_AT)
    inc = next(i for i in case.incidents if i.id == marks["amended"])
    assert inc.amended and inc.amendments == 1
    assert [h.reason for h in inc.history] == ["created", "added what he said next"]
    assert inc.first_recorded_at == inc.history[0].recorded_at
    assert inc.last_recorded_at == inc.history[-1].recorded_at
    assert inc.details.endswith(" Again.")
    never = next(i for i in case.incidents if i.id not in marks.values())
    assert not never.amended and len(never.history) == 1


def test_redact_third_parties_keeps_the_perpetrator(demo: tuple[Vault, dict[str, int]]) -> None:
    vault, _ = demo
    plain = json.dumps(case_to_json(build_case(vault, ExportOptions(), exported_at=EXPORTED_AT)))
    for word in ("Kerry", "Priya", "07700 900321", "07700 900789"):
        assert word in plain  # the test data really does name them
    case = build_case(vault, ExportOptions(redact=frozenset({"third-parties"})), exported_at=EXPORTED_AT)
    text = json.dumps(case_to_json(case), ensure_ascii=False)
    for word in ("Kerry", "Priya", "Shah", "900321", "900789"):
        assert word not in text
    assert "Dan Marsh" in text and "07700 900456" in text and "Dan" in case.incidents[0].summary
    assert THIRD_PARTY_REDACTED in text
    assert [p.name for p in case.perpetrators] == ["Dan Marsh"]
    others = [p for p in case.people if p.role != "perpetrator"]
    assert others and all(p.redacted and p.name == THIRD_PARTY_REDACTED and not p.phones for p in others)
    assert all(i.witnesses in ("", THIRD_PARTY_REDACTED) for i in case.incidents)
    assert any(i.witnesses == THIRD_PARTY_REDACTED for i in case.incidents)
    assert case.exhibits[1].original_filename == f"{THIRD_PARTY_REDACTED}'s photo.jpg"
    assert case.redactions and any("Exhibits are the original files" in r for r in case.redactions)
    assert case.redact == ("third-parties",)


def test_redact_locations(demo: tuple[Vault, dict[str, int]]) -> None:
    vault, _ = demo
    case = build_case(vault, ExportOptions(redact=frozenset({"locations"})), exported_at=EXPORTED_AT)
    assert any(i.location for i in case.incidents)
    assert all(i.location in ("", LOCATION_REDACTED) for i in case.incidents)
    text = json.dumps(case_to_json(case))
    assert "Outside the Co-op on High Street" not in text and "Home driveway" not in text
    assert "Kerry" in text  # only locations were asked for
    assert any(r.startswith("Locations:") for r in case.redactions)


def test_redaction_replaces_phone_numbers_in_any_spacing(tmp_path: Path) -> None:
    vault, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    dan = vault.add_person(PersonData(name="Dan Marsh"))
    amy = vault.add_person(
        PersonData(
            name="Amy Jones", role="witness", phones=("07700 900111",), accounts=("@amyj (Instagram)",)
        )
    )
    vault.add_incident(
        IncidentData(
            summary="Dan called Amy",
            people=(dan, amy),
            occurred_start="2026-05-01T10:00",
            details="Amy (077009 00111, +44 7700 900111) saw it; @amyj posted. Marsh Lane.",
            location="Marsh Lane, Exampleton",
        )
    )
    case = build_case(
        vault, ExportOptions(redact=frozenset({"third-parties", "locations"})), exported_at=EXPORTED_AT
    )
    inc = case.incidents[0]
    assert inc.summary == f"Dan called {THIRD_PARTY_REDACTED}"
    assert "900111" not in inc.details and "Amy" not in inc.details and "@amyj" not in inc.details
    assert inc.details.count(THIRD_PARTY_REDACTED) == 4
    assert inc.location == LOCATION_REDACTED


def test_filters(demo: tuple[Vault, dict[str, int]]) -> None:
    vault, marks = demo
    everything = build_case(vault, ExportOptions(), exported_at=EXPORTED_AT)
    july = build_case(vault, ExportOptions(start="2026-07-01", end="2026-07-31"), exported_at=EXPORTED_AT)
    assert july.incidents and all(i.occurred_start[:7] == "2026-07" for i in july.incidents)
    assert len(july.incidents) == sum(1 for i in everything.incidents if i.occurred_start[:7] == "2026-07")
    assert july.requested_start == "2026-07-01" and "Jul 2026" in july.period_text
    kerry = vault.find_person("Kerry Marsh")
    assert kerry is not None
    hers = build_case(vault, ExportOptions(person_id=kerry.id), exported_at=EXPORTED_AT)
    assert hers.incidents and all(kerry.id in {p.id for p in i.people} for i in hers.incidents)
    picked = build_case(
        vault, ExportOptions(incident_ids=(marks["late"], marks["early"])), exported_at=EXPORTED_AT
    )
    assert [i.id for i in picked.incidents] == [marks["early"], marks["late"]]
    assert [e.reference for e in picked.exhibits] == ["SM/1", "SM/3"]  # as in the full export
    assert picked.deleted_not_exported == 0


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (ExportOptions(redact=frozenset({"everything"})), BadInput),
        (ExportOptions(start="2026-08-01", end="2026-07-01"), BadInput),
        (ExportOptions(start="last tuesday"), BadInput),
        (ExportOptions(initials="S/M"), BadInput),
        (ExportOptions(initials="ABCDEFGHIJK"), BadInput),
        (ExportOptions(incident_ids=(99999,)), NotFound),
    ],
)
def test_bad_options(
    demo: tuple[Vault, dict[str, int]], options: ExportOptions, error: type[Exception]
) -> None:
    vault, _ = demo
    with pytest.raises(error):
        build_case(vault, options, exported_at=EXPORTED_AT)


def test_deleted_incident_cannot_be_picked(demo: tuple[Vault, dict[str, int]]) -> None:
    vault, marks = demo
    with pytest.raises(BadInput, match="deleted"):
        build_case(vault, ExportOptions(incident_ids=(marks["deleted"],)), exported_at=EXPORTED_AT)


def test_defaults_for_a_new_vault(tmp_path: Path) -> None:
    vault, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    case = build_case(vault, ExportOptions(), exported_at=EXPORTED_AT)
    assert case.producer_initials == ""  # never invented letters (#16.2)
    assert case.incidents == () and case.exhibits == () and case.per_week == ()
    assert case.period_text == "No dated incidents"
    assert case_to_json(case)["schema"] == "victim-log-timeline/1"


def test_orders_and_their_status(tmp_path: Path) -> None:
    vault, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    dan = vault.add_person(PersonData(name="Dan Marsh"))
    vault.add_order(
        OrderData(
            "Stalking Protection Order",
            made_on="2026-01-01",
            expires_on="2028-01-01",
            conditions=("No contact",),
            person_id=dan,
        )
    )
    vault.add_order(OrderData("Restraining order", made_on="2020-01-01", expires_on="2021-01-01"))
    vault.add_order(OrderData("Non-molestation order", made_on="2027-01-01"))
    case = build_case(vault, ExportOptions(), exported_at=EXPORTED_AT)
    assert [o.status for o in case.orders] == ["in force", "expired", "not yet in force"]
    assert [o.order_type for o in case.orders_in_force] == ["Stalking Protection Order"]
    assert case.orders[0].person_name == "Dan Marsh"
    assert [p.name for p in case.perpetrators] == ["Dan Marsh"]  # named by the order


def test_when_text() -> None:
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")  # the case's clock names its zone (#16.4)

    def w(start: str, end: str, precision: str) -> str:
        return when_text(start, end, precision, zone=london)

    t = "2026-06-06T21:15:00+01:00"
    assert w(t, "", "exact") == "Sat 6 Jun 2026 at 21:15 BST"
    assert w(t, "", "approximate") == "Sat 6 Jun 2026 at about 21:15 BST"
    assert w(t, "", "day") == "Sat 6 Jun 2026, time not known"
    assert w(t, "", "unknown_time") == "Sat 6 Jun 2026, time not known"
    assert w("", "", "exact") == "Date and time not known"
    assert w(t, "2026-06-06T22:00:00+01:00", "exact") == "Sat 6 Jun 2026 from 21:15 BST to 22:00 BST"
    assert (
        w(t, "2026-06-07T01:00:00+01:00", "approximate")
        == "From Sat 6 Jun 2026 about 21:15 BST to Sun 7 Jun 2026 about 01:00 BST"
    )
    assert (
        w(t, "2026-06-08T00:00:00+01:00", "day")
        == "Between Sat 6 Jun 2026 and Mon 8 Jun 2026, time not known"
    )
    assert w("2026-06-06T21:15:07+01:00", "", "exact") == "Sat 6 Jun 2026 at 21:15:07 BST"
    # the same instant written in UTC (an SMS) reads the same on the case's clock
    assert w("2026-06-06T20:15:00+00:00", "", "exact") == "Sat 6 Jun 2026 at 21:15 BST"


def test_readout_fingerprint_matches_the_signer() -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from victim_log.export import sign

    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32))).public_key()
    assert readout_fingerprint(sign.fingerprint(key)) == sign.short_fingerprint(key)
    assert readout_fingerprint("") == ""
    assert readout_fingerprint("abcd1234ef") == "abcd 1234 ef"
