"""The simulated account behind `lambdatop --demo`: which functions exist and how they behave.

Everything here is plain data. The seeder turns it into AWS resources, the traffic model turns
it into per-minute invocations. Each scenario a newcomer should meet within a minute has one
function built for it (see `FunctionSpec.scenario`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

LogFormat = Literal["Text", "JSON"]
FailureKind = Literal["dead-letter", "on-failure", "source-redrive", "stream-on-failure"]

# Tag values that must reach the screen as text, never as markup or terminal control.
RICH_MARKUP_TAG = "[bold red]payments[/]"
ANSI_ESCAPE_TAG = "\x1b[1;31mintegrations\x1b[0m"


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


def _tags(team: str, service: str, env: str = "prod") -> dict[str, str]:
    return {"team": team, "service": service, "env": env}


def build_demo_fleet() -> Fleet:
    """The two dozen functions of `lambdatop --demo`, one per scenario plus quiet neighbours."""
    functions = (
        FunctionSpec(
            name="video-transcoder",
            runtime="python3.12",
            handler="app.handler",
            memory_mb=3008,
            timeout_s=120,
            description="Transcodes uploads; capped so it cannot starve the account",
            tags=_tags("media", "transcoding"),
            reserved_concurrency=20,
            scenario="throttling against its reserved cap",
            traffic=TrafficSpec(
                rate_per_min=36,
                concurrency=(25.0, 34.0),
                duration_p50_ms=42_000,
                duration_p99_ms=70_000,
                error_rate=0.01,
                cold_start_ratio=0.01,
                init_ms=(600, 1400),
                memory_used_fraction=(0.4, 0.8),
                error_messages=("ffmpeg exited with status 1: moov atom not found",),
                info_messages=("transcoded 1080p rendition",),
            ),
        ),
        FunctionSpec(
            name="checkout-api",
            runtime="nodejs22.x",
            handler="index.handler",
            architecture="arm64",
            memory_mb=1024,
            timeout_s=10,
            description="Checkout API behind alias live (canary: version 2)",
            tags=_tags(RICH_MARKUP_TAG, "checkout"),
            log_format="JSON",
            tracing_active=True,
            alias=AliasSpec(name="live", version="1", weights={"2": 0.1}, versions=2),
            scenario="canary version with high errors behind a weighted alias",
            traffic=TrafficSpec(
                rate_per_min=24,
                concurrency=(3.0, 7.0),
                duration_p50_ms=120,
                duration_p99_ms=650,
                version_error_rates={"1": 0.004, "2": 0.30},
                cold_start_ratio=0.006,
                init_ms=(180, 420),
                error_messages=(
                    "TypeError: Cannot read properties of undefined (reading 'currency')",
                    "PaymentDeclinedError: card_declined",
                ),
                info_messages=("order placed",),
            ),
        ),
        FunctionSpec(
            name="pricing-engine",
            runtime="java21",
            handler="com.example.pricing.Handler::handleRequest",
            memory_mb=2048,
            timeout_s=30,
            description="Quotes prices; Spring context makes cold starts slow",
            tags=_tags("pricing", "pricing-engine"),
            tracing_active=True,
            scenario="Java function with multi-second cold starts",
            traffic=TrafficSpec(
                rate_per_min=12,
                concurrency=(2.0, 5.0),
                duration_p50_ms=240,
                duration_p99_ms=1_100,
                error_rate=0.004,
                cold_start_ratio=0.06,
                init_ms=(3_000, 6_500),
                cold_duration_factor=2.5,
                memory_used_fraction=(0.3, 0.6),
                error_messages=("java.lang.IllegalStateException: price list not loaded",),
                info_messages=("quote computed",),
            ),
        ),
        FunctionSpec(
            name="order-events-consumer",
            runtime="python3.13",
            handler="consumer.handler",
            architecture="arm64",
            memory_mb=512,
            timeout_s=30,
            description="Consumes order-events; poison messages land in order-events-dlq",
            tags=_tags("orders", "order-events"),
            reserved_concurrency=25,
            event_source=EventSourceSpec(kind="sqs", source="order-events", batch_size=10),
            scenario="SQS consumer whose DLQ keeps growing",
            traffic=TrafficSpec(
                rate_per_min=20,
                concurrency=(3.0, 8.0),
                duration_p50_ms=300,
                duration_p99_ms=1_800,
                error_rate=0.2,
                failure_message_ratio=0.4,
                error_messages=("KeyError: 'customer_id'", "ValidationError: quantity < 1"),
                info_messages=("processed batch of 10 messages",),
            ),
        ),
        FunctionSpec(
            name="clickstream-processor",
            runtime="nodejs22.x",
            handler="index.handler",
            memory_mb=256,
            timeout_s=60,
            description="Kinesis consumer for the clickstream",
            tags=_tags("analytics", "clickstream"),
            log_format="JSON",
            event_source=EventSourceSpec(
                kind="kinesis",
                source="clickstream",
                batch_size=100,
                on_failure_queue="clickstream-failed-batches",
            ),
            scenario="stream consumer falling behind (IteratorAge grows)",
            traffic=TrafficSpec(
                rate_per_min=12,
                concurrency=(4.0, 4.0),
                duration_p50_ms=2_400,
                duration_p99_ms=5_500,
                error_rate=0.03,
                failure_message_ratio=0.3,
                iterator_age=IteratorAgeSpec(start_ms=45_000, growth_ms_per_min=38_000),
                error_messages=("DynamoDB ProvisionedThroughputExceededException",),
                info_messages=("batch of 100 records written",),
            ),
        ),
        FunctionSpec(
            name="analytics-fanout",
            runtime="nodejs22.x",
            handler="index.handler",
            memory_mb=3008,
            timeout_s=300,
            description="Fans every event out to six analytics vendors; no reserved cap",
            tags=_tags("growth", "analytics-fanout"),
            log_format="JSON",
            scenario="noisy neighbour eating account concurrency",
            traffic=TrafficSpec(
                rate_per_min=70,
                concurrency=(340.0, 560.0),
                duration_p50_ms=45_000,
                duration_p99_ms=58_000,
                error_rate=0.01,
                cold_start_ratio=0.002,
                init_ms=(250, 600),
                info_line_ratio=0.0,
                error_messages=("vendor timeout after 30000 ms",),
                warm_envs=2,
            ),
        ),
        FunctionSpec(
            name="email-sender",
            runtime="python3.12",
            handler="mailer.handler",
            architecture="arm64",
            memory_mb=256,
            timeout_s=15,
            description="Sends transactional mail (async); failed events go to its DLQ",
            tags=_tags("notifications", "email"),
            dead_letter_queue="email-sender-dlq",
            scenario="async function with a dead-letter queue",
            traffic=TrafficSpec(
                rate_per_min=8,
                concurrency=(1.0, 3.0),
                duration_p50_ms=600,
                duration_p99_ms=2_500,
                error_rate=0.05,
                failure_message_ratio=0.35,
                error_messages=("SMTPServerDisconnected: Connection unexpectedly closed",),
                info_messages=("mail queued for delivery",),
            ),
        ),
        FunctionSpec(
            name="webhook-dispatcher",
            runtime="ruby3.3",
            handler="dispatcher.handler",
            memory_mb=512,
            timeout_s=20,
            description="Delivers partner webhooks (async); on-failure destination",
            tags=_tags("integrations", "webhooks"),
            on_failure_queue="webhook-dispatcher-failures",
            scenario="async function with an on-failure destination",
            traffic=TrafficSpec(
                rate_per_min=10,
                concurrency=(1.0, 4.0),
                duration_p50_ms=350,
                duration_p99_ms=4_000,
                error_rate=0.06,
                failure_message_ratio=0.35,
                error_messages=("Net::ReadTimeout with #<TCPSocket:(closed)>",),
                info_messages=("webhook delivered",),
            ),
        ),
        FunctionSpec(
            name="legacy-sync",
            runtime="dotnet8",
            handler="LegacySync::LegacySync.Function::Handler",
            memory_mb=1024,
            timeout_s=120,
            description="Nightly ERP sync; stopped during the incident",
            tags=_tags("erp", "legacy-sync"),
            reserved_concurrency=0,
            scenario="emergency-stopped (reserved concurrency 0: every request throttles)",
            traffic=TrafficSpec(
                rate_per_min=6,
                concurrency=(1.0, 3.0),
                duration_p50_ms=4_000,
                duration_p99_ms=20_000,
                error_rate=0.1,
                error_messages=("System.TimeoutException: ERP did not answer",),
            ),
        ),
        FunctionSpec(
            name="partner-feed-poller",
            runtime="python3.12",
            handler="poller.handler",
            memory_mb=256,
            timeout_s=6,
            description="Polls partner feeds; upstream is slow and sometimes hostile",
            tags={"team": ANSI_ESCAPE_TAG, "service": "partner-feed", "env": "prod"},
            scenario="timeouts and a hostile error line (sanitiser)",
            traffic=TrafficSpec(
                rate_per_min=6,
                concurrency=(1.0, 3.0),
                duration_p50_ms=1_800,
                duration_p99_ms=5_000,
                error_rate=0.05,
                timeout_rate=0.08,
                hostile_every_n_minutes=5,
                error_messages=("requests.exceptions.ConnectionError: feed.partner.example",),
                info_messages=("feed polled: 42 new items",),
            ),
        ),
        FunctionSpec(
            name="search-api",
            runtime="provided.al2023",
            handler="bootstrap",
            architecture="arm64",
            memory_mb=512,
            timeout_s=5,
            description="Search API behind alias prod with provisioned concurrency",
            tags=_tags("discovery", "search"),
            log_format="JSON",
            tracing_active=True,
            alias=AliasSpec(name="prod", version="1", provisioned_concurrency=10),
            traffic=TrafficSpec(
                rate_per_min=15,
                concurrency=(6.0, 14.0),
                duration_p50_ms=35,
                duration_p99_ms=180,
                error_rate=0.002,
                cold_start_ratio=0.02,
                init_ms=(60, 140),
            ),
        ),
        FunctionSpec(
            name="user-profile-api",
            runtime="python3.13",
            handler="profile.handler",
            architecture="arm64",
            memory_mb=512,
            timeout_s=10,
            tags=_tags("identity", "user-profile"),
            tracing_active=True,
            traffic=TrafficSpec(rate_per_min=6, duration_p50_ms=60, duration_p99_ms=240),
        ),
        FunctionSpec(
            name="auth-token-validator",
            runtime="provided.al2023",
            handler="bootstrap",
            architecture="arm64",
            memory_mb=128,
            timeout_s=3,
            tags=_tags("identity", "auth"),
            traffic=TrafficSpec(
                rate_per_min=15,
                concurrency=(1.0, 3.0),
                duration_p50_ms=4,
                duration_p99_ms=18,
                cold_start_ratio=0.002,
                init_ms=(40, 90),
                info_line_ratio=0.0,
            ),
        ),
        FunctionSpec(
            name="cart-api",
            runtime="nodejs22.x",
            handler="index.handler",
            architecture="arm64",
            memory_mb=768,
            timeout_s=10,
            tags=_tags("checkout", "cart"),
            log_format="JSON",
            traffic=TrafficSpec(rate_per_min=6, duration_p50_ms=55, duration_p99_ms=300, error_rate=0.002),
        ),
        FunctionSpec(
            name="notifications-api",
            runtime="ruby3.3",
            handler="app.handler",
            architecture="arm64",
            memory_mb=256,
            timeout_s=10,
            tags=_tags("notifications", "notifications-api"),
            traffic=TrafficSpec(rate_per_min=4, duration_p50_ms=90, duration_p99_ms=400),
        ),
        FunctionSpec(
            name="invoice-pdf",
            runtime="dotnet8",
            handler="InvoicePdf::InvoicePdf.Function::Handler",
            memory_mb=2048,
            timeout_s=60,
            tags=_tags("billing", "invoices"),
            traffic=TrafficSpec(
                rate_per_min=2,
                duration_p50_ms=1_900,
                duration_p99_ms=6_000,
                cold_start_ratio=0.03,
                init_ms=(700, 1_500),
            ),
        ),
        FunctionSpec(
            name="inventory-sync",
            runtime="java21",
            handler="com.example.inventory.Sync::handleRequest",
            architecture="arm64",
            memory_mb=1024,
            timeout_s=60,
            tags=_tags("supply", "inventory"),
            traffic=TrafficSpec(
                rate_per_min=2,
                duration_p50_ms=800,
                duration_p99_ms=3_000,
                cold_start_ratio=0.04,
                init_ms=(2_000, 3_200),
                cold_duration_factor=2.0,
            ),
        ),
        FunctionSpec(
            name="geo-lookup",
            runtime="python3.12",
            handler="geo.handler",
            architecture="arm64",
            memory_mb=128,
            timeout_s=3,
            tags=_tags("discovery", "geo"),
            traffic=TrafficSpec(rate_per_min=4, duration_p50_ms=12, duration_p99_ms=60),
        ),
        FunctionSpec(
            name="feature-flags",
            runtime="nodejs22.x",
            handler="index.handler",
            architecture="arm64",
            memory_mb=128,
            timeout_s=3,
            tags=_tags("platform", "feature-flags"),
            log_format="JSON",
            traffic=TrafficSpec(rate_per_min=8, duration_p50_ms=8, duration_p99_ms=40, info_line_ratio=0.0),
        ),
        FunctionSpec(
            name="audit-log-writer",
            runtime="python3.13",
            handler="audit.handler",
            memory_mb=256,
            timeout_s=30,
            tags=_tags("security", "audit", "prod"),
            reserved_concurrency=50,
            traffic=TrafficSpec(rate_per_min=5, duration_p50_ms=70, duration_p99_ms=350),
        ),
        FunctionSpec(
            name="thumbnail-generator",
            runtime="python3.12",
            handler="thumbs.handler",
            architecture="arm64",
            memory_mb=1024,
            timeout_s=30,
            tags=_tags("media", "thumbnails"),
            traffic=TrafficSpec(rate_per_min=5, duration_p50_ms=700, duration_p99_ms=2_500, error_rate=0.01),
        ),
        FunctionSpec(
            name="session-cleaner",
            runtime="python3.12",
            handler="cleaner.handler",
            memory_mb=256,
            timeout_s=300,
            description="Runs every five minutes",
            tags=_tags("identity", "sessions"),
            traffic=TrafficSpec(rate_per_min=1.0, every_n_minutes=5, duration_p50_ms=2_500, duration_p99_ms=9_000),
        ),
        FunctionSpec(
            name="currency-rates",
            runtime="python3.13",
            handler="rates.handler",
            architecture="arm64",
            memory_mb=128,
            timeout_s=10,
            tags=_tags("pricing", "fx"),
            traffic=TrafficSpec(rate_per_min=0.1, duration_p50_ms=300, duration_p99_ms=900),
        ),
        FunctionSpec(
            name="nightly-archive",
            runtime="python3.12",
            handler="archive.handler",
            memory_mb=1024,
            timeout_s=900,
            description="Runs at 02:00; no traffic in the last hour",
            tags=_tags("data", "archive"),
            scenario="zero traffic",
            traffic=TrafficSpec(rate_per_min=0.0),
        ),
    )
    queues = (
        QueueSpec("order-events-dlq"),
        QueueSpec("order-events", redrive_to="order-events-dlq", max_receive_count=3),
        QueueSpec("email-sender-dlq"),
        QueueSpec("webhook-dispatcher-failures"),
        QueueSpec("clickstream-failed-batches"),
    )
    streams = (StreamSpec("clickstream", shards=4),)
    return Fleet(functions=functions, queues=queues, streams=streams)


_BENCH_RUNTIMES: tuple[tuple[str, str], ...] = (
    ("python3.12", "app.handler"),
    ("python3.13", "app.handler"),
    ("nodejs22.x", "index.handler"),
    ("java21", "com.example.Handler::handleRequest"),
    ("provided.al2023", "bootstrap"),
    ("ruby3.3", "app.handler"),
    ("dotnet8", "Bench::Bench.Function::Handler"),
)


def build_bench_fleet(n_functions: int, seed: int) -> Fleet:
    """A plain fleet of `n_functions` with light traffic, for benchmarks at scale.

    About a third of the functions take traffic (under one request a minute on average);
    the rest are idle, as in most real accounts. A handful are capped, one throttles.
    """
    rng = random.Random(f"{seed}:bench:{n_functions}")
    functions: list[FunctionSpec] = []
    width = len(str(max(n_functions - 1, 1)))
    for index in range(n_functions):
        runtime, handler = _BENCH_RUNTIMES[rng.randrange(len(_BENCH_RUNTIMES))]
        active = rng.random() < 0.35
        p50 = round(rng.uniform(5, 800), 1)
        reserved = None
        if index % 97 == 13:
            reserved = 2
        elif index % 53 == 7:
            reserved = rng.choice((5, 10, 50))
        functions.append(
            FunctionSpec(
                name=f"bench-fn-{index:0{width}d}",
                runtime=runtime,
                handler=handler,
                architecture="arm64" if rng.random() < 0.4 else "x86_64",
                memory_mb=rng.choice((128, 256, 512, 1024, 2048)),
                timeout_s=rng.choice((3, 10, 30, 60)),
                tags={"team": f"team-{index % 17}", "service": f"svc-{index % 61}", "env": "bench"},
                reserved_concurrency=reserved,
                traffic=TrafficSpec(
                    rate_per_min=round(rng.uniform(0.2, 2.0), 2) if active else 0.0,
                    concurrency=(1.0, 4.0 if reserved == 2 else 2.0),
                    duration_p50_ms=p50,
                    duration_p99_ms=p50 * rng.uniform(2.0, 5.0),
                    error_rate=rng.choice((0.0, 0.0, 0.0, 0.01, 0.05)),
                    cold_start_ratio=0.03,
                    info_line_ratio=0.0,
                    init_ms=(2_000, 4_000) if runtime == "java21" else (100, 500),
                ),
            )
        )
    return Fleet(functions=tuple(functions))
