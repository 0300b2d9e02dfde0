"""`a`: an alias's traffic split, and the keys that change it.

Lists the highlighted function's aliases (up/down to choose when there are several) with their
split; `+` / `-` step the extra version by 5 %, `=` sets an exact weight, `p` promotes (the
alias points at the new version, no extra weight), `b` rolls back (extra weight 0). Each key
returns a plan; the preview and confirmation come next, nothing is written here.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from lambdatop.model.plans import WEIGHT_STEP, AliasPlan, PlanError, Routing, Target
from lambdatop.model.sanitize import clean_text
from lambdatop.model.snapshot import AliasRow, FunctionRow

KEYS_HELP = "+/- canary ±5 % · = exact · p promote · b roll back · esc cancel"


def routing_of(alias: AliasRow) -> Routing:
    return Routing(alias.version, dict(alias.weights))


def target_of(row: FunctionRow) -> Target:
    return Target(arn=row.arn, name=row.name, account_id=row.account_id, region=row.region)


def parse_exact(text: str, routing: Routing) -> tuple[str, float]:
    """`10` or `10%` (the extra version), or `7 10` / `v7 10%` (version and percent)."""
    parts = text.replace("%", " ").replace("v", " ").split()
    if len(parts) == 1 and routing.extra is not None:
        version, pct_text = routing.extra[0], parts[0]
    elif len(parts) == 2:
        version, pct_text = parts
    else:
        raise ValueError("a percent for the extra version (e.g. 10), or version and percent (e.g. 7 10)")
    try:
        pct = float(pct_text)
    except ValueError as exc:
        raise ValueError(f"not a percent: {clean_text(pct_text, max_len=20)!r}") from exc
    return version, round(pct / 100.0, 4)


class AliasPanel(ModalScreen[AliasPlan | None]):
    """Returns the plan the key asked for, or None when cancelled."""

    DEFAULT_CSS = """
    AliasPanel { align: center middle; }
    AliasPanel > #alias-panel {
        width: 72; max-width: 100%; height: auto; max-height: 20;
        border: round $accent; background: $panel; padding: 0 1;
    }
    AliasPanel #alias-list { height: auto; max-height: 10; }
    AliasPanel #alias-keys { color: $muted; }
    AliasPanel #alias-error { color: $status-crit; }
    AliasPanel #exact-input { display: none; }
    AliasPanel #exact-input.-open { display: block; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("plus", "step(1)", "+5 %", id="action.alias-step-up", tooltip="send 5 % more to the extra version"),
        Binding("minus", "step(-1)", "-5 %", id="action.alias-step-down", tooltip="send 5 % less to the extra version"),
        Binding("equals_sign", "exact", "exact", id="action.alias-exact", tooltip="set the extra version's weight"),
        Binding("p", "promote", "promote", id="action.alias-promote", tooltip="point the alias at the new version"),
        Binding("b", "rollback", "roll back", id="action.alias-rollback", tooltip="extra version to 0 %"),
        Binding("escape", "cancel", "cancel", id="action.alias-cancel", tooltip="close: nothing is written"),
    ]

    def __init__(self, row: FunctionRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        with Vertical(id="alias-panel") as box:
            box.border_title = f"Aliases of {clean_text(self.row.name, max_len=50)}"
            options = [Option(Content(self._label(a)), id=f"alias-{i}") for i, a in enumerate(self.row.aliases)]
            yield OptionList(*options, id="alias-list", compact=True)
            yield Input(placeholder="percent, e.g. 10 (or version and percent: 7 10)", id="exact-input", compact=True)
            yield Static("", id="alias-error", markup=False)
            yield Static(KEYS_HELP, id="alias-keys", markup=False)

    @staticmethod
    def _label(alias: AliasRow) -> str:
        return f"{clean_text(alias.name, max_len=24):<16} {routing_of(alias).describe()}"

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @property
    def alias(self) -> AliasRow | None:
        index = self.query_one(OptionList).highlighted
        aliases = self.row.aliases
        return aliases[index] if index is not None and 0 <= index < len(aliases) else None

    def _finish(self, make: str, *args: object) -> None:
        alias = self.alias
        if alias is None:
            return
        target, before = target_of(self.row), routing_of(alias)
        try:
            if make == "step":
                plan = AliasPlan.step(target, alias.name, before, float(args[0]) * WEIGHT_STEP)  # type: ignore[arg-type]
            elif make == "promote":
                plan = AliasPlan.promote(target, alias.name, before)
            elif make == "rollback":
                plan = AliasPlan.rollback(target, alias.name, before)
            else:
                version, weight = args
                plan = AliasPlan.exact(target, alias.name, before, str(version), float(weight))  # type: ignore[arg-type]
        except PlanError as exc:
            self.query_one("#alias-error", Static).update(str(exc))
            return
        self.dismiss(plan)

    def action_step(self, direction: int) -> None:
        self._finish("step", direction)

    def action_promote(self) -> None:
        self._finish("promote")

    def action_rollback(self) -> None:
        self._finish("rollback")

    def action_exact(self) -> None:
        field = self.query_one("#exact-input", Input)
        field.add_class("-open")
        field.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("step", "exact", "promote", "rollback"):
            # While the percent is typed, `+`, `-`, `p`, `b` are characters, not commands.
            fields = self.query("#exact-input")
            return not (fields and fields.first().has_focus)
        return True

    @on(Input.Submitted, "#exact-input")
    def _exact_entered(self, event: Input.Submitted) -> None:
        event.stop()
        alias = self.alias
        if alias is None:
            return
        try:
            version, weight = parse_exact(event.value, routing_of(alias))
        except ValueError as exc:
            self.query_one("#alias-error", Static).update(str(exc))
            return
        self._finish("exact", version, weight)

    def action_cancel(self) -> None:
        self.dismiss(None)
