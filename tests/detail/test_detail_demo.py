"""The detail reads against the embedded demo server: what an operator sees for each scenario."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from lambdatop.aws.session import AwsTarget, ClientPool
from lambdatop.clock import ClockStartingAt
from lambdatop.detail_source import DetailSession
from lambdatop.model.function_snapshot import DetailRequest, FunctionSnapshot


def _read(demo: Any, name: str, parts: tuple[str, ...] = ("config", "metrics", "logs", "traces")) -> FunctionSnapshot:
    async def go() -> FunctionSnapshot:
        target = AwsTarget(endpoint_url=demo.endpoint_url, credentials=demo.credentials, isolated=True)
        clock = ClockStartingAt(demo.zero_at + timedelta(seconds=1))
        async with ClientPool(target) as pool:
            session = DetailSession(pool, DetailRequest(name=name, region=demo.region, window_minutes=60), clock)
            for part in parts:
                assert await session.step(part), (part, session.panels)
            return session.snapshot()

    return asyncio.run(go())


def test_canary_verdict_with_a_p_value_and_the_new_signature(demo: Any) -> None:
    snap = _read(demo, "checkout-api")
    assert snap.verdict is not None
    assert snap.verdict.outcome == "worse"
    assert snap.verdict.p_value is not None
    assert snap.verdict.p_value < 0.001
    assert snap.verdict.text.startswith("v2 worse than v1: ")
    stable, canary = snap.versions
    assert (stable.version, canary.version) == ("1", "2")
    assert stable.invocations is not None
    assert canary.invocations is not None
    assert stable.invocations > canary.invocations > 0
    new = [s for s in snap.signatures if s.new_since_version == "2"]
    assert [s.text for s in new] == ["TypeError: Cannot read properties of undefined (reading <v>)"]
    assert any(s.text == "PaymentDeclinedError: card_declined" and s.new_since_version is None for s in snap.signatures)


def test_traces_and_service_graph_edges(demo: Any) -> None:
    snap = _read(demo, "checkout-api")
    assert snap.traces is not None
    assert 0 < len(snap.traces.traces) <= 10
    assert all(t.calls for t in snap.traces.traces)
    edges = {e.target: e for e in snap.traces.edges}
    assert set(edges) == {"DynamoDB", "payments.partner.example"}
    payments = edges["payments.partner.example"]
    # The graph covers every trace of the window (the mend builds it from all segments).
    assert payments.requests > len(snap.traces.traces)
    assert payments.errors > 0
    assert payments.faults == 0
    assert edges["DynamoDB"].target_type == "AWS::DynamoDB"
    assert snap.traces.retrieved == len(snap.traces.traces)


def test_faulting_downstream_call_shows_as_faults_on_its_edge(demo: Any) -> None:
    snap = _read(demo, "partner-feed-poller")
    assert snap.traces is not None
    (feed,) = snap.traces.edges
    assert feed.target == "feed.partner.example"
    assert feed.faults > 0
    assert any(t.fault for t in snap.traces.traces)  # failed traces are picked first


def test_dlq_depth_and_growth_of_a_redrive_queue(demo: Any) -> None:
    snap = _read(demo, "order-events-consumer", ("config", "metrics"))
    queues = {q.name: q for q in snap.queues}
    dlq = queues["order-events-dlq"]
    assert dlq.kind == "source-redrive"
    assert dlq.depth is not None
    assert dlq.depth > 50
    assert dlq.growth_per_min is not None
    assert dlq.growth_per_min > 0.5
    assert dlq.oldest_age_s is not None
    assert dlq.oldest_age_s > 600
    (esm,) = snap.config.event_sources
    assert esm.kind == "sqs"
    assert esm.batch_size == 10
    assert esm.state == "Enabled"


def test_multi_second_init_is_measured_and_attributed(demo: Any) -> None:
    snap = _read(demo, "pricing-engine", ("config", "metrics", "logs"))
    cold = snap.cold_starts
    assert cold.init_p99_ms is not None
    assert cold.init_p99_ms >= 3000
    assert cold.cold_starts > 5
    assert sum(n for _, n in cold.attribution) == cold.cold_starts
    assert [g.key for g in cold.by_memory] == ["2048 MB"]


def test_throttles_against_the_reserved_cap(demo: Any) -> None:
    snap = _read(demo, "video-transcoder", ("config", "metrics"))
    assert snap.throttled
    assert {m.cause for m in snap.throttled} == {"reserved-cap"}
    assert "`c`" in snap.throttled[0].action


def test_quiet_function_without_alias_or_tracing_says_no_data(demo: Any) -> None:
    snap = _read(demo, "nightly-archive")
    assert snap.verdict is None
    assert snap.versions == ()
    assert snap.signatures == ()
    assert snap.traces is not None
    assert snap.traces.traces == ()
    assert (snap.panels["versions"].note or "").startswith("no data")
    assert (snap.panels["traces"].note or "").startswith("no data: tracing is off")
    assert (snap.panels["logs"].note or "").startswith("no data")
    assert snap.all_panels_ok


def test_function_that_never_ran_has_no_log_group_and_says_so(demo: Any) -> None:
    import io
    import zipfile

    import boto3

    lam = boto3.client(
        "lambda",
        region_name=demo.region,
        endpoint_url=demo.endpoint_url,
        aws_access_key_id=demo.credentials[0],
        aws_secret_access_key=demo.credentials[1],
    )
    role = lam.get_function(FunctionName="checkout-api")["Configuration"]["Role"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return 1\n")
    lam.create_function(
        FunctionName="never-ran",
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": code.getvalue()},
    )
    snap = _read(demo, "never-ran")
    assert "does not exist" in (snap.panels["logs"].note or "")
    assert snap.cold_starts.reports == 0
    assert snap.signatures == ()
    assert snap.verdict is None
