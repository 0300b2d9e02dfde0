"""The keys that change AWS, the same on every screen that shows a function.

A screen gets them by adding `ACTION_BINDINGS` to its BINDINGS and implementing
`current_function()` (the `ActsOnFunction` protocol). The bindings run on the app (`app.*`),
which owns the operator: the app asks the topmost screen that acts on a function which one is
highlighted, and `App.check_action` greys every one of them out (with the reason in `?`) in
read-only mode.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from textual.binding import Binding

from lambdatop.model.snapshot import FunctionRow

# Action names on the app; each one can change AWS.
WRITE_ACTIONS = frozenset({"set_reserved", "remove_reserved", "emergency_stop", "alias_weights", "undo"})

_BY_KEY: dict[str, Binding] = {
    b.key: b
    for b in [
        Binding(
            "c",
            "app.set_reserved",
            "cap",
            id="action.set-reserved",
            tooltip="set reserved concurrency: prompt, preview, confirm",
        ),
        Binding(
            "C",
            "app.remove_reserved",
            "uncap",
            id="action.remove-reserved",
            tooltip="remove reserved concurrency: preview, confirm",
        ),
        Binding(
            "x",
            "app.emergency_stop",
            "stop",
            id="action.emergency-stop",
            tooltip="emergency stop (reserved 0): type the name to confirm",
        ),
        Binding(
            "a",
            "app.alias_weights",
            "alias",
            id="action.alias-weights",
            tooltip="alias weights: ±5 %, exact, promote, roll back",
        ),
        Binding(
            "u",
            "app.undo",
            "undo",
            id="action.undo",
            tooltip="undo the last action here: preview, confirm",
        ),
    ]
}
# The footer shows cap, stop and alias first: at 80 columns they are among the few keys that fit,
# and acting is why lambdatop is open. Removing a cap and undo come later in the footer.
FIRST_ACTION_BINDINGS: list[Binding] = [_BY_KEY["c"], _BY_KEY["x"], _BY_KEY["a"]]
LATER_ACTION_BINDINGS: list[Binding] = [_BY_KEY["C"], _BY_KEY["u"]]
ACTION_BINDINGS: list[Binding] = FIRST_ACTION_BINDINGS + LATER_ACTION_BINDINGS


@runtime_checkable
class ActsOnFunction(Protocol):
    """A screen that has a highlighted (or open) function the action keys act on."""

    def current_function(self) -> FunctionRow | None: ...
