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
import importlib

from lambdatop.aws.errors import Failure, classify


def credential_hint(cause: BaseException | Failure, profile: str | None) -> str:
    """The credentials module's one-line hint when it exists (`aws sso login --profile P`...),
    else the classified reason. (A source that only kept the classified Failure gives its
    reason; the probe's own exception then refines the sentence.)"""
    errors = importlib.import_module("lambdatop.aws.errors")
    make_hint = getattr(errors, "credential_hint", None)
    if isinstance(cause, BaseException) and callable(make_hint):
        return str(make_hint(cause, profile))
    reason = cause.reason if isinstance(cause, Failure) else classify(cause).reason
    who = f" for profile {profile}" if profile else ""
    return f"credentials expired or invalid{who} ({reason}): log in again; lambdatop resumes by itself"


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
