"""HTTP/1.1 keep-alive for the embedded server: one TCP connection per client, not per call.

werkzeug's development server answers every request with `Connection: close`, because
http.server cannot drain an unread request body before parsing the next request line; each AWS
call then paid for a new connection (and a new thread). This handler keeps a connection open
only when that is safe: the client did not ask to close, the request was not chunked, and its
body was read to the last byte of its Content-Length. Bytes arriving after such a response
belong to the next request, so werkzeug's post-response drain sees end-of-stream instead of
eating them.

Idle connections close after `IDLE_TIMEOUT_S`; `OpenConnections.close_all()` ends the rest when
the server stops, so a stopped server answers nothing and leaves no thread behind. moto and
werkzeug are imported here, so import this module only when a server starts.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any, ClassVar

from moto.moto_server.werkzeug_app import MotoRequestHandler

# Longer than aiohttp's (15 s) and urllib3's reuse checks need: clients drop idle connections
# before the server does, so a request rarely meets a connection closing under it.
IDLE_TIMEOUT_S = 60.0


class OpenConnections:
    """The connections a server is serving, so stopping it can end them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[socket.socket, threading.Thread] = {}
        self.stopping = False

    def add(self, connection: socket.socket) -> None:
        with self._lock:
            self._open[connection] = threading.current_thread()
            stopping = self.stopping
        if stopping:  # accepted just before the server stopped: serve nothing more
            _end_reading(connection)

    def discard(self, connection: socket.socket) -> None:
        with self._lock:
            self._open.pop(connection, None)

    def close_all(self, timeout_s: float = 5.0) -> None:
        """End every connection once its current response (if any) is written, then wait."""
        with self._lock:
            self.stopping = True
            open_now = list(self._open.items())
        for connection, _ in open_now:
            _end_reading(connection)
        for _, thread in open_now:
            if thread is not threading.current_thread():
                thread.join(timeout_s)


def _end_reading(connection: socket.socket) -> None:
    """Wake a handler waiting for the next request (it reads end-of-stream); one in the middle
    of a response still writes it, then closes."""
    with contextlib.suppress(OSError):  # already closed by the client
        connection.shutdown(socket.SHUT_RD)


class _CountingInput:
    """A connection's input stream that counts what was read; `held` reads as end-of-stream."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self.consumed = 0
        self.held = False

    def read(self, size: int | None = -1) -> bytes:
        if self.held:
            return b""
        data: bytes = self._raw.read(size)
        self.consumed += len(data)
        return data

    def read1(self, size: int = -1) -> bytes:
        if self.held:
            return b""
        data: bytes = self._raw.read1(size)
        self.consumed += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        if self.held:
            return 0
        count: int = self._raw.readinto(buffer)
        self.consumed += count
        return count

    def readline(self, size: int | None = -1) -> bytes:
        if self.held:
            return b""
        line: bytes = self._raw.readline(size)
        self.consumed += len(line)
        return line

    def __getattr__(self, name: str) -> Any:  # close, fileno, closed, …
        return getattr(self._raw, name)


class KeepAliveRequestHandler(MotoRequestHandler):
    """moto's request handler, keeping HTTP/1.1 connections open between requests."""

    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT_S  # applied to the socket: an idle connection closes after this
    connections: ClassVar[OpenConnections]  # set per server by `handler_for_server`

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in separate writes: without this, Nagle's algorithm holds the
        # body back until the client's delayed ACK of the headers (tens of ms per call).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile = _CountingInput(self.rfile)  # type: ignore[assignment]
        self._body_starts_at = 0
        self.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.connections.discard(self.connection)

    def handle_one_request(self) -> None:
        self._input.held = False
        super().handle_one_request()

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        self._body_starts_at = self._input.consumed
        return parsed

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "connection" and value.lower() == "close" and self._may_keep_alive():
            # Keep the connection: what follows this response is the next request.
            self._input.held = True
            return
        super().send_header(keyword, value)

    @property
    def _input(self) -> _CountingInput:
        return self.rfile  # type: ignore[return-value]

    def _may_keep_alive(self) -> bool:
        if self.close_connection or self.connections.stopping:
            return False  # HTTP/1.0, `Connection: close`, or the server is going away
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return False
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return False
        return self._input.consumed - self._body_starts_at >= length


def handler_for_server() -> type[KeepAliveRequestHandler]:
    """A handler class of its own for one server, carrying that server's open connections."""
    attributes = {"connections": OpenConnections()}
    return type("DemoRequestHandler", (KeepAliveRequestHandler,), attributes)
