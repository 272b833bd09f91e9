"""The full strategy: the whole week as one CP-SAT model, hinted with the greedy rota.

It proves a bound and a gap, but its size grows with referrals x candidate options, so the
automatic choice uses it only for small services (``SolveParams.full_model_limit``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from rota.models import Problem, Rota
from rota.models.result import Status
from rota.scheduler.budget import Budget
from rota.scheduler.candidates import Candidates
from rota.scheduler.cpsat.build import build_model, extract_sessions
from rota.scheduler.cpsat.hint import complete_hint
from rota.scheduler.cpsat.solver import make_solver, run_solver
from rota.scheduler.cpsat.variables import Variables
from rota.scheduler.params import MIN_SOLVE_SECONDS, SolveParams
from rota.scheduler.progress import Progress, ProgressFn, StopSignal


@dataclass
class FullOutcome:
    """What the full model found: its status, best rota (None if none), objective and bound."""

    status: Status
    rota: Rota | None
    objective: float | None
    bound: float | None
    num_vars: int
    num_constraints: int


class _Recorder(cp_model.CpSolverSolutionCallback):
    """Keeps the best rota found so far, and reports progress."""

    def __init__(self, v: Variables, budget: Budget, on_progress: ProgressFn | None):
        super().__init__()
        self.v = v
        self.budget = budget
        self.on_progress = on_progress
        self.best: Rota | None = None

    def on_solution_callback(self) -> None:
        v = self.v
        elapsed = self.budget.elapsed()
        sessions = extract_sessions(v.problem, v, self.value, self.boolean_value)
        self.best = Rota(sessions=tuple(sessions))
        if self.on_progress:
            self.on_progress(
                Progress(
                    elapsed,
                    len(sessions),
                    len(v.problem.referrals),
                    self.objective_value,
                    self.best_objective_bound,
                    "cp-sat",
                    sum(minutes for arc, minutes in v.travel_terms if self.boolean_value(arc)),
                )
            )


def solve_full(
    problem: Problem,
    candidates: dict[str, Candidates],
    greedy: Rota,
    params: SolveParams,
    budget: Budget,
    on_progress: ProgressFn | None,
    stop: StopSignal | None = None,
    seconds: float | None = None,
) -> FullOutcome:
    """Solve the whole week as one model until the budget is used (or ``seconds`` of it) or
    ``stop`` is set."""
    built = build_model(problem, candidates, params, greedy)
    num_vars, num_constraints = built.size
    budget.charge_model(num_vars + num_constraints)
    complete_hint(built.model, budget, stop=stop)
    left = budget.remaining() if seconds is None else min(seconds, budget.remaining())
    seconds = max(MIN_SOLVE_SECONDS, left)
    solver = make_solver(params, seconds, budget.deterministic(seconds))
    recorder = _Recorder(built.v, budget, on_progress)
    code = run_solver(solver, built.model, stop, recorder)
    budget.charge_solver(solver.deterministic_time)
    status: Status = solver.status_name(code)  # type: ignore[assignment]
    if recorder.best is None:
        return FullOutcome(status, None, None, None, num_vars, num_constraints)
    return FullOutcome(
        status,
        recorder.best,
        solver.objective_value,
        solver.best_objective_bound,
        num_vars,
        num_constraints,
    )


__all__ = ["FullOutcome", "solve_full"]
