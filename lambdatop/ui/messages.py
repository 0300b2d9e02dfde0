"""Typed messages: screens post `...Requested` to the app; the app posts facts back (past tense)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.message import Message

from lambdatop.model.function_snapshot import FunctionSnapshot
from lambdatop.model.plans import Plan
from lambdatop.model.snapshot import FleetSnapshot
from lambdatop.model.validation import ActionOutcome


class SnapshotReady(Message):
    """The source produced a new snapshot (posted from the source's callback)."""

    def __init__(self, snapshot: FleetSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class CommandRequested(Message):
    """The user entered a `:` command line (parsed and run by the app)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class FunctionDetailRequested(Message):
    """The user asked for one function's detail screen (`enter` on the fleet)."""

    def __init__(self, arn: str) -> None:
        super().__init__()
        self.arn = arn


class FunctionSnapshotReady(Message):
    """The detail source produced a new picture of the open function."""

    def __init__(self, snapshot: FunctionSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class RefreshRequested(Message):
    """The user asked for every source to be read now."""


class PauseRequested(Message):
    """The user paused (True) or resumed (False) polling."""

    def __init__(self, paused: bool) -> None:
        super().__init__()
        self.paused = paused


class WindowChangeRequested(Message):
    """The user chose another window for the numbers."""

    def __init__(self, minutes: int) -> None:
        super().__init__()
        self.minutes = minutes


class VisibleRowsChanged(Message):
    """The functions on screen changed (they form the collector's hot tier)."""

    def __init__(self, arns: Sequence[str]) -> None:
        super().__init__()
        self.arns = tuple(arns)


class ActionRequested(Message):
    """A screen asks the app to preview a change plan (the app owns the operator)."""

    def __init__(self, plan: Plan, concurrency_now: float | None = None) -> None:
        super().__init__()
        self.plan = plan
        self.concurrency_now = concurrency_now


class ActionApplied(Message):
    """A change reached AWS and is journaled."""

    def __init__(self, outcome: ActionOutcome) -> None:
        super().__init__()
        self.outcome = outcome


class ActionFailed(Message):
    """A change was refused or failed; nothing (or, after a timeout, maybe something) was written."""

    def __init__(self, message: str, outcome: ActionOutcome | None = None) -> None:
        super().__init__()
        self.message = message
        self.outcome = outcome
