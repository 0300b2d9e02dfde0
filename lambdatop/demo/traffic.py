"""The demo's traffic model: pure and deterministic, one function-minute at a time.

`minute_traffic(spec, minute_index, state, seed)` draws every number of one function's minute
from `random.Random(f"{seed}:{name}:{minute_index}")`. `minute_index` counts minutes from the
simulation's start minute (0), so a seed gives the same numbers whatever the wall-clock time;
the backfill covers −60..−1. Each request consumes the same draws whatever the configuration,
so an operator's action (raise a cap, roll a canary back) flips only the decisions it affects.

The same module renders the log events of an invocation (text or JSON format, as Lambda writes
them) and computes the ground truth over a window, for tests that compare what an app reads with
what was written.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

from lambdatop.demo.fleet import AliasSpec, Fleet, FunctionSpec

MINUTE_MS = 60_000
# Warm execution environments are recycled every this many minutes (a new log stream each).
ENV_EPOCH_MINUTES = 60
# The backfill starts here; no invocation arrives earlier.
DEFAULT_ORIGIN_MINUTE = -60

HOSTILE_MESSAGE = (
    "upstream returned garbage: \x1b[2J\x1b[31m[bold red]ALL SYSTEMS NOMINAL[/]\x1b[0m "
    "\x1b]52;c;cm0gLXJmIH4=\x07[link=https://evil.example]details[/link]\x1b]0;pwned\x07"
)

_RUNTIME_VERSIONS = {
    "python3.12": "python:3.12.v38",
    "python3.13": "python:3.13.v21",
    "nodejs22.x": "nodejs:22.v41",
    "java21": "java:21.v29",
    "provided.al2023": "provided:al2023.v77",
    "ruby3.3": "ruby:3.3.v25",
    "dotnet8": "dotnet:8.v47",
}


# ---------------------------------------------------------------------------------------------
# Configuration read back from the server


@dataclass(frozen=True, slots=True)
class AliasState:
    name: str
    version: str
    weights: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FunctionState:
    """What the traffic reacts to. reserved_concurrency: None = no cap, 0 = stopped."""

    reserved_concurrency: int | None = None
    alias: AliasState | None = None

    @classmethod
    def from_spec(cls, spec: FunctionSpec) -> FunctionState:
        alias: AliasSpec | None = spec.alias
        return cls(
            reserved_concurrency=spec.reserved_concurrency,
            alias=AliasState(alias.name, alias.version, dict(alias.weights)) if alias else None,
        )


FleetState = Mapping[str, FunctionState]


def initial_state(fleet: Fleet) -> dict[str, FunctionState]:
    """The configuration the seeder creates."""
    return {spec.name: FunctionState.from_spec(spec) for spec in fleet.functions}


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
    trace_bits: int

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


# ---------------------------------------------------------------------------------------------
# Ground truth over a window


@dataclass(frozen=True, slots=True)
class WindowTotals:
    """What was written for one function over minutes [first, last].

    Metric figures count invocations by arrival minute (Lambda stamps metrics at invocation
    start); report figures count REPORT lines whose timestamp falls inside the window, as a
    log reader with that time range sees them.
    """

    invocations: int = 0
    errors: int = 0
    throttles: int = 0
    concurrency_max: int = 0
    durations_ms: tuple[float, ...] = ()
    reports: int = 0
    cold_starts: int = 0
    init_durations_ms: tuple[float, ...] = ()
    failure_messages: int = 0
    iterator_age_max_ms: float | None = None

    @property
    def duration_avg_ms(self) -> float | None:
        return sum(self.durations_ms) / len(self.durations_ms) if self.durations_ms else None

    @property
    def init_max_ms(self) -> float | None:
        return max(self.init_durations_ms) if self.init_durations_ms else None

    @property
    def init_avg_ms(self) -> float | None:
        inits = self.init_durations_ms
        return sum(inits) / len(inits) if inits else None


def expected_window_totals(
    fleet: Fleet,
    seed: int | str,
    first_minute_index: int,
    last_minute_index: int,
    config_state: FleetState | None = None,
    *,
    origin_minute_index: int = DEFAULT_ORIGIN_MINUTE,
) -> dict[str, WindowTotals]:
    """Per function, the totals the model wrote over the window, under one configuration."""
    states = config_state if config_state is not None else initial_state(fleet)
    window_start_s, window_end_s = first_minute_index * 60.0, (last_minute_index + 1) * 60.0
    totals: dict[str, WindowTotals] = {}
    for spec in fleet.functions:
        state = states.get(spec.name) or FunctionState.from_spec(spec)
        counts = {"invocations": 0, "errors": 0, "throttles": 0, "reports": 0, "failures": 0}
        concurrency = 0
        durations: list[float] = []
        inits: list[float] = []
        ages: list[float] = []
        first = max(origin_minute_index, first_minute_index - lookback_minutes(spec))
        for minute in range(first, last_minute_index + 1):
            traffic = minute_traffic(spec, minute, state, seed)
            base_s = minute * 60.0
            if minute >= max(first_minute_index, origin_minute_index):
                counts["invocations"] += len(traffic.invocations)
                counts["errors"] += traffic.errors
                counts["throttles"] += traffic.throttles
                concurrency = max(concurrency, traffic.concurrency_max)
                durations.extend(traffic.durations_ms)
                if traffic.iterator_age_ms is not None:
                    ages.append(traffic.iterator_age_ms)
            for inv in traffic.invocations:
                if window_start_s <= base_s + inv.end_s < window_end_s:
                    counts["reports"] += 1
                    if inv.init_ms is not None:
                        inits.append(inv.init_ms)
            counts["failures"] += sum(
                1 for msg in traffic.failure_messages if window_start_s <= base_s + msg.at_s < window_end_s
            )
        totals[spec.name] = WindowTotals(
            invocations=counts["invocations"],
            errors=counts["errors"],
            throttles=counts["throttles"],
            concurrency_max=concurrency,
            durations_ms=tuple(durations),
            reports=counts["reports"],
            cold_starts=len(inits),
            init_durations_ms=tuple(inits),
            failure_messages=counts["failures"],
            iterator_age_max_ms=max(ages) if ages else None,
        )
    return totals


# ---------------------------------------------------------------------------------------------
# Log events, as Lambda writes them


@dataclass(frozen=True, slots=True)
class LogEvent:
    stream: str
    timestamp_ms: int
    message: str


def iso_ms(timestamp_ms: int) -> str:
    return f"{_second(timestamp_ms // 1000)}.{timestamp_ms % 1000:03d}Z"


@functools.lru_cache(maxsize=8192)
def _second(timestamp_s: int) -> str:
    return f"{datetime.fromtimestamp(timestamp_s, UTC):%Y-%m-%dT%H:%M:%S}"


def stream_name(inv: Invocation, zero_ms: int) -> str:
    """`YYYY/MM/DD/[version]<env>`: the day the execution environment started."""
    return f"{_day(zero_ms + inv.env_born_minute * MINUTE_MS)}/[{inv.version}]{inv.env_id}"


@functools.lru_cache(maxsize=4096)
def _day(timestamp_ms: int) -> str:
    return f"{datetime.fromtimestamp(timestamp_ms // 1000, UTC):%Y/%m/%d}"


def _runtime_version(runtime: str) -> str:
    return _RUNTIME_VERSIONS.get(runtime, runtime.replace(".", ":", 1) + ".v1")


def _runtime_arn(runtime: str, region: str) -> str:
    digest = hashlib.sha256(runtime.encode()).hexdigest()
    return f"arn:aws:lambda:{region}::runtime:{digest}"


def _trace_id(inv: Invocation, arrival_ms: int) -> tuple[str, str]:
    bits = f"{inv.trace_bits:024x}"
    return f"1-{arrival_ms // 1000:08x}-{bits}", bits[:16]


def _error_message(spec: FunctionSpec, inv: Invocation) -> str:
    if inv.hostile:
        return HOSTILE_MESSAGE
    messages = spec.traffic.error_messages
    return messages[inv.message_index % len(messages)]


def _error_type(message: str) -> str:
    head = message.split(":", 1)[0].strip()
    return head.rsplit(".", 1)[-1] if head.replace(".", "").isidentifier() else "Error"


def invocation_log_events(
    spec: FunctionSpec, inv: Invocation, minute_start_ms: int, zero_ms: int, region: str
) -> list[LogEvent]:
    """The log events of one invocation, in time order, in the function's log format."""
    stream = stream_name(inv, zero_ms)
    arrival_ms = minute_start_ms + round(inv.arrival_s * 1000)
    start_ms = arrival_ms + round(inv.init_ms or 0.0)
    end_ms = start_ms + max(1, round(inv.duration_ms))
    info_ms = start_ms + (end_ms - start_ms) // 3
    error_ms = start_ms + (end_ms - start_ms) * 9 // 10
    render = _json_lines if spec.log_format == "JSON" else _text_lines
    lines = render(spec, inv, region, arrival_ms, (info_ms, error_ms, end_ms))
    return [LogEvent(stream, ts, message) for ts, message in lines]


def _text_lines(
    spec: FunctionSpec, inv: Invocation, region: str, arrival_ms: int, marks: tuple[int, int, int]
) -> list[tuple[int, str]]:
    info_ms, error_ms, end_ms = marks
    rid = inv.request_id
    lines: list[tuple[int, str]] = []
    if inv.cold:
        lines.append(
            (
                arrival_ms,
                f"INIT_START Runtime Version: {_runtime_version(spec.runtime)}\t"
                f"Runtime Version ARN: {_runtime_arn(spec.runtime, region)}",
            )
        )
    lines.append((arrival_ms + round(inv.init_ms or 0.0), f"START RequestId: {rid} Version: {inv.version}"))
    if inv.info_line:
        info = spec.traffic.info_messages[inv.message_index % len(spec.traffic.info_messages)]
        lines.append((info_ms, f"{iso_ms(info_ms)}\t{rid}\tINFO\t{info}"))
    if inv.error and not inv.timed_out:
        lines.append((error_ms, f"{iso_ms(error_ms)}\t{rid}\tERROR\t{_error_message(spec, inv)}"))
    lines.append((end_ms, f"END RequestId: {rid}"))
    report = (
        f"REPORT RequestId: {rid}\tDuration: {inv.duration_ms:.2f} ms\t"
        f"Billed Duration: {inv.billed_ms} ms\tMemory Size: {spec.memory_mb} MB\t"
        f"Max Memory Used: {inv.max_memory_mb} MB\t"
    )
    if inv.init_ms is not None:
        report += f"Init Duration: {inv.init_ms:.2f} ms\t"
    if inv.timed_out:
        report += "Status: timeout\t"
    if spec.tracing_active:
        trace_id, segment = _trace_id(inv, arrival_ms)
        report += f"\nXRAY TraceId: {trace_id}\tSegmentId: {segment}\tSampled: true\t"
    lines.append((end_ms, report))
    return lines


def _json_lines(
    spec: FunctionSpec, inv: Invocation, region: str, arrival_ms: int, marks: tuple[int, int, int]
) -> list[tuple[int, str]]:
    info_ms, error_ms, end_ms = marks
    rid = inv.request_id
    lines: list[tuple[int, dict[str, object]]] = []
    if inv.cold:
        init_record = {
            "initializationType": "on-demand",
            "phase": "init",
            "runtimeVersion": _runtime_version(spec.runtime),
            "runtimeVersionArn": _runtime_arn(spec.runtime, region),
            "functionName": spec.name,
            "functionVersion": inv.version,
        }
        lines.append((arrival_ms, _platform(arrival_ms, "platform.initStart", init_record)))
    start_ms = arrival_ms + round(inv.init_ms or 0.0)
    start_record: dict[str, object] = {"requestId": rid, "version": inv.version}
    tracing: dict[str, str] | None = None
    if spec.tracing_active:
        trace_id, segment = _trace_id(inv, arrival_ms)
        tracing = {"type": "X-Amzn-Trace-Id", "value": f"Root={trace_id};Parent={segment};Sampled=1"}
        start_record["tracing"] = tracing
    lines.append((start_ms, _platform(start_ms, "platform.start", start_record)))
    if inv.info_line:
        info = spec.traffic.info_messages[inv.message_index % len(spec.traffic.info_messages)]
        lines.append((info_ms, _app_line(info_ms, "INFO", rid, info)))
    if inv.error and not inv.timed_out:
        lines.append((error_ms, _app_line(error_ms, "ERROR", rid, _error_message(spec, inv))))
    metrics: dict[str, object] = {
        "durationMs": inv.duration_ms,
        "billedDurationMs": inv.billed_ms,
        "memorySizeMB": spec.memory_mb,
        "maxMemoryUsedMB": inv.max_memory_mb,
    }
    if inv.init_ms is not None:
        metrics["initDurationMs"] = inv.init_ms
    report: dict[str, object] = {"requestId": rid, "metrics": metrics, "status": "success"}
    if inv.timed_out:
        report["status"] = "timeout"
    elif inv.error:
        report.update(status="error", errorType=_error_type(_error_message(spec, inv)))
    if tracing is not None:
        report["tracing"] = tracing
    lines.append((end_ms, _platform(end_ms, "platform.report", report)))
    return [(ts, json.dumps(body, separators=(",", ":"))) for ts, body in lines]


def _platform(ts: int, kind: str, record: Mapping[str, object]) -> dict[str, object]:
    return {"time": iso_ms(ts), "type": kind, "record": record}


def _app_line(ts: int, level: str, rid: str, message: str) -> dict[str, object]:
    return {"timestamp": iso_ms(ts), "level": level, "requestId": rid, "message": message}


# ---------------------------------------------------------------------------------------------
# Failure-queue messages


def failure_message_body(
    spec: FunctionSpec,
    kind: str,
    message: FailureMessage,
    at_ms: int,
    function_arn: str,
    source_arn: str | None = None,
) -> str:
    """The body Lambda (or SQS redrive) would put in the failure queue for this kind."""
    payload = {"id": message.request_id[:8], "attempt": 3}
    if kind in ("dead-letter", "source-redrive"):
        # A DLQ receives the original event body as is.
        return json.dumps({"source": spec.name, "requestId": message.request_id, **payload})
    context = {
        "requestId": message.request_id,
        "functionArn": f"{function_arn}:{message.version}",
        "approximateInvokeCount": 3,
    }
    if kind == "stream-on-failure":
        context["condition"] = "RetryAttemptsExhausted"
        return json.dumps(
            {
                "requestContext": context,
                "timestamp": iso_ms(at_ms),
                "KinesisBatchInfo": {
                    "shardId": "shardId-000000000000",
                    "batchSize": spec.event_source.batch_size if spec.event_source else 100,
                    "streamArn": source_arn,
                    "approximateArrivalOfFirstRecord": iso_ms(at_ms - 120_000),
                },
            }
        )
    context["condition"] = "RetriesExhausted"
    return json.dumps(
        {
            "version": "1.0",
            "timestamp": iso_ms(at_ms),
            "requestContext": context,
            "requestPayload": payload,
            "responseContext": {
                "statusCode": 200,
                "executedVersion": message.version,
                "functionError": "Unhandled",
            },
            "responsePayload": {"errorMessage": spec.traffic.error_messages[0]},
        }
    )
