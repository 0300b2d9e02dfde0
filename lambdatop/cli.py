"""Command line: flags → Settings, then one of: --once output, the TUI, --print-paths."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lambdatop import __version__

if TYPE_CHECKING:
    from lambdatop.aws.budget import ControlPlaneBudgets
    from lambdatop.clock import Clock
    from lambdatop.model.snapshot import FleetSnapshot
    from lambdatop.protocols import Operator, SnapshotSource
    from lambdatop.settings import Settings

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_STALE = 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's own exit code 2 is ours too
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"lambdatop: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="lambdatop",
        description="A terminal dashboard for operating AWS Lambda.",
        epilog="No AWS account at hand? Try `lambdatop --demo`.",
    )
    p.add_argument("--profile", help="AWS profile (default: AWS_PROFILE, then 'default')")
    p.add_argument("--region", help="Region, or several: eu-west-1,us-east-1 (default: the AWS chain)")
    p.add_argument("--window", help="window the numbers cover: 5m, 15m, 1h, 3h (default 15m)")
    p.add_argument("--refresh", type=int, metavar="SECONDS", help="seconds between metric passes (default 60)")
    p.add_argument("--theme", help="dark, light, high-contrast, ansi, or a theme of yours")
    access = p.add_mutually_exclusive_group()
    access.add_argument("--read-only", action="store_true", default=None, help="make every change to AWS impossible")
    access.add_argument(
        "--read-write", dest="read_only", action="store_false", default=None,
        help="lift a read_only set by the config file for this run",
    )
    p.add_argument("--demo", action="store_true", default=None, help="simulated account on an embedded local server")
    p.add_argument("--seed", type=int, help="with --demo: make the simulated account deterministic")
    p.add_argument("--once", action="store_true", default=None, help="print one snapshot and exit")
    p.add_argument("--format", choices=("table", "json", "csv"), help="with --once (default table)")
    p.add_argument("--endpoint-url", help="send every AWS call to this endpoint (wins over AWS_ENDPOINT_URL*)")
    p.add_argument("--print-paths", action="store_true", help="print where config, themes and cache live")
    p.add_argument("--version", action="version", version=f"lambdatop {__version__}")
    return p


def _flags(args: argparse.Namespace) -> dict[str, object]:
    """Only what the user actually typed, under Settings' field names."""
    flags: dict[str, object] = {}
    if args.profile:
        flags["profile"] = args.profile
    if args.region:
        flags["regions"] = tuple(r.strip() for r in args.region.split(",") if r.strip())
    if args.window:
        from lambdatop.model.window import parse_window

        flags["window_minutes"] = parse_window(args.window)
    if args.refresh is not None:
        flags["refresh_s"] = args.refresh
    for name in ("theme", "read_only", "demo", "seed", "once", "endpoint_url"):
        value = getattr(args, name)
        if value is not None:
            flags[name] = value
    if args.format:
        flags["output_format"] = args.format
    return flags


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    args = build_parser().parse_args(argv)
    from lambdatop.settings import ConfigError, load_settings

    if args.print_paths:
        from lambdatop.paths import describe_paths

        print(describe_paths(env))
        return EXIT_OK
    try:
        settings = load_settings(_flags(args), env)
    except (ConfigError, ValueError) as exc:
        print(f"lambdatop: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if settings.seed is not None and not settings.demo:
        print("lambdatop: --seed only makes sense with --demo", file=sys.stderr)
        return EXIT_USAGE
    if settings.output_format != "table" and not settings.once:
        print("lambdatop: --format goes with --once", file=sys.stderr)
        return EXIT_USAGE
    if settings.once:
        return _run_once(settings)
    return _run_tui(settings)


def _target_and_regions(settings: Settings, demo: Any) -> tuple[Any, tuple[str, ...]]:
    from lambdatop.aws.session import AwsTarget, ClientPool, ConfigurationError

    if demo is not None:
        target = AwsTarget(endpoint_url=demo.endpoint_url, credentials=demo.credentials, isolated=True)
        return target, (demo.region,)
    target = AwsTarget(profile=settings.profile, endpoint_url=settings.endpoint_url)
    regions = settings.regions
    if not regions:
        region = ClientPool(target).default_region()
        if not region:
            raise ConfigurationError(
                "No AWS region: pass --region, set AWS_REGION, or give the profile a region "
                "in ~/.aws/config. (Or try `lambdatop --demo`.)"
            )
        regions = (region,)
    return target, regions


def _run_once(settings: Settings) -> int:
    from datetime import timedelta

    from lambdatop.aws.session import ConfigurationError
    from lambdatop.clock import ClockStartingAt, SystemClock

    demo = None
    try:
        if settings.demo:
            from lambdatop.demo.launch import start_demo

            demo = start_demo(settings.seed, live=False)
        target, regions = _target_and_regions(settings, demo)
        clock: Clock = SystemClock()
        if demo is not None and demo.zero_at is not None:
            # Without the live simulator the demo account stops where its backfill ends. Read it
            # as of that instant, so the same --seed gives the same numbers even when seeding
            # straddles a minute boundary (the window would otherwise slide by a minute).
            clock = ClockStartingAt(demo.zero_at + timedelta(seconds=1))
        snapshot = asyncio.run(_collect_once(settings, target, regions, clock))
    except ConfigurationError as exc:
        print(f"lambdatop: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if demo is not None:
            demo.stop()
    from lambdatop import output

    text = output.render(snapshot, settings.output_format, width=_terminal_width())
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()
    return output.exit_code(snapshot)


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((120, 40)).columns


async def _collect_once(settings: Settings, target: Any, regions: tuple[str, ...], clock: Clock) -> FleetSnapshot:
    from lambdatop.aws.session import ClientPool
    from lambdatop.collector import Collector

    async with ClientPool(target) as pool:
        await pool.check_credentials()
        collector = Collector(
            pool, regions, clock, window_minutes=settings.window_minutes, profile=settings.profile,
            budgets=control_plane_budgets(settings),
        )
        return await collector.collect_once()


def control_plane_budgets(settings: Settings) -> ControlPlaneBudgets:
    """One per account view, shared by its collector and (through `collector.budgets`) the operator."""
    from lambdatop.aws.budget import ControlPlaneBudgets

    return ControlPlaneBudgets(settings.control_plane_rps, settings.control_plane_burst, settings.get_function_rps)


def build_app(
    settings: Settings,
    source: SnapshotSource,
    operator: Operator | None,
    clock: Clock,
    **extra: Any,
) -> Any:
    """The one factory for the Textual app, used by the CLI and by the tests."""
    from lambdatop.ui.app import LambdatopApp

    return LambdatopApp(settings=settings, source=source, operator=operator, clock=clock, **extra)


def _run_tui(settings: Settings) -> int:
    from lambdatop.aws.session import AwsTarget, ClientPool, ConfigurationError
    from lambdatop.clock import SystemClock
    from lambdatop.collector import Collector
    from lambdatop.collector.cadence import Cadence

    clock = SystemClock()
    cadence = Cadence(metrics_s=float(settings.refresh_s), budget_usd_per_hour=settings.budget_usd_per_hour)
    if settings.demo:
        from lambdatop.demo_boot import DemoBootingSource

        # The screen comes up at once; the demo account starts behind it.
        demo_source = DemoBootingSource(settings.seed, clock, cadence.for_demo(), settings.window_minutes)
        try:
            build_app(settings, demo_source, None, clock, demo=True).run()
        finally:
            demo_source.stop()
        return EXIT_OK
    try:
        target, regions = _target_and_regions(settings, None)
        pool = ClientPool(target)
        asyncio.run(pool.check_credentials())
    except ConfigurationError as exc:
        print(f"lambdatop: {exc}", file=sys.stderr)
        return EXIT_USAGE
    collector = Collector(
        pool, regions, clock, window_minutes=settings.window_minutes, cadence=cadence,
        profile=settings.profile, owns_pool=True, budgets=control_plane_budgets(settings),
    )
    initial, cache = _load_cache(settings, target, regions, clock)

    def source_for(new: Settings) -> SnapshotSource:
        """`:region` / `:profile` from the app: a fresh collector for the new account view."""
        new_pool = ClientPool(AwsTarget(profile=new.profile, endpoint_url=new.endpoint_url))
        new_regions = new.regions or (regions if new.profile == settings.profile else ())
        if not new_regions:
            default = new_pool.default_region()
            if not default:
                raise ConfigurationError(f"profile {new.profile!r} has no region: use :region too")
            new_regions = (default,)
        return Collector(
            new_pool, new_regions, clock, window_minutes=new.window_minutes, cadence=cadence,
            profile=new.profile, owns_pool=True, budgets=control_plane_budgets(new),
        )

    if cache is not None:
        collector.on_complete = cache.save
    build_app(settings, collector, None, clock, initial_snapshot=initial, source_factory=source_for).run()
    return EXIT_OK


def _load_cache(settings: Settings, target: Any, regions: tuple[str, ...], clock: Clock) -> tuple[Any, Any]:
    """The last snapshot of this account, to paint at once while the first refresh runs."""
    from lambdatop.cache import SnapshotCache, cache_key, cache_path_for
    from lambdatop.paths import cache_dir

    key = cache_key(settings.profile, target.endpoint_url, regions)
    cache = SnapshotCache(cache_path_for(cache_dir(os.environ), key))
    return cache.load(clock.now()), cache
