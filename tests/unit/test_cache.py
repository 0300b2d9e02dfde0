"""The snapshot cache: an exact round trip, marked stale on load, and never a crash."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import MISSING, fields, is_dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from lambdatop.cache import (
    CACHE_SCHEMA,
    SnapshotCache,
    as_cached,
    cache_key,
    cache_path_for,
    decode_snapshot,
    encode_snapshot,
    model_fingerprint,
)
from lambdatop.model.snapshot import (
    SOURCE_NAMES,
    AliasRow,
    CanaryRow,
    FleetSnapshot,
    FunctionRow,
    QueueRow,
    RegionSummary,
    SourceStatus,
    VersionFigures,
)

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
PLUS_TWO = timezone(timedelta(hours=2))


def full_snapshot() -> FleetSnapshot:
    """A snapshot in which every field of every model class differs from its default."""
    queue = QueueRow(
        arn="arn:aws:sqs:eu-west-1:123456789012:orders-dlq", kind="on-failure", depth=42, oldest_age_s=930.5
    )
    alias = AliasRow(name="live", version="7", weights={"8": 0.05}, revision_id="rev-1")
    row = FunctionRow(
        arn="arn:aws:lambda:eu-west-1:123456789012:function:orders",
        name="orders",
        account_id="123456789012",
        region="eu-west-1",
        runtime="python3.12",
        architecture="arm64",
        memory_mb=512,
        timeout_s=30,
        log_group="/aws/lambda/orders",
        log_format="JSON",
        tracing_mode="Active",
        last_modified="2026-11-20T10:00:00.000+0000",
        tags={"team": "payments", "tier": "1"},
        reserved_concurrency=50,
        provisioned_concurrency=5,
        dlqs=(queue,),
        aliases=(alias,),
        has_stream_source=True,
        invocations=12000,
        errors=31,
        throttles=7,
        concurrency_max=48.0,
        duration_avg_ms=123.4,
        duration_p99_ms=870.1,
        iterator_age_max_ms=2500.0,
        async_events_dropped=2,
        dead_letter_errors=1,
        destination_delivery_failures=3,
        canaries=(
            CanaryRow(
                alias="live",
                stable_version="7",
                weights={"8": 0.05},
                versions=(VersionFigures("7", 950, 2, 1, 640.5), VersionFigures("8", 50, 9, 0, None)),
            ),
        ),
        invocations_series=(800.0, 812.5, 0.0, 790.25),
        reports=11900,
        cold_starts=120,
        restores=4,
        init_avg_ms=410.0,
        init_p50_ms=380.0,
        init_p99_ms=1200.0,
        init_max_ms=1900.0,
        metrics_at=datetime(2026, 11, 23, 4, 59, tzinfo=PLUS_TWO),  # aware, not UTC: comes back as UTC
        logs_at=NOW - timedelta(minutes=2),
        details_at=NOW - timedelta(minutes=4),
        stale=("percentiles",),
    )
    region = RegionSummary(
        account_id="123456789012",
        region="eu-west-1",
        concurrency_limit=1000,
        unreserved_concurrency_limit=900,
        concurrent_executions_max=310.0,
        claimed_account_concurrency_max=400.0,
        unreserved_concurrent_executions_max=260.0,
        invocations=99000,
        errors=120,
        throttles=9,
        profile="prod",
    )
    sources = {
        "metrics": SourceStatus(
            name="metrics",
            ok=False,
            updated_at=NOW - timedelta(minutes=3),
            stale_since=NOW - timedelta(minutes=1),
            error="throttled",
            unsupported=True,
        ),
        "inventory": SourceStatus(name="inventory", ok=True, updated_at=NOW - timedelta(minutes=4)),
    }
    return FleetSnapshot(
        generated_at=NOW,
        window_minutes=60,
        regions=(region,),
        functions=(row, replace(row, arn=row.arn + "-2", name="orders-2", dlqs=(), aliases=())),
        sources=sources,
        api_calls={"lambda:ListFunctions": 3, "cloudwatch:GetMetricData": 2},
        estimated_cost_usd=0.02,
        cost_usd_per_hour=0.4,
        provisional_after=NOW - timedelta(minutes=1),
        from_cache=True,
        account_unconfirmed=True,
        tier_cost_usd_per_hour={"fleet": 0.3, "hot": 0.1},
        cadence_note="fleet tier slowed to 10 min by the budget",
        api_calls_per_minute=12,
        next_refresh_at=NOW + timedelta(seconds=60),
        paused=True,
        logs_path="filter",
        window_start=NOW - timedelta(minutes=61),
        window_end=NOW - timedelta(minutes=1),
        credential_hint="credentials expired: run aws sso login --profile prod",
    )


def _left_at_default(obj: object) -> list[str]:
    assert is_dataclass(obj)
    left: list[str] = []
    for f in fields(obj):
        has_default = f.default is not MISSING or f.default_factory is not MISSING
        default = f.default_factory() if f.default_factory is not MISSING else f.default
        if has_default and getattr(obj, f.name) == default:
            left.append(f"{type(obj).__name__}.{f.name}")
    return left


def test_the_factory_populates_every_model_field() -> None:
    # Guards the round-trip tests: a field added to the model must be added to full_snapshot().
    snapshot = full_snapshot()
    row = snapshot.functions[0]
    samples = (
        snapshot,
        row,
        row.dlqs[0],
        row.aliases[0],
        row.canaries[0],
        row.canaries[0].versions[0],
        snapshot.regions[0],
        snapshot.sources["metrics"],
    )

    assert [name for sample in samples for name in _left_at_default(sample)] == []


def test_encode_decode_is_exact() -> None:
    snapshot = full_snapshot()

    decoded = decode_snapshot(json.loads(json.dumps(encode_snapshot(snapshot))))

    assert decoded == snapshot
    assert decoded.functions[0].metrics_at is not None
    assert decoded.functions[0].metrics_at.tzinfo == UTC


def test_save_then_load_returns_the_snapshot_marked_as_cached(tmp_path: Path) -> None:
    original = replace(full_snapshot(), from_cache=False)
    cache = SnapshotCache(tmp_path / "snap.json")

    cache.save(original)
    loaded = cache.load(NOW + timedelta(minutes=5))

    assert loaded is not None
    assert loaded.from_cache is True
    assert loaded.generated_at == original.generated_at
    assert loaded.functions[0].dlqs == original.functions[0].dlqs
    assert loaded.functions[0].aliases[0].weights == {"8": 0.05}
    assert loaded.functions[0].tags == {"team": "payments", "tier": "1"}
    assert loaded.functions[0].invocations_series == (800.0, 812.5, 0.0, 790.25)
    # Everything but the staleness marks and this session's accounting is exactly as saved.
    expected_rows = tuple(replace(row, stale=loaded.functions[0].stale) for row in original.functions)
    assert loaded == replace(
        original,
        from_cache=True,
        sources=loaded.sources,
        functions=expected_rows,
        api_calls={},
        estimated_cost_usd=0.0,
        cost_usd_per_hour=None,
        tier_cost_usd_per_hour={},
        cadence_note=None,
        api_calls_per_minute=None,
        next_refresh_at=None,
        paused=False,
    )


def test_loaded_sources_are_not_ok_but_keep_their_real_age(tmp_path: Path) -> None:
    original = replace(full_snapshot(), from_cache=False)
    cache = SnapshotCache(tmp_path / "snap.json")
    cache.save(original)

    loaded = cache.load(NOW)

    assert loaded is not None
    for name, status in loaded.sources.items():
        assert (status.ok, status.error) == (False, "cached")
        assert status.updated_at == original.sources[name].updated_at
    assert loaded.sources["metrics"].stale_since == original.sources["metrics"].stale_since
    assert loaded.sources["inventory"].stale_since == original.sources["inventory"].updated_at
    assert loaded.sources["inventory"].age_s(NOW) == 240.0
    assert not loaded.all_sources_ok


def test_every_loaded_row_is_stale_for_every_source(tmp_path: Path) -> None:
    cache = SnapshotCache(tmp_path / "snap.json")
    cache.save(replace(full_snapshot(), from_cache=False))

    loaded = cache.load(NOW)

    assert loaded is not None
    assert all(set(row.stale) == set(SOURCE_NAMES) for row in loaded.functions)


def test_save_is_atomic_and_private(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "snap.json"
    cache = SnapshotCache(path)
    first = replace(full_snapshot(), from_cache=False)

    cache.save(first)
    cache.save(replace(first, window_minutes=15))

    assert sorted(p.name for p in path.parent.iterdir()) == ["snap.json"]  # no temp files left
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = cache.load(NOW)
    assert loaded is not None
    assert loaded.window_minutes == 15
    document = json.loads(path.read_text())
    assert (document["schema"], document["generated_at"]) == (CACHE_SCHEMA, NOW.isoformat())


def test_a_cached_snapshot_is_never_written_back(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"

    SnapshotCache(path).save(full_snapshot())  # from_cache=True

    assert not path.exists()


def test_save_failure_is_recorded_not_raised(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    cache = SnapshotCache(blocker / "snap.json")

    cache.save(replace(full_snapshot(), from_cache=False))

    assert cache.last_error is not None
    assert "cannot write" in cache.last_error


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{not json",
        '{"schema": "lambdatop.cache/1", "model": "x"',  # torn write
        "[]",
        json.dumps({"schema": "lambdatop.cache/0", "model": "x", "snapshot": {}}),
        "\udcff",
    ],
)
def test_corrupt_or_foreign_file_loads_as_none(tmp_path: Path, content: str) -> None:
    path = tmp_path / "snap.json"
    path.write_text(content, encoding="utf-8", errors="surrogateescape")

    assert SnapshotCache(path).load(NOW) is None


def test_file_from_another_model_version_loads_as_none(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    cache = SnapshotCache(path)
    cache.save(replace(full_snapshot(), from_cache=False))
    document = json.loads(path.read_text())

    document["model"] = "0" * 16
    path.write_text(json.dumps(document))

    assert cache.load(NOW) is None


@pytest.mark.parametrize(
    ("mutate", "what"),
    [
        (lambda s: s["functions"][0].update(memory_mb="512"), "wrong type"),
        (lambda s: s["functions"][0].pop("tags"), "missing field"),
        (lambda s: s["functions"][0].update(surprise=1), "extra field"),
        (lambda s: s["functions"][0]["dlqs"][0].update(kind="mystery"), "bad literal"),
        (lambda s: s.update(generated_at="2026-11-23T03:00:00"), "naive datetime"),
        (lambda s: s.update(generated_at="yesterday"), "not a datetime"),
        (lambda s: s.update(regions={"a": 1}), "object for a tuple"),
    ],
)
def test_well_formed_json_that_does_not_fit_the_model_loads_as_none(tmp_path: Path, mutate: Any, what: str) -> None:
    path = tmp_path / "snap.json"
    cache = SnapshotCache(path)
    cache.save(replace(full_snapshot(), from_cache=False))
    document = json.loads(path.read_text())

    mutate(document["snapshot"])
    path.write_text(json.dumps(document))

    assert cache.load(NOW) is None, what


def test_missing_or_unreadable_file_loads_as_none(tmp_path: Path) -> None:
    assert SnapshotCache(tmp_path / "absent.json").load(NOW) is None
    directory = tmp_path / "dir.json"
    directory.mkdir()
    assert SnapshotCache(directory).load(NOW) is None


def test_snapshot_older_than_max_age_is_not_used(tmp_path: Path) -> None:
    cache = SnapshotCache(tmp_path / "snap.json", max_age_s=3600)
    cache.save(replace(full_snapshot(), from_cache=False))

    assert cache.load(NOW + timedelta(minutes=59)) is not None
    assert cache.load(NOW + timedelta(minutes=61)) is None


def test_as_cached_is_idempotent() -> None:
    once = as_cached(full_snapshot())

    assert as_cached(once) == once


def test_cache_files_are_one_per_key_with_safe_names(tmp_path: Path) -> None:
    prod = cache_path_for(tmp_path, cache_key("prod/../../x", "https://lambda.example", ["eu-west-1"]))
    same = cache_path_for(tmp_path, cache_key("prod/../../x", "https://lambda.example", ["eu-west-1"]))
    other = cache_path_for(tmp_path, cache_key("dev", None, ["eu-west-1"]))
    ambiguous = cache_path_for(tmp_path, ["a,b", "c"])

    assert prod == same
    assert prod != other
    assert ambiguous != cache_path_for(tmp_path, ["a", "b,c"])
    assert prod.parent == tmp_path
    assert prod.name.startswith("snapshot-")
    assert prod.suffix == ".json"
    assert "prod" not in prod.name


def test_region_order_does_not_change_the_key() -> None:
    assert cache_key("p", None, ["us-east-1", "eu-west-1"]) == cache_key("p", None, ["eu-west-1", "us-east-1"])


def test_model_fingerprint_is_stable_within_a_run() -> None:
    assert model_fingerprint() == model_fingerprint()
    assert len(model_fingerprint()) == 16


def test_save_uses_only_the_given_path(tmp_path: Path) -> None:
    before = set(os.listdir(tmp_path))
    SnapshotCache(tmp_path / "x" / "snap.json").save(replace(full_snapshot(), from_cache=False))

    assert set(os.listdir(tmp_path)) - before == {"x"}
