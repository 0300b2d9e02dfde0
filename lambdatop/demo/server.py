"""The embedded demo server: moto behind our mends, on 127.0.0.1, in a daemon thread.

moto is imported only when a server starts, so `lambdatop --help` never pays for it.

moto keeps its backends per process, while each DemoServer has its own mends (metric store,
Lambda side state). So that the two always describe the same account, the first server to
start in a process resets moto, and the last one to stop resets it again (freeing memory).
Servers running at the same time in one process share moto's resources; the app runs one.
"""

from __future__ import annotations

import json
import logging
import secrets
import string
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from werkzeug.serving import BaseWSGIServer

    from lambdatop.demo.keepalive import OpenConnections
    from lambdatop.demo.mends.router import MendRouter

LOOPBACK = "127.0.0.1"
_KEY_ALPHABET = string.ascii_uppercase + string.digits


class DemoServerError(RuntimeError):
    """The server could not be started or configured."""


def _fake_credentials() -> tuple[str, str]:
    """Random, obviously fake credentials, made per server (never real ones)."""
    key_id = "AKIADEMO" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(12))
    return key_id, secrets.token_urlsafe(30)


class DemoServer:
    """An AWS-compatible endpoint for `lambdatop --demo` and the tests.

    >>> with DemoServer() as server:  # doctest: +SKIP
    ...     boto3.client("lambda", endpoint_url=server.endpoint_url, region_name=server.region,
    ...                  aws_access_key_id=server.credentials[0],
    ...                  aws_secret_access_key=server.credentials[1])
    """

    region: str = "us-east-1"
    # HTTP/1.1 keep-alive (see keepalive.py): a client reuses its connections instead of paying
    # for a new one, and a new server thread, on every call.
    keep_alive: bool = True
    _process_lock: ClassVar[threading.Lock] = threading.Lock()
    _running_in_process: ClassVar[int] = 0

    def __init__(self, *, host: str = LOOPBACK, port: int = 0, account_concurrency_limit: int = 1000) -> None:
        if host != LOOPBACK:
            raise ValueError(f"the demo server binds only {LOOPBACK}, not {host!r}")
        if account_concurrency_limit < 1:
            raise ValueError("account_concurrency_limit must be at least 1")
        self._host = host
        self._port = port
        self._limit = account_concurrency_limit
        self.credentials: tuple[str, str] = _fake_credentials()
        self._lock = threading.Lock()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._router: MendRouter | None = None
        self._connections: OpenConnections | None = None

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise DemoServerError("the demo server is not running; call start() first")
        return f"http://{LOOPBACK}:{self._server.server_port}"

    @property
    def port(self) -> int:
        if self._server is None:
            raise DemoServerError("the demo server is not running; call start() first")
        return int(self._server.server_port)

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def router(self) -> MendRouter:
        """The mends (metric store, Lambda side state), for tests and diagnostics."""
        if self._router is None:
            raise DemoServerError("the demo server is not running; call start() first")
        return self._router

    def start(self) -> None:
        """Start listening; returns once the socket is bound. A second call does nothing."""
        with self._lock:
            if self._server is not None:
                return
            # werkzeug logs one line per request to stderr: it must never reach the terminal.
            logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
            from moto.moto_server.werkzeug_app import (
                DomainDispatcherApplication,
                MotoRequestHandler,
                create_backend_app,
            )
            from werkzeug.serving import WSGIRequestHandler, make_server

            from lambdatop.demo.mends.router import MendRouter
            from lambdatop.demo.moto_patches import (
                cheap_attribute_lookup_when_sending,
                list_moto_modules_once,
                share_backends_when_copying_functions,
                share_one_model_loader,
            )

            share_backends_when_copying_functions()
            share_one_model_loader()
            list_moto_modules_once()
            cheap_attribute_lookup_when_sending()
            handler: type[WSGIRequestHandler] = MotoRequestHandler
            connections = None
            if self.keep_alive:
                from lambdatop.demo.keepalive import handler_for_server

                keep_alive_handler = handler_for_server()
                handler, connections = keep_alive_handler, keep_alive_handler.connections

            moto_app = DomainDispatcherApplication(create_backend_app)
            with DemoServer._process_lock:
                if DemoServer._running_in_process == 0:
                    _moto_api(moto_app, "/moto-api/reset", {})
                _moto_api(moto_app, "/moto-api/config", {"lambda": {"use_docker": False}})
                router = MendRouter(moto_app, account_concurrency_limit=self._limit)
                server = make_server(
                    self._host,
                    self._port,
                    router,
                    threaded=True,
                    request_handler=handler,
                )
                DemoServer._running_in_process += 1
            thread = threading.Thread(target=server.serve_forever, name="lambdatop-demo-server", daemon=True)
            thread.start()
            self._server, self._thread, self._router = server, thread, router
            self._connections = connections

    def stop(self) -> None:
        """Shut down, close the socket and join the thread. Safe to call twice."""
        with self._lock:
            server, thread, router = self._server, self._thread, self._router
            connections = self._connections
            self._server = self._thread = None
            self._router = self._connections = None
        if server is None:
            return
        server.shutdown()  # no new connections
        if connections is not None:
            connections.close_all()  # and none kept alive
        server.server_close()
        if thread is not None:
            thread.join(timeout=10)
        with DemoServer._process_lock:
            DemoServer._running_in_process -= 1
            if DemoServer._running_in_process == 0 and router is not None:
                try:
                    _moto_api(router.moto, "/moto-api/reset", {})  # free what moto holds
                except DemoServerError:
                    logging.getLogger(__name__).debug("moto reset after stop failed", exc_info=True)

    def __enter__(self) -> DemoServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _moto_api(moto_app: Any, path: str, document: dict[str, Any]) -> None:
    """POST to moto's own API in process: `/moto-api/reset`, or `/moto-api/config` to switch
    Lambda to its Docker-free backend (before any function exists: functions created under
    the other backend become invisible after the switch)."""
    from werkzeug.test import EnvironBuilder

    from lambdatop.demo.mends.protocol import forward

    builder = EnvironBuilder(
        path=path,
        method="POST",
        base_url=f"http://{LOOPBACK}",
        data=json.dumps(document),
        content_type="application/json",
    )
    try:
        reply = forward(moto_app, builder.get_environ())
    finally:
        builder.close()
    if reply.status >= 300:
        raise DemoServerError(f"moto refused {path} (HTTP {reply.status})")
