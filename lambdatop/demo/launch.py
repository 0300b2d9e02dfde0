"""Bring the demo account up and down: embedded server, seeded account, live simulator."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

log = logging.getLogger(__name__)


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
    seconds_backfilling: float = 0.0  # of which writing the last hour (its first part, if in two)
    seed: int = 7
    # The start of the simulation's minute 0: the backfill ends here, and without the live
    # simulator the account stays as it was at this instant.
    zero_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Set once the whole backfill is written (at once, or behind the screen) and the live
    # simulator, if any, runs; or once a stop made the rest of the backfill moot.
    backfilled: threading.Event = field(default_factory=threading.Event)
    # Why the second part of a two-part backfill failed (not while stopping), for diagnostics.
    backfill_error: BaseException | None = None
    # The second part waits for this (or its `hold_s`), so that it does not slow the reads of
    # the first screen down (the server shares this process).
    _go_on: threading.Event = field(default_factory=threading.Event)
    _behind: threading.Thread | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_until_backfilled(self, timeout_s: float | None = None) -> bool:
        return self.backfilled.wait(timeout_s)

    def go_on(self) -> None:
        """The first screen is read: write the rest of the backfill now."""
        self._go_on.set()

    def stop(self) -> None:
        self._stopping.set()
        self._go_on.set()
        behind, self._behind = self._behind, None
        if behind is not None and behind is not threading.current_thread():
            # Stopping the server below makes its remaining calls fail, so it ends soon.
            behind.join(timeout=0.5)
        with self._lock:
            simulator, self.simulator = self.simulator, None
        if simulator is not None:
            simulator.stop()
        self.server.stop()
        if behind is not None and behind is not threading.current_thread():
            behind.join(timeout=10)

    def _finish_behind(self, account: Any, live: bool, hold_s: float) -> None:
        """The rest of a two-part backfill, then the live simulator (they share the emitter)."""
        from lambdatop.demo.seeder import finish_backfill
        from lambdatop.demo.simulator import Simulator

        self._go_on.wait(hold_s)
        try:
            if not self._stopping.is_set():
                finish_backfill(account)
        except Exception as error:  # the server may be going away; the screen keeps what it has
            if not self._stopping.is_set():
                self.backfill_error = error
                # debug, not warning: with no handler set, a warning would print over the screen.
                log.debug("demo: writing the rest of the backfill failed", exc_info=True)
        with self._lock:
            if live and not self._stopping.is_set():
                self.simulator = Simulator(self.endpoint_url, self.credentials, self.region, self.seed, account=account)
                self.simulator.start()
        self.backfilled.set()


def start_demo(
    seed: int | None,
    *,
    live: bool,
    backfill_minutes: int = 60,
    first_screen_minutes: int | None = None,
    hold_s: float = 0.0,
) -> DemoAccount:
    """Start the server on 127.0.0.1, seed the account, and (when live) keep it moving.

    With `first_screen_minutes` shorter than the backfill, this returns as soon as the metrics
    and logs of those last minutes are written; the rest follows on a background
    thread, and the live simulator starts after them (`DemoAccount.backfilled`). That thread
    starts writing after `hold_s` seconds, or as soon as `DemoAccount.go_on()` is called.
    """
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
            server.endpoint_url,
            server.credentials,
            server.region,
            actual_seed,
            backfill_minutes=backfill_minutes,
            first_screen_minutes=first_screen_minutes,
        )
        simulator = None
        if live and not account.backfill_pending:
            simulator = Simulator(server.endpoint_url, server.credentials, server.region, actual_seed, account=account)
            simulator.start()
    except BaseException:
        server.stop()
        raise
    demo = DemoAccount(
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
    if not account.backfill_pending:
        demo.backfilled.set()
    else:
        demo._behind = threading.Thread(
            target=demo._finish_behind, args=(account, live, hold_s), name="lambdatop-demo-backfill", daemon=True
        )
        demo._behind.start()
    return demo
