"""``victim-log share``, ``share open`` and ``share merge`` (#18): the CLI contract
(--json fields, exit codes 0/1/2/3) and no diary text or key material in output."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import CANARY
from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.helpers import run_proc
from tests.leakscan import scan
from victim_log import caselist
from victim_log.cli.share import MERGE_FIELDS
from victim_log.cli.share import SHARE_FIELDS

WORKER_PASS = "worker's own pass phrase"


@pytest.fixture
def victim(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init").code == 0
    r = run_cli(capsys, "add", "--kind", "threat", "--summary", f"Threat {CANARY}", "--person", "Dan Marsh")
    assert r.code == 0, r.err


def _share(capsys: pytest.CaptureFixture[str], out: Path, *vault: str) -> dict[str, object]:
    r = run_cli(capsys, "share", "--out", str(out), "--json", *vault)
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert tuple(doc) == SHARE_FIELDS
    return doc


def _with_code(monkeypatch: pytest.MonkeyPatch, code: object) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{code}\n"))


def _worker_opens(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """The victim shares; the worker Jo opens the case file into a vault of their own
    (the worker's passphrase stays set); returns that vault's folder."""
    doc = _share(capsys, tmp_path / "case.vlcase")
    worker_vault = str(tmp_path / "jo")
    _with_code(monkeypatch, doc["code"])
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", WORKER_PASS)
    opened = run_cli(
        capsys, "share", "open", str(doc["file"]), "--code-stdin", "--vault", worker_vault, "--worker", "Jo"
    )
    assert opened.code == 0, opened.err
    return worker_vault


def _victim_merges_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, back: dict[str, object]
) -> dict[str, Any]:
    """Back in the victim's vault: ``share merge FILE --json`` of the worker's file."""
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    _with_code(monkeypatch, back["code"])
    r = run_cli(capsys, "share", "merge", str(back["file"]), "--code-stdin", "--json")
    assert r.code == 0, r.err
    merged: dict[str, Any] = json.loads(r.out)
    assert tuple(merged) == MERGE_FIELDS
    return merged


def test_victim_to_worker_and_back(
    victim: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _share(capsys, tmp_path / "case.vlcase")
    assert doc["incidents"] == 1 and doc["evidence"] == 0 and Path(str(doc["file"])).is_file()
    worker_vault = str(tmp_path / "jo")
    _with_code(monkeypatch, doc["code"])
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", WORKER_PASS)
    r = run_cli(
        capsys,
        "share",
        "open",
        str(doc["file"]),
        "--code-stdin",
        "--vault",
        worker_vault,
        "--worker",
        "Jo",
        "--org",
        "Safe Lives",
        "--label",
        "A.B. (Safe Lives)",
    )
    assert r.code == 0, r.err
    assert [(c.label, c.path) for c in caselist.load_cases()] == [("A.B. (Safe Lives)", Path(worker_vault))]
    assert "RECOVERY KEY" in r.out and "Added 1 entry" in r.out
    assert run_cli(capsys, "add", "--vault", worker_vault, "--kind", "gift", "--summary", "Flowers").code == 0
    back = _share(capsys, tmp_path / "back.vlcase", "--vault", worker_vault)
    assert back["incidents"] == 2

    merged = _victim_merges_json(capsys, monkeypatch, back)
    assert merged["added"]["incident"] == 1 and not merged["nothing_new"]
    listed = json.loads(run_cli(capsys, "list", "--json").out)
    flowers = next(i for i in listed if i["summary"] == "Flowers")
    assert flowers["author"] == "support:Jo (Safe Lives)"

    _with_code(monkeypatch, back["code"])
    r = run_cli(capsys, "share", "merge", str(back["file"]), "--code-stdin")
    assert r.code == 0 and "Nothing new" in r.out
    assert len(json.loads(run_cli(capsys, "list", "--json").out)) == 2


def test_exit_codes(
    victim: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "share").code == 2  # no --out
    doc = _share(capsys, tmp_path / "case.vlcase")
    _with_code(monkeypatch, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
    r = run_cli(capsys, "share", "merge", str(doc["file"]), "--code-stdin")
    assert r.code == 3 and "code does not open" in r.err
    raw = bytearray(Path(str(doc["file"])).read_bytes())
    raw[-5] ^= 1
    Path(str(doc["file"])).write_bytes(bytes(raw))
    _with_code(monkeypatch, doc["code"])
    r = run_cli(capsys, "share", "merge", str(doc["file"]), "--code-stdin")
    assert r.code == 1 and "damaged or has been altered" in r.err and "Traceback" not in r.err
    not_case = tmp_path / "note.txt"
    not_case.write_text("hello")
    _with_code(monkeypatch, doc["code"])
    r = run_cli(capsys, "share", "merge", str(not_case), "--code-stdin")
    assert r.code == 2 and "not a Victim Log case file" in r.err
    # An existing vault is never opened over.
    _with_code(monkeypatch, doc["code"])
    r = run_cli(capsys, "share", "open", str(doc["file"]), "--code-stdin", "--worker", "Jo")
    assert r.code == 2 and "already a vault" in r.err
    # The worker says who they are: what they add comes back as theirs.
    r = run_cli(capsys, "share", "open", str(doc["file"]), "--code-stdin", "--vault", str(tmp_path / "n"))
    assert r.code == 2 and "--worker" in r.err


def test_real_process_reads_the_code_from_stdin(
    victim: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _share(capsys, tmp_path / "case.vlcase")
    env = {"VICTIM_LOG_PASSPHRASE": WORKER_PASS}
    for folder, typed, expected in (("w", f"{doc['code']}\n", 0), ("w2", "wrong\n", 3)):
        where = str(tmp_path / folder)
        args = ("share", "open", str(doc["file"]), "--code-stdin", "--vault", where, "--worker", "Jo")
        r = run_proc(*args, env=env, input=typed)
        assert r.code == expected, r.err
    assert not (tmp_path / "w2").exists()


def test_no_diary_text_or_code_leaks(
    victim: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    r = run_cli(capsys, "share", "--out", str(tmp_path / "case.vlcase"))
    assert r.code == 0 and CANARY not in r.out + r.err
    code = next(line.strip() for line in r.out.splitlines() if line.startswith("    "))
    raw = (tmp_path / "case.vlcase").read_bytes()
    assert CANARY.encode() not in raw and code.encode() not in raw
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", WORKER_PASS)
    _with_code(monkeypatch, code)
    r = run_cli(
        capsys,
        "share",
        "open",
        str(tmp_path / "case.vlcase"),
        "--code-stdin",
        "--vault",
        str(tmp_path / "w"),
        "--worker",
        "Jo",
    )
    assert r.code == 0 and CANARY not in r.out + r.err and code not in r.out + r.err
    _with_code(monkeypatch, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
    r = run_cli(
        capsys,
        "share",
        "merge",
        str(tmp_path / "case.vlcase"),
        "--code-stdin",
        "--vault",
        str(tmp_path / "w"),
    )
    assert r.code == 3 and CANARY not in r.out + r.err
    # Nothing of the diary anywhere on disk in readable form: the vaults, the case
    # file, temp and state folders, the log.
    assert scan([tmp_path], CANARY) == []
    assert scan([tmp_path], code) == []  # the code is kept nowhere


def test_the_json_fields_are_documented() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "export-format.md").read_text(encoding="utf-8")
    rows = {line.split(" | ")[0]: line for line in doc.splitlines() if line.startswith("| share")}
    share = next(v for k, v in rows.items() if k.startswith("| share (`share --out"))
    merge = next(v for k, v in rows.items() if k.startswith("| share merge"))
    assert all(f"`{f}`" in share for f in SHARE_FIELDS)
    assert all(f"`{f}`" in merge for f in MERGE_FIELDS)


def test_a_summary_edited_here_and_details_there_merge_without_a_conflict(
    victim: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's round trip with the lead's case: the victim corrects entry 1's
    summary while the worker adds its details; the merge combines them, the victim's
    summary stays what the diary shows, and a field edited on both sides is named."""
    worker_vault = _worker_opens(capsys, monkeypatch, tmp_path)
    r = run_cli(capsys, "edit", "1", "--vault", worker_vault, "--reason", "details", "--details", "At 9pm")
    assert r.code == 0, r.err
    r = run_cli(capsys, "edit", "1", "--vault", worker_vault, "--reason", "place", "--where", "Their road")
    assert r.code == 0, r.err
    back = _share(capsys, tmp_path / "back.vlcase", "--vault", worker_vault)
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "edit", "1", "--reason", "reworded", "--summary", "Threat again").code == 0
    assert run_cli(capsys, "edit", "1", "--reason", "mine", "--where", "My road").code == 0
    _with_code(monkeypatch, back["code"])
    r = run_cli(capsys, "share", "merge", str(back["file"]), "--code-stdin", "--json")
    assert r.code == 0, r.err
    merged = json.loads(r.out)
    (conflict,) = merged["conflicts"]
    assert "Where" in conflict and "road" not in conflict and merged["versions"] == 3
    shown = json.loads(run_cli(capsys, "show", "1", "--json").out)
    assert (shown["summary"], shown["details"], shown["location"]) == ("Threat again", "At 9pm", "My road")


def test_merge_json_names_the_entries_the_worker_deleted_and_deletes_none(
    victim: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``to_delete``: this vault's ids, for a script to offer ``delete``; never done for it."""
    mine = json.loads(run_cli(capsys, "list", "--json").out)[0]["id"]
    worker_vault = _worker_opens(capsys, monkeypatch, tmp_path)
    theirs = json.loads(run_cli(capsys, "list", "--json", "--vault", worker_vault).out)[0]["id"]
    assert (
        run_cli(capsys, "delete", str(theirs), "--reason", "a duplicate", "--vault", worker_vault).code == 0
    )
    back = _share(capsys, tmp_path / "back.vlcase", "--vault", worker_vault)

    merged = _victim_merges_json(capsys, monkeypatch, back)
    assert merged["to_delete"] == [mine] and len(merged["deletions"]) == 1 and merged["nothing_new"]
    assert [i["id"] for i in json.loads(run_cli(capsys, "list", "--json").out)] == [mine]  # still here
