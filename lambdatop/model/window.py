"""The time window numbers are computed over: parse `15m` / `1h`, format it back, cycle with `w`.

Lambda metrics have 1-minute resolution, so a window is a whole number of minutes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lambdatop.settings import WINDOW_CHOICES_MIN

WINDOW_CYCLE_MIN: tuple[int, ...] = WINDOW_CHOICES_MIN  # what `w` steps through: 5m 15m 1h 3h
MAX_WINDOW_MIN = 24 * 60  # beyond a day, one refresh reads too many datapoints to stay quick

_UNIT_SECONDS = {"s": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86_400}
_WINDOW = re.compile(r"\s*+(?:\d++\s*+[a-z]*+\s*+)++", re.IGNORECASE)  # possessive: no backtracking
_PART = re.compile(r"(\d+)\s*([a-z]*)", re.IGNORECASE)
_EXAMPLES = "e.g. 5m, 15m, 1h or 3h"


def parse_window(text: str | int, *, choices: Sequence[int] | None = None) -> int:
    """`"15m"` -> 15, `"1h30m"` -> 90, `"300s"` -> 5, `"15"` or 15 -> 15 (bare numbers are minutes).

    With `choices`, the result must be one of them. Raises ValueError with a message for humans.
    """
    minutes = text if isinstance(text, int) else _minutes(text)
    if not 1 <= minutes <= MAX_WINDOW_MIN:
        raise ValueError(f"window {_shown(text)} is out of range: use 1m to {format_window(MAX_WINDOW_MIN)}")
    if choices is not None and minutes not in choices:
        allowed = ", ".join(format_window(c) for c in choices)
        raise ValueError(f"window {_shown(text)} is not one of {allowed}")
    return minutes


def format_window(minutes: int) -> str:
    """15 -> `15m`, 60 -> `1h`, 90 -> `1h30m`, 180 -> `3h`."""
    if minutes < 60:
        return f"{minutes}m"
    hours, rest = divmod(minutes, 60)
    return f"{hours}h{rest}m" if rest else f"{hours}h"


def next_window(current: int, cycle: Sequence[int] = WINDOW_CYCLE_MIN) -> int:
    """The window after `current` in the cycle, wrapping around; from a window outside the
    cycle (a `--window 30m`), the next larger one in the cycle."""
    if not cycle:
        raise ValueError("the window cycle is empty")
    ordered = sorted(set(cycle))
    for minutes in ordered:
        if minutes > current:
            return minutes
    return ordered[0]


def _minutes(text: str) -> int:
    if _WINDOW.fullmatch(text) is None:
        raise ValueError(f"window {_shown(text)} is not a duration: use {_EXAMPLES}")
    parts = _PART.findall(text)
    if len(parts) > 1 and any(not unit for _, unit in parts):
        raise ValueError(f"window {_shown(text)} is not a duration: use {_EXAMPLES}")
    seconds = 0
    for amount, unit_text in parts:
        unit = unit_text.lower() or "m"
        if unit not in _UNIT_SECONDS:
            raise ValueError(f"window {_shown(text)} has an unknown unit {unit!r}: use s, m, h or d")
        seconds += int(amount) * _UNIT_SECONDS[unit]
    if seconds % 60:
        raise ValueError(
            f"window {_shown(text)} is not a whole number of minutes "
            f"(metrics have 1-minute resolution): use {_EXAMPLES}"
        )
    return seconds // 60


def _shown(text: str | int) -> str:
    return repr(text) if isinstance(text, str) else str(text)
