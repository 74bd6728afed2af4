"""Printing: JSON that survives any terminal encoding, one-line display of untrusted
text, notes on stderr."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from collections.abc import Callable
from typing import Any
from typing import TextIO

from ..textsafe import display_safe


def one_line(text: str) -> str:
    """Untrusted text for a one-line display (file names, list rows)."""
    return display_safe(text, single_line=True)


def print_json(value: Any, out: TextIO | None = None) -> None:
    """JSON as UTF-8 text, or \\u escapes where the output cannot carry it
    (``PYTHONIOENCODING=ascii``): still the same JSON to any reader."""
    out = out or sys.stdout
    encoding = (getattr(out, "encoding", None) or "utf-8").lower().replace("-", "")
    json.dump(value, out, ensure_ascii=encoding not in ("utf8", "utf16", "utf32"), indent=2)
    out.write("\n")


def print_rows(docs: list[dict[str, Any]], as_json: bool, row: Callable[[dict[str, Any]], None]) -> None:
    """A list command's output: the documents as one JSON array (``--json``: the same
    fields as the one-item commands print), or each printed by ``row`` for people."""
    if as_json:
        print_json(docs)
    else:
        for d in docs:
            row(d)


def tolerant_output() -> None:
    """Text the terminal's encoding cannot show is escaped, never an internal error
    (a non-ASCII entry under ``PYTHONIOENCODING=ascii`` or a C locale)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError, io.UnsupportedOperation):
                reconfigure(errors="backslashreplace")


def warn(text: str) -> None:
    """A note on stderr: the work is done, but something about it is worth knowing."""
    print(f"victim-log: note: {text}", file=sys.stderr)
