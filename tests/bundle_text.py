"""An export bundle read as an officer reads it: every file of the zip, the PDF through
pdftotext (whitespace folded, so a phrase wrapped across lines still matches), the CSV
files and timeline.json. Shared by the disclosure and cross-examination tests."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path


def pdf_words(data: bytes, tmp: Path) -> str:
    """The text of a PDF as pdftotext reads it, runs of whitespace folded to one space."""
    path = tmp / "t.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return " ".join(out.split())


@dataclass
class Bundle:
    files: dict[str, bytes]  # by path inside the bag ("data/timeline.json")
    pdf: str  # pdftotext, whitespace folded

    def json(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.files["data/timeline.json"])  # type: ignore[no-any-return]

    def csv(self, name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(self.files[f"data/{name}"].decode("utf-8-sig"))))

    def text(self, name: str) -> str:
        return self.files[name].decode("utf-8")


def read_bundle(path: Path, tmp: Path) -> Bundle:
    with zipfile.ZipFile(path) as zf:
        files = {n.split("/", 1)[1]: zf.read(n) for n in zf.namelist() if not n.endswith("/")}
    return Bundle(files, pdf_words(files["data/timeline.pdf"], tmp))
