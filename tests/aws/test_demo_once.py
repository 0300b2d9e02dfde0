"""The newcomer's first headless run: `lambdatop --demo --seed 7 --once --format json`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lambdatop.cli import main


def _demo_once(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["--demo", "--seed", "7", "--once", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _numbers(doc: dict[str, Any]) -> dict[str, Any]:
    """Everything but the wall-clock parts (when it ran, how long calls took, what they cost)."""
    return {
        "regions": doc["regions"],
        "functions": doc["functions"],
        "sources": {name: source["ok"] for name, source in doc["sources"].items()},
    }


@pytest.mark.slow
def test_same_seed_same_numbers_and_every_scenario_visible(capsys: pytest.CaptureFixture[str]) -> None:
    first_code, first = _demo_once(capsys)
    second_code, second = _demo_once(capsys)

    assert first_code == second_code == 0
    assert _numbers(first) == _numbers(second)
    assert all(source["ok"] for source in first["sources"].values())

    functions = first["functions"]
    throttling_at_cap = [
        f
        for f in functions
        if f["reserved_concurrency"] and f["throttles"] and f["concurrency_max"] == f["reserved_concurrency"]
    ]
    assert throttling_at_cap, "a function throttling against its reserved cap"
    assert any(f["errors"] and f["error_rate"] >= 0.05 for f in functions), "a function with errors"
    assert any(q["depth"] for f in functions for q in f["dlq"]), "a non-empty DLQ"
    assert any(a["weights"] for f in functions for a in f["aliases"]), "a weighted alias"
    assert any((f["init_max_ms"] or 0) >= 2000 for f in functions), "a multi-second cold start"
    assert any(f["reserved_concurrency"] == 0 for f in functions), "an emergency-stopped function"
    assert first["regions"][0]["concurrency_limit"] is not None
