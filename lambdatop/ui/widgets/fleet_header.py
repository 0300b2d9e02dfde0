"""The top line: PROD banner, profile / account / region, window, and the account gauge."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.widgets import Static

from lambdatop.model.derived import account_use
from lambdatop.model.sanitize import clean_text
from lambdatop.model.snapshot import FleetSnapshot, RegionSummary
from lambdatop.model.window import format_window
from lambdatop.ui.format import (
    DASH,
    GAUGE_FLOOR_MARK,
    GAUGE_FULL,
    UNRESERVED_FLOOR,
    fit,
    gauge_cells,
)

GAUGE_WIDTH = 10


@dataclass(frozen=True, slots=True)
class HeaderFacts:
    """What the header shows besides the snapshot."""

    profile: str | None = None
    prod: bool = False
    window_minutes: int = 15  # the window asked for (the snapshot may still be on the old one)
    regions_hint: tuple[str, ...] = ()  # regions from the settings, before any snapshot


def busiest_region(snapshot: FleetSnapshot | None) -> RegionSummary | None:
    """The region closest to its account concurrency limit (the one to worry about)."""
    if snapshot is None or not snapshot.regions:
        return None

    def use(region: RegionSummary) -> float:
        value = account_use(region.concurrency_limit, region.claimed_account_concurrency_max)
        return -1.0 if value is None else value

    return max(snapshot.regions, key=use)


def gauge_content(region: RegionSummary | None) -> Content:
    """`conc [███████░░|░] 812/1000`, or `conc —` when the limit is unknown."""
    if region is None or region.concurrency_limit is None:
        return Content.assemble(("conc ", "$muted"), DASH)
    limit = region.concurrency_limit
    claimed = region.claimed_account_concurrency_max
    bar = gauge_cells(claimed or 0.0, limit, GAUGE_WIDTH)
    head, mark, tail = bar.partition(GAUGE_FLOOR_MARK)
    filled = bar.count(GAUGE_FULL)
    use = account_use(limit, claimed)
    number_style = "bold $status-crit" if use is not None and use >= 0.9 else "bold"
    claimed_text = DASH if claimed is None else str(round(claimed))
    parts: list[str | tuple[str, str]] = [("conc ", "$muted"), "["]
    parts.append((head[:filled], "$gauge-fill"))
    parts.append((head[filled:], "$gauge-floor"))
    if mark:
        # After the mark: the last UNRESERVED_FLOOR units nobody can reserve.
        tail_filled = max(0, filled - len(head))
        parts.extend(
            [(mark, "bold $gauge-floor"), (tail[:tail_filled], "$status-crit"), (tail[tail_filled:], "$gauge-floor")]
        )
    parts.extend(["] ", (f"{claimed_text}/{limit}", number_style)])
    return Content.assemble(*parts)


def header_content(snapshot: FleetSnapshot | None, facts: HeaderFacts, width: int) -> Content:
    region = busiest_region(snapshot)
    gauge = gauge_content(region)
    left: list[str | tuple[str, str]] = [" "]
    if facts.prod:
        left.append((" PROD ", "bold reverse"))
        left.append(" ")
    where = _where(snapshot, facts, region)
    window = format_window(facts.window_minutes)
    if snapshot is not None and snapshot.window_minutes != facts.window_minutes:
        window += "…"  # asked for, not yet delivered
    room = width - gauge.cell_length - len(window) - (7 if facts.prod else 0) - 6
    left.extend([(fit(where, max(8, room)), "bold"), "  ", (window, "bold $accent"), "  "])
    body = Content.assemble(*left)
    pad = max(1, width - body.cell_length - gauge.cell_length - 1)
    return Content.assemble(body, " " * pad, gauge)


def _where(snapshot: FleetSnapshot | None, facts: HeaderFacts, region: RegionSummary | None) -> str:
    profile = clean_text(facts.profile or "default", max_len=24)
    if region is None:
        regions = ",".join(facts.regions_hint) or "region?"
        return f"{profile} · {clean_text(regions, max_len=30)}"
    account = clean_text(region.account_id or "account?", max_len=14)
    extra = len(snapshot.regions) - 1 if snapshot is not None else 0
    more = f" +{extra}" if extra > 0 else ""
    return f"{profile} · {account} · {clean_text(region.region, max_len=16)}{more}"


class FleetHeader(Static):
    """One line; the `-prod` class paints it in the production banner colours."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self._snapshot: FleetSnapshot | None = None
        self._facts = HeaderFacts()

    def show(self, snapshot: FleetSnapshot | None, facts: HeaderFacts) -> None:
        self._snapshot = snapshot
        self._facts = facts
        self.set_class(facts.prod, "-prod")
        self._paint()

    def on_resize(self) -> None:
        self._paint()

    def _paint(self) -> None:
        width = self.content_region.width or self.app.size.width
        self.update(header_content(self._snapshot, self._facts, width), layout=False)


__all__ = ["UNRESERVED_FLOOR", "FleetHeader", "HeaderFacts", "gauge_content", "header_content"]
