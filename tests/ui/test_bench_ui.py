"""The UI benchmarks run and measure what they say (small sizes: the figures come from
`python -m lambdatop.bench_ui`)."""

from __future__ import annotations

import pytest

from lambdatop.bench_ui import (
    measure_terminal_bytes,
    measure_ui_update_ms,
    next_rows,
    synthetic_rows,
)


def test_synthetic_refresh_changes_the_requested_share() -> None:
    rows = synthetic_rows(200)
    changed = next_rows(rows, 1, 0.05)
    moved = sum(1 for a, b in zip(rows, changed, strict=True) if a != b)
    assert moved == 10


def test_ui_update_is_measured() -> None:
    ms = measure_ui_update_ms(300, repeats=2)
    assert 0 < ms < 5000


@pytest.mark.slow
def test_terminal_bytes_are_counted_in_a_real_pty() -> None:
    figures = measure_terminal_bytes(refreshes=2, n_rows=50)
    assert figures["startup"] > 1000  # the first paint of a whole screen
    assert 0 < figures["status_tick_per_s"] < 2000
    assert figures["refresh_phase_total"] > 0
