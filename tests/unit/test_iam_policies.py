"""The IAM policies in docs/iam/ cover exactly what the code can call, no more, no less.

Every AWS operation the code can call is found by reading `lambdatop/aws/` (the only package
that talks to AWS): each attribute named like an operation of a service we use (`lam.get_alias`,
`_lambda_pages(lam.list_functions, ...)`) is one. A new call anywhere in `aws/` that the
policies lack fails here, naming it; a policy action nothing calls any more fails too.
"""

from __future__ import annotations

import ast
import json
from functools import cache
from pathlib import Path

import botocore
import botocore.session

ROOT = Path(__file__).resolve().parents[2]
AWS_DIR = ROOT / "lambdatop" / "aws"
POLICIES = ROOT / "docs" / "iam"
# botocore service name -> IAM action prefix.
SERVICES = {"lambda": "lambda", "cloudwatch": "cloudwatch", "logs": "logs", "sqs": "sqs", "sts": "sts", "xray": "xray"}
# Allowed to every principal: no policy needs (or can deny) it.
NEEDS_NO_PERMISSION = frozenset({"sts:GetCallerIdentity"})
MUTATING_PREFIXES = ("Put", "Delete", "Update", "Create", "Publish", "Tag", "Untag", "Invoke", "Add", "Remove")
THE_ONE_WRITER = "actions.py"


@cache
def _operations() -> dict[str, list[str]]:
    """python_name -> IAM actions of the services we use with an operation of that name."""
    session = botocore.session.get_session()
    by_name: dict[str, list[str]] = {}
    for service, prefix in SERVICES.items():
        model = session.get_service_model(service)
        for operation in model.operation_names:
            by_name.setdefault(botocore.xform_name(operation), []).append(f"{prefix}:{operation}")
    return by_name


def _client_services(tree: ast.AST) -> dict[str, str]:
    """Names bound to `await <pool>.client("svc", ...)` anywhere in the module: name -> service."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        value = node.value.value if isinstance(node.value, ast.Await) else node.value
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr == "client"
            and value.args
            and isinstance(value.args[0], ast.Constant)
            and isinstance(node.targets[0], ast.Name)
        ):
            bound[node.targets[0].id] = SERVICES.get(str(value.args[0].value), str(value.args[0].value))
    return bound


def calls_in_code() -> dict[str, set[str]]:
    """IAM action -> the modules of lambdatop/aws that can call it."""
    found: dict[str, set[str]] = {}
    problems: list[str] = []
    for path in sorted(AWS_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        clients = _client_services(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute) or node.attr not in _operations():
                continue
            actions = _operations()[node.attr]
            receiver = node.value.id if isinstance(node.value, ast.Name) else None
            if receiver in clients:
                actions = [a for a in actions if a.startswith(clients[receiver] + ":")] or actions
            if len(actions) > 1:
                problems.append(f"{path.name}:{node.lineno}: {node.attr} could be any of {actions}")
                continue
            found.setdefault(actions[0], set()).add(path.name)
    assert not problems, "bind the client from pool.client('<service>') so the call is unambiguous: " + str(problems)
    return found


def policy_actions(name: str) -> set[str]:
    document = json.loads((POLICIES / name).read_text(encoding="utf-8"))
    actions: set[str] = set()
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow"
        listed = statement["Action"]
        actions.update([listed] if isinstance(listed, str) else listed)
    return actions


def _is_mutating(action: str) -> bool:
    return action.split(":", 1)[1].startswith(MUTATING_PREFIXES)


def test_the_scan_finds_the_calls_we_know_about() -> None:
    found = calls_in_code()
    for known in ("lambda:ListFunctions", "cloudwatch:GetMetricData", "logs:StartQuery", "lambda:UpdateAlias"):
        assert known in found, known


def test_only_aws_actions_py_changes_aws() -> None:
    writers = {action: modules for action, modules in calls_in_code().items() if _is_mutating(action)}
    assert writers, "the operator's writes must be found"
    for action, modules in writers.items():
        assert modules == {THE_ONE_WRITER}, f"{action} is called from {sorted(modules)}"


def test_read_only_policy_covers_exactly_the_reads() -> None:
    needed = {a for a in calls_in_code() if not _is_mutating(a)} - NEEDS_NO_PERMISSION
    granted = policy_actions("read-only.json")
    assert needed - granted == set(), f"docs/iam/read-only.json lacks {sorted(needed - granted)}"
    assert granted - needed == set(), f"docs/iam/read-only.json grants what nothing calls: {sorted(granted - needed)}"


def test_operator_policy_is_the_reads_plus_exactly_the_writes() -> None:
    needed = set(calls_in_code()) - NEEDS_NO_PERMISSION
    granted = policy_actions("operator.json")
    assert needed - granted == set(), f"docs/iam/operator.json lacks {sorted(needed - granted)}"
    assert granted - needed == set(), f"docs/iam/operator.json grants what nothing calls: {sorted(granted - needed)}"
    assert {a for a in granted if _is_mutating(a)} == {
        "lambda:PutFunctionConcurrency",
        "lambda:DeleteFunctionConcurrency",
        "lambda:UpdateAlias",
    }


def test_the_writes_are_scoped_to_functions_not_star() -> None:
    document = json.loads((POLICIES / "operator.json").read_text(encoding="utf-8"))
    for statement in document["Statement"]:
        listed = statement["Action"]
        actions = [listed] if isinstance(listed, str) else listed
        if any(_is_mutating(a) for a in actions):
            assert statement["Resource"] != "*"
            assert ":function:" in statement["Resource"]


def test_readme_shows_both_policies() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("read-only.json", "operator.json"):
        assert (POLICIES / name).read_text(encoding="utf-8").strip() in readme, f"README must show docs/iam/{name}"
