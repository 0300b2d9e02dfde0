"""Credentials that fail mid-run become the one credentials state and recover after re-login, no restart.

The pool is the real one over the embedded server; credentials come from a credential_process
script or an SSO portal stand-in that the test switches off and on, as a user's login lapses and
is renewed in another terminal.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiobotocore.awsrequest import AioAWSResponse

from lambdatop.aws.errors import classify
from lambdatop.aws.session import AwsTarget, ClientPool
from lambdatop.demo.server import DemoServer
from tests.aws.credential_setup import AwsConfigDir
from tests.aws.sso_portal import SsoPortal

REGION = "us-east-1"


@pytest.fixture
def aws(tmp_path: Path, server: DemoServer, monkeypatch: pytest.MonkeyPatch) -> AwsConfigDir:
    setup = AwsConfigDir(tmp_path)
    setup.write_config()
    monkeypatch.setenv("HOME", str(setup.home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(setup.config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(setup.credentials))
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.endpoint_url)
    monkeypatch.setenv("AWS_REGION", REGION)
    # botocore fixes the SSO cache folder from HOME when it is imported: point it at this HOME.
    import botocore.credentials
    import botocore.tokens

    sso_cache = str(setup.home / ".aws" / "sso" / "cache")
    monkeypatch.setattr(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", sso_cache)
    monkeypatch.setattr(botocore.tokens.SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", sso_cache)
    return setup


@pytest.fixture
def portal(server: DemoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[SsoPortal]:
    sso = SsoPortal(server.credentials).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", sso.url)
    try:
        yield sso
    finally:
        sso.stop()


async def _list_functions(pool: ClientPool) -> BaseException | None:
    """One read as a source makes it: the failure it met, or None."""
    try:
        client = await pool.client("lambda", REGION)
        await client.list_functions()
    except Exception as exc:
        return exc
    return None


def _revoke_session_token(token: str) -> Any:
    """AWS's answer to a request signed with revoked credentials."""

    def before_send(request: Any, **_: Any) -> AioAWSResponse | None:
        sent = request.headers.get("X-Amz-Security-Token")
        if isinstance(sent, bytes):
            sent = sent.decode()
        if sent != token:
            return None
        body = b'{"message":"The security token included in the request is invalid."}'
        headers = {"x-amzn-ErrorType": "UnrecognizedClientException", "Content-Type": "application/json"}
        return AioAWSResponse(request.url, 403, headers, _Raw(body))

    return before_send


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    async def read(self) -> bytes:
        return self._body


async def test_rotated_process_credentials_are_picked_up_by_the_next_read(
    aws: AwsConfigDir, server: DemoServer
) -> None:
    aws.process_works(server.credentials, token="first")
    async with ClientPool(AwsTarget(profile="proc")) as pool:
        await pool.check_credentials()
        assert await _list_functions(pool) is None

        # The helper's credentials are revoked; the helper itself now hands out new ones.
        pool.register_hook("before-send.lambda.*", _revoke_session_token("first"))
        aws.process_works(server.credentials, token="second")
        failure = await _list_functions(pool)
        assert failure is not None
        assert classify(failure).kind == "credentials"  # not "denied"
        assert pool.credential_problem is not None
        assert "does not recognise the access key" in pool.credential_problem
        assert "profile proc" in pool.credential_problem

        # botocore keeps the old set in the session and in each client; the pool drops both after
        # a credential failure, so the next read runs the helper again and gets the new set.
        assert await _list_functions(pool) is None
        assert pool.credential_problem is None


async def test_credentials_are_re_resolved_at_most_every_few_seconds(aws: AwsConfigDir) -> None:
    from lambdatop.aws.session import CredentialsError

    aws.process_fails("vault is sealed")
    async with ClientPool(AwsTarget(profile="proc")) as pool:
        with pytest.raises(CredentialsError):
            await pool.check_credentials()
        failing_session = pool.session
        assert await _list_functions(pool) is not None
        retried_session = pool.session
        assert retried_session is not failing_session  # the first read after the failure re-resolved
        assert await _list_functions(pool) is not None
        assert pool.session is retried_session  # but not again within credential_retry_s


async def test_a_credential_process_failing_mid_run_recovers_once_it_works(
    aws: AwsConfigDir, server: DemoServer
) -> None:
    # Short-lived credentials: botocore runs the helper again before each use, as it would near expiry.
    aws.process_works(server.credentials, expires_in_s=120)
    async with ClientPool(AwsTarget(profile="proc")) as pool:
        await pool.check_credentials()
        assert await _list_functions(pool) is None

        aws.process_fails("vault is sealed: run vault-login")
        failure = await _list_functions(pool)
        assert failure is not None
        assert classify(failure).kind == "credentials"
        assert pool.credential_problem == (
            f"The credential_process of profile proc (`{_command(aws)}`) failed: "
            "vault is sealed: run vault-login. Fix it or log in to its provider."
        )

        aws.process_works(server.credentials, expires_in_s=120)  # the user logged in to the vault again
        await pool.reset_credentials()  # what the collector's probe does before retrying
        assert await _list_functions(pool) is None
        assert pool.credential_problem is None


async def test_an_expired_sso_session_gives_the_login_command_and_recovers_after_login(
    aws: AwsConfigDir, portal: SsoPortal
) -> None:
    aws.sso_login()
    async with ClientPool(AwsTarget(profile="corp")) as pool:
        await pool.check_credentials()
        assert await _list_functions(pool) is None
        assert portal.requests >= 1

        portal.authorized = False  # the SSO session expired (or was signed out) at AWS's end
        aws.sso_logout()
        failure = await _list_functions(pool)
        assert failure is not None
        assert classify(failure).kind == "credentials"
        assert pool.credential_problem == (
            "AWS SSO session for profile corp has expired: run `aws sso login --profile corp`."
        )

        # `aws sso login --profile corp` in another terminal:
        portal.authorized = True
        aws.sso_login()
        await pool.reset_credentials()
        assert await _list_functions(pool) is None
        assert pool.credential_problem is None


async def test_an_sso_profile_never_logged_in_fails_at_start_with_the_hint(
    aws: AwsConfigDir, portal: SsoPortal
) -> None:
    from lambdatop.aws.session import CredentialsError

    async with ClientPool(AwsTarget(profile="corp")) as pool:
        with pytest.raises(CredentialsError, match=r"run `aws sso login --profile corp`\.$"):
            await pool.check_credentials()
        aws.sso_login()
        await pool.reset_credentials()
        await pool.check_credentials()
        assert await _list_functions(pool) is None


def _command(aws: AwsConfigDir) -> str:
    import shlex
    import sys

    command = f"{shlex.quote(sys.executable)} {shlex.quote(str(aws.script))} {shlex.quote(str(aws.state))}"
    return command if len(command) <= 60 else command[:59] + "…"
