"""Exports stream (#23.8): the tables, the JSON and the journal go into the bundle a few
hundred rows at a time, the PDF's finished pages are packed, and every byte is the
same as when each file was made whole. No timing here: bench/cases/exportmem.py
measures the memory of a 100,000-incident export."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fpdf import FPDF

from tests.helpers import PASSPHRASE
from victim_log.demo import fill_demo
from victim_log.export import bundle
from victim_log.export import pdf
from victim_log.export import tables
from victim_log.export.bagit_zip import PayloadEntry
from victim_log.export.case import ExportCase
from victim_log.export.case import ExportOptions
from victim_log.export.case import build_case
from victim_log.export.case import case_to_json
from victim_log.vault import Vault

EXPORTED_AT = "2026-09-06T14:03:00+01:00"


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vault]:
    v, _ = Vault.create(tmp_path_factory.mktemp("streaming") / "v", PASSPHRASE)
    fill_demo(v, total=40)
    yield v
    v.lock()


@pytest.fixture(scope="module")
def case(vault: Vault) -> ExportCase:
    return build_case(vault, ExportOptions(initials="SM"), exported_at=EXPORTED_AT)


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(tables, "BATCH", 7)
    return 7


def _whole_json(case: ExportCase, ensure_ascii: bool = False) -> bytes:
    text = json.dumps(case_to_json(case), ensure_ascii=ensure_ascii, indent=2) + "\n"
    return text.encode("ascii" if ensure_ascii else "utf-8")


@pytest.mark.parametrize("context", [0, 1, 9])
def test_streamed_json_is_one_json_dumps(case: ExportCase, small_batches: int, context: int) -> None:
    with_context = replace(case, context=case.incidents[:context])
    chunks = list(tables.timeline_json_chunks(with_context))
    assert len(chunks) > len(case.incidents) // small_batches  # streamed, not one piece
    assert b"".join(chunks) == _whole_json(with_context)


def test_streamed_json_of_no_incidents(case: ExportCase) -> None:
    empty = replace(case, incidents=(), context=())
    assert tables.timeline_json(empty) == _whole_json(empty)


def test_streamed_json_with_a_lone_surrogate_is_all_escaped(case: ExportCase, small_batches: int) -> None:
    last = replace(case.incidents[-1], details="a\ud800b")
    bad = replace(case, incidents=(*case.incidents[:-1], last))
    assert tables.timeline_json(bad) == _whole_json(bad, ensure_ascii=True)


def test_csv_rows_are_made_a_batch_at_a_time(
    case: ExportCase, small_batches: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[int] = []
    real_row = tables._timeline_row

    def row(i: Any) -> list[object]:
        made.append(i.id)
        return real_row(i)

    monkeypatch.setattr(tables, "_timeline_row", row)
    chunks = tables.timeline_csv_chunks(case)
    chunk = next(chunks)
    assert len(made) == small_batches  # the first chunk is out before the other rows are made
    rest = list(chunks)
    assert len(made) == len(case.incidents)
    assert len(rest) >= 2
    # The same bytes as the whole file written in one go:
    whole = io.StringIO()
    whole.write("\ufeff")
    writer = csv.writer(whole, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(tables.TIMELINE_COLUMNS)
    writer.writerows([tables.safe_cell(v) for v in real_row(i)] for i in case.incidents)
    assert b"".join([chunk, *rest]) == whole.getvalue().encode("utf-8")


def test_json_entries_are_dumped_a_batch_at_a_time(
    case: ExportCase, small_batches: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    dumped: list[int] = []
    real = tables.incident_json

    def incident_json(i: Any) -> dict[str, object]:
        dumped.append(i.id)
        return real(i)

    monkeypatch.setattr(tables, "incident_json", incident_json)
    chunks = tables.timeline_json_chunks(case)
    for chunk in chunks:  # up to the first batch of entries
        if b'"reference": "Entry' in chunk:
            break
    # The quick first pass (is it all UTF-8?) turned each entry once, then one batch:
    assert len(dumped) == len(case.incidents) + small_batches
    list(chunks)
    assert len(dumped) == 2 * len(case.incidents)


def test_bundle_streams_the_tables_and_the_journal(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, tuple[object, bytes]] = {}
    real_write = bundle.write_bag_zip

    def write_bag_zip(dest: Path, bag_name: str, payload: list[PayloadEntry], **kw: Any) -> Any:
        entries = []
        for entry in payload:
            source = entry.source()
            data = b"".join(source)  # type: ignore[arg-type]
            seen[entry.path] = (source, data)
            entries.append(PayloadEntry.from_bytes(entry.path, data))
        return real_write(dest, bag_name, entries, **kw)

    monkeypatch.setattr(bundle, "write_bag_zip", write_bag_zip)
    out = tmp_path / "b.zip"
    bundle.export(vault, out, ExportOptions(initials="SM"), timestamp=1_780_000_000)
    for name in ("timeline.csv", "timeline.json", "versions.csv", "journal.jsonl"):
        source, _ = seen[name]
        assert isinstance(source, Iterator), name  # made as it is written, never whole first
    with zipfile.ZipFile(out) as zf:
        stem = zf.namelist()[0].split("/")[0]
        for name in ("timeline.csv", "timeline.json", "versions.csv", "journal.jsonl"):
            assert zf.read(f"{stem}/data/{name}") == seen[name][1]


def test_streamed_bundle_has_the_same_files_as_one_made_whole(vault: Vault, tmp_path: Path) -> None:
    """Two exports of the same log at the same moment: the streamed tables equal the
    whole-file writers', byte for byte, and the bundle verifies."""
    from victim_log.verify import verify_bundle

    out = tmp_path / "b.zip"
    bundle.export(vault, out, ExportOptions(initials="SM"), timestamp=1_780_000_000)
    with zipfile.ZipFile(out) as zf:
        stem = zf.namelist()[0].split("/")[0]
        doc = json.loads(zf.read(f"{stem}/data/timeline.json"))
        csv_bytes = zf.read(f"{stem}/data/timeline.csv")
    case = build_case(
        vault,
        ExportOptions(initials="SM"),
        exported_at=doc["exported_at"],
        fingerprint=doc["signing_key"]["fingerprint"],
    )
    assert csv_bytes == tables.timeline_csv(case)
    assert verify_bundle(out).valid


def test_finished_pdf_pages_are_packed_and_the_bytes_unchanged(
    case: ExportCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    kinds: list[str] = []
    real_output = FPDF.output

    def output(self: FPDF, *args: Any, **kwargs: Any) -> Any:
        kinds.extend(type(p.contents).__name__ for p in self.pages.values())
        return real_output(self, *args, **kwargs)

    monkeypatch.setattr(FPDF, "output", output)
    packed = bytes(pdf.pdf_bytes(case))
    assert len(kinds) > 5
    assert set(kinds[:-1]) == {"_PackedPage"}  # every finished page; the last one is still open
    kinds.clear()
    monkeypatch.setattr(pdf._Doc, "add_page", FPDF.add_page)  # fpdf2 alone: nothing packed
    monkeypatch.setattr(pdf, "_Producer", pdf.OutputProducer)
    plain = bytes(pdf.pdf_bytes(case))
    assert set(kinds) == {"bytearray"}
    assert packed == plain
