"""Writing the traffic model through AWS APIs, once for the backfill and then tick by tick.

`Emitter.emit(until, states)` writes everything the model says happened between its watermark
and `until`, then moves the watermark: metrics of the invocations that arrived in that range
(stamped inside their minute), the log events whose timestamps fall in it, the X-Ray segments
of the sampled invocations that ended in it, the failure-queue messages delivered in it, and the
per-minute gauges of every minute that completed in it. Each
instant is written once, so repeated ticks never double count, and the configuration read back
at each tick decides what the rest of the minute looks like.
"""

from __future__ import annotations

import json
import logging
import math
from collections import deque
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lambdatop.demo.configuration import FleetState, FunctionState
from lambdatop.demo.fleet import Fleet, FunctionSpec
from lambdatop.demo.logformat import invocation_log_events
from lambdatop.demo.metric_writer import STAMP_MARGIN_S, MetricBatch, function_gauges, invocation_metrics
from lambdatop.demo.queue_messages import failure_message_body
from lambdatop.demo.traces import trace_segments
from lambdatop.demo.traffic import MINUTE_MS, FunctionMinutes, MinuteTraffic, lookback_minutes, minute_traffic

log = logging.getLogger(__name__)

_MAX_EVENTS_PER_CALL = 10_000  # PutLogEvents limits
_MAX_BYTES_PER_CALL = 900_000
_MAX_SEGMENTS_PER_CALL = 50  # PutTraceSegments: documents of a few KB, far below 1 MB a call


@dataclass(frozen=True, slots=True)
class EmitStats:
    """What one emit wrote (for tests and the benchmark)."""

    since: datetime
    until: datetime
    metric_datums: int = 0
    log_events: int = 0
    log_calls: int = 0
    messages: int = 0
    trace_segments: int = 0


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
    # What an emit left for emit_deferred: (since, until] of metrics and logs, and the end of
    # the traces (since, traces_until].
    _deferred: tuple[datetime, datetime, datetime] | None = field(default=None, repr=False)

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

    def emit(self, until: datetime, states: FleetState, *, defer_until: datetime | None = None) -> EmitStats:
        """Write everything in (watermark, until] and move the watermark to `until`.

        With `defer_until` inside that range, only the queue messages of (watermark,
        defer_until] are sent now (so that queues keep their order and their gauges count
        them); its metrics and log events, and every trace of the range, wait for
        `emit_deferred`. The demo's first screen reads only its own window, and no trace; the
        rest is most of a backfill's time.
        """
        since = self.watermark
        if until <= since:
            return EmitStats(since, until)
        messages = 0
        write_traces = True
        if defer_until is not None and since < defer_until < until:
            messages = self._send_failures_only(since, defer_until, states)
            self._deferred = (since, defer_until, until)
            since = self.watermark = defer_until
            write_traces = False
        lo_s = (since - self.zero_at).total_seconds()
        hi_s = (until - self.zero_at).total_seconds()
        first, last = self.minute_of(since), self.minute_of(until)
        completed = [m for m in range(first, last + 1) if lo_s < (m + 1) * 60 <= hi_s]
        traffic = self._traffic(first, last, states)
        metrics = MetricBatch()
        invocation_metrics(self.fleet, traffic, lo_s, hi_s, lambda minute: self._stamp(minute, hi_s), metrics)
        function_gauges(self.fleet, traffic, first, completed, states, self.gauge_max, self.zero_at, metrics)
        # The range counts as written from here on: if a call below fails, the range has a
        # gap rather than being written twice on the next tick (totals never double count).
        self.watermark = until
        log_events, log_calls = self._write_logs(traffic, lo_s, hi_s)
        messages += self._send_failures(traffic, lo_s, hi_s)
        segments = self._write_traces(traffic, lo_s, hi_s) if write_traces else 0
        self._queue_gauges(completed, metrics)
        metric_datums = metrics.flush(self.clients["cloudwatch"])
        return EmitStats(since, until, metric_datums, log_events, log_calls, messages, segments)

    def emit_deferred(self, states: FleetState) -> EmitStats | None:
        """Write what `emit(..., defer_until=...)` left out: the metrics and log events of the
        deferred range (its messages were sent then) and the traces of the whole emit. None
        when nothing was deferred.

        It writes behind the watermark, so run it before the next `emit` (they share state).
        """
        if self._deferred is None:
            return None
        since, until, traces_until = self._deferred
        self._deferred = None
        lo_s = (since - self.zero_at).total_seconds()
        hi_s = (until - self.zero_at).total_seconds()
        first, last = self.minute_of(since), self.minute_of(until)
        completed = [m for m in range(first, last + 1) if lo_s < (m + 1) * 60 <= hi_s]
        traffic = self._traffic(first, self.minute_of(traces_until), states)
        metrics = MetricBatch()
        invocation_metrics(self.fleet, traffic, lo_s, hi_s, lambda minute: self._stamp(minute, hi_s), metrics)
        # Its own gauge memory: the minute that straddles `until` was written by the emit.
        function_gauges(self.fleet, traffic, first, completed, states, {}, self.zero_at, metrics)
        log_events, log_calls = self._write_logs(traffic, lo_s, hi_s)
        segments = self._write_traces(traffic, lo_s, (traces_until - self.zero_at).total_seconds())
        # Every message was sent already, and the server's depth may have moved on since.
        self._queue_gauges(completed, metrics, trim_to_server=False)
        metric_datums = metrics.flush(self.clients["cloudwatch"])
        return EmitStats(since, until, metric_datums, log_events, log_calls, 0, segments)

    @property
    def deferred(self) -> tuple[datetime, datetime] | None:
        """The range (since, until] whose metrics and logs an emit left for `emit_deferred`."""
        return None if self._deferred is None else self._deferred[:2]

    # -- traffic ------------------------------------------------------------------------------

    def _traffic(
        self, first: int, last: int, states: FleetState, specs: Sequence[FunctionSpec] | None = None
    ) -> list[FunctionMinutes]:
        result: list[FunctionMinutes] = []
        for spec in self.fleet.functions if specs is None else specs:
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
        offset = min(max(offset - STAMP_MARGIN_S, STAMP_MARGIN_S), 60 - STAMP_MARGIN_S)
        return self.zero_at + timedelta(seconds=minute * 60 + offset)

    # -- metrics ------------------------------------------------------------------------------

    # -- logs ---------------------------------------------------------------------------------

    def _write_logs(
        self,
        traffic: Sequence[FunctionMinutes],
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

    # -- traces ---------------------------------------------------------------------------------

    def _write_traces(self, traffic: Sequence[FunctionMinutes], lo_s: float, hi_s: float) -> int:
        """Segments of the sampled invocations whose REPORT line falls in the range.

        Lambda sends a trace's segments when the invocation ends, so a trace is written by the
        same rule as its REPORT line: once, by the tick whose range holds the end.
        """
        xray = self.clients.get("xray")
        if xray is None:  # a writer without X-Ray (the tests' fakes) writes no traces
            return 0
        zero_ms = round(self.zero_at.timestamp() * 1000)
        lo_ms, hi_ms = zero_ms + round(lo_s * 1000), zero_ms + round(hi_s * 1000)
        documents: list[str] = []
        for spec, _state, minutes in traffic:
            if not spec.tracing_active:
                continue
            arn = self.function_arns.get(spec.name, spec.name)
            for minute in minutes:
                minute_start_ms = zero_ms + minute.minute_index * MINUTE_MS
                for inv in minute.invocations:
                    if inv.sampled and lo_ms < inv.stamps_ms(minute_start_ms)[2] <= hi_ms:
                        segments = trace_segments(spec, inv, minute_start_ms, arn, self.region)
                        documents += [json.dumps(d, separators=(",", ":")) for d in segments]
        for start in range(0, len(documents), _MAX_SEGMENTS_PER_CALL):
            answer = xray.put_trace_segments(TraceSegmentDocuments=documents[start : start + _MAX_SEGMENTS_PER_CALL])
            if answer.get("UnprocessedTraceSegments"):
                log.debug("X-Ray refused segments: %s", answer["UnprocessedTraceSegments"])
        return len(documents)

    # -- queues -------------------------------------------------------------------------------

    def _send_failures_only(self, since: datetime, until: datetime, states: FleetState) -> int:
        """The failure-queue messages of (since, until], drawing only the functions that have a queue."""
        specs = [spec for spec in self.fleet.functions if self.fleet.failure_queue(spec) is not None]
        traffic = self._traffic(self.minute_of(since), self.minute_of(until), states, specs)
        lo_s, hi_s = ((moment - self.zero_at).total_seconds() for moment in (since, until))
        return self._send_failures(traffic, lo_s, hi_s)

    def _send_failures(
        self,
        traffic: Sequence[FunctionMinutes],
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

    def _queue_gauges(self, completed: Sequence[int], metrics: MetricBatch, *, trim_to_server: bool = True) -> None:
        """AWS/SQS depth and age of the oldest message, once per completed minute."""
        if not completed:
            return
        for queue in self.fleet.queues:
            if queue.name not in self.queue_urls:
                continue
            sent = self.queue_sent_s.setdefault(queue.name, deque())
            if self.read_queue_depths and trim_to_server:
                self._trim_to_server_depth(queue.name, sent)
            for minute in completed:
                end_s = (minute + 1) * 60
                present = [at for at in sent if at <= end_s]
                stamp = self.zero_at + timedelta(seconds=end_s - STAMP_MARGIN_S)
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
