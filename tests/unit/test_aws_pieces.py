"""Small AWS-layer pieces that need no server: batching, error mapping, limiter, queries."""

from __future__ import annotations

import asyncio
import math

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from lambdatop.aws.errors import classify
from lambdatop.aws.limiter import RateLimiter
from lambdatop.aws.metric_queries import FULL_SET, QueryBuilder, TargetKind, is_percentile_stat
from lambdatop.aws.metrics import MAX_QUERIES_PER_CALL, batches


def _client_error(code: str, status: int, op: str = "GetMetricData") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "x"}, "ResponseMetadata": {"HTTPStatusCode": status}}, op)


@pytest.mark.parametrize("n", [1, 499, 500, 501, 1000, 4001])
def test_batches_use_the_fewest_calls(n: int) -> None:
    builder = QueryBuilder()
    for i in range(n):
        builder.function(f"arn:{i}", f"f{i}", ("invocations",), 900)
    chunks = batches(builder.queries)
    assert len(chunks) == math.ceil(n / MAX_QUERIES_PER_CALL)
    assert all(len(c) <= 500 for c in chunks)
    assert sum(len(c) for c in chunks) == n


def test_query_ids_are_valid_and_unique() -> None:
    builder = QueryBuilder()
    builder.account("eu-west-1", ("invocations", "errors"), 900)
    builder.function("arn:a", "a", FULL_SET, 900)
    builder.invocations_series("arn:a", "a")
    builder.queue_age("arn:aws:sqs:eu-west-1:123456789012:dlq", 60)
    ids = [q.id for q in builder.queries]
    assert len(set(ids)) == len(ids)
    assert all(i[0].islower() and i.replace("_", "").isalnum() for i in ids)
    # Account-level queries carry no dimension: they are the whole Region.
    assert all(q.dimensions == () for q in builder.queries if q.target.kind is TargetKind.ACCOUNT)


@pytest.mark.parametrize(
    ("stat", "expected"),
    [
        ("p99", True),
        ("p99.9", True),
        ("tm90", True),
        ("IQM", True),
        ("Sum", False),
        ("Average", False),
        ("Maximum", False),
        ("SampleCount", False),
    ],
)
def test_percentile_stats_are_recognised(stat: str, expected: bool) -> None:
    assert is_percentile_stat(stat) is expected


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (_client_error("Throttling", 400), "throttled"),
        (_client_error("ThrottlingException", 400), "throttled"),
        (_client_error("TooManyRequestsException", 429), "throttled"),
        (_client_error("AccessDeniedException", 400), "denied"),
        (_client_error("404", 404, "GetAccountSettings"), "unsupported"),
        (_client_error("ExpiredToken", 403), "credentials"),
        (EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), "unreachable"),
        (TimeoutError(), "timeout"),
    ],
)
def test_failures_are_classified_for_the_operator(exc: Exception, kind: str) -> None:
    assert classify(exc).kind == kind


async def test_limiter_keeps_to_its_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(10.0, burst=10, monotonic=lambda: now[0])
    for _ in range(10):  # the burst is immediate
        await limiter.acquire()
    waiter = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0.01)
    assert not waiter.done(), "the 11th call must wait for a token"
    now[0] += 0.1
    await asyncio.wait_for(waiter, timeout=2)
    assert limiter.acquired == 11
