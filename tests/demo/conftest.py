"""A started DemoServer per test module, and boto3 clients isolated per test by account."""

from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from lambdatop.demo.server import DemoServer

ClientFactory = Callable[..., Any]
_accounts = itertools.count(100_000_000_001)


@pytest.fixture(scope="module")
def demo_server() -> Iterator[DemoServer]:
    server = DemoServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def account_id() -> str:
    """A fresh simulated account per test, so tests sharing a server never see each other."""
    return f"{next(_accounts):012d}"


@pytest.fixture
def client(demo_server: DemoServer, account_id: str) -> ClientFactory:
    """`client("lambda")`: a boto3 client for this test's account (override with account=)."""

    def make(service: str, *, account: str | None = None, region: str | None = None) -> Any:
        made = boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=demo_server.endpoint_url,
            region_name=region or demo_server.region,
            aws_access_key_id=demo_server.credentials[0],
            aws_secret_access_key=demo_server.credentials[1],
            config=Config(retries={"max_attempts": 0}, read_timeout=30),
        )
        chosen = account or account_id

        def pick_account(request: Any, **_: Any) -> None:
            request.headers["x-moto-account-id"] = chosen

        made.meta.events.register("before-sign.*.*", pick_account)
        return made

    return make


def zipped(code: str = "def handler(event, context):\n    return 1\n") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", code)
    return buffer.getvalue()


@pytest.fixture
def create_function(client: ClientFactory) -> Callable[..., dict[str, Any]]:
    """`create_function("orders", **extra)` in this test's account, with a role made once."""
    roles: dict[str, str] = {}

    def create(name: str, **extra: Any) -> dict[str, Any]:
        if "arn" not in roles:
            roles["arn"] = client("iam").create_role(RoleName="demo-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        result: dict[str, Any] = client("lambda").create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=roles["arn"],
            Handler="app.handler",
            Code={"ZipFile": zipped(extra.pop("code", "x = 1\n"))},
            **extra,
        )
        return result

    return create
