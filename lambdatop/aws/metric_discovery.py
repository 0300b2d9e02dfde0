"""Which functions have aliases, async traffic or provisioned concurrency, learnt from
CloudWatch ListMetrics (its own 25 TPS quota, $0.01 per 1,000 requests) instead of asking
Lambda's shared 15 rps pool about every function.

CloudWatch keeps a metric listed for two weeks after its last datum, so a function that had
async traffic or served through an alias in the last two weeks shows here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lambdatop.aws.session import ClientPool

PC_METRIC_PREFIX = "ProvisionedConcurrency"


@dataclass
class MetricEvidence:
    """Function names with each kind of metric. Resource values are `name:alias` or `name:version`."""

    resources: dict[str, set[str]] = field(default_factory=dict)  # function -> Resource values
    versions: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # function -> (resource, version)
    async_functions: set[str] = field(default_factory=set)
    provisioned_functions: set[str] = field(default_factory=set)
    calls: int = 0


async def _all_metrics(cloudwatch: Any, evidence: MetricEvidence, **kwargs: Any) -> list[dict[str, Any]]:
    metrics: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = await cloudwatch.list_metrics(**kwargs, **({"NextToken": token} if token else {}))
        evidence.calls += 1
        metrics.extend(page.get("Metrics", []))
        token = page.get("NextToken")
        if not token:
            return metrics


async def discover(pool: ClientPool, region: str) -> MetricEvidence:
    cloudwatch = await pool.client("cloudwatch", region)
    evidence = MetricEvidence()
    for metric in await _all_metrics(cloudwatch, evidence, Namespace="AWS/Lambda", Dimensions=[{"Name": "Resource"}]):
        dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
        name, resource = dims.get("FunctionName"), dims.get("Resource")
        if not name or not resource:
            continue
        evidence.resources.setdefault(name, set()).add(resource)
        if "ExecutedVersion" in dims:
            evidence.versions.setdefault(name, set()).add((resource, dims["ExecutedVersion"]))
        if str(metric.get("MetricName", "")).startswith(PC_METRIC_PREFIX):
            evidence.provisioned_functions.add(name)
    received = await _all_metrics(
        cloudwatch,
        evidence,
        Namespace="AWS/Lambda",
        MetricName="AsyncEventsReceived",
        Dimensions=[{"Name": "FunctionName"}],
    )
    for metric in received:
        dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
        if dims.get("FunctionName") and "Resource" not in dims:
            evidence.async_functions.add(dims["FunctionName"])
    return evidence
