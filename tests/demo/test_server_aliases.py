"""UpdateAlias on the demo server answers as AWS does: RevisionId locking and routing rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.demo.conftest import ClientFactory, zipped


def _canary(client: ClientFactory, create_function: Callable[..., Any], name: str) -> Any:
    lam = client("lambda")
    create_function(name)
    lam.publish_version(FunctionName=name)
    lam.update_function_code(FunctionName=name, ZipFile=zipped("def handler(e, c):\n    return 2\n"))
    lam.publish_version(FunctionName=name)
    lam.create_alias(
        FunctionName=name, Name="live", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}}
    )
    return lam


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_every_update_renews_the_revision_and_a_stale_one_is_refused(
    client: ClientFactory, create_function: Callable[..., Any]
) -> None:
    lam = _canary(client, create_function, "rev")
    first = lam.get_alias(FunctionName="rev", Name="live")["RevisionId"]
    updated = lam.update_alias(
        FunctionName="rev", Name="live", RoutingConfig={"AdditionalVersionWeights": {"2": 0.0}}, RevisionId=first
    )
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert updated["RevisionId"] != first
    assert lam.get_alias(FunctionName="rev", Name="live")["RevisionId"] == updated["RevisionId"]
    with pytest.raises(ClientError) as stale:
        lam.update_alias(
            FunctionName="rev", Name="live", RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}}, RevisionId=first
        )
    assert _code(stale) == "PreconditionFailedException"
    assert stale.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert lam.get_alias(FunctionName="rev", Name="live")["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.0}


@pytest.mark.parametrize(
    ("weights", "code"),
    [
        ({"2": 1.5}, "ValidationException"),
        ({"2": 0.1, "3": 0.1}, "InvalidParameterValueException"),
        ({"1": 0.1}, "InvalidParameterValueException"),  # the primary version itself
        ({"9": 0.1}, "ResourceNotFoundException"),
    ],
)
def test_routing_that_aws_refuses_is_refused(
    client: ClientFactory, create_function: Callable[..., Any], weights: dict[str, float], code: str
) -> None:
    lam = _canary(client, create_function, "routing")
    with pytest.raises(ClientError) as refused:
        lam.update_alias(FunctionName="routing", Name="live", RoutingConfig={"AdditionalVersionWeights": weights})
    assert _code(refused) == code
    assert lam.get_alias(FunctionName="routing", Name="live")["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.1}
