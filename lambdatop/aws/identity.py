"""Who the credentials belong to (STS GetCallerIdentity), asked before a view is trusted.

Used twice: before `:profile` / `:region` replace a working view (a typo must not strand the
operator on an empty screen), and at launch before a cached fleet is painted (the cache belongs
to one account; another account's rows must never appear under any id).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from lambdatop.aws.errors import classify
from lambdatop.aws.session import ClientPool, ConfigurationError

IDENTITY_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class Identity:
    account_id: str
    partition: str  # aws, aws-cn, aws-us-gov… from the caller's ARN
    arn: str


async def caller_identity(pool: ClientPool, region: str, timeout_s: float = IDENTITY_TIMEOUT_S) -> Identity:
    """The caller's account, through `region`'s STS endpoint (so a region that does not exist
    fails here too). Raises ConfigurationError with one sentence naming what failed."""
    await pool.check_credentials()
    try:
        sts = await pool.client("sts", region)
        async with asyncio.timeout(timeout_s):  # not wait_for: see lambdatop/waiting.py
            answer = await sts.get_caller_identity()
    except TimeoutError:
        raise ConfigurationError(f"STS in {region} did not answer within {timeout_s:.0f}s") from None
    except ConfigurationError:
        raise
    except Exception as exc:
        raise ConfigurationError(f"cannot confirm the account in {region}: {classify(exc).reason}") from exc
    arn = str(answer.get("Arn", ""))
    parts = arn.split(":")
    partition = parts[1] if len(parts) > 1 and parts[1] else "aws"
    return Identity(account_id=str(answer["Account"]), partition=partition, arn=arn)
