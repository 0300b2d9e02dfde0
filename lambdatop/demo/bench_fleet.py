"""A plain fleet of any size with light traffic, for benchmarks at scale."""

from __future__ import annotations

import random

from lambdatop.demo.fleet import Fleet, FunctionSpec, TrafficSpec

_BENCH_RUNTIMES: tuple[tuple[str, str], ...] = (
    ("python3.12", "app.handler"),
    ("python3.13", "app.handler"),
    ("nodejs22.x", "index.handler"),
    ("java21", "com.example.Handler::handleRequest"),
    ("provided.al2023", "bootstrap"),
    ("ruby3.3", "app.handler"),
    ("dotnet8", "Bench::Bench.Function::Handler"),
)


def build_bench_fleet(n_functions: int, seed: int) -> Fleet:
    """A plain fleet of `n_functions` with light traffic, for benchmarks at scale.

    About a third of the functions take traffic (under one request a minute on average);
    the rest are idle, as in most real accounts. A handful are capped, one throttles.
    """
    rng = random.Random(f"{seed}:bench:{n_functions}")
    functions: list[FunctionSpec] = []
    width = len(str(max(n_functions - 1, 1)))
    for index in range(n_functions):
        runtime, handler = _BENCH_RUNTIMES[rng.randrange(len(_BENCH_RUNTIMES))]
        active = rng.random() < 0.35
        p50 = round(rng.uniform(5, 800), 1)
        reserved = None
        if index % 97 == 13:
            reserved = 2
        elif index % 53 == 7:
            reserved = rng.choice((5, 10, 50))
        functions.append(
            FunctionSpec(
                name=f"bench-fn-{index:0{width}d}",
                runtime=runtime,
                handler=handler,
                architecture="arm64" if rng.random() < 0.4 else "x86_64",
                memory_mb=rng.choice((128, 256, 512, 1024, 2048)),
                timeout_s=rng.choice((3, 10, 30, 60)),
                tags={"team": f"team-{index % 17}", "service": f"svc-{index % 61}", "env": "bench"},
                reserved_concurrency=reserved,
                traffic=TrafficSpec(
                    rate_per_min=round(rng.uniform(0.2, 2.0), 2) if active else 0.0,
                    concurrency=(1.0, 4.0 if reserved == 2 else 2.0),
                    duration_p50_ms=p50,
                    duration_p99_ms=p50 * rng.uniform(2.0, 5.0),
                    error_rate=rng.choice((0.0, 0.0, 0.0, 0.01, 0.05)),
                    cold_start_ratio=0.03,
                    info_line_ratio=0.0,
                    init_ms=(2_000, 4_000) if runtime == "java21" else (100, 500),
                ),
            )
        )
    return Fleet(functions=tuple(functions))
