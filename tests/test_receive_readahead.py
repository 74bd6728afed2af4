"""The receiver's read-ahead body (#22 speed): TLS reads on their own thread, handed
to the evidence store in order, the bytes the request reader already held first;
the errors a body gives (never an OSError); and a stop that leaves no reader thread
behind, even when the phone has gone quiet."""

from __future__ import annotations

import io
import os
import socket
import threading

import pytest

from victim_log.receive.server import AHEAD_BYTES
from victim_log.receive.server import _ReadAhead
from victim_log.receive.session import Dropped
from victim_log.receive.session import Stopped


def _body(
    prefix: bytes, sock: socket.socket, length: int, stopped: threading.Event | None = None
) -> tuple[_ReadAhead, list[int]]:
    seen: list[int] = []
    rfile = io.BufferedReader(io.BytesIO(prefix))
    return _ReadAhead(rfile, sock, length, stopped or threading.Event(), seen.append), seen


def _pair() -> tuple[socket.socket, socket.socket]:
    """A TCP connection on the loopback address (the receiver's kind of socket)."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        phone = socket.create_connection(server.getsockname())
        ours, _ = server.accept()
    return ours, phone


def _read_all(body: _ReadAhead, size: int = 300_000) -> bytes:
    out = bytearray()
    buf = bytearray(size)
    while n := body.readinto(buf):
        out += buf[:n]
    return bytes(out)


def test_bytes_come_in_order_buffered_ones_first() -> None:
    data = os.urandom(2 * AHEAD_BYTES + 12_345)
    prefix, rest = data[:5000], data[5000:]
    ours, phone = _pair()
    with ours, phone:
        ours.settimeout(60)
        sender = threading.Thread(target=phone.sendall, args=(rest,))
        sender.start()
        body, seen = _body(prefix, ours, len(data))
        got = _read_all(body)
        body.close()
        sender.join(60)
    assert got == data
    assert body.head == data[: len(body.head)] and len(body.head) == 256 * 1024
    assert seen[-1] == len(data) == body.count


def test_a_phone_that_hangs_up_early_is_a_dropped_upload() -> None:
    ours, phone = _pair()
    with ours:
        ours.settimeout(60)
        phone.sendall(b"x" * 1000)
        phone.close()
        body, _seen = _body(b"", ours, 5000)
        with pytest.raises(Dropped):
            _read_all(body)
        body.close()


def test_a_stop_is_reported_as_stopped() -> None:
    stopped = threading.Event()
    ours, phone = _pair()
    with ours, phone:
        ours.settimeout(60)
        body, _seen = _body(b"", ours, 10 * AHEAD_BYTES, stopped)
        phone.sendall(b"y" * 1000)
        stopped.set()
        with pytest.raises(Stopped):
            _read_all(body)
        body.close()


def test_closing_early_leaves_no_reader_even_when_the_phone_went_quiet() -> None:
    ours, phone = _pair()
    with ours, phone:
        ours.settimeout(600)  # closing must not wait for this
        sender = threading.Thread(target=phone.sendall, args=(b"z" * (AHEAD_BYTES + 10),))
        sender.start()
        body, _seen = _body(b"", ours, 50 * AHEAD_BYTES)
        buf = bytearray(1000)
        assert body.readinto(buf) == 1000
        sender.join(60)
        reader = body._thread
        assert reader is not None
        closing = threading.Thread(target=body.close)  # the store gave up (say, the disk filled)
        closing.start()
        closing.join(30)  # a hang guard: the reader waits up to 600 s for the silent phone
        assert not closing.is_alive()
        assert not reader.is_alive()


def test_a_slow_phone_still_shows_progress_every_step() -> None:
    """A buffer is handed on only when full: a phone that paused after one progress
    step's worth must still show it (the dialog's progress bar)."""
    from victim_log.receive.server import PROGRESS_STEP

    ours, phone = _pair()
    with ours, phone:
        ours.settimeout(60)
        sender = threading.Thread(target=phone.sendall, args=(b"p" * (PROGRESS_STEP + 100),))
        sender.start()
        body, seen = _body(b"", ours, 40 * PROGRESS_STEP)  # the rest never comes
        buf = bytearray(1024 * 1024)
        assert body.readinto(buf) == PROGRESS_STEP
        assert seen == [PROGRESS_STEP]
        sender.join(60)
        body.close()
