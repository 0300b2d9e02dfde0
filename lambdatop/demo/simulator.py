"""Writing the traffic model through AWS APIs, once for the backfill and then tick by tick.

`Emitter.emit(until, states)` writes everything the model says happened between its watermark
and `until`, then moves the watermark: metrics of the invocations that arrived in that range
(stamped inside their minute), the log events whose timestamps fall in it, the failure-queue
messages delivered in it, and the per-minute gauges of every minute that completed in it. Each
instant is written once, so repeated ticks never double count, and the configuration read back
at each tick decides what the rest of the minute looks like.

`Simulator` runs `tick()` on a daemon thread: read the configuration back from the server
(reserved concurrency, alias weights), then emit up to now. Ticks also land just after each
minute boundary, so a reader whose EndTime is now floored to the minute sees complete minutes.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import deque
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from lambdatop.clock import Clock, SystemClock
from lambdatop.demo.fleet import Fleet, FunctionSpec, build_demo_fleet
from lambdatop.demo.traffic import (
    MINUTE_MS,
    AliasState,
    FleetState,
    FunctionState,
    MinuteTraffic,
    failure_message_body,
    initial_state,
    invocation_log_events,
    lookback_minutes,
    minute_traffic,
)

if TYPE_CHECKING:
    from lambdatop.demo.seeder import SeededAccount

log = logging.getLogger(__name__)

_MAX_DATUMS_PER_CALL = 1000  # PutMetricData limit
_MAX_VALUES_PER_CALL = 30_000  # keeps a request far below the 1 MB payload limit
_MAX_VALUES_PER_DATUM = 150  # Values/Counts limit
_MAX_EVENTS_PER_CALL = 10_000  # PutLogEvents limits
_MAX_BYTES_PER_CALL = 900_000
_STAMP_MARGIN_S = 0.25  # metric timestamps stay strictly inside their minute


def make_clients(
    endpoint_url: str,
    credentials: tuple[str, str],
    region: str,
    services: Sequence[str] = ("lambda", "logs", "cloudwatch", "sqs"),
) -> dict[str, Any]:
    """boto3 clients for the demo endpoint; no retry storms against a local server."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(
        aws_access_key_id=credentials[0],
        aws_secret_access_key=credentials[1],
        region_name=region,
    )
    config = Config(
        retries={"max_attempts": 2, "mode": "standard"},
        connect_timeout=5,
        read_timeout=60,
        max_pool_connections=4,
        # The demo writes tens of thousands of log events; botocore's client-side validation
        # of each one costs more than the local server's answer.
        parameter_validation=False,
    )
    return {
        name: session.client(name, endpoint_url=endpoint_url, config=config)  # type: ignore[call-overload]
        for name in services
    }


@dataclass(frozen=True, slots=True)
class EmitStats:
    """What one emit wrote (for tests and the benchmark)."""

    since: datetime
    until: datetime
    metric_datums: int = 0
    log_events: int = 0
    log_calls: int = 0
    messages: int = 0


@dataclass
class Emitter:
    """Writes the model for a time range; owns the watermark and the writer's memory."""

    clients: Mapping[str, Any]
    fleet: Fleet
    seed: int | str
    region: str
    zero_at: datetime  # start of minute index 0
    watermark: datetime
    origin_minute: int
    function_arns: Mapping[str, str]
    queue_urls: Mapping[str, str]
    source_arns: Mapping[str, str] = field(default_factory=dict)
    # Streams known to exist, per log group.
    streams: set[tuple[str, str]] = field(default_factory=set)
    # Send times (s after zero) of the messages still believed to be in each queue.
    queue_sent_s: dict[str, deque[float]] = field(default_factory=dict)
    # Largest gauge seen so far for (function, minute): configuration may change mid-minute.
    gauge_max: dict[tuple[str, int], tuple[int, Mapping[str, int]]] = field(default_factory=dict)
    read_queue_depths: bool = True
    # Minutes already drawn, per (function, minute, configuration): ticks revisit them.
    _minutes: dict[tuple[str, int, Hashable], MinuteTraffic] = field(default_factory=dict, repr=False)

    def skip_to(self, moment: datetime) -> None:
        """Leave (watermark, moment] unwritten: the simulated account was not running then."""
        if moment <= self.watermark:
            return
        self.watermark = moment
        first = self.minute_of(moment)
        for key in [k for k in self.gauge_max if k[1] < first]:
            del self.gauge_max[key]

    def minute_of(self, moment: datetime) -> int:
        return math.floor((moment - self.zero_at).total_seconds() / 60)

    def emit(self, until: datetime, states: FleetState) -> EmitStats:
        """Write everything in (watermark, until] and move the watermark to `until`."""
        since = self.watermark
        if until <= since:
            return EmitStats(since, until)
        lo_s = (since - self.zero_at).total_seconds()
        hi_s = (until - self.zero_at).total_seconds()
        first, last = self.minute_of(since), self.minute_of(until)
        completed = [m for m in range(first, last + 1) if lo_s < (m + 1) * 60 <= hi_s]
        traffic = self._traffic(first, last, states)
        metrics = MetricBatch()
        self._invocation_metrics(traffic, lo_s, hi_s, metrics)
        self._function_gauges(traffic, first, completed, states, metrics)
        # The range counts as written from here on: if a call below fails, the range has a
        # gap rather than being written twice on the next tick (totals never double count).
        self.watermark = until
        log_events, log_calls = self._write_logs(traffic, lo_s, hi_s)
        messages = self._send_failures(traffic, lo_s, hi_s)
        self._queue_gauges(completed, metrics)
        metric_datums = metrics.flush(self.clients["cloudwatch"])
        return EmitStats(since, until, metric_datums, log_events, log_calls, messages)

    # -- traffic ------------------------------------------------------------------------------

    def _traffic(
        self, first: int, last: int, states: FleetState
    ) -> list[tuple[FunctionSpec, FunctionState, list[MinuteTraffic]]]:
        result = []
        for spec in self.fleet.functions:
            state = states.get(spec.name) or FunctionState.from_spec(spec)
            start = max(self.origin_minute, first - lookback_minutes(spec))
            minutes = [self._minute(spec, minute, state) for minute in range(start, last + 1)]
            result.append((spec, state, minutes))
        # Ticks revisit the last few minutes; older ones are never needed again.
        for key in [k for k in self._minutes if k[1] < first - 10]:
            del self._minutes[key]
        return result

    def _minute(self, spec: FunctionSpec, minute: int, state: FunctionState) -> MinuteTraffic:
        alias = state.alias
        state_key = (
            state.reserved_concurrency,
            (alias.name, alias.version, tuple(sorted(alias.weights.items()))) if alias else None,
        )
        key = (spec.name, minute, state_key)
        traffic = self._minutes.get(key)
        if traffic is None:
            traffic = self._minutes[key] = minute_traffic(spec, minute, state, self.seed)
        return traffic

    def _stamp(self, minute: int, hi_s: float) -> datetime:
        """A timestamp inside `minute`, no later than the end of the emitted range."""
        offset = min(hi_s - minute * 60, 60.0)
        offset = min(max(offset - _STAMP_MARGIN_S, _STAMP_MARGIN_S), 60 - _STAMP_MARGIN_S)
        return self.zero_at + timedelta(seconds=minute * 60 + offset)

    # -- metrics ------------------------------------------------------------------------------

    def _invocation_metrics(
        self,
        traffic: Sequence[tuple[FunctionSpec, FunctionState, list[MinuteTraffic]]],
        lo_s: float,
        hi_s: float,
        metrics: MetricBatch,
    ) -> None:
        account: dict[int, list[int]] = {}
        for spec, state, minutes in traffic:
            for minute in minutes:
                base = minute.minute_index * 60
                invs = [i for i in minute.invocations if lo_s < base + i.arrival_s <= hi_s]
                throttled = [t for t in minute.throttled if lo_s < base + t[0] <= hi_s]
                if not invs and not throttled:
                    continue
                stamp = self._stamp(minute.minute_index, hi_s)
                errors = sum(1 for i in invs if i.error)
                totals = account.setdefault(minute.minute_index, [0, 0, 0])
                totals[0] += len(invs)
                totals[1] += errors
                totals[2] += len(throttled)
                dims = [("FunctionName", spec.name)]
                metrics.counts(dims, stamp, len(invs), errors, len(throttled))
                metrics.durations(dims, stamp, [i.duration_ms for i in invs])
                failed = [m for m in minute.failure_messages if any(i.request_id == m.request_id for i in invs)]
                self._extra_function_metrics(spec, dims, stamp, len(failed), metrics)
                if state.alias is not None:
                    resource = [*dims, ("Resource", f"{spec.name}:{state.alias.name}")]
                    metrics.counts(resource, stamp, len(invs), errors, len(throttled))
                    metrics.durations(resource, stamp, [i.duration_ms for i in invs])
                    for version in sorted({i.version for i in invs} | {v for _, v in throttled}):
                        mine = [i for i in invs if i.version == version]
                        executed = [*resource, ("ExecutedVersion", version)]
                        metrics.counts(
                            executed,
                            stamp,
                            len(mine),
                            sum(1 for i in mine if i.error),
                            sum(1 for _, v in throttled if v == version),
                        )
                        metrics.durations(executed, stamp, [i.duration_ms for i in mine])
                    if spec.provisioned_concurrency:
                        on_pc = sum(1 for i in invs if i.provisioned)
                        for pc_dims in (dims, resource):
                            metrics.put(pc_dims, "ProvisionedConcurrencyInvocations", stamp, on_pc)
                            metrics.put(
                                pc_dims,
                                "ProvisionedConcurrencySpilloverInvocations",
                                stamp,
                                len(invs) - on_pc,
                            )
        for minute_index, (invocations, errors, throttles) in sorted(account.items()):
            metrics.counts([], self._stamp(minute_index, hi_s), invocations, errors, throttles)

    def _extra_function_metrics(
        self,
        spec: FunctionSpec,
        dims: list[tuple[str, str]],
        stamp: datetime,
        failed: int,
        metrics: MetricBatch,
    ) -> None:
        target = self.fleet.failure_queue(spec)
        if spec.is_async:
            metrics.put(dims, "AsyncEventsDropped", stamp, failed)
        if target and target[1] == "dead-letter":
            metrics.put(dims, "DeadLetterErrors", stamp, 0)
        if target and target[1] in ("on-failure", "stream-on-failure"):
            metrics.put(dims, "DestinationDeliveryFailures", stamp, 0)

    def _function_gauges(
        self,
        traffic: Sequence[tuple[FunctionSpec, FunctionState, list[MinuteTraffic]]],
        current: int,
        completed: Sequence[int],
        states: FleetState,
        metrics: MetricBatch,
    ) -> None:
        """Maximum-type gauges, written once per minute when the minute completes.

        The configuration may change while a minute runs, so each emit that touches a minute
        remembers the largest concurrency seen; the minute's gauge is that largest value.
        """
        done = set(completed)
        account: dict[int, list[tuple[FunctionState, int]]] = {}
        for spec, state, minutes in traffic:
            for minute in minutes:
                index = minute.minute_index
                if index < current:
                    continue  # completed (and written) by an earlier emit
                key = (spec.name, index)
                previous = self.gauge_max.get(key)
                if previous is None or minute.concurrency_max > previous[0]:
                    split = {v: t.concurrency_max for v, t in minute.by_version().items()}
                    self.gauge_max[key] = (minute.concurrency_max, split)
                if index not in done:
                    continue
                concurrency, version_split = self.gauge_max.pop(key)
                account.setdefault(index, []).append((state, concurrency))
                stamp = self.zero_at + timedelta(seconds=index * 60 + 60 - _STAMP_MARGIN_S)
                dims = [("FunctionName", spec.name)]
                if minute.iterator_age_ms is not None:
                    metrics.put(dims, "IteratorAge", stamp, minute.iterator_age_ms)
                if concurrency <= 0:
                    continue
                metrics.put(dims, "ConcurrentExecutions", stamp, concurrency)
                if state.alias is not None:
                    resource = [*dims, ("Resource", f"{spec.name}:{state.alias.name}")]
                    metrics.put(resource, "ConcurrentExecutions", stamp, concurrency)
                    for version, value in sorted(version_split.items()):
                        if value > 0:
                            executed = [*resource, ("ExecutedVersion", version)]
                            metrics.put(executed, "ConcurrentExecutions", stamp, value)
        claimed_floor = self._claimed_floor(states)
        for index, rows in sorted(account.items()):
            stamp = self.zero_at + timedelta(seconds=index * 60 + 60 - _STAMP_MARGIN_S)
            unreserved = sum(c for st, c in rows if st.reserved_concurrency is None)
            metrics.put([], "ConcurrentExecutions", stamp, sum(c for _, c in rows))
            metrics.put([], "UnreservedConcurrentExecutions", stamp, unreserved)
            metrics.put([], "ClaimedAccountConcurrency", stamp, unreserved + claimed_floor)

    def _claimed_floor(self, states: FleetState) -> int:
        """Concurrency claimed whatever runs: Σ reserved + Σ provisioned of uncapped functions."""
        claimed = 0
        for spec in self.fleet.functions:
            state = states.get(spec.name) or FunctionState.from_spec(spec)
            if state.reserved_concurrency is not None:
                claimed += state.reserved_concurrency
            else:
                claimed += spec.provisioned_concurrency or 0
        return claimed

    # -- logs ---------------------------------------------------------------------------------

    def _write_logs(
        self,
        traffic: Sequence[tuple[FunctionSpec, FunctionState, list[MinuteTraffic]]],
        lo_s: float,
        hi_s: float,
    ) -> tuple[int, int]:
        zero_ms = round(self.zero_at.timestamp() * 1000)
        lo_ms, hi_ms = zero_ms + round(lo_s * 1000), zero_ms + round(hi_s * 1000)
        written, calls = 0, 0
        for spec, _state, minutes in traffic:
            by_stream: dict[str, list[tuple[int, int, str]]] = {}
            order = 0
            for minute in minutes:
                base_s = minute.minute_index * 60
                minute_start_ms = zero_ms + minute.minute_index * MINUTE_MS
                for inv in minute.invocations:
                    # Skip invocations entirely outside the range before rendering them.
                    if base_s + inv.end_s < lo_s - 1 or base_s + inv.arrival_s > hi_s:
                        continue
                    for event in invocation_log_events(spec, inv, minute_start_ms, zero_ms, self.region):
                        if lo_ms < event.timestamp_ms <= hi_ms:
                            order += 1
                            by_stream.setdefault(event.stream, []).append((event.timestamp_ms, order, event.message))
            for stream, events in by_stream.items():
                events.sort()
                self._ensure_stream(spec.log_group, stream)
                for chunk in _log_chunks(events):
                    self.clients["logs"].put_log_events(
                        logGroupName=spec.log_group,
                        logStreamName=stream,
                        logEvents=[{"timestamp": ts, "message": msg} for ts, _, msg in chunk],
                    )
                    calls += 1
                    written += len(chunk)
        return written, calls

    def _ensure_stream(self, group: str, stream: str) -> None:
        if (group, stream) in self.streams:
            return
        logs = self.clients["logs"]
        try:
            logs.create_log_stream(logGroupName=group, logStreamName=stream)
        except logs.exceptions.ResourceAlreadyExistsException:
            pass
        except logs.exceptions.ResourceNotFoundException:
            logs.create_log_group(logGroupName=group)
            logs.create_log_stream(logGroupName=group, logStreamName=stream)
        self.streams.add((group, stream))

    # -- queues -------------------------------------------------------------------------------

    def _send_failures(
        self,
        traffic: Sequence[tuple[FunctionSpec, FunctionState, list[MinuteTraffic]]],
        lo_s: float,
        hi_s: float,
    ) -> int:
        zero_ms = round(self.zero_at.timestamp() * 1000)
        outgoing: dict[str, list[tuple[float, str]]] = {}
        for spec, _state, minutes in traffic:
            target = self.fleet.failure_queue(spec)
            if target is None or target[0] not in self.queue_urls:
                continue
            queue, kind = target
            source = spec.event_source.source if spec.event_source else None
            for minute in minutes:
                for message in minute.failure_messages:
                    at_s = minute.minute_index * 60 + message.at_s
                    if lo_s < at_s <= hi_s:
                        body = failure_message_body(
                            spec,
                            kind,
                            message,
                            zero_ms + round(at_s * 1000),
                            self.function_arns.get(spec.name, spec.name),
                            self.source_arns.get(source) if source else None,
                        )
                        outgoing.setdefault(queue, []).append((at_s, body))
        sent = 0
        for queue, messages in sorted(outgoing.items()):
            messages.sort()
            for start in range(0, len(messages), 10):
                batch = messages[start : start + 10]
                self.clients["sqs"].send_message_batch(
                    QueueUrl=self.queue_urls[queue],
                    Entries=[{"Id": str(k), "MessageBody": body} for k, (_, body) in enumerate(batch)],
                )
                sent += len(batch)
            self.queue_sent_s.setdefault(queue, deque()).extend(at for at, _ in messages)
        return sent

    def _queue_gauges(self, completed: Sequence[int], metrics: MetricBatch) -> None:
        """AWS/SQS depth and age of the oldest message, once per completed minute."""
        if not completed:
            return
        for queue in self.fleet.queues:
            if queue.name not in self.queue_urls:
                continue
            sent = self.queue_sent_s.setdefault(queue.name, deque())
            if self.read_queue_depths:
                self._trim_to_server_depth(queue.name, sent)
            for minute in completed:
                end_s = (minute + 1) * 60
                present = [at for at in sent if at <= end_s]
                stamp = self.zero_at + timedelta(seconds=end_s - _STAMP_MARGIN_S)
                dims = [("QueueName", queue.name)]
                age = round(end_s - present[0]) if present else 0
                metrics.put(dims, "ApproximateNumberOfMessagesVisible", stamp, len(present), "AWS/SQS")
                metrics.put(dims, "ApproximateAgeOfOldestMessage", stamp, max(age, 0), "AWS/SQS")

    def _trim_to_server_depth(self, queue: str, sent: deque[float]) -> None:
        """Forget the oldest messages someone consumed or purged (FIFO is close enough)."""
        try:
            attributes = self.clients["sqs"].get_queue_attributes(
                QueueUrl=self.queue_urls[queue], AttributeNames=["ApproximateNumberOfMessages"]
            )["Attributes"]
            depth = int(attributes.get("ApproximateNumberOfMessages", len(sent)))
        except Exception:  # a missing queue must not stop the simulation
            log.debug("could not read depth of %s", queue, exc_info=True)
            return
        while len(sent) > depth:
            sent.popleft()


def _log_chunks(events: Sequence[tuple[int, int, str]]) -> Iterator[Sequence[tuple[int, int, str]]]:
    start, size = 0, 0
    for index, (_, _, message) in enumerate(events):
        cost = len(message.encode()) + 26
        if index > start and (index - start >= _MAX_EVENTS_PER_CALL or size + cost > _MAX_BYTES_PER_CALL):
            yield events[start:index]
            start, size = index, 0
        size += cost
    if start < len(events):
        yield events[start:]


class MetricBatch:
    """PutMetricData datums, sent in calls of at most 1,000 datums."""

    def __init__(self) -> None:
        self._datums: dict[str, list[dict[str, Any]]] = {}

    def put(
        self,
        dims: Sequence[tuple[str, str]],
        name: str,
        stamp: datetime,
        value: float,
        namespace: str = "AWS/Lambda",
    ) -> None:
        self._datums.setdefault(namespace, []).append(
            {
                "MetricName": name,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dims],
                "Timestamp": stamp,
                "Value": float(value),
            }
        )

    def counts(
        self, dims: Sequence[tuple[str, str]], stamp: datetime, invocations: int, errors: int, throttles: int
    ) -> None:
        self.put(dims, "Invocations", stamp, invocations)
        self.put(dims, "Errors", stamp, errors)
        self.put(dims, "Throttles", stamp, throttles)

    def durations(self, dims: Sequence[tuple[str, str]], stamp: datetime, values: Iterable[float]) -> None:
        """Raw durations as Values/Counts, so percentile statistics work."""
        tally: dict[float, int] = {}
        for value in values:
            tally[value] = tally.get(value, 0) + 1
        items = sorted(tally.items())
        for start in range(0, len(items), _MAX_VALUES_PER_DATUM):
            chunk = items[start : start + _MAX_VALUES_PER_DATUM]
            self._datums.setdefault("AWS/Lambda", []).append(
                {
                    "MetricName": "Duration",
                    "Dimensions": [{"Name": k, "Value": v} for k, v in dims],
                    "Timestamp": stamp,
                    "Values": [v for v, _ in chunk],
                    "Counts": [float(c) for _, c in chunk],
                    "Unit": "Milliseconds",
                }
            )

    def flush(self, cloudwatch: Any) -> int:
        sent = 0
        for namespace, datums in self._datums.items():
            start = 0
            while start < len(datums):
                end, values = start, 0
                while end < len(datums) and end - start < _MAX_DATUMS_PER_CALL:
                    values += len(datums[end].get("Values", ())) or 1
                    if values > _MAX_VALUES_PER_CALL and end > start:
                        break
                    end += 1
                cloudwatch.put_metric_data(Namespace=namespace, MetricData=datums[start:end])
                sent += end - start
                start = end
        self._datums.clear()
        return sent


# ---------------------------------------------------------------------------------------------
# Reading the configuration back


def read_states(
    lambda_client: Any,
    fleet: Fleet,
    previous: Mapping[str, FunctionState],
    names: Iterable[str] | None = None,
) -> dict[str, FunctionState]:
    """Reserved concurrency and alias routing as the server holds them now.

    Only `names` are read (all functions when None); the rest keep their previous state.
    A function whose reads fail keeps its previous state too.
    """
    states = dict(previous)
    wanted = set(names) if names is not None else None
    for spec in fleet.functions:
        if wanted is not None and spec.name not in wanted:
            continue
        try:
            answer = lambda_client.get_function_concurrency(FunctionName=spec.name)
            reserved = answer.get("ReservedConcurrentExecutions")
            alias = None
            if spec.alias is not None:
                alias = _read_alias(lambda_client, spec.name, spec.alias.name)
            states[spec.name] = FunctionState(
                reserved_concurrency=int(reserved) if reserved is not None else None, alias=alias
            )
        except Exception:
            log.debug("could not read configuration of %s", spec.name, exc_info=True)
    return states


def _read_alias(lambda_client: Any, function: str, alias: str) -> AliasState | None:
    try:
        answer = lambda_client.get_alias(FunctionName=function, Name=alias)
    except lambda_client.exceptions.ResourceNotFoundException:
        return None
    weights = (answer.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return AliasState(
        name=alias,
        version=str(answer["FunctionVersion"]),
        weights={str(k): float(v) for k, v in weights.items()},
    )


# ---------------------------------------------------------------------------------------------
# The live loop


class Simulator:
    """Keeps the seeded account moving: every tick, read the configuration back and write."""

    # Per tick, at most this many functions have their configuration read: the watched ones
    # (see _names_to_read) and, in turn, the others; on the demo fleet each is read at least
    # every third tick.
    max_reads_per_tick = 12
    # After a long pause (a suspended laptop), write at most this much of the gap.
    max_catch_up = timedelta(minutes=15)

    def __init__(
        self,
        endpoint_url: str,
        credentials: tuple[str, str],
        region: str,
        seed: int | str,
        *,
        clock: Clock | None = None,
        tick_s: float = 5.0,
        account: SeededAccount | None = None,
        fleet: Fleet | None = None,
    ) -> None:
        from lambdatop.demo.seeder import attach_emitter, find_account

        self.clock = clock or SystemClock()
        self.tick_s = tick_s
        self.seed = seed
        account = account or find_account(endpoint_url, region, seed)
        if account is not None:
            self.fleet = account.fleet
            self.emitter = account.emitter
            self._clients = account.emitter.clients
        else:
            self.fleet = fleet or build_demo_fleet()
            services = ("lambda", "logs", "cloudwatch", "sqs", "sts")
            self._clients = make_clients(endpoint_url, credentials, region, services)
            self.emitter = attach_emitter(self._clients, self.fleet, seed, region, self.clock.now())
        self.states: dict[str, FunctionState] = initial_state(self.fleet)
        self._always_read = [s.name for s in self.fleet.functions if s.alias or s.reserved_concurrency is not None]
        self._rotation = [s.name for s in self.fleet.functions if s.name not in self._always_read]
        self._rotation_at = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.ticks = 0
        self.last_error: BaseException | None = None

    # Public API -------------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="lambdatop-demo-sim", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout_s)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def tick(self) -> EmitStats:
        """Read the configuration back, then write everything up to now."""
        with self._lock:
            self.states = read_states(self._clients["lambda"], self.fleet, self.states, self._names_to_read())
            now = self.clock.now()
            self.emitter.skip_to(now - self.max_catch_up)
            stats = self.emitter.emit(now, self.states)
            self.ticks += 1
            return stats

    # Internals --------------------------------------------------------------------------------

    def _names_to_read(self) -> list[str]:
        """Functions seeded with a cap or an alias, or changed since, every tick; the rest in turn.

        Each read is a control-plane call of a few ms on the local server; reading two dozen
        every tick would cost the UI thread more than the rest of the tick.
        """
        if self.ticks == 0:  # the first tick reads everything: the operator may have acted
            return [s.name for s in self.fleet.functions]
        seeded = {s.name: FunctionState.from_spec(s) for s in self.fleet.functions}
        watched = list(self._always_read)
        watched += [n for n in self._rotation if self.states.get(n) != seeded[n]]
        budget = max(0, self.max_reads_per_tick - len(watched))
        others = [n for n in self._rotation if n not in watched]
        names = list(watched)
        if others and budget:
            count = min(budget, len(others))
            names += [others[(self._rotation_at + k) % len(others)] for k in range(count)]
            self._rotation_at = (self._rotation_at + count) % len(others)
        return names

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
                self.last_error = None
            except Exception as error:  # the server may be going away; keep the app alive
                self.last_error = error
                log.debug("demo simulator tick failed", exc_info=True)
            self._stop.wait(self._seconds_to_next_tick())

    def _seconds_to_next_tick(self) -> float:
        now = self.clock.now()
        into_minute = now.second + now.microsecond / 1e6
        to_boundary = 60.0 - into_minute + 0.05
        return max(0.05, min(self.tick_s, to_boundary))
