"""How far the first launch has got, Region by Region: what the scheduler waits for.

The first page of functions shows first; then every listed function's metrics and cold starts;
then the per-function details, the caps of the rows on screen first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lambdatop.collector.context import RegionCollector


def first_screen_read(regions: Sequence[RegionCollector]) -> bool:
    """Metrics and cold starts of the whole first list have answered (or failed) in every Region."""
    return all(
        r.listed_once
        and not (r.metrics_catch_up or r.logs_catch_up)
        and r.state.sources.get("metrics") is not None
        and r.state.sources.get("logs") is not None
        for r in regions
    )


def caps_awaited_on_screen(regions: Sequence[RegionCollector], visible: Iterable[str]) -> bool:
    """A row on screen has never had its configuration read, nor has that read failed."""
    on_screen = list(visible)
    for region in regions:
        for arn in on_screen:
            if arn not in region.state.functions:
                continue
            known = region.state.knowledge.get(arn)
            if known is None or (known.basics is None and "basics" not in known.failures):
                return True
    return False


def listing_ended(regions: Sequence[RegionCollector]) -> bool:
    """A Region's listing has ended: all its pages read (an empty account has none) or failed."""
    return any(r.state.sources.get("inventory") is not None for r in regions)
