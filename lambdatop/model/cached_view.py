"""Keep a cached fleet on screen until real numbers replace it (pure; no I/O).

At launch the app paints the last snapshot of this account from the cache. The collector's
first live snapshots may carry no functions yet — still listing, or failing (endpoint
unreachable, throttled, expired token). Showing them as they are would wipe the cached
picture at the very moment it exists for. So until the live inventory has answered, the
screen shows the cached rows, every one marked stale, with each source's live status (its
failure and the true age of the last numbers). A live snapshot from another account ends the
cached picture at once: its rows are never shown under anyone's id.
"""

from __future__ import annotations

from dataclasses import replace

from lambdatop.model.snapshot import FleetSnapshot, SourceStatus


def live_replaces_cache(cached: FleetSnapshot, live: FleetSnapshot) -> bool:
    """True once `live` can stand on its own: its inventory answered, it lists functions, or
    it shows another account than the cached picture."""
    inventory = live.sources.get("inventory")
    if live.functions or (inventory is not None and inventory.ok):
        return True
    cached_accounts = {r.account_id for r in cached.regions if r.account_id}
    live_accounts = {r.account_id for r in live.regions if r.account_id}
    return bool(live_accounts) and live_accounts != cached_accounts


def overlay_cached(cached: FleetSnapshot, live: FleetSnapshot) -> FleetSnapshot:
    """The cached rows under the live sources' news: what failed and why, and how old the
    numbers on screen really are (the cached answer's age when no live one came yet)."""
    sources = {name: _merged_status(cached.sources.get(name), status) for name, status in live.sources.items()}
    for name, status in cached.sources.items():
        sources.setdefault(name, status)
    live_accounts = {r.account_id for r in live.regions if r.account_id}
    confirmed = bool(live_accounts) and live_accounts == {r.account_id for r in cached.regions if r.account_id}
    return replace(
        live,
        generated_at=cached.generated_at,
        regions=cached.regions,
        functions=cached.functions,
        sources=sources,
        from_cache=True,
        account_unconfirmed=cached.account_unconfirmed and not confirmed,
        provisional_after=None,
    )


def _merged_status(cached: SourceStatus | None, live: SourceStatus) -> SourceStatus:
    if live.ok or cached is None:
        return live
    updated_at = live.updated_at or cached.updated_at
    return SourceStatus(
        name=live.name,
        ok=False,
        updated_at=updated_at,
        stale_since=live.stale_since or cached.stale_since,
        error=live.error or cached.error,
        unsupported=live.unsupported,
    )


class CachedView:
    """The app's memory of the cached picture: `apply()` each live snapshot; it answers what to
    show, and forgets the cache for good once real numbers have replaced it."""

    def __init__(self, cached: FleetSnapshot | None) -> None:
        self.cached = cached if cached is not None and cached.from_cache else None

    def apply(self, snapshot: FleetSnapshot) -> FleetSnapshot:
        if self.cached is None or snapshot.from_cache:
            return snapshot
        if live_replaces_cache(self.cached, snapshot):
            self.cached = None
            return snapshot
        return overlay_cached(self.cached, snapshot)

    def forget(self) -> None:
        """Another view (`:profile`, `:region`): the cached picture is not of it."""
        self.cached = None
