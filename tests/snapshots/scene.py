"""One fixed fleet, the kind the demo shows, for deterministic pictures of the screens."""

from __future__ import annotations

from datetime import timedelta

from lambdatop.model.snapshot import AliasRow, FleetSnapshot, FunctionRow
from tests.factories import (
    NOW,
    make_queue,
    make_region,
    make_row,
    make_snapshot,
    make_unknown_row,
    ok_sources,
    stale_source,
)


def _series(*values: float) -> tuple[float, ...]:
    return tuple(float(v) for v in values)


BUSY = _series(60, 64, 70, 72, 80, 85, 90, 88, 95, 99, 97, 101, 110, 104, 70)
SPIKY = _series(5, 5, 6, 40, 80, 12, 6, 5, 5, 90, 4, 5, 6, 5, 3)
RISING = _series(1, 2, 3, 5, 8, 12, 18, 25, 33, 41, 50, 58, 66, 75, 60)


def scene_rows() -> list[FunctionRow]:
    rows = [
        make_row(
            "checkout-api",
            invocations=88_000,
            errors=7_900,
            concurrency_max=140.0,
            duration_p99_ms=2_300.0,
            invocations_series=BUSY,
            tags={"team": "payments"},
            aliases=(AliasRow("live", "6", {"7": 0.1}),),
        ),
        make_row(
            "image-resizer",
            invocations=12_400,
            throttles=3_100,
            reserved_concurrency=50,
            concurrency_max=50.0,
            invocations_series=SPIKY,
        ),
        make_row(
            "orders-dlq-consumer",
            invocations=2_300,
            errors=40,
            dlqs=(make_queue("orders-dlq", depth=1_240),),
            invocations_series=RISING,
        ),
        make_row(
            "report-java",
            runtime="java21",
            invocations=900,
            reports=900,
            cold_starts=310,
            init_p99_ms=6_400.0,
            duration_p99_ms=9_100.0,
            invocations_series=SPIKY,
        ),
        make_row("stream-indexer", invocations=15_000, iterator_age_max_ms=1_260_000.0, invocations_series=BUSY),
        make_row(
            "legacy-export",
            reserved_concurrency=0,
            invocations=0,
            errors=0,
            concurrency_max=0.0,
            invocations_series=_series(*[0] * 15),
        ),
        make_row("email-sender", invocations=4_100, errors=60, invocations_series=RISING),
        make_row(
            "search-suggest",
            invocations=41_000,
            reserved_concurrency=100,
            concurrency_max=93.0,
            invocations_series=BUSY,
        ),
        make_unknown_row("new-function-no-data-yet"),
    ]
    healthy = [
        "auth-token-refresh", "cart-service", "catalog-sync", "feature-flags", "geo-lookup",
        "inventory-reserve", "invoice-pdf", "notify-push", "price-calculator", "profile-api",
        "ratings-ingest", "session-gc", "shipping-quote", "tax-rates", "webhook-relay",
    ]  # fmt: skip
    for i, name in enumerate(healthy):
        rows.append(
            make_row(
                name,
                invocations=500 + 731 * i,
                concurrency_max=float(2 + i),
                duration_p99_ms=80.0 + 37 * i,
                invocations_series=RISING[::-1],
            )
        )
    return rows


def scene_snapshot() -> FleetSnapshot:
    sources = {
        **ok_sources(NOW, age_s=14),
        "logs": stale_source("logs", now=NOW, age_s=190, error="AccessDeniedException"),
    }
    return make_snapshot(
        scene_rows(),
        sources=sources,
        regions=(
            make_region(
                concurrency_limit=1000, unreserved_concurrency_limit=850, claimed_account_concurrency_max=812.0
            ),
        ),
        provisional_after=NOW - timedelta(minutes=2),
        cost_usd_per_hour=0.042,
        api_calls_per_minute=37,
        next_refresh_at=NOW + timedelta(seconds=46),
    )
