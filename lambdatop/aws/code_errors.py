"""Telling a bug of ours apart from an answer of AWS or the network.

A source whose call fails is stale and retried; a refresher that raises TypeError has a bug,
which must show (in the status, and as a failing test), never pass for an outage.
"""

from __future__ import annotations

import asyncio

from lambdatop.aws.errors import error_code


def is_code_error(exc: BaseException) -> bool:
    from botocore.exceptions import BotoCoreError

    if isinstance(exc, asyncio.CancelledError):
        return True  # not a failure either: let it through
    if error_code(exc) is not None or isinstance(exc, BotoCoreError | OSError | TimeoutError):
        return False
    module = type(exc).__module__
    return not module.startswith(("botocore", "aiobotocore", "aiohttp"))
