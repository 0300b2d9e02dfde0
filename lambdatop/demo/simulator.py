"""The live loop: every tick, read the configuration back from the server, then write.

`Simulator` runs `tick()` on a daemon thread: read the configuration back from the server
(reserved concurrency, alias weights), then emit up to now. Ticks also land just after each
minute boundary, so a reader whose EndTime is now floored to the minute sees complete minutes.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import TYPE_CHECKING

from lambdatop.clock import Clock, SystemClock
from lambdatop.demo.clients import make_clients
from lambdatop.demo.configuration import FunctionState, initial_state, read_states
from lambdatop.demo.emitter import EmitStats
from lambdatop.demo.fleet import Fleet
from lambdatop.demo.scenarios import build_demo_fleet

if TYPE_CHECKING:
    from lambdatop.demo.seeder import SeededAccount

log = logging.getLogger(__name__)


class Simulator:
    """Keeps the seeded account moving: every tick, read the configuration back and write."""

    # Per tick, at most this many functions have their configuration read: the watched ones
    # (see _names_to_read) and, in turn, the others; on the demo fleet each is read at least
    # every third tick.
    max_reads_per_tick = 12
    # After a long pause (a suspended laptop), write at most this much of the gap.
    max_catch_up = timedelta(minutes=15)

    def __init__(
        self,
        endpoint_url: str,
        credentials: tuple[str, str],
        region: str,
        seed: int | str,
        *,
        clock: Clock | None = None,
        tick_s: float = 5.0,
        account: SeededAccount | None = None,
        fleet: Fleet | None = None,
    ) -> None:
        from lambdatop.demo.seeder import attach_emitter, find_account

        self.clock = clock or SystemClock()
        self.tick_s = tick_s
        self.seed = seed
        account = account or find_account(endpoint_url, region, seed)
        if account is not None:
            self.fleet = account.fleet
            self.emitter = account.emitter
            self._clients = account.emitter.clients
        else:
            self.fleet = fleet or build_demo_fleet()
            services = ("lambda", "logs", "cloudwatch", "sqs", "sts", "xray")
            self._clients = make_clients(endpoint_url, credentials, region, services)
            self.emitter = attach_emitter(self._clients, self.fleet, seed, region, self.clock.now())
        self.states: dict[str, FunctionState] = initial_state(self.fleet)
        self._always_read = [s.name for s in self.fleet.functions if s.alias or s.reserved_concurrency is not None]
        self._rotation = [s.name for s in self.fleet.functions if s.name not in self._always_read]
        self._rotation_at = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.ticks = 0
        self.last_error: BaseException | None = None

    # Public API -------------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="lambdatop-demo-sim", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout_s)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def tick(self) -> EmitStats:
        """Read the configuration back, then write everything up to now."""
        with self._lock:
            self.states = read_states(self._clients["lambda"], self.fleet, self.states, self._names_to_read())
            now = self.clock.now()
            self.emitter.skip_to(now - self.max_catch_up)
            stats = self.emitter.emit(now, self.states)
            self.ticks += 1
            return stats

    # Internals --------------------------------------------------------------------------------

    def _names_to_read(self) -> list[str]:
        """Functions seeded with a cap or an alias, or changed since, every tick; the rest in turn.

        Each read is a control-plane call of a few ms on the local server; reading two dozen
        every tick would cost the UI thread more than the rest of the tick.
        """
        if self.ticks == 0:  # the first tick reads everything: the operator may have acted
            return [s.name for s in self.fleet.functions]
        seeded = {s.name: FunctionState.from_spec(s) for s in self.fleet.functions}
        watched = list(self._always_read)
        watched += [n for n in self._rotation if self.states.get(n) != seeded[n]]
        budget = max(0, self.max_reads_per_tick - len(watched))
        others = [n for n in self._rotation if n not in watched]
        names = list(watched)
        if others and budget:
            count = min(budget, len(others))
            names += [others[(self._rotation_at + k) % len(others)] for k in range(count)]
            self._rotation_at = (self._rotation_at + count) % len(others)
        return names

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
                self.last_error = None
            except Exception as error:  # the server may be going away; keep the app alive
                self.last_error = error
                log.debug("demo simulator tick failed", exc_info=True)
            self._stop.wait(self._seconds_to_next_tick())

    def _seconds_to_next_tick(self) -> float:
        now = self.clock.now()
        into_minute = now.second + now.microsecond / 1e6
        to_boundary = 60.0 - into_minute + 0.05
        return max(0.05, min(self.tick_s, to_boundary))
