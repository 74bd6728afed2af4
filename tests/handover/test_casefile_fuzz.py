"""A case file comes from outside: fixed-seed fuzz cases (flipped bytes, cuts, splices)
are each refused with one of our errors and change nothing (#18)."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from victim_log.errors import VictimLogError
from victim_log.handover import merge_case
from victim_log.handover import share_case
from victim_log.handover.casefile import CaseFile
from victim_log.model import IncidentData


@pytest.fixture
def made(vault: Any, tmp_path: Path) -> tuple[bytes, str]:
    vault.add_incident(IncidentData(summary="A call"), files=[("a.txt", b"evidence " * 500)])
    shared = share_case(vault, tmp_path / "case.vlcase")
    return shared.path.read_bytes(), shared.code


@pytest.mark.parametrize("seed", range(24))
def test_a_mangled_case_file_is_refused_cleanly(
    vault: Any, tmp_path: Path, made: tuple[bytes, str], seed: int
) -> None:
    raw, code = made
    rng = random.Random(seed)
    data = bytearray(raw)
    how = seed % 4
    if how == 0:  # flip a few bytes anywhere
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif how == 1:  # cut it short
        del data[rng.randrange(1, len(data)) :]
    elif how == 2:  # a run of bytes overwritten
        at = rng.randrange(len(data))
        data[at : at + 32] = bytes(rng.randrange(256) for _ in range(32))
    else:  # a piece repeated
        at = rng.randrange(12, len(data) - 64)
        data[at:at] = data[at : at + 64]
    path = tmp_path / f"mangled-{seed}.vlcase"
    path.write_bytes(bytes(data))
    before = len(vault.journal_entries())
    with pytest.raises(VictimLogError):
        merge_case(vault, path, code)
    assert len(vault.journal_entries()) == before


def test_the_layout_is_read_without_the_code(made: tuple[bytes, str], tmp_path: Path) -> None:
    raw, _code = made
    path = tmp_path / "case.vlcase"
    path.write_bytes(raw)
    case = CaseFile(path)
    assert len(case.parts) == 2 and case.header["format"] == "victim-log case file"
    assert b"A call" not in raw and b"evidence evidence" not in raw


# --- hostile text: a case file made by a program of someone else's, with its own code ---------


def _writer(data: bytes) -> Any:
    return lambda out: out.write(data)


def _crafted(tmp_path: Path, made: tuple[bytes, str], change: Any) -> tuple[Path, str]:
    """The real case file's manifest (part 0), changed by ``change``, sealed again with
    a code of our own: what anyone could send, since the code travels with the file."""
    import io
    import json

    from victim_log.handover import casefile
    from victim_log.handover.code import new_code

    raw, code = made
    src = tmp_path / "src.vlcase"
    src.write_bytes(raw)
    case = CaseFile(src)
    case.unlock(code)
    doc = case.manifest()
    files = []
    for index in range(1, len(case.parts)):
        sink = io.BytesIO()
        case._open(index, sink)
        files.append(_writer(sink.getvalue()))
    body = change(doc)
    manifest = body if isinstance(body, bytes) else json.dumps(body).encode()
    new = new_code()
    path = tmp_path / "crafted.vlcase"
    casefile.write(path, new, manifest, files)
    return path, new


def _setting(*changes: tuple[tuple[str | int, ...], Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A change to the manifest: each (path, value) sets the field at ``path`` (keys and
    indexes) to ``value``, or to ``value(old)`` when ``value`` is a function."""

    def change(doc: dict[str, Any]) -> dict[str, Any]:
        for path, value in changes:
            here: Any = doc
            for key in path[:-1]:
                here = here[key]
            here[path[-1]] = value(here[path[-1]]) if callable(value) else value
        return doc

    return change


def _nested(doc: dict[str, Any]) -> bytes:
    return b"[" * 50_000


def _nested_inside(doc: dict[str, Any]) -> bytes:
    return b'{"format": "victim-log case", "version": 1, "incident": ' + b"[" * 50_000


SUMMARY = ("incident", 0, "versions", 0, "body", "data", "summary")
HOSTILE = {
    "evidence-not-objects": _setting((("evidence",), [1, "x", None])),
    "surrogate-filename": _setting((("evidence", 0, "filename"), "\ud800.txt")),
    "nul-filename": _setting((("evidence", 0, "filename"), "a\x00b.txt")),
    "surrogate-summary": _setting((SUMMARY, "\ud800")),
    "odd-digits-uid": _setting((("incident", 0, "uid"), lambda uid: uid + "\u0663")),
    "surrogate-evidence-uid": _setting((("evidence", 0, "uid"), "\ud800")),
    "surrogate-record-uid": _setting(
        (("incident", 0, "uid"), "\ud800"), (("incident", 0, "versions", 0, "uid"), "\udfff")
    ),
    "surrogate-from": _setting((("from",), "\ud800"), (("worker",), "\ud800")),
    "nested": _nested,
    "nested-inside": _nested_inside,
}


@pytest.mark.parametrize("change", list(HOSTILE.values()), ids=list(HOSTILE))
def test_a_hostile_manifest_is_refused_cleanly_and_changes_nothing(
    vault: Any, tmp_path: Path, made: tuple[bytes, str], change: Any
) -> None:
    """Crashes found: evidence entries that are not objects (AttributeError) and JSON
    nested too deep (RecursionError). Text with a lone surrogate, a NUL or odd digits
    is taken in as text (made displayable) or refused, never a traceback."""
    path, code = _crafted(tmp_path, made, change)
    before = len(vault.journal_entries())
    try:
        merge_case(vault, path, code)
    except VictimLogError:
        assert len(vault.journal_entries()) == before


def test_a_header_nested_too_deep_is_damage(tmp_path: Path) -> None:
    """The header is read before any code: nesting too deep for json raised RecursionError."""
    from victim_log.errors import IntegrityError
    from victim_log.handover.casefile import MAGIC

    header = b"[" * 50_000
    path = tmp_path / "nested.vlcase"
    path.write_bytes(MAGIC + len(header).to_bytes(4, "big") + header)
    with pytest.raises(IntegrityError):
        CaseFile(path)
