"""An embedded demo server (moto plus lambdatop's AWS-faithful mends) on 127.0.0.1, port 0."""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from lambdatop.demo.server import DemoServer


@pytest.fixture
def server() -> Iterator[DemoServer]:
    demo = DemoServer()
    demo.start()
    try:
        yield demo
    finally:
        demo.stop()


@pytest.fixture
def plain_moto() -> Iterator[str]:
    """moto exactly as shipped, to prove the app degrades instead of crashing."""
    import requests
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    requests.post(f"{endpoint}/moto-api/config", json={"lambda": {"use_docker": False}}, timeout=10)
    try:
        yield endpoint
    finally:
        moto.stop()


def clients(endpoint: str, credentials: tuple[str, str], region: str = "us-east-1") -> dict[str, Any]:
    kwargs = {
        "endpoint_url": endpoint,
        "region_name": region,
        "aws_access_key_id": credentials[0],
        "aws_secret_access_key": credentials[1],
    }
    return {name: boto3.client(name, **kwargs) for name in ("lambda", "cloudwatch", "logs", "sqs", "iam")}


def zipped(code: str = "def handler(event, context):\n    return 1\n") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", code)
    return buffer.getvalue()
