"""One function's configuration for the detail screen: GetFunction and the calls around it.

Run when the screen opens and every few minutes after. Every call here but GetFunction draws
on Lambda's shared 15 rps control-plane pool, so they go one after another through a limiter
that keeps this reader at ≤ 3 rps. A call that fails leaves its part unknown (None) and says
why; the rest of the configuration still arrives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lambdatop.aws.budget import ControlPlaneBudget
from lambdatop.aws.errors import classify
from lambdatop.aws.limiter import RateLimiter
from lambdatop.aws.session import ClientPool
from lambdatop.model.function_snapshot import AliasView, EventSourceView, FunctionConfigView

# ListVersionsByFunction pages oldest first; the newest versions are what a deploy marker
# needs, so stop after this many pages on a function with hundreds of versions.
MAX_VERSION_PAGES = 4


@dataclass(frozen=True, slots=True)
class VersionInfo:
    version: str
    last_modified: datetime | None


@dataclass
class ConfigRead:
    config: FunctionConfigView
    versions: list[VersionInfo] = field(default_factory=list)
    account_limit: int | None = None
    unreserved_limit: int | None = None
    # SQS event-source queue ARN -> the DLQ its RedrivePolicy names.
    redrive: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def parse_time(text: object) -> datetime | None:
    """Lambda's `2026-11-29T12:00:00.000+0000`."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None


# Ahead of the rows on screen (0) and the background (1).
OPEN_FUNCTION_PRIORITY = -1


class FunctionDetailReader:
    def __init__(
        self,
        pool: ClientPool,
        region: str,
        limiter: RateLimiter | None = None,
        budget: ControlPlaneBudget | None = None,
    ) -> None:
        self.pool = pool
        self.region = region
        self.limiter = limiter or RateLimiter(3.0, burst=3)
        # The collector's budget for this account+Region, when there is one: the open function's
        # reads go ahead of every queued background and on-screen read (the user is waiting, as
        # for an operator's re-read), and the dashboard's total stays within its share.
        self.budget = budget

    async def _call(self, method: Any, **kwargs: Any) -> dict[str, Any]:
        if self.budget is not None:
            async with self.budget.read(OPEN_FUNCTION_PRIORITY):
                result: dict[str, Any] = await method(**kwargs)
            return result
        async with self.limiter:
            result = await method(**kwargs)
        return result

    async def _get_function(self, lam: Any, name: str) -> dict[str, Any]:
        if self.budget is not None:
            async with self.budget.get_function(OPEN_FUNCTION_PRIORITY):
                got: dict[str, Any] = await lam.get_function(FunctionName=name)
            return got
        # GetFunction has its own 100 rps quota: it does not wait for the shared-pool limiter.
        got = await lam.get_function(FunctionName=name)
        return got

    async def read(self, name: str) -> ConfigRead:
        """Everything the configuration panel shows. GetFunction failing fails the read."""
        lam = await self.pool.client("lambda", self.region)
        got = await self._get_function(lam, name)
        cfg = got.get("Configuration") or {}
        problems: list[str] = []
        reserved = (got.get("Concurrency") or {}).get("ReservedConcurrentExecutions")

        async def attempt(label: str, method: Any, **kwargs: Any) -> dict[str, Any] | None:
            try:
                return await self._call(method, **kwargs)
            except Exception as exc:
                failure = classify(exc)
                if getattr(exc, "response", {}).get("Error", {}).get("Code") == "ResourceNotFoundException":
                    return {}
                if not failure.unsupported:
                    problems.append(f"{label}: {failure.reason}")
                return None

        aliases_page = await attempt("ListAliases", lam.list_aliases, FunctionName=name, MaxItems=50)
        pc_page = await attempt(
            "ListProvisionedConcurrencyConfigs", lam.list_provisioned_concurrency_configs, FunctionName=name
        )
        invoke_cfg = await attempt(
            "GetFunctionEventInvokeConfig", lam.get_function_event_invoke_config, FunctionName=name
        )
        esm_page = await attempt("ListEventSourceMappings", lam.list_event_source_mappings, FunctionName=name)
        account = await attempt("GetAccountSettings", lam.get_account_settings)
        versions = await self._versions(lam, name, problems)
        redrive: dict[str, str] = {}
        for mapping in (esm_page or {}).get("EventSourceMappings", []):
            source = str(mapping.get("EventSourceArn", ""))
            if source.startswith("arn:aws:sqs:"):
                try:
                    target = await self._redrive_target(source)
                except Exception as exc:
                    problems.append(f"GetQueueAttributes: {classify(exc).reason}")
                    continue
                if target:
                    redrive[source] = target

        pc_by_qualifier: dict[str, int] = {}
        for item in (pc_page or {}).get("ProvisionedConcurrencyConfigs", []):
            qualifier = str(item.get("FunctionArn", "")).rsplit(":", 1)[-1]
            pc_by_qualifier[qualifier] = int(item.get("AllocatedProvisionedConcurrentExecutions") or 0)
        aliases = tuple(
            AliasView(
                name=str(a["Name"]),
                version=str(a.get("FunctionVersion", "")),
                weights={
                    str(v): float(w)
                    for v, w in ((a.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}).items()
                },
                provisioned=pc_by_qualifier.get(str(a["Name"])),
            )
            for a in (aliases_page or {}).get("Aliases", [])
        )
        destinations = (invoke_cfg or {}).get("DestinationConfig") or {}
        logging = cfg.get("LoggingConfig") or {}
        archs = cfg.get("Architectures") or []
        limits = (account or {}).get("AccountLimit") or {}
        config = FunctionConfigView(
            name=str(cfg.get("FunctionName", name)),
            arn=str(cfg.get("FunctionArn", "")),
            region=self.region,
            state=cfg.get("State"),
            state_reason=cfg.get("StateReason"),
            last_update_status=cfg.get("LastUpdateStatus"),
            runtime=cfg.get("Runtime") or cfg.get("PackageType"),
            architecture=archs[0] if archs else None,
            memory_mb=cfg.get("MemorySize"),
            timeout_s=cfg.get("Timeout"),
            reserved_concurrency=int(reserved) if reserved is not None else None,
            provisioned_concurrency=sum(pc_by_qualifier.values()) if pc_page is not None else None,
            aliases=aliases,
            dead_letter_arn=(cfg.get("DeadLetterConfig") or {}).get("TargetArn") or None,
            on_failure_arn=(destinations.get("OnFailure") or {}).get("Destination") or None,
            on_success_arn=(destinations.get("OnSuccess") or {}).get("Destination") or None,
            event_sources=tuple(_event_source(m) for m in (esm_page or {}).get("EventSourceMappings", [])),
            tracing_mode=(cfg.get("TracingConfig") or {}).get("Mode"),
            log_group=logging.get("LogGroup") or f"/aws/lambda/{name}",
            log_format=logging.get("LogFormat") or "Text",
            last_modified=parse_time(cfg.get("LastModified")),
            version=str(cfg.get("Version")) if cfg.get("Version") is not None else None,
            snap_start=(cfg.get("SnapStart") or {}).get("ApplyOn"),
            raw=cfg,
        )
        return ConfigRead(
            config=config,
            versions=versions,
            account_limit=limits.get("ConcurrentExecutions"),
            unreserved_limit=limits.get("UnreservedConcurrentExecutions"),
            redrive=redrive,
            problems=problems,
        )

    async def _redrive_target(self, queue_arn: str) -> str | None:
        """The DLQ an SQS source queue redrives to (its RedrivePolicy), if any."""
        _, _, _, region, account, queue = queue_arn.split(":", 5)
        sqs = await self.pool.client("sqs", region or self.region)
        url = (await sqs.get_queue_url(QueueName=queue, QueueOwnerAWSAccountId=account))["QueueUrl"]
        attrs = await sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
        policy = (attrs.get("Attributes") or {}).get("RedrivePolicy")
        target = json.loads(policy).get("deadLetterTargetArn") if policy else None
        return str(target) if target else None

    async def _versions(self, lam: Any, name: str, problems: list[str]) -> list[VersionInfo]:
        out: list[VersionInfo] = []
        marker: str | None = None
        try:
            for _ in range(MAX_VERSION_PAGES):
                kwargs: dict[str, Any] = {"FunctionName": name, "MaxItems": 50}
                if marker:
                    kwargs["Marker"] = marker
                page = await self._call(lam.list_versions_by_function, **kwargs)
                for item in page.get("Versions", []):
                    version = str(item.get("Version", ""))
                    if version.isdigit():
                        out.append(VersionInfo(version, parse_time(item.get("LastModified"))))
                marker = page.get("NextMarker")
                if not marker:
                    break
        except Exception as exc:
            problems.append(f"ListVersionsByFunction: {classify(exc).reason}")
        return out


def _event_source(item: dict[str, Any]) -> EventSourceView:
    destination = ((item.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    return EventSourceView(
        uuid=str(item.get("UUID", "")),
        source_arn=str(item.get("EventSourceArn", "")),
        state=item.get("State"),
        batch_size=item.get("BatchSize"),
        max_concurrency=(item.get("ScalingConfig") or {}).get("MaximumConcurrency"),
        parallelization=item.get("ParallelizationFactor"),
        on_failure_arn=destination or None,
    )
