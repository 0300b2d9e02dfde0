"""Checking a plan against what the account says just before it is applied, and the preview.

`aws/actions.py` reads the live values (GetFunctionConcurrency, GetAlias with its RevisionId,
GetAccountSettings, the function's versions and provisioned concurrency) into a `LiveState`;
`preview()` turns plan + live state into what the confirmation screen shows: refusals that
name the rule and the numbers, what the server could not say, and how the change must be
confirmed (`enter`, or the function name typed first).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from lambdatop.model.plans import (
    AliasPlan,
    Plan,
    ReservedConcurrencyPlan,
    Routing,
    format_reserved,
    needs_typed_confirmation_by_kind,
)
from lambdatop.model.snapshot import FunctionRow

# AWS keeps at least this many units of the account's concurrency unreserved.
UNRESERVED_FLOOR = 100
LOSERS_SHOWN = 5


@dataclass(frozen=True, slots=True)
class LiveState:
    """What the account said just now. None: the server could not say (see `unknowns`)."""

    reserved: int | None = None
    reserved_known: bool = False
    provisioned: int | None = None
    concurrency_limit: int | None = None
    unreserved_limit: int | None = None
    routing: Routing | None = None
    revision_id: str | None = None
    versions: frozenset[str] | None = None
    unknowns: tuple[str, ...] = ()

    def value_for(self, plan: Plan) -> int | Routing | None:
        return self.reserved if isinstance(plan, ReservedConcurrencyPlan) else self.routing


@dataclass(frozen=True, slots=True)
class ActionContext:
    """Where a plan lands: shown on every preview, written in every journal entry."""

    account_id: str
    region: str
    profile: str | None
    caller_arn: str | None = None
    prod: bool = False


@dataclass(frozen=True, slots=True)
class Preview:
    """Everything the confirmation screen shows, and what the operator applies."""

    plan: Plan
    live: LiveState
    context: ActionContext
    refusals: tuple[str, ...] = ()
    unknowns: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    typed: bool = False
    unreserved_before: int | None = None
    unreserved_after: int | None = None
    losers: tuple[str, ...] = ()
    # Undo only: the journal entry being undone, and what it says it wrote.
    undo_of: str | None = None
    journal_after: str | None = None

    @property
    def allowed(self) -> bool:
        return not self.refusals

    @property
    def confirm_word(self) -> str:
        return self.plan.target.name

    def summary(self) -> str:
        return self.plan.describe(self.live.value_for(self.plan), use_before=True)  # type: ignore[arg-type]


def _floor(limit: int) -> int:
    return min(UNRESERVED_FLOOR, limit)


def check_reserved(plan: ReservedConcurrencyPlan, live: LiveState) -> tuple[list[str], int | None, int | None]:
    """(refusals, unreserved before, unreserved after) for a reserved-concurrency plan."""
    refusals = plan.problems()
    if live.reserved_known and live.reserved == plan.after:
        refusals.append(f"nothing to change: reserved concurrency is already {format_reserved(live.reserved)}")
    current = live.reserved or 0
    wanted = plan.after or 0
    before = live.unreserved_limit
    after = None if before is None else before + current - wanted
    if live.concurrency_limit is not None and after is not None and plan.after is not None:
        floor = _floor(live.concurrency_limit)
        if after < floor:
            elsewhere = live.concurrency_limit - before - current if before is not None else 0
            refusals.append(
                f"account floor: a cap of {wanted} would leave {after} unreserved units, under AWS's "
                f"minimum of {floor} (limit {live.concurrency_limit}, reserved by other functions {elsewhere})"
            )
    if plan.after is not None and live.provisioned is not None and plan.after < live.provisioned:
        refusals.append(
            f"provisioned concurrency: a cap of {plan.after} is below the {live.provisioned} "
            "provisioned environments this function keeps"
        )
    return refusals, before, after


def check_alias(plan: AliasPlan, live: LiveState) -> list[str]:
    refusals = plan.problems()
    if live.routing is None:
        refusals.append(f"alias {plan.alias} does not exist (GetAlias found nothing)")
        return refusals
    if live.routing.same_as(plan.after) and live.routing.weights == plan.after.weights:
        refusals.append(f"nothing to change: alias {plan.alias} is already {live.routing.describe()}")
    wanted = {plan.after.version, *plan.after.weights}
    if live.versions is not None:
        for version in sorted(wanted - live.versions):
            refusals.append(f"version {version} does not exist (published: {_versions(live.versions)})")
    return refusals


def _versions(versions: Iterable[str]) -> str:
    shown = sorted(versions, key=lambda v: (not v.isdigit(), int(v) if v.isdigit() else 0, v))
    return ", ".join(shown[-8:]) or "none"


def _same(live: LiveState, plan: Plan) -> bool:
    if isinstance(plan, ReservedConcurrencyPlan):
        return not live.reserved_known or live.reserved == plan.before
    return live.routing is not None and live.routing.same_as(plan.before)


def preview(
    plan: Plan,
    live: LiveState,
    context: ActionContext,
    *,
    concurrency_now: float | None = None,
) -> Preview:
    """Validate `plan` against `live`, and say how it must be confirmed."""
    notes: list[str] = []
    unknowns = list(live.unknowns)
    unreserved_before = unreserved_after = None
    if isinstance(plan, ReservedConcurrencyPlan):
        refusals, unreserved_before, unreserved_after = check_reserved(plan, live)
        # The reader's own note (which call did not answer, and why) is enough when there is one.
        if live.concurrency_limit is None and not any("floor" in u for u in unknowns):
            unknowns.append("the account's concurrency limit is unknown: the 100-unit floor cannot be checked")
        if live.provisioned is None and not any("rovisioned" in u for u in unknowns):
            unknowns.append("provisioned concurrency is unknown: a cap under it cannot be ruled out")
    else:
        refusals = check_alias(plan, live)
        if live.versions is None:
            unknowns.append("the function's versions could not be listed: cannot check the version exists")
    if not _same(live, plan):
        now = (
            format_reserved(live.reserved)
            if isinstance(plan, ReservedConcurrencyPlan)
            else (live.routing.describe() if live.routing else "no alias")
        )
        notes.append(f"changed since the screen read it: live value now {now}")
    typed = (
        needs_typed_confirmation_by_kind(plan, live.reserved, concurrency_now)
        or bool(unknowns)
        or not _same(live, plan)
    )
    return Preview(
        plan=plan,
        live=live,
        context=context,
        refusals=tuple(refusals),
        unknowns=tuple(dict.fromkeys(unknowns)),
        notes=tuple(notes),
        typed=typed,
        unreserved_before=unreserved_before,
        unreserved_after=unreserved_after,
    )


def losing_headroom(rows: Iterable[FunctionRow], plan: Plan, live: LiveState) -> tuple[str, ...]:
    """The busiest uncapped functions of the account+Region when a cap grows the reserved total.

    They share the unreserved pool, so every unit reserved here is one they can no longer burst
    into; the busiest (peak concurrency over the window) feel it first.
    """
    if not isinstance(plan, ReservedConcurrencyPlan) or plan.after is None:
        return ()
    if plan.after <= (live.reserved or 0):
        return ()
    target = plan.target
    shared = [
        r
        for r in rows
        if r.account_id == target.account_id
        and r.region == target.region
        and r.arn != target.arn
        and r.reserved_concurrency is None
    ]
    shared.sort(key=lambda r: -(r.concurrency_max or 0.0))
    return tuple(
        f"{r.name} (peak {r.concurrency_max:g})" if r.concurrency_max is not None else r.name
        for r in shared[:LOSERS_SHOWN]
    )


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    """What happened when a preview was applied. `message` is one plain sentence (or two)."""

    preview: Preview
    ok: bool
    message: str
    at: datetime
    error_code: str | None = None
    journal_id: str | None = None
