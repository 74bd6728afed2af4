"""Atomic writes, with and without waiting for the disk, and early write-back."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from victim_log import fsutil


def _count_fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = os.fsync

    def counting(fd: int) -> None:
        calls.append(fd)
        real(fd)

    monkeypatch.setattr(fsutil.os, "fsync", counting)
    return calls


def test_a_durable_write_reaches_the_disk_before_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_fsyncs(monkeypatch)
    fsutil.atomic_write_bytes(tmp_path / "f", b"kept")
    assert (tmp_path / "f").read_bytes() == b"kept"
    assert len(calls) >= 2  # the file, then its folder


def test_a_copy_out_skips_the_wait_but_stays_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_fsyncs(monkeypatch)
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "copy"
    target.write_bytes(b"old")

    def fail_halfway() -> None:
        with fsutil.atomic_writer(target, durable=False) as fh:
            fh.write(b"half")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_halfway()
    assert target.read_bytes() == b"old"  # never half written
    assert [p.name for p in folder.iterdir()] == ["copy"]  # no temporary left
    with fsutil.atomic_writer(target, durable=False) as fh:
        fh.write(b"new")
    assert target.read_bytes() == b"new" and calls == []


def test_early_writeback_asks_for_each_step_and_passes_bytes_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[int, int]] = []
    monkeypatch.setattr(fsutil, "WRITEBACK_STEP", 10)
    monkeypatch.setattr(fsutil, "_START_WRITEBACK", lambda fd, off, n: asked.append((off, n)))
    path = tmp_path / "blob"
    with open(path, "wb") as raw:
        out = fsutil.EarlyWriteback(raw)
        for chunk in (b"a" * 6, b"b" * 6, memoryview(b"c" * 12), b"d" * 3):
            assert out.write(chunk) == len(chunk)
    assert path.read_bytes() == b"a" * 6 + b"b" * 6 + b"c" * 12 + b"d" * 3
    assert asked == [(0, 12), (12, 12)]  # the tail is left to the closing fsync


def test_early_writeback_needs_a_real_file() -> None:
    with pytest.raises(io.UnsupportedOperation):
        fsutil.EarlyWriteback(io.BytesIO())  # type: ignore[arg-type]


def test_the_real_writeback_call_is_harmless(tmp_path: Path) -> None:
    start = fsutil._find_sync_file_range()
    if start is None:
        pytest.skip("no sync_file_range on this system")
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    with open(path, "rb+") as fh:
        start(fh.fileno(), 0, 100)  # starts write-back; nothing to check but no error
    assert path.read_bytes() == b"x" * 100


def test_file_sha256_gives_size_and_hash(tmp_path) -> None:
    import hashlib

    from victim_log.fsutil import file_sha256

    data = b"x" * (3 * 1024 * 1024 + 7)  # more than one block, not a whole number of them
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    assert file_sha256(path) == (len(data), hashlib.sha256(data).hexdigest())
    (tmp_path / "empty").write_bytes(b"")
    assert file_sha256(tmp_path / "empty") == (0, hashlib.sha256(b"").hexdigest())
