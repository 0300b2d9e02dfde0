"""The demo's traffic model: pure and deterministic, one function-minute at a time.

`minute_traffic(spec, minute_index, state, seed)` draws every number of one function's minute
from `random.Random(f"{seed}:{name}:{minute_index}")`. `minute_index` counts minutes from the
simulation's start minute (0), so a seed gives the same numbers whatever the wall-clock time;
the backfill covers −60..−1. Each request consumes the same draws whatever the configuration,
so an operator's action (raise a cap, roll a canary back) flips only the decisions it affects.

The model also decides which invocations X-Ray samples (`Invocation.sampled`). How the minutes
are written lives elsewhere: `logformat` renders the log lines, `traces` the X-Ray segments,
`emitter` sends them; the tests sum a window in `tests/demo/ground_truth.py`.
"""

from __future__ import annotations

import functools
import hashlib
import math
import random
import uuid
from dataclasses import dataclass, replace
from typing import NamedTuple

from lambdatop.demo.configuration import AliasState, FunctionState
from lambdatop.demo.fleet import FunctionSpec

MINUTE_MS = 60_000
# Warm execution environments are recycled every this many minutes (a new log stream each).
ENV_EPOCH_MINUTES = 60
# The backfill starts here; no invocation arrives earlier.
DEFAULT_ORIGIN_MINUTE = -60
# X-Ray sampling of Active tracing, as Lambda applies it: the first request of each second, then
# this share of the rest. The demo keeps at most TRACES_PER_MINUTE_MAX of a function's minute
# so the trace volume stays small whatever the rate.
XRAY_FIXED_RATE = 0.05
TRACES_PER_MINUTE_MAX = 5


# ---------------------------------------------------------------------------------------------
# One minute of one function


@dataclass(frozen=True, slots=True)
class Invocation:
    """One executed request. Times are seconds after the start of its arrival minute."""

    arrival_s: float
    request_id: str
    version: str
    duration_ms: float
    billed_ms: int
    max_memory_mb: int
    init_ms: float | None  # set on cold starts only
    error: bool
    timed_out: bool
    provisioned: bool
    env_id: str  # 32 hex digits: one execution environment, one log stream
    env_born_minute: int
    info_line: bool
    message_index: int
    hostile: bool
    trace_bits: int  # the random part of its X-Ray trace id
    sampled: bool = False  # traced: X-Ray segments are written and REPORT names the trace

    @property
    def cold(self) -> bool:
        return self.init_ms is not None

    @property
    def start_s(self) -> float:
        """When the handler starts: after the init phase on a cold start."""
        return self.arrival_s + (self.init_ms or 0.0) / 1000

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_ms / 1000

    def stamps_ms(self, minute_start_ms: int) -> tuple[int, int, int]:
        """(arrival, handler start, handler end) in epoch ms, as the log lines stamp them."""
        arrival_ms = minute_start_ms + round(self.arrival_s * 1000)
        start_ms = arrival_ms + round(self.init_ms or 0.0)
        return arrival_ms, start_ms, start_ms + max(1, round(self.duration_ms))


@dataclass(frozen=True, slots=True)
class FailureMessage:
    """A failed event delivered to the function's failure queue (DLQ, destination, redrive)."""

    at_s: float  # seconds after the start of the arrival minute (may pass 60)
    request_id: str
    version: str


@dataclass(frozen=True, slots=True)
class VersionTraffic:
    invocations: int
    errors: int
    throttles: int
    concurrency_max: int
    durations_ms: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class MinuteTraffic:
    function_name: str
    minute_index: int
    requests: int
    invocations: tuple[Invocation, ...]  # by arrival
    throttled: tuple[tuple[float, str], ...]  # (arrival_s, routed version), by arrival
    concurrency_max: int
    failure_messages: tuple[FailureMessage, ...]
    iterator_age_ms: float | None

    @property
    def errors(self) -> int:
        return sum(1 for inv in self.invocations if inv.error)

    @property
    def throttles(self) -> int:
        return len(self.throttled)

    @property
    def cold_starts(self) -> int:
        return sum(1 for inv in self.invocations if inv.cold)

    @property
    def durations_ms(self) -> tuple[float, ...]:
        return tuple(inv.duration_ms for inv in self.invocations)

    @property
    def init_durations_ms(self) -> tuple[float, ...]:
        return tuple(inv.init_ms for inv in self.invocations if inv.init_ms is not None)

    def by_version(self) -> dict[str, VersionTraffic]:
        """The per-version split (ExecutedVersion) of an aliased function's minute."""
        versions = sorted({inv.version for inv in self.invocations} | {v for _, v in self.throttled})
        executed = max(len(self.invocations), 1)
        split: dict[str, VersionTraffic] = {}
        for version in versions:
            mine = [inv for inv in self.invocations if inv.version == version]
            share = len(mine) / executed
            split[version] = VersionTraffic(
                invocations=len(mine),
                errors=sum(1 for inv in mine if inv.error),
                throttles=sum(1 for _, v in self.throttled if v == version),
                concurrency_max=math.ceil(self.concurrency_max * share) if mine else 0,
                durations_ms=tuple(inv.duration_ms for inv in mine),
            )
        return split


# One function's minutes under one configuration, as the emitter writes them.
FunctionMinutes = tuple[FunctionSpec, FunctionState, list[MinuteTraffic]]


class _Draw(NamedTuple):
    arrival_s: float
    u_throttle: float
    u_version: float
    u_provisioned: float
    u_cold: float
    u_error: float
    u_timeout: float
    u_failure: float
    u_env: float
    u_info: float
    u_message: float
    u_init: float
    u_memory: float
    u_extra: float
    z_duration: float
    request_bits: int
    env_bits: int
    trace_bits: int


def _draw(rng: random.Random) -> _Draw:
    # Always the same draws in the same order, whatever the configuration.
    arrival = rng.uniform(0.05, 59.95)
    u = [rng.random() for _ in range(13)]
    z = rng.gauss(0.0, 1.0)
    bits = (rng.getrandbits(128), rng.getrandbits(128), rng.getrandbits(96))
    return _Draw._make([arrival, *u, z, *bits])


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean >= 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _route(alias: AliasState | None, u: float) -> str:
    if alias is None:
        return "$LATEST"
    upper = 0.0
    for version, weight in sorted(alias.weights.items()):
        upper += max(0.0, weight)
        if u < upper:
            return version
    return alias.version


def env_id_for(seed: int | str, name: str, version: str, kind: str, epoch: int, slot: int) -> str:
    text = f"{seed}:{name}:{version}:{kind}:{epoch}:{slot}"
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def minute_traffic(spec: FunctionSpec, minute_index: int, state: FunctionState, seed: int | str) -> MinuteTraffic:
    """Everything one function does in one minute, under the given configuration."""
    t = spec.traffic
    rng = random.Random(f"{seed}:{spec.name}:{minute_index}")
    runs = minute_index % max(1, t.every_n_minutes) == 0
    requests = _poisson(rng, t.rate_per_min) if runs else 0
    demand = max(rng.uniform(*t.concurrency), 0.01)
    iterator_jitter = rng.uniform(-0.4, 0.4)  # of one minute's growth: the age still grows
    draws = sorted((_draw(rng) for _ in range(requests)), key=lambda d: d.arrival_s)

    cap = state.reserved_concurrency
    if cap is not None and cap <= 0:
        throttle_p = 1.0
    elif cap is not None and demand > cap:
        throttle_p = (demand - cap) / demand
    else:
        throttle_p = 0.0
    provisioned = spec.provisioned_concurrency if state.alias else None
    provisioned_share = min(1.0, provisioned / demand) if provisioned else 0.0
    epoch = minute_index // ENV_EPOCH_MINUTES
    born_this_minute: dict[str, list[str]] = {}
    pools: dict[tuple[str, str], list[tuple[str, int]]] = {}
    invocations: list[Invocation] = []
    throttled: list[tuple[float, str]] = []
    failures: list[FailureMessage] = []

    hostile_minute = bool(t.hostile_every_n_minutes) and (minute_index % (t.hostile_every_n_minutes or 1) == 0)
    for draw in draws:
        version = _route(state.alias, draw.u_version)
        if draw.u_throttle < throttle_p:
            throttled.append((draw.arrival_s, version))
            continue
        on_provisioned = draw.u_provisioned < provisioned_share
        cold = not on_provisioned and draw.u_cold < t.cold_start_ratio
        if cold:
            env = (f"{draw.env_bits:032x}", minute_index)
            born_this_minute.setdefault(version, []).append(env[0])
        else:
            kind = "provisioned" if on_provisioned else "warm"
            pool = pools.get((version, kind))
            if pool is None:
                slots = min(provisioned or 1, 3) if on_provisioned else max(1, t.warm_envs)
                born = epoch * ENV_EPOCH_MINUTES
                pool = [(env_id_for(seed, spec.name, version, kind, epoch, k), born) for k in range(slots)]
                pools[(version, kind)] = pool
            if not on_provisioned:
                pool = pool + [(e, minute_index) for e in born_this_minute.get(version, [])]
            env = pool[min(int(draw.u_env * len(pool)), len(pool) - 1)]
        # The minute's first invocation carries the hostile line (and fails) when scheduled.
        hostile = hostile_minute and not invocations
        invocation = _invocation(spec, draw, version, cold, on_provisioned, env, hostile)
        invocations.append(invocation)
        if invocation.error and draw.u_failure < t.failure_message_ratio:
            failures.append(FailureMessage(invocation.end_s + 1.0, invocation.request_id, version))

    if spec.tracing_active:
        invocations = _sample_traces(invocations)
    concurrency = 0
    if invocations:
        concurrency = max(1, math.ceil(demand))
        if cap is not None and cap > 0:
            concurrency = min(concurrency, cap)
    iterator_age = None
    if t.iterator_age is not None:
        growth = t.iterator_age.growth_ms_per_min
        minutes_behind = max(0, minute_index - DEFAULT_ORIGIN_MINUTE) + iterator_jitter
        iterator_age = round(min(t.iterator_age.start_ms + growth * minutes_behind, 86_400_000))
    return MinuteTraffic(
        function_name=spec.name,
        minute_index=minute_index,
        requests=requests,
        invocations=tuple(invocations),
        throttled=tuple(throttled),
        concurrency_max=concurrency,
        failure_messages=tuple(failures),
        iterator_age_ms=iterator_age,
    )


def _invocation(
    spec: FunctionSpec,
    draw: _Draw,
    version: str,
    cold: bool,
    provisioned: bool,
    env: tuple[str, int],
    hostile: bool,
) -> Invocation:
    t = spec.traffic
    timeout_ms = spec.timeout_s * 1000
    timed_out = draw.u_timeout < t.timeout_rate
    if timed_out:
        duration = timeout_ms + 1.0 + draw.u_extra * 40
    else:
        z = min(max(draw.z_duration, -3.0), 3.5)
        duration = t.duration_p50_ms * math.exp(_sigma(t.duration_p50_ms, t.duration_p99_ms) * z)
        if cold:
            duration *= t.cold_duration_factor
        duration = min(max(duration, 1.0), timeout_ms * 0.98)
    duration = round(duration, 2)
    init_ms = round(t.init_ms[0] + draw.u_init * (t.init_ms[1] - t.init_ms[0]), 2) if cold else None
    error_rate = t.version_error_rates.get(version, t.error_rate)
    low, high = t.memory_used_fraction
    memory = int(spec.memory_mb * (low + draw.u_memory * (high - low)))
    return Invocation(
        arrival_s=draw.arrival_s,
        request_id=str(uuid.UUID(int=draw.request_bits, version=4)),
        version=version,
        duration_ms=duration,
        billed_ms=math.ceil(duration + (init_ms or 0.0)),
        max_memory_mb=max(16, min(spec.memory_mb, memory)),
        init_ms=init_ms,
        error=hostile or timed_out or draw.u_error < error_rate,
        timed_out=timed_out,
        provisioned=provisioned,
        env_id=env[0],
        env_born_minute=env[1],
        info_line=draw.u_info < t.info_line_ratio,
        message_index=int(draw.u_message * 1000),
        hostile=hostile,
        trace_bits=draw.trace_bits,
    )


def _sample_traces(invocations: list[Invocation]) -> list[Invocation]:
    """Mark the invocations X-Ray samples: reservoir of one a second, 5 % of the rest, capped.

    The decisions reuse each request's trace bits (no extra draws), so the minute's other
    numbers stay what they were; the cap keeps the lowest trace bits, spread over the minute.
    """
    seconds: set[int] = set()
    candidates: list[Invocation] = []
    for inv in invocations:  # by arrival
        second = int(inv.arrival_s)
        if second not in seconds:
            seconds.add(second)
            candidates.append(inv)
        elif inv.trace_bits % 10_000 < XRAY_FIXED_RATE * 10_000:
            candidates.append(inv)
    kept = {inv.request_id for inv in sorted(candidates, key=lambda i: i.trace_bits)[:TRACES_PER_MINUTE_MAX]}
    return [replace(inv, sampled=True) if inv.request_id in kept else inv for inv in invocations]


@functools.lru_cache(maxsize=1024)
def _sigma(p50_ms: float, p99_ms: float) -> float:
    """The log-normal spread that puts p99 where the spec says (z of p99 = 2.326)."""
    return math.log(max(p99_ms, p50_ms * 1.01) / p50_ms) / 2.326


def lookback_minutes(spec: FunctionSpec) -> int:
    """How many minutes back an invocation of this function can still be writing events."""
    t = spec.traffic
    timeout_ms = spec.timeout_s * 1000
    if t.timeout_rate > 0:
        longest = timeout_ms + 41.0
    else:
        slowest = t.duration_p50_ms * math.exp(_sigma(t.duration_p50_ms, t.duration_p99_ms) * 3.5)
        longest = min(timeout_ms * 0.98, slowest * max(1.0, t.cold_duration_factor))
    span_s = (t.init_ms[1] + longest) / 1000 + 2.0  # + failure-message delivery delay
    return math.ceil(span_s / 60) + 1
