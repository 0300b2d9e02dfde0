"""What `lambdatop --once` reports equals what was written, through the real code path."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lambdatop.cli import main
from lambdatop.demo.server import DemoServer
from tests.aws.conftest import clients
from tests.aws.truth import QUIET_FUNCTIONS, seed_truth


def _run_once(
    server: DemoServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, dict[str, Any]]:
    # The standard AWS environment, exactly as a user would set it for any endpoint.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.credentials[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", server.credentials[1])
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    code = main(["--once", "--format", "json", "--endpoint-url", server.endpoint_url, *extra])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_once_reports_exactly_what_was_written(
    server: DemoServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    truth = seed_truth(clients(server.endpoint_url, server.credentials))
    code, doc = _run_once(server, monkeypatch, capsys)

    assert doc["schema"] == "lambdatop.snapshot/1"
    assert {k: v for k, v in doc["sources"].items() if not v["ok"]} == {}
    assert code == 0
    by_name = {f["name"]: f for f in doc["functions"]}
    assert len(by_name) == QUIET_FUNCTIONS + 5  # every page of ListFunctions was read

    api = by_name["api"]
    expected = truth.expected["api"]
    for key in ("invocations", "errors", "throttles", "cold_starts"):
        assert api[key] == expected[key], key
    assert api["concurrency_max"] == pytest.approx(expected["concurrency_max"])
    assert api["duration_avg_ms"] == pytest.approx(expected["duration_avg_ms"], rel=0.01)
    assert api["cold_start_ratio"] == pytest.approx(expected["cold_start_ratio"])
    assert api["init_max_ms"] == pytest.approx(expected["init_max_ms"], abs=1.0)
    assert api["error_rate"] == pytest.approx(7 / 100)
    assert api["duration_p99_ms"] == pytest.approx(1000.0)
    assert api["reserved_concurrency"] is None
    assert api["dlq"] == [{"arn": truth.dlq_arn, "kind": "dead-letter", "depth": 4, "oldest_age_s": None}]

    jsonfn = by_name["jsonfn"]
    assert jsonfn["cold_starts"] == 2
    assert jsonfn["cold_start_ratio"] == pytest.approx(0.2)
    assert jsonfn["init_max_ms"] == pytest.approx(3100.5, abs=1.0)

    # Reserved concurrency: not set, stopped at 0 and capped are three different things.
    assert by_name["stopped"]["reserved_concurrency"] == 0
    assert by_name["capped"]["reserved_concurrency"] == 25
    assert by_name["quiet-000"]["reserved_concurrency"] is None
    canary_alias = by_name["canary"]["aliases"][0]
    assert [{k: canary_alias[k] for k in ("name", "version", "weights")}] == truth.expected["canary"]["aliases"]
    # Each version's figures through the alias, exactly as written (p99 from the demo's mend).
    for version, figures in truth.expected["canary"]["versions"].items():
        assert {k: canary_alias["versions"][version][k] for k in figures} == figures
    assert canary_alias["versions"]["2"]["error_rate"] == pytest.approx(0.31)

    # Unknown stays unknown: a function that never ran has counts of 0 but no gauges.
    quiet = by_name["quiet-001"]
    assert quiet["invocations"] == 0
    assert quiet["error_rate"] is None
    assert quiet["concurrency_max"] is None
    assert quiet["duration_avg_ms"] is None
    assert quiet["duration_p99_ms"] is None
    assert quiet["cold_starts"] is None  # no log group at all: no data, not zero
    assert quiet["init_max_ms"] is None

    region = doc["regions"][0]
    assert region["concurrent_executions_max"] == pytest.approx(truth.account_concurrency_max)
    assert region["concurrency_limit"] == 1000
    assert region["unreserved_concurrency_limit"] == 1000 - 25

    calls = doc["api"]["calls"]
    assert calls["lambda:ListFunctions"] == 2
    assert calls["cloudwatch:GetMetricData"] == 1  # every query fits in one call of ≤ 500
    assert doc["api"]["estimated_cost_usd"] > 0


def test_plain_moto_degrades_to_null_and_stale_sources(
    plain_moto: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    c = clients(plain_moto, ("testing", "testing"))
    role = c["iam"].create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    from tests.aws.conftest import zipped

    c["lambda"].create_function(
        FunctionName="fn", Runtime="python3.12", Role=role, Handler="app.handler", Code={"ZipFile": zipped()}
    )
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    code = main(["--once", "--format", "json", "--endpoint-url", plain_moto, "--region", "us-east-1"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 3
    assert doc["regions"][0]["concurrency_limit"] is None  # never an invented 1000
    assert doc["sources"]["account"]["ok"] is False
    assert "404" in doc["sources"]["account"]["error"]
    assert doc["sources"]["metrics"]["ok"] is True
    assert doc["functions"][0]["duration_p99_ms"] is None
    assert doc["functions"][0]["provisioned_concurrency"] is None
