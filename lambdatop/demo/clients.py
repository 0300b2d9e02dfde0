"""boto3 clients for the demo endpoint, tuned for a local server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def make_clients(
    endpoint_url: str,
    credentials: tuple[str, str],
    region: str,
    services: Sequence[str] = ("lambda", "logs", "cloudwatch", "sqs"),
) -> dict[str, Any]:
    """boto3 clients for the demo endpoint; no retry storms against a local server."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(
        aws_access_key_id=credentials[0],
        aws_secret_access_key=credentials[1],
        region_name=region,
    )
    config = Config(
        retries={"max_attempts": 2, "mode": "standard"},
        connect_timeout=5,
        read_timeout=60,
        max_pool_connections=4,
        # The demo writes tens of thousands of log events; botocore's client-side validation
        # of each one costs more than the local server's answer.
        parameter_validation=False,
    )
    return {
        name: session.client(name, endpoint_url=endpoint_url, config=config)  # type: ignore[call-overload]
        for name in services
    }
