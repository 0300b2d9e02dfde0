"""One failing source marks only its own fields stale, says why, and the rest keeps working."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

import lambdatop.aws.session as session_module
from lambdatop.cli import main
from lambdatop.demo.server import DemoServer
from tests.aws.conftest import clients
from tests.aws.truth import seed_truth


def _error(code: str, message: str) -> Any:
    def handler(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        http = AWSResponse("http://fault.invalid", 400, {}, None)
        parsed = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": 400}}
        return http, parsed

    return handler


def _with_hooks(monkeypatch: pytest.MonkeyPatch, hooks: list[tuple[str, Any]]) -> None:
    original = session_module.ClientPool

    class FaultyPool(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            for event, handler in hooks:
                self.register_hook(event, handler)

    monkeypatch.setattr(session_module, "ClientPool", FaultyPool)


def _once(
    server: DemoServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, Any]]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.credentials[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", server.credentials[1])
    code = main(["--once", "--format", "json", "--endpoint-url", server.endpoint_url, "--region", "us-east-1"])
    return code, json.loads(capsys.readouterr().out)


def test_throttled_metrics_leave_other_sources_ok(
    server: DemoServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_truth(clients(server.endpoint_url, server.credentials), quiet_functions=3)
    _with_hooks(monkeypatch, [("before-call.cloudwatch.GetMetricData", _error("Throttling", "Rate exceeded"))])
    code, doc = _once(server, monkeypatch, capsys)

    assert code == 3  # the document is still printed, and says what is stale
    assert doc["sources"]["metrics"]["ok"] is False
    assert "Throttling" in doc["sources"]["metrics"]["error"]
    for other in ("inventory", "account", "logs", "queues"):
        assert doc["sources"][other]["ok"] is True, other
    api = next(f for f in doc["functions"] if f["name"] == "api")
    assert "metrics" in api["stale"]
    assert api["invocations"] is None  # unknown, never a made-up 0
    assert api["cold_starts"] == 4  # logs still answered
    assert api["dlq"][0]["depth"] == 4  # queues still answered


def test_denied_logs_leave_other_sources_ok(
    server: DemoServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_truth(clients(server.endpoint_url, server.credentials), quiet_functions=3)
    denied = _error("AccessDeniedException", "not authorized to perform: logs:StartQuery")
    _with_hooks(monkeypatch, [("before-call.cloudwatch-logs.*", denied)])
    code, doc = _once(server, monkeypatch, capsys)

    assert code == 3
    assert doc["sources"]["logs"]["ok"] is False
    assert "AccessDenied" in doc["sources"]["logs"]["error"]
    for other in ("inventory", "account", "metrics", "queues"):
        assert doc["sources"][other]["ok"] is True, other
    api = next(f for f in doc["functions"] if f["name"] == "api")
    assert "logs" in api["stale"]
    assert api["cold_starts"] is None
    assert api["invocations"] == 100


def test_no_credentials_exits_4_and_suggests_the_demo(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--once", "--region", "us-east-1"])
    err = capsys.readouterr().err
    assert code == 4  # the README's exit code for a failed credential chain
    assert "No AWS credentials" in err
    assert "--demo" in err
    assert "AWS_ACCESS_KEY_ID" in err  # says which chain it tried
