"""Typed messages between the collector worker and the screens (past tense: facts)."""

from __future__ import annotations

from textual.message import Message

from lambdatop.model.function_snapshot import FunctionSnapshot
from lambdatop.model.snapshot import FleetSnapshot


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
