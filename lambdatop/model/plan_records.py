"""Plans as the journal records them: JSON values, one-line descriptions, and the inverse.

Pure functions shared by the operator (which writes the journal) and undo (which reads it).
"""

from __future__ import annotations

from typing import Any

from lambdatop.model.plans import AliasPlan, Plan, ReservedConcurrencyPlan, Routing, Target
from lambdatop.model.validation import LiveState, Preview


def routing_of(answer: dict[str, Any]) -> Routing:
    weights = (answer.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return Routing(str(answer.get("FunctionVersion", "")), {str(k): float(v) for k, v in weights.items()})


def routing_json(routing: Routing) -> dict[str, Any]:
    return {"version": routing.version, "weights": dict(routing.weights)}


def routing_from_json(value: Any) -> Routing:
    if not isinstance(value, dict):
        raise ValueError("not an alias routing")
    weights = value.get("weights") or {}
    return Routing(str(value.get("version", "")), {str(k): float(v) for k, v in weights.items()})


def describe_recorded(value: Any) -> str:
    if value is None:
        return "no reserved concurrency"
    if isinstance(value, dict):
        return routing_from_json(value).describe()
    return f"reserved {value}"


def describe_live(shown: Preview) -> str:
    value = shown.live.value_for(shown.plan)
    if isinstance(value, Routing):
        return value.describe()
    if isinstance(shown.plan, AliasPlan):
        return "no such alias"
    return describe_recorded(value)


def inverse_of(entry: Any) -> Plan:
    """The plan that takes a journalled action back (its `before` is what it wrote). `entry`
    has the journal's fields: function_arn, function, account, region, qualifier, before, after."""
    target = Target(arn=entry.function_arn, name=entry.function, account_id=entry.account, region=entry.region)
    if entry.qualifier is not None and isinstance(entry.after, dict):
        before = routing_from_json(entry.before)
        after = routing_from_json(entry.after)
        return AliasPlan(target, entry.qualifier, "restore", after, before)
    written = None if entry.after is None else int(entry.after)
    restored = None if entry.before is None else int(entry.before)
    forward = ReservedConcurrencyPlan(target, "set", restored, written)
    return forward.inverse(restored).with_before(written)


def recorded_before(plan: Plan, live: LiveState) -> Any:
    if isinstance(plan, ReservedConcurrencyPlan):
        return live.reserved
    return routing_json(live.routing) if live.routing is not None else None


def recorded_after(plan: Plan) -> Any:
    if isinstance(plan, ReservedConcurrencyPlan):
        return plan.after
    return routing_json(plan.after)


def action_name(plan: Plan) -> str:
    if isinstance(plan, ReservedConcurrencyPlan):
        return f"reserved-concurrency:{plan.kind}"
    return f"alias:{plan.kind}"
