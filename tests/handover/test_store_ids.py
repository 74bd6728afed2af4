"""store/handover.py: stable ids kept for records that came from elsewhere (#18)."""

from __future__ import annotations

from typing import Any

from victim_log.model import IncidentData
from victim_log.store import handover as store


def test_kept_ids_are_found_and_never_replaced(vault: Any) -> None:
    iid = vault.add_incident(IncidentData(summary="A call"))
    with vault.transaction() as tx:
        store.remember(tx.conn, [("other/incident/7", "incident", iid, 0)])
        store.remember(tx.conn, [("other/incident/7", "incident", 99, 0)])  # ignored
        assert store.local_of(tx.conn, "other/incident/7") == ("incident", iid, 0)
        assert store.local_of(tx.conn, "nowhere/incident/1") is None
        assert store.kept_uids(tx.conn) == {("incident", iid, 0): "other/incident/7"}
        records = dict(store.records_of_kind(tx.conn, "incident"))
    assert [v.version for v in records[iid]] == [1]
    assert store.derived_uid("abc", "incident", 3) == "abc/incident/3"
    assert store.derived_uid("abc", "incident", 3, 2) == "abc/incident/3/2"
