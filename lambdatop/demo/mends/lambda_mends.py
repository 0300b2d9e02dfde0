"""Lambda control-plane mends (REST JSON): what moto drops, ignores or does not route.

- ListFunctions pages of at most 50 with an opaque NextMarker, as AWS does.
- DeadLetterConfig and LoggingConfig kept and returned in every function configuration.
- Reserved concurrency: the AWS floor of unreserved concurrency enforced; 0 kept in GetFunction.
- GetAccountSettings computed from the reservations the server holds.
- Provisioned concurrency configs (Put/Get/List/Delete), allocated at once.
- UpdateAlias: RevisionId checked (412 PreconditionFailedException) and renewed on every update;
  routing checked as AWS does (one extra version, weights within [0, 1], published versions).

Everything else about functions stays with moto; this module only reads moto's answers back
through in-process calls and rewrites them.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from lambdatop.demo.mends.alias_mends import update_alias
from lambdatop.demo.mends.lambda_state import (
    FunctionKey,
    LambdaState,
    ProvisionedConfig,
    logging_config,
    split_function_ref,
)
from lambdatop.demo.mends.protocol import (
    Call,
    Reply,
    WsgiApp,
    forward,
    internal_environ,
    json_reply,
    lambda_timestamp,
)

CONTENT_TYPE = "application/json"
PAGE_LIMIT = 50
UNRESERVED_FLOOR = 100
TOTAL_CODE_SIZE_LIMIT = 80_530_636_800
CODE_SIZE_UNZIPPED_LIMIT = 262_144_000
CODE_SIZE_ZIPPED_LIMIT = 52_428_800

_FUNCTIONS = re.compile(r"^/2015-03-31/functions/?$")
_FUNCTION = re.compile(r"^/2015-03-31/functions/(?P<fn>[^/]+)/?$")
_FUNCTION_PART = re.compile(r"^/2015-03-31/functions/(?P<fn>[^/]+)/(?P<part>configuration|code|versions)/?$")
_ALIAS = re.compile(r"^/2015-03-31/functions/(?P<fn>[^/]+)/aliases/(?P<alias>[^/]+)/?$")
_RESERVED = re.compile(r"^/2017-10-31/functions/(?P<fn>[^/]+)/concurrency/?$")
_PROVISIONED = re.compile(r"^/2019-09-30/functions/(?P<fn>[^/]+)/provisioned-concurrency/?$")
_ACCOUNT_SETTINGS = re.compile(r"^/2016-08-19/account-settings/?$")


def lambda_error(code: str, message: str, status: int) -> Reply:
    """An error as Lambda's REST JSON protocol sends it (code in x-amzn-ErrorType)."""
    reply = json_reply(
        {"Type": "User", "message": message, "Message": message}, status=status, content_type=CONTENT_TYPE
    )
    reply.headers.append(("x-amzn-ErrorType", code))
    return reply


class LambdaMends:
    """Routes the Lambda requests that need mending; returns None for the others."""

    def __init__(
        self,
        moto: WsgiApp,
        state: LambdaState,
        *,
        account_concurrency_limit: int,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._moto = moto
        self._state = state
        self._limit = account_concurrency_limit
        self._now = now

    @staticmethod
    def wants_body(method: str, path: str) -> bool:
        """Whether the request body must be read before routing (the rest stream through)."""
        return method in ("POST", "PUT") and bool(
            _FUNCTIONS.match(path)
            or _FUNCTION_PART.match(path)
            or _RESERVED.match(path)
            or _PROVISIONED.match(path)
            or _ALIAS.match(path)
        )

    def handle(self, call: Call) -> Reply | None:
        path, method = call.path, call.method
        if _ACCOUNT_SETTINGS.match(path) and method == "GET":
            return self._account_settings(call)
        if _FUNCTIONS.match(path):
            if method == "GET":
                return self._list_functions(call)
            if method == "POST":
                return self._create_function(call)
            return None
        if match := _FUNCTION.match(path):
            if method == "GET":
                return self._get_function(call)
            if method == "DELETE":
                return self._delete_function(call, match.group("fn"))
            return None
        if match := _FUNCTION_PART.match(path):
            return self._function_part(call, match.group("part"))
        if (match := _ALIAS.match(path)) and method == "DELETE":
            return self._delete_alias(call, match.group("fn"), match.group("alias"))
        if (match := _ALIAS.match(path)) and method == "PUT":
            return update_alias(self._moto, call, match.group("fn"), match.group("alias"))
        if match := _RESERVED.match(path):
            if method == "PUT":
                return self._put_reserved(call, match.group("fn"))
            if method == "DELETE":
                return self._delete_reserved(call, match.group("fn"))
            return None
        if match := _PROVISIONED.match(path):
            return self._provisioned(call, match.group("fn"))
        return None

    # -- configurations ------------------------------------------------------------------

    def _decorate(self, call: Call, config: dict[str, Any]) -> dict[str, Any]:
        """Put back the LoggingConfig and DeadLetterConfig moto dropped."""
        name = config.get("FunctionName")
        if not isinstance(name, str):
            return config
        extras = self._state.get((call.account, call.region, name))
        config["LoggingConfig"] = logging_config(extras, name)
        if extras is not None and extras.dead_letter_arn:
            config["DeadLetterConfig"] = {"TargetArn": extras.dead_letter_arn}
        else:
            config.pop("DeadLetterConfig", None)
        return config

    def _create_function(self, call: Call) -> Reply:
        reply = forward(self._moto, call.environ)
        if reply.status != 201:
            return reply
        config = reply.json()
        request = json.loads(call.body or b"{}")
        self._state.record_configuration(self._key(call, config["FunctionName"]), request)
        return reply.with_json(self._decorate(call, config))

    def _get_function(self, call: Call) -> Reply:
        reply = forward(self._moto, call.environ)
        if reply.status != 200:
            return reply
        document = reply.json()
        configuration = document.get("Configuration") or {}
        self._decorate(call, configuration)
        extras = self._state.get(self._key(call, configuration.get("FunctionName", "")))
        if extras is not None and extras.reserved is not None:
            # AWS returns Concurrency whenever a reservation is set, 0 included.
            document["Concurrency"] = {"ReservedConcurrentExecutions": extras.reserved}
        else:
            document.pop("Concurrency", None)
        return reply.with_json(document)

    def _function_part(self, call: Call, part: str) -> Reply | None:
        method = call.method
        if (part, method) not in {
            ("configuration", "GET"),
            ("configuration", "PUT"),
            ("code", "PUT"),
            ("versions", "GET"),
            ("versions", "POST"),
        }:
            return None
        reply = forward(self._moto, call.environ)
        if reply.status not in (200, 201):
            return reply
        document = reply.json()
        if part == "versions" and method == "GET":
            for version in document.get("Versions") or []:
                self._decorate(call, version)
            return reply.with_json(document)
        if (part, method) == ("configuration", "PUT"):
            request = json.loads(call.body or b"{}")
            self._state.record_configuration(self._key(call, document["FunctionName"]), request)
        return reply.with_json(self._decorate(call, document))

    def _list_functions(self, call: Call) -> Reply:
        try:
            limit = min(int(call.param("MaxItems") or PAGE_LIMIT), PAGE_LIMIT)
        except ValueError:
            return lambda_error("InvalidParameterValueException", "Invalid MaxItems", 400)
        if limit < 1:
            return lambda_error("InvalidParameterValueException", "Invalid MaxItems", 400)
        version = call.param("FunctionVersion")
        if version:  # every version: rare, and moto's own answer names $LATEST as AWS does
            reply = self._internal(call, "GET", "/2015-03-31/functions", {"FunctionVersion": version})
            if reply.status != 200:
                return reply
            listed: list[Any] = reply.json().get("Functions") or []
            arns = [f.get("FunctionArn") for f in listed]
        else:
            # moto serialises every function for each page; only the page's are needed. The
            # configurations are moto's own (get_configuration is what its answer is made of).
            listed = list(_moto_lambda(call).list_functions())
            arns = [f.function_arn for f in listed]
        try:
            start = _marker_position(call.param("Marker"), arns)
        except ValueError:
            return lambda_error("InvalidParameterValueException", "Invalid marker", 400)
        page = [f if isinstance(f, dict) else _configuration_of(f) for f in listed[start : start + limit]]
        document: dict[str, Any] = {"Functions": [self._decorate(call, f) for f in page]}
        if start + limit < len(listed):
            document["NextMarker"] = _marker(arns[start + limit - 1] or "", start + limit)
        return json_reply(document, content_type=CONTENT_TYPE)

    def _delete_function(self, call: Call, ref: str) -> Reply:
        reply = forward(self._moto, call.environ)
        if reply.status not in (200, 204):
            return reply
        name, qualifier = split_function_ref(ref)
        qualifier = call.param("Qualifier") or qualifier
        key = self._key(call, name)
        if qualifier is None:
            self._state.forget(key)
        else:
            self._state.delete_provisioned(key, qualifier)
        return reply

    def _delete_alias(self, call: Call, ref: str, alias: str) -> Reply:
        reply = forward(self._moto, call.environ)
        if reply.status in (200, 204):
            self._state.delete_provisioned(self._key(call, split_function_ref(ref)[0]), alias)
        return reply

    # -- reserved concurrency and account settings ---------------------------------------

    def _put_reserved(self, call: Call, ref: str) -> Reply:
        found = self._configuration(call, ref)
        if found.status != 200:
            return found
        name = found.json()["FunctionName"]
        try:
            reserved = int(json.loads(call.body or b"{}")["ReservedConcurrentExecutions"])
        except (KeyError, TypeError, ValueError):
            return lambda_error("InvalidParameterValueException", "ReservedConcurrentExecutions is required.", 400)
        others = self._state.reserved_total(call.account, call.region, excluding=name)
        floor = min(UNRESERVED_FLOOR, self._limit)
        if reserved < 0 or self._limit - (others + reserved) < floor:
            return lambda_error(
                "InvalidParameterValueException",
                "Specified ReservedConcurrentExecutions for function decreases account's "
                f"UnreservedConcurrentExecution below its minimum value of [{floor}].",
                400,
            )
        reply = forward(self._moto, call.environ)
        if reply.status == 200:
            self._state.set_reserved(self._key(call, name), reserved)
        return reply

    def _delete_reserved(self, call: Call, ref: str) -> Reply:
        reply = forward(self._moto, call.environ)
        if reply.status in (200, 204):
            self._state.set_reserved(self._key(call, split_function_ref(ref)[0]), None)
        return reply

    def _account_settings(self, call: Call) -> Reply:
        # Summed over moto's functions and their versions, as ListFunctions(FunctionVersion=ALL)
        # would list them, without that answer's deep copy of every function (~40 ms a call
        # at 500 functions, with the GIL held).
        names: set[str] = set()
        code_size = 0
        for group in list(_moto_lambda(call)._lambdas._functions.values()):
            latest = group.get("latest")
            for function in ([latest] if latest is not None else []) + list(group.get("versions") or []):
                names.add(function.function_name)
                code_size += int(function.code_size or 0)
        reserved = self._state.reserved_total(call.account, call.region)
        document = {
            "AccountLimit": {
                "TotalCodeSize": TOTAL_CODE_SIZE_LIMIT,
                "CodeSizeUnzipped": CODE_SIZE_UNZIPPED_LIMIT,
                "CodeSizeZipped": CODE_SIZE_ZIPPED_LIMIT,
                "ConcurrentExecutions": self._limit,
                "UnreservedConcurrentExecutions": self._limit - reserved,
            },
            "AccountUsage": {"TotalCodeSize": code_size, "FunctionCount": len(names)},
        }
        return json_reply(document, content_type=CONTENT_TYPE)

    # -- provisioned concurrency ---------------------------------------------------------

    def _provisioned(self, call: Call, ref: str) -> Reply | None:
        found = self._configuration(call, ref)
        if found.status != 200:
            return found
        configuration = found.json()
        name = configuration["FunctionName"]
        key = self._key(call, name)
        if call.method == "GET" and call.param("List") == "ALL":
            return self._list_provisioned(call, key, configuration["FunctionArn"])
        qualifier = call.param("Qualifier") or split_function_ref(ref)[1]
        if not qualifier:
            return lambda_error(
                "InvalidParameterValueException", "Qualifier is required for provisioned concurrency.", 400
            )
        if call.method == "GET":
            config = self._state.provisioned(key).get(qualifier)
            if config is None:
                return lambda_error(
                    "ProvisionedConcurrencyConfigNotFoundException",
                    "No Provisioned Concurrency Config found for this function",
                    404,
                )
            return json_reply(config.document(), content_type=CONTENT_TYPE)
        if call.method == "DELETE":
            self._state.delete_provisioned(key, qualifier)
            return Reply(204, b"", [("x-amzn-RequestId", "demo")])
        if call.method == "PUT":
            return self._put_provisioned(call, key, ref, qualifier)
        return None

    def _put_provisioned(self, call: Call, key: FunctionKey, ref: str, qualifier: str) -> Reply:
        if qualifier == "$LATEST":
            return lambda_error(
                "InvalidParameterValueException",
                "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
                400,
            )
        target = self._configuration(call, ref, qualifier)
        if target.status != 200:
            return target
        try:
            requested = int(json.loads(call.body or b"{}")["ProvisionedConcurrentExecutions"])
        except (KeyError, TypeError, ValueError):
            return lambda_error("InvalidParameterValueException", "ProvisionedConcurrentExecutions is required.", 400)
        if requested < 1:
            return lambda_error(
                "InvalidParameterValueException", "ProvisionedConcurrentExecutions must be at least 1.", 400
            )
        refusal = self._provisioned_refusal(call, key, qualifier, requested)
        if refusal is not None:
            return refusal
        config = ProvisionedConfig(requested, lambda_timestamp(self._now()))
        self._state.put_provisioned(key, qualifier, config)
        return json_reply(config.document(), status=202, content_type=CONTENT_TYPE)

    def _provisioned_refusal(self, call: Call, key: FunctionKey, qualifier: str, requested: int) -> Reply | None:
        extras = self._state.get(key)
        name = key[2]
        if extras is not None and extras.reserved is not None:
            # Provisioned concurrency is carved out of the function's own reservation.
            others = sum(c.requested for q, c in extras.provisioned.items() if q != qualifier)
            if others + requested > extras.reserved:
                return lambda_error(
                    "InvalidParameterValueException",
                    "Requested Provisioned Concurrency should not be greater than the "
                    "reservedConcurrentExecution for function",
                    400,
                )
            return None
        committed = self._state.reserved_total(call.account, call.region)
        committed += self._state.unreserved_provisioned_total(call.account, call.region, excluding=(name, qualifier))
        floor = min(UNRESERVED_FLOOR, self._limit)
        if self._limit - (committed + requested) < floor:
            return lambda_error(
                "InvalidParameterValueException",
                "Specified ConcurrentExecutions for function decreases account's "
                f"UnreservedConcurrentExecution below its minimum value of [{floor}].",
                400,
            )
        return None

    def _list_provisioned(self, call: Call, key: FunctionKey, function_arn: str) -> Reply:
        try:
            limit = min(int(call.param("MaxItems") or PAGE_LIMIT), PAGE_LIMIT)
        except ValueError:
            limit = 0
        if limit < 1:
            return lambda_error("InvalidParameterValueException", "Invalid MaxItems", 400)
        base_arn = function_arn.split(":function:", 1)[0] + ":function:" + key[2]
        items = []
        for qualifier, config in sorted(self._state.provisioned(key).items()):
            items.append({"FunctionArn": f"{base_arn}:{qualifier}", **config.document()})
        try:
            start = _marker_position(call.param("Marker"), [i["FunctionArn"] for i in items])
        except ValueError:
            return lambda_error("InvalidParameterValueException", "Invalid marker", 400)
        page = items[start : start + limit]
        document: dict[str, Any] = {"ProvisionedConcurrencyConfigs": page}
        if start + limit < len(items):
            document["NextMarker"] = _marker(page[-1]["FunctionArn"], start + limit)
        return json_reply(document, content_type=CONTENT_TYPE)

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def _key(call: Call, name: str) -> FunctionKey:
        return (call.account, call.region, name)

    def _configuration(self, call: Call, ref: str, qualifier: str | None = None) -> Reply:
        """moto's GetFunctionConfiguration: existence check and canonical name in one call.

        WSGI paths are already percent-decoded, so the name goes in as it is."""
        name, _ = split_function_ref(ref)
        query = {"Qualifier": qualifier} if qualifier else {}
        return self._internal(call, "GET", f"/2015-03-31/functions/{name}/configuration", query)

    def _internal(self, call: Call, method: str, path: str, query: dict[str, str]) -> Reply:
        environ = internal_environ(call.environ, method=method, path=path, query=query)
        return forward(self._moto, environ)


def _moto_lambda(call: Call) -> Any:
    """moto's Lambda backend of the request's account and Region (the one its answers use)."""
    from moto.awslambda.utils import get_backend

    return get_backend(call.account, call.region)


def _configuration_of(function: Any) -> dict[str, Any]:
    """A function's configuration as moto's ListFunctions answer carries it (a JSON copy)."""
    configuration: dict[str, Any] = json.loads(json.dumps(function.get_configuration()))
    return configuration


def _marker(last_arn: str, next_index: int) -> str:
    """Opaque to clients: where the next page starts, by item and by position."""
    raw = json.dumps({"after": last_arn, "at": next_index}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _marker_position(marker: str | None, arns: list[Any]) -> int:
    """Index of the first item of the page a marker asks for (0 without a marker)."""
    if not marker:
        return 0
    try:
        decoded = json.loads(base64.urlsafe_b64decode(marker.encode()))
        after, at = str(decoded["after"]), int(decoded["at"])
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError("invalid marker") from error
    # Resume after the last item seen, so functions created or deleted between pages do not
    # shift the listing; fall back to the position when that item has gone.
    if after in arns:
        return arns.index(after) + 1
    return max(at, 0)
