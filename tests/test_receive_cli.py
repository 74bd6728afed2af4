"""``victim-log receive`` as a real process: the QR JSON on stdout's first line, one
session driven by the protocol test client on 127.0.0.1, the result on the last
line, and the exit codes of the CLI contract. Every wait is bounded."""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers import CANARY
from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.helpers import run_proc
from tests.tella_client import TellaClient
from tests.tella_client import describe

WAIT = 20.0


@pytest.fixture
def initialised(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init").code == 0


def _first_line(proc: subprocess.Popen[str]) -> dict[str, Any]:
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    assert sel.select(WAIT), "no connection details within the time limit"
    doc: dict[str, Any] = json.loads(proc.stdout.readline())
    return doc


def _start(*extra: str, as_json: bool = True) -> subprocess.Popen[str]:
    args = ["receive", *(["--json"] if as_json else []), "--listen", "127.0.0.1", "--port", "0", *extra]
    return subprocess.Popen(
        [sys.executable, "-m", "victim_log.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=dict(os.environ),
    )


@contextlib.contextmanager
def _receiving(*extra: str, as_json: bool = True) -> Iterator[subprocess.Popen[str]]:
    """``victim-log receive`` running; never left behind, whatever the test does."""
    proc = _start(*extra, as_json=as_json)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(WAIT)


def test_receive_one_session_end_to_end(initialised: None, capsys: pytest.CaptureFixture[str]) -> None:
    with _receiving("--accept-all", "--make-entry", "--timeout", "60") as proc:
        payload = _first_line(proc)
        assert set(payload) == {"ip_address", "port", "certificate_hash", "pin"}
        client = TellaClient(payload)
        data = (CANARY + "\n").encode() * 1000
        assert client.ping().status == 200
        assert client.register().status == 200
        reply = client.prepare([describe("f1", "photo.jpg", data)], title="Car outside at 9pm")
        tid = reply.json()["files"][0]["transmissionId"]
        assert client.upload("f1", tid, data).status == 200
        assert client.close().status == 200
        out, err = proc.communicate(timeout=WAIT)
    assert proc.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    assert result["ended"] == "closed" and result["refused"] == []
    (item,) = result["received"]
    assert item["sha256"] == item["declared_sha256"] and item["filename"] == "photo.jpg"
    assert item["incidents"] == [result["incident"]]
    with socket.socket() as s:
        s.settimeout(2)
        assert s.connect_ex(("127.0.0.1", payload["port"])) != 0
    shown = json.loads(run_cli(capsys, "show", str(result["incident"]), "--json").out)
    assert shown["summary"] == "Car outside at 9pm"
    assert CANARY not in err


def test_refused_offer_without_terminal_and_time_limit_exit_1(initialised: None) -> None:
    with _receiving("--timeout", "3") as proc:
        payload = _first_line(proc)
        client = TellaClient(payload)
        assert client.register().status == 200
        assert client.prepare([describe("f1", "a.bin", b"abc")]).status == 403
        out, err = proc.communicate(timeout=WAIT)
    assert proc.returncode == 1
    assert json.loads(out.strip().splitlines()[-1])["ended"] == "timeout"
    assert "--accept-all" in err


@pytest.mark.parametrize(
    "args",
    [
        ["--listen", "8.8.8.8"],
        ["--listen", "not-an-address"],
        ["--timeout", "0"],
        ["--port", "70000"],
        ["--attach", "5", "--make-entry"],
    ],
)
def test_bad_options_exit_2(initialised: None, args: list[str]) -> None:
    r = run_proc("receive", *args, timeout=WAIT)
    assert r.code == 2 and "Traceback" not in r.err and r.err.startswith("victim-log:")


def test_wrong_passphrase_exit_3(initialised: None) -> None:
    r = run_proc(
        "receive",
        "--listen",
        "127.0.0.1",
        "--port",
        "0",
        env={"VICTIM_LOG_PASSPHRASE": "wrong"},
        timeout=WAIT,
    )
    assert r.code == 3


def test_attach_to_missing_entry_exit_2(initialised: None) -> None:
    r = run_proc("receive", "--listen", "127.0.0.1", "--port", "0", "--attach", "42", timeout=WAIT)
    assert r.code == 2


def test_text_mode_shows_details_and_what_was_stored(initialised: None) -> None:
    import re

    with _receiving("--accept-all", as_json=False) as proc:
        assert proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        assert sel.select(WAIT), "no connection details within the time limit"
        head = "".join(proc.stdout.readline() for _ in range(6))  # printed and flushed together
        port = int(re.search(r"Port:\s+(\d+)", head).group(1))  # type: ignore[union-attr]
        pin = re.search(r"PIN:\s+(\d{6})", head).group(1)  # type: ignore[union-attr]
        grouped = head.rstrip().splitlines()[-1].strip()
        assert re.fullmatch(r"([0-9a-f]{4} ){15}[0-9a-f]{4}", grouped)
        client = TellaClient(
            {
                "ip_address": "127.0.0.1",
                "port": port,
                "certificate_hash": grouped.replace(" ", ""),
                "pin": pin,
            }
        )
        assert client.register().status == 200
        data = b"a screenshot, pretend\n" * 50
        reply = client.prepare([describe("1", "Screenshot_0412.png", data)])
        assert client.upload("1", reply.json()["files"][0]["transmissionId"], data).status == 200
        assert client.close().status == 200
        out, err = proc.communicate(timeout=WAIT)
    assert proc.returncode == 0, err
    assert "The phone finished." in out and "Stored evidence 1: Screenshot_0412.png" in out
    assert "A phone connected with the right PIN." in err


def test_the_cli_port_is_the_protocols() -> None:
    """cli/receive.py names the port itself (so start-up does not load the receiver)."""
    from victim_log.cli import receive as cli_receive
    from victim_log.receive import protocol

    assert cli_receive.DEFAULT_PORT == protocol.DEFAULT_PORT
