"""Solvers for the sweep tests, importable by worker processes (local and Dask)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from rota.models.problem import Problem
from rota.models.result import Result
from rota.scenarios.run import default_solver
from rota.scheduler.params import SolveParams

#: Folder where crash_once_solver leaves a marker per seed (set by the test).
MARKERS = "ROTA_TEST_SWEEP_MARKERS"


def crash_once_solver(problem: Problem, params: SolveParams) -> Result:
    """The first attempt at seed 1 ends its worker process mid-run (as a killed or crashed
    worker would) after noting its process id; every other attempt solves."""
    marker = Path(os.environ[MARKERS]) / f"seed-{params.seed}"
    if params.seed == 1 and not marker.exists():
        marker.write_text(str(os.getpid()))
        time.sleep(0.5)
        os._exit(9)
    return default_solver(problem, params)


def hanging_solver(problem: Problem, params: SolveParams) -> Result:
    """Seed 1 never finishes (a hung solve); the others solve."""
    if params.seed == 1:
        time.sleep(3600)
    return default_solver(problem, params)


def failing_solver(problem: Problem, params: SolveParams) -> Result:
    """Seed 1 fails with an error; the others solve."""
    if params.seed == 1:
        raise RuntimeError("solver crashed")
    return default_solver(problem, params)
