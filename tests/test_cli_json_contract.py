"""The ``--json`` contract in one module (victim_log/cli/json_contract.py): every field
it names is documented, and the commands print exactly the fields it names.

Why: officers' and support workers' scripts read these names; a field added in code
but not in the docs is a promise nobody can find, and one renamed in code breaks them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from victim_log.cli import json_contract as jc

DOC = Path(__file__).resolve().parent.parent / "docs" / "export-format.md"


def _doc_rows() -> dict[str, str]:
    """The ``--json`` section's table: object name -> the row's text."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## The command line's `--json` output", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"\| ([^|]+?) \| (.*) \|$", line)
        if m:  # "incident person (each of ...)" names the object "incident person"
            rows[re.sub(r" \((?!not a bundle).*$", "", m.group(1))] = m.group(2)
    return rows


@pytest.mark.parametrize("name", sorted(jc.ALL_FIELDS))
def test_every_declared_field_is_documented(name: str) -> None:
    rows = _doc_rows()
    assert name in rows, f"docs/export-format.md has no row for '{name}'"
    missing = [f for f in jc.ALL_FIELDS[name] if f"`{f}`" not in rows[name]]
    assert not missing, f"'{name}' fields not documented: {missing}"


@pytest.fixture
def vault(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init").code == 0
    photo = tmp_path / "note.txt"
    photo.write_text("a note left on the car")
    assert (
        run_cli(
            capsys,
            "order",
            "add",
            "--type",
            "Stalking Protection Order",
            "--condition",
            "No contact",
            "--person",
            "Dan Marsh",
        ).code
        == 0
    )
    r = run_cli(
        capsys,
        "add",
        "--kind",
        "message",
        "--summary",
        "Texts",
        "--person",
        "Dan Marsh",
        "--attach",
        str(photo),
        "--order",
        "1",
        "--condition",
        "1",
    )
    assert r.code == 0, r.err
    assert run_cli(capsys, "edit", "1", "--reason", "details", "--details", "More").code == 0
    return tmp_path


def _keys(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    r = run_cli(capsys, *args)
    assert r.code in (0, 2), r.err
    return json.loads(r.out)


def test_commands_print_exactly_the_declared_fields(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for args in (("list", "--json"), ("search", "Texts", "--json")):
        (row,) = _keys(capsys, *args)
        assert set(row) == set(jc.INCIDENT_FIELDS)
    shown = _keys(capsys, "show", "1", "--history", "--json")
    assert set(shown) == {*jc.INCIDENT_FIELDS, jc.INCIDENT_HISTORY_FIELD}
    assert [set(v) for v in shown["history"]] == [set(jc.INCIDENT_FIELDS)] * 2
    assert set(shown["police"]) == set(jc.POLICE_FIELDS)
    assert [set(p) for p in shown["people"]] == [set(jc.INCIDENT_PERSON_FIELDS)]
    assert [set(e) for e in shown["evidence"]] == [set(jc.INCIDENT_EVIDENCE_FIELDS)]
    assert shown["order_condition"] == "No contact"
    (item,) = _keys(capsys, "evidence", "list", "--json")
    assert set(item) == set(jc.EVIDENCE_FIELDS)
    assert set(_keys(capsys, "check", "--json")) == set(jc.CHECK_FIELDS)
    (person,) = _keys(capsys, "person", "list", "--json")
    assert set(person) == set(jc.PERSON_FIELDS)
    (order,) = _keys(capsys, "order", "list", "--json")
    assert set(order) == set(jc.ORDER_FIELDS)
    out = vault / "case.zip"
    # A file is attached above: its first export gives it a reference, so initials (#16.2).
    export = _keys(capsys, "export", "--out", str(out), "--initials", "SM", "--json")
    assert set(export) == set(jc.EXPORT_FIELDS)
    junk = vault / "junk.zip"
    junk.write_bytes(b"not a zip")
    assert set(_keys(capsys, "verify", str(junk), "--json")) == set(jc.NOT_A_BUNDLE_FIELDS)


@pytest.mark.parametrize(
    ("group", "actions"),
    [
        ("person", "list|delete"),
        ("order", "add|list|show|serve|vary|edit"),
        ("evidence", "add|list|get|remove|verify-originals"),
    ],
)
def test_a_group_without_an_action_names_its_own_actions(
    group: str, actions: str, capsys: pytest.CaptureFixture[str]
) -> None:
    r = run_cli(capsys, group)
    assert r.code == 2
    assert r.err.strip().endswith(f"victim-log {group} {actions}")
