"""The pool's call policies: one deadline per call, a silent endpoint not asked again at once, patient writes."""

from __future__ import annotations

import time

import pytest

from lambdatop.aws.errors import NoAnswerError, classify
from lambdatop.aws.session import READ_POLICY, WRITE_POLICY, AwsTarget, CallPolicy, ClientPool
from tests.aws.hanging import hanging_endpoint

QUICK = CallPolicy(connect_s=1.0, read_s=0.5, attempts=3, deadline_s=1.0, silent_hold_s=30.0)


def test_the_default_read_deadline_is_what_a_dashboard_can_wait() -> None:
    # A pass must see a silent source as failed within 30 s, and --once print within 60 s.
    assert READ_POLICY.deadline_s <= 15
    assert READ_POLICY.connect_s + READ_POLICY.read_s <= READ_POLICY.deadline_s
    assert WRITE_POLICY.deadline_s > READ_POLICY.deadline_s
    assert WRITE_POLICY.silent_hold_s == 0  # an operator's confirmed change is always attempted


async def test_a_silent_endpoint_answers_no_answer_within_the_deadline_then_fails_fast(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIATEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    with hanging_endpoint(lifetime_s=30) as hung:
        async with ClientPool(AwsTarget(endpoint_url=hung.url), read_policy=QUICK) as pool:
            client = await pool.client("sqs", "us-east-1")
            started = time.monotonic()
            with pytest.raises(NoAnswerError) as first:
                await client.list_queues()
            assert time.monotonic() - started < QUICK.deadline_s + 1.0
            assert classify(first.value).reason == "no answer in 1 s"

            connections = hung.connections
            started = time.monotonic()
            with pytest.raises(NoAnswerError):
                await client.list_queues()  # not asked again while it is known to be silent
            assert time.monotonic() - started < 0.2
            assert hung.connections == connections

            writer = await pool.client("sqs", "us-east-1", purpose="write")
            assert writer is not client
            assert writer.meta.config.read_timeout == WRITE_POLICY.read_s
            assert client.meta.config.read_timeout == QUICK.read_s


async def test_reset_credentials_gives_fresh_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIATEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    async with ClientPool(AwsTarget(endpoint_url="http://127.0.0.1:9")) as pool:
        before = await pool.client("lambda", "us-east-1")
        session = pool.session
        await pool.reset_credentials()
        after = await pool.client("lambda", "us-east-1")
        assert after is not before
        assert pool.session is not session
