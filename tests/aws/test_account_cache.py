"""The cache belongs to one identity: two accounts behind the same profile, endpoint and region
(moto tells them apart by access key) never see each other's fleet."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import boto3
import pytest

from lambdatop.aws.session import AwsTarget, ConfigurationError
from lambdatop.cache import AccountCache
from lambdatop.clock import FakeClock
from lambdatop.collector.cadence import Cadence
from lambdatop.demo.server import DemoServer
from lambdatop.model.cached_view import CachedView
from lambdatop.settings import Settings
from lambdatop.view_sources import account_cache, source_factory, startup_identity
from tests.factories import NOW, make_region, make_row, make_snapshot, stale_source

OTHER_ACCOUNT = "222233334444"
REGION = "us-east-1"


@pytest.fixture
def server() -> Iterator[DemoServer]:
    demo = DemoServer()
    demo.start()
    try:
        yield demo
    finally:
        demo.stop()


def _key_in_other_account(server: DemoServer) -> tuple[str, str]:
    """An access key that moto attributes to OTHER_ACCOUNT (created by that account's IAM)."""
    iam = boto3.client(
        "iam", endpoint_url=server.endpoint_url, region_name=REGION,
        aws_access_key_id=server.credentials[0], aws_secret_access_key=server.credentials[1],
    )  # fmt: skip
    iam.meta.events.register(
        "before-sign.iam.*", lambda request, **_: request.headers.__setitem__("x-moto-account-id", OTHER_ACCOUNT)
    )
    iam.create_user(UserName="second")
    key = iam.create_access_key(UserName="second")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def _use(monkeypatch: pytest.MonkeyPatch, credentials: tuple[str, str]) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", credentials[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", credentials[1])


def _fleet_of(account_id: str, *names: str) -> object:
    rows = [make_row(name, account_id=account_id) for name in names]
    return make_snapshot(rows, regions=(make_region(account_id=account_id),), generated_at=NOW)


def _launch(server: DemoServer, settings: Settings) -> tuple[object, AccountCache]:
    target = AwsTarget(profile=settings.profile, endpoint_url=server.endpoint_url)
    identity = startup_identity(target, REGION)
    assert identity is not None
    return account_cache(settings, target, (REGION,), FakeClock(NOW), identity)


def test_the_second_account_never_sees_the_first_accounts_rows_or_id(
    server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(regions=(REGION,))
    _use(monkeypatch, server.credentials)
    initial, cache = _launch(server, settings)
    first_account = startup_identity(AwsTarget(endpoint_url=server.endpoint_url), REGION)
    assert first_account is not None
    assert initial is None
    cache.save(_fleet_of(first_account.account_id, "alpha-orders", "alpha-billing"))  # type: ignore[arg-type]

    # Same profile, endpoint and region; other credentials: another account.
    _use(monkeypatch, _key_in_other_account(server))
    second_account = startup_identity(AwsTarget(endpoint_url=server.endpoint_url), REGION)
    assert second_account is not None
    assert second_account.account_id == OTHER_ACCOUNT
    initial, _ = _launch(server, settings)
    assert initial is None  # not the first account's fleet, under any id

    # And back on the first account, its own picture returns, confirmed.
    _use(monkeypatch, server.credentials)
    initial, _ = _launch(server, settings)
    assert initial is not None
    assert [r.name for r in initial.functions] == ["alpha-orders", "alpha-billing"]  # type: ignore[attr-defined]
    assert initial.regions[0].account_id == first_account.account_id  # type: ignore[attr-defined]
    assert initial.account_unconfirmed is False  # type: ignore[attr-defined]


def test_unconfirmed_cache_shows_its_own_id_and_yields_to_another_account(tmp_path: Path) -> None:
    cache = AccountCache(tmp_path, None, "http://127.0.0.1:1", (REGION,))
    cache.save(_fleet_of("111122223333", "alpha-orders"))  # type: ignore[arg-type]
    cached = cache.load(NOW, account_id=None)  # STS did not answer at launch
    assert cached is not None
    assert cached.account_unconfirmed
    assert cached.regions[0].account_id == "111122223333"

    view = CachedView(cached)
    other = replace(
        make_snapshot([], regions=(make_region(account_id=OTHER_ACCOUNT),)),
        sources={"inventory": stale_source("inventory", age_s=None, error="waiting for first answer")},
    )
    shown = view.apply(other)
    assert shown.functions == ()
    assert {r.account_id for r in shown.regions} == {OTHER_ACCOUNT}


async def test_the_switch_factory_refuses_a_profile_that_does_not_exist(server: DemoServer) -> None:
    make = source_factory(Settings(regions=(REGION,)), (REGION,), FakeClock(NOW), _cadence())
    with pytest.raises(ConfigurationError, match="nonexistent"):
        await make(Settings(profile="nonexistent", regions=(REGION,), endpoint_url=server.endpoint_url))


async def test_the_switch_factory_builds_a_source_for_a_view_that_answers(
    server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use(monkeypatch, server.credentials)
    make = source_factory(Settings(regions=(REGION,)), (REGION,), FakeClock(NOW), _cadence())
    source = await make(Settings(regions=("eu-west-1",), endpoint_url=server.endpoint_url))
    try:
        snapshot = await source.collect_once()  # type: ignore[attr-defined]
    finally:
        await source.pool.close()  # type: ignore[attr-defined]
    assert [r.region for r in snapshot.regions] == ["eu-west-1"]


def _cadence() -> Cadence:
    return Cadence()
