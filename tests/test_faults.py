"""Fault findings of issue #23: every one reproduced, each fails on the code before the fix.

Kill windows run a real process (``tests/fault_proc.py``-style scripts given inline) that
SIGKILLs itself at a chosen point; a full disk is an injected ENOSPC; bad input is
the table in :mod:`tests.fault_cases`.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE, run_cli, vault_path

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)


@pytest.fixture
def vault(env: None, capsys: pytest.CaptureFixture[str]) -> Path:
    assert run_cli(capsys, "init").code == 0
    return vault_path()


def _counts(capsys: pytest.CaptureFixture[str]) -> tuple[int, int]:
    """(incidents, evidence items) in the vault."""
    incidents = json.loads(run_cli(capsys, "list", "--json", "--include-deleted").out)
    evidence = json.loads(run_cli(capsys, "evidence", "list", "--json",
                                  "--include-removed").out)
    return len(incidents), len(evidence)


def _blob_files(path: Path) -> list[Path]:
    return [p for p in (path / "blobs").rglob("*") if p.is_file()]


def _script(body: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(body)]


# ---------------------------------------------------------------------- 1. add --attach


def test_attach_disk_full_while_storing_saves_nothing(
        vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8" + b"x" * 5000)
    from victim_log.crypto import stream

    def full(*a: object, **k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(stream, "encrypt_stream", full)
        r = run_cli(capsys, "add", "--kind", "message", "--summary", "s", "--attach", str(photo))
    assert r.code == 2 and "not enough free disk space" in r.err
    assert _counts(capsys) == (0, 0), "Nothing was changed means nothing"
    assert _blob_files(vault) == []


def test_attach_disk_full_at_commit_saves_nothing(
        vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlcipher3

    from victim_log.evidence import EvidenceStore

    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"picture" * 100)

    def full(*a: object, **k: object) -> None:
        raise sqlcipher3.OperationalError("database or disk is full")

    with monkeypatch.context() as m:
        m.setattr(EvidenceStore, "record_blob", full)
        r = run_cli(capsys, "add", "--kind", "message", "--summary", "s", "--attach",
                    str(photo), "--person", "Dan Marsh")
    assert r.code == 2 and "not enough free disk space" in r.err
    assert _counts(capsys) == (0, 0)
    assert json.loads(run_cli(capsys, "person", "list", "--json").out) == []
    assert _blob_files(vault) == [], "the blob file of a failed add is removed"


def test_attach_non_utf8_file_name_is_stored_losslessly(
        vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = b"Beweis-\xff\xfe.jpg"
    name = os.fsdecode(raw)
    photo = tmp_path / name
    photo.write_bytes(b"picture bytes")
    r = run_cli(capsys, "add", "--kind", "message", "--summary", "s", "--attach", str(photo))
    assert r.code == 0, r.err
    assert _counts(capsys) == (1, 1)
    item = json.loads(run_cli(capsys, "evidence", "list", "--json").out)[0]
    assert item["filename"] == "Beweis-\ufffd\ufffd.jpg"
    r = run_cli(capsys, "show", "1")
    assert r.code == 0 and "Beweis-" in r.out
    from victim_log.vault import Vault

    with Vault.open(vault, PASSPHRASE) as v:
        body = json.loads(v.conn.execute(
            "SELECT body FROM records WHERE kind='evidence' AND id=1").fetchone()[0])
    assert bytes.fromhex(body["filename_bytes"]) == raw
    assert run_cli(capsys, "check").code == 0


KILL_AFTER_FIRST_COMMIT = """
    import os, signal, sys
    from victim_log.store import db
    real = db.transaction
    import contextlib
    @contextlib.contextmanager
    def tx(conn, what=""):
        with real(conn, what) as c:
            yield c
        os.kill(os.getpid(), signal.SIGKILL)
    db.transaction = tx
    from victim_log.cli import main
    main(sys.argv[1:])
"""

KILL_AT_REPLACE = """
    import os, signal, sys
    real = os.replace
    def replace(*a, **k):
        os.kill(os.getpid(), signal.SIGKILL)
    os.replace = replace
    from victim_log.cli import main
    main(sys.argv[1:])
"""


@pytest.mark.parametrize("script", [KILL_AFTER_FIRST_COMMIT, KILL_AT_REPLACE])
def test_kill_in_the_attach_window_leaves_all_or_nothing(
        vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], script: str) -> None:
    files = []
    for i in range(2):
        f = tmp_path / f"shot{i}.png"
        f.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes([i]) * 4000)
        files.append(f)
    args = ["add", "--kind", "message", "--summary", "s"]
    for f in files:
        args += ["--attach", str(f)]
    proc = subprocess.run(_script(script) + args, cwd=ROOT, env=dict(os.environ),
                          capture_output=True, timeout=60, check=False)
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    incidents, evidence = _counts(capsys)
    assert (incidents, evidence) in ((0, 0), (1, 2))
    if incidents:
        doc = json.loads(run_cli(capsys, "show", "1", "--json").out)
        assert len(doc["evidence"]) == 2 and doc["version"] == 1


RACE_FIND = """
    import os, sys, time
    from pathlib import Path
    from victim_log.vault import Vault
    tag, other = sys.argv[1], sys.argv[2]
    real = Vault.find_person
    def find(self, name):
        found = real(self, name)
        if found is None:
            Path(tag).touch()
            end = time.time() + 2
            while not Path(other).exists() and time.time() < end:
                time.sleep(0.02)
        return found
    Vault.find_person = find
    from victim_log.cli import main
    sys.exit(main(sys.argv[3:]))
"""


def test_two_adds_naming_the_same_new_person_make_one_person(
        vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    args = ["add", "--kind", "message", "--summary", "s", "--person", "Dan Marsh"]
    procs = [subprocess.Popen(_script(RACE_FIND) + [x, y, *args], cwd=ROOT,
                              env=dict(os.environ), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
             for x, y in ((a, b), (b, a))]
    for p in procs:
        _out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()[-2000:]
    people = json.loads(run_cli(capsys, "person", "list", "--json").out)
    assert [p["name"] for p in people] == ["Dan Marsh"]
    rows = json.loads(run_cli(capsys, "list", "--json").out)
    assert len(rows) == 2 and {r["people"][0]["id"] for r in rows} == {people[0]["id"]}


# ---------------------------------------------------------------------- 2. bad input table

from tests.fault_cases import CASES, Case  # noqa: E402 - the table sits beside its runner

INTERNAL = "something went wrong inside"


@pytest.fixture(scope="module")
def table_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One vault and one folder of odd things for every case (cases change nothing
    that another case looks at)."""
    import socket

    from victim_log.model import IncidentData, OrderData, PersonData
    from victim_log.vault import Vault

    base = tmp_path_factory.mktemp("table")
    t = base / "things"
    t.mkdir()
    (t / "file.txt").write_text("hello\n")
    (t / "empty.txt").write_bytes(b"")
    (t / "binary.bin").write_bytes(b"\xff\xfe\x00bad")
    (t / "chat.txt").write_text("01/02/2026, 10:00 - Dan: hello\n")
    (t / "folder").mkdir()
    os.mkfifo(t / "fifo")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(t / "sock"))
    sock.close()
    os.symlink(t / "loop2", t / "loop")
    os.symlink(t / "loop", t / "loop2")
    os.symlink(t / "gone", t / "dangling")
    os.symlink(t / "file.txt", t / "link")
    for name, minor in (("full", 7), ("null", 3)):  # never the real ones: see fault_cases
        try:
            os.mknod(t / name, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
        except PermissionError:
            os.mkfifo(t / name)  # not root: a FIFO is refused the same way
    v = base / "vault"
    vault, _recovery = Vault.create(v, PASSPHRASE)
    with vault:
        pid = vault.add_person(PersonData(name="Dan Marsh"))
        vault.add_incident(IncidentData(summary="Café visit", kinds=("message",),
                                        occurred_start="2026-03-04T21:15", people=(pid,)))
        vault.add_order(OrderData(order_type="SPO", conditions=("No contact", "Stay away")))
        vault.evidence.add(t / "file.txt", incident_id=1)
    return v, t


def _fill(arg: str, v: Path, t: Path) -> str:
    return arg.replace("{t}", str(t)).replace("{v}", str(v))


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 100
    assert len({(c.args, tuple(c.env.items())) for c in CASES}) == len(CASES), "no case twice"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_table(case: Case, table_world: tuple[Path, Path],
                         capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    v, t = table_world
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("VICTIM_LOG_VAULT", str(v))
    args = [_fill(a, v, t) for a in case.args]
    if case.env:
        proc = subprocess.run([sys.executable, "-m", "victim_log.cli", *args], cwd=ROOT,
                              env={**os.environ, **case.env}, capture_output=True,
                              timeout=60, check=False)
        code, out, err = (proc.returncode, proc.stdout.decode("ascii"),
                          proc.stderr.decode("ascii"))
    else:
        from victim_log.cli import main

        code = main(args)
        captured = capsys.readouterr()
        out, err = captured.out, captured.err
    assert INTERNAL not in err and "Traceback" not in err, err
    assert code == case.code, (code, err[-500:])
    if code:
        assert err.startswith("victim-log:") and case.message in err, err[-500:]
        assert len(err.strip().splitlines()) == 1, err
    else:
        assert case.message in out, out[-500:]
