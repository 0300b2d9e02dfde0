"""Turn the many ways an AWS call fails into a short reason an operator can act on."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

_THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "LimitExceededException",
        "SlowDown",
    }
)
# UnrecognizedClientException is not a denial: the key itself is unknown (see credentials.py).
_DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


class NoAnswerError(TimeoutError):
    """A call got no answer within its deadline (the endpoint may accept and never reply)."""

    def __init__(self, deadline_s: float) -> None:
        super().__init__(f"no answer in {deadline_s:g} s")
        self.deadline_s = deadline_s


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a source could not answer. `kind` drives behaviour, `reason` is shown."""

    kind: str  # throttled | denied | credentials | unsupported | timeout | unreachable | error
    reason: str

    @property
    def unsupported(self) -> bool:
        return self.kind == "unsupported"


def error_code(exc: BaseException) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        return str(code) if code else None
    return None


def http_status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return int(status) if status else None
    return None


def classify(exc: BaseException) -> Failure:
    """Map an exception from botocore/aiohttp/asyncio to a Failure."""
    from botocore import exceptions as bex

    from lambdatop.aws.credentials import is_credential_error, short_reason

    code = error_code(exc)
    status = http_status(exc)
    if code in _THROTTLE_CODES or status == 429:
        return Failure("throttled", code or "Throttled")
    # Every expired, unknown or unresolvable credential is one state for the whole app, never
    # a per-source "denied" or "error": the hint for it comes from ClientPool.credential_hint.
    if is_credential_error(exc):
        return Failure("credentials", short_reason(exc))
    if code in _DENIED_CODES or status == 403:
        return Failure("denied", code or "AccessDenied")
    # An endpoint that does not know the route (moto: 404 with an HTML body) or
    # says it is not implemented cannot answer, however often we ask.
    if code in {"404", "NotImplemented", "UnknownOperationException"} or status in (404, 501):
        return Failure("unsupported", f"not supported by this endpoint (HTTP {status or code})")
    if isinstance(exc, NoAnswerError):
        return Failure("timeout", str(exc))
    if isinstance(exc, asyncio.TimeoutError | TimeoutError | bex.ReadTimeoutError):
        return Failure("timeout", "timed out")
    if isinstance(exc, bex.EndpointConnectionError | bex.ConnectionClosedError | ConnectionError):
        return Failure("unreachable", "endpoint unreachable")
    if code:
        return Failure("error", f"{code}" + (f" (HTTP {status})" if status else ""))
    name = type(exc).__name__
    return Failure("error", f"{name}: {exc}"[:120])
