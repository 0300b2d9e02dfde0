"""Wire-level helpers shared by the mends: reading a request, writing AWS-shaped replies,
and calling the wrapped moto application in process.

Everything here speaks the AWS protocols botocore speaks (JSON 1.0 / 1.1 with X-Amz-Target,
REST JSON for Lambda), never moto's Python internals, so the mends survive moto upgrades.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")
_ACCESS_KEY = re.compile(r"Credential=([^/,\s]+)/")


class ProtocolError(Exception):
    """A request the mend must refuse the way AWS would; `reply` is the answer to send."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


@dataclass(slots=True)
class Reply:
    """An HTTP answer, either ours or one read back from moto."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.body or b"{}")

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    def with_json(self, document: Any) -> Reply:
        """The same reply carrying a rewritten JSON body (length header fixed up)."""
        body = json.dumps(document).encode()
        headers = [(k, v) for k, v in self.headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        return Reply(self.status, body, headers)


_REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    400: "Bad Request",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
}


def serve(reply: Reply, start_response: Callable[..., Any]) -> list[bytes]:
    status_line = f"{reply.status} {_REASONS.get(reply.status, 'Unknown')}"
    headers = [(k, v) for k, v in reply.headers if k.lower() != "content-length"]
    headers.append(("Content-Length", str(len(reply.body))))
    start_response(status_line, headers)
    return [reply.body]


def json_reply(document: Any, *, status: int = 200, content_type: str) -> Reply:
    body = json.dumps(document).encode()
    return Reply(status, body, [("Content-Type", content_type), ("x-amzn-RequestId", _rid())])


def _rid() -> str:
    return os.urandom(16).hex()


@dataclass(slots=True)
class Call:
    """One incoming request, with its body read (and put back for forwarding)."""

    environ: dict[str, Any]
    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes

    @staticmethod
    def read(environ: dict[str, Any], *, with_body: bool) -> Call:
        body = _take_body(environ) if with_body else b""
        return Call(
            environ=environ,
            method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
            path=str(environ.get("PATH_INFO", "")),
            query=parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True),
            body=body,
        )

    def header(self, name: str) -> str | None:
        value = self.environ.get("HTTP_" + name.upper().replace("-", "_"))
        return None if value is None else str(value)

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> dict[str, Any]:
        """The JSON body, inflated first when the client compressed it (PutMetricData > 10 KB)."""
        raw = self.body
        encoding = (self.header("Content-Encoding") or "").lower()
        try:
            if "gzip" in encoding:
                raw = gzip.decompress(raw)
            elif "deflate" in encoding:
                raw = zlib.decompress(raw)
            document = json.loads(raw or b"{}")
        except (OSError, ValueError, zlib.error) as error:
            raise ProtocolError(
                json_reply(
                    {"__type": "SerializationException", "message": str(error)},
                    status=400,
                    content_type="application/x-amz-json-1.0",
                )
            ) from error
        if not isinstance(document, dict):
            raise ProtocolError(
                json_reply(
                    {"__type": "SerializationException", "message": "expected an object"},
                    status=400,
                    content_type="application/x-amz-json-1.0",
                )
            )
        return document

    @property
    def region(self) -> str:
        """From the SigV4 credential scope, as AWS routes the request."""
        match = _SCOPE.search(self.header("Authorization") or "")
        return match.group(1) if match else DEFAULT_REGION

    @property
    def signing_service(self) -> str | None:
        match = _SCOPE.search(self.header("Authorization") or "")
        return match.group(2) if match else None

    @property
    def account(self) -> str:
        """The account moto files this request under, in moto's own order of precedence.

        moto lets MOTO_ACCOUNT_ID win over the x-moto-account-id header; following the same
        order keeps our side state in the account where moto keeps the resources.
        """
        from_env = os.environ.get("MOTO_ACCOUNT_ID")
        if from_env:
            return from_env
        from_header = self.header("x-moto-account-id")
        if from_header:
            return from_header
        return _account_for_access_key(self.header("Authorization") or "")


def _account_for_access_key(authorization: str) -> str:
    """moto maps access keys it issued through IAM to their account; others to the default."""
    match = _ACCESS_KEY.search(authorization)
    if not match:
        return DEFAULT_ACCOUNT_ID
    try:
        from moto.iam.models import get_account_id_from
    except ImportError:  # pragma: no cover - moto[server] is a dependency of the demo
        return DEFAULT_ACCOUNT_ID
    return str(get_account_id_from(match.group(1)))


def _take_body(environ: dict[str, Any]) -> bytes:
    """Read the request body and put an identical stream back, so moto can still read it."""
    stream = environ.get("wsgi.input")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = stream.read(length) if stream is not None and length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def forward(app: WsgiApp, environ: dict[str, Any]) -> Reply:
    """Run a request through moto and collect its answer."""
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"] = int(status.split(" ", 1)[0])
        captured["headers"] = list(headers)
        return lambda _data: None

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return Reply(captured.get("status", 500), body, captured.get("headers", []))


def internal_environ(
    template: Mapping[str, Any],
    *,
    method: str,
    path: str,
    query: Mapping[str, str] | None = None,
    body: bytes = b"",
    target: str | None = None,
    content_type: str | None = None,
) -> dict[str, Any]:
    """A request environment for an in-process call to moto on behalf of `template`'s caller.

    It keeps the caller's Authorization (moto reads region and service from its credential
    scope) and account header, so moto answers from the same account and region.
    """
    environ: dict[str, Any] = {
        key: value
        for key, value in template.items()
        if key
        in (
            "SERVER_NAME",
            "SERVER_PORT",
            "SERVER_PROTOCOL",
            "REMOTE_ADDR",
            "wsgi.version",
            "wsgi.url_scheme",
            "wsgi.errors",
            "wsgi.multithread",
            "wsgi.multiprocess",
            "wsgi.run_once",
            "HTTP_HOST",
            "HTTP_AUTHORIZATION",
            "HTTP_X_MOTO_ACCOUNT_ID",
            "HTTP_X_AMZ_DATE",
            "HTTP_USER_AGENT",
        )
    }
    environ.update(
        REQUEST_METHOD=method,
        PATH_INFO=path,
        SCRIPT_NAME="",
        QUERY_STRING=urlencode(dict(query or {})),
        CONTENT_LENGTH=str(len(body)),
        CONTENT_TYPE=content_type or "",
    )
    environ["wsgi.input"] = io.BytesIO(body)
    if target is not None:
        environ["HTTP_X_AMZ_TARGET"] = target
    return environ


def epoch_seconds(value: Any) -> float:
    """A JSON-protocol timestamp: epoch seconds (number or numeric string) or ISO 8601."""
    if isinstance(value, bool):
        raise ValueError("not a timestamp")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return parsed.timestamp()
    raise ValueError("not a timestamp")


def lambda_timestamp(at: datetime) -> str:
    """Lambda's LastModified format, e.g. 2026-03-02T10:15:04.330+0000."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}+0000"
