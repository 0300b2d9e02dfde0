"""Windows: what `--window` accepts, how it reads back, and what `w` steps through."""

from __future__ import annotations

import pytest

from lambdatop.model.window import WINDOW_CYCLE_MIN, format_window, next_window, parse_window


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("5m", 5),
        ("15m", 15),
        ("1h", 60),
        ("3h", 180),
        ("15", 15),
        (" 30 min ", 30),
        ("300s", 5),
        ("2H", 120),
        ("1h30m", 90),
        ("1d", 1440),
        (15, 15),
    ],
)
def test_parse_window(text: str | int, minutes: int) -> None:
    assert parse_window(text) == minutes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("90s", "whole number of minutes"),
        ("abc", "not a duration"),
        ("", "not a duration"),
        ("-5m", "not a duration"),
        ("1.5h", "not a duration"),
        ("1 30", "not a duration"),
        ("1" * 40 + "!", "not a duration"),
        ("5w", "unknown unit"),
        ("0m", "out of range"),
        ("2d", "out of range"),
    ],
)
def test_bad_windows_explain_themselves(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        parse_window(text)

    assert repr(text) in str(caught.value)


def test_choices_restrict_the_accepted_windows() -> None:
    assert parse_window("1h", choices=WINDOW_CYCLE_MIN) == 60
    with pytest.raises(ValueError, match="not one of 5m, 15m, 1h, 3h"):
        parse_window("30m", choices=WINDOW_CYCLE_MIN)


@pytest.mark.parametrize(("minutes", "text"), [(5, "5m"), (15, "15m"), (60, "1h"), (90, "1h30m"), (180, "3h")])
def test_format_window_round_trips(minutes: int, text: str) -> None:
    assert format_window(minutes) == text
    assert parse_window(text) == minutes


def test_w_cycles_5m_15m_1h_3h_and_wraps() -> None:
    seen = [5]
    for _ in range(4):
        seen.append(next_window(seen[-1]))

    assert seen == [5, 15, 60, 180, 5]


def test_a_window_outside_the_cycle_steps_to_the_next_larger_one() -> None:
    assert next_window(30) == 60
    assert next_window(600) == 5


def test_an_empty_cycle_is_an_error() -> None:
    with pytest.raises(ValueError, match="empty"):
        next_window(5, ())
