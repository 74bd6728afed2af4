"""A Tella Nearby Sharing sender for tests, written from the published protocol
(github.com/Horizontal-org/Tella-P2P-Protocol): ping, register, prepare-upload,
upload, close-connection over HTTPS, checking the receiver's certificate against the
hash in its QR code before anything is sent. Talks to 127.0.0.1 only."""

from __future__ import annotations

import hashlib
import http.client
import json
import socket
import ssl
import uuid
from dataclasses import dataclass
from typing import Any

# a 1x1 PNG, base64 as the iOS app's JSON encoder writes Data
THUMBNAIL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"


class CertificateMismatch(Exception):
    """The receiver's certificate is not the one its QR code named: refuse to talk."""


@dataclass
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def _context() -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # self-signed: pinned by hash instead
    return ctx


class TellaClient:
    def __init__(self, payload: dict[str, Any], *, timeout: float = 10.0) -> None:
        assert payload["ip_address"] == "127.0.0.1"
        self.host = str(payload["ip_address"])
        self.port = int(payload["port"])
        self.certificate_hash = str(payload["certificate_hash"])
        self.pin = str(payload["pin"])
        self.timeout = timeout
        self.session_id = ""

    def tls_socket(self) -> ssl.SSLSocket:
        raw = socket.create_connection((self.host, self.port), timeout=self.timeout)
        tls = _context().wrap_socket(raw)
        der = tls.getpeercert(binary_form=True) or b""
        if hashlib.sha256(der).hexdigest() != self.certificate_hash:
            tls.close()
            raise CertificateMismatch
        return tls

    def request(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None) -> Reply:
        conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=_context())
        conn.sock = self.tls_socket()
        try:
            data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
            headers = {"Content-Type": "application/json" if raw is None else "application/octet-stream"}
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            return Reply(resp.status, resp.read())
        finally:
            conn.close()

    def ping(self) -> Reply:
        return self.request("POST", "/api/v1/ping", {})

    def register(self, pin: str | None = None) -> Reply:
        reply = self.request("POST", "/api/v1/register", {"pin": pin or self.pin, "nonce": str(uuid.uuid4())})
        if reply.status == 200:
            self.session_id = reply.json()["sessionId"]
        return reply

    def prepare(self, files: list[dict[str, Any]], title: str = "Report") -> Reply:
        body = {"title": title, "sessionId": self.session_id, "nonce": str(uuid.uuid4()), "files": files}
        return self.request("POST", "/api/v1/prepare-upload", body)

    def upload_path(self, file_id: str, transmission_id: str) -> str:
        return (
            f"/api/v1/upload?sessionId={self.session_id}&fileId={file_id}"
            f"&transmissionId={transmission_id}&nonce={uuid.uuid4()}"
        )

    def upload(self, file_id: str, transmission_id: str, data: bytes) -> Reply:
        return self.request("PUT", self.upload_path(file_id, transmission_id), raw=data)

    def close(self) -> Reply:
        return self.request("POST", "/api/v1/close-connection", {"sessionId": self.session_id})


def describe(file_id: str, name: str, data: bytes, *, sha256: str | None = None) -> dict[str, Any]:
    """A prepare-upload file entry."""
    return {
        "id": file_id,
        "fileName": name,
        "size": len(data),
        "fileType": "application/octet-stream",
        "sha256": sha256 or hashlib.sha256(data).hexdigest(),
        "thumbnail": THUMBNAIL,
    }
