"""The key facts page (#20), read through pdftotext as an officer's PDF reader would:
page 1 of the demo case and of a constructed case with every field present, and
every entry reference on it pointing at an entry in the body."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import pattern_helpers
from tests.helpers import computer_zone
from tests.helpers import run_cli
from tests.pattern_helpers import demo_log
from tests.pattern_helpers import pdf_pages
from victim_log.export.case import ExportOptions
from victim_log.export.case import build_case
from victim_log.export.keyfacts import key_facts
from victim_log.export.pdf import render_pdf
from victim_log.model import IncidentData
from victim_log.model import OrderData
from victim_log.model import PersonData
from victim_log.model import PoliceReport
from victim_log.vault import Vault

vault = pattern_helpers.vault  # the fixture: a vault on London's clock


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _key_facts_text(pages: list[str]) -> str:
    """Page 1 (and its continuation, up to the title page's "Timeline of incidents")."""
    out = []
    for page in pages:
        out.append(page)
        if "Timeline of incidents and list of exhibits" in page:
            break
    return _flat(" ".join(out).split("Timeline of incidents and list of exhibits")[0])


def _body_entries(pages: list[str]) -> set[int]:
    """Entry numbers the timeline section gives as headings."""
    body = _flat(" ".join(pages))
    return {int(n) for n in re.findall(r"Entry (\d+)", body.split("Incidents in date order", 1)[-1])}


@pytest.fixture
def utc_clock() -> Iterator[None]:
    """The demo diary sets no case zone, so its days are the computer's; the counts
    below are a computer on UTC's (in another zone some late entries fall on other
    days). Pinned, since a test elsewhere in the same process may leave TZ changed."""
    with computer_zone("UTC"):
        yield


@pytest.mark.usefixtures("utc_clock")
def test_demo_case_key_facts_page(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    demo_log(monkeypatch, capsys)
    out = tmp_path / "t.pdf"
    r = run_cli(capsys, "export", "--format", "pdf", "--out", str(out), "--initials", "SM")
    assert r.code == 0, r.err
    pages = pdf_pages(out)
    assert "Key facts" in pages[0]
    facts = _key_facts_text(pages)
    for wanted in (
        "Person doing this Dan Marsh (ex-partner)",
        "07700 900123",
        "XY21 ABC",
        "60 incidents on 44 separate days",
        "First incident 1 Jun 2026; latest 27 Aug 2026",
        "Most serious Entry 18",
        "Threat; afraid of violence",
        "First threat",
        "Stalking Protection Order SPO/2026/0142",
        "breaches of condition 1",
        "reference EX/26/123456, PC Jordan Lee (collar 4521), reported 25 Jun 2026",
        "3 of 60 incidents reported to police",
    ):
        assert wanted in facts, wanted
    cited = {int(n) for n in re.findall(r"Entr(?:y|ies) ([\d, ]+\d)", facts) for n in re.split(r",\s*", n)}
    cited |= {int(n) for n in re.findall(r"Entry (\d+)", facts)}
    assert cited and cited <= _body_entries(pages)


def _constructed(v: Vault) -> None:
    v.set_setting("owner_name", "Sam Morgan")
    v.set_setting("case_title", "Log of Sam Morgan")
    dan = v.add_person(
        PersonData(
            "Dan Marsh",
            aliases=("Danny",),
            phones=("07700 900123",),
            accounts=("@dan.marsh.87",),
            vehicles=("Blue hatchback XY21 ABC",),
            relationship="ex-partner",
        )
    )
    order = v.add_order(
        OrderData(
            "Stalking Protection Order",
            made_on="2026-03-10",
            served_on="2026-03-11",
            reference="SPO/1",
            conditions=("Not to contact Sam Morgan by any means", "Not to enter Mill Lane"),
            person_id=dan,
        )
    )
    add = v.add_incident
    add(IncidentData("Texts all evening", ("message",), "2026-03-02T21:00", people=(dan,)))
    add(
        IncidentData(
            "Phoned me",
            ("phone_call",),
            "2026-03-04T22:30",
            people=(dan,),
            actions="I told him: stop contacting me.",
        )
    )
    add(
        IncidentData(
            "Threatened me at the door",
            ("in_person", "threat"),
            "2026-03-08T19:00",
            people=(dan,),
            effects=("afraid_violence",),
            police=PoliceReport("EX/26/999", "PC Jordan Lee", "4521", "2026-03-09"),
        )
    )
    add(
        IncidentData(
            "Messaged again",
            ("message", "order_breach"),
            "2026-03-15T10:00",
            people=(dan,),
            order_id=order,
            order_condition="Not to contact Sam Morgan by any means",
        )
    )
    add(IncidentData("Pushed me", ("violence",), "2026-03-20T18:00", people=(dan,)))
    add(
        IncidentData(
            "You replied: leave me alone", ("message",), "2026-03-03T08:00", author="imported:context"
        )
    )


def test_constructed_case_every_field(vault: Vault, tmp_path: Path) -> None:
    _constructed(vault)
    case = build_case(vault, ExportOptions(initials="SM"), exported_at="2026-03-25T12:00:00+00:00")
    facts = key_facts(case)
    assert facts.owner == "Sam Morgan"
    out = tmp_path / "t.pdf"
    with out.open("wb") as fh:
        render_pdf(case, fh)
    pages = pdf_pages(out)
    text = _key_facts_text(pages)
    for wanted in (
        "Whose log Sam Morgan",
        "Dan Marsh (ex-partner): also known as: Danny; phone: 07700 900123; accounts: @dan.marsh.87; "
        "vehicles: Blue hatchback XY21 ABC",
        "5 incidents on 5 separate days between 2 Mar 2026 and 20 Mar 2026",
        "First incident 2 Mar 2026; latest 20 Mar 2026, 5 days before this export.",
        "Entry 3, 8 Mar 2026: Threat; afraid of violence",
        "Entry 5, 20 Mar 2026: Violence",
        "Stalking Protection Order SPO/1: in force on the export date; 1 breach of condition 1 (Entry 4)",
        "reference EX/26/999, PC Jordan Lee (collar 4521), reported 9 Mar 2026 (Entry 3)",
        "1 of 5 incidents reported to police",
        "4 not recorded as reported",
        "Entry 6, 3 Mar 2026: your reply, kept from an import (context)",
        "Entry 2, 4 Mar 2026: your words in the entry",
        "Now in person",
        "First violence",
    ):
        assert wanted in text, wanted
    assert "Pushed me" not in text and "Threatened me" not in text  # references, not accounts
    cited = {int(n) for n in re.findall(r"Entry (\d+)", text)}
    assert cited == {2, 3, 4, 5, 6}
    assert cited - {6} <= _body_entries(pages)  # the context reply is listed apart
