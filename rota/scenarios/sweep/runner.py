"""Running a sweep: the base rota first when runs re-plan from it, then every run through one
executor, as many at once as it has room for, with time-outs, retries of lost runs and the cache.

A run that fails, times out or cannot be built is recorded with the reason and the others go
on: nothing about one run stops the sweep. Runs are submitted only as room frees up, so that a
submitted run is a running one: "running" in the progress lines is true and a run's time-out
counts from its start (also on Dask, whose capacity is the cluster's threads, re-read as
workers come and go).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rota.models.rota import Rota
from rota.scenarios.compare import diff_rotas
from rota.scenarios.run import Solver, default_solver
from rota.scenarios.spec import Scenario, ScenarioError
from rota.scenarios.sweep.cache import ResultCache
from rota.scenarios.sweep.executors import RunExecutor
from rota.scenarios.sweep.spec import Run, Sweep
from rota.scenarios.sweep.task import RunResult, cache_key, digest, run_task
from rota.scheduler.params import SolveParams

Say = Callable[[str], None]
#: Times a run is submitted again after its worker went away, before it is recorded as failed.
LOST_LIMIT = 3
#: Seconds between status lines while nothing finishes.
HEARTBEAT = 60.0
#: A run overrunning its time-out by this much ends its worker process (see task._watchdog).
WATCHDOG_GRACE = 30.0
MOVE_KINDS = frozenset({"moved", "therapist", "room"})


@dataclass(frozen=True)
class SweepSettings:
    """How every run is solved, and when it is given up."""

    time_limit: float
    workers: int
    repeatable: bool
    timeout: float
    watchdog_grace: float = WATCHDOG_GRACE

    def params(self, seed: int) -> SolveParams:
        return SolveParams(
            time_limit=self.time_limit,
            workers=self.workers,
            seed=seed,
            deterministic_time=self.time_limit if self.repeatable else None,
        )


@dataclass
class RunRecord:
    """What became of one run (or of the base run, ``run`` None)."""

    run: Run | None
    result: RunResult | None = None
    error: str = ""
    timed_out: bool = False
    cached: bool = False
    lost: int = 0
    round_trip_seconds: float | None = None  # submitted -> result back, in this process
    changed: int | None = None  # referrals whose session differs from the base rota's

    @property
    def label(self) -> str:
        return self.run.label if self.run is not None else "base"

    @property
    def name(self) -> str:
        return f"run {self.run.number}" if self.run is not None else "base run"

    @property
    def ok(self) -> bool:
        return self.result is not None and not self.error


@dataclass
class SweepOutcome:
    """Every run's record, the base run's, and how the sweep went."""

    sweep: Sweep
    settings: SweepSettings
    records: list[RunRecord]
    base: RunRecord | None
    executor: str
    dashboard_link: str | None = None
    wall_seconds: float = 0.0
    stopped: bool = False
    notes: list[str] = field(default_factory=list)


class _Tally:
    """Done / running / failed counts and the best and worst runs so far, for progress lines."""

    def __init__(self, records: Sequence[RunRecord]):
        self.records = records

    def line(self, running: int) -> str:
        finished = [r for r in self.records if r.ok]
        failed = sum(1 for r in self.records if r.error)
        cached = sum(1 for r in finished if r.cached)
        waiting = len(self.records) - len(finished) - failed - running
        parts = [
            f"done {len(finished)}" + (f" ({cached} from the cache)" if cached else ""),
            f"running {running}",
            f"failed {failed}",
            f"waiting {max(0, waiting)}",
        ]
        if finished:
            key = _rank
            best, worst = max(finished, key=key), min(finished, key=key)
            parts.append(f"best {_short(best)}; worst {_short(worst)}")
        return "  " + ", ".join(parts)


def _rank(record: RunRecord) -> tuple[int, int]:
    """More placed is better; then less travel."""
    assert record.result is not None
    f = record.result.figures
    return (f.placed, -(f.travel_minutes or 0))


def _short(record: RunRecord) -> str:
    assert record.result is not None
    f = record.result.figures
    travel = f", travel {f.travel_minutes:,} min" if f.travel_minutes is not None else ""
    return f"{record.name} ({f.placed}/{f.referrals} placed{travel})"


def finished_text(record: RunRecord, total: int) -> str:
    """One progress line for a run that came back (or failed)."""
    number = record.run.number if record.run is not None else 0
    head = f"[{number}/{total}] {record.label}" if record.run is not None else "[base]"
    if record.error:
        return f"{head}: FAILED: {record.error}"
    assert record.result is not None
    f = record.result.figures
    travel = f", travel {f.travel_minutes:,} min" if f.travel_minutes is not None else ""
    where = "from the cache" if record.cached else f"{f.solve_seconds:.1f} s"
    return f"{head}: {f.placed}/{f.referrals} placed{travel} ({f.status}, {where})"


@dataclass
class _Flight:
    record: RunRecord
    submitted: float
    key: str | None


class _Sweeper:
    """The submission loop of one sweep (see the module docstring)."""

    def __init__(
        self,
        sweep: Sweep,
        runs: Sequence[Run],
        executor: RunExecutor,
        settings: SweepSettings,
        cache: ResultCache | None,
        say: Say,
        solver: Solver,
    ):
        self.sweep, self.executor, self.settings = sweep, executor, settings
        self.cache, self.say, self.solver = cache, say, solver
        self.records = [RunRecord(run) for run in runs]
        needs_base = any(run.plan == "from-base" for run in runs)
        self.base = RunRecord(None) if needs_base else None
        self.pending: list[RunRecord] = ([self.base] if self.base else []) + self.records
        self.running: dict[Any, _Flight] = {}
        self.tally = _Tally(self.records)
        problem_json = sweep.base.model_dump_json()
        self.problem_digest = digest(problem_json)
        self.shared = executor.share(problem_json)

    # -------------------------------------------------------------------------- submitting
    def base_rota(self) -> Rota | None:
        if self.base is None or self.base.result is None:
            return None
        return self.base.result.result.rota

    def _ready(self, record: RunRecord) -> bool:
        """Fresh runs are ready at once; runs from the base once the base run is over."""
        if record.run is None or record.run.plan == "fresh" or self.base is None:
            return True
        return self.base.ok or bool(self.base.error)

    def _fill(self) -> None:
        while self.pending and len(self.running) < self.executor.capacity():
            record = next((r for r in self.pending if self._ready(r)), None)
            if record is None:
                return
            self.pending.remove(record)
            self._start(record)

    def _start(self, record: RunRecord) -> None:
        run = record.run
        scenario = run.scenario if run is not None else Scenario(name="base")
        base_rota = None
        if run is not None and run.plan == "from-base":
            base_rota = self.base_rota()
            if base_rota is None:
                self._finish(
                    record,
                    error="not run: the base run failed, so there is no base rota to re-plan from",
                )
                return
        params = self.settings.params(run.seed if run else self.sweep.file.seed)
        key = cache_key(self.problem_digest, scenario, base_rota, params)
        cached = self.cache.load(key) if self.cache is not None else None
        if cached is not None:
            record.cached = True
            self._finish(record, result=cached)
            return
        future = self.executor.submit(
            run_task,
            self.shared,
            scenario,
            base_rota,
            params,
            self.settings.timeout + self.settings.watchdog_grace,
            self.solver,
            name=str(run.number if run else 0),
        )
        self.running[future] = _Flight(record, time.monotonic(), key)

    # -------------------------------------------------------------------------- results
    def _finish(self, record: RunRecord, result: RunResult | None = None, error: str = "") -> None:
        record.result, record.error = result, error
        self.say(finished_text(record, len(self.records)))

    def _collect(self, future: Any) -> None:
        flight = self.running.pop(future)
        record = flight.record
        try:
            error = future.exception()
        except Exception as exc:  # a cancelled Dask future raises instead of returning it
            error = exc
        if error is None:
            result: RunResult = future.result()
            record.round_trip_seconds = time.monotonic() - flight.submitted
            if self.cache is not None and flight.key is not None and not result.violations:
                self.cache.store(flight.key, result)
            self._finish(record, result=result)
        elif self.executor.is_lost(error) and record.lost + 1 < LOST_LIMIT:
            record.lost += 1
            self.say(f"[{record.label}] its worker stopped: run again ({record.lost} lost)")
            self.pending.insert(0, record)
        else:
            self._finish(record, error=describe_failure(error, record.lost))

    def _time_outs(self) -> None:
        now = time.monotonic()
        for future, flight in list(self.running.items()):
            if now - flight.submitted >= self.settings.timeout:
                del self.running[future]
                future.cancel()
                flight.record.timed_out = True
                self._finish(
                    flight.record,
                    error=f"timed out: no result within {self.settings.timeout:.0f} s "
                    f"(time limit {self.settings.time_limit:g} s)",
                )

    def _next_wait(self) -> float:
        now = time.monotonic()
        soonest = min(f.submitted + self.settings.timeout for f in self.running.values())
        return max(0.05, min(HEARTBEAT, soonest - now))

    def _running_runs(self) -> int:
        return sum(1 for f in self.running.values() if f.record.run is not None)

    def _finished(self) -> int:
        return sum(1 for r in self.records if r.result is not None or r.error)

    def loop(self) -> None:
        """Submit, wait, collect, until every run is over; after each round that finished runs
        (with the freed places filled again) or a quiet minute, the tally."""
        last_line, reported = time.monotonic(), 0
        while self.pending or self.running:
            self._fill()
            if self.running:
                done = self.executor.wait(self.running, timeout=self._next_wait())
                for future in done:
                    self._collect(future)
                self._time_outs()
                self._fill()
            elif self.pending and not any(self._ready(r) for r in self.pending):
                raise RuntimeError("sweep stalled: runs wait for a base run that never ran")
            quiet = time.monotonic() - last_line >= HEARTBEAT
            if self._finished() != reported or quiet:
                reported = self._finished()
                self.say(self.tally.line(self._running_runs()))
                last_line = time.monotonic()

    def stop(self) -> None:
        """Ctrl-C: every run not finished is recorded as stopped."""
        for future, flight in self.running.items():
            future.cancel()
            flight.record.error = "stopped before it finished (Ctrl-C)"
        self.running.clear()
        for record in self.pending:
            record.error = "not run: the sweep was stopped (Ctrl-C)"
        self.pending.clear()


def describe_failure(error: BaseException, lost: int) -> str:
    """A failed run's reason in plain words."""
    if isinstance(error, ScenarioError):
        return "its changes do not fit together: " + "; ".join(error.messages)
    name = type(error).__name__
    if name in ("KilledWorker", "BrokenProcessPool"):
        return (
            f"the worker process running it stopped {lost + 1} time(s) (out of memory, or killed)"
        )
    return f"the solve failed: {name}: {error}"


def changed_sessions(base: Rota, rota: Rota) -> int:
    """Referrals whose session moved, changed therapist or changed room against ``base``."""
    return len({c.referral_id for c in diff_rotas(base, rota) if c.kind in MOVE_KINDS})


def run_sweep(
    sweep: Sweep,
    runs: Sequence[Run],
    executor: RunExecutor,
    settings: SweepSettings,
    *,
    cache: ResultCache | None = None,
    say: Say | None = None,
    solver: Solver = default_solver,
) -> SweepOutcome:
    """Solve every run (see the module docstring). Ctrl-C stops the sweep and returns what
    finished; the executor is the caller's to close."""
    speak = say or (lambda _line: None)
    t0 = time.perf_counter()
    sweeper = _Sweeper(sweep, runs, executor, settings, cache, speak, solver)
    stopped = False
    try:
        sweeper.loop()
    except KeyboardInterrupt:
        stopped = True
        sweeper.stop()
        speak("stopped: the workbook shows the runs that finished")
    base_rota = sweeper.base_rota()
    if base_rota is not None:
        for record in sweeper.records:
            if record.result is not None:
                record.changed = changed_sessions(base_rota, record.result.result.rota)
    return SweepOutcome(
        sweep=sweep,
        settings=settings,
        records=sweeper.records,
        base=sweeper.base,
        executor=executor.description,
        dashboard_link=executor.dashboard_link,
        wall_seconds=time.perf_counter() - t0,
        stopped=stopped,
    )
