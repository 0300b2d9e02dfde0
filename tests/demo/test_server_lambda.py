"""Lambda through the demo server: paging, kept configuration, concurrency, account settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from lambdatop.demo.server import DemoServer
from tests.demo.conftest import ClientFactory, zipped

CreateFunction = Callable[..., dict[str, Any]]
FLOOR_MESSAGE = (
    "Specified ReservedConcurrentExecutions for function decreases account's "
    "UnreservedConcurrentExecution below its minimum value of [100]."
)


def error_of(refused: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = refused.value.response["Error"]
    return error["Code"], error["Message"]


# -- ListFunctions -----------------------------------------------------------------------


def test_120_functions_come_in_pages_of_50_50_20(client: ClientFactory, create_function: CreateFunction) -> None:
    for i in range(120):
        create_function(f"page-{i:03d}")
    lam = client("lambda")

    pages = [page["Functions"] for page in lam.get_paginator("list_functions").paginate()]

    assert [len(page) for page in pages] == [50, 50, 20]
    names = [f["FunctionName"] for page in pages for f in page]
    assert sorted(names) == [f"page-{i:03d}" for i in range(120)]
    first = lam.list_functions()
    assert len(first["Functions"]) == 50
    assert "NextMarker" in first
    asked_for_more = lam.list_functions(MaxItems=500)
    assert len(asked_for_more["Functions"]) == 50
    small = lam.list_functions(MaxItems=7, Marker=first["NextMarker"])
    assert [f["FunctionName"] for f in small["Functions"]] == names[50:57]


def test_a_listed_configuration_is_the_one_get_function_configuration_answers(
    client: ClientFactory, create_function: CreateFunction
) -> None:
    create_function("same", DeadLetterConfig={"TargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq"})
    lam = client("lambda")

    listed = lam.list_functions()["Functions"][0]
    alone = lam.get_function_configuration(FunctionName="same")
    alone.pop("ResponseMetadata")

    assert listed == alone


def test_paging_survives_a_deletion_between_pages(client: ClientFactory, create_function: CreateFunction) -> None:
    for i in range(6):
        create_function(f"shift-{i}")
    lam = client("lambda")

    first = lam.list_functions(MaxItems=3)
    lam.delete_function(FunctionName=first["Functions"][0]["FunctionName"])
    second = lam.list_functions(MaxItems=3, Marker=first["NextMarker"])

    seen = [f["FunctionName"] for f in first["Functions"] + second["Functions"]]
    assert sorted(seen) == [f"shift-{i}" for i in range(6)]
    assert "NextMarker" not in second


def test_all_versions_are_paged_too(client: ClientFactory, create_function: CreateFunction) -> None:
    lam = client("lambda")
    for i in range(30):
        create_function(f"ver-{i:02d}")
        lam.publish_version(FunctionName=f"ver-{i:02d}")

    pages = list(lam.get_paginator("list_functions").paginate(FunctionVersion="ALL"))

    assert [len(p["Functions"]) for p in pages] == [50, 10]
    arns = {f["FunctionArn"] for p in pages for f in p["Functions"]}
    assert "arn:aws:lambda:us-east-1:" in next(iter(arns))
    assert sum(a.endswith(":1") for a in arns) == 30


# -- DeadLetterConfig and LoggingConfig ---------------------------------------------------


def test_dead_letter_and_json_logging_are_kept_everywhere(
    client: ClientFactory, create_function: CreateFunction, account_id: str
) -> None:
    dlq = f"arn:aws:sqs:us-east-1:{account_id}:orders-dlq"
    created = create_function(
        "orders",
        DeadLetterConfig={"TargetArn": dlq},
        LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "WARN"},
    )
    lam = client("lambda")
    expected_logging = {
        "LogFormat": "JSON",
        "ApplicationLogLevel": "WARN",
        "SystemLogLevel": "INFO",
        "LogGroup": "/aws/lambda/orders",
    }

    seen = [
        created,
        lam.get_function(FunctionName="orders")["Configuration"],
        lam.get_function_configuration(FunctionName="orders"),
        next(f for f in lam.list_functions()["Functions"] if f["FunctionName"] == "orders"),
    ]

    for configuration in seen:
        assert configuration["DeadLetterConfig"] == {"TargetArn": dlq}
        assert configuration["LoggingConfig"] == expected_logging


def test_logging_defaults_to_text_in_the_function_log_group(
    client: ClientFactory, create_function: CreateFunction
) -> None:
    created = create_function("plain")

    assert created["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/aws/lambda/plain"}
    assert "DeadLetterConfig" not in created
    listed = client("lambda").list_functions()["Functions"][0]
    assert listed["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/aws/lambda/plain"}


def test_update_changes_clears_and_keeps_configuration(
    client: ClientFactory, create_function: CreateFunction, account_id: str
) -> None:
    dlq = f"arn:aws:sqs:us-east-1:{account_id}:dlq"
    create_function("upd", DeadLetterConfig={"TargetArn": dlq})
    lam = client("lambda")

    updated = lam.update_function_configuration(
        FunctionName="upd", LoggingConfig={"LogFormat": "JSON", "LogGroup": "/shared/logs"}
    )
    kept = lam.get_function_configuration(FunctionName="upd")
    lam.update_function_configuration(FunctionName="upd", DeadLetterConfig={"TargetArn": ""})
    cleared = lam.get_function_configuration(FunctionName="upd")
    lam.update_function_configuration(FunctionName="upd", MemorySize=512)
    after_other_change = lam.get_function_configuration(FunctionName="upd")

    assert updated["LoggingConfig"]["LogGroup"] == "/shared/logs"
    assert kept["DeadLetterConfig"] == {"TargetArn": dlq}
    assert "DeadLetterConfig" not in cleared
    assert after_other_change["LoggingConfig"] == {
        "LogFormat": "JSON",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "INFO",
        "LogGroup": "/shared/logs",
    }
    assert after_other_change["MemorySize"] == 512


def test_delete_function_forgets_its_settings(
    client: ClientFactory, create_function: CreateFunction, account_id: str
) -> None:
    create_function(
        "again",
        DeadLetterConfig={"TargetArn": f"arn:aws:sqs:us-east-1:{account_id}:q"},
        LoggingConfig={"LogFormat": "JSON"},
    )
    lam = client("lambda")
    lam.put_function_concurrency(FunctionName="again", ReservedConcurrentExecutions=5)

    lam.delete_function(FunctionName="again")
    recreated = create_function("again")

    assert "DeadLetterConfig" not in recreated
    assert recreated["LoggingConfig"]["LogFormat"] == "Text"
    assert "Concurrency" not in lam.get_function(FunctionName="again")
    settings = lam.get_account_settings()["AccountLimit"]
    assert settings["UnreservedConcurrentExecutions"] == 1000


# -- reserved concurrency and account settings ---------------------------------------------


def test_reserved_zero_is_visible_in_get_function(client: ClientFactory, create_function: CreateFunction) -> None:
    create_function("stopped")
    lam = client("lambda")

    lam.put_function_concurrency(FunctionName="stopped", ReservedConcurrentExecutions=0)
    stopped = lam.get_function(FunctionName="stopped")
    lam.delete_function_concurrency(FunctionName="stopped")
    released = lam.get_function(FunctionName="stopped")

    assert stopped["Concurrency"] == {"ReservedConcurrentExecutions": 0}
    assert "Concurrency" not in released


def test_the_floor_of_100_unreserved_is_enforced(client: ClientFactory, create_function: CreateFunction) -> None:
    create_function("big")
    create_function("small")
    lam = client("lambda")
    lam.put_function_concurrency(FunctionName="big", ReservedConcurrentExecutions=800)

    with pytest.raises(ClientError) as refused:
        lam.put_function_concurrency(FunctionName="small", ReservedConcurrentExecutions=101)
    lam.put_function_concurrency(FunctionName="small", ReservedConcurrentExecutions=100)
    # Raising big's own reservation counts big only once.
    lam.put_function_concurrency(FunctionName="big", ReservedConcurrentExecutions=800)

    assert error_of(refused) == ("InvalidParameterValueException", FLOOR_MESSAGE)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert lam.get_function(FunctionName="small")["Concurrency"] == {"ReservedConcurrentExecutions": 100}


def test_reserving_for_a_missing_function_is_not_found(client: ClientFactory) -> None:
    with pytest.raises(ClientError) as refused:
        client("lambda").put_function_concurrency(FunctionName="ghost", ReservedConcurrentExecutions=1)

    assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_account_settings_arithmetic(client: ClientFactory, create_function: CreateFunction) -> None:
    sizes = [create_function(f"acct-{i}", code="x = 1\n" * (i + 1))["CodeSize"] for i in range(3)]
    lam = client("lambda")
    lam.put_function_concurrency(FunctionName="acct-0", ReservedConcurrentExecutions=250)
    lam.put_function_concurrency(FunctionName="acct-1", ReservedConcurrentExecutions=0)
    lam.put_function_concurrency(FunctionName="acct-2", ReservedConcurrentExecutions=50)
    lam.delete_function_concurrency(FunctionName="acct-2")

    settings = lam.get_account_settings()

    assert settings["AccountLimit"] == {
        "TotalCodeSize": 80530636800,
        "CodeSizeUnzipped": 262144000,
        "CodeSizeZipped": 52428800,
        "ConcurrentExecutions": 1000,
        "UnreservedConcurrentExecutions": 750,
    }
    assert settings["AccountUsage"] == {"FunctionCount": 3, "TotalCodeSize": sum(sizes)}


def test_account_settings_count_published_versions_code_once_per_version(
    client: ClientFactory, create_function: CreateFunction
) -> None:
    size = create_function("versioned", code="x = 1\n" * 40)["CodeSize"]
    lam = client("lambda")
    lam.publish_version(FunctionName="versioned")

    usage = lam.get_account_settings()["AccountUsage"]

    # $LATEST and version 1 both hold a deployment package, as AWS counts them.
    assert usage == {"FunctionCount": 1, "TotalCodeSize": 2 * size}


def test_the_account_limit_is_configurable() -> None:
    with DemoServer(account_concurrency_limit=150) as server:
        kwargs = {
            "endpoint_url": server.endpoint_url,
            "region_name": "ap-south-1",
            "aws_access_key_id": "x",
            "aws_secret_access_key": "y",
        }
        lam = boto3.client("lambda", **kwargs)  # type: ignore[call-overload]
        role = boto3.client("iam", **kwargs).create_role(  # type: ignore[call-overload]
            RoleName="limit-role", AssumeRolePolicyDocument="{}"
        )["Role"]["Arn"]
        lam.create_function(
            FunctionName="tight",
            Runtime="python3.12",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": _zip("x = 1\n")},
        )
        lam.put_function_concurrency(FunctionName="tight", ReservedConcurrentExecutions=50)
        with pytest.raises(ClientError) as refused:
            lam.put_function_concurrency(FunctionName="tight", ReservedConcurrentExecutions=51)
        limits = lam.get_account_settings()["AccountLimit"]

    assert error_of(refused)[1] == FLOOR_MESSAGE
    assert (limits["ConcurrentExecutions"], limits["UnreservedConcurrentExecutions"]) == (150, 100)


# -- provisioned concurrency ----------------------------------------------------------------


def test_provisioned_concurrency_on_versions_and_aliases(
    client: ClientFactory, create_function: CreateFunction, account_id: str
) -> None:
    create_function("warm")
    lam = client("lambda")
    lam.publish_version(FunctionName="warm")
    lam.create_alias(FunctionName="warm", Name="live", FunctionVersion="1")

    put = lam.put_provisioned_concurrency_config(FunctionName="warm", Qualifier="1", ProvisionedConcurrentExecutions=5)
    lam.put_provisioned_concurrency_config(FunctionName="warm", Qualifier="live", ProvisionedConcurrentExecutions=3)
    got = lam.get_provisioned_concurrency_config(FunctionName="warm", Qualifier="live")
    listed = lam.list_provisioned_concurrency_configs(FunctionName="warm")

    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert (
        put["RequestedProvisionedConcurrentExecutions"],
        put["AllocatedProvisionedConcurrentExecutions"],
        put["AvailableProvisionedConcurrentExecutions"],
        put["Status"],
    ) == (5, 5, 5, "READY")
    assert got["RequestedProvisionedConcurrentExecutions"] == 3
    arn = f"arn:aws:lambda:us-east-1:{account_id}:function:warm"
    assert [
        (c["FunctionArn"], c["RequestedProvisionedConcurrentExecutions"])
        for c in listed["ProvisionedConcurrencyConfigs"]
    ] == [(f"{arn}:1", 5), (f"{arn}:live", 3)]


def test_provisioned_concurrency_refuses_latest_and_unknown_qualifiers(
    client: ClientFactory, create_function: CreateFunction
) -> None:
    create_function("cold")
    lam = client("lambda")

    with pytest.raises(ClientError) as latest:
        lam.put_provisioned_concurrency_config(
            FunctionName="cold", Qualifier="$LATEST", ProvisionedConcurrentExecutions=1
        )
    with pytest.raises(ClientError) as unknown:
        lam.put_provisioned_concurrency_config(FunctionName="cold", Qualifier="9", ProvisionedConcurrentExecutions=1)
    with pytest.raises(ClientError) as none_yet:
        lam.get_provisioned_concurrency_config(FunctionName="cold", Qualifier="1")

    assert error_of(latest) == (
        "InvalidParameterValueException",
        "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
    )
    assert error_of(unknown)[0] == "ResourceNotFoundException"
    assert error_of(none_yet)[0] == "ProvisionedConcurrencyConfigNotFoundException"
    assert none_yet.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert lam.list_provisioned_concurrency_configs(FunctionName="cold")["ProvisionedConcurrencyConfigs"] == []


def test_delete_provisioned_concurrency_and_its_version(client: ClientFactory, create_function: CreateFunction) -> None:
    create_function("gone", code="v = 1\n")
    lam = client("lambda")
    lam.publish_version(FunctionName="gone")
    lam.update_function_code(FunctionName="gone", ZipFile=_zip("v = 2\n"))
    lam.publish_version(FunctionName="gone")
    for version in ("1", "2"):
        lam.put_provisioned_concurrency_config(
            FunctionName="gone", Qualifier=version, ProvisionedConcurrentExecutions=2
        )

    deleted = lam.delete_provisioned_concurrency_config(FunctionName="gone", Qualifier="1")
    lam.delete_function(FunctionName="gone", Qualifier="2")
    remaining = lam.list_provisioned_concurrency_configs(FunctionName="gone")

    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert remaining["ProvisionedConcurrencyConfigs"] == []


def test_provisioned_concurrency_fits_inside_the_reservation(
    client: ClientFactory, create_function: CreateFunction
) -> None:
    create_function("capped")
    lam = client("lambda")
    lam.publish_version(FunctionName="capped")
    lam.put_function_concurrency(FunctionName="capped", ReservedConcurrentExecutions=10)

    lam.put_provisioned_concurrency_config(FunctionName="capped", Qualifier="1", ProvisionedConcurrentExecutions=10)
    with pytest.raises(ClientError) as refused:
        lam.put_provisioned_concurrency_config(FunctionName="capped", Qualifier="1", ProvisionedConcurrentExecutions=11)

    assert error_of(refused)[0] == "InvalidParameterValueException"


def test_list_provisioned_pages(client: ClientFactory, create_function: CreateFunction) -> None:
    create_function("many", code="v = 0\n")
    lam = client("lambda")
    for v in range(1, 4):
        lam.update_function_code(FunctionName="many", ZipFile=_zip(f"v = {v}\n"))
        lam.publish_version(FunctionName="many")
        lam.put_provisioned_concurrency_config(FunctionName="many", Qualifier=str(v), ProvisionedConcurrentExecutions=1)

    first = lam.list_provisioned_concurrency_configs(FunctionName="many", MaxItems=2)
    rest = lam.list_provisioned_concurrency_configs(FunctionName="many", MaxItems=2, Marker=first["NextMarker"])

    assert len(first["ProvisionedConcurrencyConfigs"]) == 2
    assert len(rest["ProvisionedConcurrencyConfigs"]) == 1
    assert "NextMarker" not in rest


def _zip(code: str) -> bytes:
    return zipped(code)
