"""Threads share the vault's one connection, so they must take turns to write.

The desktop app writes on worker threads (a save, an import, the pattern's counts)
while the window's own thread may save a setting. Before threads took turns, a
second ``BEGIN`` while another thread's transaction was open failed with a plain
SQLite error, reported to a frightened person as "the vault's database reported a
problem" (found by the screen-fit probe in CI: opening the upload batches right
after the pattern view). Now a writer waits for the other's transaction to end,
and says "busy" (exit code 2, nothing changed) only if it does not end in time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest

from tests import pattern_helpers
from victim_log import casetime
from victim_log.errors import EXIT_BAD_INPUT
from victim_log.errors import VaultBusy
from victim_log.model import IncidentData
from victim_log.stats import compute
from victim_log.store import db
from victim_log.store import meta
from victim_log.store import stats as kept
from victim_log.vault import IncidentFilter
from victim_log.vault import Vault

vault = pattern_helpers.vault  # the fixture: a vault on London's clock

TODAY = date(2024, 5, 1)
LONDON = casetime.zone_of("Europe/London")
NEW_YORK = casetime.zone_of("America/New_York")


@contextmanager
def held_on_another_thread(v: Vault) -> Iterator[threading.Event]:
    """Another thread's transaction, open (it has written an entry, not yet
    committed) until the yielded event is set; committed when it is."""
    opened = threading.Event()
    release = threading.Event()
    failures: list[BaseException] = []

    def hold() -> None:
        try:
            with v.transaction("the other thread's save") as tx:
                tx.add_incident(IncidentData(kinds=("phone_call",), summary="Saved by the other thread"))
                opened.set()
                release.wait(60)
        except BaseException as exc:  # reported by the test below, never lost
            failures.append(exc)
            opened.set()

    worker = threading.Thread(target=hold)
    worker.start()
    assert opened.wait(60)
    try:
        yield release
    finally:
        release.set()
        worker.join(60)
    assert not failures, failures


def _summaries(v: Vault) -> list[str]:
    return sorted(r.summary for r in v.list_incidents(IncidentFilter()))


def test_a_save_waits_for_another_threads_transaction_and_both_are_kept(vault: Vault) -> None:
    with held_on_another_thread(vault) as release:
        threading.Timer(0.2, release.set).start()
        vault.set_setting("portal.folder", "/somewhere")  # once "the database reported a problem"
        vault.add_incident(IncidentData(kinds=("message",), summary="Saved by this thread"))
    assert vault.get_setting("portal.folder", "") == "/somewhere"
    assert _summaries(vault) == ["Saved by the other thread", "Saved by this thread"]


def test_a_save_that_cannot_wait_longer_says_busy_and_changes_nothing(vault: Vault) -> None:
    with (
        held_on_another_thread(vault),
        pytest.raises(VaultBusy) as caught,
        db.transaction(vault.conn, "your settings", wait=0.05),
    ):
        pytest.fail("opened a transaction inside another thread's")
    assert caught.value.exit_code == EXIT_BAD_INPUT
    assert "busy" in str(caught.value)
    # The other thread's work was not rolled back by the refused one.
    assert _summaries(vault) == ["Saved by the other thread"]


def test_a_failed_save_on_one_thread_never_undoes_another_threads(vault: Vault) -> None:
    with held_on_another_thread(vault) as release:
        threading.Timer(0.2, release.set).start()
        with pytest.raises(RuntimeError, match="cancelled"):
            _save_then_give_up(vault)
    assert _summaries(vault) == ["Saved by the other thread"]


def _save_then_give_up(v: Vault) -> None:
    with v.transaction("this thread's save") as tx:
        tx.add_incident(IncidentData(kinds=("message",), summary="Given up by this thread"))
        raise RuntimeError("the person cancelled")


def test_the_pattern_counts_do_not_wait_for_a_save_and_stay_right(vault: Vault) -> None:
    vault.add_incident(
        IncidentData(kinds=("phone_call",), summary="An earlier call", occurred_start="2024-04-30T09:00Z")
    )
    kept.tally(vault.conn, IncidentFilter(), LONDON, TODAY)  # kept on London's clock
    with held_on_another_thread(vault):
        # Asked on another clock, the counts would be kept afresh in a transaction:
        # with another thread's open they are counted in memory instead (no wait,
        # no failure), and the kept ones are left as they were.
        during = compute(kept.tally(vault.conn, IncidentFilter(), NEW_YORK, TODAY))
        assert db_meta(vault, kept.ZONE_KEY) == "Europe/London"
    after = compute(kept.tally(vault.conn, IncidentFilter(), NEW_YORK, TODAY))  # kept afresh now
    assert db_meta(vault, kept.ZONE_KEY) == "America/New_York"
    assert during == after and during.total + during.undated == 2


def db_meta(v: Vault, key: str) -> str | None:
    return meta.get(v.conn, key)


def test_a_read_on_another_thread_leaves_an_imports_queued_rows_to_the_import(vault: Vault) -> None:
    """An import queues its inserts; a search on another thread once ran that queue
    while the import was still adding to it (rows added meanwhile could be lost)."""
    seen: list[int] = []
    count = "SELECT count(*) FROM meta WHERE key = 'test.queued'"
    with vault.batch("the import"):
        vault.conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("test.queued", "1"))
        assert vault.conn._queued_rows == 1  # the insert waits in the import's queue
        search = threading.Thread(target=lambda: seen.append(vault.conn.execute(count).fetchone()[0]))
        search.start()
        search.join(60)
        assert vault.conn._queued_rows == 1  # left to the import
    assert seen == [0]  # the search saw what was there before, not half an import
    assert vault.conn.execute(count).fetchone()[0] == 1  # and the import saved it
