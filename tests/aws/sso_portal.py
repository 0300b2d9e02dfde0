"""A stand-in for the IAM Identity Center portal's GetRoleCredentials, on loopback.

It hands out the embedded server's keys for a bearer token, short-lived so that botocore asks
again on every use, and answers 401 UnauthorizedException while `authorized` is off: what AWS
does once the SSO session has expired or was signed out.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class SsoPortal:
    def __init__(self, credentials: tuple[str, str], lifetime_s: float = 120.0) -> None:
        self.credentials = credentials
        self.authorized = True
        self.requests = 0
        self.role_lifetime_s = 60  # inside botocore's refresh window: every use asks the portal
        portal = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                portal.requests += 1
                if not portal.authorized or not self.headers.get("x-amz-sso_bearer_token"):
                    body: dict[str, Any] = {"message": "Session token not found or invalid"}
                    self._answer(401, body, "UnauthorizedException")
                    return
                expiration = int((time.time() + portal.role_lifetime_s) * 1000)
                role = {
                    "accessKeyId": portal.credentials[0],
                    "secretAccessKey": portal.credentials[1],
                    "sessionToken": "sso-session-token",
                    "expiration": expiration,
                }
                self._answer(200, {"roleCredentials": role}, None)

            def _answer(self, status: int, body: dict[str, Any], error_type: str | None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if error_type:
                    self.send_header("x-amzn-ErrorType", error_type)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="sso-portal", daemon=True)
        self._timer = threading.Timer(lifetime_s, self._server.shutdown)  # never outlives a broken test
        self._timer.daemon = True

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> SsoPortal:
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
