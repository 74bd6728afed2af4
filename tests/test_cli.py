"""The command-line contract: commands, --json fields and exit codes 0/1/2/3."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.helpers import run_proc
from tests.helpers import vault_path

JSON_FIELDS = {
    "id",
    "occurred_start",
    "occurred_end",
    "recorded_at",
    "kinds",
    "summary",
    "details",
    "location",
    "people",
    "version",
    "evidence",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)


@pytest.fixture
def initialised(env: None, capsys: pytest.CaptureFixture[str]) -> str:
    r = run_cli(capsys, "init")
    assert r.code == 0, r.err
    m = re.search(r"([A-Z2-9]{5}(?:-[A-Z2-9]{5}){7})", r.out)
    assert m, "init prints the recovery key"
    return m.group(1)


def test_init_add_list_show_search(initialised: str, capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(
        capsys,
        "add",
        "--kind",
        "message,threat",
        "--summary",
        "Texts from Dan",
        "--when",
        "2026-03-04T21:15",
        "--where",
        "Home",
        "--details",
        '"You will regret it"',
        "--person",
        "Dan Marsh",
        "--effect",
        "Could not sleep",
    )
    assert r.code == 0 and r.out.strip() == "1"
    r = run_cli(
        capsys,
        "add",
        "--kind",
        "phone_call",
        "--summary",
        "Missed calls",
        "--from",
        "2026-03-05T23:00",
        "--to",
        "2026-03-05T23:40",
    )
    assert r.out.strip() == "2"
    r = run_cli(capsys, "list", "--json")
    rows = json.loads(r.out)
    assert [row["id"] for row in rows] == [2, 1]
    assert JSON_FIELDS <= set(rows[0])
    assert rows[1]["people"][0]["name"] == "Dan Marsh"
    assert rows[1]["kinds"] == ["message", "threat"]
    assert rows[0]["occurred_end"].startswith("2026-03-05T23:40")
    r = run_cli(capsys, "show", "1", "--json")
    doc = json.loads(r.out)
    assert JSON_FIELDS <= set(doc) and doc["details"] == '"You will regret it"'
    r = run_cli(capsys, "search", "regret", "--json")
    assert [d["id"] for d in json.loads(r.out)] == [1]
    r = run_cli(capsys, "show", "1")
    assert "Texts from Dan" in r.out and r.code == 0


def test_edit_delete_history(initialised: str, capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "add", "--kind", "message", "--summary", "Text")
    r = run_cli(capsys, "edit", "1", "--reason", "added details", "--details", "It said hello")
    assert r.code == 0
    r = run_cli(capsys, "show", "1", "--history", "--json")
    doc = json.loads(r.out)
    assert [v["version"] for v in doc["history"]] == [1, 2]
    assert doc["history"][1]["reason"] == "added details"
    assert doc["recorded_at"] == doc["history"][0]["recorded_at"]
    r = run_cli(capsys, "delete", "1", "--reason", "duplicate")
    assert r.code == 0
    assert json.loads(run_cli(capsys, "list", "--json").out) == []
    r = run_cli(capsys, "edit", "1", "--summary", "x")
    assert r.code == 2 and "--reason" in r.err


def test_usage_and_bad_input_exit_2(initialised: str, capsys: pytest.CaptureFixture[str]) -> None:
    for args in (
        ["add", "--summary", "no kind"],
        ["add", "--kind", "bogus", "--summary", "x"],
        ["show", "99"],
        ["frobnicate"],
        ["add", "--kind", "message", "--summary", "x", "--when", "yesterday-ish"],
        ["evidence", "get", "1", "--out", "/tmp/x"],
    ):
        r = run_cli(capsys, *args)
        assert r.code == 2, (args, r)
        assert "Traceback" not in r.err and r.err.startswith("victim-log:")
        assert len(r.err.strip().splitlines()) == 1


def test_check_exit_codes(initialised: str, capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "add", "--kind", "message", "--summary", "Text")
    r = run_cli(capsys, "check", "--json")
    assert r.code == 0 and json.loads(r.out)["ok"] is True
    from victim_log.vault import Vault

    with Vault.open(vault_path(), PASSPHRASE) as v:
        v.conn.execute("UPDATE records SET body = replace(body, 'Text', 'Txet')")
    r = run_cli(capsys, "check")
    assert r.code == 1 and "incident 1 version 1 has been altered" in r.out


def test_passphrase_file_and_passwd_and_recover(
    initialised: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("VICTIM_LOG_PASSPHRASE")
    pf = tmp_path / "pass.txt"
    pf.write_text(PASSPHRASE + "\n")
    assert run_cli(capsys, "list", "--passphrase-file", str(pf)).code == 0
    newf = tmp_path / "new.txt"
    newf.write_text("new passphrase here\n")
    r = run_cli(capsys, "passwd", "--passphrase-file", str(pf), "--new-passphrase-file", str(newf))
    assert r.code == 0
    assert run_cli(capsys, "list", "--passphrase-file", str(pf)).code == 3
    keyf = tmp_path / "rk.txt"
    keyf.write_text(initialised)
    pf.write_text("recovered passphrase\n")
    r = run_cli(capsys, "recover", "--recovery-key-file", str(keyf), "--new-passphrase-file", str(pf))
    assert r.code == 0, r.err
    assert run_cli(capsys, "list", "--passphrase-file", str(pf)).code == 0


def test_no_vault_exit_2(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(capsys, "list")
    assert r.code == 2 and "victim-log init" in r.err


def test_demo_case(initialised: str, capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(capsys, "demo")
    assert r.code == 0
    rows = json.loads(run_cli(capsys, "list", "--json").out)
    assert 55 <= len(rows) <= 65
    kinds = {k for row in rows for k in row["kinds"]}
    assert {"message", "phone_call", "order_breach", "loitering"} <= kinds
    assert run_cli(capsys, "check").code == 0


def test_wrong_passphrase_subprocess_exit_3_clean_stderr(initialised: str) -> None:
    r = run_proc("list", env={"VICTIM_LOG_PASSPHRASE": "definitely wrong"})
    assert r.code == 3
    assert r.err.strip() == "victim-log: That passphrase is not right."
    assert r.out == ""


def test_unexpected_error_is_logged_without_content(
    initialised: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from victim_log import vault as vault_mod

    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("secret diary words")

    monkeypatch.setattr(vault_mod.Vault, "search", boom)
    r = run_cli(capsys, "search", "x")
    assert r.code == 2 and "Traceback" not in r.err and "secret diary words" not in r.err
    from victim_log.logs import log_path

    log = log_path().read_text()
    assert "RuntimeError" in log and "secret diary words" not in log


def test_people_list_and_take_out(initialised: str, capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "add", "--kind", "message", "--summary", "Texts", "--person", "Dan Marsh")
    run_cli(capsys, "order", "add", "--type", "Stalking Protection Order", "--person", "Kerry Marsh")
    people = json.loads(run_cli(capsys, "person", "list", "--json").out)
    assert [(p["id"], p["name"], p["role"]) for p in people] == [
        (1, "Dan Marsh", "named"),  # add --person never accuses: "named" unless --person-role
        (2, "Kerry Marsh", "perpetrator"),
    ]
    assert "Dan Marsh" in run_cli(capsys, "person", "list").out
    r = run_cli(capsys, "person", "delete", "1", "--reason", "mistake")
    assert r.code == 2 and "named in 1 entry" in r.err and len(r.err.strip().splitlines()) == 1
    r = run_cli(capsys, "person", "delete", "2", "--reason", "mistake")
    assert r.code == 2 and "order" in r.err
    assert run_cli(capsys, "person", "delete", "9", "--reason", "x").code != 0
    assert run_cli(capsys, "person", "delete", "1").code == 2  # --reason is required
    assert run_cli(capsys, "person").code == 2  # an action is needed
    from victim_log.model import PersonData
    from victim_log.vault import Vault

    with Vault.open(vault_path(), PASSPHRASE) as vault:  # someone added by mistake
        typo = vault.add_person(PersonData(name="Dna Marsh"))
    r = run_cli(capsys, "person", "delete", str(typo), "--reason", "added twice")
    assert r.code == 0 and f"Person {typo} was taken out of People" in r.out
    assert [p["id"] for p in json.loads(run_cli(capsys, "person", "list", "--json").out)] == [1, 2]


def test_orders_and_breaches(initialised: str, capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(
        capsys,
        "order",
        "add",
        "--type",
        "Stalking Protection Order",
        "--made-on",
        "2026-07-20",
        "--expires-on",
        "2028-07-20",
        "--reference",
        "SPO/1",
        "--condition",
        "No contact by any means",
        "--condition",
        "Not to enter High Street",
        "--person",
        "Dan Marsh",
    )
    assert r.code == 0 and r.out.strip() == "1"
    orders = json.loads(run_cli(capsys, "order", "list", "--json").out)
    assert orders[0]["conditions"][1] == "Not to enter High Street"
    r = run_cli(
        capsys,
        "add",
        "--kind",
        "turned_up",
        "--summary",
        "Seen on High Street",
        "--order",
        "1",
        "--condition",
        "2",
    )
    doc = json.loads(run_cli(capsys, "show", r.out.strip(), "--json").out)
    assert doc["order_id"] == 1 and doc["order_condition"] == "Not to enter High Street"
    assert "order_breach" in doc["kinds"]
    assert run_cli(capsys, "add", "--kind", "message", "--summary", "x", "--order", "9").code == 2
    assert (
        run_cli(capsys, "add", "--kind", "message", "--summary", "x", "--order", "1", "--condition", "7").code
        == 2
    )
