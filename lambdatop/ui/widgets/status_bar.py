"""The bottom status line: what is paused, stale, provisional, and when the next refresh comes.

Ages are computed from the injected clock on every repaint (a timer repaints each second), so
they visibly grow. Items have priorities; on a narrow terminal the least important drop first,
and the ones that change what a number means (PAUSED, STALE, READ-ONLY) drop last. Among the
sources, a failure that started recently beats an old one, and sources the endpoint can never
answer are one summary item ("2 sources unsupported"); `!` shows the full list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.content import Content
from textual.widgets import Static

from lambdatop.model.health import format_age_s
from lambdatop.model.sanitize import clean_text
from lambdatop.model.snapshot import SOURCE_NAMES, FleetSnapshot
from lambdatop.ui.format import DASH, countdown, money_per_hour

# Sources whose age is worth a glance even when they are fine; others show only when stale.
ALWAYS_SHOWN = ("metrics", "logs")
SEPARATOR = "  "
# Where cold-start figures came from: Logs Insights, or the FilterLogEvents fallback.
LOGS_PATH_LABELS = {"insights": "Insights", "filter": "filter"}


@dataclass(frozen=True, slots=True)
class StatusFacts:
    """Everything the status line says besides the snapshot itself."""

    now: datetime
    paused: bool = False
    read_only: bool = False
    demo: bool = False
    refresh_s: int = 60
    next_refresh_s: float | None = None  # None: unknown / refreshing
    refresh_period_s: float | None = None  # as observed between passes
    refreshing: bool = False
    collector_error: str | None = None
    filter_label: str = ""
    shown: int = 0
    total: int = 0
    calls_per_min: float | None = None


@dataclass(frozen=True, slots=True)
class Item:
    priority: int  # 0 = never dropped
    text: str
    style: str = ""


def status_items(snapshot: FleetSnapshot | None, facts: StatusFacts) -> list[Item]:
    """Items in display order (most important first)."""
    items: list[Item] = []
    if facts.collector_error is not None:
        reason = clean_text(facts.collector_error, max_len=40)
        items.append(Item(0, f"✖ COLLECTOR DOWN {reason}", "bold $status-crit"))
    if facts.paused:
        items.append(Item(0, "⏸ PAUSED", "bold reverse $status-warn"))
    if facts.read_only:
        items.append(Item(0, "READ-ONLY", "bold $status-stopped"))
    if snapshot is None:
        items.append(Item(0, "waiting for the first snapshot…", "$muted"))
    elif snapshot.from_cache:
        age = format_age_s((facts.now - snapshot.generated_at).total_seconds())
        unconfirmed = ", account unconfirmed" if snapshot.account_unconfirmed else ""
        items.append(Item(0, f"CACHED {age} old{unconfirmed}", "bold $stale"))
    if facts.filter_label:
        items.append(Item(1, f"{facts.filter_label} {facts.shown}/{facts.total}", "$accent"))
    elif snapshot is not None:
        items.append(Item(4, f"{facts.total} fns", "$muted"))
    if snapshot is not None:
        items.extend(_freshness(snapshot, facts.now))
    items.append(_next_refresh(facts))
    if snapshot is not None and snapshot.cadence_note:
        items.append(Item(2, clean_text(snapshot.cadence_note, max_len=60), "$status-warn"))
    if snapshot is not None and snapshot.provisional_after is not None:
        recent = (snapshot.generated_at - snapshot.provisional_after).total_seconds()
        if recent > 0:
            items.append(Item(5, f"~last {format_age_s(recent)} provisional", "$provisional"))
    if snapshot is not None:
        items.append(Item(6, money_per_hour(snapshot.cost_usd_per_hour), "$muted"))
    calls = DASH if facts.calls_per_min is None else f"{facts.calls_per_min:.0f}"
    items.append(Item(7, f"{calls} calls/min", "$muted"))
    if facts.demo:
        items.append(Item(1, _demo_label(facts.refresh_period_s), "bold $canary"))
    return items


# A failure that started this recently is news; older ones are known trouble (still shown).
RECENT_FAILURE_S = 10 * 60.0


def _freshness(snapshot: FleetSnapshot, now: datetime) -> list[Item]:
    """Source items, ordered by what the operator must know now: failures that started
    recently (newest first), then older stale sources, then ages of healthy ones, and last a
    one-item summary of sources this endpoint can never answer."""
    recent: list[tuple[float, Item]] = []
    stale: list[tuple[float, Item]] = []
    fine: list[Item] = []
    unsupported: list[str] = []
    for name in _ordered_names(snapshot):
        status = snapshot.sources[name]
        age = status.age_s(now)
        shown = name
        if name == "logs" and snapshot.logs_path in LOGS_PATH_LABELS:
            shown = f"logs·{LOGS_PATH_LABELS[snapshot.logs_path]}"  # which path the numbers took
        if status.cannot_answer:
            unsupported.append(name)
        elif not status.ok:
            error = f" {clean_text(status.error, max_len=24)}" if status.error else ""
            label = f"STALE {format_age_s(age)}" if age is not None else "NO DATA"
            since = status.stale_since or status.updated_at
            failing_s = (now - since).total_seconds() if since is not None else None
            is_recent = failing_s is not None and failing_s <= RECENT_FAILURE_S
            bucket = recent if is_recent else stale
            bucket.append((failing_s or 0.0, Item(1 if is_recent else 2, f"{shown} {label}{error}", "bold $stale")))
        elif name in ALWAYS_SHOWN:
            fine.append(Item(3, f"{shown} {format_age_s(age)}", ""))
        else:
            fine.append(Item(8, f"{shown} {format_age_s(age)}", "$muted"))
    items = [item for _, item in sorted(recent, key=lambda pair: pair[0])]
    items += [item for _, item in sorted(stale, key=lambda pair: pair[0])]
    items += fine
    if unsupported:
        items.append(Item(5, unsupported_summary(unsupported), "$muted"))
    return items


def _ordered_names(snapshot: FleetSnapshot) -> list[str]:
    names = [n for n in SOURCE_NAMES if n in snapshot.sources]
    return names + [n for n in snapshot.sources if n not in SOURCE_NAMES]


def unsupported_summary(names: list[str]) -> str:
    """ "percentiles unsupported" for one, "2 sources unsupported" for more (`!` lists them)."""
    if len(names) == 1:
        return f"{names[0]} unsupported"
    return f"{len(names)} sources unsupported"


def unsupported_sources(snapshot: FleetSnapshot | None) -> list[str]:
    if snapshot is None:
        return []
    return [name for name in _ordered_names(snapshot) if snapshot.sources[name].cannot_answer]


def _demo_label(period_s: float | None) -> str:
    """The demo refreshes every few seconds (its account moves that fast); say so, since a
    real account refreshes once a minute."""
    if period_s is not None and 0 < period_s < 59.5:
        return f"DEMO refresh {period_s:.0f}s (not 60s)"
    return "DEMO fast refresh"


def _next_refresh(facts: StatusFacts) -> Item:
    if facts.paused:
        return Item(2, "no refresh while paused", "$muted")
    if facts.refreshing or facts.next_refresh_s is None:
        return Item(2, "refreshing…", "$muted")
    return Item(2, f"next {countdown(facts.next_refresh_s)}", "")


def fit_items(items: list[Item], width: int) -> list[Item]:
    """Drop the least important items (highest priority number, rightmost first) until the
    rest fit in `width` cells."""
    kept = list(items)

    def length(chosen: list[Item]) -> int:
        return sum(len(i.text) for i in chosen) + len(SEPARATOR) * max(0, len(chosen) - 1) + 1

    while kept and length(kept) > width:
        worst = max(range(len(kept)), key=lambda i: (kept[i].priority, i))
        if kept[worst].priority == 0:
            break
        del kept[worst]
    return kept


def status_content(snapshot: FleetSnapshot | None, facts: StatusFacts, width: int) -> Content:
    parts: list[str | tuple[str, str]] = [" "]
    for index, item in enumerate(fit_items(status_items(snapshot, facts), width)):
        if index:
            parts.append(SEPARATOR)
        parts.append((item.text, item.style) if item.style else item.text)
    return Content.assemble(*parts)


class StatusBar(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self._snapshot: FleetSnapshot | None = None
        self._facts: StatusFacts | None = None
        self._painted: tuple[object, ...] | None = None

    def show(self, snapshot: FleetSnapshot | None, facts: StatusFacts) -> None:
        self._snapshot = snapshot
        self._facts = facts
        self.set_class(facts.paused, "-paused")
        self.set_class(snapshot is not None and snapshot.from_cache, "-stale")
        self._paint()

    @property
    def plain_text(self) -> str:
        """What the line says, without styles (for tests and screen readers)."""
        content = self.content
        return content.plain if isinstance(content, Content) else str(content)

    def on_resize(self) -> None:
        self._painted = None
        self._paint()

    def _paint(self) -> None:
        if self._facts is None:
            return
        width = self.content_region.width or self.app.size.width
        content = status_content(self._snapshot, self._facts, width)
        signature = (content.plain, tuple(content.spans))
        if signature == self._painted:
            return  # same text: do not send the line again (bytes matter over SSH)
        self._painted = signature
        self.update(content, layout=False)
