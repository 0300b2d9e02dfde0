"""CloudWatch metric operations answered from the indexed MetricStore (JSON 1.0 protocol).

PutMetricData, GetMetricData, GetMetricStatistics and ListMetrics are answered here, so every
metric operation sees the same data; alarms, dashboards and the rest stay with moto.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from lambdatop.demo.mends.cloudwatch_requests import (
    CONTENT_TYPE,
    checked_period,
    checked_statistic,
    cloudwatch_error,
    default_labels,
    parse_datum,
    refuse,
    round_start,
    series_key,
    validate_queries,
)
from lambdatop.demo.mends.metric_store import BASIC_STATS, MetricStore, Statistic, parse_statistic
from lambdatop.demo.mends.protocol import Call, ProtocolError, Reply, epoch_seconds, json_reply

MAX_METRIC_DATA = 1000
DEFAULT_MAX_DATAPOINTS = 100_800
MAX_STATISTICS_DATAPOINTS = 1440
LIST_METRICS_PAGE = 500
_NOT_EMULATED_MATH = (
    "Metric math, SEARCH and Metrics Insights expressions are not emulated by the lambdatop "
    "demo server; compute this value client-side from MetricStat queries."
)


@dataclass(frozen=True, slots=True)
class _Result:
    """One MetricDataResult before paging."""

    query_id: str
    label: str
    timestamps_s: list[float]
    values: list[float]
    status: str = "Complete"
    messages: tuple[tuple[str, str], ...] = ()

    def document(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "Id": self.query_id,
            "Label": self.label,
            "Timestamps": self.timestamps_s,
            "Values": self.values,
            "StatusCode": self.status,
        }
        if self.messages:
            document["Messages"] = [{"Code": c, "Value": v} for c, v in self.messages]
        return document


class CloudWatchMends:
    """The metric half of CloudWatch, faithful to AWS semantics."""

    OPERATIONS = frozenset({"PutMetricData", "GetMetricData", "GetMetricStatistics", "ListMetrics"})

    def __init__(self, store: MetricStore, now_s: Callable[[], float] = time.time) -> None:
        self._store = store
        self._now_s = now_s
        self._pages_lock = threading.Lock()
        self._pending_pages: OrderedDict[str, list[_Result]] = OrderedDict()

    def handle(self, operation: str, call: Call) -> Reply:
        request = call.json()
        try:
            if operation == "PutMetricData":
                return self._put_metric_data(call, request)
            if operation == "GetMetricData":
                return self._get_metric_data(call, request)
            if operation == "GetMetricStatistics":
                return self._get_metric_statistics(call, request)
            return self._list_metrics(call, request)
        except ProtocolError as refusal:
            return refusal.reply
        except (KeyError, TypeError, ValueError) as error:
            return cloudwatch_error("InvalidParameterValue", f"Malformed request: {error}")

    # -- PutMetricData -------------------------------------------------------------------

    def _put_metric_data(self, call: Call, request: dict[str, Any]) -> Reply:
        namespace = str(request["Namespace"])
        data: list[dict[str, Any]] = list(request.get("MetricData") or [])
        for entity_data in request.get("EntityMetricData") or []:
            data.extend(entity_data.get("MetricData") or [])
        if len(data) > MAX_METRIC_DATA:
            raise refuse(
                "InvalidParameterValue",
                f"The collection MetricData must not have a size greater than {MAX_METRIC_DATA}.",
            )
        now_s = self._now_s()
        parsed = [parse_datum(index, datum, now_s) for index, datum in enumerate(data, 1)]
        for name, dimensions, unit, sample in parsed:
            self._store.put(call.account, call.region, namespace, name, dimensions, unit, [sample])
        return json_reply({}, content_type=CONTENT_TYPE)

    # -- GetMetricData -------------------------------------------------------------------

    def _get_metric_data(self, call: Call, request: dict[str, Any]) -> Reply:
        limit = int(request.get("MaxDatapoints") or DEFAULT_MAX_DATAPOINTS)
        token = request.get("NextToken")
        if token:
            with self._pages_lock:
                pending = self._pending_pages.pop(str(token), None)
            if pending is None:
                raise refuse("InvalidNextToken", "The service returned an invalid token.")
            return self._page(pending, limit)
        queries: list[dict[str, Any]] = list(request["MetricDataQueries"])
        validate_queries(queries)
        start_s = epoch_seconds(request["StartTime"])
        end_s = epoch_seconds(request["EndTime"])
        if start_s >= end_s:
            raise refuse(
                "InvalidParameterValue",
                "The parameter StartTime must be less than the parameter EndTime.",
            )
        descending = request.get("ScanBy", "TimestampDescending") != "TimestampAscending"
        labels = default_labels(queries)
        results = []
        for index, query in enumerate(queries, 1):
            if query.get("ReturnData", True) is False:
                continue
            result = self._answer(call, index, query, labels[index - 1], start_s, end_s)
            if descending:
                result = replace(
                    result,
                    timestamps_s=result.timestamps_s[::-1],
                    values=result.values[::-1],
                )
            results.append(result)
        return self._page(results, limit)

    def _answer(
        self,
        call: Call,
        index: int,
        query: dict[str, Any],
        label: str,
        start_s: float,
        end_s: float,
    ) -> _Result:
        query_id = str(query["Id"])
        if "Expression" in query:
            return _Result(
                query_id,
                query.get("Label") or query_id,
                [],
                [],
                "InternalError",
                (("InternalError", _NOT_EMULATED_MATH),),
            )
        stat = query["MetricStat"]
        metric = stat["Metric"]
        period = checked_period(int(stat["Period"]), f"MetricDataQueries.member.{index}.MetricStat")
        statistic = checked_statistic(str(stat["Stat"]), f"MetricDataQueries.member.{index}.MetricStat")
        if statistic is None:
            return _Result(
                query_id,
                label,
                [],
                [],
                "InternalError",
                (("InternalError", f"The statistic {stat['Stat']} is not emulated by the lambdatop demo server."),),
            )
        key = series_key(call, metric)
        aligned_start = round_start(start_s, period, self._now_s())
        unit = stat.get("Unit")
        answer = self._store.query(key, statistic, aligned_start, end_s, period, unit)
        messages: tuple[tuple[str, str], ...] = ()
        if unit is None and len(answer.units) > 1:
            messages = (("MultipleUnits", f"Multiple units returned: '[{', '.join(answer.units)}]'"),)
        return _Result(query_id, label, answer.timestamps_s, answer.values, "Complete", messages)

    def _page(self, results: list[_Result], limit: int) -> Reply:
        budget = max(limit, 1)
        page: list[_Result] = []
        rest: list[_Result] = []
        for result in results:
            size = len(result.values)
            if size <= budget:
                page.append(result)
                budget -= size
                continue
            page.append(
                replace(
                    result,
                    timestamps_s=result.timestamps_s[:budget],
                    values=result.values[:budget],
                    status="PartialData",
                )
            )
            rest.append(replace(result, timestamps_s=result.timestamps_s[budget:], values=result.values[budget:]))
            budget = 0
        document: dict[str, Any] = {
            "MetricDataResults": [result.document() for result in page],
            "Messages": [],
        }
        if rest:
            token = os.urandom(24).hex()
            with self._pages_lock:
                self._pending_pages[token] = rest
                while len(self._pending_pages) > 256:  # abandoned paginations
                    self._pending_pages.popitem(last=False)
            document["NextToken"] = token
        return json_reply(document, content_type=CONTENT_TYPE)

    # -- GetMetricStatistics -------------------------------------------------------------

    def _get_metric_statistics(self, call: Call, request: dict[str, Any]) -> Reply:
        start_s = epoch_seconds(request["StartTime"])
        end_s = epoch_seconds(request["EndTime"])
        if start_s >= end_s:
            raise refuse(
                "InvalidParameterValue",
                "The parameter StartTime must be less than the parameter EndTime.",
            )
        period = checked_period(int(request["Period"]), "")
        requested = math.ceil((end_s - start_s) / period)
        if requested > MAX_STATISTICS_DATAPOINTS:
            raise refuse(
                "InvalidParameterCombination",
                f"You have requested up to {requested} datapoints, which exceeds the limit of "
                f"{MAX_STATISTICS_DATAPOINTS}. You may reduce the datapoints requested by "
                "increasing Period, or decreasing the time range.",
            )
        basic = [str(s) for s in request.get("Statistics") or []]
        extended = [str(s) for s in request.get("ExtendedStatistics") or []]
        if not basic and not extended:
            raise refuse(
                "InvalidParameterCombination",
                "Must specify either Statistics or ExtendedStatistics, but not both.",
            )
        for name in basic:
            if name not in BASIC_STATS:
                raise refuse("InvalidParameterValue", f"The value {name} for parameter Statistics is not supported.")
        percentiles = {}
        for name in extended:
            statistic = parse_statistic(name)
            if statistic is None or not statistic.is_percentile:
                raise refuse(
                    "InvalidParameterValue", f"The value {name} for parameter ExtendedStatistics is not supported."
                )
            percentiles[name] = statistic
        key = series_key(call, request)
        aligned_start = round_start(start_s, period, self._now_s())
        units = [request["Unit"]] if request.get("Unit") else self._store.units(key)
        datapoints: list[dict[str, Any]] = []
        for unit in units:
            by_time: dict[float, dict[str, Any]] = {}
            for name in basic:
                answer = self._store.query(key, Statistic(name), aligned_start, end_s, period, unit)
                for at, value in zip(answer.timestamps_s, answer.values, strict=True):
                    by_time.setdefault(at, {"Timestamp": at, "Unit": unit})[name] = value
            for name, statistic in percentiles.items():
                answer = self._store.query(key, statistic, aligned_start, end_s, period, unit)
                for at, value in zip(answer.timestamps_s, answer.values, strict=True):
                    point = by_time.setdefault(at, {"Timestamp": at, "Unit": unit})
                    point.setdefault("ExtendedStatistics", {})[name] = value
            datapoints.extend(by_time.values())
        return json_reply({"Label": request["MetricName"], "Datapoints": datapoints}, content_type=CONTENT_TYPE)

    # -- ListMetrics ---------------------------------------------------------------------

    def _list_metrics(self, call: Call, request: dict[str, Any]) -> Reply:
        namespace = request.get("Namespace")
        name = request.get("MetricName")
        filters = [(str(f["Name"]), f.get("Value")) for f in request.get("Dimensions") or []]
        recent_after_s = self._now_s() - 3 * 3600 if request.get("RecentlyActive") else None
        found = []
        for (metric_namespace, metric_name, dims), newest_s in self._store.metrics(call.account, call.region):
            if namespace is not None and metric_namespace != namespace:
                continue
            if name is not None and metric_name != name:
                continue
            if recent_after_s is not None and newest_s < recent_after_s:
                continue
            by_name = dict(dims)
            if any(n not in by_name or (v is not None and by_name[n] != v) for n, v in filters):
                continue
            found.append((metric_namespace, metric_name, sorted(dims)))
        found.sort()
        offset = int(request.get("NextToken") or 0)
        page = found[offset : offset + LIST_METRICS_PAGE]
        document: dict[str, Any] = {
            "Metrics": [
                {"Namespace": ns, "MetricName": mn, "Dimensions": [{"Name": n, "Value": v} for n, v in dims]}
                for ns, mn, dims in page
            ]
        }
        if offset + LIST_METRICS_PAGE < len(found):
            document["NextToken"] = str(offset + LIST_METRICS_PAGE)
        return json_reply(document, content_type=CONTENT_TYPE)
