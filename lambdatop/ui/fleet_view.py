"""What the fleet table should show: filtered, sorted rows and their cells (pure, no Textual).

Each function has one cache entry, rebuilt only when a displayed field changed, so a snapshot
of 2,000 functions where a few numbers moved costs a tuple comparison per row, and a snapshot
where nothing moved (the collector sends one after every source pass) costs almost nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lambdatop.model.health import Health, health, sort_key
from lambdatop.model.snapshot import SOURCE_NAMES, FleetSnapshot, FunctionRow
from lambdatop.ui.columns import (
    COLUMNS_BY_KEY,
    Cell,
    CellContext,
    Column,
    render_cells,
    rerender_cells,
)
from lambdatop.ui.fleet_filter import FleetFilter

RowCells = tuple[str, tuple[Cell, ...]]  # (function ARN, one cell per shown column)


@dataclass(frozen=True, slots=True)
class SortOrder:
    column: str = "health"
    reverse: bool = False


def display_key(row: FunctionRow) -> tuple[Any, ...]:
    """Every field a cell, the verdict or the filter reads (timestamps excluded on purpose)."""
    return (
        row.name, row.region, row.runtime, row.tags, row.reserved_concurrency, row.invocations,
        row.errors, row.throttles, row.concurrency_max, row.duration_p99_ms, row.timeout_s,
        row.iterator_age_max_ms, row.async_events_dropped, row.invocations_series, row.reports,
        row.cold_starts, row.init_p99_ms, row.dlqs, row.stale,
    )  # fmt: skip


def provisional_points(snapshot: FleetSnapshot) -> int:
    """How many trailing per-minute points were stamped after `provisional_after`."""
    after = snapshot.provisional_after
    if after is None or after >= snapshot.generated_at:
        return 0
    return -(-int((snapshot.generated_at - after).total_seconds()) // 60)


def stale_for_all(snapshot: FleetSnapshot) -> frozenset[str]:
    """Sources stale for every row: all of them when painted from the cache, else the failing."""
    if snapshot.from_cache:
        return frozenset(SOURCE_NAMES)
    return frozenset(name for name, status in snapshot.sources.items() if not status.ok)


@dataclass(slots=True)
class _Entry:
    row: FunctionRow
    key: tuple[Any, ...]
    verdict: Health
    order_key: tuple[float, int, str, str, str]
    # The row as it was before its DLQ depth last moved: DLQ growth means "the last move was up",
    # so the ↑ does not vanish when the next snapshot (seconds later) has the same depth.
    depth_reference: FunctionRow | None = None
    cells: tuple[Cell, ...] | None = None
    cells_shape: object = None
    # What `cells` were rendered from, while they are out of date (the row changed since).
    rendered_from: tuple[FunctionRow, Health, frozenset[str]] | None = None


class FleetView:
    """The current snapshot seen through the user's filter and sort order."""

    def __init__(self) -> None:
        self.snapshot: FleetSnapshot | None = None
        self.filter = FleetFilter()
        self.order = SortOrder()
        self._entries: dict[str, _Entry] = {}
        self._version = 0  # bumps when any row's displayed fields or the set of rows change
        self._rows_cache: tuple[object, list[FunctionRow]] | None = None
        self._shape: tuple[Any, ...] | None = None

    @property
    def version(self) -> int:
        return self._version

    def update(self, snapshot: FleetSnapshot) -> None:
        changed = self.snapshot is None or stale_for_all(snapshot) != stale_for_all(self.snapshot)
        live: set[str] = set()
        for row in snapshot.functions:
            live.add(row.arn)
            key = display_key(row)
            entry = self._entries.get(row.arn)
            if entry is not None and entry.key == key:
                entry.row = row
                continue
            self._entries[row.arn] = self._entry(row, key, entry)
            changed = True
        if len(live) != len(self._entries):
            for arn in [a for a in self._entries if a not in live]:
                del self._entries[arn]
            changed = True
        self.snapshot = snapshot
        if changed:
            self._version += 1

    def _entry(self, row: FunctionRow, key: tuple[Any, ...], old: _Entry | None) -> _Entry:
        reference = None
        if old is not None:
            moved = old.row.dlq_depth != row.dlq_depth
            reference = old.row if moved else old.depth_reference
        verdict = health(row, previous=reference)
        entry = _Entry(row, key, verdict, sort_key(row, verdict), reference)
        if old is not None and old.cells is not None:
            # Keep the old cells as a starting point: most of them will not change.
            entry.cells, entry.cells_shape = old.cells, old.cells_shape
            rendered = (old.row, old.verdict, frozenset(old.row.stale))
            entry.rendered_from = old.rendered_from or rendered
        return entry

    def verdict(self, row: FunctionRow) -> Health:
        entry = self._entries.get(row.arn)
        return entry.verdict if entry is not None else health(row)

    def rows(self) -> list[FunctionRow]:
        """Matching functions in display order; unknown values sort last either way."""
        cache_key = (self._version, self.filter, self.order)
        if self._rows_cache is not None and self._rows_cache[0] == cache_key:
            return self._rows_cache[1]
        result = self._ordered([e for e in self._entries.values() if self.filter.matches(e.row)])
        self._rows_cache = (cache_key, result)
        return result

    def _ordered(self, entries: list[_Entry]) -> list[FunctionRow]:
        entries.sort(key=lambda e: e.order_key)  # worst first: the baseline and the tie-break
        column = COLUMNS_BY_KEY.get(self.order.column, COLUMNS_BY_KEY["health"])
        if column.key == "health":
            ordered = entries[::-1] if self.order.reverse else entries
            return [e.row for e in ordered]
        keyed = [(column.sort_value(e.row, e.verdict), e.row) for e in entries]
        known = [(v, r) for v, r in keyed if v is not None]
        unknown = [r for v, r in keyed if v is None]
        # A stable sort over the worst-first baseline: ties stay worst first.
        known.sort(key=lambda pair: pair[0], reverse=column.descending != self.order.reverse)
        return [r for _, r in known] + unknown

    def cells(self, rows: Sequence[FunctionRow], columns: Sequence[Column], ctx: CellContext) -> list[RowCells]:
        everywhere = stale_for_all(self.snapshot) if self.snapshot else frozenset[str]()
        shape = (tuple(c.key for c in columns), ctx, everywhere)
        if shape != self._shape:
            self._shape = shape
        shape = self._shape  # one object per shape, so entries compare it by identity
        out: list[RowCells] = []
        for row in rows:
            entry = self._entries[row.arn]
            before = entry.rendered_from
            if entry.cells is None or entry.cells_shape is not shape:
                stale = everywhere.union(row.stale) if row.stale else everywhere
                entry.cells = render_cells(row, entry.verdict, columns, ctx, stale)
                entry.cells_shape, entry.rendered_from = shape, None
            elif before is not None:
                stale = everywhere.union(row.stale) if row.stale else everywhere
                if before[2] == frozenset(row.stale):
                    entry.cells = rerender_cells(
                        row, entry.verdict, columns, ctx, stale, (before[0], before[1], entry.cells)
                    )
                else:
                    entry.cells = render_cells(row, entry.verdict, columns, ctx, stale)
                entry.rendered_from = None
            out.append((row.arn, entry.cells))
        return out

    def context(self, name_width: int) -> CellContext:
        points = provisional_points(self.snapshot) if self.snapshot else 0
        return CellContext(provisional_points=points, name_width=name_width)
