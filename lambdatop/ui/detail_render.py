"""The detail screen's panels as Rich Text (pure: a FunctionSnapshot in, Text out).

Every string from AWS goes through `clean_text` and into `Text` objects, never markup.
`styles` maps roles (ok, warn, crit, muted, canary, accent) to the theme's Rich styles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from rich.style import Style
from rich.text import Text

from lambdatop.model.cold_start_attribution import CAUSE_WORDS
from lambdatop.model.function_snapshot import FunctionSnapshot, PanelState, QueueView, TracesView
from lambdatop.model.health import format_age_s, format_count, format_duration_ms, format_pct
from lambdatop.model.sanitize import clean_text
from lambdatop.ui.format import DASH, fit, resample

Styles = Mapping[str, Style]
SPARK = "▁▂▃▄▅▆▇█"
THROTTLE_ROWS_SHOWN = 4
TRACE_PRICE_NOTE = "X-Ray reads are priced ($0.50 per million traces scanned or retrieved)"


def _s(styles: Styles, role: str) -> Style:
    return styles.get(role, Style())


def _line(text: Text, *parts: tuple[str, str] | str, styles: Styles) -> None:
    for part in parts:
        if isinstance(part, str):
            text.append(part)
        else:
            text.append(part[0], _s(styles, part[1]))
    text.append("\n")


def _name(value: str | None, max_len: int = 60) -> str:
    return clean_text(value, max_len=max_len) if value else DASH


def _arn_name(arn: str | None) -> str:
    return _name(arn.rsplit(":", 1)[-1]) if arn else "·"


def status_line(state: PanelState, now: datetime, styles: Styles) -> Text | None:
    """Why a panel is stale, loading or empty; None when there is nothing to say."""
    if state.loading:
        return Text("reading…", _s(styles, "muted"))
    if not state.ok:
        age = format_age_s((now - state.updated_at).total_seconds()) if state.updated_at else "never read"
        return Text(f"stale ({age}): {clean_text(state.error or 'failed', max_len=120)}", _s(styles, "warn"))
    if state.note:
        return Text(clean_text(state.note, max_len=200), _s(styles, "muted"))
    return None


def header(snap: FunctionSnapshot, styles: Styles) -> Text:
    c = snap.config
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(_name(c.name), _s(styles, "accent") + Style(bold=True))
    state = c.state or DASH
    role = "ok" if state == "Active" else "warn"
    text.append("  ")
    text.append(state, _s(styles, role))
    if c.last_update_status and c.last_update_status != "Successful":
        text.append(f"  update {c.last_update_status}", _s(styles, "warn"))
    text.append(f"  window {snap.window_minutes}m  ·  ${snap.estimated_cost_usd:.4f} so far", _s(styles, "muted"))
    return text


def configuration(snap: FunctionSnapshot, styles: Styles) -> Text:
    c = snap.config
    t = Text()
    memory = f"{c.memory_mb} MB" if c.memory_mb else DASH
    timeout = f"{c.timeout_s} s" if c.timeout_s else DASH
    _line(t, f"{_name(c.runtime)} · {_name(c.architecture)} · {memory} · timeout {timeout}", styles=styles)
    if c.state_reason:
        _line(t, (f"state: {_name(c.state_reason, 120)}", "warn"), styles=styles)
    if c.reserved_concurrency == 0:
        reserved = ("0 (stopped: every request throttles)", "crit")
    elif c.reserved_concurrency is None:
        reserved = ("not set (account pool)", "muted")
    else:
        reserved = (str(c.reserved_concurrency), "")
    pc = DASH if c.provisioned_concurrency is None else str(c.provisioned_concurrency)
    limit = f" · account {snap.account_limit}" if snap.account_limit else ""
    _line(t, "reserved ", reserved, f" · provisioned {pc}{limit}", styles=styles)
    for alias in c.aliases:
        split = ", ".join(f"v{_name(v, 10)} {w:.0%}" for v, w in sorted(alias.weights.items()))
        routing = f"v{_name(alias.version, 10)} {alias.primary_weight:.0%}" + (f", {split}" if split else "")
        pc_note = f" · PC {alias.provisioned}" if alias.provisioned else ""
        _line(t, f"alias {_name(alias.name, 40)} → ", (routing, "canary" if split else ""), pc_note, styles=styles)
    if not c.aliases:
        _line(t, ("no aliases", "muted"), styles=styles)
    _line(
        t,
        f"DLQ {_arn_name(c.dead_letter_arn)} · on-failure {_arn_name(c.on_failure_arn)}"
        f" · on-success {_arn_name(c.on_success_arn)}",
        styles=styles,
    )
    for e in c.event_sources:
        limits = []
        if e.batch_size:
            limits.append(f"batch {e.batch_size}")
        if e.max_concurrency:
            limits.append(f"max concurrency {e.max_concurrency}")
        if e.parallelization and e.parallelization > 1:
            limits.append(f"parallelization {e.parallelization}")
        role = "ok" if e.state == "Enabled" else "warn"
        _line(
            t,
            f"{e.kind} {_name(e.source_name, 40)} ",
            (e.state or DASH, role),
            f" · {' · '.join(limits)}",
            styles=styles,
        )
    modified = f"{c.last_modified:%Y-%m-%d %H:%M} UTC" if c.last_modified else DASH
    snap_start = f" · SnapStart {c.snap_start}" if c.snap_start and c.snap_start != "None" else ""
    _line(
        t,
        f"tracing {_name(c.tracing_mode)} · logs {_name(c.log_group, 50)} ({_name(c.log_format)}){snap_start}",
        styles=styles,
    )
    t.append(f"modified {modified} · version {_name(c.version, 10)}", _s(styles, "muted"))
    return t


def versions(snap: FunctionSnapshot, styles: Styles) -> Text:
    t = Text()
    if not snap.versions:
        return t
    _line(t, ("version  weight  invocations  errors  rate    p99     throttles  cold", "muted"), styles=styles)
    for v in snap.versions:
        weight = f"{v.weight:.0%}" if v.weight is not None else DASH
        cold = format_count(v.cold_starts)
        row = (
            f"v{_name(v.version, 6):<7} {weight:>6}  {format_count(v.invocations):>11}  {format_count(v.errors):>6}  "
            f"{format_pct(v.error_rate):>5}  {format_duration_ms(v.duration_p99_ms):>6}  "
            f"{format_count(v.throttles):>9}  {cold:>4}"
        )
        _line(t, row, styles=styles)
    if snap.verdict is not None:
        role = {"worse": "crit", "better": "ok"}.get(snap.verdict.outcome, "muted")
        t.append(snap.verdict.text, _s(styles, role) + Style(bold=role == "crit"))
    return t


def throttles(snap: FunctionSnapshot, styles: Styles) -> Text:
    t = Text()
    if not snap.throttled:
        t.append("no throttled minute in the window", _s(styles, "ok"))
        return t
    total = sum(m.throttles for m in snap.throttled)
    causes: dict[str, int] = {}
    for m in snap.throttled:
        causes[m.cause] = causes.get(m.cause, 0) + 1
    summary = ", ".join(f"{n} {cause}" for cause, n in sorted(causes.items(), key=lambda kv: -kv[1]))
    _line(
        t, (f"{format_count(total)} throttles in {len(snap.throttled)} minutes", "crit"), f": {summary}", styles=styles
    )
    for m in snap.throttled[-THROTTLE_ROWS_SHOWN:]:
        _line(t, f"{m.minute:%H:%M}  {m.throttles:>5}  ", (m.cause, "warn"), f"  {m.evidence}", styles=styles)
    main = max(causes, key=lambda k: causes[k])
    action = next(m.action for m in snap.throttled if m.cause == main)
    t.append(f"→ {action}", _s(styles, "accent"))
    if main == "account-pool" and snap.top_consumers:
        consumers = ", ".join(
            f"{_name(c.name, 30)} {c.concurrency_max:g}" + (f" (cap {c.reserved})" if c.reserved is not None else "")
            for c in snap.top_consumers
        )
        t.append(f"\ntop consumers: {consumers}", _s(styles, "muted"))
    return t


def cold_starts(snap: FunctionSnapshot, styles: Styles) -> Text:
    cs = snap.cold_starts
    t = Text()
    if not cs.reports:
        return t
    restores = f" · SnapStart restores {cs.restores}" if cs.restores else ""
    init_role = "warn" if (cs.init_p99_ms or 0) >= 1000 else ""
    _line(
        t,
        f"{cs.cold_starts} cold starts in {format_count(cs.reports)} invocations ({format_pct(cs.ratio)}) · init ",
        (f"p50 {format_duration_ms(cs.init_p50_ms)} p99 {format_duration_ms(cs.init_p99_ms)}", init_role),
        f" max {format_duration_ms(cs.init_max_ms)}{restores}",
        styles=styles,
    )
    for label, groups in (("by version", cs.by_version), ("by memory", cs.by_memory)):
        if groups:
            parts = ", ".join(
                f"{_name(g.key, 16)} {g.cold_starts}/{format_count(g.reports)} p99 {format_duration_ms(g.init_p99_ms)}"
                for g in groups
            )
            _line(t, (f"{label}: ", "muted"), parts, styles=styles)
    if cs.attribution:
        why = "; ".join(f"{n} {CAUSE_WORDS[cause]}" for cause, n in cs.attribution)
        _line(t, ("why: ", "muted"), why, styles=styles)
    for spike in cs.spikes[-3:]:
        _line(
            t,
            (f"spike {spike.minute:%H:%M} ×{spike.cold_starts}: ", "warn"),
            f"{spike.cause} — {spike.evidence}",
            styles=styles,
        )
    t.rstrip()
    return t


def sparkline(values: Sequence[float | None], width: int) -> str:
    """Blocks scaled to the series' peak; a minute with no datapoint is a space.

    A short series is stretched (each minute drawn as several cells) so it fills the width.
    """
    known = [v for v in values if v is not None]
    if not known or width <= 0:
        return ""
    raw = [v if v is not None else -1.0 for v in values]
    if len(raw) < width:
        repeat = width // len(raw)
        raw = [v for v in raw for _ in range(repeat)]
    points = resample(raw, width)
    peak = max(known) or 1.0
    return "".join(" " if p < 0 else SPARK[min(7, int(p / peak * 7 + 0.5))] for p in points)


def graphs(snap: FunctionSnapshot, styles: Styles, width: int) -> Text:
    series = snap.series
    t = Text(no_wrap=True, overflow="crop")
    if not series.minutes:
        return t
    label_w, value_w = 13, 24
    spark_w = max(10, width - label_w - value_w - 1)
    c = snap.config
    rows: list[tuple[str, str, str, str]] = [
        ("invocations", "invocations", "sum", ""),
        ("errors", "errors", "sum", "crit"),
        ("throttles", "throttles", "sum", "warn"),
        ("concurrency", "concurrency", "peak", "accent"),
        ("account", "claimed_account", "peak", "muted"),
        ("duration avg", "duration_avg_ms", "ms", ""),
        ("duration p99", "duration_p99_ms", "ms", ""),
        ("cold starts", "cold_starts", "sum", "canary"),
        ("init p99", "init_p99_ms", "ms", "canary"),
    ]
    for label, key, kind, role in rows:
        values = series.get(key)
        known = [v for v in values if v is not None]
        if kind == "sum":
            figure = format_count(sum(known)) if known else DASH
        elif kind == "ms":
            figure = f"max {format_duration_ms(max(known))}" if known else DASH
        else:
            figure = f"peak {max(known):g}" if known else DASH
        if key == "concurrency" and c.reserved_concurrency is not None:
            figure += f"/{c.reserved_concurrency}"
        if key == "claimed_account" and snap.account_limit and known:
            figure = f"{max(known):g}/{snap.account_limit} {format_pct(1 - max(known) / snap.account_limit)} free"
        t.append(f"{label:<{label_w}}", _s(styles, "muted"))
        t.append(f"{figure[:value_w]:<{value_w}} ")
        t.append(sparkline(values, spark_w), _s(styles, role or "accent"))
        t.append("\n")
    axis = [" "] * spark_w
    n = len(series.minutes)
    for marker in snap.markers:
        offset = (marker.at - series.minutes[0]).total_seconds() / 60
        if offset >= 0:  # a deploy in the minute under way sits on the last column
            axis[min(spark_w - 1, int(min(offset, n - 1) * spark_w / n))] = "▲"
    first, last = series.minutes[0], series.minutes[-1]
    t.append(
        f"{'':<{label_w}}{first:%H:%M}–{last:%H:%M} UTC"[: label_w + value_w].ljust(label_w + value_w + 1),
        _s(styles, "muted"),
    )
    t.append("".join(axis), _s(styles, "warn"))
    labels = ", ".join(f"{m.label} {m.at:%H:%M}" for m in snap.markers[-3:])
    if labels:
        t.append(f"\n{'':<{label_w}}▲ deploys / config changes: {labels}", _s(styles, "muted"))
    return t


def _queue_line(q: QueueView, styles: Styles, t: Text) -> None:
    growth = q.growth_per_min
    role = "crit" if (growth or 0) > 0.05 and q.kind != "event-source" else ("warn" if q.depth else "")
    grow = DASH if growth is None else f"{growth:+.1f}/min"
    _line(
        t,
        f"{q.kind:<14} {_name(q.name, 40):<28} ",
        (f"depth {format_count(q.depth)}", role),
        f" · oldest {format_age_s(q.oldest_age_s) if q.oldest_age_s is not None else DASH} · ",
        (grow, role),
        styles=styles,
    )


def queues(snap: FunctionSnapshot, styles: Styles) -> Text:
    t = Text()
    for q in snap.queues:
        _queue_line(q, styles, t)
    for e in snap.config.event_sources:
        if e.kind in ("kinesis", "dynamodb", "kafka"):
            role = "crit" if (e.iterator_age_ms or 0) > 60_000 else ""
            _line(
                t,
                f"{e.kind:<14} {_name(e.source_name, 40):<28} {e.state or DASH} · ",
                (f"IteratorAge {format_duration_ms(e.iterator_age_ms)}", role),
                styles=styles,
            )
        elif e.kind == "sqs" and e.source_arn not in {q.arn for q in snap.queues}:
            age = format_age_s(e.queue_age_s) if e.queue_age_s is not None else DASH
            _line(
                t,
                f"{'sqs source':<14} {_name(e.source_name, 40):<28} {e.state or DASH} · queue age {age}",
                styles=styles,
            )
    if not t.plain:
        t.append("no queues or event sources: nothing to show", _s(styles, "muted"))
    t.rstrip()
    return t


def traces(view: TracesView | None, snap: FunctionSnapshot, styles: Styles, width: int = 200) -> Text:
    t = Text()
    if view is None:
        t.append(f"press t to read this function's recent traces — {TRACE_PRICE_NOTE}", _s(styles, "muted"))
        return t
    if not view.traces and not view.edges:
        return t  # the panel's note says why (tracing off, no traces in the window)
    for tr in view.traces:
        flags = "".join(f for f, on in (("F", tr.fault), ("E", tr.error), ("T", tr.throttle)) if on) or "ok"
        role = "crit" if tr.fault else ("warn" if tr.error or tr.throttle else "ok")
        init = f" init {format_duration_ms(tr.init_ms)}" if tr.init_ms is not None else ""
        calls = ", ".join(
            f"{_name(c.name, 30)} {format_duration_ms(c.duration_ms)}{'' if c.status == 'ok' else ' ' + c.status}"
            for c in tr.calls
        )
        started = f"{tr.started:%H:%M:%S}" if tr.started else DASH
        head = f"{started} {format_duration_ms(tr.duration_ms):>6} "
        rest = fit(f"{init} {calls}", max(10, width - len(head) - 3))  # one line per trace
        _line(t, head, (f"{flags:<3}", role), rest, styles=styles)
    if view.edges:
        _line(t, ("downstream      requests  errors  faults  throttles  avg", "muted"), styles=styles)
        for e in view.edges:
            role = "crit" if e.faults else ("warn" if e.errors or e.throttles else "")
            _line(
                t,
                f"{_name(e.target, 16):<16}{e.requests:>8}  ",
                (f"{e.errors:>6}  {e.faults:>6}  {e.throttles:>9}", role),
                f"  {format_duration_ms(e.avg_latency_ms)}",
                styles=styles,
            )
    t.append(f"{view.scanned} traces scanned, {view.retrieved} retrieved", _s(styles, "muted"))
    return t
