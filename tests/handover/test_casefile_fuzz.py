"""A case file comes from outside: fixed-seed fuzz cases (flipped bytes, cuts, splices)
are each refused with one of our errors and change nothing (#18)."""

from __future__ import annotations

import random
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
