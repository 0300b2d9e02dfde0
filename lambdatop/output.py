"""`lambdatop --once`: one FleetSnapshot rendered as a table, a JSON document or CSV.

Every string that came from AWS goes through `clean_text`; the table is built from Rich `Text`
objects, so a function called `[bold red]x[/]` is printed as exactly that.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from lambdatop.model.derived import account_use, age_s, error_rate
from lambdatop.model.frames import FLAT_COLUMNS, Cell, flat_record, worst_first
from lambdatop.model.health import (
    NONE_MARK,
    Health,
    format_age_s,
    format_count,
    format_duration_ms,
    format_pct,
    level_counts,
)
from lambdatop.model.sanitize import clean_text
from lambdatop.model.snapshot import (
    SOURCE_NAMES,
    AliasRow,
    CanaryRow,
    FleetSnapshot,
    FunctionRow,
    QueueRow,
    RegionSummary,
    SourceStatus,
    VersionFigures,
)
from lambdatop.model.window import format_window
from lambdatop.settings import OutputFormat

SCHEMA = "lambdatop.snapshot/1"
EXIT_OK = 0
EXIT_STALE = 3  # the document is printed, but some source was stale or failed
ERROR_MAX_LEN = 500  # an AWS error message longer than this is cut (with …)

# Decimal places in JSON and CSV. Ratios keep 4 (0.1234 = 12.34 %), the rest 1.
_RATIO_DIGITS = 4
_DEFAULT_DIGITS = 1
_RATIO_COLUMNS = frozenset({"error_rate", "throttle_rate", "cap_use", "cold_start_ratio"})


def exit_code(snapshot: FleetSnapshot) -> int:
    """0 when every source answered, 3 when some were stale or failed."""
    return EXIT_OK if snapshot.all_sources_ok else EXIT_STALE


def render(snapshot: FleetSnapshot, output_format: OutputFormat, *, width: int = 120) -> str:
    """The `--once` output for `--format table|json|csv`."""
    if output_format == "json":
        return render_json(snapshot)
    if output_format == "csv":
        return render_csv(snapshot)
    return render_table(snapshot, width)


# --- JSON ---------------------------------------------------------------------------------------


def to_document(snapshot: FleetSnapshot) -> dict[str, Any]:
    """The `lambdatop.snapshot/1` document; functions worst first; None = unknown."""
    now = snapshot.generated_at
    sources = {clean_text(key): _source_doc(status, now) for key, status in _ordered_sources(snapshot.sources)}
    if "logs" in sources:
        sources["logs"]["path"] = snapshot.logs_path  # "insights" | "filter" | None
    return {
        "schema": SCHEMA,
        "generated_at": iso_utc(now),
        "window_minutes": snapshot.window_minutes,
        "regions": [_region_doc(region) for region in snapshot.regions],
        "functions": [_function_doc(row) for row, _ in worst_first(snapshot.functions)],
        "sources": sources,
        "api": {
            "calls": {clean_text(k): int(v) for k, v in sorted(snapshot.api_calls.items())},
            "estimated_cost_usd": _rounded(snapshot.estimated_cost_usd, 6) or 0.0,
        },
        # The minutes the figures cover (null before the first metrics read).
        "window": {
            "start": iso_utc(snapshot.window_start) if snapshot.window_start else None,
            "end": iso_utc(snapshot.window_end) if snapshot.window_end else None,
        },
    }


def render_json(snapshot: FleetSnapshot) -> str:
    """The document as JSON text (ASCII only, so any terminal or pipe takes it), newline-ended."""
    return json.dumps(to_document(snapshot), indent=2, ensure_ascii=True, allow_nan=False) + "\n"


def iso_utc(at: datetime) -> str:
    """`2026-11-23T03:00:00Z` (a naive datetime is taken to be UTC)."""
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _region_doc(region: RegionSummary) -> dict[str, Any]:
    return {
        "account_id": _clean_or_none(region.account_id),
        "region": clean_text(region.region),
        "concurrency_limit": _int(region.concurrency_limit),
        "unreserved_concurrency_limit": _int(region.unreserved_concurrency_limit),
        "concurrent_executions_max": _rounded(region.concurrent_executions_max),
        "claimed_account_concurrency_max": _rounded(region.claimed_account_concurrency_max),
    }


def _function_doc(row: FunctionRow) -> dict[str, Any]:
    return {
        "name": clean_text(row.name),
        "account_id": clean_text(row.account_id),
        "region": clean_text(row.region),
        "runtime": _clean_or_none(row.runtime),
        "architecture": _clean_or_none(row.architecture),
        "memory_mb": _int(row.memory_mb),
        "timeout_s": _int(row.timeout_s),
        "reserved_concurrency": _int(row.reserved_concurrency),
        "provisioned_concurrency": _int(row.provisioned_concurrency),
        "invocations": _int(row.invocations),
        "errors": _int(row.errors),
        "error_rate": _rounded(error_rate(row.errors, row.invocations), _RATIO_DIGITS),
        "throttles": _int(row.throttles),
        "concurrency_max": _rounded(row.concurrency_max),
        "duration_avg_ms": _rounded(row.duration_avg_ms),
        "duration_p99_ms": _rounded(row.duration_p99_ms),
        "cold_starts": _int(row.cold_starts),
        "cold_start_ratio": _rounded(row.cold_start_ratio, _RATIO_DIGITS),
        "restores": _int(row.restores),
        "init_avg_ms": _rounded(row.init_avg_ms),
        "init_p99_ms": _rounded(row.init_p99_ms),
        "init_max_ms": _rounded(row.init_max_ms),
        "async_events_dropped": _int(row.async_events_dropped),
        "dead_letter_errors": _int(row.dead_letter_errors),
        "destination_delivery_failures": _int(row.destination_delivery_failures),
        "dlq": [_queue_doc(queue) for queue in row.dlqs],
        "aliases": [_alias_doc(alias, row.canaries) for alias in row.aliases],
        "stale": [clean_text(name) for name in row.stale],
    }


def _queue_doc(queue: QueueRow) -> dict[str, Any]:
    return {
        "arn": clean_text(queue.arn),
        "kind": queue.kind,
        "depth": _int(queue.depth),
        "oldest_age_s": _rounded(queue.oldest_age_s),
    }


def _alias_doc(alias: AliasRow, canaries: Sequence[CanaryRow] = ()) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": clean_text(alias.name),
        "version": clean_text(alias.version),
        "weights": {clean_text(v): _rounded(w, _RATIO_DIGITS) for v, w in alias.weights.items()},
    }
    canary = next((c for c in canaries if c.alias == alias.name), None)
    if canary is not None:
        # A weighted alias: each version's figures through it (ExecutedVersion).
        doc["versions"] = {clean_text(v.version): _version_doc(v) for v in canary.versions}
    return doc


def _version_doc(figures: VersionFigures) -> dict[str, Any]:
    return {
        "invocations": _int(figures.invocations),
        "errors": _int(figures.errors),
        "error_rate": _rounded(figures.error_rate, _RATIO_DIGITS),
        "throttles": _int(figures.throttles),
        "duration_p99_ms": _rounded(figures.duration_p99_ms),
    }


def _source_doc(status: SourceStatus, now: datetime) -> dict[str, Any]:
    return {
        "ok": status.ok,
        "age_s": _rounded(age_s(now, status.updated_at)),
        "error": _clean_or_none(status.error, ERROR_MAX_LEN),
    }


def _ordered_sources(sources: Mapping[str, SourceStatus]) -> list[tuple[str, SourceStatus]]:
    """The known sources in their canonical order, then any others as given."""
    known = [(name, sources[name]) for name in SOURCE_NAMES if name in sources]
    return known + [(k, s) for k, s in sources.items() if k not in SOURCE_NAMES]


# --- CSV ----------------------------------------------------------------------------------------

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def render_csv(snapshot: FleetSnapshot) -> str:
    """One row per function, worst first, under the FLAT_COLUMNS header; unknown = empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _ in FLAT_COLUMNS])
    for row, verdict in worst_first(snapshot.functions):
        record = flat_record(row, verdict)
        writer.writerow([_csv_cell(name, record[name]) for name, _ in FLAT_COLUMNS])
    return out.getvalue()


def _csv_cell(column: str, value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.lstrip().startswith(_FORMULA_START) else value
    if isinstance(value, float):
        digits = _RATIO_DIGITS if column in _RATIO_COLUMNS else _DEFAULT_DIGITS
        rounded = _rounded(value, digits)
        return "" if rounded is None else repr(rounded)
    return str(value)


# --- table --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Column:
    header: str
    cell: Callable[[FunctionRow, Health], str]
    priority: int  # when the terminal is narrow, the lowest priority goes first
    justify: str = "right"


_COLUMNS: tuple[_Column, ...] = (
    _Column("HEALTH", lambda r, h: h.label, 100, "left"),
    _Column("FUNCTION", lambda r, h: clean_text(r.name, max_len=64), 99, "left"),
    _Column("REGION", lambda r, h: clean_text(f"{r.account_id}/{r.region}", max_len=40), 50, "left"),
    _Column("RUNTIME", lambda r, h: _text_or_none(r.runtime, 16), 20, "left"),
    _Column("INV", lambda r, h: format_count(r.invocations), 90),
    _Column("ERR%", lambda r, h: format_pct(r.error_rate), 89),
    _Column("THR", lambda r, h: format_count(r.throttles), 88),
    _Column("CONC/CAP", lambda r, h: _concurrency(r), 80),
    _Column("P99", lambda r, h: format_duration_ms(r.duration_p99_ms), 60),
    _Column("COLD%", lambda r, h: format_pct(r.cold_start_ratio), 40),
    _Column("INIT P99", lambda r, h: format_duration_ms(r.init_p99_ms), 30),
    _Column("DLQ", lambda r, h: format_count(r.dlq_depth), 85),
    _Column("STALE", lambda r, h: ",".join(clean_text(s) for s in r.stale), 70, "left"),
)
_GAP = 2  # spaces between table columns


def render_table(snapshot: FleetSnapshot, width: int) -> str:
    """Plain text for a terminal `width` cells wide: header, source freshness, functions worst
    first. No colour: every status is a glyph and a word."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    judged = worst_first(snapshot.functions)
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=max(width, 40),
        color_system=None,
        force_terminal=False,
        highlight=False,
        markup=False,
        emoji=False,
    )
    for line in _header_lines(snapshot, [h for _, h in judged]):
        console.print(Text(line), no_wrap=True, overflow="ellipsis", crop=True)
    if not judged:
        console.print(Text("no functions"))
    else:
        cells = _table_cells(judged)
        columns = _fit_columns(cells, max(width, 40))
        table = Table(box=None, show_edge=False, pad_edge=False, padding=(0, _GAP, 0, 0))
        for column in columns:
            table.add_column(
                Text(column.header),
                justify="left" if column.justify == "left" else "right",
                no_wrap=True,
                overflow="ellipsis",
                min_width=8 if column.header == "FUNCTION" else None,
            )
        for row_cells in cells:
            table.add_row(*(Text(row_cells[c.header]) for c in columns))
        console.print(table)
    console.print(Text(_footer_line(snapshot)), no_wrap=True, overflow="ellipsis", crop=True)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def _table_cells(judged: list[tuple[FunctionRow, Health]]) -> list[dict[str, str]]:
    """Cell text per column header for each row; REGION and STALE only when they tell something."""
    places = {(r.account_id, r.region) for r, _ in judged}
    one_account = len({account for account, _ in places}) == 1
    wanted = []
    for column in _COLUMNS:
        if column.header == "REGION":
            if len(places) == 1:
                continue
            if one_account:
                column = replace(column, cell=lambda r, h: clean_text(r.region, max_len=30))
        if column.header == "STALE" and not any(r.stale for r, _ in judged):
            continue
        wanted.append(column)
    return [{c.header: c.cell(row, verdict) or NONE_MARK for c in wanted} for row, verdict in judged]


def _fit_columns(cells: list[dict[str, str]], width: int) -> list[_Column]:
    """The columns that fit in `width`, dropping the least important first (FUNCTION shrinks)."""
    from rich.cells import cell_len

    present = [c for c in _COLUMNS if c.header in cells[0]]

    def needed(column: _Column) -> int:
        widest = max(cell_len(row[column.header]) for row in cells)
        natural = max(cell_len(column.header), widest)
        return min(natural, 20) if column.header == "FUNCTION" else natural

    while len(present) > 2:
        total = sum(needed(c) for c in present) + _GAP * (len(present) - 1)
        if total <= width:
            break
        present.remove(min(present, key=lambda c: c.priority))
    return present


def _header_lines(snapshot: FleetSnapshot, verdicts: list[Health]) -> list[str]:
    counts = level_counts(verdicts)
    summary = ", ".join(f"{n} {level}" for level, n in counts.items())
    cache = "  (from cache, not yet refreshed)" if snapshot.from_cache else ""
    lines = [
        f"lambdatop  {iso_utc(snapshot.generated_at)}  window {format_window(snapshot.window_minutes)}"
        f"  {len(verdicts)} function{'' if len(verdicts) == 1 else 's'}" + (f": {summary}" if summary else "") + cache
    ]
    lines += [_region_line(region) for region in snapshot.regions]
    name_width = max((len(clean_text(k)) for k in snapshot.sources), default=0)
    for key, status in _ordered_sources(snapshot.sources):
        lines.append(_source_line(key, status, snapshot.generated_at, name_width))
    return lines


def _region_line(region: RegionSummary) -> str:
    account = _text_or_none(region.account_id, 20)
    use = account_use(region.concurrency_limit, region.claimed_account_concurrency_max)
    claimed = _exact(region.claimed_account_concurrency_max)
    return (
        f"{account} {clean_text(region.region, max_len=30)}"
        f"  limit {_exact(region.concurrency_limit)}"
        f"  unreserved {_exact(region.unreserved_concurrency_limit)}"
        f"  running peak {_exact(region.concurrent_executions_max)}"
        f"  claimed peak {claimed} ({format_pct(use)})"
    )


def _source_line(key: str, status: SourceStatus, now: datetime, name_width: int) -> str:
    """`metrics    ok     14s` or `logs       STALE  3m   AccessDenied: …`."""
    name = clean_text(key).ljust(name_width)
    state = "ok" if status.ok else "STALE"
    age = format_age_s(age_s(now, status.updated_at))
    error = f"  {clean_text(status.error, max_len=120)}" if status.error else ""
    return f"  {name}  {state:<5}  {age:>5}{error}"


def _footer_line(snapshot: FleetSnapshot) -> str:
    calls = sum(snapshot.api_calls.values())
    hourly = (
        f", about ${snapshot.cost_usd_per_hour:.2f}/h at this cadence" if snapshot.cost_usd_per_hour is not None else ""
    )
    return f"api: {calls} calls, est. ${snapshot.estimated_cost_usd:.4f}{hourly}"


def _concurrency(row: FunctionRow) -> str:
    peak = format_count(row.concurrency_max)
    if row.reserved_concurrency is None:
        return peak
    return f"{peak}/{row.reserved_concurrency}"


# --- small helpers ------------------------------------------------------------------------------


def _rounded(value: float | None, digits: int = _DEFAULT_DIGITS) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _int(value: float | None) -> int | None:
    """Counts arrive from CloudWatch as floats (1234.0); print them as integers."""
    if value is None or not math.isfinite(value):
        return None
    return round(value)


def _exact(value: float | None) -> str:
    """A whole number as is (limits are read exactly, not as `1.0k`)."""
    number = _int(value)
    return NONE_MARK if number is None else str(number)


def _clean_or_none(text: str | None, max_len: int | None = None) -> str | None:
    return clean_text(text, max_len=max_len) if text is not None else None


def _text_or_none(text: str | None, max_len: int) -> str:
    return clean_text(text, max_len=max_len) if text else NONE_MARK
