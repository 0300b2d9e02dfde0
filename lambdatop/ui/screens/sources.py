"""`!`: every source, what it last said and since when — the full list the status bar shortens.

The status bar has room for what matters now (recent failures first) and folds sources the
endpoint can never answer into one "2 sources unsupported" item; this screen lists them all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from lambdatop.model.health import format_age_s
from lambdatop.model.sanitize import clean_text
from lambdatop.model.snapshot import SOURCE_NAMES, FleetSnapshot, SourceStatus

# What the screen reads each second: the snapshot on screen and the time now.
SourcesProvider = Callable[[], tuple[FleetSnapshot | None, datetime]]


def source_state(status: SourceStatus, now: datetime) -> tuple[str, str]:
    """(word shown, style): status in words first, colour only as a second cue."""
    age = status.age_s(now)
    if status.cannot_answer:
        return "UNSUPPORTED", "$muted"
    if status.ok:
        return f"OK {format_age_s(age)}", "$status-ok"
    if age is None:
        return "NO DATA", "bold $stale"
    return f"STALE {format_age_s(age)}", "bold $stale"


def sources_content(snapshot: FleetSnapshot | None, now: datetime) -> Content:
    if snapshot is None:
        return Content("No snapshot yet: every source is still waiting for its first answer.")
    names = [n for n in SOURCE_NAMES if n in snapshot.sources]
    names += [n for n in snapshot.sources if n not in SOURCE_NAMES]
    width = max((len(n) for n in names), default=8) + 2
    parts: list[str | tuple[str, str] | Content] = []
    if snapshot.from_cache:
        parts.append(("Cached picture from an earlier run: no source has answered yet.\n\n", "bold $stale"))
    for name in names:
        status = snapshot.sources[name]
        word, style = source_state(status, now)
        since = status.stale_since if not status.ok else None
        failing = f"  failing for {format_age_s((now - since).total_seconds())}" if since is not None else ""
        reason = f"  {clean_text(status.error, max_len=160)}" if status.error and not status.ok else ""
        parts.append(Content.assemble((f"  {name:<{width}}", "bold"), (f"{word:<12}", style), failing, reason, "\n"))
    return Content.assemble(*parts)


class SourcesScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,exclamation_mark,q", "close", "close", id="sources.close", tooltip="close the source list"),
    ]

    def __init__(self, provider: SourcesProvider) -> None:
        super().__init__()
        self._provider = provider

    def compose(self) -> ComposeResult:
        yield Static(Content.styled(" lambdatop — sources", "bold"), id="sources-title")
        with VerticalScroll(id="sources-body"):
            yield Static(id="sources-text")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._paint()
        self.set_interval(1.0, self._paint)  # ages grow while you read

    def _paint(self) -> None:
        snapshot, now = self._provider()
        self.query_one("#sources-text", Static).update(sources_content(snapshot, now))

    def action_close(self) -> None:
        self.dismiss()
