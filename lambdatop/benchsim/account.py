"""A large account answered in process through botocore `before-call` hooks.

The real clients still validate and serialise every call and the API accountant still counts
it; the pool points at the discard port with fake keys, so nothing can leave the machine.
The mix is the one the issue names: ~10 % of functions behind an alias (a tenth of those
weighted), ~20 % with async traffic (half with an on-failure destination), ~2 % with
provisioned concurrency, and 5 % with background errors under 1 %.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from botocore.awsrequest import AWSResponse

from lambdatop.aws.session import AwsTarget, ClientPool

ACCOUNT = "123456789012"
REGION = "us-east-1"
NOWHERE = "http://127.0.0.1:9"
_PARAMS = "benchsim_params"


@dataclass
class SimFunction:
    name: str
    revision: int = 1
    aliased: bool = False
    weighted: bool = False
    is_async: bool = False
    destination: bool = False
    provisioned: bool = False
    invocations_per_min: float = 0.0
    error_rate: float = 0.0  # background errors, drawn minute by minute

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.name}"


@dataclass
class SimAccount:
    functions: list[SimFunction] = field(default_factory=list)
    seed: int = 7
    calls: dict[str, int] = field(default_factory=dict)
    _errors: dict[tuple[str, datetime], float] = field(default_factory=dict)
    _account: dict[tuple[str, datetime], float] = field(default_factory=dict)

    @classmethod
    def mix(cls, n: int, seed: int = 7) -> SimAccount:
        rng = random.Random(seed)
        functions = []
        for i in range(n):
            f = SimFunction(f"svc-{i:05d}")
            draw = rng.random()
            f.aliased = draw < 0.10
            f.weighted = f.aliased and rng.random() < 0.1
            f.is_async = 0.10 <= draw < 0.30
            f.destination = f.is_async and rng.random() < 0.5
            f.provisioned = 0.30 <= draw < 0.32
            f.invocations_per_min = rng.choice((0.0, 0.0, 5.0, 60.0, 600.0))
            if 0.40 <= draw < 0.45:  # background errors under 1 %
                f.invocations_per_min = max(f.invocations_per_min, 100.0)
                f.error_rate = rng.uniform(0.001, 0.009)
            functions.append(f)
        return cls(functions, seed)

    def redeploy(self, count: int) -> None:
        for f in random.Random(self.seed + 1).sample(self.functions, count):
            f.revision += 1

    # ---- wiring --------------------------------------------------------------------------
    def pool(self) -> ClientPool:
        pool = ClientPool(AwsTarget(endpoint_url=NOWHERE, credentials=("bench", "bench"), isolated=True))
        pool.register_hook("before-parameter-build.*.*", _stash)
        for (service, operation), answer in self._answers().items():
            pool.register_hook(f"before-call.{service}.{operation}", self._handler(operation, answer))
        return pool

    def _answers(self) -> dict[tuple[str, str], Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            ("lambda", "ListFunctions"): self.list_functions,
            ("lambda", "ListEventSourceMappings"): lambda p: {"EventSourceMappings": []},
            ("lambda", "GetFunction"): self.get_function,
            ("lambda", "ListAliases"): self.list_aliases,
            ("lambda", "ListFunctionEventInvokeConfigs"): self.list_event_invoke_configs,
            ("lambda", "ListProvisionedConcurrencyConfigs"): self.list_pc_configs,
            ("lambda", "GetAccountSettings"): lambda p: {
                "AccountLimit": {"ConcurrentExecutions": 1000, "UnreservedConcurrentExecutions": 900}
            },
            ("sts", "GetCallerIdentity"): lambda p: {"Account": ACCOUNT, "Arn": "arn:aws:iam::1:user/b", "UserId": "B"},
            ("cloudwatch", "ListMetrics"): self.list_metrics,
            ("cloudwatch", "GetMetricData"): self.get_metric_data,
        }

    def _handler(self, operation: str, answer: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
        def handle(context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
            self.calls[operation] = self.calls.get(operation, 0) + 1
            return AWSResponse(NOWHERE, 200, {}, None), answer(context.get(_PARAMS, {}))

        return handle

    # ---- lambda ------------------------------------------------------------------------------
    def _by_name(self, name: str) -> SimFunction:
        return self.functions[int(name.rsplit("-", 1)[1])]

    def _config(self, f: SimFunction) -> dict[str, Any]:
        return {
            "FunctionName": f.name,
            "FunctionArn": f.arn,
            "Runtime": "python3.12",
            "MemorySize": 256,
            "Timeout": 30,
            "LastModified": f"2026-11-{1 + f.revision:02d}T00:00:00.000+0000",
            "RevisionId": f"{f.name}-r{f.revision}",
        }

    def list_functions(self, params: dict[str, Any]) -> dict[str, Any]:
        start = int(params.get("Marker") or 0)
        page = self.functions[start : start + 50]
        answer: dict[str, Any] = {"Functions": [self._config(f) for f in page]}
        if start + 50 < len(self.functions):
            answer["NextMarker"] = str(start + 50)
        return answer

    def get_function(self, params: dict[str, Any]) -> dict[str, Any]:
        f = self._by_name(params["FunctionName"])
        return {"Configuration": self._config(f), "Tags": {"team": "bench"}}

    def list_aliases(self, params: dict[str, Any]) -> dict[str, Any]:
        f = self._by_name(params["FunctionName"])
        if not f.aliased:
            return {"Aliases": []}
        alias: dict[str, Any] = {"Name": "live", "FunctionVersion": "3", "RevisionId": "a1"}
        if f.weighted:
            alias["RoutingConfig"] = {"AdditionalVersionWeights": {"4": 0.1}}
        return {"Aliases": [alias]}

    def list_event_invoke_configs(self, params: dict[str, Any]) -> dict[str, Any]:
        f = self._by_name(params["FunctionName"])
        if not f.destination:
            return {"FunctionEventInvokeConfigs": []}
        target = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{f.name}-failures"
        return {"FunctionEventInvokeConfigs": [{"DestinationConfig": {"OnFailure": {"Destination": target}}}]}

    def list_pc_configs(self, params: dict[str, Any]) -> dict[str, Any]:
        f = self._by_name(params["FunctionName"])
        if not f.provisioned:
            return {"ProvisionedConcurrencyConfigs": []}
        return {"ProvisionedConcurrencyConfigs": [{"AllocatedProvisionedConcurrentExecutions": 5}]}

    # ---- cloudwatch --------------------------------------------------------------------------
    def list_metrics(self, params: dict[str, Any]) -> dict[str, Any]:
        found: list[dict[str, Any]] = []
        for f in self.functions:
            dims = [{"Name": "FunctionName", "Value": f.name}]
            if f.is_async:
                found.append({"MetricName": "AsyncEventsReceived", "Dimensions": dims})
            if f.aliased:
                resource = [*dims, {"Name": "Resource", "Value": f"{f.name}:live"}]
                found.append({"MetricName": "Invocations", "Dimensions": resource})
                for version in ("3", "4") if f.weighted else ("3",):
                    executed = [*resource, {"Name": "ExecutedVersion", "Value": version}]
                    found.append({"MetricName": "Invocations", "Dimensions": executed})
            if f.provisioned:
                resource = [*dims, {"Name": "Resource", "Value": f"{f.name}:live"}]
                found.append({"MetricName": "ProvisionedConcurrencyInvocations", "Dimensions": resource})
        name = params.get("MetricName")
        wanted = {d["Name"] for d in params.get("Dimensions", [])}
        matching = [
            {"Namespace": "AWS/Lambda", **m}
            for m in found
            if (name is None or m["MetricName"] == name) and wanted <= {d["Name"] for d in m["Dimensions"]}
        ]
        start = int(params.get("NextToken") or 0)
        answer: dict[str, Any] = {"Metrics": matching[start : start + 500]}
        if start + 500 < len(matching):
            answer["NextToken"] = str(start + 500)
        return answer

    def errors_at(self, f: SimFunction, minute: datetime) -> float:
        """Background errors of one minute: a binomial draw, the same for the same minute."""
        if not f.error_rate:
            return 0.0
        key = (f.name, minute)
        if key not in self._errors:
            rng = random.Random(f"{self.seed}-{f.name}-{minute.isoformat()}")
            n = int(f.invocations_per_min)
            self._errors[key] = float(sum(1 for _ in range(n) if rng.random() < f.error_rate))
        return self._errors[key]

    def _minute_value(self, f: SimFunction | None, metric: str, minute: datetime) -> float:
        if f is None:  # account level: the sum over the fleet
            key = (metric, minute)
            if key not in self._account:
                self._account[key] = sum(self._minute_value(g, metric, minute) for g in self.functions)
            return self._account[key]
        if metric == "Invocations":
            return f.invocations_per_min
        if metric == "Errors":
            return self.errors_at(f, minute)
        if metric in ("Duration",):
            return 120.0
        if metric == "ConcurrentExecutions":
            return f.invocations_per_min / 60.0
        return 0.0

    def get_metric_data(self, params: dict[str, Any]) -> dict[str, Any]:
        start: datetime = params["StartTime"]
        end: datetime = params["EndTime"]
        minutes = []
        at = start
        while at < end:
            minutes.append(at)
            at += timedelta(minutes=1)
        results = []
        for query in params["MetricDataQueries"]:
            metric = query["MetricStat"]["Metric"]
            dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
            name = dims.get("FunctionName")
            f = self._by_name(name) if name and name.startswith("svc-") else None
            if name and f is None:
                results.append({"Id": query["Id"], "Timestamps": [], "Values": [], "StatusCode": "Complete"})
                continue
            values = [self._minute_value(f, metric["MetricName"], m) for m in minutes]
            stat = query["MetricStat"]["Stat"]
            value = sum(values) if stat == "Sum" else max(values) if values else 0.0
            results.append({"Id": query["Id"], "Timestamps": [start], "Values": [value], "StatusCode": "Complete"})
        return {"MetricDataResults": results, "Messages": []}


def _stash(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    context[_PARAMS] = params
