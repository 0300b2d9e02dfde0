"""The app's half of an action: key → plan → live preview → confirmation → apply → facts.

The app owns the operator (see `lambdatop.protocols.Operator`). Screens post
`ActionRequested`, or the action keys run here directly; each request runs in one exclusive
worker: `operator.preview()` reads the live account, the preview screen asks for `enter` or
the typed function name, `operator.apply()` writes and journals, and the result comes back as
`ActionApplied` / `ActionFailed`. Read-only mode greys every key out here, offers no write in
the palette, and the operator refuses anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.screen import Screen

from lambdatop.model.plans import Plan, PlanError, ReservedConcurrencyPlan
from lambdatop.model.sanitize import clean_text
from lambdatop.model.snapshot import FunctionRow
from lambdatop.model.validation import Preview, losing_headroom
from lambdatop.ui.action_keys import WRITE_ACTIONS, ActsOnFunction
from lambdatop.ui.messages import ActionApplied, ActionFailed, ActionRequested
from lambdatop.ui.screens.action_preview import ActionPreviewScreen
from lambdatop.ui.screens.alias_panel import AliasPanel, target_of
from lambdatop.ui.screens.reserved_prompt import ReservedPrompt

if TYPE_CHECKING:
    from lambdatop.protocols import Operator, SnapshotSource
    from lambdatop.settings import Settings
    from lambdatop.ui.screens.fleet import FleetScreen

ACTION_GROUP = "action"
READ_ONLY_REASON = "read-only mode"
NO_OPERATOR_REASON = "no writes in this mode"


class ActionFlow(App[None]):
    """Mixed into LambdatopApp: the action keys, their checks, and the worker that applies."""

    operator: Operator | None
    settings: Settings
    source: SnapshotSource
    fleet: FleetScreen

    # --- availability -----------------------------------------------------------------------

    def write_unavailable_reason(self) -> str | None:
        """Why the keys that change AWS do nothing now (None: they work)."""
        if self.settings.read_only or (self.operator is not None and self.operator.read_only):
            return READ_ONLY_REASON
        if self.operator is None:
            return NO_OPERATOR_REASON
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS:
            # None: still listed in the footer and `?`, greyed out (False would hide it).
            return True if self.write_unavailable_reason() is None else None
        return super().check_action(action, parameters)

    def _refuse_if_unavailable(self) -> bool:
        reason = self.write_unavailable_reason()
        if reason is not None:
            self.notify(f"not available: {reason}", title="action", severity="warning", markup=False)
            return True
        return False

    def action_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Palette entries for the writes (none at all in read-only mode)."""
        if self.write_unavailable_reason() is not None:
            return
        yield SystemCommand("Set reserved concurrency", "of the highlighted function", self.action_set_reserved)
        yield SystemCommand("Remove reserved concurrency", "of the highlighted function", self.action_remove_reserved)
        yield SystemCommand("Emergency stop", "reserved concurrency 0, typed confirmation", self.action_emergency_stop)
        yield SystemCommand("Alias weights", "step, promote or roll back a canary", self.action_alias_weights)
        yield SystemCommand("Undo last action", "on this account and Region", self.action_undo)

    # --- the function acted on --------------------------------------------------------------

    def current_function(self) -> FunctionRow | None:
        """The highlighted function of the topmost screen that has one."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, ActsOnFunction):
                return screen.current_function()
        return None

    def _function_or_say(self) -> FunctionRow | None:
        if self._refuse_if_unavailable():
            return None
        row = self.current_function()
        if row is None:
            self.notify("highlight a function first", title="action", severity="warning", markup=False)
        return row

    # --- keys -------------------------------------------------------------------------------

    def action_set_reserved(self) -> None:
        row = self._function_or_say()
        if row is None:
            return

        def chosen(value: int | None) -> None:
            if value is not None:
                plan = ReservedConcurrencyPlan.set(target_of(row), row.reserved_concurrency, value)
                self.post_message(ActionRequested(plan, row.concurrency_max))

        self.push_screen(ReservedPrompt(row), chosen)

    def action_remove_reserved(self) -> None:
        row = self._function_or_say()
        if row is not None:
            plan = ReservedConcurrencyPlan.remove(target_of(row), row.reserved_concurrency)
            self.post_message(ActionRequested(plan, row.concurrency_max))

    def action_emergency_stop(self) -> None:
        row = self._function_or_say()
        if row is not None:
            plan = ReservedConcurrencyPlan.stop(target_of(row), row.reserved_concurrency)
            self.post_message(ActionRequested(plan, row.concurrency_max))

    def action_alias_weights(self) -> None:
        row = self._function_or_say()
        if row is None:
            return
        if not row.aliases:
            known = "inventory" not in row.stale
            why = "has no alias" if known else "has no alias read yet (its configuration is still loading)"
            self.notify(f"{clean_text(row.name, max_len=60)} {why}", title="alias", severity="warning", markup=False)
            return

        def chosen(plan: Plan | None) -> None:
            if plan is not None:
                self.post_message(ActionRequested(plan, row.concurrency_max))

        self.push_screen(AliasPanel(row), chosen)

    def action_undo(self) -> None:
        if self._refuse_if_unavailable():
            return
        where = self._account_and_region()
        if where is None:
            self.notify("no account read yet: nothing to undo", title="undo", severity="warning", markup=False)
            return
        self._run(self._undo_flow(*where))

    def _account_and_region(self) -> tuple[str, str] | None:
        row = self.current_function()
        if row is not None:
            return row.account_id, row.region
        snapshot = self.fleet.view.snapshot
        for region in snapshot.regions if snapshot is not None else ():
            if region.account_id:
                return region.account_id, region.region
        return None

    # --- the worker -------------------------------------------------------------------------

    def on_action_requested(self, message: ActionRequested) -> None:
        if self._refuse_if_unavailable():
            return
        self._run(self._preview_flow(message.plan, message.concurrency_now))

    def _run(self, work: Any) -> None:
        # One action at a time, and never cancelled by the next key: a write cut short between
        # its journal intent and its result would leave the journal unsure what happened.
        busy = [w for w in self.workers if w.group == ACTION_GROUP and not w.is_finished]
        if busy:
            work.close()  # the coroutine never started
            self.notify("an action is still in progress", title="action", severity="warning", markup=False)
            return
        self.run_worker(work, name="action", group=ACTION_GROUP, exit_on_error=False)

    async def _preview_flow(self, plan: Plan, concurrency_now: float | None) -> None:
        operator = self.operator
        if operator is None:
            return
        try:
            problems = plan.problems()
            if problems:
                raise PlanError("; ".join(problems))
            shown = await operator.preview(plan, concurrency_now=concurrency_now)
        except Exception as exc:
            self.post_message(ActionFailed(f"could not preview: {_reason(exc)}. Nothing was written."))
            return
        snapshot = self.fleet.view.snapshot
        rows = snapshot.functions if snapshot is not None else ()
        await self._confirm_and_apply(replace(shown, losers=losing_headroom(rows, plan, shown.live)))

    async def _undo_flow(self, account_id: str, region: str) -> None:
        operator = self.operator
        if operator is None:
            return
        try:
            shown = await operator.undo_preview(account_id, region)
        except Exception as exc:
            self.post_message(ActionFailed(f"could not preview the undo: {_reason(exc)}. Nothing was written."))
            return
        if shown is None:
            self.notify(f"nothing to undo on {account_id} {region}", title="undo", markup=False)
            return
        await self._confirm_and_apply(shown)

    async def _confirm_and_apply(self, shown: Preview) -> None:
        operator = self.operator
        if operator is None:
            return
        confirmed = await self.push_screen_wait(ActionPreviewScreen(shown))
        if not confirmed:
            self.notify("cancelled: nothing was written", title="action", markup=False)
            return
        try:
            outcome = await operator.apply(shown)
        except Exception as exc:
            self.post_message(ActionFailed(f"{_reason(exc)}. The change may not have been applied; the row will show."))
            return
        if outcome.ok:
            self.post_message(ActionApplied(outcome))
        else:
            self.post_message(ActionFailed(outcome.message, outcome))

    # --- facts ------------------------------------------------------------------------------

    def on_action_applied(self, message: ActionApplied) -> None:
        outcome = message.outcome
        target = outcome.preview.plan.target
        self.source.refresh_function(target.arn)
        self.fleet.mark_changed(target.arn, outcome.at)
        for screen in self.screen_stack:  # an open detail screen re-reads the configuration too
            changed = getattr(screen, "function_changed", None)
            if callable(changed):
                changed(target.arn)
        self.notify(clean_text(outcome.message, max_len=200), title="applied", markup=False)

    def on_action_failed(self, message: ActionFailed) -> None:
        self.notify(
            clean_text(message.message, max_len=400), title="not applied", severity="error", timeout=20, markup=False
        )

    async def report_unfinished(self) -> None:
        """At start: actions the journal says were asked of AWS but never answered."""
        operator = self.operator
        if operator is None:
            return
        import asyncio

        try:
            unfinished = await asyncio.to_thread(operator.unfinished)
        except Exception as exc:
            self.notify(f"cannot read the action journal: {_reason(exc)}", title="journal", severity="warning")
            return
        for line in unfinished[-3:]:
            self.notify(
                "intent without result (lambdatop stopped mid-call; check the live value): "
                + clean_text(line, max_len=200),
                title="journal",
                severity="warning",
                timeout=30,
                markup=False,
            )


def _reason(exc: BaseException) -> str:
    return clean_text(str(exc) or type(exc).__name__, max_len=200)
