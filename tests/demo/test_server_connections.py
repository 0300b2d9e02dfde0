"""The embedded server keeps HTTP/1.1 connections alive, ends them on stop, and stays fast.

This module uses no shared server, so the servers below are the only ones running.
"""

from __future__ import annotations

import copy
import http.client
import threading
import time

import boto3

from lambdatop.demo.server import DemoServer
from tests.demo.conftest import zipped

_IDENTITY = "Action=GetCallerIdentity&Version=2011-06-15"
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _identity(connection: http.client.HTTPConnection) -> http.client.HTTPResponse:
    connection.request("POST", "/", body=_IDENTITY, headers=_FORM)
    response = connection.getresponse()
    response.read()
    return response


def test_a_client_makes_its_calls_over_one_connection() -> None:
    with DemoServer() as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        first = _identity(connection)
        sock = connection.sock
        second = _identity(connection)

        assert first.status == second.status == 200
        assert first.getheader("Connection") is None
        assert sock is not None
        assert connection.sock is sock  # http.client reconnects when the server closes
        connection.close()


def test_a_client_that_asks_to_close_gets_its_connection_closed() -> None:
    with DemoServer() as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("POST", "/", body=_IDENTITY, headers={**_FORM, "Connection": "close"})
        response = connection.getresponse()
        response.read()

        assert response.status == 200
        assert response.getheader("Connection") == "close"
        connection.close()


def test_stopping_ends_kept_alive_connections_and_their_threads() -> None:
    with DemoServer():  # first start pays for moto's imports and whatever they spawn
        pass
    threads_before = set(threading.enumerate())
    server = DemoServer()
    server.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        assert _identity(connection).status == 200
        sock = connection.sock
        assert sock is not None

        started = time.monotonic()
        server.stop()
        stopped_s = time.monotonic() - started
    finally:
        server.stop()  # a failed assertion must not leave moto's backends in use

    assert stopped_s < 5
    sock.settimeout(5)
    try:
        leftover_bytes = sock.recv(1)
    except ConnectionResetError:
        leftover_bytes = b""
    except TimeoutError:
        leftover_bytes = b"still open"
    assert leftover_bytes == b""  # the server closed it: a stopped server answers nothing
    connection.close()
    assert [t for t in threading.enumerate() if t not in threads_before and t.is_alive()] == []


def test_account_settings_stay_fast_however_many_log_events_exist() -> None:
    with DemoServer() as server:
        endpoint = {
            "endpoint_url": server.endpoint_url,
            "region_name": server.region,
            "aws_access_key_id": "x",
            "aws_secret_access_key": "y",
        }
        lam = boto3.client("lambda", **endpoint)  # type: ignore[call-overload]
        logs = boto3.client("logs", **endpoint)  # type: ignore[call-overload]
        role = boto3.client("iam", **endpoint).create_role(  # type: ignore[call-overload]
            RoleName="r", AssumeRolePolicyDocument="{}"
        )["Role"]["Arn"]
        for index in range(6):
            name = f"fn-{index}"
            lam.create_function(
                FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler", Code={"ZipFile": zipped()}
            )
            lam.publish_version(FunctionName=name)
        logs.create_log_group(logGroupName="/aws/lambda/fn-0")
        logs.create_log_stream(logGroupName="/aws/lambda/fn-0", logStreamName="s")
        now_ms = int(time.time() * 1000)
        for batch in range(3):
            events = [{"timestamp": now_ms + batch * 10_000 + k, "message": f"line {k}"} for k in range(10_000)]
            logs.put_log_events(logGroupName="/aws/lambda/fn-0", logStreamName="s", logEvents=events)

        settings = lam.get_account_settings()

        assert settings["AccountUsage"]["FunctionCount"] == 6
        # moto deep-copied every log event for each function here: seconds, growing with the
        # demo's logs (measured ≈ 1.8 s for this account before the fix, ≈ 0.02 s after). The
        # copy must share the logs backend instead of duplicating it.
        from moto.awslambda_simple.models import lambda_simple_backends  # the no-Docker backend

        function = next(iter(lambda_simple_backends["123456789012"][server.region].list_functions()))
        assert copy.deepcopy(function).logs_backend is function.logs_backend
