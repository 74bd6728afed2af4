"""The unit of work (#15.1): ``with vault.transaction() as tx:`` composes changes in one
SQLite transaction; nested use joins; a failure anywhere saves nothing; errors are told
apart by type, never by their wording."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlcipher3

from tests.helpers import PASSPHRASE
from victim_log.errors import BadInput
from victim_log.errors import DiskFull
from victim_log.errors import NotFound
from victim_log.errors import VaultCorrupt
from victim_log.model import IncidentData
from victim_log.model import OrderData
from victim_log.model import PersonData
from victim_log.store import db
from victim_log.store import journal
from victim_log.store.records import BatchState
from victim_log.store.transaction import PartFailed
from victim_log.store.transaction import Transaction
from victim_log.vault import Vault


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    v, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    yield v
    v.lock()


def _state(v: Vault) -> tuple[int, int, int, int, tuple[int, str]]:
    """Incidents, people, exhibits, orders and the journal head."""
    return (
        v.count_incidents(),
        len(v.list_people()),
        len(v.evidence.items(include_removed=True)),
        len(v.list_orders()),
        journal.head(v.conn),
    )


def _blob_files(v: Vault) -> list[Path]:
    return [p for p in (v.path / "blobs").rglob("*") if p.is_file()]


def test_changes_compose_in_one_transaction(vault: Vault) -> None:
    with vault.transaction("the test") as tx:
        pid = tx.person_by_name("Dan Marsh")
        first = tx.add_incident(IncidentData(summary="Texts all night", people=(pid,)))
        more = tx.add_incidents(
            [(IncidentData(summary=f"Call {i}").validated(), ()) for i in range(3)], "imported"
        )
        oid = tx.add_order(OrderData(order_type="SPO", person_id=pid))
        tx.edit_incident(first, IncidentData(summary="Texts all night, 40 of them", people=(pid,)), "count")
        tx.put_meta("test:key", "value")
        tx.record_event("test_event", {"n": 1})
    assert more == [first + 1, first + 2, first + 3]
    assert vault.get_incident(first).version == 2
    assert vault.get_person(pid).data.name == "Dan Marsh"
    assert vault.get_order(oid).data.person_id == pid
    assert vault.get_meta("test:key") == "value"
    assert [e.action for e in journal.entries(vault.conn)][-2:] == ["edit", "test_event"]
    assert vault.check().ok
    assert vault.search("night")[0].id == first  # the index followed


def test_an_error_in_the_block_saves_nothing(vault: Vault) -> None:
    vault.add_incident(IncidentData(summary="Before"))
    before = _state(vault)

    def half_then_fail() -> None:
        with vault.transaction() as tx:
            tx.person_by_name("Dan Marsh")
            tx.add_incident(IncidentData(summary="Half"))
            tx.record_event("test_event", {})
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        half_then_fail()
    assert _state(vault) == before
    assert vault.check().ok


def test_nested_use_joins_the_open_transaction(vault: Vault) -> None:
    with vault.transaction("outer") as outer:
        pid = vault.add_person(PersonData(name="Dan Marsh"))  # a facade inside: joins
        with vault.transaction("inner") as inner:
            assert inner is outer
            iid = inner.add_incident(IncidentData(summary="Named", people=(pid,)))
        # Nothing is committed until the outer block ends: another connection sees none.
        other = db.connect(vault.path / "vault.db", vault.subkey("sqlcipher"))
        try:
            assert other.execute("SELECT count(*) FROM records").fetchone()[0] == 0
        finally:
            other.close()
    assert vault.get_incident(iid).data.people == (pid,)


def test_a_nested_failure_fails_the_whole_even_if_caught(vault: Vault) -> None:
    before = _state(vault)

    def carry_on_after_a_failure() -> None:
        with vault.transaction("the change") as tx:
            tx.add_incident(IncidentData(summary="Kept?"))
            # The facade joins and fails; the caller carries on, but the transaction is spoilt.
            with contextlib.suppress(NotFound):
                vault.edit_incident(99, IncidentData(summary="x"), "no such entry")

    with pytest.raises(PartFailed):
        carry_on_after_a_failure()
    assert _state(vault) == before


def test_another_thread_does_not_join(vault: Vault) -> None:
    seen: list[object] = []
    with vault.transaction() as tx:

        def other() -> None:
            try:
                with vault.transaction() as mine:
                    seen.append(mine)
            except Exception as exc:  # noqa: BLE001 - recorded for the assertion
                seen.append(exc)

        t = threading.Thread(target=other)
        t.start()
        t.join(10)
        tx.record_event("test_event", {})
    assert seen and seen[0] is not tx  # it got its own (or was refused): never ours


def test_one_person_per_name(vault: Vault) -> None:
    with vault.transaction() as tx:
        a = tx.person_by_name("Dan Marsh")
        b = tx.person_by_name("  dan marsh ")
    assert a == b == vault.person_by_name("DAN MARSH")
    assert len(vault.list_people()) == 1


def test_bulk_transaction_state_is_typed(vault: Vault) -> None:
    with vault.batch("the import") as tx:
        assert tx.bulk and isinstance(tx.batch, BatchState)
        ids = tx.add_incidents([(IncidentData(summary=f"M{i}").validated(), ()) for i in range(5)], "r")
        assert tx.batch.last_ids["incident"] == ids[-1]
        assert tx.batch.head is not None and tx.batch.head[0] == 5
        with vault.transaction() as inner:  # joined: still bulk
            assert inner is tx and inner.bulk
    with vault.transaction() as tx:
        assert not tx.bulk and tx.batch is None
    assert vault.check().ok


def test_attach_files_is_all_or_nothing(vault: Vault, tmp_path: Path) -> None:
    iid = vault.add_incident(IncidentData(summary="Photos"))
    good = tmp_path / "a.jpg"
    good.write_bytes(b"first photo")
    second = tmp_path / "b.jpg"
    second.write_bytes(b"second photo")
    folder = tmp_path / "folder"
    folder.mkdir()
    before = _state(vault)
    with pytest.raises(BadInput, match="not a regular file"):
        vault.attach_files(iid, [good, folder])
    assert _state(vault) == before and _blob_files(vault) == []

    def full(*_a: object, **_k: object) -> None:
        raise DiskFull("The disk is full. Nothing was changed.")

    with pytest.MonkeyPatch.context() as m:
        m.setattr(Transaction, "link_evidence", full)
        with pytest.raises(DiskFull):
            vault.attach_files(iid, [good, second])
    assert _state(vault) == before and _blob_files(vault) == []

    version = vault.attach_files(iid, [good, second, ("c.png", b"pasted")], "two photos and a screenshot")
    assert (
        version.version == 2
        and len(version.evidence) == 3
        and version.reason == "two photos and a screenshot"
    )
    assert [vault.evidence.read_bytes(e) for e in version.evidence] == [
        b"first photo",
        b"second photo",
        b"pasted",
    ]
    # The same file again cites its existing exhibit: nothing new to say.
    assert vault.attach_files(iid, [good]).version == 2
    assert vault.check().ok


def test_attach_files_refuses_a_deleted_entry_before_any_work(vault: Vault, tmp_path: Path) -> None:
    iid = vault.add_incident(IncidentData(summary="Gone"))
    vault.delete_incident(iid, "by mistake")
    f = tmp_path / "a.jpg"
    f.write_bytes(b"x")
    with pytest.raises(BadInput, match="deleted"):
        vault.attach_files(iid, [f])
    assert _blob_files(vault) == []


def _sqlite_error(code: int | None, text: str) -> sqlcipher3.OperationalError:
    exc = sqlcipher3.OperationalError(text)
    if code is not None:
        exc.sqlite_errorcode = code
    return exc


def test_database_errors_are_told_apart_by_code_not_wording() -> None:
    full = db._translate(_sqlite_error(sqlcipher3.SQLITE_FULL, "some other words"), "the test")
    assert isinstance(full, DiskFull)
    busy = db._translate(_sqlite_error(sqlcipher3.SQLITE_BUSY, "x"), "the test")
    assert isinstance(busy, BadInput) and "busy" in str(busy)
    extended = sqlcipher3.SQLITE_IOERR | (3 << 8)  # SQLITE_IOERR_WRITE
    assert not isinstance(db._translate(_sqlite_error(extended, "x"), "the test"), VaultCorrupt)
    # The words alone decide nothing.
    assert isinstance(db._translate(_sqlite_error(None, "database or disk is full"), "t"), VaultCorrupt)


def test_real_sqlite_errors_carry_their_code(tmp_path: Path) -> None:
    conn = sqlcipher3.connect(str(tmp_path / "x.db"))
    with pytest.raises(sqlcipher3.OperationalError) as caught:
        conn.execute("SELEC 1")
    conn.close()
    assert caught.value.sqlite_errorcode == sqlcipher3.SQLITE_ERROR


def test_check_names_a_missing_or_altered_file_by_its_failure(vault: Vault, tmp_path: Path) -> None:
    a, _ = vault.evidence.add_bytes(b"first file", "a.txt")
    b, _ = vault.evidence.add_bytes(b"second file", "b.txt")
    blob = {p.name: p for p in _blob_files(vault)}
    blob[vault.evidence.get(a).blob_id].unlink()
    raw = bytearray(blob[vault.evidence.get(b).blob_id].read_bytes())
    raw[-20] ^= 1
    blob[vault.evidence.get(b).blob_id].write_bytes(bytes(raw))
    problems = vault.check().problems
    assert f"evidence {a} (a.txt): the encrypted file is missing" in problems
    assert f"evidence {b} (b.txt): the encrypted file is damaged or has been altered" in problems


def test_lock_finishes_and_logs_when_closing_fails(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    from victim_log.logs import log_path

    conn = vault.conn

    def broken() -> None:
        raise RuntimeError("close failed")

    monkeypatch.setattr(conn, "close", broken)
    vault.lock()
    assert not vault.is_open
    assert "unexpected RuntimeError" in log_path().read_text()
