"""AWS text reaches the terminal as one printable line, whatever an attacker put in it."""

from __future__ import annotations

import pytest

from lambdatop.model.sanitize import ELLIPSIS, NEWLINE_MARK, clean_lines, clean_text
from tests.factories import HOSTILE_TEXTS, assert_terminal_safe


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
def test_no_hostile_text_survives(name: str) -> None:
    cleaned = clean_text(HOSTILE_TEXTS[name])

    assert_terminal_safe(cleaned)
    assert "\n" not in cleaned
    assert cleaned.isprintable() or NEWLINE_MARK in cleaned or "\ufffd" in cleaned


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
def test_cleaning_is_idempotent(name: str) -> None:
    once = clean_text(HOSTILE_TEXTS[name])

    assert clean_text(once) == once


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("orders-api", "orders-api"),
        ("\x1b[31;1mred\x1b[0m", "red"),
        ("x\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07y", "xy"),  # clipboard write, payload and all
        ("x\x1b]52;c;AAAA\x1b\\y", "xy"),
        ("\x1b]8;;https://evil.example\x07click\x1b]8;;\x07", "click"),
        ("name\x1b]0;pwned", "name"),  # unterminated OSC swallows the rest, as a terminal would
        ("a\x9b31mb", "ab"),
        ("a\x9d52;c;AAAA\x9cb", "ab"),
        ("a\x1b(0b", "ab"),
        ("a\x1b\x1b[31mb", "ab"),
        ("live\u202eesrever", "liveesrever"),
        ("orders\x00api", "ordersapi"),
        ("a\tb", "a b"),
        ("a\u00a0b", "a b"),  # no-break space cannot make two names look alike
        ("line1\nline2\r\nline3", f"line1{NEWLINE_MARK}line2{NEWLINE_MARK}line3"),
        ("ord\u200bers\u2060-api\ufeff", "orders-api"),
        ("orders\u200d-api", "orders-api"),
        ("soft\u00adhyphen", "softhyphen"),
        ("bad\ud800text", "bad\ufffdtext"),
        ("\u3164", ""),  # a "name" that draws nothing
        ("z\u0300\u0301\u0302\u0303a", "z\u0300\u0301a"),
    ],
)
def test_cleaned_text(raw: str, shown: str) -> None:
    assert clean_text(raw) == shown


@pytest.mark.parametrize(
    "kept",
    [
        "[bold red]x[/]",  # Rich markup is left alone: it is only ever put into Text objects
        ":fire: prod",
        "café-ünïcödé",
        "Tiếng Việt",  # two combining marks on one letter are normal here
        "Tie\u0302\u0301ng",
        "注文-サービス",
        "👩\u200d💻 team",  # ZWJ between two emoji is part of the glyph
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # ZWNJ inside Persian text
    ],
)
def test_legitimate_text_is_unchanged(kept: str) -> None:
    assert clean_text(kept) == kept


def test_max_len_cuts_with_an_ellipsis() -> None:
    assert clean_text("abcdefghij", max_len=5) == "abcd" + ELLIPSIS
    assert clean_text("abcde", max_len=5) == "abcde"


def test_max_len_counts_the_cleaned_text() -> None:
    assert clean_text("\x1b[31m" * 100 + "short", max_len=10) == "short"


def test_max_len_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_len"):
        clean_text("x", max_len=0)


def test_clean_lines_keeps_the_line_structure_of_a_stack_trace() -> None:
    trace = "Traceback:\n  File \x1b[1mhandler.py\x1b[0m\r\n\x1b]52;c;AAAA\x07KeyError"

    assert clean_lines(trace) == ["Traceback:", "  File handler.py", "KeyError"]


def test_a_huge_log_line_is_cleaned_quickly() -> None:
    line = ("\x1b[31m" + "x" * 50 + "\u202e") * 20_000  # about 1.2 MB

    cleaned = clean_text(line, max_len=200)

    assert len(cleaned) == 200
    assert_terminal_safe(cleaned)
