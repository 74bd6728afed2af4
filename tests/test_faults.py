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
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.helpers import vault_path

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
    evidence = json.loads(run_cli(capsys, "evidence", "list", "--json", "--include-removed").out)
    return len(incidents), len(evidence)


def _blob_files(path: Path) -> list[Path]:
    return [p for p in (path / "blobs").rglob("*") if p.is_file()]


def _script(body: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(body)]


# ---------------------------------------------------------------------- 1. add --attach


def test_attach_disk_full_while_storing_saves_nothing(
    vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
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
    vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlcipher3

    from victim_log.evidence import EvidenceStore

    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"picture" * 100)

    def full(*a: object, **k: object) -> None:
        exc = sqlcipher3.OperationalError("database or disk is full")
        exc.sqlite_errorcode = sqlcipher3.SQLITE_FULL  # as SQLite's own errors carry it
        raise exc

    with monkeypatch.context() as m:
        m.setattr(EvidenceStore, "record_blob", full)
        r = run_cli(
            capsys,
            "add",
            "--kind",
            "message",
            "--summary",
            "s",
            "--attach",
            str(photo),
            "--person",
            "Dan Marsh",
        )
    assert r.code == 2 and "not enough free disk space" in r.err
    assert _counts(capsys) == (0, 0)
    assert json.loads(run_cli(capsys, "person", "list", "--json").out) == []
    assert _blob_files(vault) == [], "the blob file of a failed add is removed"


def test_attach_non_utf8_file_name_is_stored_losslessly(
    vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
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
        body = json.loads(
            v.conn.execute("SELECT body FROM records WHERE kind='evidence' AND id=1").fetchone()[0]
        )
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
    vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], script: str
) -> None:
    files = []
    for i in range(2):
        f = tmp_path / f"shot{i}.png"
        f.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes([i]) * 4000)
        files.append(f)
    args = ["add", "--kind", "message", "--summary", "s"]
    for f in files:
        args += ["--attach", str(f)]
    proc = subprocess.run(
        _script(script) + args, cwd=ROOT, env=dict(os.environ), capture_output=True, timeout=60, check=False
    )
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
    vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    args = ["add", "--kind", "message", "--summary", "s", "--person", "Dan Marsh"]
    procs = [
        subprocess.Popen(
            _script(RACE_FIND) + [x, y, *args],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for x, y in ((a, b), (b, a))
    ]
    for p in procs:
        _out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()[-2000:]
    people = json.loads(run_cli(capsys, "person", "list", "--json").out)
    assert [p["name"] for p in people] == ["Dan Marsh"]
    rows = json.loads(run_cli(capsys, "list", "--json").out)
    assert len(rows) == 2 and {r["people"][0]["id"] for r in rows} == {people[0]["id"]}


# ---------------------------------------------------------------------- 2. bad input table

from tests.fault_cases import CASES  # noqa: E402 - the table sits beside its runner
from tests.fault_cases import Case  # noqa: E402 - the table sits beside its runner

INTERNAL = "something went wrong inside"


@pytest.fixture(scope="module")
def table_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One vault and one folder of odd things for every case (cases change nothing
    that another case looks at)."""
    import socket

    from victim_log.model import IncidentData
    from victim_log.model import OrderData
    from victim_log.model import PersonData
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
        vault.add_incident(
            IncidentData(
                summary="Café visit", kinds=("message",), occurred_start="2026-03-04T21:15", people=(pid,)
            )
        )
        vault.add_order(OrderData(order_type="SPO", conditions=("No contact", "Stay away")))
        vault.evidence.add(t / "file.txt", incident_id=1)
        vault.set_setting("initials", "DM")  # exhibit references need real initials (#16.2)
    return v, t


def _fill(arg: str, v: Path, t: Path) -> str:
    return arg.replace("{t}", str(t)).replace("{v}", str(v))


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 100
    assert len({(c.args, tuple(c.env.items())) for c in CASES}) == len(CASES), "no case twice"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_table(
    case: Case,
    table_world: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    v, t = table_world
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("VICTIM_LOG_VAULT", str(v))
    args = [_fill(a, v, t) for a in case.args]
    if case.env:
        proc = subprocess.run(
            [sys.executable, "-m", "victim_log.cli", *args],
            cwd=ROOT,
            env={**os.environ, **case.env},
            capture_output=True,
            timeout=60,
            check=False,
        )
        code, out, err = (proc.returncode, proc.stdout.decode("ascii"), proc.stderr.decode("ascii"))
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


# ---------------------------------------------------------------------- 4. leftovers of a crash

KILL_AT_LAST_RENAME = """
    import os, signal, sys
    real = os.replace
    def replace(src, dst, *a, **k):
        if str(dst).endswith("b.zip"):  # the finished file is about to get its name
            os.kill(os.getpid(), signal.SIGKILL)
        return real(src, dst, *a, **k)
    os.replace = replace
    from victim_log.cli import main
    main(sys.argv[1:])
"""


def test_leftovers_are_cleaned_at_the_next_open_and_check_says_so(
    vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from victim_log.fsutil import hold_lock

    (vault / "blobs" / "ab").mkdir(parents=True, exist_ok=True)
    (vault / "blobs" / "ab" / ".tmp-partial1").write_bytes(b"x" * 3_000_000)
    (vault / ".tmp-key123").write_bytes(b"{}")
    staging = vault.parent / ".restore-old1"
    staging.mkdir()
    (staging / "vault.key").write_bytes(b"a copy of the key file")
    busy = vault / "blobs" / "ab" / ".tmp-busy"  # another window is writing this one
    busy.write_bytes(b"y")
    fd = os.open(busy, os.O_RDONLY)
    hold_lock(fd)
    try:
        r = run_cli(capsys, "check")
    finally:
        os.close(fd)
    assert r.code == 0, r.out + r.err
    assert not (vault / "blobs" / "ab" / ".tmp-partial1").exists()
    assert not (vault / ".tmp-key123").exists()
    assert not staging.exists(), "no copy of the key file is left beside a restore"
    assert busy.exists(), "a temp file in use is never removed"
    assert r.out.count("Cleaned up") == 3
    assert "partial evidence file" in r.out and "restore folder" in r.out
    assert "2.9 MB" in r.out
    busy.unlink()
    r = run_cli(capsys, "check", "--json")
    assert json.loads(r.out)["cleaned"] == []


@pytest.mark.parametrize("command", ["backup", "export"])
def test_partial_backup_or_export_killed_is_cleaned_next_time(
    vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    run_cli(capsys, *ADD_ONE)
    out_dir = tmp_path / "usb"
    out_dir.mkdir()
    proc = subprocess.run(
        _script(KILL_AT_LAST_RENAME) + [command, "--out", str(out_dir / "b.zip")],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    assert [p.name[:5] for p in out_dir.iterdir()] == [".tmp-"], "the kill left its temp file"
    r = run_cli(capsys, "check")
    assert r.code == 0 and f"a partial {command} file" in r.out, r.out
    assert list(out_dir.iterdir()) == []
    assert "Cleaned up" not in run_cli(capsys, "check").out


ADD_ONE = ("add", "--kind", "message", "--summary", "Texts", "--when", "2026-03-04T21:15")


# ---------------------------------------------------------------------- 6. a date far outside


@pytest.mark.parametrize("year", ["9999-12-31T12:00:00+00:00", "2205-03-04T10:00:00+00:00"])
def test_one_entry_dated_far_away_neither_stops_nor_bloats_exports(
    vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], year: str
) -> None:
    from victim_log.export.case import ExportOptions
    from victim_log.export.case import build_case
    from victim_log.model import IncidentData
    from victim_log.vault import Vault

    with Vault.open(vault, PASSPHRASE) as v:
        for day in ("2026-03-04T21:15", "2026-03-20T09:00", "2026-04-02T18:30"):
            v.add_incident(IncidentData(summary="Texts", kinds=("message",), occurred_start=day))
        v.add_incident(IncidentData(summary="Typo", kinds=("message",), occurred_start=year))
        case = build_case(v, ExportOptions(), exported_at="2026-06-01T10:00:00+00:00")
    assert len(case.per_week) <= 10 and len(case.per_month) <= 3
    assert case.last_incident.startswith("2026-04")
    assert any("Entry 4 is dated" in n and "after this export" in n for n in case.date_notes)
    for fmt in ("pdf", "csv", "json", "bundle"):
        out = tmp_path / f"e.{fmt}"
        r = run_cli(capsys, "export", "--out", str(out), "--format", fmt)
        assert r.code == 0, r.err
        assert out.stat().st_size < 400_000
    doc = json.loads((tmp_path / "e.json").read_text())
    assert doc["date_notes"] and len(doc["counts"]["per_week"]) <= 10
    pdf = (tmp_path / "e.pdf").read_bytes()
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page>") + pdf.count(b"/Type /Page/") < 12


def test_period_counts_are_bounded_whatever_the_dates() -> None:
    from datetime import date

    from victim_log.export.case import MAX_PERIODS
    from victim_log.export.case import _period_counts

    dated = [(date(1, 1, 1), False), (date(9999, 12, 31), True)]
    for monthly in (False, True):
        periods = _period_counts(dated, monthly)
        assert len(periods) <= MAX_PERIODS + 2
        assert sum(p.count for p in periods) == 2 and periods[-1].start == (
            "9999-12-01" if monthly else "9999-12-27"
        )


# ---------------------------------------------------------------------- the clock set back


def test_clock_set_back_is_reported_by_check_and_noted_in_the_export(
    vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from victim_log import clock

    for stamp in ("2026-05-01T10:00:00+00:00", "2026-04-01T10:00:00+00:00"):
        with monkeypatch.context() as m:
            m.setattr(clock, "now_iso", lambda stamp=stamp: stamp)
            assert run_cli(capsys, *ADD_ONE).code == 0
    r = run_cli(capsys, "check")
    assert r.code == 0
    assert "Note: journal entry" in r.out and "clock was set back" in r.out
    assert json.loads(run_cli(capsys, "check", "--json").out)["warnings"]
    assert run_cli(capsys, "export", "--out", str(tmp_path / "t.json"), "--format", "json").code == 0
    notes = json.loads((tmp_path / "t.json").read_text())["date_notes"]
    assert any("clock went back" in n for n in notes)


# ---------------------------------------------------------------------- 5. disk full, exactly


def _journal_full(*a: object, **k: object) -> None:
    from victim_log.errors import DiskFull

    raise DiskFull("There is not enough free disk space to save the journal. Nothing was changed.")


def test_passwd_whose_journal_entry_fails_says_the_passphrase_was_changed(
    vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from victim_log.store.transaction import Transaction
    from victim_log.vault import Vault

    new = "a brand new passphrase here"
    with monkeypatch.context() as m:
        m.setenv("VICTIM_LOG_NEW_PASSPHRASE", new)
        m.setattr(Transaction, "record_event", _journal_full)
        r = run_cli(capsys, "passwd")
    assert r.code == 0, r.err
    assert "WAS changed" in r.out and "does not record the change" in r.err
    assert "Nothing was changed" not in r.out + r.err
    Vault.open(vault, new).lock()


@pytest.mark.parametrize("command", ["backup", "export"])
def test_backup_or_export_complete_while_the_vault_disk_is_full_says_so(
    vault: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    from victim_log.vault import Vault

    run_cli(capsys, *ADD_ONE)
    out = tmp_path / "other-disk.zip"
    with monkeypatch.context() as m:
        m.setattr(Vault, "record_event", _journal_full)
        r = run_cli(capsys, command, "--out", str(out))
    assert r.code == 0, r.err
    assert out.is_file() and out.stat().st_size > 1000
    assert f"the {command} is complete, but the diary's history does not record it" in r.err
    assert "disk holding the vault is full" in r.err
    assert "Nothing was changed" not in r.err


# ---------------------------------------------------------------------- 7. list --json of an import


def test_list_json_reads_a_shared_exhibit_once_and_matches_show(
    vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from victim_log.evidence import EvidenceStore
    from victim_log.model import IncidentData
    from victim_log.model import PersonData
    from victim_log.vault import Vault

    with Vault.open(vault, PASSPHRASE) as v:
        eid, _ = v.evidence.add_bytes(b"chat export", "WhatsApp Chat.zip")
        pid = v.add_person(PersonData(name="Dan Marsh"))
        with v.batch("import") as tx:
            tx.add_incidents(
                [
                    (
                        IncidentData(summary=f"Message {i}", kinds=("message",), people=(pid,)).validated(),
                        (eid,),
                    )
                    for i in range(60)
                ],
                "imported",
            )
    calls = {"get": 0}
    real = EvidenceStore.get

    def counting(self: EvidenceStore, evidence_id: int) -> object:
        calls["get"] += 1
        return real(self, evidence_id)

    with monkeypatch.context() as m:
        m.setattr(EvidenceStore, "get", counting)
        r = run_cli(capsys, "list", "--json")
    assert r.code == 0
    rows = json.loads(r.out)
    assert len(rows) == 60 and calls["get"] <= 1, calls
    shown = json.loads(run_cli(capsys, "show", str(rows[7]["id"]), "--json").out)
    assert rows[7] == shown


# ---------------------------------------------------------------------- a read-only vault


@pytest.fixture
def read_only_copy(vault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Path]:
    """The vault seen through a read-only bind mount (needs root and mount; else skip)."""
    assert run_cli(capsys, *ADD_ONE).code == 0
    assert run_cli(capsys, "export", "--out", str(tmp_path / "first.zip")).code == 0
    mnt = tmp_path / "ro"
    mnt.mkdir()
    try:
        subprocess.run(
            ["mount", "--bind", str(vault.parent), str(mnt)], check=True, capture_output=True, timeout=20
        )
    except (OSError, subprocess.SubprocessError):
        pytest.skip("cannot make a read-only mount here")
    try:
        subprocess.run(
            ["mount", "-o", "remount,ro,bind", str(mnt)], check=True, capture_output=True, timeout=20
        )
        yield mnt / vault.name
    except subprocess.SubprocessError:
        pytest.skip("cannot make a read-only mount here")
    finally:
        subprocess.run(["umount", str(mnt)], check=False, capture_output=True, timeout=20)


def test_a_read_only_vault_still_lists_checks_and_exports(
    read_only_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ro = str(read_only_copy)
    r = run_cli(capsys, "list", "--vault", ro)
    assert r.code == 0 and "Texts" in r.out, r.err
    r = run_cli(capsys, "check", "--vault", ro)
    assert r.code == 0 and "All good" in r.out, r.err
    r = run_cli(capsys, "export", "--vault", ro, "--out", str(tmp_path / "again.zip"))
    assert r.code == 0, r.err
    assert "the vault's folder is read-only" in r.err and (tmp_path / "again.zip").is_file()
    r = run_cli(capsys, "add", "--vault", ro, "--kind", "message", "--summary", "x")
    assert r.code == 2 and "read-only" in r.err and INTERNAL not in r.err
