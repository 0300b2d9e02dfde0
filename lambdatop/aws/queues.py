"""Depth of DLQ / on-failure / redrive SQS queues, straight from GetQueueAttributes.

One GetQueueAttributes call costs $0.0000004; a GetMetricData query for the same depth costs
$0.00001 and lags a minute or more. The oldest message's age has no attribute (AWS has
none), so it comes from the AWS/SQS ApproximateAgeOfOldestMessage metric instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field

from lambdatop.aws.errors import Failure, classify
from lambdatop.aws.session import ClientPool


@dataclass
class QueueDepths:
    depth: dict[str, int] = field(default_factory=dict)  # queue ARN -> visible messages
    failures: dict[str, Failure] = field(default_factory=dict)


class QueueReader:
    def __init__(self, pool: ClientPool, region: str, max_parallel: int = 8) -> None:
        self.pool = pool
        self.region = region
        self._urls: dict[str, str] = {}
        self._parallel = asyncio.Semaphore(max_parallel)

    async def depths(self, queue_arns: Iterable[str]) -> QueueDepths:
        arns = sorted({a for a in queue_arns if a.startswith("arn:aws:sqs:")})
        outcomes = await asyncio.gather(*(self._depth(arn) for arn in arns), return_exceptions=True)
        result = QueueDepths()
        for arn, outcome in zip(arns, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                result.failures[arn] = classify(outcome)
            else:
                result.depth[arn] = outcome
        return result

    async def _depth(self, arn: str) -> int:
        # arn:aws:sqs:<region>:<account>:<name>; the queue may live in another Region.
        _, _, _, region, account, name = arn.split(":", 5)
        sqs = await self.pool.client("sqs", region or self.region)
        async with self._parallel:
            url = self._urls.get(arn)
            if url is None:
                got = await sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)
                url = self._urls[arn] = got["QueueUrl"]
            attrs = await sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        return int((attrs.get("Attributes") or {}).get("ApproximateNumberOfMessages", 0))
