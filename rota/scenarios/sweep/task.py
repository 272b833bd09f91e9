"""One sweep run as a task: the serialised base Problem, the run's changes and parameters in;
a compact result (figures, cost terms, the rota) out. Runs in a worker process, local or Dask.

The task never sends the Problem back, only what the workbook shows and the rota, so that a
cluster moves little data. A watchdog ends the worker process if the run overruns its hard
limit by far (a hung solve must not hold a worker for ever); the process pool or the Dask
nanny starts a new one.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from rota import __version__
from rota.models.problem import Problem
from rota.models.result import Result
from rota.models.rota import Rota
from rota.scenarios.run import Solver, default_solver, solve_and_measure, with_base_rota
from rota.scenarios.spec import Scenario
from rota.scheduler.params import SolveParams

#: Bump when RunResult changes, so that older cached results are not read.
CACHE_FORMAT = 1
#: Exit code of a worker ended by the watchdog (its run overran).
WATCHDOG_EXIT = 75


class RunFigures(BaseModel):
    """What one run achieved, as the sweep workbook shows it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: str
    referrals: int
    placed: int
    placed_by_priority: dict[int, int]
    referrals_by_priority: dict[int, int]
    travel_minutes: int | None
    utilisation: float | None
    continuity_kept: int
    continuity_possible: int
    term_cost: float | None
    objective: float | None
    gap: float | None
    solve_seconds: float

    @property
    def cost_per_placed(self) -> float | None:
        """Term cost per referral placed (None without a price or a placement)."""
        if self.term_cost is None or not self.placed:
            return None
        return self.term_cost / self.placed


class RunResult(BaseModel):
    """A finished run: its figures, the solver's Result (rota, cost terms) and where it ran."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    figures: RunFigures
    result: Result
    violations: tuple[str, ...] = ()
    cost_warnings: tuple[str, ...] = ()
    worker: str = Field("", description="host and process id of the worker that solved it")
    task_seconds: float = Field(0.0, description="Wall time inside the task, solve included")
    rota_version: str = __version__
    ortools_version: str = ""


def ortools_version() -> str:
    """The installed OR-Tools version ('' when it is not installed)."""
    try:
        return version("ortools")
    except PackageNotFoundError:
        return ""


def versions() -> tuple[str, str]:
    """(rota, OR-Tools) versions of this process: a cluster's workers must match the client."""
    return __version__, ortools_version()


def digest(text: str) -> str:
    """SHA-256 of a text, hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_key(
    problem_digest: str, scenario: Scenario, base_rota: Rota | None, params: SolveParams
) -> str:
    """The hash a run's result is cached under: the problem, the run's changes, the base rota it
    re-plans from, every solve parameter (time limit, workers and seed among them) and the
    versions of rota and OR-Tools."""
    parts: dict[str, Any] = {
        "format": CACHE_FORMAT,
        "problem": problem_digest,
        "changes": scenario.model_dump(mode="json")["changes"],
        "base_rota": None if base_rota is None else digest(base_rota.model_dump_json()),
        "params": params.model_dump(mode="json"),
        "versions": versions(),
    }
    return digest(json.dumps(parts, sort_keys=True, default=str))


def run_problem(base: Problem, scenario: Scenario, base_rota: Rota | None) -> Problem:
    """The run's Problem: the base with its changes, and the base rota as its previous rota when
    it re-plans from the base (raises ScenarioError for changes that do not fit together)."""
    from rota.scenarios.apply import apply_scenario

    problem = apply_scenario(base, scenario) if scenario.changes else base
    return with_base_rota(problem, base_rota) if base_rota is not None else problem


def figures(problem: Problem, result: Result, term_cost: float | None) -> RunFigures:
    """The figures of a solved run (counts from the Problem and the Rota)."""
    from rota.scenarios.compare import figures_of

    f = figures_of("run", problem, result, term_cost=term_cost)
    by_priority = {
        p: f.scheduled_by_priority.get(p, 0) + f.unscheduled_by_priority.get(p, 0)
        for p in range(1, 6)
    }
    return RunFigures(
        status=f.status,
        referrals=f.referrals,
        placed=f.scheduled,
        placed_by_priority=dict(f.scheduled_by_priority),
        referrals_by_priority=by_priority,
        travel_minutes=f.travel_minutes,
        utilisation=f.utilisation,
        continuity_kept=f.continuity_kept,
        continuity_possible=f.continuity_possible,
        term_cost=term_cost,
        objective=result.objective,
        gap=f.gap,
        solve_seconds=result.wall_seconds,
    )


def _watchdog(seconds: float | None) -> threading.Timer | None:
    """End this worker process after ``seconds`` unless cancelled; only in a worker process
    (never in the process that runs the sweep itself)."""
    import multiprocessing

    if seconds is None or multiprocessing.parent_process() is None:
        return None
    timer = threading.Timer(seconds, os._exit, (WATCHDOG_EXIT,))
    timer.daemon = True
    timer.start()
    return timer


def run_task(
    problem_json: str,
    scenario: Scenario,
    base_rota: Rota | None,
    params: SolveParams,
    watchdog_seconds: float | None = None,
    solver: Solver = default_solver,
) -> RunResult:
    """Solve one run (inside a worker) and return its compact result. Bad changes raise
    ScenarioError; a failing solve raises its own error: the sweep records either."""
    t0 = time.perf_counter()
    timer = _watchdog(watchdog_seconds)
    try:
        problem = run_problem(Problem.model_validate_json(problem_json), scenario, base_rota)
        outcome = solve_and_measure(scenario.name, "", problem, params, solver)
    finally:
        if timer is not None:
            timer.cancel()
    assert outcome.result is not None
    return RunResult(
        figures=figures(problem, outcome.result, outcome.term_cost),
        result=outcome.result,
        violations=outcome.violations,
        cost_warnings=outcome.cost_warnings,
        worker=f"{socket.gethostname()}:{os.getpid()}",
        task_seconds=time.perf_counter() - t0,
        ortools_version=ortools_version(),
    )


TaskFn = Callable[..., RunResult]
