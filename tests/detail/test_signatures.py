"""Error lines grouped into signatures, the way an operator reads them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from lambdatop.model.signatures import ErrorLine, group_signatures, latest_request_id, message_of, normalise

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
RID_A = "8f5c2c1e-4b1a-4c38-9d0e-2d9e6a0b7c11"
RID_B = "0d2d7d55-9a51-4c8c-a7f7-51c9f2f1a3b2"


def test_ids_numbers_hex_and_quoted_values_are_stripped() -> None:
    a = normalise(f"order {RID_A} failed: 'cust-81' owes 12.50 EUR at 0x7ffde0 (attempt 3)")
    b = normalise(f"order {RID_B} failed: 'cust-9' owes 7 EUR at 0x1a2b3c (attempt 1)")
    assert a == b == "order <id> failed: <v> owes <n> EUR at <hex> (attempt <n>)"


def test_trace_ids_timestamps_and_addresses() -> None:
    text = normalise("Root=1-6566a0b1-0123456789abcdef01234567 at 2026-11-29T12:00:01.123Z from 10.0.12.7:443")
    assert text == "Root=<trace> at <time> from <ip>"


def test_words_with_digits_keep_their_shape() -> None:
    # An error class or an HTTP path keeps its words; only free-standing numbers go.
    assert normalise("Http404Error on /v2/items?page=3") == "Http404Error on /v2/items?page=<n>"


def test_escape_sequences_and_markup_never_survive_as_control() -> None:
    text = normalise("boom \x1b[31m[bold red]red[/]\x1b]52;c;cm0gLXJm\x07 done")
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "[bold red]" in text  # kept as text: rendered through Text, never markup


def test_message_from_text_and_json_formats() -> None:
    text = f"2026-11-29T12:00:00.000Z\t{RID_A}\tERROR\tKeyError: 'customer_id'"
    assert message_of(text) == ("KeyError: 'customer_id'", RID_A)
    record = {"timestamp": "x", "level": "ERROR", "requestId": RID_B, "message": "TypeError: bad"}
    assert message_of(json.dumps(record)) == ("TypeError: bad", RID_B)
    report = f"REPORT RequestId: {RID_A}\tDuration: 6000.00 ms\tStatus: timeout"
    assert message_of(report)[0].startswith("Task timed out")


def _line(minutes: int, message: str, version: str, rid: str = RID_A) -> ErrorLine:
    stamp = T0 + timedelta(minutes=minutes)
    raw = f"2026-11-29T12:00:00.000Z\t{rid}\tERROR\t{message}"
    return ErrorLine(stamp, raw, f"2026/11/29/[{version}]abc123")


def test_counts_first_last_seen_and_new_since_version() -> None:
    lines = [
        _line(0, "PaymentDeclinedError: card 4111 declined", "1"),
        _line(5, "PaymentDeclinedError: card 4242 declined", "2"),
        _line(9, "PaymentDeclinedError: card 5555 declined", "1"),
        _line(7, "TypeError: Cannot read properties of undefined (reading 'currency')", "2", RID_B),
        _line(8, "TypeError: Cannot read properties of undefined (reading 'amount')", "2", RID_B),
    ]
    payment, typeerror = group_signatures(lines)
    assert payment.count == 3
    assert payment.new_since_version is None
    assert payment.first_seen == T0
    assert payment.last_seen == T0 + timedelta(minutes=9)
    assert payment.versions == ("1", "2")
    assert typeerror.count == 2
    assert typeerror.new_since_version == "2"
    assert typeerror.latest[0].timestamp == T0 + timedelta(minutes=8)
    assert latest_request_id([payment, typeerror]) == RID_A  # the 12:09 line is the newest


def test_one_version_only_marks_nothing_new() -> None:
    (only,) = group_signatures([_line(0, "boom 1", "3"), _line(1, "boom 2", "3")])
    assert only.count == 2
    assert only.new_since_version is None


def test_no_lines_no_signatures() -> None:
    assert group_signatures([]) == []
    assert latest_request_id([]) is None
