"""The Textual app: wires a SnapshotSource to the fleet screen, and owns themes and keys.

The app depends only on `lambdatop.protocols`: `cli.build_app()` passes the real collector,
tests pass a scripted fake. The source runs in one worker; its callback posts `SnapshotReady`
(safe from any thread), and `on_worker_state_changed` is the one place worker failures land.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import ClassVar

from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from lambdatop.clock import Clock
from lambdatop.model.cached_view import CachedView
from lambdatop.model.sanitize import clean_text
from lambdatop.model.snapshot import FleetSnapshot
from lambdatop.model.window import WINDOW_CYCLE_MIN, format_window, parse_window
from lambdatop.protocols import DetailSource, Operator, SnapshotSource
from lambdatop.settings import ConfigError, Settings, parse_regions, view_settings
from lambdatop.ui.action_flow import ActionFlow
from lambdatop.ui.action_keys import ACTION_BINDINGS
from lambdatop.ui.columns import COLUMNS
from lambdatop.ui.command_line import Command, CommandError, parse_command
from lambdatop.ui.detail_request import detail_request
from lambdatop.ui.keys import keymap_problems
from lambdatop.ui.messages import (
    CommandRequested,
    FunctionDetailRequested,
    PauseRequested,
    RefreshRequested,
    SnapshotReady,
    VisibleRowsChanged,
    WindowChangeRequested,
)
from lambdatop.ui.screens.detail import FunctionDetailScreen
from lambdatop.ui.screens.fleet import FleetScreen
from lambdatop.ui.screens.help import HelpScreen
from lambdatop.ui.screens.sources import SourcesScreen
from lambdatop.ui.themes import THEME_VARIABLE_DEFAULTS, ThemeSet, load_themes, register_all
from lambdatop.ui.widgets.status_bar import unsupported_sources

COLLECTOR_GROUP = "collector"
SWITCH_GROUP = "switch"
# Builds a source for other settings (`:region`, `:profile`), checking them first (it may be a
# coroutine function, and raises with a sentence when they cannot work); None: needs a restart.
SourceFactory = Callable[[Settings], SnapshotSource | Awaitable[SnapshotSource]]
# Builds the operator for other settings; without one, a switched profile has no writes.
OperatorFactory = Callable[[Settings], Operator | None]


class LambdatopApp(ActionFlow):
    CSS_PATH = "app.tcss"
    TITLE = "lambdatop"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+p",
            "command_palette",
            "palette",
            id="app.command-palette",
            priority=True,
            tooltip="search every command (sort, window, theme, …)",
        ),
        # Textual makes ctrl+c a "press ctrl+q" hint; in a dashboard, as in top, it quits.
        Binding("ctrl+c", "quit", "quit", id="app.interrupt", show=False, priority=True, tooltip="quit lambdatop"),
        Binding(
            "exclamation_mark",
            "sources",
            "sources",
            id="app.sources",
            show=False,
            tooltip="every source: OK, stale or unsupported, since when and why",
        ),
    ]

    def __init__(
        self,
        *,
        settings: Settings,
        source: SnapshotSource,
        operator: Operator | None,
        clock: Clock,
        initial_snapshot: FleetSnapshot | None = None,
        themes: ThemeSet | None = None,
        demo: bool = False,
        source_factory: SourceFactory | None = None,
        detail_source: DetailSource | None = None,
        operator_factory: OperatorFactory | None = None,
    ) -> None:
        # NO_COLOR: Textual picks its colour filter here, from the theme current at this moment
        # (not yet ours); asking for ANSI now makes it strip colours to the terminal's own
        # defaults (readable) instead of greying them (black on black with the ansi theme).
        super().__init__(ansi_color=True if settings.no_color else None)
        self.settings = settings
        self.source = source
        self.operator = operator
        self.clock = clock
        self.demo = demo or settings.demo
        self._source_factory = source_factory
        self.detail_source = detail_source
        self._operator_factory = operator_factory
        self._initial_snapshot = initial_snapshot
        self._cached_view = CachedView(initial_snapshot)
        self._announced_unsupported: set[str] = set()
        self._previous_view: tuple[str | None, tuple[str, ...]] | None = None  # for `:profile -`
        self._themes = themes if themes is not None else load_themes(_user_themes_dir())
        self.animation_level = "full" if settings.animations else "none"
        self.fleet = FleetScreen(settings=settings, clock=clock, demo=self.demo, initial_snapshot=initial_snapshot)

    # --- start-up ---------------------------------------------------------------------------

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(THEME_VARIABLE_DEFAULTS)

    def get_default_screen(self) -> Screen[None]:
        return self.fleet

    def on_mount(self) -> None:
        register_all(self, self._themes)
        name, problem = self._themes.pick(self.settings.theme, self.available_themes)
        self.theme = name
        for message in (*self._themes.problems, *([problem] if problem else [])):
            self.notify(message, title="theme", severity="warning", markup=False)
        if self.settings.keymap:
            self.set_keymap(dict(self.settings.keymap))
            # Once, at start: an unknown id or a key given to two actions would otherwise
            # silently leave an action without its key.
            for message in keymap_problems(self.settings.keymap):
                self.notify(message, title="keymap", severity="warning", timeout=15, markup=False)
        self.start_collector()
        self.run_worker(self.report_unfinished(), name="journal", exit_on_error=False)

    def start_collector(self) -> None:
        self.run_worker(
            self.source.run(self._snapshot_arrived),
            name="collector",
            group=COLLECTOR_GROUP,
            exclusive=True,
            exit_on_error=False,
        )

    def _snapshot_arrived(self, snapshot: FleetSnapshot) -> None:
        """The source's callback: may run on the event loop or another thread."""
        self.post_message(SnapshotReady(snapshot))

    # --- messages ---------------------------------------------------------------------------

    def on_snapshot_ready(self, message: SnapshotReady) -> None:
        if not self.is_running:
            return  # quitting: the collector's last snapshot may land after the screens are gone
        # Until live numbers replace it, the cached picture stays (marked, with the failures).
        snapshot = self._cached_view.apply(message.snapshot)
        self.fleet.snapshot = snapshot
        self._announce_unsupported(snapshot)
        if isinstance(self.screen, FunctionDetailScreen):
            self.screen.update_row(snapshot.function(self.screen.request.arn))

    def _announce_unsupported(self, snapshot: FleetSnapshot) -> None:
        """Sources this endpoint can never answer: said once here, then one item in the status bar."""
        new = [name for name in unsupported_sources(snapshot) if name not in self._announced_unsupported]
        if not new:
            return
        self._announced_unsupported.update(new)
        self.notify(
            f"not supported by this endpoint: {', '.join(new)} (press ! for every source)",
            title="sources",
            markup=False,
        )

    def action_sources(self) -> None:
        if not isinstance(self.screen, SourcesScreen):
            self.push_screen(SourcesScreen(lambda: (self.fleet.view.snapshot, self.clock.now())))

    def on_function_detail_requested(self, message: FunctionDetailRequested) -> None:
        snapshot = self.fleet.view.snapshot
        row = snapshot.function(message.arn) if snapshot is not None else None
        if row is None or isinstance(self.screen, FunctionDetailScreen):
            return
        self.push_screen(FunctionDetailScreen(row, detail_request(row, snapshot), self.detail_source, self.clock))

    def on_refresh_requested(self, _message: RefreshRequested) -> None:
        self.source.refresh_now()

    def on_pause_requested(self, message: PauseRequested) -> None:
        self.source.pause(message.paused)

    def on_window_change_requested(self, message: WindowChangeRequested) -> None:
        self.source.set_window(message.minutes)

    def on_visible_rows_changed(self, message: VisibleRowsChanged) -> None:
        self.source.set_visible(message.arns)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one handler for collector failures: say so, keep the last snapshot on screen."""
        if event.worker.group != COLLECTOR_GROUP or not self.is_running:
            return  # (quitting stops the collector too: nothing to say then)
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            reason = f"{type(error).__name__}: {error}" if error is not None else "unknown error"
            self.fleet.collector_stopped(reason)
            self.notify(
                f"Data collection stopped ({clean_text(reason, max_len=200)}). "
                "The numbers on screen are the last ones received.",
                title="collector down",
                severity="error",
                timeout=30,
                markup=False,
            )
        elif event.state == WorkerState.SUCCESS:
            self.fleet.collector_stopped("the collector finished")

    def on_command_requested(self, message: CommandRequested) -> None:
        try:
            command = parse_command(message.text)
        except CommandError as exc:
            self.notify(clean_text(str(exc), max_len=200), title="command", severity="warning", markup=False)
            return
        self.run_command(command)

    # --- commands ---------------------------------------------------------------------------

    def run_command(self, command: Command) -> None:
        arg = command.argument
        if command.verb == "quit":
            self.exit()
        elif command.verb == "filter":
            self.fleet.set_filter(arg)
        elif command.verb == "window":
            self._command_window(arg)
        elif command.verb == "theme":
            self._command_theme(arg)
        elif command.verb in ("region", "profile"):
            self._command_switch(command.verb, arg)

    def _command_window(self, text: str) -> None:
        try:
            minutes = parse_window(text)
        except ValueError as exc:
            self.notify(str(exc), title="window", severity="warning", markup=False)
            return
        self.fleet.set_window(minutes)

    def _command_theme(self, name: str) -> None:
        if name not in self.available_themes:
            known = ", ".join(sorted(self._themes.names))
            self.notify(
                f"no theme '{clean_text(name, max_len=40)}'; try one of: {known}",
                title="theme",
                severity="warning",
                markup=False,
            )
            return
        self.theme = name

    def _command_switch(self, verb: str, arg: str) -> None:
        """`:region X` / `:profile X`, or `-` for the view before the last switch (like `cd -`)."""
        if arg == "-":
            previous = self._previous_view
            if previous is None:
                self.notify(f"no earlier {verb} to go back to", title="command", severity="warning", markup=False)
                return
            profile, regions = previous
            self._switch_view(profile, regions, describe_view(profile, regions))
            return
        if verb == "profile":
            self._switch_view(arg, self.settings.regions, f"profile {arg}")
            return
        try:
            regions = parse_regions(arg)
        except ValueError as exc:
            self.notify(clean_text(str(exc), max_len=200), title="command", severity="warning", markup=False)
            return
        self._switch_view(self.settings.profile, regions, f"region {arg}")

    def _switch_view(self, profile: str | None, regions: tuple[str, ...], what: str) -> None:
        try:
            settings = view_settings(self.settings, profile, regions)
        except (ConfigError, ValueError) as exc:
            self.notify(
                f"cannot switch to {clean_text(what, max_len=80)}: {clean_text(str(exc), max_len=200)}",
                title="command",
                severity="error",
                markup=False,
            )
            return
        self._switch_source(settings, what)

    def _switch_source(self, settings: Settings, what: str) -> None:
        shown = clean_text(what, max_len=80)
        if self._source_factory is None:
            self.notify(
                f"switching to {shown} needs a restart: lambdatop --{shown}",
                title="command",
                severity="warning",
                markup=False,
            )
            return
        self.notify(f"checking {shown}…", title="command", timeout=3, markup=False)
        self.run_worker(self._checked_switch(self._source_factory, settings, shown), group=SWITCH_GROUP, exclusive=True)

    async def _checked_switch(self, factory: SourceFactory, settings: Settings, shown: str) -> None:
        """The factory checks profile, credentials and region (off the UI's hands) before the
        view is replaced; on failure the current view stays and the reason is shown."""
        try:
            made = factory(settings)
            source = await made if inspect.isawaitable(made) else made
        except Exception as exc:  # a bad profile or region: say why, keep the current source
            self.notify(
                f"cannot switch to {shown}: {clean_text(str(exc), max_len=200)}; still showing "
                f"{describe_view(self.settings.profile, self.settings.regions)}",
                title="command",
                severity="error",
                timeout=15,
                markup=False,
            )
            return
        self._previous_view = (self.settings.profile, self.settings.regions)
        self._cached_view.forget()
        self.settings = settings
        self.source = source
        # The operator acts on the account shown: another profile needs its own (or none).
        self.operator = self._operator_factory(settings) if self._operator_factory is not None else None
        self.fleet.use_settings(settings)
        source.set_window(self.fleet.window_minutes)
        if self.fleet.paused:
            source.pause(True)
        self.start_collector()  # exclusive: cancels the old source's worker
        self.refresh_bindings()
        self.notify(f"switched to {shown} (`:profile -` or `:region -` goes back)", title="command", markup=False)

    # --- help and palette -------------------------------------------------------------------

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        reason = self.write_unavailable_reason()
        reasons = {binding.id: reason for binding in ACTION_BINDINGS if binding.id and reason}
        self.push_screen(HelpScreen(self.screen.active_bindings.values(), reasons))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        fleet = self.fleet
        yield SystemCommand("Refresh now", "poll every source now", fleet.action_refresh)
        yield SystemCommand("Pause / resume", "stop or restart polling", fleet.action_pause)
        yield SystemCommand("Clear filter", "show every function", fleet.action_clear_filter)
        yield SystemCommand("Help: keys", "every key and what the signs mean", self.action_help)
        yield from self.action_commands(screen)
        for minutes in WINDOW_CYCLE_MIN:
            label = format_window(minutes)
            yield SystemCommand(f"Window {label}", f"numbers over the last {label}", _bind(fleet.set_window, minutes))
        for column in COLUMNS:
            yield SystemCommand(
                f"Sort by {column.title}",
                "biggest / worst first (S reverses)",
                _bind(fleet.set_sort, column.key),
            )


def _bind(fn: Callable[..., None], *args: object) -> Callable[[], None]:
    return lambda: fn(*args)


def _user_themes_dir() -> Path:
    from lambdatop.paths import user_themes_dir

    return user_themes_dir()


def describe_view(profile: str | None, regions: tuple[str, ...]) -> str:
    where = ",".join(regions) if regions else "its default region"
    return f"profile {profile or 'default'} in {where}"
