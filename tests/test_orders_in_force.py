"""Orders in force (#16.3): service, interim/full, without notice, variations, and each
breach judged against its order on the date of the breach, never on the export date.

A defence lawyer checks every breach's date against the order's term and service first
(s.42A Family Law Act 1996 for orders made without notice); the export must set apart
the breaches the log cannot show were of an order in force, with the reason.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from victim_log.breaches import InForce
from victim_log.breaches import check_breach
from victim_log.breaches import in_force_on
from victim_log.errors import BadInput
from victim_log.export.case import ExportCase
from victim_log.export.case import ExportOptions
from victim_log.export.case import build_case
from victim_log.export.case import case_to_json
from victim_log.export.pdf import render_pdf
from victim_log.export.tables import timeline_csv
from victim_log.model import IncidentData
from victim_log.model import Order
from victim_log.model import OrderData
from victim_log.model import OrderVariation
from victim_log.model import PersonData
from victim_log.vault import Vault

#: Made without notice on 1 Mar 2024, served on 5 Mar, ends 1 Mar 2025.
ORDER = OrderData(
    "Non-molestation order",
    made_on="2024-03-01",
    served_on="2024-03-05",
    served_how="In person",
    served_by="PC Jones 1234",
    expires_on="2025-03-01",
    without_notice=True,
    interim=True,
    conditions=("Must not contact Sam directly or indirectly",),
)
EXPORTED_AT = "2026-09-06T14:03:00+01:00"  # the order has long expired by then


def at(day: str) -> str:
    return f"{day}T21:15:00+00:00"


# ---------------------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    ("day", "status"),
    [
        ("2024-02-20", InForce.BEFORE_MADE),
        ("2024-03-03", InForce.BEFORE_SERVED),
        ("2024-03-05", InForce.SAME_DAY),  # the time of service is not recorded
        ("2024-04-01", InForce.IN_FORCE),
        ("2025-03-01", InForce.SAME_DAY),  # the day it ends
        ("2025-04-01", InForce.AFTER_EXPIRY),
    ],
)
def test_a_breach_is_judged_on_its_own_date(day: str, status: InForce) -> None:
    check = in_force_on(ORDER, at(day))
    assert check.status is status
    assert check.flagged is (status is not InForce.IN_FORCE)
    assert check.in_force is {InForce.IN_FORCE: True, InForce.SAME_DAY: None}.get(status, False)


def test_without_notice_and_unserved_is_flagged_with_the_reason() -> None:
    unserved = OrderData("Non-molestation order", made_on="2024-03-01", without_notice=True)
    check = in_force_on(unserved, at("2024-04-01"))
    assert check.status is InForce.NOT_SERVED and check.flagged and check.in_force is None
    assert "s.42A" in check.text() and "without notice" in check.text()


def test_on_notice_with_service_unknown_is_in_force_and_says_so() -> None:
    on_notice = OrderData("Stalking Protection Order", made_on="2024-03-01")
    check = in_force_on(on_notice, at("2024-04-01"))
    assert check.status is InForce.SERVICE_NOT_RECORDED and not check.flagged and check.in_force
    assert "served is not recorded" in check.text()


def test_what_the_log_cannot_say() -> None:
    assert in_force_on(ORDER, "").status is InForce.DATE_UNKNOWN
    old_free_text = OrderData("Restraining order", made_on="4/3/2024")  # as the old form kept it
    assert in_force_on(old_free_text, at("2024-04-01")).status is InForce.ORDER_DATE_UNKNOWN
    across = in_force_on(ORDER, at("2024-02-28"), at("2024-03-02"))
    assert across.status is InForce.SPANS_CHANGE and across.flagged
    assert in_force_on(None, at("2024-04-01")).status is InForce.NO_ORDER


def test_the_day_judged_is_the_one_the_case_zone_shows() -> None:
    """An imported message stored in UTC at 23:30 on 30 June is 00:30 on 1 July on a UK
    clock in summer: the export shows 1 July, so the check judges 1 July too."""
    from zoneinfo import ZoneInfo

    order = OrderData("Stalking Protection Order", made_on="2024-06-01", served_on="2024-07-01")
    late = "2024-06-30T23:30:00+00:00"
    assert in_force_on(order, late).status is InForce.BEFORE_SERVED  # as written
    on_uk_clock = in_force_on(order, late, zone=ZoneInfo("Europe/London"))
    assert on_uk_clock.status is InForce.SAME_DAY and on_uk_clock.same_day_as == "served"


def test_check_breach_only_for_breaches() -> None:
    orders = [Order(1, 1, ORDER)]
    assert (
        check_breach(IncidentData("a call", kinds=("phone_call",), occurred_start=at("2024-04-01")), orders)
        is None
    )
    linked = IncidentData("a call", kinds=("phone_call",), occurred_start=at("2024-03-03"), order_id=1)
    result = check_breach(linked, orders)
    assert result is not None and result.status is InForce.BEFORE_SERVED
    assert "Not yet served" in result.text()
    unlinked = IncidentData("at the door", kinds=("order_breach",), occurred_start=at("2024-04-01"))
    result = check_breach(unlinked, {})
    assert result is not None and result.status is InForce.NO_ORDER


# ---------------------------------------------------------------------------- the order


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"made_on": "2024-13-45"}, "not a date"),
        ({"made_on": "next year"}, "not a date"),
        ({"served_on": "20240305"}, "not a date"),  # Python would read it; a person never meant it
        ({"made_on": "0024-03-01"}, "check the year"),
        ({"made_on": "2024-03-01", "expires_on": "2024-02-01"}, "ends before it was made"),
        ({"made_on": "2024-03-01", "served_on": "2024-02-01"}, "served before it was made"),
        ({"made_on": "2024-03-01", "variations": (OrderVariation("2024-01-01", "x"),)}, "varied before"),
        ({"variations": (OrderVariation("2024-05-01", " "),)}, "what the variation changed"),
    ],
)
def test_order_dates_are_checked(fields: dict[str, object], message: str) -> None:
    with pytest.raises(BadInput, match=message):
        OrderData("Stalking Protection Order", **fields).validated()  # type: ignore[arg-type]


def test_an_order_stored_before_service_was_recorded_still_loads() -> None:
    old = {
        "order_type": "Restraining order",
        "made_on": "2024-03-01",
        "expires_on": "",
        "court": "",
        "reference": "",
        "conditions": ["No contact"],
        "person_id": None,
    }
    data = OrderData.from_dict(old)
    assert (data.served_on, data.interim, data.without_notice, data.variations) == ("", None, False, ())
    round_trip = OrderData.from_dict(json.loads(json.dumps(ORDER.to_dict())))
    assert round_trip == ORDER


def test_changes_are_new_versions_with_reasons(tmp_path: Path) -> None:
    vault, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    oid = vault.add_order(OrderData("Non-molestation order", made_on="2024-03-01", without_notice=True))
    vault.update_order(
        oid, OrderData.from_dict({**vault.get_order(oid).data.to_dict(), "served_on": "2024-03-05"}), "served"
    )
    with pytest.raises(BadInput, match="Nothing has changed"):
        vault.update_order(oid, vault.get_order(oid).data, "again")
    with pytest.raises(BadInput, match="reason"):
        vault.update_order(oid, ORDER, " ")
    history = vault.order_history(oid)
    assert [(o.version, o.reason, o.data.served_on) for o in history] == [
        (1, "created", ""),
        (2, "served", "2024-03-05"),
    ]
    vault.lock()


# ---------------------------------------------------------------------------- the CLI


@pytest.fixture
def cli_vault(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init").code == 0


@pytest.mark.parametrize("bad", ["2024-13-45", "next year", "20240301", "4/3/2024"])
def test_cli_refuses_a_date_it_cannot_use(
    bad: str, cli_vault: None, capsys: pytest.CaptureFixture[str]
) -> None:
    r = run_cli(capsys, "order", "add", "--type", "SPO", "--made-on", bad)
    assert r.code == 2
    assert "year-month-day" in r.err and "Traceback" not in r.err
    r = run_cli(
        capsys, "order", "add", "--type", "SPO", "--made-on", "2024-03-01", "--served-on", "2024-02-01"
    )
    assert r.code == 2 and "served before it was made" in r.err


def test_cli_service_variation_and_versions(cli_vault: None, capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(
        capsys, "order", "add", "--type", "Non-molestation order", "--made-on", "2024-03-01",
        "--without-notice", "--interim", "--condition", "No contact", "--person", "Dan Marsh",
    )  # fmt: skip
    assert r.code == 0
    oid = r.out.strip()
    (doc,) = json.loads(run_cli(capsys, "order", "list", "--json").out)
    assert (doc["served_on"], doc["interim"], doc["without_notice"], doc["version"]) == ("", True, True, 1)
    r = run_cli(capsys, "order", "serve", oid, "--on", "2024-03-05", "--how", "In person", "--by", "PC Jones")
    assert r.code == 0
    r = run_cli(
        capsys, "order", "vary", oid, "--on", "2024-06-01", "--what", "Full order; adds an exclusion zone",
        "--expires-on", "2025-06-01",
    )  # fmt: skip
    assert r.code == 0
    assert run_cli(capsys, "order", "edit", oid, "--full", "--reason", "the full order replaced it").code == 0
    assert run_cli(capsys, "order", "edit", oid, "--full").code == 2  # a reason is required
    shown = json.loads(run_cli(capsys, "order", "show", oid, "--json").out)
    assert (shown["served_on"], shown["served_how"], shown["served_by"]) == (
        "2024-03-05",
        "In person",
        "PC Jones",
    )
    assert shown["variations"] == [
        {"on": "2024-06-01", "what": "Full order; adds an exclusion zone", "expires_on": "2025-06-01"}
    ]
    assert (shown["expires_on"], shown["interim"], shown["version"]) == ("2025-06-01", False, 4)
    assert [h["reason"] for h in shown["history"]] == [
        "created",
        "service recorded",
        "varied on 2024-06-01",
        "the full order replaced it",
    ]
    text = run_cli(capsys, "order", "list").out
    assert "served 2024-03-05 In person by PC Jones (made without notice)" in text
    assert "varied 2024-06-01: Full order; adds an exclusion zone (now ends 2025-06-01)" in text


# ---------------------------------------------------------------------------- the export


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExportCase]:
    """An expired order (made without notice, served later) and breaches around its term."""
    vault, _ = Vault.create(tmp_path_factory.mktemp("orders") / "v", PASSPHRASE)
    dan = vault.add_person(PersonData(name="Dan Marsh"))
    oid = vault.add_order(ORDER.__class__(**{**ORDER.__dict__, "person_id": dan}))
    unserved = vault.add_order(
        OrderData("Stalking Protection Order", made_on="2024-01-10", without_notice=True)
    )
    condition = ORDER.conditions[0]

    def breach(day: str, summary: str, order: int = oid) -> None:
        vault.add_incident(
            IncidentData(
                summary,
                kinds=("message", "order_breach"),
                occurred_start=at(day),
                people=(dan,),
                order_id=order,
                order_condition=condition if order == oid else "",
            )
        )

    breach("2024-02-20", "Text before the order")
    breach("2024-03-03", "Text before service")
    breach("2024-04-01", "Text while in force")
    breach("2025-04-01", "Text after it ended")
    breach("2024-04-02", "Message about the other order", unserved)
    vault.add_incident(
        IncidentData("A call, not a breach", kinds=("phone_call",), occurred_start=at("2024-04-03"))
    )
    yield build_case(vault, ExportOptions(), exported_at=EXPORTED_AT)
    vault.lock()


def _by_summary(case: ExportCase) -> dict[str, str]:
    return {i.summary: i.order_in_force for i in case.incidents}


EXPECTED = {
    "Text before the order": "before_made",
    "Text before service": "before_served",
    "Text while in force": "in_force",
    "Text after it ended": "after_expiry",
    "Message about the other order": "not_served",
    "A call, not a breach": "",
}


def test_case_and_json_carry_the_check(case: ExportCase) -> None:
    assert _by_summary(case) == EXPECTED
    doc = case_to_json(case)
    incidents = {i["summary"]: i for i in doc["incidents"]}  # type: ignore[attr-defined]
    assert {s: i["order_in_force"] for s, i in incidents.items()} == {
        s: v or None for s, v in EXPECTED.items()
    }
    assert "before the order was served" in incidents["Text before service"]["order_in_force_text"]
    flagged = {
        i.id for i in case.incidents if i.summary not in ("Text while in force", "A call, not a breach")
    }
    assert set(doc["breaches_flagged"]) == flagged  # type: ignore[call-overload]
    assert doc["counts"]["breaches_flagged"] == 4  # type: ignore[index]
    order = doc["orders"][0]  # type: ignore[index]
    assert (order["served_on"], order["served_by"], order["without_notice"], order["interim"]) == (
        "2024-03-05",
        "PC Jones 1234",
        True,
        True,
    )
    assert order["status"] == "expired"  # on the export date, for the list of orders only


def test_the_status_shown_is_the_one_on_the_date_of_the_breach(case: ExportCase) -> None:
    """The order expired long before the export; the breach inside its term still reads
    "in force", and nothing about a breach says "expired"."""
    held = next(i for i in case.incidents if i.summary == "Text while in force")
    assert held.order_in_force_text.startswith("In force on the date of the breach")
    assert not held.breach_flagged
    assert "expired" not in " ".join(i.order_in_force_text for i in case.breaches)


def test_csv_carries_the_check(case: ExportCase) -> None:
    rows = list(csv.DictReader(io.StringIO(timeline_csv(case).decode("utf-8-sig"))))
    assert {r["summary"]: r["order_in_force"] for r in rows} == EXPECTED
    row = next(r for r in rows if r["summary"] == "Text after it ended")
    assert row["order_in_force_note"].startswith("Not in force: dated")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_pdf_sets_flagged_breaches_apart(case: ExportCase, tmp_path: Path) -> None:
    buf = io.BytesIO()
    render_pdf(case, buf)
    path = tmp_path / "t.pdf"
    path.write_bytes(buf.getvalue())
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = " ".join(text.split())
    section = words.split("Breaches of orders", 2)[-1].split("Incidents in date order")[0]
    assert "dated when the order is not shown to be in force or served" in words  # front page
    assert "In force on the date of the breach:" in section
    assert "Recorded as breaches, but not shown to be in force on the date" in section
    assert "Not yet served: dated" in section and "before the order was served on" in section
    assert "Not in force: dated" in section and "after the order ended on" in section
    assert "before the order was made on" in section
    assert "s.42A" in section
    assert "(expired)" not in section  # never the status on the export date
    assert "1 breach Condition 1" in section  # only the breach in force counts per condition
    assert "Served on" in words and "PC Jones 1234" in words and "Made without notice" in words
    assert "expired on the export date (each breach: on its own date)" in words  # the orders list


def test_the_bundle_viewer_shows_the_check(case: ExportCase, tmp_path: Path) -> None:
    """What the app shows of a received bundle (victim_log/bundle_contents.py)."""
    import zipfile

    from victim_log.bundle_contents import read_contents
    from victim_log.safezip import SafeZip

    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("case/bagit.txt", "BagIt-Version: 1.0\n")
        z.writestr("case/data/timeline.json", json.dumps(case_to_json(case)))
    with SafeZip(path) as z:
        contents = read_contents(z)
    row = next(r for r in contents.rows if r.summary == "Text after it ended")
    assert "Order in force on that date?: Not in force: dated" in row.detail
    assert "Of those, not shown in force or served on their date: 4" in contents.about


def test_cli_notes_a_breach_outside_the_term(cli_vault: None, capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(
        capsys, "order", "add", "--type", "SPO", "--made-on", "2024-03-01", "--condition", "No contact"
    )
    oid = r.out.strip()
    r = run_cli(
        capsys, "add", "--kind", "message", "--summary", "Texted", "--when", "2024-02-20T21:00",
        "--order", oid, "--condition", "1",
    )  # fmt: skip
    assert r.code == 0 and r.out.strip().isdigit()  # stdout is still just the id
    assert "Note: Not in force: dated 2024-02-20, before the order was made on 2024-03-01." in r.err
    r = run_cli(capsys, "edit", r.out.strip(), "--when", "2024-03-20T21:00", "--reason", "date typed wrong")
    assert r.code == 0 and "Note:" not in r.err  # in force now (service not recorded is not flagged)


def test_the_chart_counts_only_breaches_in_force(case: ExportCase) -> None:
    """Red bars say "breaches of an order": a flagged one is an incident, not a red bar."""
    assert sum(w.breaches for w in case.per_week) == 1  # "Text while in force"
    assert sum(w.count for w in case.per_week) == 6
