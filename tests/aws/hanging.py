"""A loopback endpoint that accepts connections and never answers: the worst kind of outage.

A dead host is refused at once; this one lets the request in and keeps it forever, so only a
client-side deadline gets the caller out. It closes itself after `lifetime_s` whatever happens,
so a test that dies early cannot leave it behind.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator


class HangingEndpoint:
    def __init__(self, lifetime_s: float = 150.0) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._deadline = time.monotonic() + lifetime_s
        self._accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="hanging-endpoint", daemon=True)
        self.connections = 0

    @property
    def url(self) -> str:
        host, port = self._listener.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self) -> HangingEndpoint:
        self._thread.start()
        return self

    def _serve(self) -> None:
        while not self._stop.is_set() and time.monotonic() < self._deadline:
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                self._drain()
                continue
            except OSError:
                break
            conn.setblocking(False)
            self._accepted.append(conn)
            self.connections += 1
            self._drain()
        self._close_all()

    def _drain(self) -> None:
        """Read and drop what clients send, so they never block writing; answer nothing."""
        for conn in self._accepted:
            with contextlib.suppress(BlockingIOError, OSError):
                conn.recv(65536)

    def _close_all(self) -> None:
        for conn in self._accepted:
            with contextlib.suppress(OSError):
                conn.close()
        with contextlib.suppress(OSError):
            self._listener.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@contextlib.contextmanager
def hanging_endpoint(lifetime_s: float = 150.0) -> Iterator[HangingEndpoint]:
    endpoint = HangingEndpoint(lifetime_s).start()
    try:
        yield endpoint
    finally:
        endpoint.stop()
