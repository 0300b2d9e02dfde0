"""What exists: functions, their configuration, aliases, failure queues, account limits.

ListFunctions gives most of a function's configuration in pages of 50. Everything else is
one call per function (GetFunction on its own 100 rps quota; ListAliases,
ListFunctionEventInvokeConfigs and ListProvisionedConcurrencyConfigs on the shared 15 rps
pool), so every Lambda call goes through the account+Region's ControlPlaneBudget and the
collector decides which of them are worth making (see collector/details_plan.py).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from lambdatop.aws.budget import ControlPlaneBudget
from lambdatop.aws.errors import classify
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
    revision_id: str | None = None

    @property
    def revision(self) -> str | None:
        """What changes whenever the function's configuration or code does."""
        return self.revision_id or self.last_modified


@dataclass(frozen=True, slots=True)
class AliasConfig:
    name: str
    version: str
    weights: dict[str, float]
    revision_id: str | None


@dataclass(frozen=True, slots=True)
class FunctionBasics:
    """What GetFunction adds to ListFunctions: reserved concurrency and tags."""

    reserved_concurrency: int | None  # None: not set (uncapped); 0: stopped
    tags: dict[str, str]
    revision: str | None


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
        revision_id=item.get("RevisionId"),
    )


def _weights(routing: dict[str, Any] | None) -> dict[str, float]:
    raw = (routing or {}).get("AdditionalVersionWeights") or {}
    return {str(version): float(weight) for version, weight in raw.items()}


async def _lambda_pages(
    call: Any, gate: Callable[[], AbstractAsyncContextManager[None]], page_size: int, **kwargs: Any
) -> AsyncIterator[dict[str, Any]]:
    """Every page of a Lambda List* call (Marker / NextMarker), each through the budget."""
    marker: str | None = None
    while True:
        page_kwargs: dict[str, Any] = {**kwargs, "MaxItems": page_size}
        if marker:
            page_kwargs["Marker"] = marker
        async with gate():
            page = await call(**page_kwargs)
        yield page
        marker = page.get("NextMarker")
        if not marker:
            return


class InventoryReader:
    def __init__(self, pool: ClientPool, region: str, budget: ControlPlaneBudget) -> None:
        self.pool = pool
        self.region = region
        self.budget = budget
        self.provisioned_supported: bool | None = None  # learnt on the first call

    async def account_id(self) -> str:
        sts = await self.pool.client("sts", self.region)
        identity = await sts.get_caller_identity()
        return str(identity["Account"])

    async def account_limits(self) -> AccountLimits:
        lam = await self.pool.client("lambda", self.region)
        async with self.budget.listing():  # one call the first screen needs: the fast lane
            settings = await lam.get_account_settings()
        limit = settings["AccountLimit"]
        return AccountLimits(
            concurrency_limit=int(limit["ConcurrentExecutions"]),
            unreserved_concurrency_limit=int(limit["UnreservedConcurrentExecutions"]),
        )

    async def list_functions(
        self, on_page: Callable[[list[FunctionConfig]], None] | None = None
    ) -> list[FunctionConfig]:
        """Every function; `on_page` sees each page as it arrives (first rows on screen early)."""
        lam = await self.pool.client("lambda", self.region)
        functions: list[FunctionConfig] = []
        async for page in _lambda_pages(lam.list_functions, self.budget.listing, 50):
            configs = [function_config(item, self.region) for item in page.get("Functions", [])]
            functions.extend(configs)
            if on_page is not None:
                on_page(configs)
        return functions

    async def event_source_mappings(self) -> list[EventSourceMapping]:
        lam = await self.pool.client("lambda", self.region)
        mappings: list[EventSourceMapping] = []
        async for page in _lambda_pages(lam.list_event_source_mappings, self.budget.listing, 100):
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

    async def basics(self, name: str, priority: int = 1) -> FunctionBasics:
        """GetFunction (its own pool): reserved concurrency and tags."""
        lam = await self.pool.client("lambda", self.region)
        async with self.budget.get_function(priority):
            got = await lam.get_function(FunctionName=name)
        # AWS returns Concurrency whenever reserved concurrency is set, 0 included.
        concurrency = got.get("Concurrency") or {}
        reserved = None
        if "ReservedConcurrentExecutions" in concurrency:
            reserved = int(concurrency["ReservedConcurrentExecutions"])
        configuration = got.get("Configuration") or {}
        return FunctionBasics(
            reserved_concurrency=reserved,
            tags={str(k): str(v) for k, v in (got.get("Tags") or {}).items()},
            revision=configuration.get("RevisionId") or configuration.get("LastModified"),
        )

    async def aliases(self, name: str, priority: int = 1) -> tuple[AliasConfig, ...]:
        lam = await self.pool.client("lambda", self.region)
        aliases: list[AliasConfig] = []
        pages = _lambda_pages(lam.list_aliases, lambda: self.budget.read(priority), 50, FunctionName=name)
        async for page in pages:
            for item in page.get("Aliases", []):
                aliases.append(
                    AliasConfig(
                        name=item["Name"],
                        version=str(item.get("FunctionVersion", "")),
                        weights=_weights(item.get("RoutingConfig")),
                        revision_id=item.get("RevisionId"),
                    )
                )
        return tuple(aliases)

    async def on_failure_destinations(self, name: str, priority: int = 1) -> tuple[str, ...]:
        lam = await self.pool.client("lambda", self.region)
        arns: list[str] = []
        pages = _lambda_pages(
            lam.list_function_event_invoke_configs, lambda: self.budget.read(priority), 50, FunctionName=name
        )
        async for page in pages:
            for item in page.get("FunctionEventInvokeConfigs", []):
                target = ((item.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
                if target and target not in arns:
                    arns.append(target)
        return tuple(arns)

    async def provisioned(self, name: str, priority: int = 1) -> int | None:
        """Allocated provisioned concurrency over all versions/aliases; None when the
        endpoint does not support the API (then it is not asked again)."""
        if self.provisioned_supported is False:
            return None
        lam = await self.pool.client("lambda", self.region)
        total = 0
        pages = _lambda_pages(
            lam.list_provisioned_concurrency_configs, lambda: self.budget.read(priority), 50, FunctionName=name
        )
        try:
            async for page in pages:
                for item in page.get("ProvisionedConcurrencyConfigs", []):
                    total += int(item.get("AllocatedProvisionedConcurrentExecutions") or 0)
        except Exception as exc:
            if classify(exc).unsupported:
                self.provisioned_supported = False
                return None
            raise
        self.provisioned_supported = True
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
