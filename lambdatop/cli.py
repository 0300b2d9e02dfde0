"""Command line: flags → Settings, then one of: --once output, the TUI, --print-paths."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lambdatop import __version__
from lambdatop.terminal import EXIT_OUTPUT, SignalExit, screen_hint, screen_problem, stdout_closed, write_stdout

if TYPE_CHECKING:
    from lambdatop.aws.budget import ControlPlaneBudgets
    from lambdatop.clock import Clock
    from lambdatop.model.snapshot import FleetSnapshot
    from lambdatop.protocols import Operator, SnapshotSource
    from lambdatop.settings import Settings

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_STALE = 3
EXIT_CREDENTIALS = 4  # the credential chain failed: unknown profile, none, expired, rejected
# EXIT_OUTPUT (74, EX_IOERR): --once could not write (closed stdout, disk full); 141: the reader
# went away (SIGPIPE's conventional code); 128+N: ended by signal N.


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
        "--read-write",
        dest="read_only",
        action="store_false",
        default=None,
        help="lift a read_only set by the config file for this run",
    )
    p.add_argument("--demo", action="store_true", default=None, help="simulated account on an embedded local server")
    p.add_argument("--seed", type=int, help="with --demo: make the simulated account deterministic")
    p.add_argument("--once", action="store_true", default=None, help="print one snapshot and exit")
    p.add_argument("--format", choices=("table", "json", "csv"), help="with --once (default table)")
    p.add_argument(
        "--function", metavar="NAME", help="with --once: one function's detail (schema lambdatop.function/1)"
    )
    p.add_argument("--endpoint-url", help="send every AWS call to this endpoint (wins over AWS_ENDPOINT_URL*)")
    p.add_argument("--print-paths", action="store_true", help="print where config, themes and cache live")
    p.add_argument("--version", action="version", version=f"lambdatop {__version__}")
    return p


def _flags(args: argparse.Namespace) -> dict[str, object]:
    """Only what the user actually typed, under Settings' field names."""
    flags: dict[str, object] = {}
    if args.profile:
        flags["profile"] = args.profile
    if args.region is not None:
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
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.region is not None and not any(r.strip() for r in args.region.split(",")):
        parser.error("--region needs a region name such as eu-west-1 (or leave it out for the profile's region)")
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
    # A profile typed as --profile makes botocore skip env keys; one from AWS_PROFILE does not (as in the CLI).
    explicit = bool(args.profile)
    if args.function and not settings.once:
        print("lambdatop: --function goes with --once", file=sys.stderr)
        return EXIT_USAGE
    if args.function and settings.output_format == "csv":
        print("lambdatop: --function prints json or table, not csv", file=sys.stderr)
        return EXIT_USAGE
    if settings.demo:
        from lambdatop.demo.extra import demo_install_hint

        if hint := demo_install_hint():
            print(f"lambdatop: {hint}", file=sys.stderr)
            return EXIT_USAGE
    if settings.once:
        if stdout_closed():
            # Checked first: a closed fd 1 would otherwise be reused by the first socket we open.
            print("lambdatop: standard output is closed; nothing to write the snapshot to", file=sys.stderr)
            return EXIT_OUTPUT
        return _run_once(settings, profile_explicit=explicit, function=args.function)
    problem = screen_problem(env, sys.stdin.isatty() if sys.stdin else False, _stdout_is_tty())
    # Told after the profile and credentials are checked: those errors matter on any terminal.
    screen_trouble = screen_hint(problem) if problem is not None else None
    return _run_tui(settings, profile_explicit=explicit, screen_trouble=screen_trouble)


def _stdout_is_tty() -> bool:
    return sys.stdout is not None and sys.stdout.isatty()


def _target_and_regions(settings: Settings, demo: Any, profile_explicit: bool = True) -> tuple[Any, tuple[str, ...]]:
    from lambdatop.aws.session import AwsTarget, ClientPool, ConfigurationError

    if demo is not None:
        target = AwsTarget(endpoint_url=demo.endpoint_url, credentials=demo.credentials, isolated=True)
        return target, (demo.region,)
    target = AwsTarget(profile=settings.profile, endpoint_url=settings.endpoint_url, profile_explicit=profile_explicit)
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


def _run_once(settings: Settings, profile_explicit: bool = True, function: str | None = None) -> int:
    from datetime import timedelta

    from lambdatop.aws.session import ConfigurationError, CredentialsError
    from lambdatop.clock import ClockStartingAt, SystemClock

    demo = None
    try:
        if settings.demo:
            from lambdatop.demo.launch import start_demo

            demo = start_demo(settings.seed, live=False)
        target, regions = _target_and_regions(settings, demo, profile_explicit)
        clock: Clock = SystemClock()
        if demo is not None and demo.zero_at is not None:
            # Without the live simulator the demo account stops where its backfill ends. Read it
            # as of that instant, so the same --seed gives the same numbers even when seeding
            # straddles a minute boundary (the window would otherwise slide by a minute).
            clock = ClockStartingAt(demo.zero_at + timedelta(seconds=1))
        if function:
            return _print_function(settings, target, regions[0], clock, function)
        snapshot = asyncio.run(_collect_once(settings, target, regions, clock))
    except CredentialsError as exc:
        print(f"lambdatop: {exc}", file=sys.stderr)
        return EXIT_CREDENTIALS
    except ConfigurationError as exc:
        print(f"lambdatop: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if demo is not None:
            demo.stop()
    from lambdatop import output

    text = output.render(snapshot, settings.output_format, width=_terminal_width())
    failed = write_stdout(text if text.endswith("\n") else text + "\n")
    return failed if failed is not None else output.exit_code(snapshot)


def _print_function(settings: Settings, target: Any, region: str, clock: Clock, name: str) -> int:
    """`--once --function NAME`: the detail screen's content, then the same exit codes."""
    from lambdatop import output_function
    from lambdatop.aws.session import ClientPool
    from lambdatop.detail_source import FunctionNotFound, collect_function_once

    async def collect() -> Any:
        async with ClientPool(target) as pool:
            await pool.check_credentials()
            return await collect_function_once(pool, name, region, clock, settings.window_minutes)

    try:
        snapshot = asyncio.run(collect())
    except FunctionNotFound as exc:
        print(f"lambdatop: {exc}", file=sys.stderr)
        return EXIT_USAGE
    text = output_function.render(snapshot, settings.output_format, width=_terminal_width())
    failed = write_stdout(text if text.endswith("\n") else text + "\n")
    return failed if failed is not None else output_function.exit_code(snapshot)


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((120, 40)).columns


async def _collect_once(settings: Settings, target: Any, regions: tuple[str, ...], clock: Clock) -> FleetSnapshot:
    from lambdatop.aws.session import ClientPool, CredentialsError
    from lambdatop.collector import Collector

    async with ClientPool(target) as pool:
        await pool.check_credentials()
        collector = Collector(
            pool,
            regions,
            clock,
            window_minutes=settings.window_minutes,
            profile=settings.profile,
            logs_max_concurrent_queries=settings.logs_max_concurrent_queries,
            budgets=control_plane_budgets(settings),
        )
        snapshot = await collector.collect_once()
        hint = pool.credential_problem
        if hint is not None:  # the credentials failed on the way: the document would be empty
            raise CredentialsError(hint, pool.credential_failure)
        return snapshot


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


def _run_tui(settings: Settings, profile_explicit: bool = True, screen_trouble: str | None = None) -> int:
    from lambdatop.aws.session import AwsTarget, ClientPool, ConfigurationError, CredentialsError
    from lambdatop.clock import SystemClock
    from lambdatop.collector import Collector
    from lambdatop.collector.cadence import Cadence
    from lambdatop.detail_source import FunctionDetailRefresher

    clock = SystemClock()
    cadence = Cadence(metrics_s=float(settings.refresh_s), budget_usd_per_hour=settings.budget_usd_per_hour)
    if settings.demo:
        if screen_trouble is not None:
            print(screen_trouble, file=sys.stderr)
            return EXIT_USAGE
        from lambdatop.demo_boot import DemoBootingOperator, DemoBootingSource
        from lambdatop.paths import app_paths

        # The screen comes up at once; the demo account starts behind it. The demo's own fast
        # cadence unless the user chose a refresh (--refresh, LAMBDATOP_REFRESH, [demo] refresh).
        demo_cadence = cadence.for_demo(float(settings.refresh_s) if settings.refresh_given else None)
        demo_source = DemoBootingSource(settings.seed, clock, demo_cadence, settings.window_minutes)
        demo_operator = DemoBootingOperator(
            demo_source, clock, read_only=settings.read_only, journal_path=app_paths().journal_file
        )
        demo_detail = FunctionDetailRefresher(
            lambda: demo_source.collector.pool if demo_source.collector is not None else None,
            clock,
            budget_for=lambda region: (
                demo_source.collector.budgets.for_region(region) if demo_source.collector is not None else None
            ),
        )
        try:
            demo_app = build_app(settings, demo_source, demo_operator, clock, demo=True, detail_source=demo_detail)
            code = _run_app(demo_app)
        finally:
            demo_source.stop()
        return code
    try:
        target, regions = _target_and_regions(settings, None, profile_explicit)
        pool = ClientPool(target)
        asyncio.run(pool.check_credentials())
    except CredentialsError as exc:
        print(f"lambdatop: {exc}", file=sys.stderr)
        return EXIT_CREDENTIALS
    except ConfigurationError as exc:
        print(f"lambdatop: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if screen_trouble is not None:
        print(screen_trouble, file=sys.stderr)
        return EXIT_USAGE
    collector = Collector(
        pool,
        regions,
        clock,
        window_minutes=settings.window_minutes,
        cadence=cadence,
        profile=settings.profile,
        owns_pool=True,
        logs_max_concurrent_queries=settings.logs_max_concurrent_queries,
        budgets=control_plane_budgets(settings),
    )
    from lambdatop.view_sources import account_cache, notify_from_thread, source_factory, startup_identity

    shown: dict[str, Any] = {}  # the app, once built: its source is the account view on screen

    def operator_for(new: Settings) -> Operator:
        """The one path that writes to AWS, for the account the screen shows; its reads and
        writes go through the same control-plane budget as that view's collector."""
        from lambdatop.aws.actions import AwsOperator
        from lambdatop.journal import Journal
        from lambdatop.paths import app_paths

        same = new.profile == settings.profile
        new_pool = (
            pool
            if same
            else ClientPool(AwsTarget(profile=new.profile, endpoint_url=new.endpoint_url, profile_explicit=True))
        )
        journal = Journal(app_paths().journal_file)
        source = shown["app"].source if "app" in shown else collector
        budgets = getattr(source, "budgets", None)
        return AwsOperator(
            new_pool,
            journal,
            clock,
            profile=new.profile,
            read_only=new.read_only,
            prod=new.prod,
            budget_for=budgets.for_region if budgets is not None else None,
        )

    # Whose fleet is this? A cached picture is painted only as its own account's.
    identity = startup_identity(target, regions[0])
    initial, cache = account_cache(settings, target, regions, clock, identity)
    collector.on_complete = cache.save
    factory = source_factory(settings, regions, clock, cadence, profile_explicit)
    app = build_app(
        settings,
        collector,
        operator_for(settings),
        clock,
        initial_snapshot=initial,
        source_factory=factory,
        operator_factory=operator_for,
    )
    shown["app"] = app
    # The detail screen reads through the current collector's pool (shared clients and meter).
    app.detail_source = FunctionDetailRefresher(
        lambda: getattr(app.source, "pool", None),
        clock,
        budget_for=lambda region: _budget_of(app.source, region),
    )
    cache.on_problem = notify_from_thread(app, "cache")
    return _run_app(app)


def _budget_of(source: object, region: str) -> Any:
    """The control-plane budget of the account view a source reads (None: it has none)."""
    budgets = getattr(source, "budgets", None)
    return budgets.for_region(region) if budgets is not None else None


def _run_app(app: Any) -> int:
    """Run the app; SIGTERM / SIGHUP / SIGQUIT end it the orderly way (terminal restored)."""
    guard = SignalExit(lambda code: app.exit(return_code=code))
    guard.install()
    try:
        app.run()
    finally:
        guard.uninstall()
    if guard.exit_code is not None:
        return guard.exit_code
    return int(app.return_code or EXIT_OK)
