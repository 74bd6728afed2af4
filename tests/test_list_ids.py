"""``list --json`` reads its ids from the timeline index alone (store.index.list_ids,
#23.7): the same incidents in the same order as ``list`` for every filter and page,
and each local time as ``casetime.data_text`` gives it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import vault_path
from victim_log import casetime
from victim_log.cli.json_contract import Lookups
from victim_log.model import IncidentData
from victim_log.store.index import list_ids
from victim_log.vault import IncidentFilter
from victim_log.vault import Vault


@pytest.fixture
def vault() -> Iterator[Vault]:
    v, _ = Vault.create(vault_path(), PASSPHRASE)
    for i in range(12):
        start = "" if i % 5 == 4 else f"2024-0{1 + i % 6}-1{i % 3}T1{i % 4}:00:00+00:00"
        kinds = ("message",) if i % 2 else ("following",)
        v.add_incident(IncidentData(summary=f"Entry {i}", occurred_start=start, kinds=kinds))
    v.delete_incident(3, "typed twice")
    yield v
    v.lock()


@pytest.mark.parametrize(
    ("flt", "page"),
    [
        (IncidentFilter(), {}),
        (IncidentFilter(include_deleted=True), {"oldest_first": True}),
        (IncidentFilter(kinds=("message",)), {"limit": 3}),
        (IncidentFilter(start="2024-02-01", end="2024-04-30"), {"limit": 2, "offset": 1}),
        (IncidentFilter(text="Entry"), {"oldest_first": True, "limit": 5}),
    ],
)
def test_the_ids_are_those_list_lists_in_its_order(
    vault: Vault, flt: IncidentFilter, page: dict[str, Any]
) -> None:
    listed = [r.id for r in vault.list_incidents(flt, **page)]
    assert listed  # each case lists something
    assert list_ids(vault.conn, flt, **page) == listed


def test_local_times_are_the_case_clocks_and_bounded(vault: Vault) -> None:
    casetime.use_vault_zone(vault)
    look = Lookups(vault)
    for text in ("", "2024-03-31T00:30:00+00:00", "2024-03-31T01:30:00+00:00", "2024-03-31T00:30:00+00:00"):
        assert look.local_time(text) == (casetime.data_text(text) if text else "")
    look.times.update((str(i), "x") for i in range(10_001))
    assert look.local_time("2024-10-27T01:30:00+00:00") == casetime.data_text("2024-10-27T01:30:00+00:00")
    assert len(look.times) == 2
