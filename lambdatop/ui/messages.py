"""Typed messages between the collector worker and the screens (past tense: facts)."""

from __future__ import annotations

from textual.message import Message

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
