"""Credentials that expire mid-run: one paused state, no retry storm, back by itself after login."""

from __future__ import annotations

import asyncio
import contextlib

from lambdatop.collector.cadence import Cadence
from lambdatop.model.snapshot import FleetSnapshot
from tests.aws.fake_aws import OPERATIONS, FakeAws, FakeError, fake_collector, until


def expired() -> Exception:
    return FakeError("ExpiredTokenException", 400, "The security token included in the request is expired")


async def test_expired_credentials_pause_every_source_and_a_probe_resumes_them() -> None:
    fake = FakeAws()
    fake.add_functions(8)
    fake.busy("fn-0001", invocations=10)
    cadence = Cadence(
        metrics_s=0.05, fleet_s=0.1, logs_s=0.05, queues_s=0.05, inventory_s=0.2, account_s=0.2, credential_probe_s=0.2
    )
    snapshots: list[FleetSnapshot] = []
    collector, _ = fake_collector(fake, cadence=cadence)
    task = asyncio.create_task(collector.run(snapshots.append))
    try:
        await until(lambda: any(s.functions and s.sources["metrics"].ok for s in snapshots))

        for _, operation in OPERATIONS:  # the session expires: every call fails the same way
            fake.faults[operation] = expired
        await until(lambda: snapshots[-1].credential_hint is not None)
        latest = snapshots[-1]
        assert "have expired" in (latest.credential_hint or "")  # one sentence, saying what to do
        assert "log in again" in (latest.credential_hint or "")
        assert [name for name, status in latest.sources.items() if status.ok] == []  # all marked stale
        assert latest.function(fake.arn("fn-0001")).invocations == 150  # type: ignore[union-attr]

        await asyncio.sleep(0.3)  # let calls already under way finish
        before = fake.calls.copy()
        await asyncio.sleep(1.0)  # twenty metrics periods
        made = {op: n - before[op] for op, n in fake.calls.items() if n != before[op]}
        assert set(made) <= {"GetCallerIdentity"}  # only the probe asks
        assert made.get("GetCallerIdentity", 0) <= 6  # every 0.2 s, no storm

        fake.faults.clear()  # the user ran `aws sso login` in another terminal
        await until(lambda: snapshots[-1].credential_hint is None, timeout_s=2.0)
        await until(lambda: snapshots[-1].all_sources_ok, timeout_s=3.0)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await collector.pool.close()
