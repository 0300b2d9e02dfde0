"""One verdict per function: how bad is it, in a glyph and a word an on-call engineer reads at 3 a.m.

Each rule that fires yields a `Reason`; the worst reason wins the label. Scores put levels in
bands, so sorting by score alone orders the fleet worst first:

    crit 70..100  >  stopped 60  >  warn 30..59  >  unknown 10  >  ok 0

Within a band the score grows with severity (a 40 % error rate outranks a 6 % one).
Status never relies on colour: every label starts with a glyph and carries a word.

Rules (defaults in `Thresholds`):
- reserved concurrency 0: STOPPED. It overrides the label and the score (60) because the
  consequences (throttles, dropped events, DLQ growth) are what stopping means; the other
  reasons stay in `reasons` for the detail view.
- throttles against a reserved cap: crit (`▲ THR cap`), the operator can raise the cap.
  Throttles without a cap (the account pool ran dry): crit from 1 % of requests, else warn.
- error rate: crit from 5 % (with at least 3 errors, so 1 failure out of 2 calls is a warning),
  warn from 1 %.
- DLQ depth > 0: warn; crit when it grew since the previous pass or holds 100 messages or more.
- async events dropped: warn.
- iterator age (stream consumers): warn from 1 minute, crit from 15 minutes.
- cold starts: warn when init p99 is 2 s or more, or when 25 % or more of at least 5 invocations
  were cold.
- peak concurrency at 90 % of the reserved cap without throttles yet: warn (`▲ CAP 95%`).
- duration p99 at 90 % of the timeout: warn (`⏱ TIMEOUT 95%`).
- nothing fired and invocations are unknown: unknown (`? —`); otherwise ok (`✓ OK`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from lambdatop.model.derived import cap_use, error_rate, ratio, throttle_rate, timeout_use
from lambdatop.model.snapshot import FunctionRow

Level = Literal["ok", "warn", "crit", "stopped", "unknown"]

# Worst first: the order a fleet summary lists the counts in.
LEVELS: tuple[Level, ...] = ("crit", "stopped", "warn", "unknown", "ok")

OK_SCORE = 0.0
UNKNOWN_SCORE = 10.0
WARN_BASE, WARN_SPAN = 30.0, 29.0
STOPPED_SCORE = 60.0
CRIT_BASE, CRIT_SPAN = 70.0, 30.0


@dataclass(frozen=True, slots=True)
class Thresholds:
    error_rate_warn: float = 0.01
    error_rate_crit: float = 0.05
    errors_crit_min: int = 3
    throttle_rate_crit: float = 0.01  # without a reserved cap
    dlq_depth_crit: int = 100
    iterator_age_warn_ms: float = 60_000
    iterator_age_crit_ms: float = 15 * 60_000
    init_p99_warn_ms: float = 2_000
    cold_ratio_warn: float = 0.25
    cold_starts_min: int = 5
    cap_use_warn: float = 0.9
    timeout_use_warn: float = 0.9


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule that fired: `glyph` + `word` make the label (`▲` + `THR cap`)."""

    level: Level
    score: float
    glyph: str
    word: str

    @property
    def label(self) -> str:
        return f"{self.glyph} {self.word}"


@dataclass(frozen=True, slots=True)
class Health:
    """The verdict: `score` 0..100 (higher = worse), `level`, and the label of the worst reason."""

    score: float
    level: Level
    glyph: str
    label: str
    reasons: tuple[Reason, ...] = ()  # every rule that fired, worst first

    @property
    def word(self) -> str:
        """The label without its glyph (`THR cap`), for CSV and screen readers."""
        return self.label.removeprefix(self.glyph).strip()


OK = Health(OK_SCORE, "ok", "✓", "✓ OK")
UNKNOWN = Health(UNKNOWN_SCORE, "unknown", "?", "? —")


def health(
    row: FunctionRow,
    *,
    previous: FunctionRow | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Health:
    """Judge one function. `previous` (the same function one pass earlier) reveals DLQ growth."""
    reasons = sorted(_reasons(row, previous, thresholds), key=lambda r: r.score, reverse=True)
    if row.reserved_concurrency == 0:
        stop = Reason("stopped", STOPPED_SCORE, "⏸", "STOPPED")
        return Health(stop.score, "stopped", stop.glyph, stop.label, (stop, *reasons))
    if reasons:
        worst = reasons[0]
        return Health(worst.score, worst.level, worst.glyph, worst.label, tuple(reasons))
    return UNKNOWN if row.invocations is None else OK


def sort_key(row: FunctionRow, verdict: Health | None = None) -> tuple[float, int, str, str, str]:
    """Worst first; ties: more invocations first (unknown last), then name, region, account."""
    verdict = verdict if verdict is not None else health(row)
    invocations = row.invocations if row.invocations is not None else -1
    return (-verdict.score, -invocations, row.name, row.region, row.account_id)


def level_counts(verdicts: Iterable[Health]) -> dict[Level, int]:
    """How many functions are at each level, worst level first, zero counts omitted."""
    counts = Counter(v.level for v in verdicts)
    return {level: counts[level] for level in LEVELS if counts[level]}


# --- the rules ----------------------------------------------------------------------------------


def _reasons(row: FunctionRow, previous: FunctionRow | None, t: Thresholds) -> Iterable[Reason]:
    for rule in (_throttles, _errors, _dlq, _dropped, _lost, _canary, _iterator_age, _cold, _cap, _timeout):
        reason = rule(row, previous, t)
        if reason is not None:
            yield reason


def _warn(severity: float, glyph: str, word: str) -> Reason:
    return Reason("warn", WARN_BASE + WARN_SPAN * _clamp01(severity), glyph, word)


def _crit(severity: float, glyph: str, word: str) -> Reason:
    return Reason("crit", CRIT_BASE + CRIT_SPAN * _clamp01(severity), glyph, word)


def _throttles(row: FunctionRow, _prev: FunctionRow | None, t: Thresholds) -> Reason | None:
    if not row.throttles:
        return None
    rate = throttle_rate(row.throttles, row.invocations)
    severity = rate / 0.5 if rate is not None else 0.0
    if row.reserved_concurrency:  # a cap the operator can raise
        return _crit(severity, "▲", "THR cap")
    word = f"THR {format_pct(rate)}" if rate is not None else f"THR {format_count(row.throttles)}"
    if rate is None or rate >= t.throttle_rate_crit:
        return _crit(severity, "▲", word)
    return _warn(rate / t.throttle_rate_crit, "▲", word)


def _errors(row: FunctionRow, _prev: FunctionRow | None, t: Thresholds) -> Reason | None:
    rate = error_rate(row.errors, row.invocations)
    if rate is None or row.errors is None or rate < t.error_rate_warn:
        return None
    word = f"ERR {format_pct(rate)}"
    if rate >= t.error_rate_crit and row.errors >= t.errors_crit_min:
        return _crit((rate - t.error_rate_crit) / (0.5 - t.error_rate_crit), "✖", word)
    span = t.error_rate_crit - t.error_rate_warn
    return _warn((rate - t.error_rate_warn) / span if span > 0 else 1.0, "✖", word)


def _dlq(row: FunctionRow, previous: FunctionRow | None, t: Thresholds) -> Reason | None:
    depth = row.dlq_depth
    if not depth:
        return None
    before = previous.dlq_depth if previous is not None else None
    growing = before is not None and depth > before
    word = f"DLQ {format_count(depth)}{'↑' if growing else ''}"
    if growing or depth >= t.dlq_depth_crit:
        return _crit(math.log10(depth) / 4, "✉", word)
    return _warn(depth / t.dlq_depth_crit, "✉", word)


def _dropped(row: FunctionRow, _prev: FunctionRow | None, _t: Thresholds) -> Reason | None:
    dropped = row.async_events_dropped
    if not dropped:
        return None
    return _warn(dropped / 100, "⚠", f"DROP {format_count(dropped)}")


def _lost(row: FunctionRow, _prev: FunctionRow | None, _t: Thresholds) -> Reason | None:
    """Failed events that could not even be delivered to the DLQ or destination: gone."""
    lost = (row.dead_letter_errors or 0) + (row.destination_delivery_failures or 0)
    if not lost:
        return None
    return _crit(math.log10(lost + 1) / 4, "⚠", f"LOST {format_count(lost)}")


def _canary(row: FunctionRow, _prev: FunctionRow | None, t: Thresholds) -> Reason | None:
    """A weighted alias whose extra version fails more than its stable one: `⚖ v7 ERR 31% vs 0.4%`."""
    worst: Reason | None = None
    for canary in row.canaries:
        stable = canary.figures(canary.stable_version)
        base = stable.error_rate if stable is not None else None
        for version in canary.weights:
            figures = canary.figures(version)
            rate = figures.error_rate if figures is not None else None
            if figures is None or rate is None or figures.errors is None or rate < t.error_rate_warn:
                continue
            if base is not None and rate <= max(2 * base, base + t.error_rate_warn):
                continue  # no worse than the stable version, give or take
            word = f"v{version} ERR {format_pct(rate)} vs {format_pct(base)}"
            if rate >= t.error_rate_crit and figures.errors >= t.errors_crit_min:
                reason = _crit((rate - t.error_rate_crit) / (0.5 - t.error_rate_crit), "⚖", word)
            else:
                reason = _warn((rate - t.error_rate_warn) / (t.error_rate_crit - t.error_rate_warn), "⚖", word)
            if worst is None or reason.score > worst.score:
                worst = reason
    return worst


def _iterator_age(row: FunctionRow, _prev: FunctionRow | None, t: Thresholds) -> Reason | None:
    age_ms = row.iterator_age_max_ms
    if age_ms is None or age_ms < t.iterator_age_warn_ms:
        return None
    word = f"ITER {format_duration_ms(age_ms)}"
    if age_ms >= t.iterator_age_crit_ms:
        return _crit(age_ms / (24 * 3_600_000), "⌛", word)
    span = t.iterator_age_crit_ms - t.iterator_age_warn_ms
    return _warn((age_ms - t.iterator_age_warn_ms) / span if span > 0 else 1.0, "⌛", word)


def _cold(row: FunctionRow, _prev: FunctionRow | None, t: Thresholds) -> Reason | None:
    init_p99 = row.init_p99_ms
    slow_init = init_p99 is not None and init_p99 >= t.init_p99_warn_ms
    cold_ratio = ratio(row.cold_starts, row.reports)
    many_cold = (
        cold_ratio is not None and cold_ratio >= t.cold_ratio_warn and (row.cold_starts or 0) >= t.cold_starts_min
    )
    if slow_init and init_p99 is not None:
        return _warn(init_p99 / 10_000, "❄", f"COLD {format_duration_ms(init_p99)}")
    if many_cold and cold_ratio is not None:
        return _warn(cold_ratio, "❄", f"COLD {format_pct(cold_ratio)}")
    return None


def _cap(row: FunctionRow, _prev: FunctionRow | None, t: Thresholds) -> Reason | None:
    use = cap_use(row.concurrency_max, row.reserved_concurrency)
    if use is None or use < t.cap_use_warn or row.throttles:
        return None
    return _warn(use, "▲", f"CAP {format_pct(use)}")


def _timeout(row: FunctionRow, _prev: FunctionRow | None, t: Thresholds) -> Reason | None:
    use = timeout_use(row.duration_p99_ms, row.timeout_s)
    if use is None or use < t.timeout_use_warn:
        return None
    return _warn(use, "⏱", f"TIMEOUT {format_pct(use)}")


def _clamp01(x: float) -> float:
    return 0.0 if x < 0 or math.isnan(x) else min(1.0, x)


# --- human formats shared by labels, the table output and the UI ------------------------------

NONE_MARK = "—"


def format_pct(fraction: float | None) -> str:
    """0.123 -> `12%`, 0.0153 -> `1.5%`, 0.0004 -> `0.04%`; None -> `—`."""
    if fraction is None or math.isnan(fraction):
        return NONE_MARK
    pct = fraction * 100
    if pct == 0:
        return "0%"
    if abs(pct) >= 9.95:
        return f"{pct:.0f}%"
    if abs(pct) >= 0.095:
        return f"{pct:.1f}%"
    return f"{pct:.2f}%"


def format_count(n: float | None) -> str:
    """41 -> `41`, 1234 -> `1.2k`, 56_789 -> `57k`, 1_200_000 -> `1.2M`; None -> `—`."""
    if n is None or math.isnan(n):
        return NONE_MARK
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= limit * 0.9995:  # 999_960 reads `1.0M`, not `1000k`
            scaled = n / limit
            return f"{scaled:.1f}{suffix}" if abs(scaled) < 9.95 else f"{scaled:.0f}{suffix}"
    return f"{n:.0f}" if float(n).is_integer() else f"{n:.1f}"


def format_duration_ms(ms: float | None) -> str:
    """A duration at the precision a glance needs: `850ms`, `4.2s`, `42s`, `5m`, `2.5h`."""
    if ms is None or math.isnan(ms):
        return NONE_MARK
    if ms < 1_000:
        return f"{ms:.0f}ms"
    seconds = ms / 1000
    if seconds < 9.95:
        return f"{seconds:.1f}s"
    if seconds < 59.5:
        return f"{seconds:.0f}s"
    if seconds < 3570:
        return f"{seconds / 60:.0f}m"
    hours = seconds / 3600
    return f"{hours:.1f}h" if hours < 9.95 else f"{hours:.0f}h"


def format_age_s(seconds: float | None) -> str:
    """An age: `14s`, `3m`, `2h`, `3d`; None -> `never`."""
    if seconds is None or math.isnan(seconds):
        return "never"
    if seconds < 59.5:
        return f"{seconds:.0f}s"
    if seconds < 3600:
        return f"{max(1, seconds // 60):.0f}m"
    if seconds < 86_400:
        return f"{seconds // 3600:.0f}h"
    return f"{seconds // 86_400:.0f}d"
