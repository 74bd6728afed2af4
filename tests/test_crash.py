"""kill -9 at any point leaves a vault that opens, passes check, and keeps every promise."""

from __future__ import annotations

import pytest

from tests.crash import random_kill_times
from tests.crash import run_driver
from tests.helpers import PASSPHRASE
from tests.helpers import vault_path
from victim_log.crypto import keys
from victim_log.model import IncidentData
from victim_log.store import journal
from victim_log.vault import IncidentFilter
from victim_log.vault import Vault


@pytest.fixture
def vault_ready() -> None:
    v, _ = Vault.create(vault_path(), PASSPHRASE)
    v.add_incident(IncidentData(summary="base incident"))
    v.lock()


def assert_healthy(promised: list[int], kind: str = "incident") -> Vault:
    v = Vault.open(vault_path(), PASSPHRASE, wait=True)
    report = v.check()
    assert report.ok, report.problems
    if kind == "incident":
        stored = {s.id for s in v.list_incidents(IncidentFilter(include_deleted=True))}
        missing = set(promised) - stored
        assert not missing, f"reported as added but lost: {sorted(missing)}"
    elif kind == "evidence":
        stored = {e.id for e in v.evidence.items()}
        assert set(promised) <= stored
    return v


def test_kill_during_200_adds(vault_ready: None, long_run: bool) -> None:
    """Kill the writer at random moments until at least three kills have landed in the
    middle of its loop and the target is reached: how fast adds are on this machine
    decides how many runs that takes, never whether the test proves anything."""
    target = 1000 if long_run else 200
    promised: list[int] = []
    landed = 0
    for delay in random_kill_times(seed=1234, n=60, low=0.2, high=0.5):
        if len(promised) >= target and landed >= 3:
            break
        asked = max(target - len(promised), 400)  # always more than fits before the kill
        done = run_driver("add", asked, start=len(promised), kill_after=delay)
        promised += done
        landed += len(done) < asked
        assert_healthy(promised).lock()
    if len(promised) < target:
        promised += run_driver("add", target - len(promised), start=len(promised))
    v = assert_healthy(promised)
    assert v.count_incidents() >= target + 1
    v.lock()
    assert landed >= 3, "the kills must land mid-loop to prove anything"


@pytest.mark.parametrize("point", ["commit", "os.fsync", "os.replace"])
@pytest.mark.parametrize("op", ["add", "edit", "attach"])
def test_kill_at_write_path_points(vault_ready: None, op: str, point: str) -> None:
    for at in (1, 2, 5):
        promised = run_driver(op, 8, crash_in=point, crash_at=at)
        v = assert_healthy(promised if op == "add" else [], "evidence" if op == "attach" else "incident")
        if op == "edit":
            assert v.get_incident(1).version >= (max(promised) if promised else 1)
        v.lock()


def test_kill_during_passphrase_change(vault_ready: None) -> None:
    for at in (1, 2, 3):
        run_driver("passwd", 3, crash_in="os.replace", crash_at=at)
        assert_healthy([]).lock()
    for delay in (0.05, 0.1, 0.2):
        run_driver("passwd", 5, kill_after=delay)
        assert_healthy([]).lock()


def _big_sms_backup(path, n: int = 3000) -> None:  # type: ignore[no-untyped-def]
    rows = "".join(
        f'<sms protocol="0" address="07700900123" date="{1710273660000 + i * 60000}" type="1" '
        f'body="message number {i} from him" read="1" status="-1" contact_name="Dan Marsh" />\n'
        for i in range(n)
    )
    path.write_text(
        f"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"{n}\">\n{rows}</smses>\n",
        encoding="utf-8",
    )


def _records(v: Vault) -> tuple[int, int]:
    c = v.conn
    return (
        c.execute("SELECT count(*) FROM records").fetchone()[0],
        c.execute("SELECT count(*) FROM journal").fetchone()[0],
    )


def test_kill_during_import_leaves_vault_as_before(vault_ready: None, tmp_path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "sms.xml"
    _big_sms_backup(src)
    v = Vault.open(vault_path(), PASSPHRASE, wait=True)
    before = _records(v)
    v.lock()
    for kw in (
        {"crash_in": "commit", "crash_at": 1},
        {"crash_in": "os.fsync", "crash_at": 2},
        {"kill_after": 0.8},
    ):
        done = run_driver("import", 1, file=str(src), **kw)  # type: ignore[arg-type]
        v = assert_healthy([])
        if not done:
            # All or nothing: a kill that lands after the commit but before the driver
            # says "ok" (a loaded machine) leaves the whole import, never part of it.
            assert _records(v) == before or v.count_incidents() == 3001
        v.lock()
    run_driver("import", 1, file=str(src))
    v = assert_healthy([])
    assert v.count_incidents() == 3001
    v.lock()


def test_kill_during_export_leaves_no_partial_bundle(vault_ready: None, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "e.zip"
    for kw in ({"crash_in": "os.replace", "crash_at": 1}, {"kill_after": 0.5}):
        done = run_driver("export", 1, file=str(out), **kw)  # type: ignore[arg-type]
        if not done:
            assert not out.exists() or __import__("victim_log.verify").verify.verify_bundle(out).valid
        assert_healthy([]).lock()


@pytest.mark.parametrize("op", ["add", "attach", "passwd"])
def test_kill_between_commit_and_anchor_is_no_false_alarm(vault_ready: None, op: str) -> None:
    """The key file's anchor is written after the database commits: a kill in that
    window leaves the database ahead of the anchor, which must open without a
    history warning (and the next unlock moves the anchor up)."""
    for at in (1, 2):
        promised = run_driver(op, 3, crash_in="anchor", crash_at=at)
        v = assert_healthy(promised if op == "add" else [], "evidence" if op == "attach" else "incident")
        assert v.unlock_info.history_warning is None
        assert v.check(blobs=False).history_warning is None
        v.lock()
    v = Vault.open(vault_path(), PASSPHRASE, wait=True)
    assert keys.KeyFile.load(vault_path() / "vault.key").journal_head == journal.head(v.conn)
    v.lock()
