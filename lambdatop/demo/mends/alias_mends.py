"""UpdateAlias as AWS answers it: optimistic locking on RevisionId, and routing rules.

moto keeps one RevisionId per alias for ever and accepts any routing. AWS renews RevisionId on
every update and refuses a stale one with `PreconditionFailedException` (HTTP 412), so two
operators cannot silently overwrite each other; it also refuses more than one extra version,
weights outside [0, 1], the primary version as the extra one, and versions that do not exist.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from lambdatop.demo.mends.lambda_state import split_function_ref
from lambdatop.demo.mends.protocol import Call, Reply, WsgiApp, forward, internal_environ


def _error(code: str, message: str, status: int) -> Reply:
    from lambdatop.demo.mends.lambda_mends import lambda_error

    return lambda_error(code, message, status)


def _get(moto: WsgiApp, call: Call, path: str, query: dict[str, str] | None = None) -> Reply:
    return forward(moto, internal_environ(call.environ, method="GET", path=path, query=query or {}))


def _versions(moto: WsgiApp, call: Call, name: str) -> set[str]:
    reply = _get(moto, call, f"/2015-03-31/functions/{name}/versions")
    if reply.status != 200:
        return set()
    return {str(v.get("Version")) for v in reply.json().get("Versions") or []}


def _routing_problem(request: dict[str, Any], primary: str, versions: set[str]) -> Reply | None:
    routing = request.get("RoutingConfig") or {}
    weights = routing.get("AdditionalVersionWeights") or {}
    if not isinstance(weights, dict):
        return _error("ValidationException", "AdditionalVersionWeights must be a map", 400)
    if len(weights) > 1:
        return _error(
            "InvalidParameterValueException",
            "Number of items in AdditionalVersionWeights exceeds the maximum of 1",
            400,
        )
    for version, weight in weights.items():
        try:
            value = float(weight)
        except (TypeError, ValueError):
            value = -1.0
        if not 0.0 <= value <= 1.0:
            return _error(
                "ValidationException",
                "1 validation error detected: Value at 'routingConfig.additionalVersionWeights' failed to satisfy "
                "constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, "
                "Member must have value greater than or equal to 0.0]",
                400,
            )
        if str(version) == primary:
            return _error(
                "InvalidParameterValueException",
                f"Function version {version} is already included in routing configuration.",
                400,
            )
        if str(version) not in versions:
            return _error("ResourceNotFoundException", f"Function version {version} does not exist.", 404)
    return None


def update_alias(moto: WsgiApp, call: Call, ref: str, alias: str) -> Reply:
    from moto.awslambda.utils import get_backend

    name, _ = split_function_ref(ref)
    current = _get(moto, call, f"/2015-03-31/functions/{name}/aliases/{alias}")
    if current.status not in (200, 201):  # moto answers GetAlias with 201
        return current
    try:
        request = json.loads(call.body or b"{}")
    except ValueError:
        return _error("InvalidRequestContentException", "Could not parse request body into json", 400)
    known = current.json()
    sent = request.get("RevisionId")
    if sent and sent != known.get("RevisionId"):
        return _error(
            "PreconditionFailedException",
            "The Revision Id provided does not match the latest Revision Id. "
            "Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
            412,
        )
    primary = str(request.get("FunctionVersion") or known.get("FunctionVersion"))
    problem = _routing_problem(request, primary, _versions(moto, call, name))
    if problem is not None:
        return problem
    reply = forward(moto, call.environ)
    if reply.status not in (200, 201):
        return reply
    # A new RevisionId for every change, as AWS gives (moto keeps the first one for ever).
    backend = get_backend(call.account, call.region)  # the Docker-free backend the demo uses
    stored = backend.get_alias(alias, name)
    stored.revision_id = str(uuid.uuid4())
    document = reply.json()
    document["RevisionId"] = stored.revision_id
    reply = reply.with_json(document)
    reply.status = 200  # AWS answers UpdateAlias with 200 (moto: 201)
    return reply
