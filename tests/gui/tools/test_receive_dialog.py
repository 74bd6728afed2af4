"""File → Receive from phone: the dialog listens only while open, shows the QR code
and the details to type, lets the person tick which offered files to take, and stops
(port closed, nothing half-stored) when closed, locked or quick-exited. The phone is
the protocol test client on 127.0.0.1, in a thread; every wait is bounded."""

from __future__ import annotations

import os
import socket
import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.gui.conftest import shown
from tests.gui.conftest import unnamed_controls
from tests.tella_client import TellaClient
from tests.tella_client import describe
from victim_log.gui.shell.lock import close_transient_windows
from victim_log.gui.shell.session import Session
from victim_log.gui.tools import receive_dialog
from victim_log.gui.tools.receive_dialog import ReceiveDialog
from victim_log.vault import Vault

WAIT_MS = 10_000


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every receiver these tests open listens on 127.0.0.1, on a free port."""
    monkeypatch.setattr(receive_dialog, "LISTEN_AT", ("127.0.0.1", 0))


@pytest.fixture
def dialog(qtbot: Any, session: Session) -> ReceiveDialog:
    return shown(qtbot, ReceiveDialog(session))


def port_closed(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) != 0


def phone(payload: dict[str, Any], files: dict[str, bytes], out: dict[str, Any]) -> threading.Thread:
    def run() -> None:
        client = TellaClient(payload)
        out["register"] = client.register().status
        reply = client.prepare(
            [describe(k, f"{k}.jpg", v) for k, v in files.items()], title="Bins knocked over"
        )
        out["prepare"] = reply.status
        if reply.status == 200:
            for f in reply.json()["files"]:
                out[f["id"]] = client.upload(f["id"], f["transmissionId"], files[f["id"]]).status
        out["close"] = client.close().status

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_shows_details_and_receives_the_ticked_files(qtbot: Any, dialog: ReceiveDialog, vault: Vault) -> None:
    r = dialog.receiver
    assert not dialog.qr.pixmap().isNull()
    assert dialog.pin_label.text() == r.pin and len(r.pin) == 6
    assert dialog.hash_label.text().replace(" ", "") == r.certificate_hash
    assert unnamed_controls(dialog) == []
    dialog.make_entry.setChecked(True)
    out: dict[str, Any] = {}
    t = phone(r.payload, {"a": os.urandom(3000), "b": os.urandom(100)}, out)
    qtbot.waitUntil(dialog.accept_button.isVisible, timeout=WAIT_MS)
    assert dialog.offer_list.count() == 2
    assert not dialog.offer_list.item(0).icon().isNull()  # the phone's thumbnail
    dialog.offer_list.item(1).setCheckState(Qt.CheckState.Unchecked)
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not t.is_alive(), timeout=WAIT_MS)
    assert out["register"] == 200 and out["prepare"] == 200 and out["a"] == 200 and "b" not in out
    qtbot.waitUntil(lambda: dialog.summary is not None, timeout=WAIT_MS)
    summary = dialog.summary
    assert summary is not None and len(summary.received) == 1
    assert vault.get_incident(summary.incident_id or 0).data.summary == "Bins knocked over"
    assert "no longer listening" in dialog.status.text()
    assert port_closed(r.port)


def test_refusing_tells_the_phone_403(qtbot: Any, dialog: ReceiveDialog, vault: Vault) -> None:
    out: dict[str, Any] = {}
    t = phone(dialog.receiver.payload, {"a": b"abc"}, out)
    qtbot.waitUntil(dialog.accept_button.isVisible, timeout=WAIT_MS)
    qtbot.mouseClick(dialog.refuse_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not t.is_alive(), timeout=WAIT_MS)
    assert out["prepare"] == 403 and vault.evidence.items() == []


def test_closing_stops_listening(qtbot: Any, dialog: ReceiveDialog) -> None:
    port = dialog.receiver.port
    assert not port_closed(port)
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert dialog.receiver.done.is_set() and port_closed(port)


def test_lock_and_quick_exit_stop_listening(qtbot: Any, dialog: ReceiveDialog) -> None:
    port = dialog.receiver.port
    close_transient_windows()  # what the lock and quick exit do first
    assert dialog.receiver.done.is_set() and port_closed(port)


def test_session_lock_stops_a_receiver_mid_upload(qtbot: Any, session: Session, vault: Vault) -> None:
    d = ReceiveDialog(session)
    qtbot.addWidget(d)
    d.show()
    r = d.receiver
    client = TellaClient(r.payload)
    assert client.register().status == 200
    r.session.answer(["a"])
    data = os.urandom(2 * 1024 * 1024)
    reply = client.prepare([describe("a", "a.jpg", data)])
    tid = reply.json()["files"][0]["transmissionId"]
    tls = client.tls_socket()
    tls.sendall(
        f"PUT {client.upload_path('a', tid)} HTTP/1.1\r\nContent-Length: {len(data)}\r\n\r\n".encode()
        + data[:500_000]
    )
    try:
        qtbot.waitUntil(lambda: d.progress.isVisible(), timeout=WAIT_MS)
        session.lock()  # the wipers stop the receiver before the keys are dropped
    finally:
        tls.close()
    assert r.done.is_set() and port_closed(r.port)
    assert not [p for p in (vault.path / "blobs").rglob("*") if p.is_file()]
