"""Receive from phone (#22): a sender written from the published Tella protocol drives
the receiver on 127.0.0.1 through the whole flow and through every way it can fail;
each failure ends with nothing half-stored and the protocol's status code. Every
network wait here is bounded (client timeouts, Event.wait with a limit)."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import CANARY
from tests.helpers import PASSPHRASE
from tests.helpers import vault_path
from tests.leakscan import scan
from tests.tella_client import CertificateMismatch
from tests.tella_client import TellaClient
from tests.tella_client import describe
from victim_log.errors import BadInput
from victim_log.receive import CLOSED
from victim_log.receive import STOPPED
from victim_log.receive import TIMED_OUT
from victim_log.receive import TOO_MANY_PINS
from victim_log.receive import Destination
from victim_log.receive import Event
from victim_log.receive import Limits
from victim_log.receive import Receiver
from victim_log.vault import Vault

WAIT = 10.0


@pytest.fixture
def vault() -> Iterator[Vault]:
    v, _ = Vault.create(vault_path(), PASSPHRASE)
    yield v
    v.lock()


class Harness:
    def __init__(self, vault: Vault, accept: bool = True, **kw: Any) -> None:
        self.events: list[Event] = []
        self.seen: dict[str, threading.Event] = {}
        self.accept = accept
        kw.setdefault("limits", Limits(io_timeout=5.0, decision_timeout=5.0))
        self.receiver = Receiver(vault, listen="127.0.0.1", port=0, listener=self.on_event, **kw)
        self.receiver.start()
        self.client = TellaClient(self.receiver.payload)

    def on_event(self, event: Event) -> None:
        self.events.append(event)
        self.flag(event.kind).set()
        if event.kind == "offer" and event.offer is not None:
            ids = [f.id for f in event.offer.files] if self.accept else None
            self.receiver.session.answer(ids)

    def flag(self, kind: str) -> threading.Event:
        return self.seen.setdefault(kind, threading.Event())

    def offer(self, files: dict[str, bytes], **kw: Any) -> dict[str, str]:
        assert self.client.register().status == 200
        reply = self.client.prepare([describe(fid, f"{fid}.bin", d, **kw) for fid, d in files.items()])
        assert reply.status == 200, reply.body
        return {f["id"]: f["transmissionId"] for f in reply.json()["files"]}


@pytest.fixture
def harness(vault: Vault) -> Iterator[Callable[..., Harness]]:
    made: list[Harness] = []

    def make(**kw: Any) -> Harness:
        h = Harness(vault, **kw)
        made.append(h)
        return h

    yield make
    for h in made:
        h.receiver.stop()


def port_closed(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) != 0


def blob_files(v: Vault) -> list[Path]:
    return sorted(p for p in (v.path / "blobs").rglob("*") if p.is_file())


def canary_bytes(size: int = 300_000) -> bytes:
    line = (CANARY + "\n").encode()
    return (line * (size // len(line) + 1))[:size]


def test_whole_flow_stores_evidence_with_both_hashes_and_closes_the_port(
    vault: Vault, harness: Callable[..., Harness], tmp_path: Path
) -> None:
    h = harness(destination=Destination(make_entry=True))
    payload = h.receiver.payload
    assert set(payload) == {"ip_address", "port", "certificate_hash", "pin"}
    assert len(payload["pin"]) == 6 and payload["pin"].isdigit()
    assert len(payload["certificate_hash"]) == 64
    one, two = canary_bytes(), os.urandom(5000) + CANARY.encode()
    assert h.client.ping().status == 200
    ids = h.offer({"f1": one, "f2": two})
    assert set(ids) == {"f1", "f2"}
    for fid, data in (("f1", one), ("f2", two)):
        reply = h.client.upload(fid, ids[fid], data)
        assert reply.status == 200 and reply.json() == {"success": True}
    assert h.client.upload("f1", ids["f1"], b"x").status == 409  # already completed
    assert h.client.close().status == 200
    summary = h.receiver.wait(WAIT)
    assert summary is not None and summary.reason == CLOSED and not summary.refused
    assert [r.sha256 for r in summary.received] == [hashlib.sha256(d).hexdigest() for d in (one, two)]
    assert all(r.declared_sha256 == r.sha256 for r in summary.received)
    assert port_closed(payload["port"])
    for r in summary.received:
        item = vault.evidence.get(r.evidence_id)
        assert item.sha256 == r.sha256
        assert r.declared_sha256 in item.metadata["provenance"]["description"]
        assert summary.incident_id in item.incidents
    assert vault.evidence.read_bytes(summary.received[0].evidence_id) == one
    assert vault.get_incident(summary.incident_id or 0).data.summary == "Report"
    hits = scan([vault.path, Path(os.environ["TMPDIR"]), tmp_path], CANARY)
    assert hits == []


def test_three_wrong_pins_end_the_session(harness: Callable[..., Harness], vault: Vault) -> None:
    h = harness()
    port = h.receiver.port
    assert h.client.register("000000" if h.client.pin != "000000" else "111111").status == 401
    assert h.client.register("12345").status == 401
    last = h.client.register("abcdef")
    assert last.status == 429
    summary = h.receiver.wait(WAIT)
    assert summary is not None and summary.reason == TOO_MANY_PINS
    assert port_closed(port)
    assert blob_files(vault) == []


@pytest.mark.parametrize("odd", ["\u00e912345", "\ud800"], ids=["accented", "lone-surrogate"])
def test_a_pin_or_session_id_of_any_text_is_refused_never_a_server_error(
    harness: Callable[..., Harness], odd: str
) -> None:
    """Secrets are compared as bytes: a non-ASCII PIN once raised inside the
    comparison (a 500, a stack in the log) instead of counting as a wrong PIN."""
    h = harness()
    assert h.client.register(odd).status == 401
    assert h.client.register().status == 200
    assert h.client.request("POST", "/api/v1/close-connection", {"sessionId": odd}).status == 401
    assert h.client.close().status == 200


@pytest.mark.parametrize("path", ["/api/v1/register", "/api/v1/prepare-upload", "/api/v1/close-connection"])
def test_json_nested_too_deep_is_a_bad_request_never_a_server_error(
    harness: Callable[..., Harness], path: str
) -> None:
    """json raises RecursionError (not ValueError) for deep nesting: it was a 500."""
    h = harness()
    assert h.client.request("POST", path, raw=b"[" * 50_000).status == 400
    assert h.client.register().status == 200


def test_a_file_name_and_title_with_lone_surrogates_are_stored_as_text(
    harness: Callable[..., Harness], vault: Vault
) -> None:
    """JSON allows "\\ud800"; what the phone names a file or report is kept as
    displayable text, never a server error."""
    h = harness(destination=Destination(make_entry=True))
    assert h.client.register().status == 200
    data = b"some evidence"
    entry = describe("f1", "\ud800photo\x00.jpg", data)
    entry["fileType"] = "image/\ud800"
    reply = h.client.prepare([entry], title="\udfff report")
    assert reply.status == 200, reply.body
    tid = reply.json()["files"][0]["transmissionId"]
    assert h.client.upload("f1", tid, data).status == 200
    assert h.client.close().status == 200
    summary = h.receiver.wait(WAIT)
    assert summary is not None and len(summary.received) == 1
    item = vault.evidence.get(summary.received[0].evidence_id)
    item.filename.encode("utf-8")
    json.dumps(item.metadata, ensure_ascii=False).encode("utf-8")


def test_wrong_certificate_hash_sends_nothing(harness: Callable[..., Harness]) -> None:
    h = harness()
    payload = dict(h.receiver.payload, certificate_hash="0" * 64)
    client = TellaClient(payload)
    with pytest.raises(CertificateMismatch):
        client.register()
    assert not h.flag("wrong_pin").is_set() and not h.flag("registered").is_set()
    assert h.receiver.session.session_id is None


def test_declared_hash_mismatch_is_refused_and_nothing_stored(
    harness: Callable[..., Harness], vault: Vault
) -> None:
    h = harness()
    data = canary_bytes(100_000)
    ids = h.offer({"f1": data}, sha256="ab" * 32)
    reply = h.client.upload("f1", ids["f1"], data)
    assert reply.status == 406
    assert blob_files(vault) == [] and vault.evidence.items() == []
    assert h.client.close().status == 200
    summary = h.receiver.wait(WAIT)
    assert summary is not None and summary.refused[0].status == 406 and not summary.received


def test_oversized_file_refused_at_offer_and_at_upload(harness: Callable[..., Harness], vault: Vault) -> None:
    h = harness(limits=Limits(max_file_bytes=1000, io_timeout=5, decision_timeout=5))
    assert h.client.register().status == 200
    big = os.urandom(2000)
    assert h.client.prepare([describe("f1", "big.bin", big)]).status == 413
    h2 = harness()
    small = os.urandom(1000)
    ids = h2.offer({"f1": small})
    # more bytes than declared: refused as too large, nothing kept
    assert h2.client.upload("f1", ids["f1"], small + b"x" * 10).status == 413
    assert blob_files(vault) == [] and vault.evidence.items() == []


def test_too_many_files_refused(harness: Callable[..., Harness]) -> None:
    h = harness(limits=Limits(max_files=2, io_timeout=5, decision_timeout=5))
    assert h.client.register().status == 200
    files = [describe(f"f{i}", "a.bin", b"x") for i in range(3)]
    assert h.client.prepare(files).status == 413


def test_rejected_offer_is_403(harness: Callable[..., Harness]) -> None:
    h = harness(accept=False)
    assert h.client.register().status == 200
    assert h.client.prepare([describe("f1", "a.bin", b"abc")]).status == 403


def _partial_upload(h: Harness, fid: str, tid: str, declared: int, sent: bytes) -> Any:
    tls = h.client.tls_socket()
    head = (
        f"PUT {h.client.upload_path(fid, tid)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    ).encode()
    tls.sendall(head + sent)
    return tls


def test_dropped_connection_mid_upload_keeps_nothing(harness: Callable[..., Harness], vault: Vault) -> None:
    h = harness()
    data = canary_bytes(3 * 1024 * 1024)
    ids = h.offer({"f1": data})
    tls = _partial_upload(h, "f1", ids["f1"], len(data), data[: 1024 * 1024])
    assert h.flag("progress").wait(WAIT)
    tls.close()
    assert h.flag("refused").wait(WAIT)
    assert blob_files(vault) == [] and vault.evidence.items() == []
    # the phone may try again: the same file, whole this time, is stored
    assert h.client.upload("f1", ids["f1"], data).status == 200
    assert len(vault.evidence.items()) == 1
    assert scan([vault.path, Path(os.environ["TMPDIR"])], CANARY) == []


def test_second_session_while_one_is_active_is_409(harness: Callable[..., Harness]) -> None:
    h = harness()
    assert h.client.register().status == 200
    other = TellaClient(h.receiver.payload)
    assert other.register().status == 409
    assert h.receiver.session.session_id == h.client.session_id
    # a prepare-upload with a made-up session is refused
    other.session_id = "not-a-session"
    assert other.prepare([describe("f1", "a.bin", b"abc")]).status == 401


def test_second_receiver_on_the_same_port_is_refused(vault: Vault, harness: Callable[..., Harness]) -> None:
    h = harness()
    with pytest.raises(BadInput):
        Receiver(vault, listen="127.0.0.1", port=h.receiver.port).start()


def test_stop_mid_transfer_discards_the_upload_and_closes_the_port(
    harness: Callable[..., Harness], vault: Vault
) -> None:
    h = harness()
    data = canary_bytes(3 * 1024 * 1024)
    ids = h.offer({"f1": data})
    tls = _partial_upload(h, "f1", ids["f1"], len(data), data[: 1024 * 1024])
    try:
        assert h.flag("progress").wait(WAIT)
        summary = h.receiver.stop()
    finally:
        tls.close()
    assert summary.reason == STOPPED and not summary.received
    assert port_closed(h.receiver.port)
    assert blob_files(vault) == [] and vault.evidence.items() == []
    assert scan([vault.path, Path(os.environ["TMPDIR"])], CANARY) == []


def test_time_limit_stops_the_receiver(vault: Vault) -> None:
    r = Receiver(vault, listen="127.0.0.1", port=0, timeout=0.3)
    r.start()
    summary = r.wait(WAIT)
    assert summary is not None and summary.reason == TIMED_OUT
    assert port_closed(r.port)


def test_files_attached_to_an_entry(vault: Vault, harness: Callable[..., Harness]) -> None:
    from victim_log.model import IncidentData

    iid = vault.add_incident(IncidentData(summary="Car outside the house"))
    h = harness(destination=Destination(attach_to=iid))
    data = os.urandom(2048)
    ids = h.offer({"f1": data})
    assert h.client.upload("f1", ids["f1"], data).status == 200
    assert h.client.close().status == 200
    summary = h.receiver.wait(WAIT)
    assert summary is not None
    assert iid in vault.evidence.get(summary.received[0].evidence_id).incidents


def test_requests_out_of_order_get_protocol_errors(harness: Callable[..., Harness]) -> None:
    h = harness()
    c = h.client
    assert c.request("GET", "/api/v1/ping").status == 405
    assert c.request("POST", "/api/v1/nothing", {}).status == 404
    assert c.request("POST", "/api/v1/register", raw=b"{not json").status == 400
    assert c.prepare([describe("f1", "a.bin", b"abc")]).status == 400  # no session id yet
    assert c.request("PUT", "/api/v1/upload?sessionId=x", raw=b"abc").status == 400
    assert c.request("POST", "/api/v1/close-connection", {}).status == 400


@pytest.mark.parametrize("address", ["8.8.8.8", "0.0.0.0", "example.com"])
def test_listen_refuses_non_local_addresses(vault: Vault, address: str) -> None:
    with pytest.raises(BadInput):
        Receiver(vault, listen=address, port=0)


def test_all_files_stored_and_no_close_ends_after_the_grace(harness: Callable[..., Harness]) -> None:
    h = harness(limits=Limits(io_timeout=5, decision_timeout=5, close_grace=0.2))
    data = os.urandom(100)
    ids = h.offer({"f1": data})
    assert h.client.upload("f1", ids["f1"], data).status == 200
    summary = h.receiver.wait(WAIT)
    assert summary is not None and summary.reason == CLOSED and len(summary.received) == 1
    assert port_closed(h.receiver.port)


def test_chunked_upload_is_read(harness: Callable[..., Harness], vault: Vault) -> None:
    h = harness()
    data = os.urandom(70_000)
    ids = h.offer({"f1": data})
    tls = h.client.tls_socket()
    try:
        body = (
            b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (data[:30_000], data[30_000:]))
            + b"0\r\n\r\n"
        )
        tls.sendall(
            f"PUT {h.client.upload_path('f1', ids['f1'])} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
            + body
        )
        tls.settimeout(WAIT)
        assert tls.recv(100).startswith(b"HTTP/1.1 200")
    finally:
        tls.close()
    assert vault.evidence.read_bytes(vault.evidence.items()[0].id) == data


def _raw_reply(h: Harness, request: bytes) -> bytes:
    """Send ``request`` as it is on a fresh TLS connection; the start of the answer."""
    tls = h.client.tls_socket()
    try:
        tls.sendall(request)
        tls.settimeout(WAIT)
        return tls.recv(100)
    except OSError:
        return b""  # closed unanswered
    finally:
        tls.close()


@pytest.mark.parametrize(
    "spell",
    [lambda n: "+" + n, lambda n: n[0] + "_" + n[1:], lambda n: "99999999999999999999", lambda n: "-" + n],
    ids=["plus", "underscore", "overflow", "minus"],
)
def test_a_content_length_not_in_plain_digits_is_refused(
    harness: Callable[..., Harness], spell: Callable[[str], str]
) -> None:
    """The body is exactly as long as int() would read the length: a length read
    differently by us and by whatever sent it is how requests are smuggled."""
    h = harness()
    body = json.dumps({"pin": h.client.pin, "nonce": "n"}).encode()
    length = spell(str(len(body)))
    head = f"POST /api/v1/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {length}\r\n\r\n"
    assert _raw_reply(h, head.encode() + body).startswith(b"HTTP/1.1 400")
    assert h.client.register().status == 200  # the receiver goes on


@pytest.mark.parametrize("size", [b"-1", b"0x10", b"1_0", b"+a", b"1" * 16])
def test_a_chunk_size_not_in_plain_hex_drops_the_upload(
    harness: Callable[..., Harness], vault: Vault, size: bytes
) -> None:
    h = harness()
    data = os.urandom(16)
    ids = h.offer({"f1": data})
    head = (
        f"PUT {h.client.upload_path('f1', ids['f1'])} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    assert not _raw_reply(h, head + size + b"\r\n" + data + b"\r\n0\r\n\r\n").startswith(b"HTTP/1.1 200")
    assert blob_files(vault) == [] and vault.evidence.items() == []
    assert h.client.upload("f1", ids["f1"], data).status == 200  # the phone may try again


def test_session_cap_refuses_an_offer_too_large_in_all(harness: Callable[..., Harness]) -> None:
    h = harness(limits=Limits(max_file_bytes=1000, max_session_bytes=1500, io_timeout=5, decision_timeout=5))
    assert h.client.register().status == 200
    files = [describe("f1", "a.bin", b"a" * 800), describe("f2", "b.bin", b"b" * 800)]
    assert h.client.prepare(files).status == 413
    assert not h.flag("offer").is_set()  # never shown to the person


def test_a_silent_upload_times_out_and_keeps_nothing(harness: Callable[..., Harness], vault: Vault) -> None:
    h = harness(limits=Limits(io_timeout=0.5, decision_timeout=5))
    data = canary_bytes(200_000)
    ids = h.offer({"f1": data})
    tls = _partial_upload(h, "f1", ids["f1"], len(data), data[:50_000])
    try:
        assert h.flag("refused").wait(WAIT)  # the phone went quiet: dropped after io_timeout
    finally:
        tls.close()
    assert blob_files(vault) == [] and vault.evidence.items() == []


def test_the_session_certificate_and_key_are_never_on_disk(
    harness: Callable[..., Harness], vault: Vault, tmp_path: Path
) -> None:
    h = harness()
    with h.client.tls_socket() as tls:
        der = tls.getpeercert(binary_form=True) or b""
    assert hashlib.sha256(der).hexdigest() == h.receiver.certificate_hash
    roots = [vault.path, Path(os.environ["TMPDIR"]), Path(os.environ["HOME"]), tmp_path]
    for root in roots:
        for f in (p for p in root.rglob("*") if p.is_file()):
            data = f.read_bytes()
            assert b"PRIVATE KEY" not in data and der[:64] not in data, f
