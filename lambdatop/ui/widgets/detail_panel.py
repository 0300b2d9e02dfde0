"""One bordered panel of the detail screen: a title, a body of Text, and a status line."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

ROLES = ("ok", "warn", "crit", "muted", "canary", "accent")


class DetailPanel(Static):
    DEFAULT_CSS = """
    DetailPanel {
        border: round $panel-lighten-2;
        border-title-color: $foreground;
        border-title-style: bold;
        padding: 0 1;
        height: auto;
        width: 1fr;
    }
    DetailPanel.-stale { border: round $status-warn; }
    DetailPanel > .detail--ok { color: $status-ok; }
    DetailPanel > .detail--warn { color: $status-warn; }
    DetailPanel > .detail--crit { color: $status-crit; text-style: bold; }
    DetailPanel > .detail--muted { color: $muted; }
    DetailPanel > .detail--canary { color: $canary; }
    DetailPanel > .detail--accent { color: $gauge-fill; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {f"detail--{role}" for role in ROLES}

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.border_title = title
        self._paint: Callable[[dict[str, Style], int], tuple[Text, Text | None]] | None = None

    def styles_by_role(self) -> dict[str, Style]:
        return {role: self.get_component_rich_style(f"detail--{role}", partial=True) for role in ROLES}

    def paint(self, paint: Callable[[dict[str, Style], int], tuple[Text, Text | None]]) -> None:
        """`paint(styles, width)` gives (body, status); kept to repaint on resize and theme change."""
        self._paint = paint
        self.repaint()

    def repaint(self) -> None:
        if self._paint is None:
            return
        width = max(20, self.content_region.width or (self.app.size.width - 4))
        body, status = self._paint(self.styles_by_role(), width)
        self.set_class(status is not None and status.style != "" and "stale" in status.plain, "-stale")
        if status is not None:
            body = Text.assemble(body, "\n" if body.plain else "", status)
        self.update(body if body.plain else Text("no data", self.styles_by_role()["muted"]))

    def on_resize(self) -> None:
        self.repaint()
