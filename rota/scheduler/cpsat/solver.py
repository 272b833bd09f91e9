"""Running CP-SAT: one solver set-up for every solve, and a stop signal that ends a search."""

from __future__ import annotations

import threading

from ortools.sat.python import cp_model, cp_model_helper

from rota.scheduler.params import STOP_POLL_SECONDS, SolveParams
from rota.scheduler.progress import StopSignal


def make_solver(
    params: SolveParams, seconds: float, deterministic: float | None, workers: int | None = None
) -> cp_model.CpSolver:
    """A CP-SAT solver with the run's workers (or ``workers``), seed and log. A repeatable run
    gives ``deterministic``: the work it may do, and no clock limit at all (workers then
    interleave, so the search is the same on any machine); otherwise ``seconds`` limits it.
    Ctrl-C never reaches CP-SAT: the caller's stop signal ends the search."""
    solver = cp_model.CpSolver()
    sp = solver.parameters
    num_workers = workers or params.workers
    if deterministic is not None:
        sp.max_deterministic_time = deterministic
        sp.interleave_search = num_workers > 1
    else:
        sp.max_time_in_seconds = seconds
    sp.num_workers = num_workers
    sp.random_seed = params.seed
    sp.log_search_progress = params.log
    sp.catch_sigint_signal = False
    return solver


def run_solver(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    stop: StopSignal | None,
    callback: cp_model.CpSolverSolutionCallback | None = None,
) -> cp_model_helper.CpSolverStatus:
    """``solver.solve(model)`` that ends early (keeping its best solution) once ``stop`` is set.

    The search runs in a worker thread while this thread looks at the signal every
    ``STOP_POLL_SECONDS``: so the main thread keeps running Python, and a Ctrl-C handler that
    sets the signal gets to run during a long search (it could not while CP-SAT held it)."""
    if stop is None:
        return solver.solve(model, callback)
    outcome: list[cp_model_helper.CpSolverStatus] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            outcome.append(solver.solve(model, callback))
        except BaseException as exc:  # re-raised in the caller's thread below
            failure.append(exc)

    worker = threading.Thread(target=work, name="rota-cp-sat", daemon=True)
    worker.start()
    asked = False
    try:
        while worker.is_alive():
            worker.join(STOP_POLL_SECONDS)
            if not asked and stop.is_set():
                solver.stop_search()
                asked = True
    except BaseException:
        solver.stop_search()  # e.g. a second Ctrl-C: end the search before leaving
        worker.join()
        raise
    if failure:
        raise failure[0]
    return outcome[0]
