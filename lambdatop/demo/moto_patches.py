"""Performance fixes to moto's internals that the demo server cannot do without.

moto answers ListFunctions(FunctionVersion=ALL), which the GetAccountSettings mend uses to sum
code sizes, with a deep copy of every function; each function holds a reference to the whole
CloudWatch Logs backend, so every call copied every log event the demo had written (about 10 s
a call after the hour's backfill, growing as the live demo writes, with the GIL held). The copy
now shares the logs backend, as the original does. Answers are unchanged.

moto is imported here, so import this module only when a server starts.
"""

from __future__ import annotations

import copy
from typing import Any

from moto.awslambda.models import LambdaFunction


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
