"""`lambdatop --once`: the JSON contract, CSV for spreadsheets, and a table for humans."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from rich.cells import cell_len

from lambdatop.model.snapshot import FleetSnapshot, FunctionRow, QueueRow
from lambdatop.output import (
    EXIT_OK,
    EXIT_STALE,
    SCHEMA,
    exit_code,
    iso_utc,
    render,
    render_csv,
    render_json,
    render_table,
    to_document,
)
from tests.factories import (
    ACCOUNT,
    HOSTILE_TEXTS,
    NOW,
    assert_terminal_safe,
    make_alias,
    make_queue,
    make_region,
    make_row,
    make_snapshot,
    make_unknown_row,
    ok_sources,
    stale_source,
)

DOCUMENT_KEYS = ["schema", "generated_at", "window_minutes", "regions", "functions", "sources", "api", "window"]
REGION_KEYS = [
    "account_id",
    "region",
    "concurrency_limit",
    "unreserved_concurrency_limit",
    "concurrent_executions_max",
    "claimed_account_concurrency_max",
]
FUNCTION_KEYS = [
    "name", "account_id", "region", "runtime", "architecture", "memory_mb",
    "timeout_s", "reserved_concurrency", "provisioned_concurrency",
    "invocations", "errors", "error_rate", "throttles", "concurrency_max",
    "duration_avg_ms", "duration_p99_ms",
    "cold_starts", "cold_start_ratio", "restores", "init_avg_ms", "init_p99_ms", "init_max_ms",
    "async_events_dropped", "dead_letter_errors", "destination_delivery_failures",
    "dlq", "aliases", "stale",
]  # fmt: skip


def canary_row() -> FunctionRow:
    return make_row(
        "checkout",
        invocations=2000,
        errors=100,
        reserved_concurrency=200,
        provisioned_concurrency=10,
        dlqs=(
            make_queue("checkout-dlq", depth=41, oldest_age_s=612.34),
            make_queue("checkout-failures", kind="on-failure", depth=None),
        ),
        aliases=(make_alias("live", "7", {"8": 0.1}),),
        stale=("logs",),
    )


def stale_logs_snapshot(functions: list[FunctionRow] | None = None) -> FleetSnapshot:
    sources = {
        **ok_sources(),
        "logs": stale_source("logs", age_s=180, error="AccessDeniedException: not authorized"),
    }
    return make_snapshot(functions if functions is not None else [canary_row()], sources=sources)


def hostile_snapshot(text: str) -> FleetSnapshot:
    row = make_row(
        text,
        account_id=text,
        region=text,
        runtime=text,
        architecture=text,
        tags={text: text},
        dlqs=(QueueRow(arn=text, kind="dead-letter", depth=3),),
        aliases=(make_alias(text, text, {text: 0.25}),),
        stale=(text,),
        errors=300,
    )
    sources = {**ok_sources(), "logs": stale_source("logs", error=text), text: stale_source(text)}
    return make_snapshot(
        [row],
        regions=(make_region(account_id=text, region=text),),
        sources=sources,
        api_calls={text: 1},
    )


# --- JSON document ------------------------------------------------------------------------------


def test_document_keys_are_exactly_the_contract_in_order() -> None:
    doc = to_document(stale_logs_snapshot())

    assert list(doc) == DOCUMENT_KEYS
    assert list(doc["regions"][0]) == REGION_KEYS
    assert list(doc["functions"][0]) == FUNCTION_KEYS
    assert list(doc["functions"][0]["dlq"][0]) == ["arn", "kind", "depth", "oldest_age_s"]
    assert list(doc["functions"][0]["aliases"][0]) == ["name", "version", "weights"]
    assert list(doc["sources"]["metrics"]) == ["ok", "age_s", "error"]
    assert list(doc["api"]) == ["calls", "estimated_cost_usd"]


def test_document_header() -> None:
    doc = to_document(stale_logs_snapshot())

    assert doc["schema"] == SCHEMA == "lambdatop.snapshot/1"
    assert doc["generated_at"] == "2026-11-23T03:00:00Z"
    assert doc["window_minutes"] == 15
    assert doc["regions"][0] == {
        "account_id": ACCOUNT,
        "region": "us-east-1",
        "concurrency_limit": 1000,
        "unreserved_concurrency_limit": 900,
        "concurrent_executions_max": 150.0,
        "claimed_account_concurrency_max": 250.0,
    }


def test_generated_at_is_utc_with_z_whatever_the_input_zone() -> None:
    tokyo = timezone(timedelta(hours=9))

    assert iso_utc(datetime(2026, 11, 23, 12, 0, 5, 999, tzinfo=tokyo)) == "2026-11-23T03:00:05Z"


def test_function_entry() -> None:
    fn = to_document(stale_logs_snapshot())["functions"][0]

    assert fn["name"] == "checkout"
    assert fn["reserved_concurrency"] == 200
    assert fn["provisioned_concurrency"] == 10
    assert fn["error_rate"] == 0.05
    assert fn["dlq"] == [
        {
            "arn": "arn:aws:sqs:us-east-1:123456789012:checkout-dlq",
            "kind": "dead-letter",
            "depth": 41,
            "oldest_age_s": 612.3,
        },
        {
            "arn": "arn:aws:sqs:us-east-1:123456789012:checkout-failures",
            "kind": "on-failure",
            "depth": None,
            "oldest_age_s": None,
        },
    ]
    assert fn["aliases"] == [{"name": "live", "version": "7", "weights": {"8": 0.1}}]
    assert fn["stale"] == ["logs"]


def test_unknown_is_null_never_zero() -> None:
    fn = to_document(make_snapshot([make_unknown_row()]))["functions"][0]

    for key in (
        "invocations",
        "errors",
        "error_rate",
        "throttles",
        "concurrency_max",
        "duration_p99_ms",
        "cold_starts",
        "cold_start_ratio",
        "restores",
        "init_p99_ms",
        "reserved_concurrency",
    ):
        assert fn[key] is None, key


def test_no_traffic_means_no_error_rate() -> None:
    fn = to_document(make_snapshot([make_row(invocations=0, errors=0)]))["functions"][0]

    assert fn["invocations"] == 0
    assert fn["error_rate"] is None


def test_counts_that_arrive_as_floats_are_printed_as_integers() -> None:
    row = make_row(invocations=1234.0, errors=5.0)  # CloudWatch sums are floats

    text = render_json(make_snapshot([row]))

    assert '"invocations": 1234,' in text
    assert '"errors": 5,' in text


def test_floats_are_rounded() -> None:
    row = make_row(duration_p99_ms=123.456789, invocations=3, errors=1, init_p99_ms=float("nan"))

    fn = to_document(make_snapshot([row]))["functions"][0]

    assert fn["duration_p99_ms"] == 123.5
    assert fn["error_rate"] == 0.3333
    assert fn["init_p99_ms"] is None  # NaN is not JSON; it means unknown


def test_sources_report_freshness_relative_to_generated_at() -> None:
    sources = to_document(stale_logs_snapshot())["sources"]

    assert list(sources)[:3] == ["inventory", "account", "provisioned"]
    assert sources["metrics"] == {"ok": True, "age_s": 14.0, "error": None}
    assert sources["logs"] == {
        "ok": False,
        "age_s": 180.0,
        "error": "AccessDeniedException: not authorized",
        "path": None,  # no logs pass has said which path it took
    }


def test_a_source_that_never_answered_has_no_age() -> None:
    snap = make_snapshot(sources={**ok_sources(), "queues": stale_source("queues", age_s=None)})

    assert to_document(snap)["sources"]["queues"]["age_s"] is None


def test_api_calls_and_cost() -> None:
    snap = make_snapshot(
        api_calls={"lambda:ListFunctions": 40, "cloudwatch:GetMetricData": 16},
        estimated_cost_usd=0.0812345678,
    )

    api = to_document(snap)["api"]

    assert api == {
        "calls": {"cloudwatch:GetMetricData": 16, "lambda:ListFunctions": 40},
        "estimated_cost_usd": 0.081235,
    }


def test_functions_are_listed_worst_first() -> None:
    rows = [make_row("fine"), make_row("erroring", errors=500), make_row("stopped", reserved_concurrency=0)]

    names = [f["name"] for f in to_document(make_snapshot(rows))["functions"]]

    assert names == ["erroring", "stopped", "fine"]


def test_render_json_is_one_ascii_document_that_round_trips() -> None:
    text = render_json(stale_logs_snapshot())

    assert text.endswith("}\n")
    assert text.isascii()
    assert json.loads(text) == json.loads(json.dumps(to_document(stale_logs_snapshot())))


# --- CSV ----------------------------------------------------------------------------------------


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_a_fixed_header_and_one_row_per_function() -> None:
    text = render_csv(make_snapshot([canary_row(), make_row("fine")]))

    header = text.splitlines()[0]
    rows = read_csv(text)
    assert header.startswith("name,account_id,region,health,reason,runtime,")
    assert [r["name"] for r in rows] == ["checkout", "fine"]
    assert rows[0]["health"] == "crit"
    assert rows[0]["reason"] == "ERR 5.0%"
    assert rows[0]["dlq_depth"] == "41"
    assert rows[0]["aliases"] == "live:7=90%,8=10%"
    assert rows[0]["error_rate"] == "0.05"
    assert rows[0]["stale"] == "logs"


def test_csv_header_is_present_for_an_empty_fleet() -> None:
    text = render_csv(make_snapshot([]))

    assert len(text.splitlines()) == 1
    assert text.startswith("name,")


def test_csv_unknown_is_an_empty_cell() -> None:
    row = read_csv(render_csv(make_snapshot([make_unknown_row()])))[0]

    assert row["invocations"] == ""
    assert row["error_rate"] == ""
    assert row["dlq_depth"] == ""


@pytest.mark.parametrize(
    "formula",
    ["=1+2", "+1+2", "-1+2", "@SUM(A1)", " =cmd", "＝1+1", '=HYPERLINK("https://evil.example")'],
)
def test_csv_cells_cannot_become_formulas(formula: str) -> None:
    row = make_row(formula, runtime=formula, aliases=(make_alias(formula, "1"),))

    cells = read_csv(render_csv(make_snapshot([row])))[0]

    for column in ("name", "runtime", "aliases", "arn"):
        value = cells[column]
        assert not value.lstrip().startswith(("=", "+", "-", "@", "＝")), (column, value)


def test_csv_formula_guard_keeps_the_text_readable() -> None:
    cells = read_csv(render_csv(make_snapshot([make_row("-shadow-api")])))[0]

    assert cells["name"] == "'-shadow-api"


# --- table --------------------------------------------------------------------------------------


def test_table_header_shows_account_region_limits_and_each_source() -> None:
    lines = render_table(stale_logs_snapshot(), 120).splitlines()

    assert lines[0].startswith("lambdatop  2026-11-23T03:00:00Z  window 15m  1 function: 1 crit")
    assert "123456789012 us-east-1  limit 1000  unreserved 900" in lines[1]
    assert "claimed peak 250 (25%)" in lines[1]
    metrics = next(line for line in lines if line.split()[:1] == ["metrics"])
    logs = next(line for line in lines if line.split()[:1] == ["logs"])
    assert metrics.split() == ["metrics", "ok", "14s"]
    assert logs.split()[:3] == ["logs", "STALE", "3m"]
    assert "AccessDeniedException: not authorized" in logs


def test_table_lists_functions_worst_first_with_glyph_and_word() -> None:
    rows = [
        make_row("fine"),
        make_row("erroring", errors=120),
        make_row("capped", reserved_concurrency=50, concurrency_max=50.0, throttles=300),
        make_row("stopped", reserved_concurrency=0, invocations=0),
    ]

    lines = render_table(make_snapshot(rows), 120).splitlines()

    table = lines[lines.index(next(line for line in lines if line.startswith("HEALTH"))) + 1 :]
    assert [line.split()[:3] for line in table[:4]] == [
        ["▲", "THR", "cap"],
        ["✖", "ERR", "12%"],
        ["⏸", "STOPPED", "stopped"],
        ["✓", "OK", "fine"],
    ]
    assert "capped" in table[0]


def test_table_shows_a_dash_for_unknown_numbers() -> None:
    lines = render_table(make_snapshot([make_unknown_row("nodata")]), 120).splitlines()

    row = next(line for line in lines if "nodata" in line)
    assert row.startswith("? —")
    assert row.count("—") >= 6
    assert " 0 " not in row


def test_table_fits_the_terminal_width() -> None:
    rows = [canary_row(), make_row("a-function-with-a-rather-long-name-for-a-narrow-terminal")]
    for width in (60, 80, 100, 160):
        text = render_table(stale_logs_snapshot(rows), width)
        assert max(cell_len(line) for line in text.splitlines()) <= width, width


def test_a_narrow_table_keeps_health_name_and_the_vital_numbers() -> None:
    lines = render_table(make_snapshot([canary_row()]), 60).splitlines()

    header = next(line for line in lines if line.startswith("HEALTH")).split()
    assert header[:2] == ["HEALTH", "FUNCTION"]
    assert {"INV", "ERR%", "THR"} <= set(header)
    assert "RUNTIME" not in header


def test_table_adds_a_region_column_only_for_several_regions() -> None:
    one = render_table(make_snapshot([make_row()]), 160)
    two = render_table(make_snapshot([make_row(), make_row(region="eu-west-1")]), 160)
    two_accounts = render_table(make_snapshot([make_row(), make_row(account_id="210987654321")]), 160)

    assert "REGION" not in one
    assert "REGION" in two
    assert "eu-west-1" in two
    assert "123456789012/" not in two  # one account: the region says enough
    assert "210987654321/us-east-1" in two_accounts


def test_table_of_an_empty_fleet_says_so() -> None:
    assert "no functions" in render_table(make_snapshot([]), 80)


def test_table_says_when_it_was_painted_from_cache() -> None:
    assert "from cache" in render_table(make_snapshot([make_row()], from_cache=True), 120)


def test_table_footer_shows_api_calls_and_cost() -> None:
    text = render_table(make_snapshot([make_row()], cost_usd_per_hour=0.19), 120)

    assert text.splitlines()[-1] == "api: 3 calls, est. $0.0012, about $0.19/h at this cadence"


def test_rich_markup_in_names_is_printed_literally() -> None:
    snap = make_snapshot([make_row("[bold red]x[/]"), make_row("[link=https://e.example]y[/]")])

    text = render_table(snap, 160)

    assert "[bold red]x[/]" in text
    assert "[link=https://e.example]y[/]" in text


# --- hostile text in every format ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_hostile_aws_text_never_reaches_the_output_raw(name: str, fmt: Any) -> None:
    text = render(hostile_snapshot(HOSTILE_TEXTS[name]), fmt, width=200)

    assert_terminal_safe(text)


def test_hostile_text_in_json_is_defanged_before_encoding() -> None:
    snap = hostile_snapshot("a\x1b]52;c;QUFB\x07b\u202ec")

    decoded = json.dumps(to_document(snap), ensure_ascii=False)

    assert_terminal_safe(decoded)
    assert "abc" in decoded


# --- exit code and dispatch ---------------------------------------------------------------------


def test_exit_code_is_3_when_some_source_is_stale() -> None:
    assert exit_code(make_snapshot([make_row()])) == EXIT_OK == 0
    assert exit_code(stale_logs_snapshot()) == EXIT_STALE == 3


def test_render_dispatches_on_format() -> None:
    snap = make_snapshot([make_row()], generated_at=datetime(2026, 11, 23, 3, 0, tzinfo=UTC))

    assert render(snap, "json") == render_json(snap)
    assert render(snap, "csv") == render_csv(snap)
    assert render(snap, "table", width=90) == render_table(snap, 90)
    assert snap.generated_at == NOW


def test_table_is_plain_text_even_when_the_environment_forces_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "30")

    text = render_table(make_snapshot([make_row(errors=100)]), 100)

    assert "\x1b" not in text
    assert max(cell_len(line) for line in text.splitlines()) > 30  # the width argument wins


def test_a_weighted_alias_carries_each_versions_figures() -> None:
    from lambdatop.model.snapshot import CanaryRow, VersionFigures

    row = make_row(
        "checkout",
        invocations=400,
        errors=32,
        aliases=(make_alias("live", "6", {"7": 0.25}),),
        canaries=(
            CanaryRow(
                alias="live",
                stable_version="6",
                weights={"7": 0.25},
                versions=(
                    VersionFigures("6", invocations=300, errors=1, throttles=0, duration_p99_ms=120.0),
                    VersionFigures("7", invocations=100, errors=31, throttles=2, duration_p99_ms=None),
                ),
            ),
        ),
    )
    alias = to_document(make_snapshot([row]))["functions"][0]["aliases"][0]
    assert list(alias) == ["name", "version", "weights", "versions"]
    assert alias["versions"]["7"] == {
        "invocations": 100,
        "errors": 31,
        "error_rate": 0.31,
        "throttles": 2,
        "duration_p99_ms": None,
    }
    assert alias["versions"]["6"]["error_rate"] == pytest.approx(1 / 300, abs=1e-4)
