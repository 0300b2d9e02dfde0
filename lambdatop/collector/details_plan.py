"""Which per-function reads are worth making now (pure: no I/O).

Lambda's shared 15 rps pool is the account's, not ours, so a detail is read only where it can
exist and only when it may have changed:
- GetFunction (reserved concurrency, tags; its own pool) for every function: when never read,
  when ListFunctions shows a new revision, and every few inventory periods (a cap set by
  PutFunctionConcurrency does not change the revision);
- ListAliases where CloudWatch lists alias/version (`Resource`) metrics for the function;
- ListFunctionEventInvokeConfigs (on-failure destinations) where it lists
  `AsyncEventsReceived`: destinations only ever receive async events, and CloudWatch keeps the
  metric listed for two weeks, so a destination that could hold anything is seen. A function
  with a destination but no async event in two weeks is read when it is on screen or opened;
- ListProvisionedConcurrencyConfigs where it lists provisioned-concurrency metrics.
Rows on screen (and the open function) read every part, first. Until ListMetrics has
answered (or where it is refused) every part is read, at the budget's pace.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from datetime import datetime, timedelta

from lambdatop.collector.cadence import Cadence
from lambdatop.collector.knowledge import Part
from lambdatop.collector.region_state import RegionState

RETRY_FAILED_S = 60.0


@dataclass(frozen=True, slots=True)
class DetailRead:
    arn: str
    part: Part
    priority: int  # 0: on screen / open, 1: background


def refresh_every(cadence: Cadence) -> dict[Part, timedelta]:
    base = cadence.inventory_s
    return {
        "basics": timedelta(seconds=3 * base),
        "aliases": timedelta(seconds=2 * base),  # weights move during a rollout
        "destinations": timedelta(seconds=12 * base),
        "provisioned": timedelta(seconds=12 * base),
    }


def can_exist(state: RegionState, arn: str, part: Part, on_screen: bool) -> bool:
    if part == "basics" or on_screen or state.evidence is None:
        return True
    name = state.functions[arn].name
    known = state.knowledge.get(arn)
    if part == "aliases":
        had = bool(known and known.aliases and known.aliases.value)
        return had or name in state.evidence.resources
    if part == "destinations":
        had = bool(known and known.destinations and known.destinations.value)
        return had or name in state.evidence.async_functions
    had = bool(known and known.provisioned and known.provisioned.value)
    return had or name in state.evidence.provisioned_functions


def due_reads(
    state: RegionState,
    visible: Set[str],
    now: datetime,
    cadence: Cadence,
    *,
    provisioned_supported: bool | None = None,
) -> list[DetailRead]:
    """Every read due now, on-screen rows first, then the never-read, then the oldest."""
    every = refresh_every(cadence)
    ranked: list[tuple[tuple[int, int, datetime, str], DetailRead]] = []
    never = datetime.min.replace(tzinfo=now.tzinfo)
    for arn, config in state.functions.items():
        on_screen = arn in visible
        known = state.knowledge.get(arn)
        for part in ("basics", "aliases", "destinations", "provisioned"):
            if part == "provisioned" and provisioned_supported is False:
                continue
            if not can_exist(state, arn, part, on_screen):
                continue
            entry = known.known(part) if known else None
            failure = known.failures.get(part) if known else None
            tried = known.tried_at.get(part) if known else None
            if failure is not None and tried is not None and (now - tried).total_seconds() < RETRY_FAILED_S:
                continue
            period = every[part] if not on_screen else min(every[part], timedelta(seconds=cadence.inventory_s))
            if entry is None:
                read_at = never
            elif entry.revision != config.revision or failure is not None or now - entry.read_at >= period:
                read_at = entry.read_at
            else:
                continue
            # (GetFunction and the shared pool's parts are read in two lanes, one per pool, so a
            # cap never waits behind the on-screen rows' aliases at 3 rps: inventory_refresher.)
            key = (0 if on_screen else 1, 0 if entry is None else 1, read_at, config.name)
            ranked.append((key, DetailRead(arn, part, 0 if on_screen else 1)))
    ranked.sort(key=lambda item: item[0])
    return [read for _, read in ranked]
