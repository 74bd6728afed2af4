"""Search the bytes of files for a canary, in the encodings a leak could take.

Used by the vault, evidence, import, export and GUI tests: after a session that typed
the canary everywhere, no file under the vault, temp dirs, HOME or logs may hold it.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from pathlib import Path


def canary_forms(canary: str) -> list[bytes]:
    raw = canary.encode("utf-8")
    forms = [raw, canary.encode("utf-16-le"), canary.encode("utf-16-be")]
    # base64 of the canary at each of the three alignments, minus the unstable edges.
    for shift in range(3):
        enc = base64.b64encode(b"\0" * shift + raw)[4:-4]
        if len(enc) >= 8:
            forms.append(enc)
    return forms


def scan(roots: Iterable[Path], canary: str) -> list[str]:
    """Return 'path (form)' for every file under ``roots`` that holds the canary."""
    forms = canary_forms(canary)
    hits: list[str] = []
    for root in roots:
        root = Path(root)
        if not root.exists():
            continue
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for path in files:
            try:
                data = path.read_bytes()
            except OSError:
                continue
            for i, form in enumerate(forms):
                if form in data:
                    hits.append(f"{path} (form {i})")
                    break
    return hits
