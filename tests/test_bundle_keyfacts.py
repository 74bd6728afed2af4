"""The key facts at the top of the bundle viewer (#20): worked out again from the
bundle's timeline.json by the code that drew page 1 of the PDF, so they match it,
for the demo case and a constructed one with an order, police and "stop"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import pattern_helpers
from tests.helpers import PASSPHRASE
from tests.helpers import vault_path
from tests.test_keyfacts import _constructed
from victim_log import casetime
from victim_log.bundle_contents import bundle_key_facts
from victim_log.bundle_contents import key_fact_lines
from victim_log.bundle_contents import read_contents
from victim_log.export.bundle import export
from victim_log.export.case import ExportOptions
from victim_log.export.case import build_case
from victim_log.export.keyfacts import key_facts
from victim_log.safezip import SafeZip
from victim_log.vault import Vault


def _bundle_doc(path: Path) -> dict[str, object]:
    import zipfile

    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if n.endswith("data/timeline.json"))
        doc = json.loads(z.read(name))
    assert isinstance(doc, dict)
    return doc


def _same_as_page_one(v: Vault, out: Path) -> list[tuple[str, str]]:
    export(v, out, ExportOptions(initials="SM"))
    doc = _bundle_doc(out)
    with SafeZip(out) as z:
        shown = read_contents(z).key_facts
    page_one = key_fact_lines(
        key_facts(build_case(v, ExportOptions(initials="SM"), exported_at=str(doc["exported_at"])))
    )
    assert shown == page_one
    return shown


def test_demo_case_bundle_has_the_key_facts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pattern_helpers.demo_log(monkeypatch, capsys)
    with Vault.open(vault_path(), PASSPHRASE) as v:
        casetime.use_vault_zone(v)
        facts = dict(_same_as_page_one(v, tmp_path / "demo.zip"))
    assert facts["Whose log"] and "Person doing this" in facts
    assert facts["Dates"].startswith("First incident ")
    assert "Entry " in facts["Most serious"]


def test_constructed_case_every_field_in_the_viewer(tmp_path: Path) -> None:
    v, _ = Vault.create(vault_path(), PASSPHRASE)
    with v:
        casetime.set_vault_zone(v, "Europe/London")
        casetime.use_vault_zone(v)
        _constructed(v)
        facts = _same_as_page_one(v, tmp_path / "case.zip")
    got = dict(facts)
    assert got["Whose log"] == "Sam Morgan"
    assert got["Person doing this"].startswith("Dan Marsh (ex-partner): also known as: Danny")
    assert "Entry 3" in got["Most serious"] and "Entry 5" in got["Most serious"]
    assert got["Order"].startswith("Stalking Protection Order SPO/1: in force on the export date; 1 breach")
    assert "EX/26/999" in got["Police"] and "PC Jordan Lee" in got["Police"]
    assert "Entry 2" in got["Told to stop"] and "Entry 6" in got["Told to stop"]
    assert "Counts by kind" in got and "Per week" in got


def test_a_damaged_timeline_never_raises() -> None:
    hostile: list[dict[str, object]] = [
        {"incidents": "not a list"},
        {"exported_at": 5, "time_zone": "Mars/Olympus", "incidents": [{"number": "x", "occurred_start": 7}]},
        {"incidents": [{"occurred_start": "2026-13-45T99:00", "precision": "exact", "kinds": [1, None]}]},
        {"orders": [{"made_on": "yesterday", "conditions": "x"}], "people": [{"role": "perpetrator"}]},
    ]
    for doc in hostile:
        assert isinstance(bundle_key_facts(doc), list)
