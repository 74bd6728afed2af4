"""The journal read a page at a time (#23.8): the same entries, in the same order, as
reading it whole, so an export can stream ``journal.jsonl``."""

from __future__ import annotations

import pytest

from victim_log.model import IncidentData
from victim_log.store import journal
from victim_log.vault import Vault


def test_paged_entries_match_whole(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    v, _ = Vault.create(tmp_path / "vault", "correct horse battery staple")
    try:
        for n in range(7):
            v.add_incident(IncidentData(summary=f"entry {n}"))
        monkeypatch.setattr(journal, "PAGE_ROWS", 3)  # several pages, one short
        whole = v.journal_entries()
        assert len(whole) == 7  # three pages: 3, 3 and 1
        assert list(v.iter_journal_entries()) == whole
        assert [row[0] for row in journal.times(v.conn)] == [e.seq for e in whole]
    finally:
        v.lock()
