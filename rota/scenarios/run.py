"""Running the base and its scenarios: one solver process each, in parallel, and their figures.

Scenarios are applied in the parent process (that is quick, and a bad scenario is reported
before anything is solved); the solves run in a ``ProcessPoolExecutor`` with the spawn start
method, at most ``jobs`` at a time, each with its own time limit. A scenario whose input is
bad, or whose solve fails, is reported and the others still run.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace

from rota.models.entities import PreviousSession, Settings
from rota.models.problem import Problem, did_you_mean
from rota.models.result import Kpis, Result
from rota.models.rota import Rota
from rota.scenarios.apply import apply_scenario, rebuild
from rota.scenarios.spec import Scenario, ScenarioError, SetSetting
from rota.scheduler.params import SolveParams

Solver = Callable[[Problem, SolveParams], Result]
Progress = Callable[[str], None]
BASE_NAME = "base"


@dataclass(frozen=True)
class Job:
    """One run to make: a name, what it asks, and its Problem (None when it could not be built)."""

    name: str
    description: str = ""
    problem: Problem | None = None
    errors: tuple[str, ...] = ()
    summary: str = ""  # the changes, a line each


@dataclass(frozen=True)
class RunOutcome:
    """A finished run: its Problem and Result with figures, or the errors that stopped it."""

    name: str
    description: str
    problem: Problem | None
    result: Result | None = None
    kpis: Kpis | None = None
    term_cost: float | None = None
    cost_warnings: tuple[str, ...] = ()
    violations: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    wall_seconds: float = 0.0
    summary: str = ""

    @property
    def ok(self) -> bool:
        return self.result is not None and not self.errors


def default_solver(problem: Problem, params: SolveParams) -> Result:
    """rota's CP-SAT solve (imported late so that a worker loads ortools only when it solves)."""
    from rota.scheduler.solve import solve

    return solve(problem, params)


def solve_and_measure(
    name: str, description: str, problem: Problem, params: SolveParams, solver: Solver
) -> RunOutcome:
    """Solve one Problem and work out its figures; runs inside a worker process."""
    from rota.evaluate.check import check
    from rota.evaluate.kpis import compute_kpis
    from rota.evaluate.term_costs import term_costs

    t0 = time.perf_counter()
    result = solver(problem, params)
    kpis = result.kpis or compute_kpis(problem, result.rota)
    costs = term_costs(problem, result.rota)
    priced = problem.settings.term_start is not None and bool(problem.rates)
    violations = tuple(str(v) for v in check(problem, result.rota))
    return RunOutcome(
        name=name,
        description=description,
        problem=problem,
        result=result,
        kpis=kpis,
        term_cost=costs.total_cost if priced else None,
        cost_warnings=costs.warnings,
        violations=violations,
        wall_seconds=time.perf_counter() - t0,
    )


# ------------------------------------------------------------------------------ building jobs
def parse_sweep(text: str) -> tuple[str, list[str]]:
    """``admin_minutes=5,10,15`` -> ("admin_minutes", ["5", "10", "15"]); ValueError if bad."""
    name, sep, values = text.partition("=")
    name = name.strip()
    items = [v.strip() for v in values.split(",") if v.strip()]
    if not sep or not name or not items:
        raise ValueError(f"--sweep '{text}': use NAME=V1,V2,... e.g. admin_minutes=5,10,15")
    if name not in Settings.model_fields:
        raise ValueError(
            f"--sweep '{text}': unknown setting '{name}'"
            + did_you_mean(name, list(Settings.model_fields))
        )
    return name, items


def sweep_scenarios(text: str) -> list[Scenario]:
    """One scenario per value of a sweep, each setting the one setting."""
    name, values = parse_sweep(text)
    return [
        Scenario(
            name=f"{name}={value}",
            description=f"{name} set to {value}",
            changes=(SetSetting(op="set_setting", name=name, value=value),),
            source_label=f"--sweep {name}={value}",
        )
        for value in values
    ]


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)``, ... when another run already has it."""
    out, i = name, 2
    while out.lower() in taken:
        out = f"{name} ({i})"
        i += 1
    taken.add(out.lower())
    return out


def build_jobs(base: Problem, scenarios: Sequence[Scenario | Job]) -> list[Job]:
    """The base first, then each scenario applied to it (or its located errors). A Job given
    instead of a scenario (a file that could not be read) is passed on under a unique name."""
    taken = {BASE_NAME}
    jobs = [Job(BASE_NAME, "the base workbook as it is", base)]
    for scenario in scenarios:
        if isinstance(scenario, Job):
            jobs.append(replace(scenario, name=unique_name(scenario.name, taken)))
            continue
        name = unique_name(scenario.name, taken)
        try:
            problem = apply_scenario(base, scenario)
        except ScenarioError as exc:
            jobs.append(Job(name, scenario.description, None, tuple(exc.messages)))
            continue
        jobs.append(Job(name, scenario.description, problem, summary=scenario.summary))
    return jobs


def with_base_rota(problem: Problem, rota: Rota) -> Problem:
    """The Problem with the base rota as its previous rota (unpinned), so that the solver keeps
    sessions where they were unless the scenario forces a move.

    Referrals that already have previous rows keep theirs; a session whose referral, therapist
    or room the scenario took out, or whose start is off the scenario's slot grid, is left out.
    """
    has_rows = {p.referral_id for p in problem.previous}
    grid = problem.settings.slot_minutes
    rows = [
        PreviousSession(
            referral_id=s.referral_id,
            therapist_id=tid,
            day=s.day,
            start=s.start,
            room_id=s.room_id,
        )
        for s in rota.sessions
        if s.referral_id in problem.referral_by_id
        and s.referral_id not in has_rows
        and s.room_id in problem.room_by_id
        and s.start % grid == 0
        and all(t in problem.therapist_by_id for t in s.therapist_ids)
        for tid in s.therapist_ids
    ]
    return rebuild(problem, previous=(*problem.previous, *rows))


# ------------------------------------------------------------------------------ running
def default_jobs(num_runs: int) -> int:
    """Parallel solves: one per core, no more than there are runs."""
    return max(1, min(num_runs, os.cpu_count() or 1))


def _finished_text(outcome: RunOutcome) -> str:
    result, kpis = outcome.result, outcome.kpis
    assert result is not None and outcome.problem is not None
    scheduled = kpis.scheduled if kpis else len(result.rota.sessions)
    travel = f"travel {kpis.travel_minutes} min, " if kpis else ""
    return (
        f"[{outcome.name}] finished: {result.status}, {scheduled}/"
        f"{len(outcome.problem.referrals)} scheduled, {travel}{outcome.wall_seconds:.1f} s"
    )


def run_jobs(
    jobs: Sequence[Job],
    params: SolveParams,
    *,
    max_parallel: int = 1,
    solver: Solver = default_solver,
    progress: Progress | None = None,
) -> list[RunOutcome]:
    """Solve every job that has a Problem, ``max_parallel`` at a time, in a process each when
    more than one runs at once. Outcomes come back in the jobs' order; a failing solve becomes
    an outcome with its error, never an exception."""
    say = progress or (lambda _msg: None)
    outcomes: dict[int, RunOutcome] = {}
    todo: list[tuple[int, Job]] = []
    for idx, job in enumerate(jobs):
        if job.problem is None:
            say(f"[{job.name}] not run: {len(job.errors)} error(s) in the scenario")
            outcomes[idx] = RunOutcome(job.name, job.description, None, errors=job.errors)
        else:
            todo.append((idx, job))

    def failed(idx: int, job: Job, exc: BaseException) -> None:
        say(f"[{job.name}] failed: {type(exc).__name__}: {exc}")
        outcomes[idx] = RunOutcome(
            job.name,
            job.description,
            job.problem,
            errors=(f"the solve failed: {type(exc).__name__}: {exc}",),
        )

    def finished(idx: int, outcome: RunOutcome) -> None:
        say(_finished_text(outcome))
        outcomes[idx] = replace(outcome, summary=jobs[idx].summary)

    if max_parallel <= 1 or len(todo) <= 1:
        for idx, job in todo:
            assert job.problem is not None
            say(f"[{job.name}] started")
            try:
                finished(
                    idx, solve_and_measure(job.name, job.description, job.problem, params, solver)
                )
            except Exception as exc:  # reported as this run's failure; the others still run
                failed(idx, job, exc)
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=max_parallel, mp_context=context) as pool:
            queue = list(todo)
            running: dict[Future[RunOutcome], tuple[int, Job]] = {}
            while queue or running:
                # Submit only as many as run at once, so that "started" means started.
                while queue and len(running) < max_parallel:
                    idx, job = queue.pop(0)
                    assert job.problem is not None
                    say(f"[{job.name}] started")
                    future = pool.submit(
                        solve_and_measure, job.name, job.description, job.problem, params, solver
                    )
                    running[future] = (idx, job)
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    idx, job = running.pop(future)
                    error = future.exception()
                    if error is not None:
                        failed(idx, job, error)
                    else:
                        finished(idx, future.result())
    return [outcomes[i] for i in range(len(jobs))]
