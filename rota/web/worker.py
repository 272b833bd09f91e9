"""What runs in a solve's child process: the solve (or a scenario and its base), its progress
sent to the server, and its files written into the solve's own folder.

The server stops a child through the solver's stop event (the page's Stop button), so the
child ignores Ctrl-C: the server's own Ctrl-C ends the children itself.
Messages to the server are ``(kind, payload)`` tuples on a multiprocessing queue.
"""

from __future__ import annotations

import math
import signal
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from rota.models.problem import Problem
from rota.models.result import Result
from rota.reports.comparison import build_comparison, write_compare_workbook
from rota.scenarios.run import RunOutcome, build_jobs, solve_and_measure, with_base_rota
from rota.scenarios.spec import Scenario
from rota.scheduler.params import SolveParams
from rota.scheduler.progress import Progress, StopSignal


class Outbox(Protocol):
    """Where messages go: a multiprocessing queue (or a list's ``append`` in a test)."""

    def put(self, item: Any) -> None: ...


@dataclass(frozen=True)
class SolveTask:
    """Solve one input and write its files into ``folder``."""

    problem: Problem
    params: SolveParams
    folder: Path


@dataclass(frozen=True)
class ScenarioTask:
    """Solve a scenario against its base and compare them; ``base_result`` is a rota of the
    base already made on the page (then the base is not solved again), ``from_base`` gives
    the scenario the base rota as its previous rota so sessions move only where needed."""

    problem: Problem
    scenario: Scenario
    params: SolveParams
    folder: Path
    base_result: Result | None = None
    from_base: bool = True


Task = SolveTask | ScenarioTask


def progress_data(p: Progress, run: str = "") -> dict[str, Any]:
    """A progress line as JSON-ready numbers (no NaN: unknown is None)."""
    bound = None if math.isnan(p.bound) else p.bound
    objective = None if math.isnan(p.objective) else p.objective
    return {
        "elapsed": round(p.elapsed, 2),
        "placed": p.scheduled,
        "referrals": p.referrals,
        "travel": p.travel,
        "objective": objective,
        "bound": bound,
        "gap": p.gap if bound is not None and objective is not None else None,
        "source": p.source,
        "run": run,
    }


def run_task(task: Task, outbox: Outbox, stop: StopSignal) -> None:
    """The child process's entry point: never raises, says ``failed`` instead."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Anything a library spools to disk stays in the solve's folder.
    tmp = task.folder / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    tempfile.tempdir = str(tmp)
    try:
        if isinstance(task, SolveTask):
            solve_task(task, outbox, stop)
        else:
            scenario_task(task, outbox, stop)
    except Exception as exc:  # reported to the page that owns the data, never logged
        outbox.put(("failed", f"{type(exc).__name__}: {exc}"))


def solve_task(task: SolveTask, outbox: Outbox, stop: StopSignal) -> None:
    """Solve, send the rota at once, then write the downloads and send their names."""
    from rota.scheduler.solve import solve
    from rota.web.exports import write_downloads

    result = solve(
        task.problem,
        task.params,
        on_progress=lambda p: outbox.put(("progress", progress_data(p))),
        stop=stop,
    )
    outbox.put(("solved", result))
    files = write_downloads(task.problem, result, task.folder)
    outbox.put(("files", {name: str(path) for name, path in files.items()}))


def scenario_task(task: ScenarioTask, outbox: Outbox, stop: StopSignal) -> None:
    """The base (solved, or the page's rota), then the scenario; the comparison and its
    workbook."""
    from rota.scheduler.solve import solve

    def solver(run: str) -> Callable[[Problem, SolveParams], Result]:
        def solve_run(problem: Problem, params: SolveParams) -> Result:
            outbox.put(("step", f"Solving {run}"))
            return solve(
                problem,
                params,
                on_progress=lambda p: outbox.put(("progress", progress_data(p, run))),
                stop=stop,
            )

        return solve_run

    base_job, scenario_job = build_jobs(task.problem, [task.scenario])
    assert base_job.problem is not None and scenario_job.problem is not None
    if task.base_result is not None:
        kept = task.base_result
        outbox.put(("step", "The base: the rota already made on this page"))
        base = solve_and_measure(
            base_job.name, base_job.description, base_job.problem, task.params, lambda p, s: kept
        )
    else:
        base = solve_and_measure(
            base_job.name, base_job.description, base_job.problem, task.params, solver("base")
        )
    problem = scenario_job.problem
    if task.from_base and base.result is not None:
        problem = with_base_rota(problem, base.result.rota)
    other: RunOutcome = solve_and_measure(
        scenario_job.name, scenario_job.description, problem, task.params, solver(scenario_job.name)
    )
    other = replace(other, summary=scenario_job.summary)
    comparison = build_comparison([base, other])
    outbox.put(("compared", comparison))
    path = write_compare_workbook(comparison, task.folder / "comparison.xlsx", force=True)
    outbox.put(("files", {"comparison.xlsx": str(path)}))
