"""The fleet table's columns: what each shows, how wide it is, when it drops out (pure).

A cell is a tuple of (text, role) segments. Roles name component classes of the table
(`fleet-table--crit` …), so colours come from the theme, and cells compare cheaply: the table
only touches the cells whose segments changed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Literal

from lambdatop.model.health import (
    Health,
    format_count,
    format_duration_ms,
    format_pct,
    sort_key,
)
from lambdatop.model.sanitize import clean_text
from lambdatop.model.snapshot import FunctionRow
from lambdatop.ui.format import DASH, bucket_size, fit, sparkline

Role = Literal["plain", "ok", "warn", "crit", "stopped", "unknown", "stale", "muted", "provisional"]
ROLES: tuple[Role, ...] = (
    "plain", "ok", "warn", "crit", "stopped", "unknown", "stale", "muted", "provisional",
)  # fmt: skip
Segment = tuple[str, Role]
Cell = tuple[Segment, ...]
SortValue = float | str | tuple[float | str, ...]

STALE_MARK = "?"  # appended to a value whose source is stale: status never by colour alone
NOT_CONFIGURED = "·"  # e.g. no DLQ configured: known, and not the same as unknown (—)
NAME_MIN_WIDTH = 16
NAME_MAX_WIDTH = 48
CELL_PADDING = 1  # DataTable's default, on each side of every cell


@dataclass(frozen=True, slots=True)
class CellContext:
    """Per-snapshot facts every row's cells depend on."""

    provisional_points: int = 0  # trailing per-minute points that may still grow
    name_width: int = NAME_MIN_WIDTH
    # (ARN, note) for functions the operator changed from this screen: "✎ 13:42".
    marks: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    width: int
    priority: int  # 0 never drops; higher numbers drop first when the terminal is narrow
    source: str | None  # the source whose staleness marks this cell
    render: Callable[[FunctionRow, Health, CellContext], Cell]
    sort_value: Callable[[FunctionRow, Health], SortValue | None]
    descending: bool  # default direction: biggest (worst) first
    right: bool = False  # numbers align on the right

    @property
    def title(self) -> str:
        """What the column is called in words (command palette, help)."""
        return TITLES.get(self.key, self.key)


def plain(text: str, role: Role = "plain") -> Cell:
    return ((text, role),)


def _reason_role(verdict: Health, glyph: str) -> Role:
    """The level of the health rule with this glyph, so a number is coloured by the same
    thresholds as the health column (one set of rules, no second opinion)."""
    for reason in verdict.reasons:
        if reason.glyph == glyph:
            return reason.level
    return "plain"


def _name(row: FunctionRow, _v: Health, ctx: CellContext) -> Cell:
    for arn, mark in ctx.marks:
        if arn == row.arn:
            room = max(4, ctx.name_width - len(mark) - 1)
            name = fit(clean_text(row.name), room)
            return ((name, "plain"), (" " * (ctx.name_width - len(name) - len(mark)) + mark, "muted"))
    return plain(fit(clean_text(row.name), ctx.name_width))


def _region(row: FunctionRow, _v: Health, _ctx: CellContext) -> Cell:
    return plain(clean_text(row.region, max_len=14))


def _health(_row: FunctionRow, verdict: Health, _ctx: CellContext) -> Cell:
    return plain(fit(verdict.label, 13), verdict.level)


def _invocations(row: FunctionRow, _v: Health, _ctx: CellContext) -> Cell:
    return plain(format_count(row.invocations))


def _errors(row: FunctionRow, verdict: Health, _ctx: CellContext) -> Cell:
    if row.errors is None:
        return plain(DASH)
    invocations = row.invocations
    rate = row.errors / invocations if invocations else None  # FunctionRow.error_rate, inlined
    if rate is None or not row.errors:
        text = f"{format_count(row.errors)}      "  # keeps counts aligned with the rows below
    else:
        # The rate takes a fixed 5 cells ("1.1%", " 21%") so the counts line up.
        text = f"{format_count(row.errors)} {format_pct(rate):>5}"
    return plain(text, _reason_role(verdict, "✖") if row.errors else "plain")


def _throttles(row: FunctionRow, verdict: Health, _ctx: CellContext) -> Cell:
    role = _reason_role(verdict, "▲") if row.throttles else "plain"
    return plain(format_count(row.throttles), role)


def _concurrency(row: FunctionRow, verdict: Health, _ctx: CellContext) -> Cell:
    """`20/20` against a cap, the peak alone when uncapped, `0 ⏸` when stopped, `20/?` while
    the function's configuration has not been read yet (never shown as uncapped)."""
    cap = row.reserved_concurrency
    if cap == 0:
        return plain("0 ⏸", "stopped")
    peak = DASH if row.concurrency_max is None else format_count(round(row.concurrency_max))
    if cap is None:
        return plain(f"{peak}/?", "stale") if "inventory" in row.stale else plain(peak)
    role: Role = "plain"
    if cap > 0 and row.concurrency_max is not None and row.concurrency_max >= 0.9 * cap:
        role = "crit" if row.throttles else "warn"
    return plain(f"{peak}/{format_count(cap)}", role)


def _p99(row: FunctionRow, _v: Health, _ctx: CellContext) -> Cell:
    return plain(format_duration_ms(row.duration_p99_ms))


def _cold(row: FunctionRow, verdict: Health, _ctx: CellContext) -> Cell:
    reports, init = row.reports, row.init_p99_ms
    ratio = row.cold_starts / reports if reports and row.cold_starts is not None else None
    if ratio is None and init is None:
        return plain(DASH)
    parts = [format_pct(ratio)]
    if init is not None:
        parts.append(format_duration_ms(init))
    return plain(" ".join(parts), _reason_role(verdict, "❄"))


def _dlq(row: FunctionRow, verdict: Health, _ctx: CellContext) -> Cell:
    if not row.dlqs:
        return plain(NOT_CONFIGURED, "muted")
    depth = row.dlq_depth
    return plain(format_count(depth), _reason_role(verdict, "✉") if depth else "plain")


def _spark(row: FunctionRow, _v: Health, ctx: CellContext) -> Cell:
    """Invocations per minute; the last minutes, which may still grow, in the provisional role."""
    series = row.invocations_series
    if not series:
        return plain(DASH)
    text = sparkline(series, SPARK_WIDTH)
    points = ctx.provisional_points
    if points <= 0:
        return plain(text)
    tail = min(len(text), math.ceil(points / bucket_size(len(series), SPARK_WIDTH)))
    return ((text[:-tail], "plain"), (text[-tail:], "provisional"))


SPARK_WIDTH = 15


def _by_name(row: FunctionRow, _v: Health) -> SortValue:
    return (row.name.lower(), row.region)


def _by_health(row: FunctionRow, verdict: Health) -> SortValue:
    return tuple(sort_key(row, verdict))


def _by_error_rate(row: FunctionRow, _v: Health) -> SortValue | None:
    """Rate first (5 of 5 failing beats 100 of a million), then the count."""
    if row.errors is None:
        return None
    return (row.error_rate or 0.0, row.errors)


def _by_invocation_total(row: FunctionRow, _v: Health) -> SortValue | None:
    return float(sum(row.invocations_series)) if row.invocations_series else None


TITLES = {
    "name": "name", "region": "region", "health": "health (worst first)",
    "invocations": "invocations", "errors": "error rate", "throttles": "throttles",
    "concurrency": "peak concurrency", "dlq": "DLQ depth", "p99": "duration p99",
    "cold": "cold-start ratio", "spark": "invocations per minute",
}  # fmt: skip

# In display order. Widths are content widths and leave room for the stale mark.
# fmt: off
COLUMNS: tuple[Column, ...] = (
    Column("name", "NAME", NAME_MIN_WIDTH, 0, None, _name, _by_name, descending=False),
    Column("region", "REGION", 14, 2, None, _region, lambda r, _v: r.region, descending=False),
    Column("health", "HEALTH", 13, 0, "metrics", _health, _by_health, descending=False),
    Column("invocations", "INV", 6, 1, "metrics", _invocations,
           lambda r, _v: r.invocations, descending=True, right=True),
    Column("errors", "ERR RATE", 10, 1, "metrics", _errors, _by_error_rate,
           descending=True, right=True),
    Column("throttles", "THR", 6, 1, "metrics", _throttles,
           lambda r, _v: r.throttles, descending=True, right=True),
    Column("concurrency", "CONC/CAP", 10, 1, "metrics", _concurrency,
           lambda r, _v: r.concurrency_max, descending=True, right=True),
    Column("dlq", "DLQ", 6, 2, "queues", _dlq,
           lambda r, _v: r.dlq_depth, descending=True, right=True),
    Column("p99", "P99", 6, 3, "percentiles", _p99,
           lambda r, _v: r.duration_p99_ms, descending=True, right=True),
    Column("cold", "COLD INIT", 11, 4, "logs", _cold,
           lambda r, _v: r.cold_start_ratio, descending=True, right=True),
    Column("spark", "INV/MIN", SPARK_WIDTH, 5, "metrics", _spark, _by_invocation_total,
           descending=True),
)
# fmt: on
COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}


def choose_columns(available_width: int, *, multi_region: bool) -> tuple[tuple[Column, ...], int]:
    """The columns that fit in `available_width` cells, and the name column's width.

    Columns join by priority (lowest number first) until the next one would squeeze the name
    below NAME_MIN_WIDTH; the region column only exists when the fleet spans several regions.
    """
    candidates = [c for c in COLUMNS if multi_region or c.key != "region"]
    chosen = {c.key for c in candidates if c.priority == 0}
    used = sum(_outer(c.width) for c in candidates if c.key in chosen and c.key != "name")
    for column in sorted((c for c in candidates if c.priority > 0), key=lambda c: c.priority):
        needed = _outer(column.width)
        if available_width - used - needed - _outer(0) < NAME_MIN_WIDTH:
            break
        chosen.add(column.key)
        used += needed
    name_width = max(NAME_MIN_WIDTH, min(NAME_MAX_WIDTH, available_width - used - _outer(0)))
    return tuple(c for c in candidates if c.key in chosen), name_width


def _outer(width: int) -> int:
    return width + 2 * CELL_PADDING


def mark_stale(cell: Cell) -> Cell:
    """Draw a cell in the stale role and append `?` to a known value."""
    text = "".join(segment for segment, _ in cell)
    if text in (DASH, NOT_CONFIGURED, ""):
        return ((text, "stale"),)
    return ((text + STALE_MARK, "stale"),)


# Which source the health label's worst reason was read from (the rest come from metrics).
REASON_SOURCES = {"❄": "logs", "✉": "queues", "⏸": "inventory"}


def verdict_source(verdict: Health) -> str:
    """The source a verdict stands on: if it is stale, so is the verdict."""
    return REASON_SOURCES.get(verdict.glyph, "metrics")


def render_cell(column: Column, row: FunctionRow, verdict: Health, ctx: CellContext, stale: frozenset[str]) -> Cell:
    cell = column.render(row, verdict, ctx)
    source = verdict_source(verdict) if column.key == "health" else column.source
    if source is not None and source in stale:
        return mark_stale(cell)
    return cell


def render_cells(
    row: FunctionRow,
    verdict: Health,
    columns: Sequence[Column],
    ctx: CellContext,
    stale_sources: frozenset[str],
) -> tuple[Cell, ...]:
    return tuple(render_cell(c, row, verdict, ctx, stale_sources) for c in columns)


# The FunctionRow fields each column's render reads, and the columns that also read the
# verdict. They let a changed row re-render only the cells whose inputs moved (a fleet-wide
# refresh changes two or three of eleven); a test checks the result equals a full render.
READS: dict[str, Callable[[FunctionRow], object]] = {
    "name": attrgetter("name"),
    "region": attrgetter("region"),
    "health": attrgetter("name"),  # the verdict is what matters
    "invocations": attrgetter("invocations"),
    "errors": attrgetter("errors", "invocations"),
    "throttles": attrgetter("throttles"),
    "concurrency": attrgetter("reserved_concurrency", "concurrency_max", "throttles"),
    "dlq": attrgetter("dlqs"),
    "p99": attrgetter("duration_p99_ms"),
    "cold": attrgetter("reports", "cold_starts", "init_p99_ms"),
    "spark": attrgetter("invocations_series"),
}
READS_VERDICT = frozenset({"health", "errors", "throttles", "dlq", "cold"})


def rerender_cells(
    row: FunctionRow,
    verdict: Health,
    columns: Sequence[Column],
    ctx: CellContext,
    stale_sources: frozenset[str],
    before: tuple[FunctionRow, Health, tuple[Cell, ...]],
) -> tuple[Cell, ...]:
    """`render_cells`, reusing the cells of `before` (same columns, context and stale
    sources) whose inputs did not change."""
    old_row, old_verdict, old_cells = before
    same_verdict = verdict == old_verdict
    cells = []
    for column, old in zip(columns, old_cells, strict=True):
        read = READS[column.key]
        if read(row) == read(old_row) and (same_verdict or column.key not in READS_VERDICT):
            cells.append(old)
        else:
            cells.append(render_cell(column, row, verdict, ctx, stale_sources))
    return tuple(cells)
