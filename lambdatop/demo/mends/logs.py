"""Logs Insights queries (JSON 1.1) answered exactly over the events moto stores.

StartQuery runs the query at once (the demo's data is small) and keeps the answer for
GetQueryResults; DescribeQueries and StopQuery know these queries too. A query outside the
emulated subset goes to moto unchanged, so the app meets the same degraded answer it would
meet on a plain moto endpoint and falls back by itself.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from lambdatop.demo.mends.insights import LogEvent, Outcome, run_query
from lambdatop.demo.mends.insights_query import parse_query
from lambdatop.demo.mends.insights_values import Unsupported
from lambdatop.demo.mends.protocol import (
    Call,
    ProtocolError,
    Reply,
    WsgiApp,
    forward,
    internal_environ,
    json_reply,
)

CONTENT_TYPE = "application/x-amz-json-1.1"
TARGET_PREFIX = "Logs_20140328."
MAX_LOG_GROUPS = 50
DEFAULT_ROW_LIMIT = 10_000
_KEPT_QUERIES = 1000


def logs_error(code: str, message: str) -> Reply:
    return json_reply({"__type": code, "message": message}, status=400, content_type=CONTENT_TYPE)


@dataclass(frozen=True, slots=True)
class _Finished:
    query_id: str
    query_string: str
    log_group: str
    created_ms: int
    duration_ms: int
    outcome: Outcome


class LogsMends:
    OPERATIONS = frozenset({"StartQuery", "GetQueryResults", "DescribeQueries", "StopQuery"})

    def __init__(self, moto: WsgiApp, now_s: Callable[[], float] = time.time) -> None:
        self._moto = moto
        self._now_s = now_s
        self._lock = threading.Lock()
        self._queries: dict[str, _Finished] = {}

    def handle(self, operation: str, call: Call) -> Reply | None:
        request = call.json()
        try:
            if operation == "StartQuery":
                return self._start_query(call, request)
            if operation == "GetQueryResults":
                return self._get_query_results(request)
            if operation == "DescribeQueries":
                return self._describe_queries(call, request)
            return self._stop_query(request)
        except ProtocolError as refusal:
            return refusal.reply

    def _start_query(self, call: Call, request: dict[str, Any]) -> Reply | None:
        if request.get("queryLanguage", "CWLI") != "CWLI":
            return None
        groups = _log_groups(request)
        if groups is None:
            return None  # SOURCE command or no group at all: leave it to moto
        if len(groups) > MAX_LOG_GROUPS:
            return logs_error(
                "InvalidParameterException",
                f"Query cannot be run on more than {MAX_LOG_GROUPS} log groups.",
            )
        try:
            query = parse_query(str(request["queryString"]))
        except Unsupported:
            return None
        start_s, end_s = int(request["startTime"]), int(request["endTime"])
        if end_s < start_s:
            return logs_error("InvalidParameterException", "End time must be greater than or equal to start time.")
        began = time.perf_counter()
        window = (start_s * 1000, end_s * 1000 + 999)  # both ends inclusive, to the second
        events = _stored_events(call.account, call.region, groups, *window)
        if events is None:
            events = list(self._events(call, groups, *window))
        row_limit = min(int(request.get("limit") or DEFAULT_ROW_LIMIT), DEFAULT_ROW_LIMIT)
        if query.limit is not None:
            row_limit = min(row_limit, query.limit)
        outcome = run_query(query, events, call.account, default_limit=row_limit)
        query_id = str(uuid.uuid4())
        finished = _Finished(
            query_id=query_id,
            query_string=str(request["queryString"]),
            log_group=groups[0],
            created_ms=int(self._now_s() * 1000),
            duration_ms=int((time.perf_counter() - began) * 1000),
            outcome=outcome,
        )
        with self._lock:
            self._queries[query_id] = finished
            while len(self._queries) > _KEPT_QUERIES:
                self._queries.pop(next(iter(self._queries)))
        return json_reply({"queryId": query_id}, content_type=CONTENT_TYPE)

    def _events(self, call: Call, groups: list[str], start_ms: int, end_ms: int) -> Iterator[LogEvent]:
        """Every event of the groups inside the window, read from moto's FilterLogEvents.

        Every group is checked before any is read, as StartQuery fails as a whole on a
        missing group.
        """
        pages = []
        for group in groups:
            pages.append((group, self._filter_page(call, group, start_ms, end_ms, None)))
        for group, first in pages:
            page = first
            while True:
                for event in page.get("events") or []:
                    yield LogEvent(
                        group,
                        str(event.get("logStreamName", "")),
                        int(event.get("timestamp", 0)),
                        str(event.get("message", "")),
                    )
                token = page.get("nextToken")
                if not token:
                    break
                page = self._filter_page(call, group, start_ms, end_ms, token)

    def _filter_page(self, call: Call, group: str, start_ms: int, end_ms: int, token: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {"logGroupName": group, "startTime": start_ms, "endTime": end_ms}
        if token:
            body["nextToken"] = token
        environ = internal_environ(
            call.environ,
            method="POST",
            path="/",
            body=json.dumps(body).encode(),
            target=TARGET_PREFIX + "FilterLogEvents",
            content_type=CONTENT_TYPE,
        )
        reply = forward(self._moto, environ)
        if reply.status != 200:
            if reply.status == 400 and "ResourceNotFound" in reply.body.decode(errors="replace"):
                raise ProtocolError(_missing_group(group, call.account))
            raise ProtocolError(reply)
        page: dict[str, Any] = reply.json()
        return page

    def _get_query_results(self, request: dict[str, Any]) -> Reply | None:
        with self._lock:
            finished = self._queries.get(str(request.get("queryId")))
        if finished is None:
            return None
        outcome = finished.outcome
        document = {
            "queryLanguage": "CWLI",
            "results": outcome.rows,
            "statistics": {
                "recordsMatched": float(outcome.records_matched),
                "recordsScanned": float(outcome.records_scanned),
                "bytesScanned": float(outcome.bytes_scanned),
            },
            "status": "Complete",
        }
        return json_reply(document, content_type=CONTENT_TYPE)

    def _describe_queries(self, call: Call, request: dict[str, Any]) -> Reply:
        reply = forward(self._moto, call.environ)
        listed: list[dict[str, Any]] = reply.json().get("queries", []) if reply.status == 200 else []
        group, status = request.get("logGroupName"), request.get("status")
        with self._lock:
            ours = list(self._queries.values())
        for finished in ours:
            if group and finished.log_group != group:
                continue
            if status and status != "Complete":
                continue
            listed.append(
                {
                    "queryLanguage": "CWLI",
                    "queryId": finished.query_id,
                    "queryString": finished.query_string,
                    "status": "Complete",
                    "createTime": finished.created_ms,
                    "logGroupName": finished.log_group,
                    "queryDuration": finished.duration_ms,
                    "bytesScanned": float(finished.outcome.bytes_scanned),
                }
            )
        return json_reply({"queries": listed}, content_type=CONTENT_TYPE)

    def _stop_query(self, request: dict[str, Any]) -> Reply | None:
        with self._lock:
            known = str(request.get("queryId")) in self._queries
        if not known:
            return None
        # Our queries finish inside StartQuery; AWS refuses to stop a query that has ended.
        return logs_error("InvalidParameterException", "Query is not running.")


def _stored_events(account: str, region: str, groups: list[str], start_ms: int, end_ms: int) -> list[LogEvent] | None:
    """The events straight from moto's logs backend, read-only: about 3x faster than going
    through FilterLogEvents (JSON both ways). None when moto's layout is not the one known
    here (another moto version), and the caller reads through the protocol instead."""
    try:
        from moto.logs.models import logs_backends

        backend = logs_backends[account][region]
        found: list[LogEvent] = []
        for group in groups:
            log_group = backend.groups.get(group)
            if log_group is None:
                raise ProtocolError(_missing_group(group, account))
            for stream_name, stream in list(log_group.streams.items()):
                for event in list(stream.events):
                    at = int(event.timestamp)
                    if start_ms <= at <= end_ms:
                        found.append(LogEvent(group, str(stream_name), at, str(event.message)))
        return found
    except (ImportError, AttributeError, KeyError, TypeError, ValueError):
        return None


def _missing_group(group: str, account: str) -> Reply:
    return logs_error("ResourceNotFoundException", f"Log group '{group}' does not exist for account ID '{account}'.")


def _log_groups(request: dict[str, Any]) -> list[str] | None:
    """The group names a StartQuery selects, or None when it selects none the mend can read."""
    if request.get("logGroupName"):
        return [str(request["logGroupName"])]
    if request.get("logGroupNames"):
        return [str(name) for name in request["logGroupNames"]]
    if request.get("logGroupIdentifiers"):
        return [_group_name(str(ident)) for ident in request["logGroupIdentifiers"]]
    return None


def _group_name(identifier: str) -> str:
    """A name from a group name or ARN (arn:aws:logs:<region>:<account>:log-group:<name>)."""
    if identifier.startswith("arn:") and ":log-group:" in identifier:
        name = identifier.split(":log-group:", 1)[1]
        return name[:-2] if name.endswith(":*") else name
    return identifier
