"""CloudWatch requests read the way CloudWatch reads them: validation (with AWS's error codes
and, where recorded from AWS, its messages), statistics, StartTime rounding, default labels.
"""

from __future__ import annotations

import math
import re
from typing import Any

from lambdatop.demo.mends.metric_store import Dimensions, Sample, SeriesKey, Statistic, parse_statistic
from lambdatop.demo.mends.protocol import Call, ProtocolError, Reply, epoch_seconds, json_reply

CONTENT_TYPE = "application/x-amz-json-1.0"
MAX_QUERIES = 500
_QUERY_ID = re.compile(r"^[a-z][a-zA-Z0-9_]*$")
# Statistics CloudWatch knows but this store does not compute (trimmed/winsorized means, …).
_KNOWN_BUT_NOT_EMULATED = re.compile(r"^(?:tm|wm|tc|ts|TM|WM|TC|TS|PR)\(|^(?:tm|wm|tc|ts)\d|^IQM$")
_DAY_S = 86_400.0


def cloudwatch_error(code: str, message: str) -> Reply:
    """An error as CloudWatch's query-compatible JSON protocol sends it.

    botocore reads the error code from the x-amzn-query-error header (`Code;Sender`); the
    body's __type carries the modeled exception name, as recorded from AWS.
    """
    if code == "ValidationError":
        error_type = "com.amazon.coral.validate#ValidationException"
    else:
        error_type = f"com.amazonaws.cloudwatch.v2010_08_01#{code}Exception"
    reply = json_reply({"__type": error_type, "message": message}, status=400, content_type=CONTENT_TYPE)
    reply.headers.append(("x-amzn-query-error", f"{code};Sender"))
    return reply


def refuse(code: str, message: str) -> ProtocolError:
    return ProtocolError(cloudwatch_error(code, message))


def parse_datum(index: int, datum: dict[str, Any], now_s: float) -> tuple[str, Dimensions, str, Sample]:
    where = f"MetricData.member.{index}"
    has_value = "Value" in datum and datum["Value"] is not None
    has_values = bool(datum.get("Values"))
    has_set = datum.get("StatisticValues") is not None
    if has_value and has_values:
        raise refuse(
            "InvalidParameterCombination",
            f"The parameters {where}.Value and {where}.Values are mutually exclusive and you have specified both.",
        )
    if has_value and has_set:
        raise refuse(
            "InvalidParameterCombination",
            f"The parameters {where}.Value and {where}.StatisticValues are mutually exclusive "
            "and you have specified both.",
        )
    if has_values and has_set:
        raise refuse(
            "InvalidParameterCombination",
            f"The parameters {where}.Values and {where}.StatisticValues are mutually exclusive "
            "and you have specified both.",
        )
    timestamp_s = epoch_seconds(datum["Timestamp"]) if datum.get("Timestamp") else now_s
    if has_values:
        values = [_finite(v, f"{where}.Values") for v in datum["Values"]]
        counts = [_finite(c, f"{where}.Counts") for c in datum.get("Counts") or [1.0] * len(values)]
        if len(values) != len(counts):
            raise refuse(
                "InvalidParameterValue",
                f"The parameters {where}.Values and {where}.Counts must be of the same size.",
            )
        sample = Sample.histogram(timestamp_s, values, counts)
    elif has_set:
        stats = datum["StatisticValues"]
        sample = Sample.statistic_set(
            timestamp_s,
            _finite(stats["SampleCount"], f"{where}.StatisticValues.SampleCount"),
            _finite(stats["Sum"], f"{where}.StatisticValues.Sum"),
            _finite(stats["Minimum"], f"{where}.StatisticValues.Minimum"),
            _finite(stats["Maximum"], f"{where}.StatisticValues.Maximum"),
        )
    elif has_value:
        sample = Sample.value(timestamp_s, _finite(datum["Value"], f"{where}.Value"))
    else:
        raise refuse(
            "InvalidParameterCombination",
            f"At least one of the parameters {where}.Value, {where}.Values or "
            f"{where}.StatisticValues must be specified.",
        )
    return str(datum["MetricName"]), dimensions(datum), str(datum.get("Unit") or "None"), sample


def _finite(value: Any, where: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise refuse("InvalidParameterValue", f"The value {value} for parameter {where} is invalid.")
    return number


def dimensions(holder: dict[str, Any]) -> Dimensions:
    return frozenset((str(d["Name"]), str(d["Value"])) for d in holder.get("Dimensions") or [])


def series_key(call: Call, metric: dict[str, Any]) -> SeriesKey:
    return (call.account, call.region, str(metric["Namespace"]), str(metric["MetricName"]), dimensions(metric))


def validate_queries(queries: list[dict[str, Any]]) -> None:
    if len(queries) > MAX_QUERIES:
        raise refuse(
            "ValidationError",
            f"The collection MetricDataQueries must not have a size greater than {MAX_QUERIES}.",
        )
    seen: set[str] = set()
    for index, query in enumerate(queries, 1):
        query_id = str(query.get("Id", ""))
        if not _QUERY_ID.match(query_id):
            raise refuse(
                "ValidationError",
                f"The value {query_id} for parameter MetricDataQueries.member.{index}.Id is not "
                "valid: it must start with a lowercase letter and contain only letters, digits "
                "and underscores.",
            )
        if query_id in seen:
            raise refuse(
                "ValidationError",
                "The values for parameter id in MetricDataQueries are not unique.",
            )
        seen.add(query_id)
        if ("MetricStat" in query) == ("Expression" in query):
            raise refuse(
                "ValidationError",
                f"The parameter MetricDataQueries.member.{index} must specify exactly one of MetricStat or Expression.",
            )


def checked_period(period: int, where: str) -> int:
    if period in (1, 5, 10, 20, 30) or (period > 0 and period % 60 == 0):
        return period
    name = f"{where}.Period" if where else "Period"
    raise refuse(
        "InvalidParameterValue",
        f"The parameter {name} must be 1, 5, 10, 20, 30, or a multiple of 60.",
    )


def checked_statistic(text: str, where: str) -> Statistic | None:
    """The statistic to compute; None for a valid AWS statistic this store does not compute."""
    statistic = parse_statistic(text)
    if statistic is not None:
        return statistic
    if _KNOWN_BUT_NOT_EMULATED.match(text):
        return None
    raise refuse(
        "InvalidParameterValue",
        f"The value {text} for parameter {where}.Stat is not supported.",
    )


def round_start(start_s: float, period: int, now_s: float) -> float:
    """CloudWatch rounds StartTime down: to the period below a minute, else by the data's age."""
    if period < 60:
        return math.floor(start_s / period) * period
    age_s = now_s - start_s
    step = 60 if age_s < 15 * _DAY_S else 300 if age_s < 63 * _DAY_S else 3600
    return math.floor(start_s / step) * step


def default_labels(queries: list[dict[str, Any]]) -> list[str]:
    """Labels as CloudWatch makes them when none is given.

    The metric name, followed by the Stat and/or Period when other queries in the same call
    read the same metric with a different Stat or Period (so their labels stay distinct).
    """
    groups: dict[tuple[str, str, Dimensions], list[dict[str, Any]]] = {}
    for query in queries:
        stat = query.get("MetricStat")
        if stat:
            metric = stat["Metric"]
            identity = (str(metric["Namespace"]), str(metric["MetricName"]), dimensions(metric))
            groups.setdefault(identity, []).append(stat)
    labels = []
    for query in queries:
        if query.get("Label"):
            labels.append(str(query["Label"]))
            continue
        stat = query.get("MetricStat")
        if not stat:
            labels.append(str(query.get("Id", "")))
            continue
        metric = stat["Metric"]
        siblings = groups[(str(metric["Namespace"]), str(metric["MetricName"]), dimensions(metric))]
        label = str(metric["MetricName"])
        for field in ("Stat", "Period"):
            if len({str(s.get(field)) for s in siblings}) > 1:
                label += f" {stat.get(field)}"
        labels.append(label)
    return labels
