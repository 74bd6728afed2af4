"""data/journal.jsonl is the whole chain 1..N (withheld entries as stubs) and
bag-info.txt signs its head as ``Journal-Head: <seq> <hash>`` (FORMAT-14)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from tests.helpers import PASSPHRASE
from tests.helpers import vault_path
from victim_log.export.bundle import export
from victim_log.export.case import ExportOptions
from victim_log.model import IncidentData
from victim_log.model import PersonData
from victim_log.model import canonical_json
from victim_log.store import journal
from victim_log.vault import Vault


def _member(zip_path: Path, suffix: str) -> bytes:
    with zipfile.ZipFile(zip_path) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(suffix)]
        return zf.read(name)


def _export(tmp_path: Path, name: str, options: ExportOptions) -> tuple[Path, tuple[int, str]]:
    with Vault.open(vault_path(), PASSPHRASE) as v:
        out = tmp_path / name
        export(v, out, options)
        # The export's own journal entry comes after the bundle was written.
        entries = v.journal_entries()
        head_at_export = next((e.seq, e.hash) for e in reversed(entries) if e.action != "export")
    return out, head_at_export


def _make_vault() -> None:
    v, _ = Vault.create(vault_path(), PASSPHRASE)
    v.set_setting("initials", "DE")  # exhibit references need real initials (#16.2)
    pid = v.add_person(PersonData(name="Dan Example"))
    for i in range(4):
        v.add_incident(IncidentData(summary=f"entry {i}", people=(pid,)))
    v.evidence.add_bytes(b"a file", "a.txt", incident_id=2)
    v.edit_incident(3, IncidentData(summary="entry 2 changed", people=(pid,)), "typo")
    v.lock()


def test_journal_is_the_whole_chain_with_withheld_stubs(tmp_path: Path) -> None:
    _make_vault()
    out, head = _export(tmp_path, "some.zip", ExportOptions(incident_ids=(2,)))
    lines = _member(out, "data/journal.jsonl").decode("utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert (rows[-1]["seq"], rows[-1]["hash"]) == head
    prev = journal.GENESIS
    full = withheld = 0
    for line, row in zip(lines, rows, strict=True):
        assert line.encode() == canonical_json(row)  # canonical form, one per line
        assert row["prev"] == prev
        if row.get("withheld"):
            assert row == {"hash": row["hash"], "prev": prev, "seq": row["seq"], "withheld": True}
            withheld += 1
        else:
            body = {k: v for k, v in row.items() if k != "hash"}
            assert journal.entry_hash(body) == row["hash"]
            assert (row["kind"], row["id"]) in {("incident", 2), ("evidence", 1)}
            full += 1
        prev = row["hash"]
    assert full >= 2 and withheld >= 4  # incident 2 (created, edited) + its exhibit
    info = _member(out, "bag-info.txt").decode()
    assert f"Journal-Head: {head[0]} {head[1]}" in info.splitlines()
    assert "Dan Example" not in _member(out, "data/journal.jsonl").decode()


def test_a_later_export_extends_the_earlier_head(tmp_path: Path) -> None:
    _make_vault()
    first, head1 = _export(tmp_path, "first.zip", ExportOptions())
    with Vault.open(vault_path(), PASSPHRASE) as v:
        v.add_incident(IncidentData(summary="later"))
    second, head2 = _export(tmp_path, "second.zip", ExportOptions(incident_ids=(1,)))
    assert head2[0] > head1[0]
    rows = [json.loads(x) for x in _member(second, "data/journal.jsonl").splitlines()]
    assert rows[head1[0] - 1]["hash"] == head1[1]
