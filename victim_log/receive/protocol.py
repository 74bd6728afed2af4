"""Tella Nearby Sharing, the receiving side: what we matched and what we could not.

Victim Log receives files from the Tella app on a phone over the local network. The
protocol is published by Horizontal (github.com/Horizontal-org/Tella-P2P-Protocol,
README) and implemented on the receiving side by Tella-Desktop
(backend/core/modules/registration, transfer, server; backend/utils/tls). This module
holds what we took from them: the routes, the JSON field names, the HTTP status codes.
It was written from reading both; no code or text of theirs is copied.

Matched (the published protocol and Tella-Desktop agree, or Tella-Desktop is newer):

- HTTPS only, a self-signed certificate made by the receiver, default port 53317.
- The QR code holds a JSON object ``{"ip_address": str, "port": int,
  "certificate_hash": str, "pin": str}``; the PIN is 6 digits.
- ``certificate_hash`` is the SHA-256 of the receiver's certificate in DER form, as 64
  lower-case hex digits (Tella-Desktop); the manual-connection screen shows it in
  groups of four ("87fd 5869 ..."), to be compared on both screens.
- ``POST /api/v1/ping``: the sender's first request before register (manual mode);
  answered 200 with no body. The receiver shows "a phone is connecting".
- ``POST /api/v1/register`` ``{"pin", "nonce"}`` (Tella-Desktop also reads an optional
  ``senderCertificateHash``) -> ``{"sessionId"}``. Errors: 400 invalid request, 401
  invalid PIN, 403 rejected, 409 a session is already active, 429 too many attempts.
  At most 3 wrong PINs: the third ends the receiver.
- ``POST /api/v1/prepare-upload`` ``{"title", "sessionId", "nonce"?, "files": [{"id",
  "fileName", "size", "fileType", "sha256", "thumbnail"?}]}`` -> ``{"files": [{"id",
  "transmissionId"}]}`` for the files the person accepted. Errors: 400, 401 invalid
  session, 403 rejected, 413 too large (Tella-Desktop).
- ``PUT /api/v1/upload?sessionId=&fileId=&transmissionId=`` (and ``nonce=``) with the
  raw bytes as the body -> ``{"success": true}``. Errors: 400 missing parameters, 401
  invalid session, 403 invalid transmission, 409 already completed, 413 too large,
  406 file hash mismatch (Tella-Desktop), 507 insufficient storage, 500 server error.
- ``POST /api/v1/close-connection`` ``{"sessionId"}`` -> ``{"success": true}``. Errors:
  400 missing session id, 401 invalid session, 403 session already closed.
- Error bodies are plain text, one short message (as Go's ``http.Error`` writes them).

Could not confirm (no phone to test with; decided as below):

- The thumbnail encoding: the iOS app's model holds it as ``Data``, which Swift's JSON
  encoder writes as base64; we accept a base64 string (standard or URL-safe), ignore
  one that does not decode, and never store it (only the dialog shows it).
- Whether phones send the upload with ``Content-Length`` or chunked: both are read.
- ``senderCertificateHash`` and client certificates: newer Tella-Desktop pins the
  sender's certificate after register and then requires it. We do not ask for a
  client certificate (older senders have none); the session id, held only by the
  phone that gave the right PIN over our pinned TLS, is what authorises the rest.
- Whether a phone sends more than one prepare-upload per session: we take one offer
  per session and answer a second with 403.
- Partial acceptance: Tella-Desktop accepts or rejects the whole offer; we let the
  person untick files and list only the accepted ones in the answer. Whether the
  phones then skip the others we could not check.
- A file whose upload failed (dropped, hash mismatch) may be sent again with the same
  transmission id; Tella-Desktop treats transmission ids as single-use.
- prepare-upload is held open until the person decides (at most 5 minutes, as
  Tella-Desktop); register is answered at once when the PIN is right (Tella-Desktop
  also asks the person to confirm it).
- When every accepted file is stored and no close-connection comes within 10
  seconds, the session ends as closed (Tella-Desktop ends its transfer when every
  file is resolved).
- ``fileType`` is what the phone says; the stored media type is sniffed from the bytes.
- A "nonce" seen twice is refused (400), as Tella-Desktop does; the published text
  does not say so.
"""

from __future__ import annotations

import re

DEFAULT_PORT = 53317
PIN_DIGITS = 6
MAX_PIN_ATTEMPTS = 3

PING = "/api/v1/ping"
REGISTER = "/api/v1/register"
PREPARE_UPLOAD = "/api/v1/prepare-upload"
UPLOAD = "/api/v1/upload"
CLOSE_CONNECTION = "/api/v1/close-connection"

# The status codes the protocol names, with our one-line message for each use.
BAD_REQUEST = 400
UNAUTHORIZED = 401
FORBIDDEN = 403
NOT_FOUND = 404
METHOD_NOT_ALLOWED = 405
NOT_ACCEPTABLE = 406  # declared SHA-256 did not match what arrived
REQUEST_TIMEOUT = 408
CONFLICT = 409
TOO_LARGE = 413
TOO_MANY = 429
SERVER_ERROR = 500
UNAVAILABLE = 503
INSUFFICIENT_STORAGE = 507

SHA256_HEX = re.compile(r"[0-9a-f]{64}")
MAX_JSON_BYTES = 4 * 1024 * 1024  # a prepare-upload with many thumbnails still fits
MAX_THUMBNAIL_BYTES = 512 * 1024
MAX_TEXT = 1000  # title, file name, file type, ids


class ProtocolError(Exception):
    """A request the receiver refuses: the HTTP status and a short plain message.

    The message names no file content and no PIN; it goes back to the phone as the
    response body and may be shown to the person."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def grouped_hash(certificate_hash: str) -> str:
    """The hash as the manual screen shows it: groups of four hex digits."""
    return " ".join(certificate_hash[i : i + 4] for i in range(0, len(certificate_hash), 4))
