"""`floor_s`: the first snapshot's data read by the bare minimum of calls, nothing else.

ListFunctions page after page (each needs the previous page's marker), then at once one
round of GetMetricData (the same queries the first pass asks, ≤ 500 a call, all in parallel)
and one round of Logs Insights (lambdatop's own query, as many groups a query as it puts in
one, all started together, polled until done: the same rows lambdatop needs, with no cap on
queries in flight). No limiter, no budget, no details, no bookkeeping: what the endpoint
itself needs.
`first_snapshot_ratio` = lambdatop's first snapshot ÷ this, on the same server in the same run.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from lambdatop.aws.logs_query import COLD_START_QUERY, MAX_ROWS, groups_per_query
from lambdatop.aws.metric_queries import FULL_SET, QueryBuilder
from lambdatop.aws.session import AwsTarget, ClientPool
from lambdatop.collector.metric_plan import ACCOUNT_FIELDS

POLL_S = 0.1


async def _list_functions(pool: ClientPool, region: str) -> list[dict[str, Any]]:
    lam = await pool.client("lambda", region)
    functions: list[dict[str, Any]] = []
    marker: str | None = None
    while True:
        page = await lam.list_functions(MaxItems=50, **({"Marker": marker} if marker else {}))
        functions.extend(page.get("Functions", []))
        marker = page.get("NextMarker")
        if not marker:
            return functions


async def _metrics(
    pool: ClientPool, region: str, functions: list[dict[str, Any]], start: datetime, end: datetime
) -> int:
    window_s = int((end - start).total_seconds())
    builder = QueryBuilder()
    builder.account(region, ACCOUNT_FIELDS, window_s)
    for item in functions:
        builder.function(item["FunctionArn"], item["FunctionName"], FULL_SET, window_s)
    cloudwatch = await pool.client("cloudwatch", region)

    async def call(chunk: list[dict[str, object]]) -> int:
        answered, token = 0, None
        while True:
            kwargs: dict[str, Any] = {"MetricDataQueries": chunk, "StartTime": start, "EndTime": end}
            if token:
                kwargs["NextToken"] = token
            page = await cloudwatch.get_metric_data(**kwargs)
            answered += len(page.get("MetricDataResults", []))
            token = page.get("NextToken")
            if not token:
                return answered

    queries = [q.to_api() for q in builder.queries]
    chunks = [queries[i : i + 500] for i in range(0, len(queries), 500)]
    return sum(await asyncio.gather(*(call(chunk) for chunk in chunks)))


async def _insights(
    pool: ClientPool, region: str, functions: list[dict[str, Any]], start: datetime, end: datetime
) -> int:
    logs = await pool.client("logs", region)
    groups = [((f.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{f['FunctionName']}") for f in functions]

    async def query(names: list[str]) -> int:
        started = await logs.start_query(
            logGroupNames=names,
            startTime=int(start.timestamp()),
            endTime=int(end.timestamp()) - 1,
            queryString=COLD_START_QUERY,
            limit=MAX_ROWS,
        )
        while True:
            answer = await logs.get_query_results(queryId=started["queryId"])
            if answer.get("status") not in ("Scheduled", "Running"):
                return len(answer.get("results", []))
            await asyncio.sleep(POLL_S)

    per_query = groups_per_query(round((end - start).total_seconds() / 60))
    chunks = [groups[i : i + per_query] for i in range(0, len(groups), per_query)]
    return sum(await asyncio.gather(*(query(chunk) for chunk in chunks)))


async def measure_floor(target: AwsTarget, region: str, window_minutes: int = 15) -> float:
    """Seconds from nothing (a fresh client pool, as at launch) to every figure read."""
    started = time.perf_counter()
    async with ClientPool(target) as pool:
        functions = await _list_functions(pool, region)
        end = datetime.now(UTC).replace(second=0, microsecond=0)
        start = end - timedelta(minutes=window_minutes)
        await asyncio.gather(
            _metrics(pool, region, functions, start, end), _insights(pool, region, functions, start, end)
        )
        return time.perf_counter() - started
