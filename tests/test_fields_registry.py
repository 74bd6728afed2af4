"""victim_log.fields: every incident field declared once, and present in every output.

An entry with every field set (each text a unique word) goes through the CSV, the
JSON, the PDF (pdftotext), ``show`` and the app's history labels; a field missing from
the registry, or from any of those, fails here.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.helpers import vault_path
from victim_log.cli import json_contract
from victim_log.export.case import ExportCase
from victim_log.export.case import ExportOptions
from victim_log.export.case import build_case
from victim_log.export.case import case_to_json
from victim_log.export.pdf import render_pdf
from victim_log.export.tables import TIMELINE_COLUMNS
from victim_log.export.tables import VERSION_COLUMNS
from victim_log.export.tables import timeline_csv
from victim_log.export.tables import versions_csv
from victim_log.fields import EXPORTED_FIELDS
from victim_log.fields import INCIDENT_FIELDS
from victim_log.fields import VALUE_KINDS
from victim_log.fields import Field
from victim_log.fields import changed_names
from victim_log.fields import free_text_names
from victim_log.fields import labels
from victim_log.model import IncidentData
from victim_log.model import OrderData
from victim_log.model import PersonData
from victim_log.model import PoliceReport
from victim_log.vault import Vault

EXPORTED_AT = "2026-09-06T14:03:00+01:00"


def _word(field: Field) -> str:
    """A unique word for a text field, findable in any output however it wraps."""
    return "zq" + field.name.replace("_", "") + "zq"


def _value(field: Field, person: int, order: int) -> Any:
    kind = field.kind
    if kind in ("line", "text", "place", "witnesses"):
        return _word(field)
    if kind == "author":
        return "support:" + _word(field)
    if kind == "time":
        return "2024-05-01T11:00:00+01:00" if field.name == "occurred_end" else "2024-05-01T10:00:00+01:00"
    if kind == "choice":
        return "approximate"
    if kind == "choices":
        return ("threat", "order_breach") if field.name == "kinds" else ("afraid_violence",)
    if kind == "people":
        return (person,)
    if kind == "police":
        return PoliceReport("zqpoliceref", "zqofficer", "4711", "2024-05-02")
    if kind == "flag":
        return True
    if kind == "order":
        return order
    raise AssertionError(f"the test has no value for a field of kind {kind!r}: add one")


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Vault, int, IncidentData]]:
    vault, _ = Vault.create(tmp_path_factory.mktemp("fields") / "v", PASSPHRASE)
    person = vault.add_person(PersonData("Dan Marsh", role="perpetrator"))
    order = vault.add_order(
        OrderData("Stalking Protection Order", made_on="2024-01-01", conditions=("No contact",))
    )
    data = IncidentData(**{f.name: _value(f, person, order) for f in INCIDENT_FIELDS})
    iid = vault.add_incident(data)
    # A second version, so every field also appears in an earlier version's outputs.
    vault.edit_incident(iid, dataclasses.replace(vault.get_incident(iid).data, summary="zqnewsummaryzq"), "x")
    yield vault, iid, data
    vault.lock()


def _case(vault: Vault, include_private: bool) -> ExportCase:
    return build_case(
        vault, ExportOptions(include_private=include_private, initials="SM"), exported_at=EXPORTED_AT
    )


def _fields_in_output(include_private: bool) -> list[Field]:
    return [f for f in INCIDENT_FIELDS if f.exported or include_private]


def test_registry_is_the_model() -> None:
    names = [f.name for f in INCIDENT_FIELDS]
    assert len(names) == len(set(names))
    assert set(names) == {f.name for f in dataclasses.fields(IncidentData)}
    assert all(f.kind in VALUE_KINDS for f in INCIDENT_FIELDS)
    assert all(f.victim_label and f.officer_label and f.csv_columns for f in INCIDENT_FIELDS)
    from victim_log import model

    assert set(model._FREE_TEXT) == set(free_text_names())  # noqa: SLF001 - the list validated() uses
    assert [f.name for f in EXPORTED_FIELDS] == [n for n in names if n != "private_note"]


def test_every_field_has_csv_columns_and_values(full: tuple[Vault, int, IncidentData]) -> None:
    vault, _, _ = full
    for include_private in (False, True):
        case = _case(vault, include_private)
        text = timeline_csv(case).decode("utf-8-sig")
        header = text.splitlines()[0].split(",")
        assert tuple(header) == TIMELINE_COLUMNS
        versions = versions_csv(case).decode("utf-8-sig")
        for f in INCIDENT_FIELDS:
            missing = [c for c in f.csv_columns if c not in TIMELINE_COLUMNS or c not in VERSION_COLUMNS]
            assert not missing, f"{f.name}: columns {missing} are not in the CSV"
            if f.kind in ("line", "text", "place", "witnesses", "author") and f.name != "summary":
                shown = f.exported or include_private
                assert (_word(f) in text) is shown, f.name
                assert (_word(f) in versions) is shown, f.name


def test_every_field_is_in_the_json(full: tuple[Vault, int, IncidentData]) -> None:
    vault, _, data = full
    doc = case_to_json(_case(vault, True))
    incident = doc["incidents"][0]  # type: ignore[index]
    earlier = incident["versions"][0]
    for f in INCIDENT_FIELDS:
        assert f.name in incident, f.name
        assert f.name in earlier, f.name
        assert f.name in json_contract.INCIDENT_FIELDS, f"show --json does not declare {f.name}"
        value = getattr(data, f.name)
        if isinstance(value, str) and f.kind != "place":
            assert earlier[f.name] == value, f.name
    private = case_to_json(_case(vault, False))["incidents"][0]  # type: ignore[index]
    assert private["private_note"] is None
    assert private["versions"][0]["private_note"] is None


def _pdf_text(case: ExportCase, tmp: Path) -> str:
    buf = io.BytesIO()
    render_pdf(case, buf)
    path = tmp / "t.pdf"
    path.write_bytes(buf.getvalue())
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
@pytest.mark.parametrize("include_private", [False, True])
def test_every_field_is_in_the_pdf(
    full: tuple[Vault, int, IncidentData], tmp_path: Path, include_private: bool
) -> None:
    vault, _, _ = full
    text = _pdf_text(_case(vault, include_private), tmp_path)
    flat = " ".join(text.split())
    for f in INCIDENT_FIELDS:
        shown = f.exported or include_private
        if shown:
            assert f.officer_label in flat, f"the PDF has no '{f.officer_label}' row for {f.name}"
        if f.kind in ("line", "text", "witnesses", "author") and f.name != "summary":
            assert (_word(f) in flat) is shown, f.name
    # Appendix A shows version 1 in full: its summary, before the change.
    assert "zqsummaryzq" in flat


def test_show_prints_every_field(
    full: tuple[Vault, int, IncidentData], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    vault, iid, _ = full
    shutil.copytree(vault.path, vault_path())
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    r = run_cli(capsys, "show", str(iid))
    assert r.code == 0, r.err
    for f in INCIDENT_FIELDS:
        assert f.victim_label + ":" in r.out, f"show has no '{f.victim_label}' line for {f.name}"
        if f.kind in ("text", "place", "witnesses", "author"):
            assert _word(f) in r.out, f.name


def test_labels_name_each_changed_field_once() -> None:
    base = IncidentData(summary="a")
    for f in INCIDENT_FIELDS:
        changed = dataclasses.replace(base, **{f.name: _value(f, 1, 1)})
        assert changed_names(base, changed) == [f.name]
        assert labels([f.name]) == [f.victim_label]
    assert labels(["occurred_start", "precision", "occurred_end"]) == ["When"]


def test_app_history_names_every_field() -> None:
    pytest.importorskip("PySide6")
    from victim_log.gui.diary.detail import changed_fields
    from victim_log.model import IncidentVersion

    def version(n: int, data: IncidentData, evidence: tuple[int, ...] = ()) -> IncidentVersion:
        return IncidentVersion(
            1, n, "2024-05-01T10:00:00+01:00", "2024-05-01T10:00:00+01:00", "x", False, data, evidence
        )

    base = IncidentData(summary="a")
    for f in INCIDENT_FIELDS:
        changed = dataclasses.replace(base, **{f.name: _value(f, 1, 1)})
        assert changed_fields(version(1, base), version(2, changed)) == [f.victim_label.lower()], f.name
    assert changed_fields(version(1, base), version(2, base, (5,))) == ["evidence"]


def test_pdf_rows_written_by_hand_are_registry_labels() -> None:
    """The PDF prints any field it does not write itself under its officer label; the
    ones it writes itself must be named as the registry names them."""
    from victim_log.export import pdf

    assert {f.officer_label for f in INCIDENT_FIELDS} >= pdf._OWN_ROWS  # noqa: SLF001


def test_show_history_says_what_each_version_changed(
    full: tuple[Vault, int, IncidentData], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    vault, iid, _ = full
    shutil.copytree(vault.path, vault_path())
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    r = run_cli(capsys, "show", str(iid), "--history")
    assert r.code == 0, r.err
    assert "Changed:     the account (Summary)" in r.out


def test_change_text_tells_files_from_the_account() -> None:
    from victim_log.cli.incidents import change_text

    base = {"summary": "a", "details": "b", "evidence": [{"id": 1}]}
    assert (
        change_text(base, {**base, "evidence": [{"id": 1}, {"id": 2}]})
        == "the files attached, not the account"
    )
    assert change_text(base, {**base, "details": "c"}) == "the account (What happened)"
    both = change_text(base, {**base, "details": "c", "evidence": []})
    assert both == "the account (What happened); the files attached"
