"""The one module that changes AWS: reserved concurrency and alias routing.

Every write goes: read the live values (GetFunctionConcurrency, GetAccountSettings,
ListProvisionedConcurrencyConfigs, or GetAlias with its RevisionId and ListVersionsByFunction),
validate the plan against them (`model/validation.py`), refuse if anything moved since the
preview, journal the intent (fsync'd), write through the control-plane budget ahead of any
queued read, journal the result. Read-only mode refuses here, whatever path the request took.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from lambdatop.aws.budget import ControlPlaneBudget
from lambdatop.aws.errors import classify, error_code
from lambdatop.aws.session import ClientPool
from lambdatop.clock import Clock
from lambdatop.journal import Journal, JournalEntry
from lambdatop.model.plan_records import (
    action_name,
    describe_live,
    describe_recorded,
    inverse_of,
    recorded_after,
    recorded_before,
    routing_of,
)
from lambdatop.model.plans import Plan, ReservedConcurrencyPlan, Routing, Target
from lambdatop.model.sanitize import clean_text
from lambdatop.model.validation import ActionContext, ActionOutcome, LiveState, Preview, preview

READ_ONLY_REASON = "read-only mode: lambdatop changes nothing in AWS (--read-only or read_only = true)"
THROTTLE_CODES = frozenset({"TooManyRequestsException", "ThrottlingException", "Throttling"})
# Waits between attempts of a throttled write: bounded, about 3.5 s in all.
RETRY_DELAYS_S = (0.5, 1.0, 2.0)
OPERATOR_READ_PRIORITY = -1  # the re-read just before a write: ahead of every background read


class AwsOperator:
    """The real `Operator` (see lambdatop.protocols)."""

    def __init__(
        self,
        pool: ClientPool,
        journal: Journal,
        clock: Clock,
        *,
        profile: str | None,
        read_only: bool,
        prod: bool = False,
        budget_for: Callable[[str], ControlPlaneBudget] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._pool = pool
        self.journal = journal
        self._clock = clock
        self.profile = profile
        self._read_only = read_only
        self._prod = prod
        self._budgets: dict[str, ControlPlaneBudget] = {}
        self._budget_for = budget_for
        self._sleep = sleep
        self._identity: tuple[str, str] | None = None

    @property
    def read_only(self) -> bool:
        return self._read_only

    def budget(self, region: str) -> ControlPlaneBudget:
        if self._budget_for is not None:
            return self._budget_for(region)
        return self._budgets.setdefault(region, ControlPlaneBudget())

    # --- what the UI calls ------------------------------------------------------------------

    async def preview(self, plan: Plan, *, concurrency_now: float | None = None) -> Preview:
        """Read the live values and validate `plan` against them (nothing is written)."""
        context = await self._context(plan.target.region)
        live = await self.read_live(plan)
        result = preview(plan, live, context, concurrency_now=concurrency_now)
        if self._read_only:
            return _refused(result, READ_ONLY_REASON)
        return result

    async def apply(self, shown: Preview) -> ActionOutcome:
        """Re-validate against the live account, journal, write, journal the result."""
        if self._read_only:
            return self._outcome(shown, False, f"refused: {READ_ONLY_REASON}. Nothing was written.")
        plan = shown.plan
        try:
            live = await self.read_live(plan)
        except Exception as exc:
            reason = clean_text(classify(exc).reason, max_len=160)
            return self._outcome(shown, False, f"could not re-read the live value ({reason}): nothing was written.")
        fresh = preview(plan, live, shown.context)
        if fresh.refusals:
            return self._outcome(fresh, False, "refused: " + "; ".join(fresh.refusals) + ". Nothing was written.")
        if live.value_for(plan) != shown.live.value_for(plan):
            now = fresh.summary()
            return self._outcome(
                fresh, False, f"the live value changed since the preview ({now}): nothing was written; look again."
            )
        before = recorded_before(plan, live)
        after = recorded_after(plan)
        # fsync'd off the event loop: a slow disk must not freeze the screen.
        entry_id = await asyncio.to_thread(
            self.journal.intent,
            time=self._clock.now(),
            action=action_name(plan),
            profile=self.profile,
            account=shown.context.account_id,
            region=plan.target.region,
            caller_arn=shown.context.caller_arn,
            function=plan.target.name,
            function_arn=plan.target.arn,
            qualifier=plan.qualifier,
            before=before,
            after=after,
            api_call=plan.api_call(),
            undoes=shown.undo_of,
        )
        try:
            await self._write(plan, live)
        except Exception as exc:
            code = error_code(exc)
            message = self._failure_message(plan, exc)
            await asyncio.to_thread(
                self.journal.result,
                entry_id,
                time=self._clock.now(),
                outcome="failed",
                error=f"{code or 'error'}: {message}",
            )
            return self._outcome(fresh, False, message, code=code, journal_id=entry_id)
        await asyncio.to_thread(self.journal.result, entry_id, time=self._clock.now(), outcome="ok")
        done = plan.describe(live.value_for(plan), use_before=True)  # type: ignore[arg-type]
        return self._outcome(fresh, True, f"{plan.target.name}: {done}", journal_id=entry_id)

    async def undo_preview(self, account_id: str, region: str) -> Preview | None:
        """The inverse of the last action on this account+Region, checked against the live value."""
        entry = self.journal.last_undoable(account_id, region)
        if entry is None:
            return None
        plan = inverse_of(entry)
        shown = await self.preview(plan)
        return _as_undo(shown, entry)

    def unfinished(self) -> list[str]:
        """Actions whose result the journal never got (lambdatop stopped mid-call); they are
        recorded as "unknown" now, so each is reported once."""
        return [e.describe() for e in self.journal.settle_unfinished(self._clock.now())]

    # --- live reads -------------------------------------------------------------------------

    async def _context(self, region: str) -> ActionContext:
        if self._identity is None:
            sts = await self._pool.client("sts", region)
            identity = await sts.get_caller_identity()
            self._identity = (str(identity["Account"]), str(identity.get("Arn") or ""))
        account, arn = self._identity
        return ActionContext(account_id=account, region=region, profile=self.profile, caller_arn=arn, prod=self._prod)

    async def read_live(self, plan: Plan) -> LiveState:
        lam = await self._pool.client("lambda", plan.target.region)
        budget = self.budget(plan.target.region)
        if isinstance(plan, ReservedConcurrencyPlan):
            return await self._read_reserved(lam, budget, plan.target)
        return await self._read_alias(lam, budget, plan.target, plan.alias)

    async def _read_reserved(self, lam: Any, budget: ControlPlaneBudget, target: Target) -> LiveState:
        unknowns: list[str] = []
        async with budget.read(OPERATOR_READ_PRIORITY):
            answer = await lam.get_function_concurrency(FunctionName=target.name)
        reserved = answer.get("ReservedConcurrentExecutions")
        limit = unreserved = None
        try:
            async with budget.read(OPERATOR_READ_PRIORITY):
                settings = await lam.get_account_settings()
            limits = settings.get("AccountLimit") or {}
            limit = int(limits["ConcurrentExecutions"])
            unreserved = int(limits["UnreservedConcurrentExecutions"])
        except Exception as exc:
            unknowns.append(
                f"GetAccountSettings did not answer ({classify(exc).reason}): the 100-unit floor is unchecked"
            )
        provisioned: int | None = None
        try:
            provisioned = await self._provisioned(lam, budget, target.name)
        except Exception as exc:
            unknowns.append(f"ListProvisionedConcurrencyConfigs did not answer ({classify(exc).reason})")
        return LiveState(
            reserved=int(reserved) if reserved is not None else None,
            reserved_known=True,
            provisioned=provisioned,
            concurrency_limit=limit,
            unreserved_limit=unreserved,
            unknowns=tuple(unknowns),
        )

    async def _provisioned(self, lam: Any, budget: ControlPlaneBudget, name: str) -> int:
        total = 0
        marker: str | None = None
        while True:
            kwargs: dict[str, Any] = {"FunctionName": name, "MaxItems": 50}
            if marker:
                kwargs["Marker"] = marker
            async with budget.read(OPERATOR_READ_PRIORITY):
                page = await lam.list_provisioned_concurrency_configs(**kwargs)
            for item in page.get("ProvisionedConcurrencyConfigs") or []:
                total += int(item.get("RequestedProvisionedConcurrentExecutions") or 0)
            marker = page.get("NextMarker")
            if not marker:
                return total

    async def _read_alias(self, lam: Any, budget: ControlPlaneBudget, target: Target, alias: str) -> LiveState:
        unknowns: list[str] = []
        routing: Routing | None = None
        revision: str | None = None
        try:
            async with budget.read(OPERATOR_READ_PRIORITY):
                answer = await lam.get_alias(FunctionName=target.name, Name=alias)
            routing = routing_of(answer)
            revision = answer.get("RevisionId")
        except Exception as exc:
            if error_code(exc) != "ResourceNotFoundException":
                raise
        versions: set[str] | None = set()
        marker: str | None = None
        try:
            while True:
                kwargs: dict[str, Any] = {"FunctionName": target.name, "MaxItems": 50}
                if marker:
                    kwargs["Marker"] = marker
                async with budget.read(OPERATOR_READ_PRIORITY):
                    page = await lam.list_versions_by_function(**kwargs)
                assert versions is not None
                versions.update(str(v.get("Version")) for v in page.get("Versions") or [])
                marker = page.get("NextMarker")
                if not marker:
                    break
        except Exception as exc:
            versions = None
            unknowns.append(f"ListVersionsByFunction did not answer ({classify(exc).reason})")
        return LiveState(
            routing=routing,
            revision_id=revision,
            versions=frozenset(versions) if versions is not None else None,
            unknowns=tuple(unknowns),
        )

    # --- the write --------------------------------------------------------------------------

    async def _write(self, plan: Plan, live: LiveState) -> None:
        # The write's own client: patient timeouts, and never held back by a read endpoint that
        # went silent (a dashboard's reads fail fast; an operator's change waits for its answer).
        lam = await self._pool.client("lambda", plan.target.region, purpose="write")
        budget = self.budget(plan.target.region)
        attempt = 0
        while True:
            try:
                async with budget.write():
                    await self._call(lam, plan, live)
                return
            except Exception as exc:
                if error_code(exc) not in THROTTLE_CODES or attempt >= len(RETRY_DELAYS_S):
                    raise
                await self._sleep(RETRY_DELAYS_S[attempt])
                attempt += 1

    @staticmethod
    async def _call(lam: Any, plan: Plan, live: LiveState) -> None:
        if isinstance(plan, ReservedConcurrencyPlan):
            if plan.after is None:
                await lam.delete_function_concurrency(FunctionName=plan.target.name)
            else:
                await lam.put_function_concurrency(
                    FunctionName=plan.target.name, ReservedConcurrentExecutions=plan.after
                )
            return
        kwargs: dict[str, Any] = {
            "FunctionName": plan.target.name,
            "Name": plan.alias,
            "FunctionVersion": plan.after.version,
            # An empty map clears the extra version (promote); a 0 weight keeps it listed at 0 %.
            "RoutingConfig": {"AdditionalVersionWeights": dict(plan.after.weights)},
        }
        if live.revision_id:
            kwargs["RevisionId"] = live.revision_id  # a concurrent change fails instead of being overwritten
        await lam.update_alias(**kwargs)

    def _failure_message(self, plan: Plan, exc: BaseException) -> str:
        code = error_code(exc)
        kind = classify(exc).kind
        server = clean_text(_server_message(exc), max_len=200)
        if kind == "denied":
            return (
                f"{code or 'AccessDenied'}: this role may not call {plan.iam_action} on {plan.target.arn}. "
                "Add it to the role's policy (README, IAM). Nothing was changed."
            )
        if code in THROTTLE_CODES or kind == "throttled":
            tries = len(RETRY_DELAYS_S) + 1
            return (
                f"{code or 'TooManyRequestsException'}: the account's Lambda API pool is busy (other tools share "
                f"it); tried {tries} times over {sum(RETRY_DELAYS_S):g} s. Nothing was changed; try again shortly."
            )
        if code == "PreconditionFailedException":
            return (
                "PreconditionFailedException: the alias changed since lambdatop read it (its RevisionId no longer "
                "matches), so nothing was overwritten. Look at it again and retry."
            )
        if kind == "timeout":
            return "timed out waiting for AWS: the change may or may not have been applied; the row will show."
        if code:
            return f"{code}: {server or 'AWS refused the change'}. Nothing was changed."
        return f"{classify(exc).reason}. The change may not have been applied."

    def _outcome(
        self, shown: Preview, ok: bool, message: str, *, code: str | None = None, journal_id: str | None = None
    ) -> ActionOutcome:
        return ActionOutcome(
            preview=shown, ok=ok, message=message, at=self._clock.now(), error_code=code, journal_id=journal_id
        )


def _server_message(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error") or {}
        return str(error.get("Message") or "")
    return str(exc)


def _refused(shown: Preview, reason: str) -> Preview:
    from dataclasses import replace

    return replace(shown, refusals=(reason, *shown.refusals))


def _as_undo(shown: Preview, entry: JournalEntry) -> Preview:
    from dataclasses import replace

    written = describe_recorded(entry.after)
    notes = list(shown.notes)
    if any(n.startswith("changed since") for n in notes):
        notes = [
            f"the journal says {entry.time[:19]} wrote {written}; "
            f"before it was {describe_recorded(entry.before)}; now it is {describe_live(shown)}",
            "it changed behind lambdatop's back since: type the function name to put it back anyway",
        ]
    return replace(shown, undo_of=entry.id, journal_after=written, notes=tuple(notes))
