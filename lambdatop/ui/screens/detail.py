"""FunctionDetailScreen: why one function is unhealthy, on one screen, by keyboard.

Opened from the fleet with `enter` (the app pushes it on `FunctionDetailRequested`), closed
with `escape`, which uncovers the fleet screen exactly as it was (same row highlighted).
While open, a worker runs the app's `DetailSource` for this function; its snapshots arrive as
`FunctionSnapshotReady` and land in the `snapshot` reactive, which repaints the panels.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState

from lambdatop.clock import Clock
from lambdatop.model.console_links import console_links
from lambdatop.model.function_snapshot import DetailRequest, FunctionSnapshot, PanelState
from lambdatop.model.sanitize import clean_lines, clean_text
from lambdatop.model.signatures import Signature, latest_request_id
from lambdatop.model.snapshot import FunctionRow
from lambdatop.protocols import DetailSource
from lambdatop.ui import detail_render as render
from lambdatop.ui.action_keys import FIRST_ACTION_BINDINGS, LATER_ACTION_BINDINGS
from lambdatop.ui.messages import FunctionSnapshotReady
from lambdatop.ui.screens.text_modal import TextModal
from lambdatop.ui.widgets.detail_panel import DetailPanel

DETAIL_GROUP = "detail"
SIGNATURE_WIDTH = 200
JSON_MAX_CHARS = 20_000
LINE_MAX_LEN = 400

# (panel id, title, panel state that marks it stale)
PANELS: tuple[tuple[str, str, str], ...] = (
    ("config", "Configuration", "config"),
    ("versions", "Canary: stable vs canary", "versions"),
    ("throttles", "Throttles", "metrics"),
    ("cold", "Cold starts", "logs"),
    ("graphs", "Per minute", "metrics"),
    ("queues", "Queues and streams", "queues"),
    ("errors", "Errors (l)", "logs"),
    ("traces", "Traces (t)", "traces"),
)


class FunctionDetailScreen(Screen[None]):
    DEFAULT_CSS = """
    FunctionDetailScreen { layout: vertical; }
    #detail-header { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    #detail-body { height: 1fr; }
    #detail-body.-wide { layout: grid; grid-size: 2; grid-gutter: 0 1; grid-rows: auto; }
    #errors-box { height: auto; }
    #signatures { height: auto; max-height: 12; margin: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "back", id="detail.back", tooltip="back to the fleet, same row"),
        Binding("question_mark", "app.help", "help", id="app.help"),
        # c x a first (C u later): the same keys, meaning and read-only rules as on the fleet
        # screen, where they fit in an 80-column footer.
        *FIRST_ACTION_BINDINGS,
        Binding("l", "errors", "errors", id="detail.errors", tooltip="jump to the error signatures"),
        Binding("t", "traces", "traces", id="detail.traces", tooltip="read X-Ray traces now (priced)"),
        Binding("j", "raw_config", "json", id="detail.raw", tooltip="raw GetFunction configuration"),
        Binding("y", "copy_arn", "copy ARN", id="detail.copy-arn", tooltip="copy the ARN (OSC 52)"),
        Binding(
            "Y",
            "copy_request_id",
            "copy req id",
            id="detail.copy-request",
            tooltip="copy the latest error's request id",
        ),
        Binding("o", "links", "links", id="detail.links", tooltip="console links"),
        Binding("r", "refresh", "refresh", id="detail.refresh", tooltip="read everything again now"),
        Binding("q", "app.quit", "quit", id="app.quit", show=False),
        *LATER_ACTION_BINDINGS,
    ]

    snapshot: reactive[FunctionSnapshot | None] = reactive(None, always_update=True, init=False)
    WIDE_MIN_WIDTH = 150

    def __init__(self, row: FunctionRow, request: DetailRequest, source: DetailSource | None, clock: Clock) -> None:
        super().__init__()
        self._row = row
        self.request = request
        self._detail_source = source
        self._clock = clock
        self._signatures: list[Signature] = []

    # --- what other parts use ---------------------------------------------------------------

    def current_function(self) -> FunctionRow | None:
        """The function this screen shows (the `a` / `c` actions act on it)."""
        return self._row

    def update_row(self, row: FunctionRow | None) -> None:
        if row is not None:
            self._row = row

    # --- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(Text(clean_text(self.request.name, max_len=80)), id="detail-header")
        with VerticalScroll(id="detail-body"):
            for panel_id, title, _ in PANELS:
                panel = DetailPanel(title, id=f"panel-{panel_id}")
                if panel_id == "errors":
                    with Vertical(id="errors-box"):
                        yield panel
                        table: DataTable[Text] = DataTable(id="signatures", cursor_type="row", zebra_stripes=False)
                        yield table
                else:
                    yield panel
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#signatures", DataTable)
        for key, label, width in (("n", "count", 6), ("first", "first", 5), ("last", "last", 5), ("new", "new", 7)):
            table.add_column(label, key=key, width=width)
        table.add_column("signature", key="sig", width=SIGNATURE_WIDTH)
        table.display = False
        self._layout()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._paint_all())
        self.call_after_refresh(self._paint_all)
        if self._detail_source is not None:
            self.run_worker(
                self._detail_source.run(self.request, self._arrived),
                name="detail",
                group=DETAIL_GROUP,
                exclusive=True,
                exit_on_error=False,
            )
        self.query_one("#detail-body").focus()

    def on_resize(self) -> None:
        self._layout()

    def _layout(self) -> None:
        body = self.query_one("#detail-body")
        body.set_class(self.app.size.width >= self.WIDE_MIN_WIDTH, "-wide")

    def _arrived(self, snapshot: FunctionSnapshot) -> None:
        self.post_message(FunctionSnapshotReady(snapshot))

    def on_function_snapshot_ready(self, message: FunctionSnapshotReady) -> None:
        message.stop()
        self.snapshot = message.snapshot

    def watch_snapshot(self, snapshot: FunctionSnapshot | None) -> None:
        self._paint_all()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == DETAIL_GROUP and event.state == WorkerState.ERROR:
            reason = clean_text(f"{type(event.worker.error).__name__}: {event.worker.error}", max_len=200)
            self.notify(f"detail reads stopped: {reason}", title="detail", severity="error", markup=False)

    # --- painting ---------------------------------------------------------------------------

    def _paint_all(self) -> None:
        if not self.is_mounted:
            return
        snap = self.snapshot
        header = self.query_one("#detail-header", Static)
        if snap is None:
            waiting = "reading…" if self._detail_source is not None else "no detail source: details cannot be read here"
            header.update(Text(f"{clean_text(self.request.name, max_len=80)}  {waiting}"))
            for panel_id, _, _ in PANELS:
                self.query_one(f"#panel-{panel_id}", DetailPanel).paint(
                    lambda styles, _w: (Text(waiting, styles["muted"]), None)
                )
            return
        header.update(render.header(snap, self.query_one("#panel-config", DetailPanel).styles_by_role()))
        now = snap.generated_at
        painters: dict[str, Callable[[render.Styles, int], Text]] = {
            "config": lambda s, _w: render.configuration(snap, s),
            "versions": lambda s, _w: render.versions(snap, s),
            "throttles": lambda s, _w: render.throttles(snap, s),
            "cold": lambda s, _w: render.cold_starts(snap, s),
            "graphs": lambda s, w: render.graphs(snap, s, w),
            "queues": lambda s, _w: render.queues(snap, s),
            "errors": lambda s, _w: self._errors_summary(snap, s),
            "traces": lambda s, w: render.traces(snap.traces, snap, s, w),
        }
        for panel_id, _, state_name in PANELS:
            untouched = (
                PanelState() if panel_id == "traces" and snap.traces is None else PanelState(ok=False, loading=True)
            )
            state = snap.panels.get(state_name, untouched)
            paint = painters[panel_id]
            self.query_one(f"#panel-{panel_id}", DetailPanel).paint(_with_status(paint, state, now))
        self._fill_signatures(snap)

    def _errors_summary(self, snap: FunctionSnapshot, styles: render.Styles) -> Text:
        if not snap.signatures:
            return Text("no error, timeout or crash lines in the window", styles["ok"])
        total = sum(s.count for s in snap.signatures)
        text = Text(f"{total} error lines in {len(snap.signatures)} signatures")
        new = [s for s in snap.signatures if s.new_since_version]
        if new:
            text.append(
                f" · {len(new)} new since v{clean_text(new[0].new_since_version or '', max_len=8)}", styles["crit"]
            )
        text.append(" · enter on a signature shows its latest lines", styles["muted"])
        return text

    def _fill_signatures(self, snap: FunctionSnapshot) -> None:
        table = self.query_one("#signatures", DataTable)
        keep = table.cursor_row
        self._signatures = list(snap.signatures)
        table.clear()
        for i, sig in enumerate(self._signatures):
            new = (
                Text(f"v{clean_text(sig.new_since_version, max_len=5)} new", "bold")
                if sig.new_since_version
                else Text("")
            )
            table.add_row(
                Text(str(sig.count), justify="right"),
                Text(f"{sig.first_seen:%H:%M}"),
                Text(f"{sig.last_seen:%H:%M}"),
                new,
                Text(clean_text(sig.text, max_len=SIGNATURE_WIDTH)),
                key=str(i),
            )
        table.display = bool(self._signatures)
        if self._signatures:
            table.move_cursor(row=min(keep, len(self._signatures) - 1), animate=False)

    # --- actions ----------------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        index = int(str(event.row_key.value))
        if 0 <= index < len(self._signatures):
            self._show_lines(self._signatures[index])

    def _show_lines(self, sig: Signature) -> None:
        body = Text()
        body.append(f"{sig.count} lines · first {sig.first_seen:%H:%M:%S} · last {sig.last_seen:%H:%M:%S} UTC", "bold")
        body.append(f" · versions {', '.join(clean_text(v, max_len=8) for v in sig.versions) or '—'}\n\n")
        for line in sig.latest:
            body.append(f"{line.timestamp:%H:%M:%S} {clean_text(line.stream, max_len=60)}\n", "dim")
            for part in clean_lines(line.message, max_len=LINE_MAX_LEN):
                body.append(part + "\n")
        self.app.push_screen(TextModal(clean_text(sig.text, max_len=70), body))

    def action_errors(self) -> None:
        table = self.query_one("#signatures", DataTable)
        if table.display:
            table.focus()
            table.scroll_visible()
        else:
            self.query_one("#panel-errors").scroll_visible()
            self.notify("no error lines in the window", title="errors", markup=False)

    def action_traces(self) -> None:
        if self._detail_source is not None:
            self._detail_source.request_traces()
        self.query_one("#panel-traces").scroll_visible()

    def action_refresh(self) -> None:
        if self._detail_source is not None:
            self._detail_source.refresh_now()

    def function_changed(self, arn: str) -> None:
        """An action of yours changed this function: show its new configuration now."""
        if arn == self.request.arn:
            self.action_refresh()

    def action_raw_config(self) -> None:
        snap = self.snapshot
        if snap is None or not snap.config.raw:
            self.notify("configuration not read yet", title="json", markup=False)
            return
        raw = json.dumps(snap.config.raw, indent=2, sort_keys=True, default=str)[:JSON_MAX_CHARS]
        body = Text("\n".join(clean_text(line) for line in raw.splitlines()))
        self.app.push_screen(TextModal(f"GetFunction · {clean_text(snap.config.name, max_len=60)}", body))

    def _arn(self) -> str:
        snap = self.snapshot
        return (snap.config.arn if snap and snap.config.arn else "") or self.request.arn or self._row.arn

    def action_copy_arn(self) -> None:
        arn = self._arn()
        self.app.copy_to_clipboard(arn)
        self.notify(f"copied {clean_text(arn, max_len=120)}", title="clipboard (OSC 52)", markup=False)

    def action_copy_request_id(self) -> None:
        rid = latest_request_id(self.snapshot.signatures) if self.snapshot else None
        if rid is None:
            self.notify("no error line with a request id in the window", title="clipboard", markup=False)
            return
        clean = clean_text(rid, max_len=80)
        self.app.copy_to_clipboard(clean)
        self.notify(f"copied request id {clean}", title="clipboard (OSC 52)", markup=False)

    def action_links(self) -> None:
        snap = self.snapshot
        log_group = snap.config.log_group if snap else None
        body = Text()
        for label, url in console_links(self.request.name, self.request.region, log_group, self.request.window_minutes):
            body.append(f"{label}\n", "bold")
            body.append(f"{url}\n\n")
        self.app.push_screen(TextModal("console links", body))


def _with_status(
    paint: Callable[[render.Styles, int], Text], state: PanelState, now: datetime
) -> Callable[[dict[str, Style], int], tuple[Text, Text | None]]:
    def painted(styles: dict[str, Style], width: int) -> tuple[Text, Text | None]:
        return paint(styles, width), render.status_line(state, now, styles)

    return painted
