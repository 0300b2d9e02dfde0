"""The live fleet: every function worst first, with the header gauge and the status line."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer

from lambdatop.clock import Clock
from lambdatop.model.snapshot import FleetSnapshot, FunctionRow
from lambdatop.model.window import next_window
from lambdatop.settings import Settings
from lambdatop.ui.columns import COLUMNS_BY_KEY, CellContext, choose_columns
from lambdatop.ui.fleet_filter import FleetFilter, parse_filter
from lambdatop.ui.fleet_keys import FLEET_BINDINGS
from lambdatop.ui.fleet_view import FleetView, SortOrder
from lambdatop.ui.messages import (
    CommandRequested,
    FunctionDetailRequested,
    PauseRequested,
    RefreshRequested,
    VisibleRowsChanged,
    WindowChangeRequested,
)
from lambdatop.ui.widgets.fleet_header import FleetHeader, HeaderFacts
from lambdatop.ui.widgets.fleet_table import FleetTable
from lambdatop.ui.widgets.prompt import Prompt
from lambdatop.ui.widgets.status_bar import StatusBar, StatusFacts

SCROLLBAR_WIDTH = 1  # matches `scrollbar-size-vertical` in app.tcss
# Above this many rows, a snapshot updates the rows in view first and the others just after.
VIEW_FIRST_ABOVE = 300
VIEW_MARGIN = 10  # rows above and below the view updated with it (a page-down lands on fresh rows)
CATCH_UP_SLICE = 400


class FleetScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = FLEET_BINDINGS

    # The latest snapshot the app received (always_update: never compared, 2,000 rows deep;
    # repaint=False: the table updates only the cells that changed, so a slow link carries ~4 KB).
    snapshot: reactive[FleetSnapshot | None] = reactive(None, always_update=True, init=False, repaint=False)
    # What the operator chose; each watcher tells the source (a message) and repaints what shows it.
    window_minutes: reactive[int] = reactive(15, init=False, repaint=False)
    paused: reactive[bool] = reactive(False, init=False, repaint=False)
    row_order: reactive[SortOrder] = reactive(SortOrder(), init=False, repaint=False)
    row_filter: reactive[FleetFilter] = reactive(FleetFilter(), init=False, repaint=False)
    # A refresh or a new window was asked for and its numbers have not arrived yet.
    refreshing: reactive[bool] = reactive(False, init=False, repaint=False)
    collector_error: reactive[str | None] = reactive(None, init=False, repaint=False)

    def __init__(
        self,
        *,
        settings: Settings,
        clock: Clock,
        demo: bool = False,
        initial_snapshot: FleetSnapshot | None = None,
    ) -> None:
        super().__init__()
        self._settings = settings
        self._clock = clock
        self._demo = demo
        self.view = FleetView()
        self.set_reactive(FleetScreen.window_minutes, settings.window_minutes)
        self._arrived_at: float | None = None  # clock.monotonic() of the last snapshot
        self._visible: frozenset[str] | None = None
        self._last_next_at: datetime | None = None
        self._period_s: float | None = None
        self._marks: dict[str, str] = {}  # ARN -> "✎ 13:42": changed by you, from this screen
        if initial_snapshot is not None:
            self.view.update(initial_snapshot)

    # --- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield FleetHeader(id="fleet-header")
        yield FleetTable(id="fleet-table")
        yield Prompt(id="prompt", blink=self._settings.animations)
        yield StatusBar(id="status-bar")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def table(self) -> FleetTable:
        return self.query_one(FleetTable)

    @property
    def status_bar(self) -> StatusBar:
        return self.query_one(StatusBar)

    def on_mount(self) -> None:
        self.query_one(Prompt).close()
        self.set_class(self._settings.read_only, "-read-only")
        self.set_class(self._settings.prod, "-prod")
        self.watch(self.table, "scroll_y", self._report_visible, init=False)
        self.set_interval(1.0, self.tick)
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.table.restyle())
        self._layout_columns(force=True)
        self.table.focus()

    def on_resize(self) -> None:
        self._layout_columns()

    def _layout_columns(self, *, force: bool = False) -> None:
        snapshot = self.view.snapshot
        multi = snapshot is not None and len({r.region for r in snapshot.functions}) > 1
        width = max(40, (self.size.width or self.app.size.width) - SCROLLBAR_WIDTH)
        columns, name_width = choose_columns(width, multi_region=multi)
        table = self.table
        current = tuple(c.key for c in table.shown_columns)
        if force or current != tuple(c.key for c in columns) or name_width != self._name_width:
            self._name_width = name_width
            table.set_columns(columns, name_width, self._labels())
            self.refresh_bindings()  # `1`…`9` follow the number of columns shown
        self._show_rows()

    _name_width = 0
    _shown_key: tuple[object, ...] | None = None

    def _labels(self) -> dict[str, str]:
        order = self.view.order
        column = COLUMNS_BY_KEY.get(order.column, COLUMNS_BY_KEY["health"])
        big_first = column.descending != order.reverse
        arrow = "▼" if big_first else "▲"
        if column.key == "health":
            arrow = "▲" if order.reverse else "▼"  # ▼: worst first
        return {column.key: f"{column.label}{arrow}"}

    # --- snapshots --------------------------------------------------------------------------

    def watch_snapshot(self, snapshot: FleetSnapshot | None) -> None:
        """The app sets `snapshot` on each SnapshotReady; the screen lays it out."""
        if snapshot is not None:
            self.apply_snapshot(snapshot)

    def apply_snapshot(self, snapshot: FleetSnapshot) -> None:
        regions_before = self._region_count()
        self.view.update(snapshot)
        self._arrived_at = self._clock.monotonic()
        self.set_reactive(FleetScreen.refreshing, False)  # painted with the rows below
        if not snapshot.from_cache:
            self.set_reactive(FleetScreen.collector_error, None)
        self._observe_period(snapshot)
        if not self.is_mounted:
            return  # on_mount lays the table out from the view
        if self._region_count() != regions_before:
            self._layout_columns()
        else:
            self._show_rows()

    def _observe_period(self, snapshot: FleetSnapshot) -> None:
        """The metrics period, from the moves of the source's next-pass time."""
        nxt = snapshot.next_refresh_at
        if nxt is not None and self._last_next_at is not None and nxt > self._last_next_at:
            self._period_s = (nxt - self._last_next_at).total_seconds()
        if nxt is not None:
            self._last_next_at = nxt

    def collector_stopped(self, error: str | None) -> None:
        self.collector_error = error or "the collector stopped"

    def watch_collector_error(self) -> None:
        self._paint_status()

    def watch_refreshing(self) -> None:
        self._paint_status()

    def _region_count(self) -> int:
        snapshot = self.view.snapshot
        return 0 if snapshot is None else len({r.region for r in snapshot.functions})

    def _show_rows(self) -> None:
        table = self.table
        if not table.shown_columns:
            return
        rows = self.view.rows()
        ctx = self.view.context(self._name_width)
        if self._marks:
            ctx = replace(ctx, marks=tuple(sorted(self._marks.items())))
        shown_key = (self.view.version, self.view.filter, self.view.order, table.shown_columns, ctx, table.row_count)
        if shown_key != self._shown_key:  # a snapshot where nothing moved costs nothing here
            self._shown_key = shown_key
            self._catch_up_token += 1  # whatever was still catching up is superseded
            if len(rows) > VIEW_FIRST_ABOVE and table.row_count:
                self._show_view_first(rows, ctx)
            else:
                table.show(self.view.cells(rows, table.shown_columns, ctx))
        table.set_class(self.view.snapshot is not None and self.view.snapshot.from_cache, "-stale")
        self._paint_header()
        self._paint_status()
        self.call_after_refresh(self._report_visible)

    def _show_view_first(self, rows: list[FunctionRow], ctx: CellContext) -> None:
        """A big fleet pass: the rows in view now, the others in slices right after, so the
        screen follows a 2,000-row snapshot at once and keys stay responsive meanwhile."""
        table = self.table
        order = [row.arn for row in rows]
        ranges = table.view_ranges(order, margin=VIEW_MARGIN)
        known = set(table.order)
        now: list[FunctionRow] = []
        later: list[FunctionRow] = []
        for i, row in enumerate(rows):
            in_view = any(low <= i < high for low, high in ranges)
            (now if in_view or row.arn not in known else later).append(row)
        table.show_partly(order, self.view.cells(now, table.shown_columns, ctx))
        token = self._catch_up_token
        self.set_timer(0.001, lambda: self._catch_up(token, later, ctx))

    _catch_up_token = 0

    def _catch_up(self, token: int, rows: list[FunctionRow], ctx: CellContext) -> None:
        if token != self._catch_up_token or not rows:
            return  # a newer snapshot took over (it brings every row up to date itself)
        chunk, rest = rows[:CATCH_UP_SLICE], rows[CATCH_UP_SLICE:]
        table = self.table
        current = {row.arn for row in self.view.rows()}
        self.table.patch(self.view.cells([r for r in chunk if r.arn in current], table.shown_columns, ctx))
        if rest:
            self.set_timer(0.001, lambda: self._catch_up(token, rest, ctx))

    def _report_visible(self) -> None:
        arns = frozenset(self.table.visible_arns())
        if arns != self._visible:
            self._visible = arns
            self.post_message(VisibleRowsChanged(sorted(arns)))

    # --- header and status ------------------------------------------------------------------

    def tick(self) -> None:
        """Each second: ages and the countdown move on."""
        self._paint_status()

    def _paint_header(self) -> None:
        profile = self._settings.profile or ("demo" if self._demo else None)
        facts = HeaderFacts(
            profile=profile,
            prod=self._settings.prod,
            window_minutes=self.window_minutes,
            regions_hint=self._settings.regions,
        )
        self.query_one(FleetHeader).show(self.view.snapshot, facts)

    def status_facts(self) -> StatusFacts:
        snapshot = self.view.snapshot
        total = len(snapshot.functions) if snapshot is not None else 0
        next_s = self._next_refresh_s(snapshot)
        return StatusFacts(
            now=self._clock.now(),
            paused=self.paused,
            read_only=self._settings.read_only,
            demo=self._demo,
            refresh_s=self._settings.refresh_s,
            next_refresh_s=next_s,
            refresh_period_s=self._period_s,
            refreshing=self.refreshing,
            collector_error=self.collector_error,
            filter_label=self.view.filter.describe(),
            shown=self.table.row_count,
            total=total,
            calls_per_min=None if snapshot is None else snapshot.api_calls_per_minute,
        )

    def _paint_status(self) -> None:
        self.status_bar.show(self.view.snapshot, self.status_facts())

    def _next_refresh_s(self, snapshot: FleetSnapshot | None) -> float | None:
        """Seconds to the next metrics pass: the source's schedule when it says, else our
        estimate from the refresh period and when the last snapshot arrived."""
        if self.refreshing or snapshot is None or snapshot.from_cache:
            return None
        if snapshot.next_refresh_at is not None:
            return max(0.0, (snapshot.next_refresh_at - self._clock.now()).total_seconds())
        if self._arrived_at is None:
            return None
        elapsed = self._clock.monotonic() - self._arrived_at
        return max(0.0, self._settings.refresh_s - elapsed)

    # --- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("filter", "command_line"):
            # Priority bindings (so keys typed right after `/` land in the prompt, see
            # Prompt.open); while the prompt is open, `/` and `:` are just characters.
            prompts = self.query(Prompt)
            return not (prompts and prompts.first().display)
        if action == "clear_filter":
            return self.view.filter.active  # hidden from the footer when there is nothing to clear
        if action == "sort_column":
            n = parameters[0] if parameters else 0
            shown = self.query(FleetTable)  # empty while the screen is still composing
            return isinstance(n, int) and bool(shown) and n <= len(shown.first().shown_columns)
        return True

    def action_open_detail(self) -> None:
        arn = self.table.highlighted_arn
        if arn is not None:
            self.post_message(FunctionDetailRequested(arn))

    def action_filter(self) -> None:
        self.query_one(Prompt).open("filter", self.view.filter.text)

    def action_command_line(self) -> None:
        self.query_one(Prompt).open("command")

    def action_clear_filter(self) -> None:
        self.set_filter("")

    def set_filter(self, text: str) -> None:
        self.row_filter = parse_filter(text)
        if self.row_filter.note:
            self.notify(self.row_filter.note, title="filter", severity="warning", markup=False)

    def watch_row_filter(self, row_filter: FleetFilter) -> None:
        self.view.filter = row_filter
        self._show_rows()
        self.refresh_bindings()  # `esc` clears a filter only while there is one

    def set_sort(self, column: str, reverse: bool = False) -> None:
        self.row_order = SortOrder(column, reverse)

    def watch_row_order(self, order: SortOrder) -> None:
        self.view.order = order
        self.table.set_labels(self._labels())
        self._show_rows()

    def action_sort_next(self) -> None:
        keys = [c.key for c in self.table.shown_columns]
        current = self.view.order.column
        following = keys[(keys.index(current) + 1) % len(keys)] if current in keys else keys[0]
        self.set_sort(following)

    def action_sort_reverse(self) -> None:
        self.set_sort(self.view.order.column, not self.view.order.reverse)

    def action_sort_column(self, n: int) -> None:
        columns = self.table.shown_columns
        if not 1 <= n <= len(columns):
            return
        key = columns[n - 1].key
        same = key == self.view.order.column
        self.set_sort(key, not self.view.order.reverse if same else False)

    def action_window_next(self) -> None:
        self.set_window(next_window(self.window_minutes))

    def set_window(self, minutes: int) -> None:
        self.window_minutes = minutes

    def watch_window_minutes(self, minutes: int) -> None:
        self.post_message(WindowChangeRequested(minutes))
        self.refreshing = True
        self._paint_header()

    def action_refresh(self) -> None:
        self.post_message(RefreshRequested())
        self.refreshing = True

    def action_pause(self) -> None:
        self.paused = not self.paused

    def watch_paused(self, paused: bool) -> None:
        self.post_message(PauseRequested(paused))
        self.set_class(paused, "-paused")
        self._paint_status()

    @on(Prompt.Changed, "#prompt")
    def _filter_as_you_type(self, event: Prompt.Changed) -> None:
        prompt = self.query_one(Prompt)
        if prompt.mode == "filter" and prompt.display:
            self.row_filter = parse_filter(event.value)

    @on(Prompt.Closed)
    def _prompt_closed(self, event: Prompt.Closed) -> None:
        self.table.focus()
        if event.mode == "filter":
            self.set_filter(event.value if event.submitted else "")
        elif event.submitted and event.value.strip():
            self.app.post_message(CommandRequested(event.value))

    def use_settings(self, settings: Settings) -> None:
        """Another region or profile: the old rows stay until the new source answers."""
        self._settings = settings
        self._visible = None  # the new source hears which rows are on screen
        self._marks.clear()
        self._paint_header()
        self.call_after_refresh(self._report_visible)

    # --- the function the action keys act on ------------------------------------------------

    def current_function(self) -> FunctionRow | None:
        snapshot = self.view.snapshot
        tables = self.query(FleetTable)
        arn = tables.first().highlighted_arn if tables else None
        if snapshot is None or arn is None:
            return None
        return snapshot.function(arn)

    def mark_changed(self, arn: str, at: datetime) -> None:
        """The row shows that you changed it, and when (local time)."""
        self._marks[arn] = f"✎ you {at.astimezone().strftime('%H:%M')}"
        self._shown_key = None
        if self.is_mounted:
            self._show_rows()
