"""The fleet DataTable, updated by diff keyed on the function ARN.

Only changed cells are written (`update_cell(..., update_width=False)`: column widths are
fixed, re-measuring 2,000 rows would cost seconds), rows are added and removed by key, and the
highlighted function keeps the highlight when rows re-sort around it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.console import JustifyMethod
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist

from lambdatop.ui.columns import ROLES, Cell, Column, Role
from lambdatop.ui.fleet_view import RowCells

# Removing a row from a DataTable is O(rows); past this many removals a rebuild is cheaper.
REBUILD_AFTER_REMOVALS = 64


class KeyedText(Text):
    """The name cell carries its row's ARN, so the table can be put in our order by key."""

    def __init__(self, *args: object, arn: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.arn = arn


class FleetTable(DataTable[Text], inherit_bindings=False):
    """Every function, one row each; the row key is the function ARN.

    Only the moves that mean something on a row cursor are bound (no `enter` until the
    detail view exists, no left/right), each with an id so it can be remapped (vim keys too).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "up", show=False, id="table.cursor-up"),
        Binding("down,j", "cursor_down", "down", show=False, id="table.cursor-down"),
        Binding("pageup", "page_up", "page up", show=False, id="table.page-up"),
        Binding("pagedown", "page_down", "page down", show=False, id="table.page-down"),
        Binding("home,g", "scroll_top", "first function", show=False, id="table.first"),
        Binding("end,G", "scroll_bottom", "last function", show=False, id="table.last"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {f"fleet-table--{role}" for role in ROLES}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self._columns: tuple[Column, ...] = ()
        self._shown: dict[str, tuple[Cell, ...]] = {}
        self._order: list[str] = []
        self._styles: dict[Role, Style] | None = None
        self._pending_cursor: str | None = None  # the highlight to restore after set_columns

    # --- public API -------------------------------------------------------------------------

    @property
    def shown_columns(self) -> tuple[Column, ...]:
        return self._columns

    @property
    def highlighted_arn(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            key = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key
        except CellDoesNotExist:
            return None
        return key.value

    @property
    def order(self) -> list[str]:
        """ARNs in display order."""
        return list(self._order)

    def set_columns(self, columns: Sequence[Column], name_width: int, labels: dict[str, str]) -> None:
        """Replace the columns (on resize): the rows are rebuilt by the next `show`."""
        keep = self.highlighted_arn
        self.clear(columns=True)
        self._shown.clear()
        self._order = []
        self._columns = tuple(columns)
        for column in columns:
            width = name_width if column.key == "name" else column.width
            self.add_column(self._label(column, labels), width=width, key=column.key)
        self._pending_cursor = keep

    def set_labels(self, labels: dict[str, str]) -> None:
        """Column headings (the sort arrow lives there)."""
        for column in self._columns:
            table_column = self.columns.get(column.key)  # type: ignore[call-overload]
            if table_column is not None:
                table_column.label = self._label(column, labels)
        self.refresh()

    def show(self, rows: Sequence[RowCells]) -> None:
        """Make the table show `rows`, in this order, touching only what changed."""
        keep = self.highlighted_arn or self._pending_cursor
        self._pending_cursor = None
        wanted = {arn for arn, _ in rows}
        gone = [arn for arn in self._shown if arn not in wanted]
        with self.app.batch_update():
            if len(gone) > REBUILD_AFTER_REMOVALS:
                self._rebuild(rows)
            else:
                for arn in gone:
                    self.remove_row(arn)
                    del self._shown[arn]
                self._apply(rows)
            new_order = [arn for arn, _ in rows]
            if new_order != self._order:
                rank = {arn: i for i, arn in enumerate(new_order)}
                self.sort("name", key=lambda cell: rank[cell.arn])
                self._order = new_order
            self._restore_cursor(keep)

    def show_partly(self, order: Sequence[str], rows: Sequence[RowCells]) -> None:
        """Put the table in `order` now, updating only `rows` (those in view, and any new ones);
        `patch` brings the other rows up to date afterwards."""
        keep = self.highlighted_arn or self._pending_cursor
        self._pending_cursor = None
        wanted = set(order)
        gone = [arn for arn in self._shown if arn not in wanted]
        with self.app.batch_update():
            for arn in gone:
                self.remove_row(arn)
                del self._shown[arn]
            self._apply(rows)
            new_order = list(order)
            if new_order != self._order:
                rank = {arn: i for i, arn in enumerate(new_order)}
                self.sort("name", key=lambda cell: rank[cell.arn])
                self._order = new_order
            self._restore_cursor(keep)

    def patch(self, rows: Sequence[RowCells]) -> None:
        """Bring rows already in the table up to date (cells only, order unchanged)."""
        present = [(arn, cells) for arn, cells in rows if arn in self._shown]
        if present:
            with self.app.batch_update():
                self._apply(present)

    def view_ranges(self, order: Sequence[str], margin: int = 0) -> list[tuple[int, int]]:
        """Index ranges of `order` that will be on screen: where the view is now and, since
        the cursor keeps its function, around where the highlighted function lands."""
        body = max(1, self.scrollable_content_region.height - self.header_height)
        first = int(self.scroll_y)
        ranges = [(max(0, first - margin), first + body + margin)]
        arn = self.highlighted_arn
        if arn is not None and arn in self._shown:
            index = list(order).index(arn) if arn in order else None
            if index is not None and not first <= index < first + body:
                ranges.append((max(0, index - body - margin), index + body + margin))
        return ranges

    def restyle(self) -> None:
        """The theme changed: re-render every cell with the new colours (if they changed)."""
        before = self._styles
        self._styles = None
        if before is not None and self._role_styles() == before:
            return
        keep = self.highlighted_arn
        rows = [(arn, self._shown[arn]) for arn in self._order]
        with self.app.batch_update():
            self._rebuild(rows)
            self._restore_cursor(keep)

    def visible_arns(self) -> list[str]:
        """ARNs of the rows currently scrolled into view."""
        first = int(self.scroll_y)
        body = max(0, self.scrollable_content_region.height - self.header_height)
        return self._order[first : first + body]

    # --- internals --------------------------------------------------------------------------

    def _apply(self, rows: Sequence[RowCells]) -> None:
        columns = self._columns
        for arn, cells in rows:
            before = self._shown.get(arn)
            if before is cells:
                continue
            if before is None:
                self.add_row(*self._texts(arn, cells), key=arn)
            elif before != cells:
                for column, old, new in zip(columns, before, cells, strict=True):
                    if old != new:
                        self.update_cell(arn, column.key, self._text(arn, column, new), update_width=False)
            self._shown[arn] = cells

    def _rebuild(self, rows: Sequence[RowCells]) -> None:
        self.clear(columns=False)
        self._shown.clear()
        self._order = []
        self._apply(rows)
        self._order = [arn for arn, _ in rows]

    def _restore_cursor(self, arn: str | None) -> None:
        if arn is None:
            return
        try:
            index = self.get_row_index(arn)
        except RowDoesNotExist:
            return  # the function left the view: the cursor stays at the same height
        if index != self.cursor_row:
            self.move_cursor(row=index, animate=False)

    @staticmethod
    def _label(column: Column, labels: dict[str, str]) -> Text:
        return Text(labels.get(column.key, column.label), justify="right" if column.right else "left")

    def _texts(self, arn: str, cells: Sequence[Cell]) -> list[Text]:
        return [self._text(arn, c, cell) for c, cell in zip(self._columns, cells, strict=True)]

    def _text(self, arn: str, column: Column, cell: Cell) -> Text:
        styles = self._role_styles()
        justify: JustifyMethod = "right" if column.right else "left"
        if column.key == "name":
            text: Text = KeyedText(arn=arn, end="", no_wrap=True, overflow="ellipsis")
        elif len(cell) == 1:  # most cells: one piece of text in one style
            content, role = cell[0]
            return Text(content, styles[role], end="", no_wrap=True, overflow="ellipsis", justify=justify)
        else:
            text = Text(end="", no_wrap=True, overflow="ellipsis", justify=justify)
        for segment, role in cell:
            text.append(segment, styles[role])
        return text

    def _role_styles(self) -> dict[Role, Style]:
        if self._styles is None:
            self._styles = {role: self.get_component_rich_style(f"fleet-table--{role}", partial=True) for role in ROLES}
        return self._styles
