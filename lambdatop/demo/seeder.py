"""Create the simulated account through AWS APIs, then backfill its last hour.

Only boto3 calls against the demo endpoint: IAM role, SQS queues (one with a redrive policy),
a Kinesis stream, functions with varied configuration, published versions and aliases (one
weighted canary), event-source mappings, an event-invoke config, reserved concurrency and log
groups. The backfill is one `Emitter.emit` over the hour before the start minute.

For the live demo the backfill can come in two parts, so that a newcomer's first screen is up
within a few seconds: first every queue message of the hour (queues keep their order) and the
metrics and log events of the minutes the first screen reads (`first_screen_minutes`); then,
behind the screen, the older minutes' metrics and log events and every trace, which the fleet
screen does not read (`finish_backfill`). Both parts together write exactly what the one-part
backfill writes.
"""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lambdatop.clock import Clock, SystemClock
from lambdatop.demo.bench_fleet import build_bench_fleet
from lambdatop.demo.clients import make_clients
from lambdatop.demo.configuration import initial_state
from lambdatop.demo.emitter import EmitStats, Emitter
from lambdatop.demo.fleet import Fleet, FunctionSpec
from lambdatop.demo.scenarios import build_demo_fleet
from lambdatop.demo.traffic import DEFAULT_ORIGIN_MINUTE

_TRUST_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
_HANDLER_FILES = {
    "python": ("app.py", "def handler(event, context):\n    return {{'ok': True, 'build': {build!r}}}\n"),
    "nodejs": ("index.mjs", "export const handler = async () => ({{ ok: true, build: '{build}' }});\n"),
    "java": ("Handler.java", "// build {build}\npublic class Handler {{}}\n"),
    "provided": ("bootstrap", "#!/bin/sh\n# build {build}\n"),
    "ruby": ("app.rb", "def handler(event:, context:) = {{ ok: true, build: '{build}' }}\n"),
    "dotnet": ("Function.cs", "// build {build}\n"),
}

# Seeded accounts of this process, so a Simulator built from an endpoint finds its watermark.
_ACCOUNTS: dict[tuple[str, str, str], SeededAccount] = {}
_ACCOUNTS_LOCK = threading.Lock()
_KEPT_ACCOUNTS = 8
# The benchmarks measure reading, not writing: a quarter of an hour covers every window they use.
BENCH_BACKFILL_MINUTES = 15


@dataclass
class SeededAccount:
    """The seeded demo account: what was created, and the writer that continues it."""

    endpoint_url: str
    region: str
    seed: int | str
    fleet: Fleet
    account_id: str
    emitter: Emitter
    function_arns: Mapping[str, str]
    queue_urls: Mapping[str, str]
    queue_arns: Mapping[str, str]
    stream_arns: Mapping[str, str]
    seconds_to_seed: float = 0.0
    seconds_to_backfill: float = 0.0
    backfill_stats: EmitStats | None = None
    notes: list[str] = field(default_factory=list)
    seconds_to_finish_backfill: float = 0.0

    @property
    def zero_at(self) -> datetime:
        """Start of minute index 0 (the simulation's start minute)."""
        return self.emitter.zero_at

    @property
    def backfill_pending(self) -> bool:
        """A two-part backfill's second part is still to write (`finish_backfill`)."""
        return self.emitter.deferred is not None


def find_account(endpoint_url: str, region: str, seed: int | str) -> SeededAccount | None:
    with _ACCOUNTS_LOCK:
        return _ACCOUNTS.get((endpoint_url, region, str(seed)))


def attach_emitter(clients: Mapping[str, Any], fleet: Fleet, seed: int | str, region: str, now: datetime) -> Emitter:
    """An emitter for an account seeded elsewhere: it starts at `now`, discovering queues."""
    zero = now.replace(second=0, microsecond=0)
    account_id = clients["sts"].get_caller_identity()["Account"]
    queue_urls: dict[str, str] = {}
    for queue in fleet.queues:
        try:
            queue_urls[queue.name] = clients["sqs"].get_queue_url(QueueName=queue.name)["QueueUrl"]
        except Exception:  # not seeded: that queue simply gets no messages
            continue
    return Emitter(
        clients=clients,
        fleet=fleet,
        seed=seed,
        region=region,
        zero_at=zero,
        watermark=now,
        origin_minute=0,
        function_arns={s.name: _function_arn(region, account_id, s.name) for s in fleet.functions},
        queue_urls=queue_urls,
        source_arns={s.name: f"arn:aws:kinesis:{region}:{account_id}:stream/{s.name}" for s in fleet.streams},
    )


def seed_account(
    endpoint_url: str,
    credentials: tuple[str, str],
    region: str,
    seed: int | str,
    *,
    fleet: Fleet | None = None,
    clock: Clock | None = None,
    backfill_minutes: int = -DEFAULT_ORIGIN_MINUTE,
    first_screen_minutes: int | None = None,
) -> SeededAccount:
    """Create every resource of `fleet` (the demo fleet by default), then backfill.

    With `first_screen_minutes` shorter than the backfill, the metrics and log events older than
    that many minutes, and the traces, are left for `finish_backfill` (see the module's docstring).
    """
    started = time.perf_counter()
    fleet = fleet or build_demo_fleet()
    clock = clock or SystemClock()
    services = ["lambda", "logs", "cloudwatch", "sqs", "iam", "xray"] + (["kinesis"] if fleet.streams else [])
    clients = make_clients(endpoint_url, credentials, region, services)
    notes: list[str] = []
    role_arn = _create_role(clients["iam"], fleet.role_name)
    account_id = role_arn.split(":")[4]  # arn:aws:iam::<account>:role/<name>
    queue_urls, queue_arns = _create_queues(clients["sqs"], fleet, region, account_id)
    stream_arns = _create_streams(clients.get("kinesis"), fleet, region, account_id)
    function_arns: dict[str, str] = {}
    for spec in fleet.functions:
        function_arns[spec.name] = _create_function(clients["lambda"], spec, role_arn, queue_arns, notes)
        _configure_function(clients, spec, fleet, queue_arns, stream_arns, notes)
    now = clock.now()
    zero = now.replace(second=0, microsecond=0)
    emitter = Emitter(
        clients=clients,
        fleet=fleet,
        seed=seed,
        region=region,
        zero_at=zero,
        watermark=zero - timedelta(minutes=backfill_minutes),
        origin_minute=-backfill_minutes,
        function_arns=function_arns,
        queue_urls=queue_urls,
        source_arns=stream_arns,
        read_queue_depths=False,
    )
    account = SeededAccount(
        endpoint_url=endpoint_url,
        region=region,
        seed=seed,
        fleet=fleet,
        account_id=account_id,
        emitter=emitter,
        function_arns=function_arns,
        queue_urls=queue_urls,
        queue_arns=queue_arns,
        stream_arns=stream_arns,
        notes=notes,
    )
    account.seconds_to_seed = time.perf_counter() - started
    defer_until = None
    if first_screen_minutes is not None and first_screen_minutes < backfill_minutes:
        defer_until = zero - timedelta(minutes=max(first_screen_minutes, 1))
    backfill(account, defer_until=defer_until)
    with _ACCOUNTS_LOCK:
        _ACCOUNTS[(endpoint_url, region, str(seed))] = account
        while len(_ACCOUNTS) > _KEPT_ACCOUNTS:  # servers come and go in tests
            del _ACCOUNTS[next(iter(_ACCOUNTS))]
    return account


def seed_bench_account(
    endpoint_url: str,
    credentials: tuple[str, str],
    region: str,
    n_functions: int,
    seed: int,
) -> SeededAccount:
    """A plain account of `n_functions` (see `build_bench_fleet`) with a 15-minute backfill."""
    fleet = build_bench_fleet(n_functions, seed)
    return seed_account(endpoint_url, credentials, region, seed, fleet=fleet, backfill_minutes=BENCH_BACKFILL_MINUTES)


def backfill(account: SeededAccount, *, defer_until: datetime | None = None) -> EmitStats:
    """Write the minutes from the emitter's origin up to the start minute (index 0).

    With `defer_until`, the metrics and log events up to that instant, and every trace, wait
    for `finish_backfill`; every queue message is sent now.
    """
    started = time.perf_counter()
    emitter = account.emitter
    stats = emitter.emit(emitter.zero_at, initial_state(account.fleet), defer_until=defer_until)
    # From now on the server's queue depth is the truth (an operator may purge a queue).
    emitter.read_queue_depths = True
    account.seconds_to_backfill = time.perf_counter() - started
    account.backfill_stats = stats
    return stats


def finish_backfill(account: SeededAccount) -> EmitStats | None:
    """Write what a two-part backfill left for later (see the module's docstring); None if
    nothing was. Call it before the live simulator starts: both write through the emitter."""
    started = time.perf_counter()
    rest = account.emitter.emit_deferred(initial_state(account.fleet))
    if rest is None:
        return None
    account.seconds_to_finish_backfill = time.perf_counter() - started
    first = account.backfill_stats
    if first is not None:
        account.backfill_stats = EmitStats(
            since=rest.since,
            until=first.until,
            metric_datums=first.metric_datums + rest.metric_datums,
            log_events=first.log_events + rest.log_events,
            log_calls=first.log_calls + rest.log_calls,
            messages=first.messages,
            trace_segments=first.trace_segments + rest.trace_segments,
        )
    return rest


# ---------------------------------------------------------------------------------------------
# Resources


def _function_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{account_id}:function:{name}"


def _create_role(iam: Any, name: str) -> str:
    try:
        return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=_TRUST_POLICY)["Role"]["Arn"])
    except iam.exceptions.EntityAlreadyExistsException:
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])


def _create_queues(sqs: Any, fleet: Fleet, region: str, account_id: str) -> tuple[dict[str, str], dict[str, str]]:
    urls: dict[str, str] = {}
    arns = {q.name: f"arn:aws:sqs:{region}:{account_id}:{q.name}" for q in fleet.queues}
    # Redrive targets first: a RedrivePolicy must name an existing queue.
    for queue in sorted(fleet.queues, key=lambda q: q.redrive_to is not None):
        attributes = {"MessageRetentionPeriod": "1209600"}
        if queue.redrive_to:
            attributes["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": arns[queue.redrive_to], "maxReceiveCount": queue.max_receive_count}
            )
        urls[queue.name] = sqs.create_queue(QueueName=queue.name, Attributes=attributes)["QueueUrl"]
    return urls, arns


def _create_streams(kinesis: Any, fleet: Fleet, region: str, account_id: str) -> dict[str, str]:
    arns: dict[str, str] = {}
    if not fleet.streams:
        return arns
    for stream in fleet.streams:
        kinesis.create_stream(StreamName=stream.name, ShardCount=stream.shards)
        arns[stream.name] = f"arn:aws:kinesis:{region}:{account_id}:stream/{stream.name}"
    return arns


def _code(spec: FunctionSpec, build: int) -> bytes:
    """A small zip per function; `build` changes the bytes so each version publishes anew."""
    family = next((k for k in _HANDLER_FILES if spec.runtime.startswith(k)), "provided")
    filename, template = _HANDLER_FILES[family]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo(filename, date_time=(2026, 1, 1, 0, 0, 0))
        archive.writestr(info, template.format(build=f"{spec.name}-{build}"))
    return buffer.getvalue()


def _create_function(
    lam: Any, spec: FunctionSpec, role_arn: str, queue_arns: Mapping[str, str], notes: list[str]
) -> str:
    logging_config: dict[str, str] = {"LogFormat": spec.log_format, "LogGroup": spec.log_group}
    if spec.log_format == "JSON":
        logging_config.update(ApplicationLogLevel="INFO", SystemLogLevel="INFO")
    kwargs: dict[str, Any] = {
        "FunctionName": spec.name,
        "Runtime": spec.runtime,
        "Role": role_arn,
        "Handler": spec.handler,
        "Code": {"ZipFile": _code(spec, 1)},
        "Description": spec.description,
        "Timeout": spec.timeout_s,
        "MemorySize": spec.memory_mb,
        "Architectures": [spec.architecture],
        "TracingConfig": {"Mode": "Active" if spec.tracing_active else "PassThrough"},
        "LoggingConfig": logging_config,
        "Tags": dict(spec.tags),
    }
    if spec.dead_letter_queue:
        kwargs["DeadLetterConfig"] = {"TargetArn": queue_arns[spec.dead_letter_queue]}
    return str(lam.create_function(**kwargs)["FunctionArn"])


def _configure_function(
    clients: Mapping[str, Any],
    spec: FunctionSpec,
    fleet: Fleet,
    queue_arns: Mapping[str, str],
    stream_arns: Mapping[str, str],
    notes: list[str],
) -> None:
    lam = clients["lambda"]
    if spec.alias is not None:
        for build in range(1, spec.alias.versions + 1):
            if build > 1:
                lam.update_function_code(FunctionName=spec.name, ZipFile=_code(spec, build))
            lam.publish_version(FunctionName=spec.name, Description=f"build {build}")
        alias_kwargs: dict[str, Any] = {
            "FunctionName": spec.name,
            "Name": spec.alias.name,
            "FunctionVersion": spec.alias.version,
        }
        if spec.alias.weights:
            alias_kwargs["RoutingConfig"] = {"AdditionalVersionWeights": dict(spec.alias.weights)}
        lam.create_alias(**alias_kwargs)
        if spec.alias.provisioned_concurrency:
            try:
                lam.put_provisioned_concurrency_config(
                    FunctionName=spec.name,
                    Qualifier=spec.alias.name,
                    ProvisionedConcurrentExecutions=spec.alias.provisioned_concurrency,
                )
            except Exception as error:  # plain moto has no provisioned concurrency (404)
                code = getattr(error, "response", {}).get("Error", {}).get("Code", type(error).__name__)
                notes.append(f"{spec.name}: provisioned concurrency refused by the endpoint ({code})")
    if spec.reserved_concurrency is not None:
        lam.put_function_concurrency(FunctionName=spec.name, ReservedConcurrentExecutions=spec.reserved_concurrency)
    source = spec.event_source
    if source is not None:
        mapping: dict[str, Any] = {
            "FunctionName": spec.name,
            "BatchSize": source.batch_size,
            "Enabled": True,
        }
        if source.kind == "sqs":
            mapping["EventSourceArn"] = queue_arns[source.source]
        else:
            mapping.update(
                EventSourceArn=stream_arns[source.source],
                StartingPosition="TRIM_HORIZON",
                MaximumRetryAttempts=2,
                BisectBatchOnFunctionError=True,
            )
            if source.on_failure_queue:
                mapping["DestinationConfig"] = {"OnFailure": {"Destination": queue_arns[source.on_failure_queue]}}
        lam.create_event_source_mapping(**mapping)
    if spec.on_failure_queue:
        lam.put_function_event_invoke_config(
            FunctionName=spec.name,
            MaximumRetryAttempts=2,
            MaximumEventAgeInSeconds=3600,
            DestinationConfig={"OnFailure": {"Destination": queue_arns[spec.on_failure_queue]}},
        )
    clients["logs"].create_log_group(logGroupName=spec.log_group)
