"""``check`` reads the journal and the records a page at a time and takes short cuts
that must agree with the full comparison (#23.8): a change deep in a vault bigger
than one page is still found, and a body SQLite would read differently from Python
(a duplicated key) still gets Python's reading."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from victim_log.model import IncidentData
from victim_log.store import journal
from victim_log.store.check import plain_summary_text
from victim_log.vault import Vault

COUNT = journal.PAGE_ROWS + 1_500  # journal and records span more than one page
DEEP = COUNT - 700  # incident DEEP is journal entry DEEP, on the second page


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("deep") / "v"
    vault, _ = Vault.create(path, PASSPHRASE)
    with vault, vault.batch("import") as tx:
        tx.add_incidents(
            [
                (
                    IncidentData(
                        summary=f"Message {i}",
                        details="x " * (i % 5),
                    ).validated(),
                    (),
                )
                for i in range(COUNT)
            ],
            "imported",
        )
    return path


@pytest.fixture
def vault(made: Path, tmp_path: Path) -> Iterator[Vault]:
    copy = tmp_path / "v"
    copy.mkdir()
    for f in made.iterdir():
        if f.is_file():
            (copy / f.name).write_bytes(f.read_bytes())
    v = Vault.open(copy, PASSPHRASE)
    yield v
    v.lock()


def test_large_vault_checks_clean(vault: Vault) -> None:
    report = vault.check()
    assert report.problems == []
    assert report.journal_entries == COUNT and report.incidents == COUNT


def _body(vault: Vault, iid: int) -> str:
    return str(
        vault.conn.execute("SELECT body FROM records WHERE kind = 'incident' AND id = ?", (iid,)).fetchone()[
            0
        ]
    )


def test_altered_record_deep_down_is_found(vault: Vault) -> None:
    body = _body(vault, DEEP).replace(f"Message {DEEP - 1}", f"Message {DEEP - 1}!")
    vault.conn.execute("UPDATE records SET body = ? WHERE kind = 'incident' AND id = ?", (body, DEEP))
    problems = vault.check().problems
    assert any(p.startswith(f"incident {DEEP} version 1 has been altered") for p in problems)
    # ... and the timeline no longer shows what the record says
    assert f"incident {DEEP}: the timeline shows something other than the stored record" in problems


def test_altered_reason_deep_down_is_found(vault: Vault) -> None:
    vault.conn.execute("UPDATE records SET reason = 'typed in' WHERE kind = 'incident' AND id = ?", (DEEP,))
    assert any(p.startswith(f"incident {DEEP} version 1 has been altered") for p in vault.check().problems)


def test_altered_journal_entry_deep_down_is_found(vault: Vault) -> None:
    seq = DEEP
    vault.conn.execute("UPDATE journal SET at = '2020-01-01T00:00:00+00:00' WHERE seq = ?", (seq,))
    assert f"journal entry {seq} has been altered" in vault.check().problems


def test_reworded_journal_detail_deep_down_is_found(vault: Vault) -> None:
    # The same meaning written another way is no longer the canonical text the entry
    # was hashed over: the full comparison reports it too.
    seq = DEEP
    detail = json.loads(vault.conn.execute("SELECT detail FROM journal WHERE seq = ?", (seq,)).fetchone()[0])
    vault.conn.execute("UPDATE journal SET detail = ? WHERE seq = ?", (json.dumps(detail, indent=1), seq))
    assert vault.check().problems == journal.verify_chain(journal.entries(vault.conn))
    assert vault.check().problems == []  # parsed, it is the same detail (as before)


def test_broken_link_and_missing_entry_deep_down_are_found(vault: Vault) -> None:
    vault.conn.execute("DELETE FROM journal WHERE seq = ?", (DEEP,))
    problems = vault.check().problems
    assert problems[0] == f"journal entry {DEEP} is missing (found {DEEP + 1} instead)"
    assert f"incident {DEEP} version 1 has no journal entry (added outside Victim Log)" in problems


def test_timeline_row_deep_down_is_found(vault: Vault) -> None:
    vault.conn.execute("UPDATE incidents SET summary = 'something else' WHERE id = ?", (DEEP,))
    vault.conn.execute("UPDATE incidents SET version = 7 WHERE id = ?", (DEEP + 1,))
    vault.conn.execute("DELETE FROM records WHERE kind = 'incident' AND id = ?", (DEEP + 2,))
    problems = vault.check().problems
    assert f"incident {DEEP}: the timeline shows something other than the stored record" in problems
    assert f"incident {DEEP + 1}: the timeline index is out of date" in problems
    assert f"incident {DEEP + 2} is in the timeline but has no stored record" in problems
    assert f"incident {DEEP + 2} version 1 is missing (journal entry {DEEP + 2})" in problems


def test_duplicated_summary_key_gets_pythons_reading(vault: Vault) -> None:
    # SQLite reads a duplicated key's first value, json.loads its last: a body whose
    # first "summary" matches the timeline but whose last does not is still a mismatch.
    body = _body(vault, DEEP)
    doubled = body.replace('"summary":', '"summary":"Message 0","summary":', 1)
    assert doubled != body
    vault.conn.execute("UPDATE incidents SET summary = 'Message 0' WHERE id = ?", (DEEP,))
    vault.conn.execute("UPDATE records SET body = ? WHERE kind = 'incident' AND id = ?", (doubled, DEEP))
    problems = vault.check().problems
    assert f"incident {DEEP}: the timeline shows something other than the stored record" in problems


@pytest.mark.parametrize(
    ("body", "plain"),
    [
        ('{"data":{"summary":"a"},"evidence":[]}', True),
        ('{"data":{"summary":"a\\nb"},"evidence":[]}', True),
        ('{"data":{"summary":"a","summary":"b"},"evidence":[]}', False),
        ('{"data":{"summary":"a"},"data":{"summary":"b"}}', False),
        ('{"data":{"summ\\u0061ry":"b","summary":"a"}}', False),
        ('{"d\\u0061ta":{"summary":"b"},"data":{"x":1}}', False),
        (b'{"data":{"summary":"a"}}', False),
    ],
)
def test_plain_summary_text(body: object, plain: bool) -> None:
    assert plain_summary_text(body) is plain
