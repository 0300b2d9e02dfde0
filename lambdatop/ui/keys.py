"""Key bindings as documentation: display names, scopes, and the README key table.

The README's table is generated from the live `BINDINGS` (`keymap_markdown()`), and a test
keeps the two equal, so the documentation cannot drift from the keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual.binding import Binding, BindingType
from textual.keys import format_key

SCOPE_ORDER = ("fleet", "action", "app", "help", "sources", "prompt")


def binding_scope(binding: Binding) -> str:
    """`fleet` for `fleet.filter`; '' for Textual's own bindings (no id)."""
    return binding.id.split(".", 1)[0] if binding.id else ""


def key_display(keys: str, keymap: Mapping[str, str] | None = None, ident: str | None = None) -> str:
    """`slash` -> `/`, `escape,question_mark` -> `esc / ?`, honouring a remap of `ident`."""
    if keymap and ident and ident in keymap:
        keys = keymap[ident]
    return " / ".join(format_key(k.strip()) for k in keys.split(",") if k.strip())


def lambdatop_bindings() -> list[Binding]:
    """Every binding lambdatop declares, in the order help and the README list them."""
    from lambdatop.ui.app import LambdatopApp
    from lambdatop.ui.screens.action_preview import ActionPreviewScreen
    from lambdatop.ui.screens.alias_panel import AliasPanel
    from lambdatop.ui.screens.fleet import FleetScreen
    from lambdatop.ui.screens.help import HelpScreen
    from lambdatop.ui.screens.reserved_prompt import ReservedPrompt
    from lambdatop.ui.screens.sources import SourcesScreen
    from lambdatop.ui.widgets.fleet_table import FleetTable
    from lambdatop.ui.widgets.prompt import Prompt

    declared: list[BindingType] = [
        *FleetScreen.BINDINGS,
        *LambdatopApp.BINDINGS,
        *FleetTable.BINDINGS,
        *AliasPanel.BINDINGS,
        *ActionPreviewScreen.BINDINGS,
        *ReservedPrompt.BINDINGS,
        *HelpScreen.BINDINGS,
        *SourcesScreen.BINDINGS,
        *Prompt.BINDINGS,
    ]
    return [b for b in declared if isinstance(b, Binding) and b.id]


def merge_groups(bindings: Iterable[Binding]) -> list[tuple[str, Binding]]:
    """(keys shown, binding) pairs; a group (`1`…`9`) collapses into one entry."""
    merged: list[tuple[str, Binding]] = []
    grouped: dict[str, list[Binding]] = {}
    for binding in bindings:
        if binding.group is not None:
            members = grouped.setdefault(binding.group.description, [])
            if not members:
                merged.append(("", binding))
            members.append(binding)
        else:
            merged.append((binding.key, binding))
    out: list[tuple[str, Binding]] = []
    for keys, binding in merged:
        if binding.group is not None:
            members = grouped[binding.group.description]
            keys = f"{members[0].key}…{members[-1].key}" if len(members) > 2 else ",".join(m.key for m in members)
        out.append((keys, binding))
    return out


def shown_id(binding: Binding) -> str:
    """The id, with a group's members written once (`fleet.sort-column-N`)."""
    ident = binding.id or ""
    if binding.group is not None and "-" in ident:
        return ident.rsplit("-", 1)[0] + "-N"
    return ident


def keymap_markdown() -> str:
    """The README key table: key, what it does, and the id to remap it in `[keymap]`."""
    lines = ["| key | what it does | id (for `[keymap]`) |", "|---|---|---|"]
    for keys, binding in merge_groups(lambdatop_bindings()):
        shown = (
            " / ".join(f"`{k}`" for k in key_display(keys).split(" / "))
            if "…" not in keys
            else f"`{keys.replace('…', '`…`')}`"
        )
        lines.append(f"| {shown} | {_describe(binding)} | `{shown_id(binding)}` |")
    return "\n".join(lines) + "\n"


def _describe(binding: Binding) -> str:
    return binding.tooltip or binding.description


def _binding_contexts() -> list[list[Binding]]:
    """Bindings that are active together (one screen, its widgets, and the app's own)."""
    from lambdatop.ui.app import LambdatopApp
    from lambdatop.ui.screens.fleet import FleetScreen
    from lambdatop.ui.screens.help import HelpScreen
    from lambdatop.ui.screens.sources import SourcesScreen
    from lambdatop.ui.widgets.fleet_table import FleetTable
    from lambdatop.ui.widgets.prompt import Prompt

    app: list[BindingType] = list(LambdatopApp.BINDINGS)
    contexts: list[list[BindingType]] = [
        [*FleetScreen.BINDINGS, *FleetTable.BINDINGS, *app],
        [*HelpScreen.BINDINGS, *app],
        [*SourcesScreen.BINDINGS, *app],
        list(Prompt.BINDINGS),
    ]
    return [[b for b in context if isinstance(b, Binding) and b.id] for context in contexts]


def keymap_problems(keymap: Mapping[str, str], bindings: Iterable[Binding] | None = None) -> list[str]:
    """What is wrong with a `[keymap]`, phrased for the user: ids the app does not have (with a
    did-you-mean), and keys a remap gives to two actions at once (only one of them could work).
    The ids come from the live bindings, so new screens' bindings are known without a list."""
    from lambdatop.settings import did_you_mean

    known = sorted({b.id for b in (bindings if bindings is not None else lambdatop_bindings()) if b.id})
    problems = [
        f"[keymap] unknown binding id '{ident}'{did_you_mean(ident, known)}" for ident in keymap if ident not in known
    ]
    reported: set[tuple[str, ...]] = set()
    for context in _binding_contexts():
        owners: dict[str, set[str]] = {}
        for binding in context:
            assert binding.id is not None
            keys = keymap.get(binding.id, binding.key)
            for key in (k.strip() for k in keys.split(",")):
                if key:
                    owners.setdefault(key, set()).add(binding.id)
        for key, ids in owners.items():
            clash = tuple(sorted(ids))
            if len(ids) > 1 and any(i in keymap for i in ids) and (key, *clash) not in reported:
                reported.add((key, *clash))
                problems.append(
                    f"[keymap] '{format_key(key)}' is bound to {' and '.join(clash)}: only one of them will work"
                )
    return problems
