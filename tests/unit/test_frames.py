"""pandas exports: one row per function, per-minute series aligned on the newest minute."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from lambdatop.model.frames import (
    FLAT_COLUMNS,
    flat_record,
    format_aliases,
    format_weight,
    worst_first,
)
from tests.factories import (
    HOSTILE_TEXTS,
    assert_terminal_safe,
    make_alias,
    make_queue,
    make_row,
    make_snapshot,
    make_unknown_row,
)
from tests.frames import series_frame, snapshot_frame


def test_flat_record_has_every_column_in_order() -> None:
    record = flat_record(make_row())

    assert list(record) == [name for name, _ in FLAT_COLUMNS]


def test_flat_record_keeps_unknown_as_none() -> None:
    record = flat_record(make_unknown_row())

    assert record["invocations"] is None
    assert record["error_rate"] is None
    assert record["dlq_depth"] is None
    assert record["health"] == "unknown"


def test_flat_record_sums_dlqs_and_flattens_aliases() -> None:
    row = make_row(
        dlqs=(make_queue("a", depth=3), make_queue("b", kind="on-failure", depth=4)),
        aliases=(make_alias("live", "1", {"2": 0.1}), make_alias("beta", "3")),
        stale=("logs", "queues"),
    )

    record = flat_record(row)

    assert record["dlq_depth"] == 7
    assert record["aliases"] == "live:1=90%,2=10%;beta:3=100%"
    assert record["stale"] == "logs,queues"


def test_flat_record_sanitises_aws_text() -> None:
    hostile = "\x1b]52;c;AAAA\x07orders\u202e"
    row = make_row(hostile, runtime=hostile, aliases=(make_alias(hostile, hostile, {hostile: 0.5}),))

    for value in flat_record(row).values():
        if isinstance(value, str):
            assert_terminal_safe(value)


@pytest.mark.parametrize(("fraction", "shown"), [(0.9, "90%"), (0.1, "10%"), (0.125, "12.5%"), (0.0005, "0.05%")])
def test_format_weight(fraction: float, shown: str) -> None:
    assert format_weight(fraction) == shown


def test_no_aliases_flatten_to_an_empty_string() -> None:
    assert format_aliases(()) == ""


def test_worst_first_pairs_rows_with_their_verdicts() -> None:
    judged = worst_first([make_row("fine"), make_row("bad", errors=500)])

    assert [(r.name, h.level) for r, h in judged] == [("bad", "crit"), ("fine", "ok")]


def test_snapshot_frame_has_one_typed_row_per_function_worst_first() -> None:
    snap = make_snapshot([make_row("fine"), make_row("bad", errors=500), make_unknown_row("nodata")])

    frame = snapshot_frame(snap)

    assert list(frame.columns) == [name for name, _ in FLAT_COLUMNS]
    assert list(frame["name"]) == ["bad", "nodata", "fine"]
    assert frame["invocations"].isna().tolist() == [False, True, False]
    assert frame["invocations"].sum() == 2000
    assert frame["error_rate"].iloc[0] == pytest.approx(0.5)
    assert math.isnan(frame["error_rate"].iloc[1])


def test_snapshot_frame_of_an_empty_fleet_has_the_columns() -> None:
    frame = snapshot_frame(make_snapshot([]))

    assert len(frame) == 0
    assert list(frame.columns) == [name for name, _ in FLAT_COLUMNS]


def test_series_frame_aligns_series_on_the_newest_minute() -> None:
    rows = [
        make_row("long", invocations_series=(1.0, 2.0, 3.0)),
        make_row("short", invocations_series=(9.0,)),
        make_row("none"),
    ]

    frame = series_frame(rows)

    assert list(frame.index) == [2, 1, 0]
    assert frame["long"].tolist() == [1.0, 2.0, 3.0]
    assert frame["short"].iloc[-1] == 9.0
    assert frame["short"].isna().tolist() == [True, True, False]
    assert frame["none"].isna().all()


def test_series_frame_with_timestamps() -> None:
    newest = datetime(2026, 11, 23, 2, 59, tzinfo=UTC)

    frame = series_frame([make_row(invocations_series=(1.0, 2.0))], newest_minute=newest)

    assert [ts.to_pydatetime() for ts in frame.index] == [
        datetime(2026, 11, 23, 2, 58, tzinfo=UTC),
        newest,
    ]


def test_series_frame_disambiguates_repeated_names() -> None:
    rows = [make_row("api", region="us-east-1"), make_row("api", region="eu-west-1")]

    frame = series_frame(rows)

    assert list(frame.columns) == [
        "api (123456789012/us-east-1)",
        "api (123456789012/eu-west-1)",
    ]


def test_series_frame_column_names_are_sanitised() -> None:
    frame = series_frame([make_row(HOSTILE_TEXTS["osc 52 clipboard (BEL)"])])

    assert list(frame.columns) == ["xy"]
