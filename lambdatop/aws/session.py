"""One aiobotocore client per (region, service, purpose), resolved exactly as the AWS CLI does.

Credentials, region and endpoints come from botocore's own chain: `--profile`, else
AWS_DEFAULT_PROFILE / AWS_PROFILE, AWS_REGION / AWS_DEFAULT_REGION / the profile's region,
AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> / the config file's `endpoint_url` and `services`
sections. An explicit `--endpoint-url` wins over all of them, as it does for the CLI. A profile
that comes from the environment is left for botocore to read, so AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY still win over it, as in the CLI; an explicit `--profile` wins over them.

Every call is bounded (see `CallPolicy`): a dashboard shows a read that has not answered in 15 s
as stale instead of waiting out botocore's 3 × 60 s.

The demo passes `isolated=True` with its own fake credentials: then nothing from the user's
AWS configuration or environment is read.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import time
from dataclasses import dataclass
from typing import Any, Literal

from lambdatop.aws.accounting import ApiAccountant
from lambdatop.aws.credentials import credential_hint, is_credential_error, tried_places
from lambdatop.aws.errors import NoAnswerError

SERVICES = ("lambda", "cloudwatch", "logs", "sqs", "sts", "xray")

Purpose = Literal["read", "write"]


class ConfigurationError(Exception):
    """The AWS configuration cannot work (no region, unknown profile)."""


class CredentialsError(ConfigurationError):
    """The credential chain failed (expired SSO, failing credential_process, none at all).

    The message is the one-line hint; `cause` is botocore's exception.
    """

    def __init__(self, hint: str, cause: BaseException | None = None) -> None:
        super().__init__(hint)
        self.hint = hint
        self.cause = cause


@dataclass(frozen=True, slots=True)
class AwsTarget:
    """Where lambdatop reads from: a profile and the settings that go with it."""

    profile: str | None = None
    endpoint_url: str | None = None
    # Set only by the demo: explicit credentials and no user configuration at all.
    credentials: tuple[str, str] | None = None
    isolated: bool = False
    # False when `profile` only repeats AWS_PROFILE / AWS_DEFAULT_PROFILE: botocore then reads it
    # itself and keeps env keys first, as the AWS CLI does. True for `--profile` and `:profile`.
    profile_explicit: bool = True


@dataclass(frozen=True, slots=True)
class CallPolicy:
    """How long one AWS call may take, all attempts included.

    `deadline_s` bounds the whole call (retries and backoff included); `read_s` bounds each wait
    for bytes; `attempts` lets throttles and 5xx be retried inside the deadline. After a call got
    no answer, further calls to the same endpoint fail at once for `silent_hold_s` (0: never):
    an endpoint that swallows one request swallows the next, and a pass that asks it twenty
    times in a row (metric batches, a fallback after Insights) would otherwise wait twenty times.
    """

    connect_s: float
    read_s: float
    attempts: int
    deadline_s: float
    silent_hold_s: float = 0.0


# Reads feed a screen refreshed every minute: a read silent for 15 s is shown as failed, and the
# next pass asks again. Connecting takes milliseconds when it works at all.
READ_POLICY = CallPolicy(connect_s=3.0, read_s=10.0, attempts=3, deadline_s=15.0, silent_hold_s=30.0)
# The embedded demo server answers everything, only slowly when the machine is busy (moto's
# GetMetricData is CPU-bound): a silence there is load, not an outage.
EMBEDDED_READ_POLICY = CallPolicy(connect_s=3.0, read_s=60.0, attempts=3, deadline_s=90.0)
# An operator's write is worth waiting for: it was confirmed, and giving up early would leave
# the operator unsure whether it happened.
WRITE_POLICY = CallPolicy(connect_s=5.0, read_s=30.0, attempts=3, deadline_s=75.0)


def _quiet_sdk_loggers() -> None:
    """Keep botocore's own warnings (with tracebacks) off stderr, where they would draw over the TUI.

    They describe failures that reach us as exceptions anyway (an SSO token that cannot be
    refreshed, a credential_process that fails); without a handler, Python's last-resort handler
    prints them. A NullHandler stops that and leaves any logging the user configures working.
    """
    for name in ("botocore", "aiobotocore"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())


def _client_config(policy: CallPolicy) -> Any:
    from aiobotocore.config import AioConfig

    return AioConfig(
        # Adaptive mode slows the client itself after throttles; the app-level limiter
        # (limiter.py) keeps us under the shared Lambda pool in the first place.
        retries={"mode": "adaptive", "total_max_attempts": policy.attempts},
        max_pool_connections=50,
        connect_timeout=policy.connect_s,
        read_timeout=policy.read_s,
        user_agent_extra="lambdatop",
    )


class ClientPool:
    """Creates clients lazily, shares them, and closes them all on exit.

    It also notices credential failures on any call (`credential_problem`) and forgets the
    credentials it resolved (`reset_credentials`) so that a re-login in another terminal is seen:
    by itself at most every `credential_retry_s` while the problem lasts, or when the caller asks.
    """

    credential_retry_s = 15.0

    def __init__(
        self,
        target: AwsTarget,
        accountant: ApiAccountant | None = None,
        read_policy: CallPolicy | None = None,
        write_policy: CallPolicy = WRITE_POLICY,
    ) -> None:
        self.target = target
        self.accountant = accountant or ApiAccountant()
        if read_policy is None:
            read_policy = EMBEDDED_READ_POLICY if target.isolated else READ_POLICY
        self.policies: dict[Purpose, CallPolicy] = {"read": read_policy, "write": write_policy}
        self._session: Any = None
        self._clients: dict[tuple[str, str, Purpose], Any] = {}
        self._locks: dict[tuple[str, str, Purpose], asyncio.Lock] = {}
        self.hooks: list[tuple[str, Any]] = []  # (event, handler) added to every new client
        self._credential_problem: BaseException | None = None
        self._next_credential_retry = 0.0  # monotonic
        self._hint_for: BaseException | None = None
        self._hint = ""
        self._retired: list[Any] = []  # clients replaced by reset_credentials, closed after a grace
        self._closers: set[asyncio.Task[None]] = set()
        _quiet_sdk_loggers()

    def _new_session(self) -> Any:
        from aiobotocore.session import AioSession

        if self.target.isolated:
            session = AioSession()
            # Keep the user's files and AWS_* variables out entirely.
            session.set_config_variable("config_file", os.devnull)
            session.set_config_variable("credentials_file", os.devnull)
            session.set_config_variable("profile", None)
            session.set_config_variable("ignore_configured_endpoint_urls", True)
            return session
        if self.target.profile and self.target.profile_explicit:
            # botocore skips the env keys for a profile given this way, as the CLI does for --profile.
            return AioSession(profile=self.target.profile)
        return AioSession()

    @property
    def session(self) -> Any:
        if self._session is None:
            self._session = self._new_session()
        return self._session

    @property
    def active_profile(self) -> str | None:
        """The profile botocore uses: --profile, else AWS_DEFAULT_PROFILE / AWS_PROFILE, else None."""
        if self.target.isolated:
            return None
        profile = self.session.profile
        return str(profile) if profile else self.target.profile

    def default_region(self, env: dict[str, str] | None = None) -> str | None:
        """AWS_REGION, then AWS_DEFAULT_REGION, then the profile's region: the AWS CLI's order.

        botocore itself reads only AWS_DEFAULT_REGION, so AWS_REGION is looked at here.
        """
        from botocore.exceptions import BotoCoreError

        if not self.target.isolated:
            region = (os.environ if env is None else env).get("AWS_REGION")
            if region:
                return region
        try:
            region = self.session.get_config_variable("region")
        except BotoCoreError as exc:  # an unknown profile fails here first when no region is given
            raise self._credentials_error(exc) from exc
        return str(region) if region else None

    # ---- credentials ---------------------------------------------------------------------
    def credential_hint(self, exc: BaseException) -> str:
        """The one-line sentence for a credential failure of this pool's profile."""
        profiles: dict[str, Any] = {}
        method = None
        tried: tuple[str, ...] = ()
        with contextlib.suppress(Exception):  # a broken config still deserves a sentence
            profiles = dict(self.session.full_config.get("profiles", {}))
        with contextlib.suppress(Exception):
            method = getattr(self.session._credentials, "method", None)  # botocore has no public accessor
        with contextlib.suppress(Exception):
            tried = tried_places(self.session, self.active_profile)
        return credential_hint(exc, self.active_profile, profiles, method=method, tried=tried)

    def _credentials_error(self, exc: BaseException) -> CredentialsError:
        return CredentialsError(self.credential_hint(exc), exc)

    @property
    def credential_problem(self) -> str | None:
        """The hint for the last credential failure any call met, until a call succeeds again."""
        exc = self._credential_problem
        if exc is None:
            return None
        if self._hint_for is not exc:  # worked out once per failure: the status bar asks often
            self._hint_for, self._hint = exc, self.credential_hint(exc)
        return self._hint

    @property
    def credential_failure(self) -> BaseException | None:
        """The exception behind `credential_problem` (for callers that classify it themselves)."""
        return self._credential_problem

    def _note_outcome(self, exc: BaseException | None) -> None:
        if exc is None:
            self._credential_problem = None
        elif is_credential_error(exc):
            self._credential_problem = exc

    async def check_credentials(self) -> None:
        """Resolve the credential chain now; raise CredentialsError with the one-line hint."""
        from botocore.exceptions import BotoCoreError

        if self.target.credentials is not None:
            return
        try:
            creds = await self.session.get_credentials()
            if creds is not None:
                await creds.get_frozen_credentials()  # a refreshable set may already be expired
        except (BotoCoreError, OSError) as exc:  # OSError: a credential_process that cannot start
            self._note_outcome(exc)
            raise self._credentials_error(exc) from exc
        if creds is None:
            from botocore.exceptions import NoCredentialsError

            error = NoCredentialsError()
            self._note_outcome(error)
            raise self._credentials_error(error)

    async def reset_credentials(self) -> None:
        """Forget resolved credentials and the clients that carry them; the next call re-resolves.

        botocore caches credentials in the session and each client keeps its own copy, so after
        `aws sso login`, a fixed credential_process or new keys in ~/.aws/credentials in another
        terminal, only a fresh session sees them. The old clients are closed once any call still
        in flight on them has had its deadline.
        """
        old = list(self._clients.values())
        self._clients.clear()
        self._session = None
        if not old:
            return
        self._retired.extend(old)
        grace_s = max(policy.deadline_s for policy in self.policies.values())
        closer = asyncio.get_running_loop().create_task(self._close_retired(old, grace_s))
        self._closers.add(closer)
        closer.add_done_callback(self._closers.discard)

    async def _close_retired(self, clients: list[Any], after_s: float) -> None:
        await asyncio.sleep(after_s)
        for client in clients:
            if client in self._retired:
                self._retired.remove(client)
            with contextlib.suppress(Exception):
                await client.close()

    # ---- clients -------------------------------------------------------------------------
    async def client(self, service: str, region: str, purpose: Purpose = "read") -> Any:
        """A shared client; `purpose="write"` gets the patient policy for the operator's changes."""
        if self._credential_problem is not None and time.monotonic() >= self._next_credential_retry:
            # The credentials failed: the next read re-resolves them (the user may have logged in again).
            self._next_credential_retry = time.monotonic() + self.credential_retry_s
            await self.reset_credentials()
        key = (service, region, purpose)
        existing = self._clients.get(key)
        if existing is not None:
            return existing
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            if key in self._clients:
                return self._clients[key]
            policy = self.policies[purpose]
            kwargs: dict[str, Any] = {"region_name": region, "config": _client_config(policy)}
            if self.target.endpoint_url:
                kwargs["endpoint_url"] = self.target.endpoint_url
            if self.target.credentials is not None:
                kwargs["aws_access_key_id"], kwargs["aws_secret_access_key"] = self.target.credentials
            try:
                client = await self.session.create_client(service, **kwargs).__aenter__()
            except Exception as exc:  # credentials are resolved here the first time
                self._note_outcome(exc)
                raise
            self._bound_calls(client, policy)
            self.accountant.attach(client)
            for event, handler in self.hooks:
                client.meta.events.register(event, handler)
            self._clients[key] = client
            return client

    def _bound_calls(self, client: Any, policy: CallPolicy) -> None:
        """Give every call on `client` one deadline, retries included, and watch its outcome.

        botocore bounds each socket wait, not the call: read timeout × attempts (+ backoff) is how
        long a silent endpoint holds a pass. Wrapping the client's one entry point for operations
        (paginators and waiters go through it too) bounds the whole call instead.
        """
        make_api_call = client._make_api_call  # the single path of every operation
        deadline_s = policy.deadline_s
        silent_until = [0.0]  # monotonic time until which this endpoint counts as silent

        @functools.wraps(make_api_call)
        async def bounded(operation_name: str, api_params: dict[str, Any]) -> Any:
            if time.monotonic() < silent_until[0]:
                raise NoAnswerError(deadline_s)
            scope = asyncio.timeout(deadline_s)
            try:
                async with scope:
                    result = await make_api_call(operation_name, api_params)
            except TimeoutError as exc:
                if scope.expired():
                    silent_until[0] = time.monotonic() + policy.silent_hold_s
                    raise NoAnswerError(deadline_s) from exc
                raise
            except Exception as exc:
                self._note_outcome(exc)
                raise
            self._note_outcome(None)
            return result

        client._make_api_call = bounded

    def register_hook(self, event: str, handler: Any) -> None:
        """Add a botocore event hook to every client, present and future (fault tests use it)."""
        self.hooks.append((event, handler))
        for client in self._clients.values():
            client.meta.events.register(event, handler)

    def unregister_hook(self, event: str, handler: Any) -> None:
        self.hooks = [(e, h) for e, h in self.hooks if not (e == event and h is handler)]
        for client in self._clients.values():
            client.meta.events.unregister(event, handler)

    async def close(self) -> None:
        for closer in list(self._closers):
            closer.cancel()
        clients = [*self._clients.values(), *self._retired]
        self._clients.clear()
        self._retired.clear()
        for client in clients:
            with contextlib.suppress(Exception):
                await client.close()

    async def __aenter__(self) -> ClientPool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
