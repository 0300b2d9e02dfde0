"""The operator against the embedded server: every plan applies and undoes, and refuses safely.

Each test creates its own functions on one module-wide demo server (moto plus lambdatop's mends,
which add GetAccountSettings, the 100-unit floor and UpdateAlias's RevisionId check), checks
with boto3 what reached the server, and reads the journal the operator wrote.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from lambdatop.aws.actions import AwsOperator
from lambdatop.aws.session import AwsTarget, ClientPool
from lambdatop.clock import FakeClock
from lambdatop.demo.server import DemoServer
from lambdatop.journal import Journal
from lambdatop.model.plans import AliasPlan, ReservedConcurrencyPlan, Routing, Target
from tests.aws.conftest import zipped
from tests.factories import NOW

REGION = "us-east-1"
ACCOUNT = "123456789012"
_names = itertools.count(1)


@pytest.fixture(scope="module")
def srv() -> Iterator[DemoServer]:
    server = DemoServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _client(srv: DemoServer, service: str) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=srv.endpoint_url,
        region_name=REGION,
        aws_access_key_id=srv.credentials[0],
        aws_secret_access_key=srv.credentials[1],
    )


@pytest.fixture(scope="module")
def lam(srv: DemoServer) -> Any:
    return _client(srv, "lambda")


@pytest.fixture(scope="module")
def role(srv: DemoServer) -> str:
    return str(_client(srv, "iam").create_role(RoleName="actions-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"])


def make_function(lam: Any, role: str, *, versions: int = 0) -> Target:
    name = f"act-{next(_names)}"
    made = lam.create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler", Code={"ZipFile": zipped()}
    )
    for build in range(1, versions + 1):
        if build > 1:  # a new version needs new code
            lam.update_function_code(FunctionName=name, ZipFile=zipped(f"def handler(e, c):\n    return {build}\n"))
        lam.publish_version(FunctionName=name)
    return Target(arn=made["FunctionArn"], name=name, account_id=ACCOUNT, region=REGION)


class Harness:
    def __init__(self, srv: DemoServer, journal: Journal, *, read_only: bool = False) -> None:
        target = AwsTarget(endpoint_url=srv.endpoint_url, credentials=srv.credentials, isolated=True)
        self.pool = ClientPool(target)
        self.journal = journal
        self.sleeps: list[float] = []

        async def no_sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        self.operator = AwsOperator(
            self.pool, journal, FakeClock(NOW), profile="test", read_only=read_only, sleep=no_sleep
        )
        self.writes: list[str] = []
        self.pool.register_hook("before-call.lambda.*", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        if model.name.startswith(("Put", "Delete", "Update")):
            self.writes.append(model.name)

    async def apply(self, plan: Any) -> Any:
        shown = await self.operator.preview(plan)
        return await self.operator.apply(shown)

    async def close(self) -> None:
        await self.pool.close()


@pytest.fixture
async def harness(srv: DemoServer, tmp_path: Path) -> Any:
    made = Harness(srv, Journal(tmp_path / "journal.jsonl"))
    yield made
    await made.close()


def reserved(lam: Any, name: str) -> int | None:
    value = lam.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions")
    return None if value is None else int(value)


def journal_lines(journal: Journal) -> list[dict[str, Any]]:
    return [json.loads(line) for line in journal.path.read_text().splitlines()]


# --- reserved concurrency -------------------------------------------------------------------


async def test_set_reserved_applies_journals_and_undoes(harness: Harness, lam: Any, role: str) -> None:
    fn = make_function(lam, role)
    lam.put_function_concurrency(FunctionName=fn.name, ReservedConcurrentExecutions=20)

    outcome = await harness.apply(ReservedConcurrencyPlan.set(fn, 20, 200))

    assert outcome.ok, outcome.message
    assert reserved(lam, fn.name) == 200
    assert "reserved concurrency 20 → 200" in outcome.message
    lines = journal_lines(harness.journal)
    assert [line["phase"] for line in lines] == ["intent", "result"]
    assert lines[0]["before"] == 20
    assert lines[0]["after"] == 200
    assert lines[0]["function"] == fn.name
    assert lines[0]["account"] == ACCOUNT
    assert lines[0]["region"] == REGION
    assert lines[0]["caller_arn"]  # who did it
    assert lines[1]["outcome"] == "ok"
    text = harness.journal.path.read_text()
    assert "secret" not in text.lower()
    credentials = harness.pool.target.credentials
    assert credentials is not None
    assert credentials[1] not in text

    undo = await harness.operator.undo_preview(ACCOUNT, REGION)
    assert undo is not None
    assert undo.allowed
    assert not undo.typed
    assert undo.summary() == "reserved concurrency 200 → 20"
    assert (await harness.operator.apply(undo)).ok
    assert reserved(lam, fn.name) == 20


async def test_remove_and_emergency_stop_and_their_undo(harness: Harness, lam: Any, role: str) -> None:
    fn = make_function(lam, role)
    lam.put_function_concurrency(FunctionName=fn.name, ReservedConcurrentExecutions=15)

    stop = await harness.operator.preview(ReservedConcurrencyPlan.stop(fn, 15))
    assert stop.typed  # an emergency stop needs the name typed
    assert (await harness.operator.apply(stop)).ok
    assert reserved(lam, fn.name) == 0
    assert (await harness.apply(ReservedConcurrencyPlan.remove(fn, 0))).ok
    assert reserved(lam, fn.name) is None

    first_undo = await harness.operator.undo_preview(ACCOUNT, REGION)
    assert first_undo is not None
    assert first_undo.summary() == "reserved concurrency none → 0"
    assert (await harness.operator.apply(first_undo)).ok
    second_undo = await harness.operator.undo_preview(ACCOUNT, REGION)  # walks further back
    assert second_undo is not None
    assert second_undo.summary() == "reserved concurrency 0 → 15"
    assert (await harness.operator.apply(second_undo)).ok
    assert reserved(lam, fn.name) == 15
    assert await harness.operator.undo_preview(ACCOUNT, REGION) is None


async def test_undo_needs_typed_confirmation_when_the_value_moved_behind_its_back(
    harness: Harness, lam: Any, role: str
) -> None:
    fn = make_function(lam, role)
    assert (await harness.apply(ReservedConcurrencyPlan.set(fn, None, 30))).ok
    lam.put_function_concurrency(FunctionName=fn.name, ReservedConcurrentExecutions=45)  # someone else

    undo = await harness.operator.undo_preview(ACCOUNT, REGION)

    assert undo is not None
    assert undo.typed
    text = " ".join(undo.notes)
    assert "wrote reserved 30" in text
    assert "before it was no reserved concurrency" in text
    assert "now it is reserved 45" in text


async def test_apply_refuses_when_the_live_value_changed_after_the_preview(
    harness: Harness, lam: Any, role: str
) -> None:
    fn = make_function(lam, role)
    shown = await harness.operator.preview(ReservedConcurrencyPlan.set(fn, None, 10))
    lam.put_function_concurrency(FunctionName=fn.name, ReservedConcurrentExecutions=12)

    outcome = await harness.operator.apply(shown)

    assert not outcome.ok
    assert "changed since the preview" in outcome.message
    assert reserved(lam, fn.name) == 12
    assert harness.writes == []


async def test_the_100_unit_floor_is_refused_with_the_numbers(harness: Harness, lam: Any, role: str) -> None:
    fn = make_function(lam, role)

    def settings(**kwargs: Any) -> None:
        params = kwargs["params"]
        assert params == {} or params is not None

    limits = {"ConcurrentExecutions": 1000, "UnreservedConcurrentExecutions": 150}
    harness.pool.register_hook("before-call.lambda.GetAccountSettings", _answer({"AccountLimit": limits}))
    shown = await harness.operator.preview(ReservedConcurrencyPlan.set(fn, None, 80))

    assert not shown.allowed
    refusal = shown.refusals[0]
    assert "account floor" in refusal
    assert "70 unreserved" in refusal
    assert "minimum of 100" in refusal
    outcome = await harness.operator.apply(shown)
    assert not outcome.ok
    assert harness.writes == []


async def test_no_account_settings_means_typed_confirmation_not_a_guess(harness: Harness, lam: Any, role: str) -> None:
    fn = make_function(lam, role)
    harness.pool.register_hook("before-call.lambda.GetAccountSettings", _error("UnknownOperationException", 404))

    shown = await harness.operator.preview(ReservedConcurrencyPlan.set(fn, None, 5))

    assert shown.allowed
    assert shown.typed
    assert any("GetAccountSettings" in u for u in shown.unknowns)


async def test_a_cap_under_provisioned_concurrency_is_refused(harness: Harness, lam: Any, role: str) -> None:
    fn = make_function(lam, role, versions=1)
    lam.put_function_concurrency(FunctionName=fn.name, ReservedConcurrentExecutions=20)
    lam.put_provisioned_concurrency_config(FunctionName=fn.name, Qualifier="1", ProvisionedConcurrentExecutions=10)

    shown = await harness.operator.preview(ReservedConcurrencyPlan.set(fn, 20, 5))

    assert not shown.allowed
    assert "cap of 5 is below the 10 provisioned" in shown.refusals[0]


async def test_access_denied_names_the_missing_action(harness: Harness, lam: Any, role: str) -> None:
    fn = make_function(lam, role)
    denied = _error("AccessDeniedException", 403, "not authorized")
    harness.pool.register_hook("before-call.lambda.PutFunctionConcurrency", denied)

    outcome = await harness.apply(ReservedConcurrencyPlan.set(fn, None, 7))

    assert not outcome.ok
    assert outcome.error_code == "AccessDeniedException"
    assert "lambda:PutFunctionConcurrency" in outcome.message
    assert "Nothing was changed" in outcome.message
    result = journal_lines(harness.journal)[-1]
    assert result["outcome"] == "failed"
    assert "AccessDeniedException" in result["error"]


async def test_a_busy_pool_is_retried_a_bounded_number_of_times(harness: Harness, lam: Any, role: str) -> None:
    fn = make_function(lam, role)
    harness.pool.register_hook(
        "before-call.lambda.PutFunctionConcurrency", _error("TooManyRequestsException", 429, "Rate exceeded")
    )

    outcome = await harness.apply(ReservedConcurrencyPlan.set(fn, None, 7))

    assert not outcome.ok
    assert "Lambda API pool is busy" in outcome.message
    assert harness.sleeps == [0.5, 1.0, 2.0]  # backoff, then give up
    assert reserved(lam, fn.name) is None


async def test_read_only_refuses_every_plan(srv: DemoServer, tmp_path: Path, lam: Any, role: str) -> None:
    fn = make_function(lam, role, versions=2)
    lam.create_alias(
        FunctionName=fn.name, Name="live", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}}
    )
    harness = Harness(srv, Journal(tmp_path / "j.jsonl"), read_only=True)
    before = Routing("1", {"2": 0.1})
    plans: list[Any] = [
        ReservedConcurrencyPlan.set(fn, None, 5),
        ReservedConcurrencyPlan.remove(fn, None),
        ReservedConcurrencyPlan.stop(fn, None),
        AliasPlan.rollback(fn, "live", before),
        AliasPlan.promote(fn, "live", before),
    ]
    try:
        for plan in plans:
            shown = await harness.operator.preview(plan)
            assert not shown.allowed
            assert "read-only" in shown.refusals[0]
            from dataclasses import replace

            forced = replace(shown, refusals=())  # even a preview that claims to be fine
            outcome = await harness.operator.apply(forced)
            assert not outcome.ok
            assert "read-only" in outcome.message
    finally:
        await harness.close()
    assert harness.writes == []
    assert not (tmp_path / "j.jsonl").exists()


# --- aliases --------------------------------------------------------------------------------


def canary(lam: Any, role: str, weight: float = 0.1) -> Target:
    fn = make_function(lam, role, versions=3)
    lam.create_alias(
        FunctionName=fn.name,
        Name="live",
        FunctionVersion="2",
        RoutingConfig={"AdditionalVersionWeights": {"3": weight}},
    )
    return fn


def alias_now(lam: Any, name: str) -> tuple[str, dict[str, float]]:
    got = lam.get_alias(FunctionName=name, Name="live")
    return got["FunctionVersion"], dict((got.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {})


async def test_rollback_step_promote_apply_and_undo(harness: Harness, lam: Any, role: str) -> None:
    fn = canary(lam, role)
    before = Routing("2", {"3": 0.1})

    rollback = await harness.operator.preview(AliasPlan.rollback(fn, "live", before))
    assert rollback.allowed
    assert not rollback.typed
    assert rollback.summary() == "live: v3 10 % → 0 %"
    assert (await harness.operator.apply(rollback)).ok
    assert alias_now(lam, fn.name) == ("2", {"3": 0.0})

    undo = await harness.operator.undo_preview(ACCOUNT, REGION)
    assert undo is not None
    assert (await harness.operator.apply(undo)).ok
    assert alias_now(lam, fn.name) == ("2", {"3": 0.1})

    assert (await harness.apply(AliasPlan.step(fn, "live", before, 0.05))).ok
    assert alias_now(lam, fn.name) == ("2", {"3": 0.15})

    promote = await harness.operator.preview(AliasPlan.promote(fn, "live", Routing("2", {"3": 0.15})))
    assert promote.typed  # promoting needs the name typed
    assert (await harness.operator.apply(promote)).ok
    assert alias_now(lam, fn.name) == ("3", {})
    undo = await harness.operator.undo_preview(ACCOUNT, REGION)
    assert undo is not None
    assert (await harness.operator.apply(undo)).ok
    assert alias_now(lam, fn.name) == ("2", {"3": 0.15})


async def test_a_stale_revision_id_fails_safely(harness: Harness, lam: Any, role: str) -> None:
    fn = canary(lam, role)
    plan = AliasPlan.rollback(fn, "live", Routing("2", {"3": 0.1}))
    shown = await harness.operator.preview(plan)
    # Someone else changes the alias between our read and our write: our RevisionId is stale.
    original = harness.operator.read_live

    async def read_then_race(p: Any) -> Any:
        live = await original(p)
        lam.update_alias(FunctionName=fn.name, Name="live", RoutingConfig={"AdditionalVersionWeights": {"3": 0.1}})
        return live

    harness.operator.read_live = read_then_race  # type: ignore[method-assign,assignment]
    outcome = await harness.operator.apply(shown)

    assert not outcome.ok
    assert outcome.error_code == "PreconditionFailedException"
    assert "nothing was overwritten" in outcome.message
    assert alias_now(lam, fn.name) == ("2", {"3": 0.1})


async def test_alias_validation_refuses_weights_second_version_and_missing_versions(
    harness: Harness, lam: Any, role: str
) -> None:
    fn = canary(lam, role)
    before = Routing("2", {"3": 0.1})
    cases = {
        "within [0, 1]": AliasPlan.exact(fn, "live", before, "3", 1.5),
        "at most one extra version": AliasPlan(fn, "live", "exact", before, Routing("2", {"3": 0.1, "1": 0.1})),
        "version 9 does not exist": AliasPlan.exact(fn, "live", before, "9", 0.1),
    }
    for words, plan in cases.items():
        shown = await harness.operator.preview(plan)
        assert not shown.allowed, words
        assert any(words in r for r in shown.refusals), (words, shown.refusals)
    assert harness.writes == []


async def test_a_crash_between_intent_and_result_is_found_next_time(
    harness: Harness, lam: Any, role: str, tmp_path: Path
) -> None:
    fn = make_function(lam, role)

    def crash(**_: Any) -> None:
        raise KeyboardInterrupt  # the process dies mid-call: no result line

    harness.pool.register_hook("before-call.lambda.PutFunctionConcurrency", crash)
    with pytest.raises(KeyboardInterrupt):
        await harness.apply(ReservedConcurrencyPlan.set(fn, None, 3))

    reopened = AwsOperator(harness.pool, Journal(harness.journal.path), FakeClock(NOW), profile="x", read_only=False)
    unfinished = reopened.unfinished()
    assert reopened.unfinished() == []  # said once; the journal now records it as unknown
    assert harness.journal.entries()[-1].outcome == "unknown"
    assert len(unfinished) == 1
    assert fn.name in unfinished[0]
    assert "PutFunctionConcurrency" in unfinished[0]


# --- helpers ---------------------------------------------------------------------------------


def _answer(parsed: dict[str, Any]) -> Any:
    def handler(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        http = AWSResponse("http://hook.invalid", 200, {}, None)
        return http, {**parsed, "ResponseMetadata": {"HTTPStatusCode": 200}}

    return handler


def _error(code: str, status: int = 400, message: str = "injected") -> Any:
    def handler(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        http = AWSResponse("http://hook.invalid", status, {}, None)
        parsed = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
        return http, parsed

    return handler


# --- plain moto: what an endpoint without lambdatop's mends gives ------------------------------


async def test_plain_moto_writes_reach_the_server_and_undo_restores(plain_moto: str, tmp_path: Path) -> None:
    creds = ("testing", "testing")
    lam = boto3.client(
        "lambda",
        endpoint_url=plain_moto,
        region_name=REGION,
        aws_access_key_id=creds[0],
        aws_secret_access_key=creds[1],
    )
    iam = boto3.client(
        "iam", endpoint_url=plain_moto, region_name=REGION, aws_access_key_id=creds[0], aws_secret_access_key=creds[1]
    )
    role = iam.create_role(RoleName="plain-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    fn = make_function(lam, role)
    pool = ClientPool(AwsTarget(endpoint_url=plain_moto, credentials=creds, isolated=True))
    operator = AwsOperator(pool, Journal(tmp_path / "j.jsonl"), FakeClock(NOW), profile=None, read_only=False)
    try:
        shown = await operator.preview(ReservedConcurrencyPlan.set(fn, None, 25))
        # plain moto has no GetAccountSettings: the preview says so and asks for the name typed
        assert shown.allowed
        assert shown.typed
        assert any("GetAccountSettings" in u for u in shown.unknowns)
        assert (await operator.apply(shown)).ok
        assert reserved(lam, fn.name) == 25
        undo = await operator.undo_preview(ACCOUNT, REGION)
        assert undo is not None
        assert (await operator.apply(undo)).ok
        assert reserved(lam, fn.name) is None
    finally:
        await pool.close()
