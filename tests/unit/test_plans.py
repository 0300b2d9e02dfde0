"""Plans describe themselves, name their API call, invert for undo, and validate (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambdatop.journal import Journal
from lambdatop.model.plans import AliasPlan, PlanError, ReservedConcurrencyPlan, Routing, Target
from lambdatop.model.validation import ActionContext, LiveState, losing_headroom, preview
from tests.factories import NOW, make_row

FN = Target("arn:aws:lambda:us-east-1:123456789012:function:api", "api", "123456789012", "us-east-1")
CTX = ActionContext("123456789012", "us-east-1", "ops")
ROUTING = Routing("6", {"7": 0.1})


def live(**kw: object) -> LiveState:
    base: dict[str, object] = {
        "reserved": 20,
        "reserved_known": True,
        "provisioned": 0,
        "concurrency_limit": 1000,
        "unreserved_limit": 900,
    }
    base.update(kw)
    return LiveState(**base)  # type: ignore[arg-type]


def test_reserved_plans_describe_call_and_invert() -> None:
    plan = ReservedConcurrencyPlan.set(FN, 20, 200)
    assert plan.describe() == "reserved concurrency 20 → 200"
    assert plan.api_call() == "PutFunctionConcurrency(FunctionName=api, ReservedConcurrentExecutions=200)"
    back = plan.inverse(20)
    assert (back.before, back.after, back.kind) == (200, 20, "set")
    removed = ReservedConcurrencyPlan.remove(FN, 20)
    assert removed.api_call() == "DeleteFunctionConcurrency(FunctionName=api)"
    assert removed.inverse(20).after == 20
    assert ReservedConcurrencyPlan.set(FN, None, 5).inverse(None).kind == "remove"
    assert ReservedConcurrencyPlan.set(FN, 20, 0).kind == "stop"


def test_alias_plans_describe_and_refuse_bad_routing() -> None:
    assert AliasPlan.rollback(FN, "live", ROUTING).describe() == "live: v7 10 % → 0 %"
    assert AliasPlan.step(FN, "live", ROUTING, 0.05).after == Routing("6", {"7": 0.15})
    assert AliasPlan.step(FN, "live", Routing("6", {"7": 0.98}), 0.05).after.weights == {"7": 1.0}  # clamped
    assert AliasPlan.promote(FN, "live", ROUTING).after == Routing("7", {})
    with pytest.raises(PlanError):
        AliasPlan.promote(FN, "live", Routing("6", {}))
    assert "within [0, 1]" in AliasPlan.exact(FN, "live", ROUTING, "7", -0.1).problems()[0]
    two = AliasPlan(FN, "live", "exact", ROUTING, Routing("6", {"7": 0.1, "8": 0.1}))
    assert "at most one extra version" in two.problems()[0]
    assert "already the alias's primary" in AliasPlan.exact(FN, "live", ROUTING, "6", 0.2).problems()[0]


def test_risk_decides_enter_or_typed_name() -> None:
    assert not preview(ReservedConcurrencyPlan.set(FN, 20, 200), live(), CTX, concurrency_now=20).typed  # raising
    assert not preview(ReservedConcurrencyPlan.remove(FN, 20), live(), CTX).typed
    assert preview(ReservedConcurrencyPlan.stop(FN, 20), live(), CTX).typed
    assert preview(ReservedConcurrencyPlan.set(FN, 20, 10), live(), CTX, concurrency_now=15).typed  # below use
    assert not preview(ReservedConcurrencyPlan.set(FN, 20, 18), live(), CTX, concurrency_now=15).typed
    alias_live = LiveState(routing=ROUTING, versions=frozenset({"6", "7"}))
    assert not preview(AliasPlan.rollback(FN, "live", ROUTING), alias_live, CTX).typed
    assert preview(AliasPlan.promote(FN, "live", ROUTING), alias_live, CTX).typed


def test_floor_and_provisioned_refusals_name_the_numbers() -> None:
    refused = preview(ReservedConcurrencyPlan.set(FN, 20, 850), live(), CTX)
    assert "leave 70 unreserved units" in refused.refusals[0]
    assert refused.unreserved_after == 70
    under_pc = preview(ReservedConcurrencyPlan.set(FN, 20, 4), live(provisioned=5), CTX)
    assert "below the 5 provisioned" in under_pc.refusals[0]


def test_unknown_limits_ask_for_the_name_instead_of_guessing() -> None:
    shown = preview(ReservedConcurrencyPlan.set(FN, 20, 200), live(concurrency_limit=None, unreserved_limit=None), CTX)
    assert shown.allowed
    assert shown.typed
    assert any("floor cannot be checked" in u for u in shown.unknowns)


def test_losing_headroom_lists_the_busiest_uncapped_functions_of_that_account() -> None:
    rows = [
        make_row("busy", concurrency_max=90.0),
        make_row("quiet", concurrency_max=1.0),
        make_row("capped", reserved_concurrency=10, concurrency_max=10.0),
        make_row("elsewhere", region="eu-west-1", concurrency_max=500.0),
    ]
    names = losing_headroom(rows, ReservedConcurrencyPlan.set(FN, 20, 200), live())
    assert names == ("busy (peak 90)", "quiet (peak 1)")
    assert losing_headroom(rows, ReservedConcurrencyPlan.set(FN, 20, 10), live()) == ()  # pool grows


def test_journal_reads_past_a_torn_line_and_walks_back_through_undos(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.jsonl")
    common = {
        "profile": "ops",
        "account": "1",
        "region": "r",
        "caller_arn": None,
        "function": "api",
        "function_arn": FN.arn,
        "qualifier": None,
        "api_call": "x",
    }
    first = journal.intent(time=NOW, action="a", before=1, after=2, **common)  # type: ignore[arg-type]
    journal.result(first, time=NOW, outcome="ok")
    second = journal.intent(time=NOW, action="b", before=2, after=3, **common)  # type: ignore[arg-type]
    journal.result(second, time=NOW, outcome="ok")
    with journal.path.open("a") as handle:
        handle.write('{"phase": "intent", "id": "torn"')  # a crash mid-line
    last = journal.last_undoable("1", "r")
    assert last is not None
    assert last.id == second
    undo = journal.intent(time=NOW, action="undo", before=3, after=2, undoes=second, **common)  # type: ignore[arg-type]
    assert journal.last_undoable("1", "r").id == second  # type: ignore[union-attr]  # the undo has no result yet
    journal.result(undo, time=NOW, outcome="ok")
    assert journal.last_undoable("1", "r").id == first  # type: ignore[union-attr]
    assert journal.last_undoable("2", "r") is None
    assert [e.id for e in journal.unfinished()] == []


def test_a_change_to_what_is_already_live_is_refused_as_nothing_to_do() -> None:
    assert (
        "nothing to change" in preview(ReservedConcurrencyPlan.remove(FN, None), live(reserved=None), CTX).refusals[0]
    )
    assert "already 20" in preview(ReservedConcurrencyPlan.set(FN, 20, 20), live(), CTX).refusals[0]
    alias_live = LiveState(routing=Routing("6", {"7": 0.0}), versions=frozenset({"6", "7"}))
    rolled = preview(AliasPlan.rollback(FN, "live", ROUTING), alias_live, CTX)
    assert "nothing to change" in rolled.refusals[0]
