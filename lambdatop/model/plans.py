"""Change plans: what an operator asks AWS to do, described before anything is written.

A plan is pure data. It says in one line what it changes ("reserved concurrency 20 → 200"),
names the exact API call it makes, checks the rules that need no live read (a weight outside
[0, 1], a second extra version), and yields its inverse for undo. The live checks (account
floor, provisioned concurrency, versions that exist, RevisionId) are in `model/validation.py`,
fed by what `aws/actions.py` reads just before applying.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from lambdatop.model.sanitize import clean_text

ReservedKind = Literal["set", "remove", "stop"]
AliasKind = Literal["step", "exact", "promote", "rollback", "restore"]
WEIGHT_STEP = 0.05
# Lambda stores alias weights with this many decimals; anything finer is noise from stepping.
WEIGHT_DECIMALS = 4


class PlanError(ValueError):
    """A plan that cannot be made at all (e.g. promote with no extra version)."""


@dataclass(frozen=True, slots=True)
class Target:
    """The function a plan acts on, and where it lives."""

    arn: str
    name: str
    account_id: str
    region: str


def _shown(name: str) -> str:
    return clean_text(name, max_len=64)


def format_reserved(value: int | None) -> str:
    return "none" if value is None else str(value)


def format_weight(weight: float) -> str:
    pct = round(weight * 100, 2)
    return f"{pct:g} %"


@dataclass(frozen=True, slots=True)
class ReservedConcurrencyPlan:
    """Set, remove, or set to 0 (emergency stop) a function's reserved concurrency."""

    target: Target
    kind: ReservedKind
    before: int | None  # as the screen showed it; the live value is re-read before applying
    after: int | None  # None only for "remove"

    @staticmethod
    def set(target: Target, before: int | None, after: int) -> ReservedConcurrencyPlan:
        return ReservedConcurrencyPlan(target, "stop" if after == 0 else "set", before, after)

    @staticmethod
    def remove(target: Target, before: int | None) -> ReservedConcurrencyPlan:
        return ReservedConcurrencyPlan(target, "remove", before, None)

    @staticmethod
    def stop(target: Target, before: int | None) -> ReservedConcurrencyPlan:
        return ReservedConcurrencyPlan(target, "stop", before, 0)

    @property
    def qualifier(self) -> str | None:
        return None

    @property
    def title(self) -> str:
        return {"set": "Set reserved concurrency", "remove": "Remove reserved concurrency", "stop": "Emergency stop"}[
            self.kind
        ]

    def problems(self) -> list[str]:
        """Rules that need no live read."""
        if self.kind == "remove":
            return []
        if self.after is None or self.after < 0:
            return [f"reserved concurrency must be 0 or more (asked for {self.after})"]
        return []

    def describe(self, before: int | None = None, *, use_before: bool = False) -> str:
        shown_before = before if use_before else self.before
        return f"reserved concurrency {format_reserved(shown_before)} → {format_reserved(self.after)}"

    def api_call(self) -> str:
        name = _shown(self.target.name)
        if self.after is None:
            return f"DeleteFunctionConcurrency(FunctionName={name})"
        return f"PutFunctionConcurrency(FunctionName={name}, ReservedConcurrentExecutions={self.after})"

    @property
    def iam_action(self) -> str:
        return "lambda:DeleteFunctionConcurrency" if self.after is None else "lambda:PutFunctionConcurrency"

    def with_before(self, before: int | None) -> ReservedConcurrencyPlan:
        return ReservedConcurrencyPlan(self.target, self.kind, before, self.after)

    def inverse(self, before: int | None) -> ReservedConcurrencyPlan:
        """The plan that puts back `before` (the value live just before this one applied)."""
        if before is None:
            return ReservedConcurrencyPlan(self.target, "remove", self.after, None)
        return ReservedConcurrencyPlan(self.target, "stop" if before == 0 else "set", self.after, before)


@dataclass(frozen=True, slots=True)
class Routing:
    """Where an alias points: the primary version and the extra version's weight."""

    version: str
    weights: Mapping[str, float] = field(default_factory=dict)

    @property
    def extra(self) -> tuple[str, float] | None:
        if not self.weights:
            return None
        version, weight = next(iter(sorted(self.weights.items())))
        return version, weight

    def describe(self) -> str:
        extra = self.extra
        if extra is None:
            return f"v{self.version} 100 %"
        version, weight = extra
        return f"v{self.version} {format_weight(1 - weight)} + v{version} {format_weight(weight)}"

    def same_as(self, other: Routing) -> bool:
        mine = {v: round(w, WEIGHT_DECIMALS) for v, w in self.weights.items() if round(w, WEIGHT_DECIMALS) > 0}
        theirs = {v: round(w, WEIGHT_DECIMALS) for v, w in other.weights.items() if round(w, WEIGHT_DECIMALS) > 0}
        return self.version == other.version and mine == theirs


@dataclass(frozen=True, slots=True)
class AliasPlan:
    """Change an alias's routing: step or set the extra weight, promote, roll back."""

    target: Target
    alias: str
    kind: AliasKind
    before: Routing
    after: Routing

    @property
    def qualifier(self) -> str | None:
        return self.alias

    @property
    def title(self) -> str:
        return {
            "step": "Shift canary weight",
            "exact": "Set canary weight",
            "promote": "Promote canary",
            "rollback": "Roll canary back",
            "restore": "Restore alias routing",
        }[self.kind]

    @staticmethod
    def step(target: Target, alias: str, before: Routing, delta: float) -> AliasPlan:
        extra = before.extra
        if extra is None:
            raise PlanError(f"alias {alias} sends everything to v{before.version}: there is no canary to shift")
        version, weight = extra
        new = round(min(1.0, max(0.0, weight + delta)), WEIGHT_DECIMALS)
        return AliasPlan(target, alias, "step", before, Routing(before.version, {version: new}))

    @staticmethod
    def exact(target: Target, alias: str, before: Routing, version: str, weight: float) -> AliasPlan:
        return AliasPlan(target, alias, "exact", before, Routing(before.version, {version: weight}))

    @staticmethod
    def promote(target: Target, alias: str, before: Routing) -> AliasPlan:
        extra = before.extra
        if extra is None:
            raise PlanError(f"alias {alias} has no extra version to promote")
        return AliasPlan(target, alias, "promote", before, Routing(extra[0], {}))

    @staticmethod
    def rollback(target: Target, alias: str, before: Routing) -> AliasPlan:
        extra = before.extra
        if extra is None:
            raise PlanError(f"alias {alias} has no canary to roll back")
        return AliasPlan(target, alias, "rollback", before, Routing(before.version, {extra[0]: 0.0}))

    def problems(self) -> list[str]:
        found: list[str] = []
        if len(self.after.weights) > 1:
            extra = ", ".join(f"v{v}" for v in sorted(self.after.weights))
            found.append(f"an alias routes to at most one extra version (asked for {extra})")
        for version, weight in self.after.weights.items():
            if not 0.0 <= weight <= 1.0:
                found.append(f"weight of v{version} must be within [0, 1] (asked for {weight:g})")
            if version == self.after.version and weight > 0:
                found.append(f"v{version} is already the alias's primary version")
        return found

    def describe(self, before: Routing | None = None, *, use_before: bool = False) -> str:
        start = before if use_before and before is not None else self.before
        extra_after = self.after.extra
        extra_before = start.extra
        name = _shown(self.alias)
        if self.after.version == start.version and extra_after is not None:
            version, weight = extra_after
            was = start.weights.get(version, 0.0)
            return f"{name}: v{version} {format_weight(was)} → {format_weight(weight)}"
        if self.after.version == start.version and extra_before is not None and extra_after is None:
            return f"{name}: v{extra_before[0]} {format_weight(extra_before[1])} → 0 %"
        return f"{name}: {start.describe()} → {self.after.describe()}"

    def api_call(self) -> str:
        name = _shown(self.target.name)
        weights = ", ".join(f"'{v}': {w:g}" for v, w in sorted(self.after.weights.items()))
        routing = f"RoutingConfig={{AdditionalVersionWeights: {{{weights}}}}}"
        return (
            f"UpdateAlias(FunctionName={name}, Name={_shown(self.alias)}, "
            f"FunctionVersion={self.after.version}, {routing}, RevisionId=<read just before>)"
        )

    @property
    def iam_action(self) -> str:
        return "lambda:UpdateAlias"

    def with_before(self, before: Routing) -> AliasPlan:
        return AliasPlan(self.target, self.alias, self.kind, before, self.after)

    def inverse(self, before: Routing) -> AliasPlan:
        """The plan that puts the alias back the way it was before this one applied."""
        return AliasPlan(self.target, self.alias, "restore", self.after, before)


Plan = ReservedConcurrencyPlan | AliasPlan


def needs_typed_confirmation_by_kind(plan: Plan, live_reserved: int | None, concurrency_now: float | None) -> bool:
    """Risk by what the plan does: stopping, starving a busy function, promoting a canary."""
    if isinstance(plan, AliasPlan):
        return plan.kind == "promote"
    if plan.kind == "stop":
        return True
    if plan.kind == "set" and plan.after is not None and concurrency_now is not None:
        lowering = live_reserved is None or plan.after < live_reserved
        return lowering and plan.after < concurrency_now
    return False
