"""What exists: functions, their configuration, aliases, failure queues, account limits.

ListFunctions gives most of a function's configuration in pages of 50. Everything else is
one call per function (GetFunction on its own 100 rps quota; ListAliases,
ListFunctionEventInvokeConfigs and ListProvisionedConcurrencyConfigs on the shared 15 rps
pool), so those go through rate limiters and run as a background pass.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from lambdatop.aws.errors import classify
from lambdatop.aws.limiter import RateLimiter
from lambdatop.aws.session import ClientPool


@dataclass(frozen=True, slots=True)
class FunctionConfig:
    """A function as ListFunctions describes it."""

    arn: str
    name: str
    region: str
    runtime: str | None
    architecture: str | None
    memory_mb: int | None
    timeout_s: int | None
    log_group: str
    log_format: str
    tracing_mode: str | None
    last_modified: str | None
    dead_letter_arn: str | None


@dataclass(frozen=True, slots=True)
class AliasConfig:
    name: str
    version: str
    weights: dict[str, float]
    revision_id: str | None


@dataclass(frozen=True, slots=True)
class FunctionDetail:
    """Per-function reads beyond ListFunctions. None = not known (call failed/unsupported)."""

    reserved_concurrency: int | None
    tags: dict[str, str]
    aliases: tuple[AliasConfig, ...] | None
    on_failure_arns: tuple[str, ...] | None
    provisioned_concurrency: int | None
    provisioned_supported: bool
    errors: tuple[str, ...] = ()  # reasons for the parts that failed


@dataclass(frozen=True, slots=True)
class EventSourceMapping:
    uuid: str
    function_arn: str
    source_arn: str
    on_failure_arn: str | None
    state: str | None

    @property
    def is_stream(self) -> bool:
        return ":kinesis:" in self.source_arn or ":dynamodb:" in self.source_arn

    @property
    def is_sqs(self) -> bool:
        return self.source_arn.startswith("arn:aws:sqs:")


@dataclass(frozen=True, slots=True)
class AccountLimits:
    concurrency_limit: int
    unreserved_concurrency_limit: int


@dataclass
class InventoryLimiters:
    """Shared by every reader of one account+Region (the quotas are per account and Region)."""

    shared_pool: RateLimiter = field(default_factory=lambda: RateLimiter(10.0, burst=10))
    get_function: RateLimiter = field(default_factory=lambda: RateLimiter(50.0, burst=50))


def function_config(item: dict[str, Any], region: str) -> FunctionConfig:
    name = item["FunctionName"]
    logging = item.get("LoggingConfig") or {}
    archs = item.get("Architectures") or []
    return FunctionConfig(
        arn=item["FunctionArn"],
        name=name,
        region=region,
        runtime=item.get("Runtime") or item.get("PackageType"),
        architecture=archs[0] if archs else None,
        memory_mb=item.get("MemorySize"),
        timeout_s=item.get("Timeout"),
        # Lambda writes to /aws/lambda/<name> unless LoggingConfig says otherwise.
        log_group=logging.get("LogGroup") or f"/aws/lambda/{name}",
        log_format=logging.get("LogFormat") or "Text",
        tracing_mode=(item.get("TracingConfig") or {}).get("Mode"),
        last_modified=item.get("LastModified"),
        dead_letter_arn=(item.get("DeadLetterConfig") or {}).get("TargetArn") or None,
    )


def _weights(routing: dict[str, Any] | None) -> dict[str, float]:
    raw = (routing or {}).get("AdditionalVersionWeights") or {}
    return {str(version): float(weight) for version, weight in raw.items()}


async def _lambda_pages(
    call: Any, limiter: RateLimiter, page_size: int, **kwargs: Any
) -> AsyncIterator[dict[str, Any]]:
    """Every page of a Lambda List* call (Marker / NextMarker), each through the limiter."""
    marker: str | None = None
    while True:
        page_kwargs: dict[str, Any] = {**kwargs, "MaxItems": page_size}
        if marker:
            page_kwargs["Marker"] = marker
        async with limiter:
            page = await call(**page_kwargs)
        yield page
        marker = page.get("NextMarker")
        if not marker:
            return


class InventoryReader:
    def __init__(self, pool: ClientPool, region: str, limiters: InventoryLimiters) -> None:
        self.pool = pool
        self.region = region
        self.limiters = limiters
        self.provisioned_supported: bool | None = None  # learnt on the first call

    async def account_id(self) -> str:
        sts = await self.pool.client("sts", self.region)
        identity = await sts.get_caller_identity()
        return str(identity["Account"])

    async def account_limits(self) -> AccountLimits:
        lam = await self.pool.client("lambda", self.region)
        async with self.limiters.shared_pool:
            settings = await lam.get_account_settings()
        limit = settings["AccountLimit"]
        return AccountLimits(
            concurrency_limit=int(limit["ConcurrentExecutions"]),
            unreserved_concurrency_limit=int(limit["UnreservedConcurrentExecutions"]),
        )

    async def list_functions(self) -> list[FunctionConfig]:
        lam = await self.pool.client("lambda", self.region)
        functions: list[FunctionConfig] = []
        async for page in _lambda_pages(lam.list_functions, self.limiters.shared_pool, 50):
            functions.extend(function_config(item, self.region) for item in page.get("Functions", []))
        return functions

    async def event_source_mappings(self) -> list[EventSourceMapping]:
        lam = await self.pool.client("lambda", self.region)
        mappings: list[EventSourceMapping] = []
        async for page in _lambda_pages(lam.list_event_source_mappings, self.limiters.shared_pool, 100):
            for item in page.get("EventSourceMappings", []):
                on_failure = ((item.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
                mappings.append(
                    EventSourceMapping(
                        uuid=item["UUID"],
                        function_arn=item.get("FunctionArn", ""),
                        source_arn=item.get("EventSourceArn", ""),
                        on_failure_arn=on_failure or None,
                        state=item.get("State"),
                    )
                )
        return mappings

    async def function_detail(self, name: str) -> FunctionDetail:
        """Reserved concurrency, tags, aliases, async destinations and provisioned concurrency."""
        lam = await self.pool.client("lambda", self.region)
        problems: list[str] = []

        reserved: int | None = None
        tags: dict[str, str] = {}
        try:
            async with self.limiters.get_function:
                got = await lam.get_function(FunctionName=name)
            # AWS returns Concurrency whenever reserved concurrency is set, 0 included.
            concurrency = got.get("Concurrency") or {}
            if "ReservedConcurrentExecutions" in concurrency:
                reserved = int(concurrency["ReservedConcurrentExecutions"])
            tags = {str(k): str(v) for k, v in (got.get("Tags") or {}).items()}
        except Exception as exc:
            problems.append(f"GetFunction: {classify(exc).reason}")
            raise_if_fatal(exc)

        aliases: tuple[AliasConfig, ...] | None = None
        try:
            aliases = tuple(await self._aliases(lam, name))
        except Exception as exc:
            problems.append(f"ListAliases: {classify(exc).reason}")

        on_failure: tuple[str, ...] | None = None
        try:
            on_failure = tuple(await self._on_failure_destinations(lam, name))
        except Exception as exc:
            problems.append(f"ListFunctionEventInvokeConfigs: {classify(exc).reason}")

        provisioned: int | None = None
        if self.provisioned_supported is not False:
            try:
                provisioned = await self._provisioned(lam, name)
                self.provisioned_supported = True
            except Exception as exc:
                failure = classify(exc)
                if failure.unsupported:
                    self.provisioned_supported = False
                else:
                    problems.append(f"ListProvisionedConcurrencyConfigs: {failure.reason}")
        return FunctionDetail(
            reserved_concurrency=reserved,
            tags=tags,
            aliases=aliases,
            on_failure_arns=on_failure,
            provisioned_concurrency=provisioned,
            provisioned_supported=bool(self.provisioned_supported),
            errors=tuple(problems),
        )

    async def _aliases(self, lam: Any, name: str) -> list[AliasConfig]:
        aliases: list[AliasConfig] = []
        async for page in _lambda_pages(lam.list_aliases, self.limiters.shared_pool, 50, FunctionName=name):
            for item in page.get("Aliases", []):
                aliases.append(
                    AliasConfig(
                        name=item["Name"],
                        version=str(item.get("FunctionVersion", "")),
                        weights=_weights(item.get("RoutingConfig")),
                        revision_id=item.get("RevisionId"),
                    )
                )
        return aliases

    async def _on_failure_destinations(self, lam: Any, name: str) -> list[str]:
        arns: list[str] = []
        pages = _lambda_pages(lam.list_function_event_invoke_configs, self.limiters.shared_pool, 50, FunctionName=name)
        async for page in pages:
            for item in page.get("FunctionEventInvokeConfigs", []):
                target = ((item.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
                if target and target not in arns:
                    arns.append(target)
        return arns

    async def _provisioned(self, lam: Any, name: str) -> int | None:
        total = 0
        pages = _lambda_pages(
            lam.list_provisioned_concurrency_configs, self.limiters.shared_pool, 50, FunctionName=name
        )
        async for page in pages:
            for item in page.get("ProvisionedConcurrencyConfigs", []):
                total += int(item.get("AllocatedProvisionedConcurrentExecutions") or 0)
        # The API answered: no config at all is a real 0, not unknown.
        return total

    async def redrive_target(self, queue_arn: str) -> str | None:
        """The DLQ an SQS source queue redrives to, from its RedrivePolicy."""
        sqs = await self.pool.client("sqs", self.region)
        _, _, _, _, account, name = queue_arn.split(":", 5)
        url = (await sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account))["QueueUrl"]
        attrs = await sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
        policy = (attrs.get("Attributes") or {}).get("RedrivePolicy")
        if not policy:
            return None
        target = json.loads(policy).get("deadLetterTargetArn")
        return str(target) if target else None


def raise_if_fatal(exc: Exception) -> None:
    """Throttling, denial and outages abort the pass; the caller marks the source stale."""
    kind = classify(exc).kind
    if kind in {"throttled", "denied", "credentials", "unreachable", "timeout"}:
        raise exc
