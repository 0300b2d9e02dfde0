"""REPORT lines in both Lambda log formats, nearest-rank percentiles, cold-start statistics."""

from __future__ import annotations

import json
import random

import pytest

from lambdatop.model.reports import (
    ColdStartStats,
    Report,
    cold_start_stats,
    parse_report_line,
    percentile,
)

REQUEST = "3f1c2a9e-6b7d-4e21-9a0f-5d8e2c1b7a44"
COLD_TEXT = (
    f"REPORT RequestId: {REQUEST}\tDuration: 182.44 ms\tBilled Duration: 371 ms\t"
    "Memory Size: 512 MB\tMax Memory Used: 97 MB\tInit Duration: 188.21 ms\t\n"
)
WARM_TEXT = (
    "REPORT RequestId: 9b0e1111-2222-4333-8444-555566667777\tDuration: 3.61 ms\t"
    "Billed Duration: 4 ms\tMemory Size: 128 MB\tMax Memory Used: 31 MB\t"
)
COLD_JSON = json.dumps(
    {
        "time": "2026-03-02T10:15:04.512Z",
        "type": "platform.report",
        "record": {
            "requestId": REQUEST,
            "metrics": {
                "durationMs": 182.44,
                "billedDurationMs": 371,
                "memorySizeMB": 512,
                "maxMemoryUsedMB": 97,
                "initDurationMs": 188.21,
            },
            "status": "success",
        },
    }
)


def test_text_cold_start_line_gives_every_field() -> None:
    report = parse_report_line(COLD_TEXT)

    assert report == Report(
        request_id=REQUEST,
        duration_ms=182.44,
        billed_ms=371.0,
        memory_mb=512.0,
        max_memory_mb=97.0,
        init_ms=188.21,
    )
    assert report.is_cold_start
    assert report.status == "success"


def test_text_warm_line_is_not_a_cold_start() -> None:
    report = parse_report_line(WARM_TEXT)

    assert report is not None
    assert report.init_ms is None
    assert not report.is_cold_start
    assert report.duration_ms == 3.61


def test_text_fields_in_any_order() -> None:
    # Custom runtimes have printed Init Duration before Duration.
    line = (
        f"REPORT RequestId: {REQUEST}\tInit Duration: 80.00 ms\tMax Memory Used: 40 MB\t"
        "Duration: 133.61 ms\tMemory Size: 256 MB\tBilled Duration: 214 ms\t"
    )

    report = parse_report_line(line)

    assert report is not None
    assert (report.init_ms, report.duration_ms, report.billed_ms) == (80.0, 133.61, 214.0)
    assert (report.memory_mb, report.max_memory_mb) == (256.0, 40.0)


def test_text_fields_joined_by_spaces_still_parse() -> None:
    line = (
        f"REPORT RequestId: {REQUEST} Duration: 12.5 ms Billed Duration: 13 ms "
        "Memory Size: 128 MB Max Memory Used: 20 MB Init Duration: 300.1 ms"
    )

    report = parse_report_line(line)

    assert report is not None
    assert (report.duration_ms, report.billed_ms, report.init_ms) == (12.5, 13.0, 300.1)


def test_snapstart_restore_line_has_restore_but_no_init() -> None:
    line = (
        f"REPORT RequestId: {REQUEST}\tDuration: 411.05 ms\tBilled Duration: 600 ms\t"
        "Memory Size: 1024 MB\tMax Memory Used: 180 MB\tRestore Duration: 1236.04 ms\t"
        "Billed Restore Duration: 188 ms\t"
    )

    report = parse_report_line(line)

    assert report is not None
    assert report.restore_ms == 1236.04
    assert report.init_ms is None
    assert not report.is_cold_start


def test_new_format_timeout_and_error_status() -> None:
    timeout = parse_report_line(
        f"REPORT RequestId: {REQUEST}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 31 MB\tInit Duration: 84.00 ms\tStatus: timeout\t"
    )
    crash = parse_report_line(
        f"REPORT RequestId: {REQUEST}\tDuration: 21.00 ms\tBilled Duration: 22 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\t"
        "Error Type: Runtime.ExitError\t"
    )

    assert timeout is not None
    assert crash is not None
    assert (timeout.status, timeout.error_type, timeout.init_ms) == ("timeout", None, 84.0)
    assert (crash.status, crash.error_type) == ("error", "Runtime.ExitError")


def test_xray_trace_id_on_traced_requests() -> None:
    line = WARM_TEXT + (
        "XRAY TraceId: 1-65e2f1a8-4c2d9b7e1f0a3c5d6e7f8a9b\tSegmentId: 7a1b2c3d4e5f6a7b\tSampled: true\t"
    )

    report = parse_report_line(line)

    assert report is not None
    assert report.xray_trace_id == "1-65e2f1a8-4c2d9b7e1f0a3c5d6e7f8a9b"


def test_json_cold_start_matches_the_text_line() -> None:
    assert parse_report_line(COLD_JSON) == parse_report_line(COLD_TEXT)


def test_json_timeout_without_init() -> None:
    line = json.dumps(
        {
            "time": "2026-03-02T10:16:07.004Z",
            "type": "platform.report",
            "record": {
                "requestId": "9b0e",
                "metrics": {
                    "durationMs": 3016.78,
                    "billedDurationMs": 3017,
                    "memorySizeMB": 128,
                    "maxMemoryUsedMB": 31,
                },
                "status": "timeout",
            },
        }
    )

    report = parse_report_line(line)

    assert report is not None
    assert (report.status, report.init_ms, report.duration_ms) == ("timeout", None, 3016.78)


def test_json_error_type_and_trace_root() -> None:
    line = json.dumps(
        {
            "type": "platform.report",
            "record": {
                "requestId": REQUEST,
                "status": "error",
                "errorType": "Runtime.OutOfMemory",
                "metrics": {"durationMs": 50, "initDurationMs": 900},
                "tracing": {
                    "type": "X-Amzn-Trace-Id",
                    "value": "Root=1-65e2f1a8-4c2d9b7e1f0a3c5d6e7f8a9b;Parent=7a1b;Sampled=1",
                },
            },
        }
    )

    report = parse_report_line(line)

    assert report is not None
    assert (report.status, report.error_type, report.init_ms) == ("error", "Runtime.OutOfMemory", 900.0)
    assert report.xray_trace_id == "1-65e2f1a8-4c2d9b7e1f0a3c5d6e7f8a9b"


@pytest.mark.parametrize(
    "line",
    [
        "",
        "START RequestId: 3f1c Version: $LATEST",
        f"END RequestId: {REQUEST}",
        "2026-03-02T10:15:04.330Z\t3f1c\tERROR\torder lookup failed",
        "INIT_REPORT Init Duration: 10004.12 ms\tPhase: init\tStatus: timeout",
        "REPORT",
        "REPORT Duration: 10 ms",
        '{"type": "platform.start", "record": {"requestId": "x"}}',
        '{"type": "platform.report", "record": "nonsense"}',
        '{"type": "platform.report", "record": {"metrics": {}}}',
        '{"type": "platform.report", broken json',
        "[1, 2, 3] platform.report",
        "\x1b]52;c;aGk=\x07REPORT",
    ],
)
def test_anything_else_is_not_a_report(line: str) -> None:
    assert parse_report_line(line) is None


def test_junk_numbers_become_unknown_not_errors() -> None:
    line = f"REPORT RequestId: {REQUEST}\tDuration: fast ms\tInit Duration: nan ms\tMemory Size:"
    json_line = json.dumps(
        {
            "type": "platform.report",
            "record": {"requestId": "r", "metrics": {"durationMs": "12", "initDurationMs": True}},
        }
    )

    text, from_json = parse_report_line(line), parse_report_line(json_line)

    assert text is not None
    assert from_json is not None
    assert (text.duration_ms, text.init_ms, text.memory_mb) == (None, None, None)
    assert (from_json.duration_ms, from_json.init_ms) == (None, None)


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(100, 0, -1)]

    assert percentile(values, 99) == 99.0
    assert percentile(values, 50) == 50.0
    assert percentile(values, 100) == 100.0
    assert percentile(values, 0) == 1.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([1.0, 2.0, 3.0], 50) == 2.0
    assert percentile(list(range(1, 1001)), 99.9) == 999


def test_percentile_of_nothing_is_unknown() -> None:
    assert percentile([], 99) is None


def test_percentile_outside_0_to_100_is_refused() -> None:
    with pytest.raises(ValueError, match=r"0\.\.100"):
        percentile([1.0], 101)


def test_cold_start_stats_are_exact() -> None:
    inits = [120.0, 480.5, 95.25, 2200.0]
    reports = [Report(request_id=f"r{i}", duration_ms=10.0) for i in range(16)]
    reports += [Report(request_id=f"c{i}", duration_ms=10.0, init_ms=v) for i, v in enumerate(inits)]

    stats = cold_start_stats(reports)

    assert stats == ColdStartStats(
        reports=20,
        cold_starts=4,
        init_avg_ms=sum(inits) / 4,
        init_p50_ms=120.0,
        init_p99_ms=2200.0,
        init_max_ms=2200.0,
    )
    assert stats.cold_start_ratio == 0.2


def test_no_cold_start_leaves_init_figures_unknown() -> None:
    stats = cold_start_stats([Report(request_id="r", duration_ms=1.0)])

    assert stats == ColdStartStats(reports=1, cold_starts=0)
    assert stats.init_p99_ms is None


def test_no_reports_at_all() -> None:
    stats = cold_start_stats([])

    assert (stats.reports, stats.cold_starts, stats.cold_start_ratio) == (0, 0, None)


def test_mangled_lines_never_raise() -> None:
    rng = random.Random(3)
    samples = [COLD_TEXT, WARM_TEXT, COLD_JSON]
    for _ in range(3000):
        line = list(rng.choice(samples))
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(line))
            action = rng.random()
            if action < 0.4:
                del line[at]
            elif action < 0.8:
                line.insert(at, rng.choice('\t :{}"[],.-0123456789eE\x00\x1bé'))
            else:
                line[at:] = []
                break

        result = parse_report_line("".join(line))

        assert result is None or isinstance(result, Report)
