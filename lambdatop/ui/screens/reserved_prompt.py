"""`c`: ask for a function's new reserved concurrency, prefilled with the current cap."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from lambdatop.model.sanitize import clean_text
from lambdatop.model.snapshot import FunctionRow


def parse_reserved(text: str) -> int:
    """A whole number of concurrent executions, 0 or more (0 stops the function)."""
    value = text.strip()
    if not value.isdigit():
        raise ValueError(f"a whole number of concurrent executions, 0 or more (not {clean_text(value, max_len=20)!r})")
    return int(value)


class ReservedPrompt(ModalScreen[int | None]):
    """Returns the number entered, or None when cancelled."""

    DEFAULT_CSS = """
    ReservedPrompt { align: center middle; }
    ReservedPrompt > #reserved {
        width: 64; max-width: 100%; height: auto;
        border: round $accent; background: $panel; padding: 0 1;
    }
    ReservedPrompt #reserved-error { color: $status-crit; }
    ReservedPrompt #reserved-hint { color: $muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", id="action.cancel-prompt", tooltip="cancel: nothing is written"),
    ]

    def __init__(self, row: FunctionRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        row = self.row
        current = "none" if row.reserved_concurrency is None else str(row.reserved_concurrency)
        peak = "unknown" if row.concurrency_max is None else f"{row.concurrency_max:g}"
        with Vertical(id="reserved") as box:
            box.border_title = "Set reserved concurrency"
            yield Static(f"{clean_text(row.name, max_len=60)}", markup=False)
            yield Static(f"cap now {current} · peak concurrency {peak}", id="reserved-hint", markup=False)
            prefill = "" if row.reserved_concurrency is None else str(row.reserved_concurrency)
            yield Input(value=prefill, placeholder="new cap, e.g. 200", id="reserved-input", compact=True)
            yield Static("", id="reserved-error", markup=False)
            yield Static("enter: preview (nothing is written yet) · escape: cancel", id="reserved-hint2", markup=False)

    def on_mount(self) -> None:
        # Focused with the current cap selected: typing replaces it, arrows keep it to edit.
        self.query_one(Input).focus()

    @on(Input.Submitted, "#reserved-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            value = parse_reserved(event.value)
        except ValueError as exc:
            self.query_one("#reserved-error", Static).update(str(exc))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
