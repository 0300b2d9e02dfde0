"""The WSGI middleware in front of moto: answers the mended operations, forwards the rest.

Operations are recognised at the protocol level, as AWS's own front ends do:
- CloudWatch: JSON 1.0, `X-Amz-Target: GraniteServiceVersion20100801.<Operation>`;
- CloudWatch Logs: JSON 1.1, `X-Amz-Target: Logs_20140328.<Operation>`;
- Lambda: REST JSON paths (`/2015-03-31/functions/…`), signed for the `lambda` service.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from lambdatop.demo.mends.cloudwatch import CloudWatchMends
from lambdatop.demo.mends.cloudwatch_requests import cloudwatch_error
from lambdatop.demo.mends.lambda_mends import LambdaMends, lambda_error
from lambdatop.demo.mends.lambda_state import LambdaState
from lambdatop.demo.mends.logs import LogsMends, logs_error
from lambdatop.demo.mends.metric_store import MetricStore
from lambdatop.demo.mends.protocol import Call, ProtocolError, Reply, WsgiApp, serve
from lambdatop.demo.mends.xray import XRayMends

CLOUDWATCH_TARGET = "GraniteServiceVersion20100801."
LOGS_TARGET = "Logs_20140328."
_LOG = logging.getLogger(__name__)


class MendRouter:
    """WSGI application: `MendRouter(moto_app, account_concurrency_limit=1000)`."""

    def __init__(self, moto: WsgiApp, *, account_concurrency_limit: int = 1000) -> None:
        self.moto = moto
        self.metric_store = MetricStore()
        self.lambda_state = LambdaState()
        self._cloudwatch = CloudWatchMends(self.metric_store)
        self._logs = LogsMends(moto)
        self._lambda = LambdaMends(moto, self.lambda_state, account_concurrency_limit=account_concurrency_limit)
        self._xray = XRayMends()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        reply = self._route(environ)
        if reply is None:
            return self.moto(environ, start_response)
        return serve(reply, start_response)

    def _route(self, environ: dict[str, Any]) -> Reply | None:
        target = str(environ.get("HTTP_X_AMZ_TARGET") or "")
        try:
            if target.startswith(CLOUDWATCH_TARGET):
                operation = target[len(CLOUDWATCH_TARGET) :]
                if operation in CloudWatchMends.OPERATIONS:
                    return self._cloudwatch.handle(operation, Call.read(environ, with_body=True))
                return None
            if target.startswith(LOGS_TARGET):
                operation = target[len(LOGS_TARGET) :]
                if operation in LogsMends.OPERATIONS:
                    return self._logs.handle(operation, Call.read(environ, with_body=True))
                return None
            path = str(environ.get("PATH_INFO") or "")
            if not target and path in XRayMends.PATHS:
                call = Call.read(environ, with_body=True)
                return self._xray.handle(call) if call.signing_service == "xray" else None
            if not target and path[:1] == "/" and path[1:2].isdigit():
                method = str(environ.get("REQUEST_METHOD", "GET")).upper()
                call = Call.read(environ, with_body=LambdaMends.wants_body(method, path))
                if call.signing_service in (None, "lambda"):
                    return self._lambda.handle(call)
            return None
        except ProtocolError as refusal:
            return refusal.reply
        except Exception:
            # A bug in a mend must not take the server down; answer as AWS does on a fault.
            _LOG.debug("mend failed:\n%s", traceback.format_exc())
            message = "Internal failure in the lambdatop demo server."
            if target.startswith(LOGS_TARGET):
                reply = logs_error("ServiceUnavailableException", message)
            elif target.startswith(CLOUDWATCH_TARGET):
                reply = cloudwatch_error("InternalServiceError", message)
            else:
                reply = lambda_error("ServiceException", message, 500)
            reply.status = 500
            return reply
