"""The fleet screen's keys, in footer order."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from lambdatop.ui.action_keys import FIRST_ACTION_BINDINGS, LATER_ACTION_BINDINGS

# The trailing space keeps the next footer key from touching the label (compact footer).
SORT_GROUP = Binding.Group("sort col ", compact=True)


def _sort_binding(n: int) -> Binding:
    return Binding(
        str(n),
        f"sort_column({n})",
        "sort by column N",
        id=f"fleet.sort-column-{n}",
        group=SORT_GROUP,
        tooltip="sort by the Nth column shown (again: reverse)",
    )


# Footer order = this order. At 80 columns about ten fit: help, open the function, the
# three actions, then filter, sort, window, the command line and quit; the rest follow.
# `/` and `:` are priority bindings: Textual hands queued keys to whatever is focused when
# it reads them, so only a binding the app runs at once can move focus to the prompt before
# the keys typed right after it arrive.
# `app.help` / `app.quit` live here (not on the App) so they lead the footer; their
# actions run on the app.
FLEET_BINDINGS: list[BindingType] = [
    Binding(
        "question_mark",
        "app.help",
        "help",
        id="app.help",
        tooltip="every key that works here, and what the signs mean",
    ),
    Binding(
        "enter",
        "open_detail",
        "detail",
        id="fleet.open-detail",
        tooltip="why is this function unhealthy",
    ),
    *FIRST_ACTION_BINDINGS,
    Binding(
        "slash",
        "filter",
        "filter",
        id="fleet.filter",
        priority=True,
        tooltip="filter by name, runtime, region, tag (regex; !x inverts)",
    ),
    Binding("s", "sort_next", "sort", id="fleet.sort-next", tooltip="sort by the next column"),
    Binding(
        "w", "window_next", "window", id="fleet.window-next", tooltip="window the numbers cover: 5m → 15m → 1h → 3h"
    ),
    Binding(
        "colon",
        "command_line",
        "cmd",
        id="fleet.command-line",
        priority=True,
        tooltip="command line: region, profile, theme, window, filter",
    ),
    Binding("q", "app.quit", "quit", id="app.quit", tooltip="quit lambdatop"),
    Binding("S", "sort_reverse", "reverse", id="fleet.sort-reverse", tooltip="reverse the sort order"),
    Binding("r", "refresh", "refresh", id="fleet.refresh", tooltip="refresh every source now"),
    Binding(
        "space",
        "pause",
        "pause",
        id="fleet.pause",
        tooltip="pause / resume polling (the last numbers stay on screen)",
    ),
    *LATER_ACTION_BINDINGS,
    Binding("escape", "clear_filter", "clear filter", id="fleet.clear-filter", tooltip="clear the filter"),
    *(_sort_binding(n) for n in range(1, 10)),
]
