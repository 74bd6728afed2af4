"""The HTTPS receiver: standard-library HTTP server, TLS from :mod:`.tlscert`.

:class:`Receiver` listens on one address only while it runs (the dialog is open, or
``victim-log receive`` is running), serves one :class:`~.session.Session`, and stops
on close-connection, on the third wrong PIN, on its time limit, or when
:meth:`Receiver.stop` is called (window closed, Ctrl+C, lock, quick exit). Stopping
closes the listening socket, cuts every open connection (an upload in progress is
discarded, never half-stored) and waits for the connection threads to finish.
"""

from __future__ import annotations

import contextlib
import http.server
import io
import ipaddress
import json
import mmap
import queue
import re
import socket
import socketserver
import ssl
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any
from typing import BinaryIO
from typing import cast
from urllib.parse import parse_qs
from urllib.parse import urlsplit

from ..errors import BadInput
from ..logs import log_unexpected
from .protocol import BAD_REQUEST
from .protocol import CLOSE_CONNECTION
from .protocol import DEFAULT_PORT
from .protocol import MAX_JSON_BYTES
from .protocol import METHOD_NOT_ALLOWED
from .protocol import NOT_FOUND
from .protocol import PING
from .protocol import PREPARE_UPLOAD
from .protocol import REGISTER
from .protocol import SERVER_ERROR
from .protocol import TOO_LARGE
from .protocol import UPLOAD
from .protocol import ProtocolError
from .protocol import grouped_hash
from .session import CLOSED
from .session import STOPPED
from .session import TIMED_OUT
from .session import BodyError
from .session import Destination
from .session import Dropped
from .session import Event
from .session import Limits
from .session import Session
from .session import Stopped
from .session import Summary
from .session import TooLarge
from .tlscert import make_certificate

if TYPE_CHECKING:
    from ..vault import Vault

HEAD_KEEP = 256 * 1024
LINGER_BYTES = 4 * 1024 * 1024
PROGRESS_STEP = 256 * 1024
# One read-ahead buffer: the progress step, so a slow phone's progress still shows
# every 256 KiB (a buffer is handed on only when full); 2 MiB in flight in all.
AHEAD_BYTES = PROGRESS_STEP
AHEAD_DEPTH = 8
MAX_CONNECTIONS = 16  # at once; more are closed unanswered
_CONTENT_LENGTH = re.compile(r"[0-9]{1,18}", re.ASCII)  # under 10**18: more is never a file
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,15}")


class _Body(io.RawIOBase):
    """The request body as a file for the evidence store: at most ``limit`` bytes,
    a Content-Length or chunked body, the first bytes kept (media type, EXIF), and
    an error (never an OSError, which the store would report as a disk problem) on a
    dropped connection or a stop."""

    def __init__(
        self,
        rfile: BinaryIO,
        length: int | None,
        limit: int,
        stopped: threading.Event,
        progress: Callable[[int], None],
    ) -> None:
        self._rfile = rfile
        self._left = length  # None: chunked
        self._chunk_left = 0
        self._eof = False
        self._limit = limit
        self._stopped = stopped
        self._progress = progress
        self.count = 0
        self.head = b""

    def readable(self) -> bool:
        return True

    def _raw(self, view: memoryview) -> int:
        """Read what has arrived (at most ``len(view)``) into ``view``; never wait for
        more to arrive than one read gives (progress and stop stay prompt)."""
        try:
            n = self._rfile.readinto1(view)  # type: ignore[attr-defined]
        except (OSError, ValueError):
            raise Dropped from None
        if self._stopped.is_set():
            raise Stopped
        if not n:
            raise Dropped
        return int(n)

    def _line(self) -> bytes:
        try:
            line = self._rfile.readline(1024)
        except (OSError, ValueError):
            raise Dropped from None
        if not line.endswith(b"\n"):
            raise Dropped
        return line.strip()

    def _next_chunk(self) -> None:
        size = self._line().split(b";", 1)[0].strip()
        if not _CHUNK_SIZE.fullmatch(size):  # int(…, 16) takes "-1", "0x1f", "1_0"
            raise Dropped
        self._chunk_left = int(size, 16)
        if self._chunk_left == 0:
            while self._line():  # trailers, then the empty line
                pass
            self._eof = True

    def readinto(self, b: Any) -> int:
        view = memoryview(b).cast("B")
        if self._stopped.is_set():
            raise Stopped
        if self._left is not None:
            if self._left == 0:
                return 0
            n = self._raw(view[: min(len(view), self._left)])
            self._left -= n
        else:
            if self._eof:
                return 0
            if self._chunk_left == 0:
                self._next_chunk()
                if self._eof:
                    return 0
            n = self._raw(view[: min(len(view), self._chunk_left)])
            self._chunk_left -= n
            if self._chunk_left == 0:
                self._line()  # the CRLF after the chunk
        self.count += n
        if self.count > self._limit:
            raise TooLarge
        if len(self.head) < HEAD_KEEP:
            self.head += bytes(view[: min(n, HEAD_KEEP - len(self.head))])
        self._progress(self.count)
        return n


class _ReadAhead(io.RawIOBase):
    """A Content-Length upload body read on its own thread: TLS decryption runs
    while the evidence store hashes, encrypts and writes what came before, so a
    large file uses both cores of a small laptop instead of one. The reader thread
    fills whole page-aligned buffers straight from the TLS socket (one
    ``recv_into`` per TLS record); :meth:`readinto` copies them into the store's
    buffer (one memcpy, cheap beside the hash) and gives the buffer back. Same
    errors as :class:`_Body` (never an OSError). :meth:`close` stops the thread
    and waits for it, so nothing else reads the socket meanwhile; a thread
    still waiting for a silent phone is woken by shutting the socket's reading side
    (the answer can still be sent)."""

    def __init__(
        self,
        rfile: BinaryIO,
        sock: socket.socket,
        length: int,
        stopped: threading.Event,
        progress: Callable[[int], None],
    ) -> None:
        self._rfile = rfile
        self._sock = sock
        self._length = length
        self._stopped = stopped
        self._progress = progress
        self._free: queue.SimpleQueue[memoryview | None] = queue.SimpleQueue()
        self._full: queue.SimpleQueue[tuple[memoryview, int] | BodyError] = queue.SimpleQueue()
        self._closing = False
        self._thread: threading.Thread | None = None
        self._current: memoryview | None = None
        self._pos = self._end = 0
        self._eof = length == 0
        self.count = 0
        self.head = b""

    def readable(self) -> bool:
        return True

    def _run(self) -> None:
        left = self._length
        try:
            while left:
                buf = self._free.get()
                if buf is None:
                    return
                n = self._fill(buf[: min(len(buf), left)], first=left == self._length)
                left -= n
                self._full.put((buf, n))
        except BodyError as exc:
            self._full.put(exc)
        except Exception:  # noqa: BLE001 - the store must not wait for a thread that died
            self._full.put(Dropped())

    def _fill(self, view: memoryview, *, first: bool) -> int:
        got = 0
        if first:
            # what the request's reader already holds (it read the headers in blocks)
            try:
                got = int(self._rfile.readinto1(view))  # type: ignore[attr-defined]
            except (OSError, ValueError):
                raise Dropped from None
        recv_into = self._sock.recv_into
        size = len(view)
        while got < size:
            if self._stopped.is_set():
                raise Stopped
            if self._closing:
                break
            try:
                n = recv_into(view[got:])
            except (OSError, ValueError):
                raise Dropped from None
            if not n:
                raise Dropped
            got += n
        if self._stopped.is_set():
            raise Stopped
        return got

    def readinto(self, b: Any) -> int:
        view = memoryview(b).cast("B")
        if self._stopped.is_set():
            raise Stopped
        if self._current is None:
            if self._eof:
                return 0
            if self._thread is None:
                for _ in range(AHEAD_DEPTH):
                    self._free.put(memoryview(mmap.mmap(-1, AHEAD_BYTES)))
                self._thread = threading.Thread(target=self._run, name="receive-read", daemon=True)
                self._thread.start()
            item = self._full.get()
            if isinstance(item, BodyError):
                self._eof = True
                raise item
            self._current, self._end = item
            self._pos = 0
        n = min(len(view), self._end - self._pos)
        view[:n] = self._current[self._pos : self._pos + n]
        self._pos += n
        if self._pos == self._end:
            self._free.put(self._current)
            self._current = None
        self.count += n
        if self.count == self._length:
            self._eof = True
        if len(self.head) < HEAD_KEEP:
            self.head += bytes(view[: min(n, HEAD_KEEP - len(self.head))])
        self._progress(self.count)
        return n

    def close(self) -> None:
        """Stop reading ahead (the store is done or gave up) and wait for the thread."""
        self._closing = True
        self._free.put(None)
        thread = self._thread
        if thread is not None:
            thread.join(0.5)
            if thread.is_alive():  # waiting for a phone that went quiet: stop its reads
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(self._sock, socket.SHUT_RD)  # the TLS layer still answers
                thread.join()
        super().close()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "VictimLog"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """Nothing about the phone or its requests is logged."""

    def do_GET(self) -> None:
        self._error(ProtocolError(METHOD_NOT_ALLOWED, "Method not allowed"))

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def _dispatch(self, method: str) -> None:
        session = self.server.session
        url = urlsplit(self.path)
        try:
            if url.path == UPLOAD:
                if method != "PUT":
                    raise ProtocolError(METHOD_NOT_ALLOWED, "Method not allowed")
                self._upload(session, url.query)
                return
            routes: dict[str, Callable[[Any], dict[str, Any]]] = {
                REGISTER: session.register,
                PREPARE_UPLOAD: session.prepare,
                CLOSE_CONNECTION: session.close,
            }
            if url.path == PING:
                if method != "POST":
                    raise ProtocolError(METHOD_NOT_ALLOWED, "Method not allowed")
                with contextlib.suppress(ProtocolError):
                    self._read_json(optional=True)  # whatever a sender puts in a ping is ignored
                session.ping()
                self._send(200, b"", "text/plain")
                return
            route = routes.get(url.path)
            if route is None:
                raise ProtocolError(NOT_FOUND, "Not found")
            if method != "POST":
                raise ProtocolError(METHOD_NOT_ALLOWED, "Method not allowed")
            self._json(route(self._read_json()))
            if url.path == CLOSE_CONNECTION:
                self.close_connection = True
                self.server.receiver.request_stop(CLOSED)
        except ProtocolError as exc:
            self._error(exc)
        except Exception as exc:  # noqa: BLE001 - a bug must not kill the receiver silently
            log_unexpected(exc)
            self._error(ProtocolError(SERVER_ERROR, "Server error"))

    def _length(self) -> int | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return None
        raw = self.headers.get("Content-Length")
        if raw is None:
            return 0
        # Digits 0-9 only (RFC 9110): int() also takes "+5", "1_000", " 5" and other
        # scripts' digits, and a request read to a different length than a proxy or
        # the phone meant is how requests are smuggled.
        if not _CONTENT_LENGTH.fullmatch(raw.strip(" \t")):
            self.close_connection = True  # where this request ends is unknown
            raise ProtocolError(BAD_REQUEST, "Invalid request format")
        return int(raw)

    def _read_json(self, *, optional: bool = False) -> Any:
        length = self._length()
        if length is None:
            body = self._open_body(None, MAX_JSON_BYTES)
            try:
                raw = body.read()
            except TooLarge:
                raise ProtocolError(TOO_LARGE, "Content too large") from None
            except (Dropped, Stopped):
                raise ProtocolError(BAD_REQUEST, "Invalid request format") from None
        else:
            if length > MAX_JSON_BYTES:
                raise ProtocolError(TOO_LARGE, "Content too large")
            try:
                raw = self.rfile.read(length)
            except OSError:  # the phone went quiet or hung up: not a bug of ours
                raise ProtocolError(BAD_REQUEST, "Invalid request format") from None
        if optional and not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: nested too deep
            raise ProtocolError(BAD_REQUEST, "Invalid request format") from None

    def _open_body(self, length: int | None, limit: int) -> _Body:
        return _Body(cast(BinaryIO, self.rfile), length, limit, self.server.session.ended, lambda n: None)

    def _upload(self, session: Session, query: str) -> None:
        params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items() if v}
        length = self._length()
        fid = params.get("fileId", "")
        offer = session.offer
        total = next((f.size for f in offer.files if f.id == fid), 0) if offer else 0

        shown = [0]

        def progress(done: int) -> None:
            if done - shown[0] >= PROGRESS_STEP or done == total:  # not one event per TLS record
                shown[0] = done
                session.emit(Event("progress", file_id=fid, done=done, total=total))

        opened: list[io.RawIOBase] = []

        def open_body(limit: int) -> BinaryIO:
            rfile = cast(BinaryIO, self.rfile)
            body: io.RawIOBase
            if length is not None and length <= limit:
                body = _ReadAhead(rfile, self.connection, length, session.ended, progress)
            else:
                body = _Body(rfile, length, limit, session.ended, progress)
            opened.append(body)
            return cast(BinaryIO, body)

        try:
            self._json(session.upload(params, length, open_body))
        except ProtocolError:
            self.close_connection = True  # the rest of the body was not read
            raise
        finally:
            for body in opened:
                body.close()

    def _json(self, doc: dict[str, Any]) -> None:
        self._send(200, json.dumps(doc).encode(), "application/json")

    def _error(self, exc: ProtocolError) -> None:
        with contextlib.suppress(OSError):
            self._send(exc.status, (exc.message + "\n").encode(), "text/plain; charset=utf-8")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = False
    block_on_close = True  # server_close() waits for every connection thread
    allow_reuse_address = True
    request_queue_size = 8

    def __init__(self, address: tuple[str, int], receiver: Receiver) -> None:
        self.receiver = receiver
        self.session = receiver.session
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # no reverse DNS lookup of our own name

    def finish_request(self, request: Any, client_address: Any) -> None:
        sock = cast(socket.socket, request)
        sock.settimeout(self.receiver.limits.io_timeout)
        try:
            tls = self.receiver.context.wrap_socket(sock, server_side=True)
        except (OSError, ValueError):
            return  # not TLS, a wrong certificate hash on the phone's side, or it hung up
        with self._open_lock:
            crowded = len(self._open) >= MAX_CONNECTIONS
            self._open.add(tls)
        try:
            if self.session.ended.is_set() or crowded:
                return  # one phone needs a few connections, not dozens
            _Handler(tls, client_address, self)
        except (OSError, ValueError):
            pass  # the connection broke: the handler already discarded what it held
        finally:
            with self._open_lock:
                self._open.discard(tls)
            _linger_close(tls)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Nothing about a connection goes to stderr."""

    def cut_connections(self) -> None:
        with self._open_lock:
            open_now = list(self._open)
        for s in open_now:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


def _linger_close(tls: ssl.SSLSocket) -> None:
    """Close after an answer sent before the request's body was read (a refused
    upload): stop writing, read and drop what is still arriving for a moment, then
    close. Closing at once would reset the connection and the phone could lose the
    answer."""
    with contextlib.suppress(OSError, ValueError):
        tls.shutdown(socket.SHUT_WR)
        tls.settimeout(0.5)
        dropped = 0
        while dropped < LINGER_BYTES:
            data = tls.recv(65536)
            if not data:
                break
            dropped += len(data)
    with contextlib.suppress(OSError):
        tls.close()


def check_address(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise BadInput(f"'{address}' is not an IP address; give one address of this computer.") from None
    if ip.is_unspecified or ip.is_multicast:
        raise BadInput("Give one address of this computer on the local network, not a wildcard.")
    if not (ip.is_private or ip.is_loopback or ip.is_link_local):
        raise BadInput(
            f"{address} is not a local network address. The receiver only listens on the "
            "local network (home Wi-Fi), never on the internet."
        )
    return str(ip)


def local_address() -> str:
    """This computer's address on the local network (the one a route to a private
    address would use). A UDP socket is connected but nothing is sent."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.168.255.254", 9))
            address = str(s.getsockname()[0])
    except OSError:
        address = ""
    if not address or address.startswith("0."):
        raise BadInput(
            "This computer is not on a local network. Connect it to the same Wi-Fi as the "
            "phone, or give --listen ADDRESS."
        )
    return check_address(address)


class Receiver:
    """One receiving session over HTTPS; see the module docstring."""

    def __init__(
        self,
        vault: Vault,
        *,
        listen: str | None = None,
        port: int = DEFAULT_PORT,
        limits: Limits | None = None,
        destination: Destination | None = None,
        timeout: float | None = None,
        listener: Callable[[Event], None] | None = None,
    ) -> None:
        self.address = check_address(listen) if listen else local_address()
        if not 0 <= port <= 65535:
            raise BadInput("The port must be between 1 and 65535 (0: any free port).")
        self.limits = limits or Limits()
        self._listener = listener
        self.session = Session(vault, limits=self.limits, destination=destination, listener=listener)
        self._timeout = timeout
        self._requested_port = port
        self.port = 0
        self.context: ssl.SSLContext
        self.certificate_hash = ""
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []
        self._stop_lock = threading.Lock()
        self._summary: Summary | None = None
        self.done = threading.Event()
        self._stop_requested = threading.Event()

    @property
    def pin(self) -> str:
        return self.session.pin

    def start(self) -> None:
        cert = make_certificate(self.address)
        self.context = cert.context
        self.certificate_hash = cert.sha256_hex
        try:
            server = _Server((self.address, self._requested_port), self)
        except OSError as exc:
            raise BadInput(
                f"Could not listen on {self.address} port {self._requested_port} "
                f"({exc.strerror or 'in use'}). Is another receiver running? Close it, or choose --port."
            ) from None
        self._server = server
        self.port = int(server.server_address[1])
        serve = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        serve.start()
        watch = threading.Thread(target=self._watch, daemon=True)
        watch.start()
        self._threads = [serve, watch]

    @property
    def payload(self) -> dict[str, Any]:
        """The QR code's JSON (the published protocol's field names)."""
        return {
            "ip_address": self.address,
            "port": self.port,
            "certificate_hash": self.certificate_hash,
            "pin": self.pin,
        }

    @property
    def grouped_hash(self) -> str:
        return grouped_hash(self.certificate_hash)

    def _watch(self) -> None:
        """Stops the receiver on its time limit or when a request asked to stop
        (close-connection, the third wrong PIN): from this thread, since a connection
        thread cannot wait for itself."""
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        complete_since: float | None = None
        while not self.done.is_set():
            if self._stop_requested.wait(0.05) or self.session.ended.is_set():
                break
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                self.session.end(TIMED_OUT)
                break
            if complete_since is None and self.session.all_stored():
                complete_since = now
            if complete_since is not None and now - complete_since >= self.limits.close_grace:
                self.session.end(CLOSED)  # all in, and the phone did not say goodbye
                break
        self.stop(STOPPED)

    def request_stop(self, reason: str) -> None:
        self.session.end(reason)
        self._stop_requested.set()

    def stop(self, reason: str = STOPPED) -> Summary:
        """Stop now (idempotent): no new connection, every open one cut, an upload in
        progress discarded; then the entry for the lot if asked. The summary."""
        self.session.end(reason)
        with self._stop_lock:
            if self._summary is not None:
                return self._summary
            server = self._server
            if server is not None:
                server.shutdown()
                server.cut_connections()
                server.server_close()  # closes the port, joins connection threads
            summary = self.session.finish()
            self._summary = summary
        self.done.set()
        self._stop_requested.set()
        self.session.emit(Event("ended", summary=summary))
        return summary

    def wait(self, timeout: float | None = None) -> Summary | None:
        self.done.wait(timeout)
        return self._summary

    @property
    def summary(self) -> Summary | None:
        return self._summary
