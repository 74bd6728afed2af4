"""An export's memory stays bounded (#23.8): the entries are kept packed and read a
batch at a time, never all at once as objects, and the PDF goes out as it is made.
No timing and no absolute memory figure here (bench/cases/exportmem.py measures a
100,000-incident export): these fail if an export starts holding every entry, or
the whole PDF, again."""

from __future__ import annotations

import gc
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from victim_log.demo import fill_demo
from victim_log.export import bundle
from victim_log.export import pdf
from victim_log.export import tables
from victim_log.export.bagit_zip import PayloadEntry
from victim_log.export.bagit_zip import write_bag_zip
from victim_log.export.case import CaseIncident
from victim_log.export.case import ExportOptions
from victim_log.export.case import Packed
from victim_log.export.case import build_case
from victim_log.vault import Vault

BATCH = 4  # entries packed together in these tests: far fewer than the export holds
ENTRIES = 60


def _live_entries() -> int:
    """CaseIncident objects alive now (they hold references, so the collector tracks them)."""
    return sum(1 for o in gc.get_objects() if type(o) is CaseIncident)


@pytest.fixture
def log(vault: Vault) -> Vault:
    fill_demo(vault, total=ENTRIES)
    return vault


def test_packed_reads_like_a_tuple(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Packed, "BATCH", 3)
    values = [(n, f"entry {n}", ("a", n)) for n in range(10)]
    packed = Packed(values)
    assert len(packed) == 10 and bool(packed) and not Packed()
    assert list(packed) == values and list(packed) == values  # read again and again
    assert packed == values and packed == tuple(values) and packed == Packed(values)
    assert packed != values[:-1]
    assert [packed[i] for i in range(-10, 10)] == values + values
    assert packed[2:5] == tuple(values[2:5])
    with pytest.raises(IndexError):
        packed[10]
    packed.append((10, "entry 10", ("a", 10)))
    assert len(packed) == 11 and packed[-1] == (10, "entry 10", ("a", 10))


def test_the_case_keeps_its_entries_packed(log: Vault) -> None:
    case = build_case(log, ExportOptions(initials="SM"), exported_at="2026-09-06T14:03:00+01:00")
    assert isinstance(case.incidents, Packed)
    assert isinstance(case.context, Packed)
    assert isinstance(case.breaches, Packed)
    assert len(case.incidents) + len(case.context) == ENTRIES


def test_a_bundle_export_never_holds_every_entry(
    log: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the PDF and the tables are made, only a few batches of entries are ever
    objects at once, however many the export has (it held all 60 before #23.8)."""
    monkeypatch.setattr(Packed, "BATCH", BATCH)
    seen: list[int] = []

    def sampling(real: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            seen.append(_live_entries())
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(pdf, "_incident", sampling(pdf._incident))
    monkeypatch.setattr(tables, "_timeline_row", sampling(tables._timeline_row))
    monkeypatch.setattr(tables, "_version_rows", sampling(tables._version_rows))
    gc.collect()
    before = _live_entries()
    out = tmp_path / "b.zip"
    result = bundle.export(log, out, ExportOptions(initials="SM"), timestamp=1_780_000_000)
    assert result.incidents > 4 * BATCH
    assert len(seen) >= 2 * result.incidents  # sampled all through the PDF and the tables
    assert max(seen) - before <= 3 * BATCH, max(seen)


def test_the_pdf_goes_out_in_pieces_as_it_is_made(log: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    """write_pdf hands the file on a piece at a time (fpdf2 never holds it whole), and
    the pieces are the bytes fpdf2 alone writes."""
    monkeypatch.setattr(pdf._Sink, "FLUSH", 4096)
    case = build_case(log, ExportOptions(initials="SM"), exported_at="2026-09-06T14:03:00+01:00")
    pieces: list[bytes] = []
    size = pdf.write_pdf(case, lambda b: pieces.append(bytes(b)))
    assert len(pieces) > 10 and max(len(p) for p in pieces) < 4096 + 64 * 1024
    assert size == sum(len(p) for p in pieces)
    whole = b"".join(pieces)
    monkeypatch.setattr(pdf, "_Producer", pdf.OutputProducer)  # fpdf2's own writer, whole
    monkeypatch.setattr(pdf._Doc, "add_page", pdf.FPDF.add_page)
    assert bytes(pdf.pdf_bytes(case)) == whole
    buf = io.BytesIO()
    pdf.render_pdf(case, buf)
    assert buf.getvalue() == whole


def test_a_written_payload_gives_the_same_zip_as_one_made_whole(tmp_path: Path) -> None:
    data = b"%PDF-1.4 invented " * 5000

    def writer(put: Any) -> None:
        for at in range(0, len(data), 7000):
            put(data[at : at + 7000])

    pushed = tmp_path / "pushed.zip"
    whole = tmp_path / "whole.zip"
    write_bag_zip(pushed, "bag", [PayloadEntry.written("timeline.pdf", writer)], timestamp=1_780_000_000)
    write_bag_zip(whole, "bag", [PayloadEntry.from_bytes("timeline.pdf", data)], timestamp=1_780_000_000)
    assert pushed.read_bytes() == whole.read_bytes()
    with zipfile.ZipFile(pushed) as zf:
        assert zf.read("bag/data/timeline.pdf") == data
    assert b"".join(PayloadEntry.written("x", writer).source()) == data  # type: ignore[arg-type]
