"""How long a solve may search: the clock, or (repeatable runs) an estimate from work done.

A normal run stops at ``time_limit`` seconds of wall time. A repeatable run never reads the
clock to decide anything: each CP-SAT solve is limited by deterministic time (CP-SAT's own
count of the work it did), and the budget is charged with that work and with the Python work
of building each model, both converted to seconds at rates measured on the project's 2-core
machine (``params.REPEATABLE_*``). The same input, seed and workers then do the same work and
stop at the same rota on any machine; a slower machine only takes longer.
"""

from __future__ import annotations

import time

from rota.scheduler.params import (
    LOCAL_ITERATIONS_PER_SECOND,
    REPEATABLE_DTIME_PER_WORKER_SECOND,
    REPEATABLE_LNS_DTIME_PER_WORKER_SECOND,
    REPEATABLE_SECONDS_PER_MODEL_ITEM,
    REPEATABLE_SECONDS_PER_REFERRAL,
    REPEATABLE_SECONDS_PER_SESSION,
    SolveParams,
)


class Budget:
    """The search's remaining time, by the clock or (repeatable) by the work done."""

    def __init__(self, params: SolveParams, t0: float) -> None:
        self.t0 = t0
        self.repeatable = params.deterministic_time is not None
        self.limit = params.time_limit
        if params.deterministic_time is not None:
            self.limit = params.deterministic_time
        self.workers = params.workers
        self.spent = 0.0

    def elapsed(self) -> float:
        """Wall seconds since the solve began (for reports only, never for decisions when
        repeatable)."""
        return time.perf_counter() - self.t0

    def remaining(self) -> float:
        """Seconds left: by the clock, or the limit less the work charged so far."""
        if self.repeatable:
            return self.limit - self.spent
        return self.limit - self.elapsed()

    def used_up(self, margin: float = 0.0) -> bool:
        return self.remaining() <= margin

    def _rate(self, workers: int | None, neighbourhood: bool) -> float:
        per_worker = (
            REPEATABLE_LNS_DTIME_PER_WORKER_SECOND
            if neighbourhood
            else REPEATABLE_DTIME_PER_WORKER_SECOND
        )
        return per_worker * (workers or self.workers)

    def deterministic(
        self, seconds: float, workers: int | None = None, *, neighbourhood: bool = False
    ) -> float | None:
        """The deterministic time a CP-SAT solve of ``seconds`` with ``workers`` (default the
        run's) may take, on the whole week's model or an LNS ``neighbourhood``; None for a
        normal run (the clock limits it)."""
        if not self.repeatable:
            return None
        return max(0.0, seconds) * self._rate(workers, neighbourhood)

    def charge_solver(
        self, deterministic_time: float, workers: int | None = None, *, neighbourhood: bool = False
    ) -> None:
        """Charge a CP-SAT solve's work (repeatable runs)."""
        if self.repeatable:
            self.spent += deterministic_time / self._rate(workers, neighbourhood)

    def charge_model(self, items: int) -> None:
        """Charge building a model of ``items`` variables and constraints (repeatable runs)."""
        if self.repeatable:
            self.spent += items * REPEATABLE_SECONDS_PER_MODEL_ITEM

    def charge_rota(self, sessions: int) -> None:
        """Charge evaluating and checking a whole rota of ``sessions`` (repeatable runs)."""
        if self.repeatable:
            self.spent += sessions * REPEATABLE_SECONDS_PER_SESSION

    def charge_referrals(self, referrals: int) -> None:
        """Charge a pass over ``referrals`` that places them one by one: the candidates and
        the greedy rota, or the LNS insertion start (repeatable runs)."""
        if self.repeatable:
            self.spent += referrals * REPEATABLE_SECONDS_PER_REFERRAL

    def local_iterations(self, seconds: float) -> int | None:
        """Repeatable runs: the ruin-and-recreate iterations ``seconds`` of the budget buy;
        None for a normal run (the clock limits it)."""
        if not self.repeatable:
            return None
        return max(0, int(LOCAL_ITERATIONS_PER_SECOND * seconds))

    def charge_local(self, iterations: int) -> None:
        """Charge ruin-and-recreate iterations (repeatable runs)."""
        if self.repeatable:
            self.spent += iterations / LOCAL_ITERATIONS_PER_SECOND
