"""What the detail screen asks its source for, from what the fleet already knows."""

from __future__ import annotations

from lambdatop.model.function_snapshot import DetailRequest
from lambdatop.model.snapshot import FleetSnapshot, FunctionRow
from lambdatop.model.throttle_diagnosis import Consumer


def detail_request(row: FunctionRow, snapshot: FleetSnapshot | None) -> DetailRequest:
    """The function, its window, and every function's peak concurrency in its account/Region
    (the "free account concurrency" advice lists the top consumers from it)."""
    consumers: tuple[Consumer, ...] = ()
    if snapshot is not None:
        consumers = tuple(
            Consumer(f.name, f.concurrency_max, f.reserved_concurrency)
            for f in snapshot.functions
            if f.region == row.region and f.account_id == row.account_id and f.concurrency_max is not None
        )
    window = snapshot.window_minutes if snapshot is not None else 60
    return DetailRequest(name=row.name, region=row.region, arn=row.arn, window_minutes=window, consumers=consumers)
