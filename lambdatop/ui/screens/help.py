"""`?`: the keys that work right now, generated from the live bindings of the screen below
(so a remapped key shows its new key, and a disabled action shows as unavailable)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from lambdatop.ui.keys import binding_scope, key_display, merge_groups, shown_id

IDS_MIN_WIDTH = 100
KEY_COLUMN_MAX = 10
SCOPE_TITLES = {
    "fleet": "Fleet",
    "action": "Changes to AWS",
    "app": "App",
    "table": "Moving around",
    "prompt": "Prompt",
    "": "Textual",
}
LEGEND = (
    ("—", "unknown (not fetched, not supported, or failed); never the same as 0"),
    ("?", "after a value: its source is stale (the status line says which and why)"),
    ("·", "not configured (e.g. no dead-letter queue)"),
    ("20/20", "peak concurrency / reserved cap;  0 ⏸  stopped (reserved concurrency 0)"),
    ("▁▂▄█", "invocations per minute; the last minutes (provisional) may still grow"),
    ("[███░|░]", "account concurrency claimed / limit; | marks the 100 that stay unreserved"),
    ("✎ you 13:42", "after a name: you changed this function from lambdatop at that time"),
)


def help_content(
    bindings: Iterable[ActiveBinding], *, show_ids: bool = True, reasons: Mapping[str, str] | None = None
) -> Content:
    # Textual splits `up,k` into one active binding per key: gather the keys back by id.
    keys_by_id: dict[str, list[str]] = {}
    first: dict[str, Binding] = {}
    enabled: dict[str, bool] = {}
    for active in bindings:
        binding = active.binding
        if not binding.description or binding.system:
            continue
        ident = binding.id or binding.action
        if ident not in first:
            first[ident] = binding
            enabled[ident] = active.enabled
        keys_by_id.setdefault(ident, []).append(binding.key)
    usable = [replace(b, key=",".join(keys_by_id[ident])) for ident, b in first.items()]
    groups: dict[str, list[tuple[str, Binding, bool]]] = {}
    for keys, binding in merge_groups(usable):
        ident = binding.id or binding.action
        groups.setdefault(binding_scope(binding), []).append((key_display(keys), binding, enabled.get(ident, True)))
    # Long keys (`ctrl+c / super+c`) may overflow their row rather than push every
    # description right and make them wrap at 80 columns.
    width = min(KEY_COLUMN_MAX, max((len(k) for entries in groups.values() for k, _, _ in entries), default=4))
    width += 2
    parts: list[str | tuple[str, str] | Content] = []
    for scope in ("app", "fleet", "action", "table", "prompt", ""):
        entries = groups.pop(scope, [])
        if entries:
            parts.append(_section(SCOPE_TITLES[scope], entries, width, show_ids, reasons or {}))
    for scope, entries in groups.items():
        parts.append(_section(scope.title(), entries, width, show_ids, reasons or {}))
    parts.append(("\nSigns\n", "bold $accent"))
    for sign, meaning in LEGEND:
        parts.append(Content.assemble((f"  {sign:<{width}}", "bold"), meaning, "\n"))
    return Content.assemble(*parts)


def _section(
    title: str, entries: list[tuple[str, Binding, bool]], width: int, show_ids: bool, reasons: Mapping[str, str]
) -> Content:
    lines: list[str | tuple[str, str] | Content] = [(f"\n{title}\n", "bold $accent")]
    for key, binding, enabled in entries:
        style = "" if enabled else "$muted"
        reason = reasons.get(binding.id or "")
        note = "" if enabled else f" (unavailable: {reason})" if reason else " (unavailable now)"
        what = binding.tooltip or binding.description
        lines.append(Content.assemble(
            (f"  {key:<{width}}", "bold"), (f"{what}{note}", style),
            (f"  {shown_id(binding)}" if show_ids else "", "$muted"), "\n",
        ))  # fmt: skip
    return Content.assemble(*lines)


class HelpScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "close help", id="help.close", tooltip="close this help"),
    ]

    def __init__(self, bindings: Iterable[ActiveBinding], reasons: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self._shown_bindings = list(bindings)  # not `_bindings`: Screen uses that name
        self._reasons = dict(reasons or {})  # binding id -> why it is unavailable

    def compose(self) -> ComposeResult:
        yield Static(id="help-title")
        with VerticalScroll(id="help-body"):
            yield Static(id="help-text")
        yield Footer(compact=True, show_command_palette=False)

    def on_resize(self) -> None:
        # Binding ids (what `[keymap]` remaps) only when they fit beside the descriptions.
        show_ids = self.size.width >= IDS_MIN_WIDTH
        title = " lambdatop — keys" + ("" if show_ids else "   (wider terminal: binding ids)")
        self.query_one("#help-title", Static).update(Content.styled(title, "bold"))
        self.query_one("#help-text", Static).update(
            help_content(self._shown_bindings, show_ids=show_ids, reasons=self._reasons)
        )

    def action_close(self) -> None:
        self.dismiss()
