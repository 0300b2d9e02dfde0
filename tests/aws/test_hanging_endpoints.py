"""A service that accepts connections and never answers fails its own source in time; the rest stays exact.

Each service in turn is pointed at a loopback endpoint that swallows requests (through
AWS_ENDPOINT_URL_<SERVICE>, the way a user's config would) while every other service is served
by the embedded server. The defaults are the real ones: no timeout is shortened for the test.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from lambdatop.aws.session import READ_POLICY, AwsTarget, ClientPool
from lambdatop.clock import SystemClock
from lambdatop.collector import Collector
from lambdatop.demo.server import DemoServer
from tests.aws.conftest import clients
from tests.aws.hanging import hanging_endpoint
from tests.aws.truth import seed_truth

REPO = Path(__file__).resolve().parents[2]
NO_ANSWER = f"no answer in {READ_POLICY.deadline_s:g} s"

# service → (its AWS_ENDPOINT_URL_<SERVICE_ID> suffix, the sources that need it)
HUNG: dict[str, tuple[str, frozenset[str]]] = {
    "lambda": ("LAMBDA", frozenset({"inventory", "account"})),
    "cloudwatch": ("CLOUDWATCH", frozenset({"metrics"})),
    "logs": ("CLOUDWATCH_LOGS", frozenset({"logs"})),
    "sqs": ("SQS", frozenset({"queues"})),
    "sts": ("STS", frozenset({"account"})),
}
ALL_SOURCES = frozenset({"inventory", "account", "metrics", "logs", "queues"})


def _aws_env(server: DemoServer, hung_suffix: str, hung_url: str) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": server.credentials[0],
        "AWS_SECRET_ACCESS_KEY": server.credentials[1],
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": server.endpoint_url,
        f"AWS_ENDPOINT_URL_{hung_suffix}": hung_url,
    }


@pytest.mark.parametrize("service", sorted(HUNG))
def test_a_silent_service_fails_its_own_source_within_30_s(
    service: str, server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_truth(clients(server.endpoint_url, server.credentials), quiet_functions=3)
    suffix, needs_it = HUNG[service]
    with hanging_endpoint() as hung:
        for name, value in _aws_env(server, suffix, hung.url).items():
            monkeypatch.setenv(name, value)

        async def collect() -> Any:
            async with ClientPool(AwsTarget()) as pool:
                collector = Collector(pool, ("us-east-1",), SystemClock(), window_minutes=15)
                return await collector.collect_once()

        started = time.monotonic()
        snapshot = asyncio.run(collect())
        elapsed = time.monotonic() - started
        assert hung.connections > 0, "the test must really have sent requests to the silent endpoint"

    assert elapsed < 30, f"a silent {service} held the pass for {elapsed:.1f} s"
    sources = snapshot.sources
    for name in needs_it:
        assert not sources[name].ok, name
        assert NO_ANSWER in (sources[name].error or ""), (name, sources[name].error)
    if service != "lambda":  # without the function list nothing else has anything to read
        for name in ALL_SOURCES - needs_it:
            assert sources[name].ok, (name, sources[name].error)


def _once_json(env: dict[str, str], tmp_path: Path) -> tuple[int, dict[str, Any], str, float]:
    home = tmp_path / "home"
    full_env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".state"),
        "AWS_CONFIG_FILE": str(home / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        **env,
    }
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "lambdatop", "--once", "--format", "json"],
        cwd=REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    elapsed = time.monotonic() - started
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout), done.stderr, elapsed


def _comparable(doc: dict[str, Any], hide: set[str]) -> dict[str, dict[str, Any]]:
    """Each function's fields that do not come from the silent service."""
    fields_of = {
        "metrics": {"invocations", "errors", "throttles", "error_rate", "duration_p50_ms", "duration_p99_ms"},
        "logs": {"cold_starts", "cold_start_ratio", "init_max_ms"},
        "queues": {"dlq"},
    }
    hidden = set().union(*(fields_of.get(source, set()) for source in hide))
    keep = {
        "name",
        "reserved_concurrency",
        "aliases",
        "invocations",
        "errors",
        "throttles",
        "cold_starts",
        "cold_start_ratio",
        "init_max_ms",
        "dlq",
    } - hidden
    if "metrics" in hide:  # a weighted alias's per-version figures are CloudWatch metrics too
        return {
            f["name"]: {k: _without_versions(f[k]) if k == "aliases" else f.get(k) for k in sorted(keep)}
            for f in doc["functions"]
        }
    return {f["name"]: {k: f.get(k) for k in sorted(keep)} for f in doc["functions"]}


def _without_versions(aliases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An alias as Lambda describes it: its per-version figures come from CloudWatch."""
    return [{k: v for k, v in alias.items() if k != "versions"} for alias in aliases]


@pytest.mark.parametrize("service", ["cloudwatch", "logs", "sqs"])
def test_once_prints_within_60_s_with_the_silent_source_failed_and_the_rest_exact(
    service: str, server: DemoServer, tmp_path: Path
) -> None:
    seed_truth(clients(server.endpoint_url, server.credentials), quiet_functions=3)
    suffix, needs_it = HUNG[service]
    with hanging_endpoint() as hung:
        code, doc, _, elapsed = _once_json(_aws_env(server, suffix, hung.url), tmp_path)
    assert elapsed < 60, f"--once took {elapsed:.1f} s with {service} silent"
    assert code == 3  # documented: some sources stale or failed, document printed
    for name in needs_it:
        assert doc["sources"][name]["ok"] is False
        assert NO_ANSWER in doc["sources"][name]["error"]
    for name in ALL_SOURCES - needs_it:
        assert doc["sources"][name]["ok"] is True, name

    # The same account read with every service answering: what did not depend on the silent one is identical.
    baseline_code, baseline, _, _ = _once_json(_aws_env(server, suffix, server.endpoint_url), tmp_path)
    assert baseline_code == 0
    expected = _comparable(baseline, set(needs_it))
    assert any(value not in (None, []) for row in expected.values() for key, value in row.items() if key != "name")
    assert _comparable(doc, set(needs_it)) == expected
    assert len(doc["functions"]) == len(baseline["functions"]) > 0
