"""The shapes of the simulated account: which functions exist and how they behave.

Everything here is plain data. The seeder turns it into AWS resources, the traffic model turns
it into per-minute invocations. The demo's own table is `scenarios.build_demo_fleet`; the
benchmarks' is `bench_fleet.build_bench_fleet`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

LogFormat = Literal["Text", "JSON"]
FailureKind = Literal["dead-letter", "on-failure", "source-redrive", "stream-on-failure"]
# How a failed downstream call shows in its X-Ray subsegment: error (4xx), throttle (429 or an
# AWS throttling error, recorded with error as well) or fault (5xx, connection failure, timeout).
DownstreamFailure = Literal["error", "throttle", "fault"]


@dataclass(frozen=True, slots=True)
class IteratorAgeSpec:
    """A stream consumer falling behind: IteratorAge grows by `growth_ms_per_min` each minute."""

    start_ms: float
    growth_ms_per_min: float


@dataclass(frozen=True, slots=True)
class TrafficSpec:
    """How a function behaves each minute. Rates are requests (throttled ones included)."""

    rate_per_min: float = 0.0
    # Scheduled functions run only on minutes divisible by this.
    every_n_minutes: int = 1
    # Peak concurrency the requests would need in a minute (before any reserved cap).
    concurrency: tuple[float, float] = (1.0, 2.0)
    duration_p50_ms: float = 80.0
    duration_p99_ms: float = 300.0
    error_rate: float = 0.0
    # Per executed version, for aliased functions (overrides error_rate for that version).
    version_error_rates: Mapping[str, float] = field(default_factory=dict)
    timeout_rate: float = 0.0
    cold_start_ratio: float = 0.003
    init_ms: tuple[float, float] = (150.0, 450.0)
    # The first request in a new environment is slower (JIT, connection set-up).
    cold_duration_factor: float = 1.3
    memory_used_fraction: tuple[float, float] = (0.2, 0.5)
    # Chance that an error ends as a message in the function's failure queue.
    failure_message_ratio: float = 0.0
    iterator_age: IteratorAgeSpec | None = None
    info_line_ratio: float = 0.04
    # Every n minutes the first invocation logs a hostile line (escape sequences, markup).
    hostile_every_n_minutes: int | None = None
    error_messages: tuple[str, ...] = ("unexpected error while handling request",)
    # A version that fails its own way (a canary's new bug): its messages replace the above.
    version_error_messages: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    info_messages: tuple[str, ...] = ("request handled",)
    # Warm execution environments (log streams) kept per hour (traffic.ENV_EPOCH_MINUTES).
    warm_envs: int = 1


@dataclass(frozen=True, slots=True)
class AliasSpec:
    """An alias the traffic goes through. `versions` versions are published first."""

    name: str
    version: str
    weights: Mapping[str, float] = field(default_factory=dict)
    versions: int = 1
    provisioned_concurrency: int | None = None


@dataclass(frozen=True, slots=True)
class EventSourceSpec:
    """An event-source mapping from an SQS queue or a Kinesis stream."""

    kind: Literal["sqs", "kinesis"]
    source: str
    batch_size: int = 10
    on_failure_queue: str | None = None


@dataclass(frozen=True, slots=True)
class QueueSpec:
    name: str
    redrive_to: str | None = None
    max_receive_count: int = 3


@dataclass(frozen=True, slots=True)
class StreamSpec:
    name: str
    shards: int = 1


@dataclass(frozen=True, slots=True)
class DownstreamSpec:
    """A call the handler makes, recorded as a subsegment of the function's X-Ray trace.

    `aws` calls name the service (`DynamoDB`) and carry `operation` and `resource` (the table);
    `http` calls name the host and carry `operation` as "METHOD https://host/path". Calls run
    one after another, each taking `share` of the handler's duration. An error whose message
    starts with one of `fails_on` is this call failing (the calls after it are not made), shown
    as `failure` with HTTP `failure_status`; `hangs_on_timeout` marks the call a timed-out
    invocation was waiting on.
    """

    name: str
    kind: Literal["aws", "http"]
    operation: str
    share: float
    resource: str | None = None
    fails_on: tuple[str, ...] = ()
    failure: DownstreamFailure = "fault"
    failure_status: int | None = None
    hangs_on_timeout: bool = False


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    name: str
    runtime: str
    handler: str
    architecture: Literal["x86_64", "arm64"] = "x86_64"
    memory_mb: int = 256
    timeout_s: int = 10
    description: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    log_format: LogFormat = "Text"
    tracing_active: bool = False
    reserved_concurrency: int | None = None
    alias: AliasSpec | None = None
    dead_letter_queue: str | None = None
    on_failure_queue: str | None = None
    event_source: EventSourceSpec | None = None
    scenario: str = "healthy"
    traffic: TrafficSpec = field(default_factory=TrafficSpec)
    # What the handler calls, for the X-Ray traces of functions with tracing_active.
    downstream: tuple[DownstreamSpec, ...] = ()

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.name}"

    @property
    def is_async(self) -> bool:
        """Invoked asynchronously: the async metrics (AsyncEventsDropped, …) apply."""
        return self.dead_letter_queue is not None or self.on_failure_queue is not None

    @property
    def provisioned_concurrency(self) -> int | None:
        return self.alias.provisioned_concurrency if self.alias else None


@dataclass(frozen=True, slots=True)
class Fleet:
    functions: tuple[FunctionSpec, ...]
    queues: tuple[QueueSpec, ...] = ()
    streams: tuple[StreamSpec, ...] = ()
    role_name: str = "lambdatop-demo-execution"

    def function(self, name: str) -> FunctionSpec:
        for spec in self.functions:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def queue(self, name: str) -> QueueSpec:
        for queue in self.queues:
            if queue.name == name:
                return queue
        raise KeyError(name)

    def failure_queue(self, spec: FunctionSpec) -> tuple[str, FailureKind] | None:
        """Where the function's failed events end up, and how they get there."""
        if spec.dead_letter_queue:
            return spec.dead_letter_queue, "dead-letter"
        if spec.on_failure_queue:
            return spec.on_failure_queue, "on-failure"
        source = spec.event_source
        if source is None:
            return None
        if source.kind == "kinesis" and source.on_failure_queue:
            return source.on_failure_queue, "stream-on-failure"
        if source.kind == "sqs":
            redrive = self.queue(source.source).redrive_to
            if redrive:
                return redrive, "source-redrive"
        return None


def team_tags(team: str, service: str, env: str = "prod") -> dict[str, str]:
    """The tag set every demo function carries (team, service, env)."""
    return {"team": team, "service": service, "env": env}
