"""Bring the demo account up and down: embedded server, seeded account, live simulator."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class DemoAccount:
    """A running demo: where to point lambdatop's clients, and what to stop afterwards."""

    endpoint_url: str
    credentials: tuple[str, str]
    region: str
    server: Any
    simulator: Any = None
    seconds_to_seed: float = 0.0  # wall time of start_demo: server, resources and backfill
    seconds_creating: float = 0.0  # of which creating the resources
    seconds_backfilling: float = 0.0  # of which writing the last hour
    seed: int = 7
    # The start of the simulation's minute 0: the backfill ends here, and without the live
    # simulator the account stays as it was at this instant.
    zero_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def stop(self) -> None:
        if self.simulator is not None:
            self.simulator.stop()
            self.simulator = None
        self.server.stop()


def start_demo(seed: int | None, *, live: bool, backfill_minutes: int = 60) -> DemoAccount:
    """Start the server on 127.0.0.1, seed the account, and (when live) keep it moving."""
    import time

    from lambdatop.demo.seeder import seed_account
    from lambdatop.demo.server import DemoServer
    from lambdatop.demo.simulator import Simulator

    started = time.monotonic()
    server = DemoServer()
    server.start()
    try:
        actual_seed = 7 if seed is None else seed
        account = seed_account(
            server.endpoint_url, server.credentials, server.region, actual_seed, backfill_minutes=backfill_minutes
        )
        simulator = None
        if live:
            simulator = Simulator(server.endpoint_url, server.credentials, server.region, actual_seed, account=account)
            simulator.start()
    except BaseException:
        server.stop()
        raise
    return DemoAccount(
        endpoint_url=server.endpoint_url,
        credentials=server.credentials,
        region=server.region,
        server=server,
        simulator=simulator,
        seconds_to_seed=time.monotonic() - started,
        seconds_creating=account.seconds_to_seed,
        seconds_backfilling=account.seconds_to_backfill,
        zero_at=account.zero_at,
        seed=actual_seed,
    )
