"""One aiobotocore client per (profile, region, service), resolved exactly as the AWS CLI does.

Credentials, region and endpoints come from botocore's own chain: `--profile` / AWS_PROFILE,
AWS_REGION / AWS_DEFAULT_REGION / the profile's region, AWS_ENDPOINT_URL and
AWS_ENDPOINT_URL_<SERVICE> / the config file's `endpoint_url` and `services` sections. An
explicit `--endpoint-url` wins over all of them, as it does for the CLI.

The demo passes `isolated=True` with its own fake credentials: then nothing from the user's
AWS configuration or environment is read.
"""

from __future__ import annotations

import asyncio
import os
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

from lambdatop.aws.accounting import ApiAccountant

SERVICES = ("lambda", "cloudwatch", "logs", "sqs", "sts", "xray")


class ConfigurationError(Exception):
    """The AWS configuration cannot work (no region, no credentials, unknown profile)."""


@dataclass(frozen=True, slots=True)
class AwsTarget:
    """Where lambdatop reads from: a profile and the settings that go with it."""

    profile: str | None = None
    endpoint_url: str | None = None
    # Set only by the demo: explicit credentials and no user configuration at all.
    credentials: tuple[str, str] | None = None
    isolated: bool = False


def _client_config(read_timeout_s: float) -> Any:
    from aiobotocore.config import AioConfig

    return AioConfig(
        # Adaptive mode slows the client itself after throttles; the app-level limiter
        # (limiter.py) keeps us under the shared Lambda pool in the first place.
        retries={"mode": "adaptive", "total_max_attempts": 3},
        max_pool_connections=50,
        connect_timeout=5,
        read_timeout=read_timeout_s,
        user_agent_extra="lambdatop",
    )


class ClientPool:
    """Creates clients lazily, shares them, and closes them all on exit."""

    def __init__(
        self,
        target: AwsTarget,
        accountant: ApiAccountant | None = None,
        read_timeout_s: float = 30.0,
    ) -> None:
        self.target = target
        self.accountant = accountant or ApiAccountant()
        self._read_timeout_s = read_timeout_s
        self._session: Any = None
        self._stack = AsyncExitStack()
        self._clients: dict[tuple[str, str], Any] = {}
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self.hooks: list[tuple[str, Any]] = []  # (event, handler) added to every new client

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
        session = AioSession(profile=self.target.profile)
        return session

    @property
    def session(self) -> Any:
        if self._session is None:
            self._session = self._new_session()
        return self._session

    def default_region(self, env: dict[str, str] | None = None) -> str | None:
        """AWS_REGION, then AWS_DEFAULT_REGION, then the profile's region: the AWS CLI's order.

        botocore itself reads only AWS_DEFAULT_REGION, so AWS_REGION is looked at here.
        """
        if not self.target.isolated:
            region = (os.environ if env is None else env).get("AWS_REGION")
            if region:
                return region
        region = self.session.get_config_variable("region")
        return str(region) if region else None

    async def check_credentials(self) -> None:
        """Fail early, with a message that says which chain was tried."""
        from botocore.exceptions import ProfileNotFound

        if self.target.credentials is not None:
            return
        try:
            creds = await self.session.get_credentials()
        except ProfileNotFound as exc:
            raise ConfigurationError(f"{exc}. Profiles live in ~/.aws/config.") from exc
        if creds is None:
            raise ConfigurationError(
                "No AWS credentials found. Tried, in order: environment variables "
                "(AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), "
                f"the profile {self.target.profile or os.environ.get('AWS_PROFILE') or 'default'!r} "
                "in ~/.aws/credentials and ~/.aws/config (incl. SSO and assume-role), "
                "container and instance metadata. Set a profile with --profile, "
                "or try `lambdatop --demo` for a simulated account."
            )

    async def client(self, service: str, region: str) -> Any:
        key = (service, region)
        existing = self._clients.get(key)
        if existing is not None:
            return existing
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            if key in self._clients:
                return self._clients[key]
            kwargs: dict[str, Any] = {"region_name": region, "config": _client_config(self._read_timeout_s)}
            if self.target.endpoint_url:
                kwargs["endpoint_url"] = self.target.endpoint_url
            if self.target.credentials is not None:
                kwargs["aws_access_key_id"], kwargs["aws_secret_access_key"] = self.target.credentials
            client = await self._stack.enter_async_context(self.session.create_client(service, **kwargs))
            self.accountant.attach(client)
            for event, handler in self.hooks:
                client.meta.events.register(event, handler)
            self._clients[key] = client
            return client

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
        await self._stack.aclose()
        self._clients.clear()

    async def __aenter__(self) -> ClientPool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
