"""The TUI's account views: who the credentials belong to, that account's cached picture, and
checked sources for `:profile` / `:region`.

Kept out of `cli.py` so the CLI stays a dispatcher; imports AWS (never Textual).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from lambdatop.aws.credentials import is_credential_error
from lambdatop.aws.identity import Identity, caller_identity
from lambdatop.aws.session import AwsTarget, ClientPool, ConfigurationError
from lambdatop.cache import AccountCache

if TYPE_CHECKING:
    from lambdatop.cadence import Cadence
    from lambdatop.clock import Clock
    from lambdatop.model.snapshot import FleetSnapshot
    from lambdatop.protocols import SnapshotSource
    from lambdatop.settings import Settings

# At launch, how long the cached picture may wait for STS to say whose credentials these are.
# Past it, the cache is painted under its own account id, marked "account unconfirmed".
STARTUP_IDENTITY_TIMEOUT_S = 3.0


def startup_identity(target: AwsTarget, region: str, timeout_s: float = STARTUP_IDENTITY_TIMEOUT_S) -> Identity | None:
    """The caller's account, or None when STS does not answer in time (the app starts anyway:
    its first pass will say what is wrong). Uses its own short-lived clients: the app's event
    loop is not running yet."""

    async def ask() -> Identity:
        async with ClientPool(target) as pool:
            return await caller_identity(pool, region, timeout_s=timeout_s)

    try:
        return asyncio.run(ask())
    except ConfigurationError:
        return None


def account_cache(
    settings: Settings,
    target: AwsTarget,
    regions: tuple[str, ...],
    clock: Clock,
    identity: Identity | None,
    on_problem: Callable[[str], None] | None = None,
) -> tuple[FleetSnapshot | None, AccountCache]:
    """This view's cache, and the picture to paint at once: the confirmed account's, or (STS
    silent) the last account's under its own id, marked unconfirmed."""
    from lambdatop.paths import cache_dir

    cache = AccountCache(cache_dir(os.environ), settings.profile, target.endpoint_url, regions, on_problem)
    account, partition = (identity.account_id, identity.partition) if identity is not None else (None, None)
    return cache.load(clock.now(), account, partition), cache


def source_factory(
    current: Settings, regions: tuple[str, ...], clock: Clock, cadence: Cadence, profile_explicit: bool = True
) -> Callable[[Settings], Awaitable[SnapshotSource]]:
    """`:region` / `:profile`: a collector for the new view, built only after its profile,
    credentials and region answered STS; otherwise ConfigurationError with the reason."""

    async def make(new: Settings) -> SnapshotSource:
        from lambdatop.cli import control_plane_budgets
        from lambdatop.collector import Collector

        same_profile = new.profile == current.profile
        # A profile that came from AWS_PROFILE leaves env keys in charge, as in the AWS CLI.
        explicit = profile_explicit if same_profile else True
        pool = ClientPool(AwsTarget(profile=new.profile, endpoint_url=new.endpoint_url, profile_explicit=explicit))
        try:
            new_regions = new.regions or (regions if new.profile == current.profile else ())
            if not new_regions:
                default = pool.default_region()
                if not default:
                    raise ConfigurationError(f"profile {new.profile!r} has no region: use :region too")
                new_regions = (default,)
            await caller_identity(pool, new_regions[0])
        except BaseException as exc:  # also a switch cancelled by a newer one: close what we opened
            with contextlib.suppress(Exception):
                await pool.close()
            if isinstance(exc, ConfigurationError) or not isinstance(exc, Exception):
                raise
            if is_credential_error(exc):
                raise ConfigurationError(pool.credential_hint(exc)) from exc
            raise ConfigurationError(_one_line(exc)) from exc
        from lambdatop.paths import cache_dir

        collector = Collector(
            pool, new_regions, clock, window_minutes=new.window_minutes, cadence=cadence,
            profile=new.profile, owns_pool=True, logs_max_concurrent_queries=new.logs_max_concurrent_queries,
            budgets=control_plane_budgets(new),
        )  # fmt: skip
        # The new view's pictures go to its own account's cache file.
        collector.on_complete = AccountCache(cache_dir(os.environ), new.profile, new.endpoint_url, new_regions).save
        return collector

    return make


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def notify_from_thread(app: Any, title: str) -> Callable[[str], None]:
    """A problem reported from a worker thread (the cache writes off the event loop)."""

    def tell(message: str) -> None:
        with contextlib.suppress(Exception):  # the app may be closing
            app.call_from_thread(app.notify, message, title=title, severity="warning", timeout=15, markup=False)

    return tell
