"""`lambdatop --demo --seed 7 --once --function checkout-api --format json` for scripts."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from lambdatop.cli import main

# The demo account lives at "now": timestamps move with the clock, everything else must not.
_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z|^1-[0-9a-f]{8}-"
)


def _timeless(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _timeless(v)
            for k, v in value.items()
            if k not in ("generated_at", "updated_at", "api_calls", "estimated_cost_usd")
        }
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    if isinstance(value, str):
        return _TIME.sub("<t>", value)
    return value


def _once(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, Any]]:
    code = main(["--demo", "--seed", "7", "--once", "--function", "checkout-api", "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.slow
def test_same_seed_same_document_with_verdict_diagnosis_and_traces(capsys: pytest.CaptureFixture[str]) -> None:
    first_code, first = _once(capsys)
    second_code, second = _once(capsys)
    assert first_code == second_code == 0
    assert _timeless(first) == _timeless(second)

    assert first["schema"] == "lambdatop.function/1"
    assert first["function"]["name"] == "checkout-api"
    assert first["function"]["aliases"] == [
        {"name": "live", "version": "1", "weights": {"2": 0.1}, "provisioned": None}
    ]
    assert first["verdict"]["outcome"] == "worse"
    assert first["verdict"]["p_value"] < 0.001
    assert first["verdict"]["text"].startswith("v2 worse than v1: ")
    assert first["throttle_diagnosis"] == []  # checkout-api is not throttled: an empty list, not null
    traces = first["traces"]
    assert traces["count"] > 0
    assert {d["target"] for d in traces["downstream"]} == {"DynamoDB", "payments.partner.example"}
    assert any(s["new_since_version"] == "2" for s in first["error_signatures"])
    assert all(p["ok"] for p in first["panels"].values())


def test_function_needs_once_and_not_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--function", "x"]) == 2
    assert main(["--once", "--function", "x", "--format", "csv"]) == 2
    err = capsys.readouterr().err
    assert "--function goes with --once" in err
    assert "not csv" in err


@pytest.mark.slow
def test_unknown_function_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--demo", "--seed", "7", "--once", "--function", "no-such-function"]) == 2
    assert "no function 'no-such-function'" in capsys.readouterr().err
