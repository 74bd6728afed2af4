"""timeline.pdf: real, extractable text with every incident, page numbers, no private notes."""

from __future__ import annotations

import io
import logging
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from tests.helpers import CANARY
from tests.helpers import PASSPHRASE
from victim_log.demo import fill_demo
from victim_log.export.case import ExportCase
from victim_log.export.case import ExportOptions
from victim_log.export.case import build_case
from victim_log.export.case import format_datetime
from victim_log.export.pdf import render_pdf
from victim_log.model import IncidentData
from victim_log.model import PersonData
from victim_log.vault import Vault

EXPORTED_AT = "2026-09-06T14:03:00+01:00"
FINGERPRINT = "SHA256:qk3bXlT9lWc0v9tIwV8wJ1xjA9N1vY8bUuJv9e0m2f4"


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vault]:
    v, _ = Vault.create(tmp_path_factory.mktemp("pdf") / "v", PASSPHRASE)
    fill_demo(v)
    ids = [s.id for s in v.list_incidents(oldest_first=True)]
    v.evidence.add_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 40, "screenshot.jpg", incident_id=ids[3])
    cur = v.get_incident(ids[4])
    from dataclasses import replace

    v.edit_incident(ids[4], replace(cur.data, private_note=CANARY), "added a note")
    yield v
    v.lock()


def _render(case: ExportCase) -> bytes:
    buf = io.BytesIO()
    render_pdf(case, buf)
    return buf.getvalue()


def _words(text: str) -> str:
    return " ".join(text.split())


def _pypdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "t.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(scope="module")
def demo_pdf(vault: Vault) -> tuple[ExportCase, bytes]:
    case = build_case(vault, ExportOptions(), exported_at=EXPORTED_AT, fingerprint=FINGERPRINT)
    return case, _render(case)


def test_every_summary_and_page_numbers_pypdf(demo_pdf: tuple[ExportCase, bytes]) -> None:
    case, data = demo_pdf
    reader = pypdf.PdfReader(io.BytesIO(data))
    pages = len(reader.pages)
    text = _words(_pypdf_text(data))
    assert "Page 1 of" in text
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    for inc in case.incidents:
        assert _words(inc.summary) in text
        assert f"Entry {inc.number}" in text
    # on the case's clock, naming its zone (the machine's zone: UTC in CI, so 13:03 UTC)
    assert "Log of Sam Morgan" in text and f"Exported {format_datetime(EXPORTED_AT, seconds=False)}" in text
    assert "Dan Marsh" in text and "SPO/2026/0142" in text
    assert "Breaches of orders" in text and "Appendix B: Exhibits" in text
    assert case.exhibits[0].sha256 in text.replace(" ", "")
    assert "{nb}" not in text


def test_every_summary_pdftotext(demo_pdf: tuple[ExportCase, bytes], tmp_path: Path) -> None:
    case, data = demo_pdf
    text = _words(_pdftotext(data, tmp_path))
    assert "Page 1 of" in text
    for inc in case.incidents:
        assert _words(inc.summary) in text
        assert _words(inc.details) in text
    assert case.fingerprint_readout in text and FINGERPRINT in text
    assert re.search(r"Incidents per week", text)


def test_metadata_and_structure(demo_pdf: tuple[ExportCase, bytes]) -> None:
    _case, data = demo_pdf
    reader = pypdf.PdfReader(io.BytesIO(data))
    meta = reader.metadata
    assert meta is not None and meta.title == "Log of Sam Morgan"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    fonts = {
        str(f) for page in reader.pages[:1] for f in (page["/Resources"]["/Font"].values())
    }  # embedded TrueType subsets
    assert fonts
    assert len(reader.outline) >= 6  # sections in the bookmarks


def test_private_note_canary(vault: Vault, demo_pdf: tuple[ExportCase, bytes], tmp_path: Path) -> None:
    _case, data = demo_pdf
    assert CANARY.encode() not in data
    assert CANARY not in _pypdf_text(data)
    assert CANARY not in _pdftotext(data, tmp_path)
    private = _render(build_case(vault, ExportOptions(include_private=True), exported_at=EXPORTED_AT))
    assert CANARY in _words(_pdftotext(private, tmp_path))
    assert CANARY in _words(_pypdf_text(private))


def test_same_case_same_bytes(demo_pdf: tuple[ExportCase, bytes]) -> None:
    case, data = demo_pdf
    assert _render(case) == data


def test_redacted_pdf(vault: Vault) -> None:
    case = build_case(
        vault, ExportOptions(redact=frozenset({"third-parties", "locations"})), exported_at=EXPORTED_AT
    )
    text = _words(_pypdf_text(_render(case)))
    assert "Kerry" not in text and "Priya" not in text and "900321" not in text
    assert "Dan Marsh" in text and "[third party redacted]" in text
    assert "Outside the Co-op on High Street" not in text and "[location redacted]" in text


WEIRD = (
    "Emoji 😀👍🏽👨\u200d👩\u200d👧 ❤️ 🦄 RTL שלום (עולם) مرحبا بالعالم \u202eevil\u202c "
    "bell\x07 esc\x1b[31m nul\x00 del\x7f tab\there {nb} CJK 中文 e\u0301 Z̷̢a̸l 𝔘 "
    "\ufeff\u2028sep\u2029para\r\nwindows\rmac" + "x" * 500
)


def test_weird_unicode_does_not_crash(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    v, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    who = v.add_person(PersonData(name="Dån 😀 \u202eMarsh", aliases=("דן",)))
    end_marker = "END-OF-LONG-TEXT-7Q"
    long_text = " ".join(f"w{k}" for k in range(15000)) + " " + end_marker
    weird_id = v.add_incident(
        IncidentData(
            summary="Weird 😀 {nb} \x1b",
            details=WEIRD,
            people=(who,),
            location="🏠 home",
            witnesses=WEIRD,
            effect_text=WEIRD,
            actions=WEIRD,
            occurred_start="2026-06-10T12:00",
        )
    )
    v.add_incident(IncidentData(summary="Very long", details=long_text, occurred_start="2026-06-11T12:00"))
    v.add_incident(IncidentData(summary="No date at all", precision="unknown_time"))
    v.set_setting("case_title", "Log of 😀 \u202eSam\x07")
    v.evidence.add_bytes(b"x", "\u202e😀 中文\x07.txt", incident_id=weird_id)
    case = build_case(v, ExportOptions(initials="王"), exported_at=EXPORTED_AT)
    with caplog.at_level(logging.DEBUG, logger="fpdf"):
        data = _render(case)
    # fpdf2 logs characters it cannot draw; none may reach a log (they are diary text).
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    text = _words(_pdftotext(data, tmp_path))
    assert "{nb}" in text  # printed as typed, not replaced by the page count
    assert end_marker in text  # never truncated
    assert set(re.findall(r"\bw\d+\b", text)) == {f"w{k}" for k in range(15000)}
    assert "Emoji 😀" in text and "\u202e" not in text
    assert "No date at all" in text and "Date and time not known" in text
    assert "Page 1 of" in text


def test_lone_surrogate_in_text_does_not_crash(demo_pdf: tuple[ExportCase, bytes]) -> None:
    from dataclasses import replace

    case, _data = demo_pdf
    first = replace(case.incidents[0], details="half an emoji \ud83d here", summary="\udc00")
    text = _words(_pypdf_text(_render(replace(case, incidents=(first,)))))
    assert "half an emoji \ufffd here" in text


def test_empty_case_renders(tmp_path: Path) -> None:
    v, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    data = _render(build_case(v, ExportOptions(), exported_at="not a time"))
    text = _words(_pypdf_text(data))
    assert "There are no incidents in this export." in text and "Page 1 of" in text
