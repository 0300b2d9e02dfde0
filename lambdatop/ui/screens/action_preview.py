"""The preview of a change, and its confirmation: `enter`, or the function name typed first.

Everything that decides whether to press enter is on one screen at 80×24: before → after, the
account headroom after, the functions that lose headroom, the exact API call, and where it
lands (account, Region, profile; in the prod colours on a profile marked prod). Refusals and
what the server could not say are spelled out. `escape` always cancels and nothing is written.
Returns True (apply) or False (cancelled).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from lambdatop.model.plans import ReservedConcurrencyPlan, format_reserved
from lambdatop.model.sanitize import clean_text
from lambdatop.model.validation import UNRESERVED_FLOOR, Preview

LINE_MAX = 300


def preview_lines(preview: Preview) -> list[tuple[str, str]]:
    """(css class, text) for each line of the preview; text is plain, never markup."""
    plan, ctx, live = preview.plan, preview.context, preview.live
    lines: list[tuple[str, str]] = []
    target = clean_text(plan.target.name, max_len=64)
    if plan.qualifier:
        target += f" (alias {clean_text(plan.qualifier, max_len=40)})"
    lines.append(("", f"Function  {target}"))
    lines.append(("-change", f"Change    {preview.summary()}"))
    if isinstance(plan, ReservedConcurrencyPlan):
        lines.append(("", f"Live now  reserved {format_reserved(live.reserved)} (read just now)"))
        if preview.unreserved_after is not None:
            lines.append(
                (
                    "",
                    f"Account   unreserved {preview.unreserved_before} → {preview.unreserved_after}"
                    f" (limit {live.concurrency_limit}, floor {UNRESERVED_FLOOR})",
                )
            )
        if preview.losers:
            lines.append(("-note", "Shares the pool: " + ", ".join(clean_text(n, max_len=40) for n in preview.losers)))
    elif live.routing is not None:
        lines.append(("", f"Live now  {live.routing.describe()} (read just now)"))
    lines.append(("-call", f"API call  {plan.api_call()}"))
    profile = clean_text(ctx.profile or "default", max_len=32)
    where = f"Where     account {ctx.account_id} · {ctx.region} · profile {profile}"
    lines.append(("-prod" if ctx.prod else "", where + (" · PRODUCTION" if ctx.prod else "")))
    for note in preview.notes:
        lines.append(("-note", "Note      " + clean_text(note, max_len=LINE_MAX)))
    for unknown in preview.unknowns:
        lines.append(("-note", "Unknown   " + clean_text(unknown, max_len=LINE_MAX)))
    for refusal in preview.refusals:
        lines.append(("-refused", "REFUSED   " + clean_text(refusal, max_len=LINE_MAX)))
    return lines


class ActionPreviewScreen(ModalScreen[bool]):
    """Preview + confirmation. Keyboard only."""

    DEFAULT_CSS = """
    ActionPreviewScreen { align: center middle; }
    ActionPreviewScreen > #preview {
        width: 78; max-width: 100%; height: auto; max-height: 22;
        border: round $accent; background: $panel; padding: 0 1;
    }
    ActionPreviewScreen > #preview.-prod { border: heavy $prod-banner; }
    ActionPreviewScreen .-change { text-style: bold; }
    ActionPreviewScreen .-call { color: $muted; }
    ActionPreviewScreen .-prod { color: $prod-banner; text-style: bold; }
    ActionPreviewScreen .-note { color: $status-warn; }
    ActionPreviewScreen .-refused { color: $status-crit; text-style: bold; }
    ActionPreviewScreen #confirm-help { color: $foreground; margin-top: 1; }
    ActionPreviewScreen #confirm-input { width: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", id="action.cancel", tooltip="cancel: nothing is written"),
        # Not a priority binding: with the name to type, `enter` must reach the input after the
        # characters typed before it (a priority binding would run ahead of them).
        Binding("enter", "confirm", "apply", id="action.confirm", tooltip="apply the change shown"),
    ]

    def __init__(self, preview: Preview) -> None:
        super().__init__()
        self.preview = preview

    def compose(self) -> ComposeResult:
        preview = self.preview
        title = preview.plan.title + (" — undo" if preview.undo_of else "")
        with Vertical(id="preview", classes="-prod" if preview.context.prod else "") as box:
            box.border_title = title
            for css, text in preview_lines(preview):
                yield Static(text, markup=False, classes=css)
            yield Static(self._help_text(), id="confirm-help", markup=False)
            if preview.allowed and preview.typed:
                yield Input(placeholder=clean_text(preview.confirm_word, max_len=64), id="confirm-input", compact=True)

    def _help_text(self) -> str:
        if not self.preview.allowed:
            return "escape: close (nothing is written)"
        if self.preview.typed:
            return "Type the function name, then enter, to apply · escape cancels"
        return "enter: apply · escape: cancel (nothing is written)"

    def on_mount(self) -> None:
        inputs = self.query(Input)
        if inputs:
            inputs.first().focus()

    def typed_ok(self) -> bool:
        inputs = self.query(Input)
        return bool(inputs) and inputs.first().value.strip() == self.preview.confirm_word

    def action_confirm(self) -> None:
        if not self.preview.allowed:
            self.notify("refused: nothing to apply (escape closes)", severity="warning", markup=False)
            return
        if self.preview.typed and not self.typed_ok():
            self.notify(
                f"type {clean_text(self.preview.confirm_word, max_len=64)} exactly to apply",
                severity="warning",
                markup=False,
            )
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Input.Submitted, "#confirm-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()
