"""The live simulator: operator actions read back from the server change what happens next."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lambdatop.clock import FakeClock
from lambdatop.demo.clients import make_clients
from lambdatop.demo.configuration import AliasState, FunctionState, initial_state
from lambdatop.demo.fleet import Fleet
from lambdatop.demo.scenarios import build_demo_fleet
from lambdatop.demo.seeder import SeededAccount, seed_account
from lambdatop.demo.server import DemoServer
from lambdatop.demo.simulator import Simulator
from tests.demo.ground_truth import expected_window_totals

START = datetime(2026, 11, 23, 3, 0, 20, tzinfo=UTC)
SEED = 5
_FULL = build_demo_fleet()
FLEET = Fleet(
    functions=tuple(
        _FULL.function(n)
        for n in ("video-transcoder", "checkout-api", "order-events-consumer", "legacy-sync", "cart-api")
    ),
    queues=_FULL.queues,
)

pytestmark = pytest.mark.slow


class Live:
    """A seeded account, its simulator on a fake clock, and clients to act and read with."""

    def __init__(self, server: DemoServer) -> None:
        self.clock = FakeClock(START)
        self.account: SeededAccount = seed_account(
            server.endpoint_url,
            server.credentials,
            server.region,
            SEED,
            fleet=FLEET,
            clock=self.clock,
            backfill_minutes=3,
        )
        self.sim = Simulator(
            server.endpoint_url,
            server.credentials,
            server.region,
            SEED,
            clock=self.clock,
            account=self.account,
        )
        self.depth_at_seed = 0
        self.aws = make_clients(server.endpoint_url, server.credentials, server.region, ("lambda", "cloudwatch", "sqs"))

    def run_until(self, seconds_after_zero: float, step_s: float = 10.0) -> None:
        target = self.account.zero_at + timedelta(seconds=seconds_after_zero)
        while self.clock.now() < target:
            self.clock.advance(min(step_s, (target - self.clock.now()).total_seconds()))
            self.sim.tick()

    def minute_sum(self, minute: int, metric: str, dims: list[tuple[str, str]], stat: str = "Sum") -> float:
        start = self.account.zero_at + timedelta(minutes=minute)
        answer = self.aws["cloudwatch"].get_metric_data(
            MetricDataQueries=[
                {
                    "Id": "m",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "AWS/Lambda",
                            "MetricName": metric,
                            "Dimensions": [{"Name": k, "Value": v} for k, v in dims],
                        },
                        "Period": 60,
                        "Stat": stat,
                    },
                }
            ],
            StartTime=start,
            EndTime=start + timedelta(minutes=1),
        )
        return float(sum(answer["MetricDataResults"][0]["Values"]))

    def truth(self, minute: int, **changes: FunctionState) -> dict[str, Any]:
        states = {**initial_state(FLEET), **changes}
        return expected_window_totals(FLEET, SEED, minute, minute, states, origin_minute_index=-3)

    def depth(self, queue: str) -> int:
        answer = self.aws["sqs"].get_queue_attributes(
            QueueUrl=self.account.queue_urls[queue], AttributeNames=["ApproximateNumberOfMessages"]
        )
        return int(answer["Attributes"]["ApproximateNumberOfMessages"])


ACTED_AT_S = 65  # the operator acts 5 s into minute 1; minute 2 runs wholly under the change
ROLLED_BACK = FunctionState(alias=AliasState("live", "1", {}))
CHANGED = {
    "video-transcoder": FunctionState(reserved_concurrency=200),
    "checkout-api": ROLLED_BACK,
    "legacy-sync": FunctionState(),
    "cart-api": FunctionState(reserved_concurrency=0),
}


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    """One operator session: watch a minute, act on four functions, watch two more minutes."""
    with DemoServer() as server:
        running = Live(server)
        try:
            running.depth_at_seed = running.depth("order-events-dlq")
            running.run_until(ACTED_AT_S)
            lam = running.aws["lambda"]
            lam.put_function_concurrency(FunctionName="video-transcoder", ReservedConcurrentExecutions=200)
            lam.update_alias(
                FunctionName="checkout-api",
                Name="live",
                FunctionVersion="1",
                RoutingConfig={"AdditionalVersionWeights": {}},
            )
            lam.delete_function_concurrency(FunctionName="legacy-sync")
            lam.put_function_concurrency(FunctionName="cart-api", ReservedConcurrentExecutions=0)
            running.run_until(185)
            yield running
        finally:
            running.sim.stop()


def _fn(name: str) -> list[tuple[str, str]]:
    return [("FunctionName", name)]


def test_raising_the_cap_stops_the_throttles(live: Live) -> None:
    assert live.minute_sum(0, "Throttles", _fn("video-transcoder")) > 0
    assert live.minute_sum(0, "ConcurrentExecutions", _fn("video-transcoder"), "Maximum") == 20
    raised = live.truth(2, **CHANGED)["video-transcoder"]
    assert live.minute_sum(2, "Throttles", _fn("video-transcoder")) == 0
    assert live.minute_sum(2, "Invocations", _fn("video-transcoder")) == raised.invocations
    assert live.minute_sum(2, "ConcurrentExecutions", _fn("video-transcoder"), "Maximum") > 20


def test_rolling_the_canary_back_stops_its_errors(live: Live) -> None:
    canary = [*_fn("checkout-api"), ("Resource", "checkout-api:live"), ("ExecutedVersion", "2")]
    assert sum(live.minute_sum(m, "Invocations", canary) for m in (-3, -2, -1, 0)) > 0
    rolled_back = live.truth(2, **CHANGED)["checkout-api"]
    assert live.minute_sum(2, "Invocations", canary) == 0
    assert live.minute_sum(2, "Errors", _fn("checkout-api")) == rolled_back.errors
    assert live.minute_sum(2, "Invocations", _fn("checkout-api")) == rolled_back.invocations > 0


def test_emergency_stop_throttles_every_request(live: Live) -> None:
    assert live.minute_sum(0, "Invocations", _fn("cart-api")) > 0
    stopped = live.truth(2, **CHANGED)["cart-api"]
    assert live.minute_sum(2, "Invocations", _fn("cart-api")) == 0
    assert live.minute_sum(2, "Throttles", _fn("cart-api")) == stopped.throttles > 0


def test_removing_the_stop_brings_traffic_back(live: Live) -> None:
    assert live.minute_sum(0, "Invocations", _fn("legacy-sync")) == 0
    assert live.minute_sum(0, "Throttles", _fn("legacy-sync")) > 0
    resumed = live.truth(2, **CHANGED)["legacy-sync"]
    assert live.minute_sum(2, "Throttles", _fn("legacy-sync")) == 0
    assert live.minute_sum(2, "Invocations", _fn("legacy-sync")) == resumed.invocations > 0


def test_dlq_keeps_growing_as_time_passes(live: Live) -> None:
    # Messages delivered up to now (185 s in), each exactly once.
    delivered = expected_window_totals(FLEET, SEED, -3, 2, origin_minute_index=-3)
    late = expected_window_totals(FLEET, SEED, 3, 3, origin_minute_index=-3)
    depth = live.depth("order-events-dlq")
    assert depth > live.depth_at_seed > 0
    expected = delivered["order-events-consumer"].failure_messages
    assert expected <= depth <= expected + late["order-events-consumer"].failure_messages


def test_a_simulator_built_from_the_endpoint_continues_the_seeded_account(live: Live) -> None:
    again = Simulator(live.account.endpoint_url, ("x", "y"), live.account.region, SEED, clock=live.clock)
    assert again.emitter is live.account.emitter


def test_simulator_thread_stops_promptly_and_leaves_nothing_behind(live: Live) -> None:
    live.sim.tick_s = 0.05
    live.sim.start()
    deadline = time.monotonic() + 5
    while live.sim.ticks < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert live.sim.running
    started = time.monotonic()
    live.sim.stop()
    assert time.monotonic() - started < 2
    assert live.sim.last_error is None
    assert not live.sim.running
    assert not [t for t in threading.enumerate() if t.name == "lambdatop-demo-sim"]
