"""The configuration the traffic reacts to, and reading it back from the server.

The seeder creates `initial_state(fleet)`; the simulator reads reserved concurrency and alias
routing back every tick, so an operator's action changes what the traffic model draws next.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lambdatop.demo.fleet import AliasSpec, Fleet, FunctionSpec

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AliasState:
    name: str
    version: str
    weights: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FunctionState:
    """What the traffic reacts to. reserved_concurrency: None = no cap, 0 = stopped."""

    reserved_concurrency: int | None = None
    alias: AliasState | None = None

    @classmethod
    def from_spec(cls, spec: FunctionSpec) -> FunctionState:
        alias: AliasSpec | None = spec.alias
        return cls(
            reserved_concurrency=spec.reserved_concurrency,
            alias=AliasState(alias.name, alias.version, dict(alias.weights)) if alias else None,
        )


FleetState = Mapping[str, FunctionState]


def initial_state(fleet: Fleet) -> dict[str, FunctionState]:
    """The configuration the seeder creates."""
    return {spec.name: FunctionState.from_spec(spec) for spec in fleet.functions}


def read_states(
    lambda_client: Any,
    fleet: Fleet,
    previous: Mapping[str, FunctionState],
    names: Iterable[str] | None = None,
) -> dict[str, FunctionState]:
    """Reserved concurrency and alias routing as the server holds them now.

    Only `names` are read (all functions when None); the rest keep their previous state.
    A function whose reads fail keeps its previous state too.
    """
    states = dict(previous)
    wanted = set(names) if names is not None else None
    for spec in fleet.functions:
        if wanted is not None and spec.name not in wanted:
            continue
        try:
            answer = lambda_client.get_function_concurrency(FunctionName=spec.name)
            reserved = answer.get("ReservedConcurrentExecutions")
            alias = None
            if spec.alias is not None:
                alias = _read_alias(lambda_client, spec.name, spec.alias.name)
            states[spec.name] = FunctionState(
                reserved_concurrency=int(reserved) if reserved is not None else None, alias=alias
            )
        except Exception:
            log.debug("could not read configuration of %s", spec.name, exc_info=True)
    return states


def _read_alias(lambda_client: Any, function: str, alias: str) -> AliasState | None:
    try:
        answer = lambda_client.get_alias(FunctionName=function, Name=alias)
    except lambda_client.exceptions.ResourceNotFoundException:
        return None
    weights = (answer.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return AliasState(
        name=alias,
        version=str(answer["FunctionVersion"]),
        weights={str(k): float(v) for k, v in weights.items()},
    )
