"""Performance fixes to moto's internals that the demo server cannot do without.

moto answers ListFunctions(FunctionVersion=ALL) with a deep copy of every function; each
function holds a reference to the whole CloudWatch Logs backend, so every call copied every log
event the demo had written (about 10 s a call after the hour's backfill, growing as the live
demo writes, with the GIL held). The copy now shares the logs backend, as the original does.
Answers are unchanged.

moto reads each service's botocore model the first time the service is called, each time
through a new botocore loader, and every new loader first lists the services botocore knows by
walking its whole data directory (~30,000 stat calls; ~0.3 s of the demo's start). One shared
loader walks it once. The models loaded are the same.

moto's server finds the backend of every request by first listing its own package directory
(`list_of_moto_modules`: ~200 stat calls, ~2.5 ms a request, every request). The directory does
not change while the server runs: it is listed once.

moto's SendMessage looks up one queue attribute (ContentBasedDeduplication) by computing all
of them, three of which walk every message in the queue: sending to a queue of n messages costs
O(n), a backfill into a dead-letter queue O(n²) (~0.2 s of the demo's start). Standard queues
have no ContentBasedDeduplication attribute, so while SendMessage runs on one, the lookup is
answered from an empty dict; FIFO queues keep moto's own path. Answers are unchanged.

moto is imported here, so import this module only when a server starts.
"""

from __future__ import annotations

import copy
import functools
import threading
from typing import Any

import moto.backends
import moto.core.utils
from moto.awslambda.models import LambdaFunction
from moto.core.loaders import create_loader


def share_backends_when_copying_functions() -> None:
    """Make a deep copy of a moto Lambda function share its logs backend (idempotent)."""
    if "__deepcopy__" in vars(LambdaFunction):
        return

    def __deepcopy__(self: LambdaFunction, memo: dict[int, Any]) -> LambdaFunction:
        memo.setdefault(id(self.logs_backend), self.logs_backend)
        duplicate = object.__new__(type(self))
        memo[id(self)] = duplicate
        for name, value in vars(self).items():
            vars(duplicate)[name] = copy.deepcopy(value, memo)
        return duplicate

    LambdaFunction.__deepcopy__ = __deepcopy__  # type: ignore[attr-defined]


def share_one_model_loader() -> None:
    """Make moto load service models through one botocore loader (idempotent)."""
    if getattr(moto.core.utils._load_service_model, "lambdatop_shared_loader", False):
        return
    loader = functools.cache(create_loader)

    def _load_service_model(service_name: str, model_name: str) -> dict[str, Any]:
        model: dict[str, Any] = loader().load_service_model(service_name, model_name)
        return model

    _load_service_model.lambdatop_shared_loader = True  # type: ignore[attr-defined]
    moto.core.utils._load_service_model = _load_service_model


def list_moto_modules_once() -> None:
    """Make moto's server list its backend modules once, not on every request (idempotent)."""
    if getattr(moto.backends.list_of_moto_modules, "lambdatop_listed_once", False):
        return
    modules = tuple(moto.backends.list_of_moto_modules())

    def list_of_moto_modules() -> tuple[str, ...]:
        return modules

    list_of_moto_modules.lambdatop_listed_once = True  # type: ignore[attr-defined]
    moto.backends.list_of_moto_modules = list_of_moto_modules


_sending = threading.local()


def cheap_attribute_lookup_when_sending() -> None:
    """SendMessage on a standard queue stops computing every queue attribute (idempotent)."""
    from moto.sqs.models import Queue, SQSBackend

    full = vars(Queue).get("attributes")
    send = vars(SQSBackend).get("send_message")
    if not isinstance(full, property) or full.fget is None or send is None:
        return  # another moto layout: leave it alone
    if getattr(send, "lambdatop_cheap_lookup", False):
        return
    compute = full.fget

    def attributes(self: Queue) -> dict[str, Any]:
        if getattr(_sending, "active", False) and not self.fifo_queue:
            return {}  # all SendMessage reads is ContentBasedDeduplication: FIFO queues only
        result: dict[str, Any] = compute(self)
        return result

    def send_message(self: SQSBackend, *args: Any, **kwargs: Any) -> Any:
        outer = getattr(_sending, "active", False)
        _sending.active = True
        try:
            return send(self, *args, **kwargs)
        finally:
            _sending.active = outer

    send_message.lambdatop_cheap_lookup = True  # type: ignore[attr-defined]
    Queue.attributes = property(attributes)  # type: ignore[assignment,method-assign]
    SQSBackend.send_message = send_message  # type: ignore[method-assign]
