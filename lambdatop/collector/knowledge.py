"""What is known of one function beyond ListFunctions, part by part, with when it was read.

A failed read never erases a part: the last good value stays, and the failure is noted with
the time it started, so the row can show the value as stale with its age.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, Literal, TypeVar

from lambdatop.aws.inventory import AliasConfig, FunctionBasics

T = TypeVar("T")
Part = Literal["basics", "aliases", "destinations", "provisioned"]
PARTS: tuple[Part, ...] = ("basics", "aliases", "destinations", "provisioned")


@dataclass(frozen=True, slots=True)
class Known(Generic[T]):
    value: T
    read_at: datetime
    revision: str | None  # the function's revision when it was read


@dataclass
class FunctionKnowledge:
    basics: Known[FunctionBasics] | None = None
    aliases: Known[tuple[AliasConfig, ...]] | None = None
    destinations: Known[tuple[str, ...]] | None = None
    provisioned: Known[int] | None = None
    failures: dict[Part, tuple[str, datetime]] = field(default_factory=dict)  # part -> (reason, since)
    tried_at: dict[Part, datetime] = field(default_factory=dict)  # last attempt, good or not

    def known(self, part: Part) -> Known[object] | None:
        value: Known[object] | None = getattr(self, part)
        return value

    def failed(self, part: Part, reason: str, now: datetime) -> None:
        since = self.failures.get(part, (reason, now))[1]
        self.failures[part] = (reason, since)

    def read_ok(self, part: Part) -> None:
        self.failures.pop(part, None)

    @property
    def stale_since(self) -> datetime | None:
        return min((since for _, since in self.failures.values()), default=None)

    @property
    def read_at(self) -> datetime | None:
        """When the oldest part known was read."""
        times = [k.read_at for k in (self.basics, self.aliases, self.destinations, self.provisioned) if k]
        return min(times, default=None)
