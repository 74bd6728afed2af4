"""Flipped bytes in the database or key file are reported as damage, never a crash."""

from __future__ import annotations

import contextlib
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.helpers import PASSPHRASE
from victim_log.crypto.keys import KeyFile
from victim_log.errors import VictimLogError
from victim_log.model import IncidentData
from victim_log.vault import DB_NAME
from victim_log.vault import KEY_NAME
from victim_log.vault import Vault


@pytest.fixture
def vdir(tmp_path: Path) -> Path:
    path = tmp_path / "v"
    v, _ = Vault.create(path, PASSPHRASE)
    for i in range(40):
        v.add_incident(IncidentData(summary=f"incident {i}", details="words " * 200))
    v.lock()
    return path


def _exercise(path: Path) -> str:
    """Open, read everything and check; returns 'error' or 'problems' or 'clean'."""
    try:
        v = Vault.open(path, PASSPHRASE)
    except VictimLogError:
        return "error"
    try:
        for s in v.list_incidents():
            v.get_incident(s.id)
        report = v.check()
        return "clean" if report.ok else "problems"
    except VictimLogError:
        return "error"
    finally:
        v.lock()


def test_database_byte_flips_are_detected(vdir: Path, long_run: bool) -> None:
    db = vdir / DB_NAME
    original = db.read_bytes()
    rng = random.Random(99)
    positions = rng.sample(range(len(original)), 200 if long_run else 40)
    outcomes = []
    for pos in positions:
        raw = bytearray(original)
        raw[pos] ^= 1 << rng.randrange(8)
        db.write_bytes(raw)
        outcomes.append(_exercise(vdir))
    db.write_bytes(original)
    assert _exercise(vdir) == "clean"
    # SQLCipher authenticates every page, so no flip may pass unnoticed. The only
    # exception is free space SQLite never reads (reserved bytes are HMAC'd too).
    assert outcomes.count("clean") == 0, outcomes


def test_key_file_byte_flips_are_detected(vdir: Path) -> None:
    kf = vdir / KEY_NAME
    original = kf.read_bytes()
    for pos in range(0, len(original), 3):
        raw = bytearray(original)
        raw[pos] = (raw[pos] + 1) % 256
        kf.write_bytes(raw)
        result = _exercise(vdir)
        # A flip inside a failed-attempts list or whitespace is harmless; anything that
        # opens must still open the right, unchanged vault.
        assert result in ("error", "clean")
    kf.write_bytes(original)


@settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.binary(max_size=3000))
def test_key_file_parser_fuzz(data: bytes) -> None:
    try:
        kf = KeyFile.from_bytes(data)
        kf.unwrap_with_passphrase(PASSPHRASE)
    except VictimLogError:
        pass


@pytest.mark.parametrize(
    "mac",
    ["\u00e9" * 64, "\ud800", "", "not hex at all"],
    ids=["accented", "lone-surrogate", "empty", "not-hex"],
)
def test_a_key_file_mac_of_any_text_is_damage_never_a_crash(vdir: Path, mac: str) -> None:
    """Found by the fuzz below: a MAC of non-ASCII text made the comparison itself
    raise TypeError (a traceback) instead of reporting a damaged key file."""
    doc = json.loads((vdir / KEY_NAME).read_bytes())
    doc["mac"] = mac
    (vdir / KEY_NAME).write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(VictimLogError):
        KeyFile.from_bytes((vdir / KEY_NAME).read_bytes()).unwrap_with_passphrase(PASSPHRASE)
    assert _exercise(vdir) == "error"


def test_key_file_mutation_fuzz(vdir: Path) -> None:
    original = (vdir / KEY_NAME).read_bytes()
    rng = random.Random(5)
    for _ in range(300):
        raw = bytearray(original)
        for _ in range(rng.randrange(1, 6)):
            op = rng.randrange(3)
            pos = rng.randrange(len(raw))
            if op == 0:
                raw[pos] = rng.randrange(256)
            elif op == 1:
                del raw[pos : pos + rng.randrange(1, 40)]
            else:
                raw[pos:pos] = rng.randbytes(rng.randrange(1, 20))  # the same cases every run
        with contextlib.suppress(VictimLogError):
            KeyFile.from_bytes(bytes(raw)).unwrap_with_passphrase(PASSPHRASE)
