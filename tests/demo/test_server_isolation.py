"""moto keeps one set of backends per process; each DemoServer starts from an empty account.

This module uses no shared server, so the servers below are the only ones running.
"""

from __future__ import annotations

import boto3

from lambdatop.demo.server import DemoServer
from tests.demo.conftest import zipped


def test_a_fresh_server_starts_from_an_empty_account() -> None:
    with DemoServer() as first:
        endpoint = {
            "endpoint_url": first.endpoint_url,
            "region_name": first.region,
            "aws_access_key_id": "x",
            "aws_secret_access_key": "y",
        }
        lam = boto3.client("lambda", **endpoint)  # type: ignore[call-overload]
        role = boto3.client("iam", **endpoint).create_role(  # type: ignore[call-overload]
            RoleName="r", AssumeRolePolicyDocument="{}"
        )["Role"]["Arn"]
        lam.create_function(
            FunctionName="left-behind",
            Runtime="python3.12",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": zipped()},
        )
    with DemoServer() as second:
        lam = boto3.client(
            "lambda",
            endpoint_url=second.endpoint_url,
            region_name=second.region,
            aws_access_key_id="x",
            aws_secret_access_key="y",
        )

        assert lam.list_functions()["Functions"] == []
