"""One state for expired or invalid credentials: every source pauses, a cheap probe resumes them.

Any source's call failing with a credentials failure (expired SSO session, ExpiredToken,
InvalidClientTokenId, a failing credential_process...) puts the collector in this state:
no loop calls AWS (no retry storm against an identity that cannot sign), the last numbers
stay on screen marked stale, and the snapshot carries one sentence saying what to run. Every
`probe_s` seconds STS GetCallerIdentity (free, no quota worth naming) is tried; once it answers
(the user logged in again in another terminal) every source resumes at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from lambdatop.aws.errors import Failure
from lambdatop.aws.session import ClientPool
from lambdatop.collector.context import RegionCollector


def credential_hint(cause: BaseException | Failure, pool: ClientPool, profile: str | None) -> str:
    """The one sentence that says what to run (`aws sso login --profile P`, which
    credential_process failed...), worked out by the pool that knows the profile's chain. A
    source that kept only the classified Failure gives the pool's last problem, or its reason;
    the probe's own exception then refines the sentence."""
    if isinstance(cause, BaseException):
        return pool.credential_hint(cause)
    if pool.credential_problem is not None:
        return pool.credential_problem
    who = f" for profile {profile}" if profile else ""
    return f"credentials expired or invalid{who} ({cause.reason}): log in again; lambdatop resumes by itself."


def mark_stale(regions: Sequence[RegionCollector], hint: str, now: datetime) -> None:
    """Every source is stale while the credentials are out, what is on screen stays; a pass
    that ends after the pause began (its calls made before it, or none) changes nothing."""
    for region in regions:
        for source in region.state.sources.values():
            if source.ok is not False:
                source.failed(now, hint)


class CredentialGate:
    def __init__(self) -> None:
        self.hint: str | None = None
        self._valid = asyncio.Event()
        self._valid.set()
        self.probes = 0

    @property
    def paused(self) -> bool:
        return self.hint is not None

    def expired(self, hint: str) -> bool:
        """Credentials failed; True when this starts the pause (not already in it)."""
        starting = self.hint is None
        self.hint = hint
        self._valid.clear()
        return starting

    def valid_again(self) -> None:
        self.hint = None
        self._valid.set()

    async def wait_valid(self) -> None:
        await self._valid.wait()
