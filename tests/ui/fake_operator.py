"""An Operator for UI tests: validates with the real model against a live state the test sets."""

from __future__ import annotations

from lambdatop.model.plans import Plan
from lambdatop.model.validation import ActionContext, ActionOutcome, LiveState, Preview, preview
from tests.factories import ACCOUNT, NOW, REGION

LIMITS = {"concurrency_limit": 1000, "unreserved_limit": 900}


class FakeOperator:
    def __init__(self, *, read_only: bool = False, prod: bool = False) -> None:
        self._read_only = read_only
        self.prod = prod
        self.live = LiveState(reserved=20, reserved_known=True, provisioned=0, **LIMITS)  # type: ignore[arg-type]
        self.previews: list[Plan] = []
        self.applied: list[Preview] = []
        self.undo: Preview | None = None

    @property
    def read_only(self) -> bool:
        return self._read_only

    async def preview(self, plan: Plan, *, concurrency_now: float | None = None) -> Preview:
        self.previews.append(plan)
        context = ActionContext(ACCOUNT, REGION, "ops", "arn:aws:iam::123:user/me", prod=self.prod)
        return preview(plan, self.live, context, concurrency_now=concurrency_now)

    async def apply(self, shown: Preview) -> ActionOutcome:
        assert not self._read_only, "a read-only operator was asked to write"
        self.applied.append(shown)
        return ActionOutcome(shown, True, f"{shown.plan.target.name}: {shown.summary()}", NOW)

    async def undo_preview(self, account_id: str, region: str) -> Preview | None:
        return self.undo

    def unfinished(self) -> list[str]:
        return []
