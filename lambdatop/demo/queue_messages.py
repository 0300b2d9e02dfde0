"""The bodies Lambda (or SQS redrive) puts in a function's failure queue."""

from __future__ import annotations

import json

from lambdatop.demo.fleet import FunctionSpec
from lambdatop.demo.logformat import iso_ms
from lambdatop.demo.traffic import FailureMessage


def failure_message_body(
    spec: FunctionSpec,
    kind: str,
    message: FailureMessage,
    at_ms: int,
    function_arn: str,
    source_arn: str | None = None,
) -> str:
    """The body Lambda (or SQS redrive) would put in the failure queue for this kind."""
    payload = {"id": message.request_id[:8], "attempt": 3}
    if kind in ("dead-letter", "source-redrive"):
        # A DLQ receives the original event body as is.
        return json.dumps({"source": spec.name, "requestId": message.request_id, **payload})
    context = {
        "requestId": message.request_id,
        "functionArn": f"{function_arn}:{message.version}",
        "approximateInvokeCount": 3,
    }
    if kind == "stream-on-failure":
        context["condition"] = "RetryAttemptsExhausted"
        return json.dumps(
            {
                "requestContext": context,
                "timestamp": iso_ms(at_ms),
                "KinesisBatchInfo": {
                    "shardId": "shardId-000000000000",
                    "batchSize": spec.event_source.batch_size if spec.event_source else 100,
                    "streamArn": source_arn,
                    "approximateArrivalOfFirstRecord": iso_ms(at_ms - 120_000),
                },
            }
        )
    context["condition"] = "RetriesExhausted"
    return json.dumps(
        {
            "version": "1.0",
            "timestamp": iso_ms(at_ms),
            "requestContext": context,
            "requestPayload": payload,
            "responseContext": {
                "statusCode": 200,
                "executedVersion": message.version,
                "functionError": "Unhandled",
            },
            "responsePayload": {"errorMessage": spec.traffic.error_messages[0]},
        }
    )
