"""solve(problem, params) -> Result: candidates, greedy start, then CP-SAT, reasons, check.

A small service is one CP-SAT model (which also proves a bound); a larger one is improved by
large-neighbourhood search (lns.py). Never raises because a problem is infeasible or time ran
out: the greedy rota exists within seconds and is returned if nothing better is found; Ctrl-C
stops the search and keeps the best rota found. The returned rota always passes the checker
(a failure would be a bug, reported loudly, and the checked greedy rota is returned instead).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from rota.models import DAYS, Problem, Rota, Session
from rota.models.result import Result, Status
from rota.scheduler import constraints
from rota.scheduler.candidates import (
    Candidates,
    Option,
    build_candidates,
    therapists_by_distance,
)
from rota.scheduler.greedy import greedy_rota, insertion_rota
from rota.scheduler.hint import add_hint, complete_hint
from rota.scheduler.lns import improve, total_cost
from rota.scheduler.objective import build_objective, cost_terms
from rota.scheduler.params import PRIORITY_WEIGHT, SolveParams
from rota.scheduler.reasons import explain_unscheduled
from rota.scheduler.variables import DAY_MINUTES, Variables


@dataclass
class Progress:
    """One line of progress: what the best rota so far achieves."""

    elapsed: float
    scheduled: int
    referrals: int
    objective: float
    bound: float
    source: str  # "greedy", "insertion", "cp-sat" or "lns"
    travel: int | None = None  # driving minutes a week of that rota

    @property
    def gap(self) -> float:
        return abs(self.objective - self.bound) / max(1.0, abs(self.objective))


ProgressFn = Callable[[Progress], None]


def restrict_candidates(
    problem: Problem, candidates: dict[str, Candidates], greedy: Rota, per_referral: int
) -> dict[str, Candidates]:
    """Keep, for each referral, the options of its current therapist, the greedy's therapists,
    the therapists of previous sessions and the ``per_referral`` nearest others (by base)."""
    if per_referral <= 0:
        return candidates
    greedy_by_ref = {s.referral_id: set(s.therapist_ids) for s in greedy.sessions}
    prev_by_ref: dict[str, set[str]] = defaultdict(set)
    for p in problem.previous:
        prev_by_ref[p.referral_id].add(p.therapist_id)
    out: dict[str, Candidates] = {}
    for rid, cand in candidates.items():
        keep = set(greedy_by_ref.get(rid, ())) | prev_by_ref.get(rid, set())
        if cand.referral.current_therapist_id:
            keep.add(cand.referral.current_therapist_id)
        nearest = therapists_by_distance(problem, cand)
        need = max(per_referral, cand.referral.therapists_needed + 1)
        for t in nearest:
            if len(keep) >= need + len(keep & set(greedy_by_ref.get(rid, ()))):
                break
            keep.add(t)
        options = [o for o in cand.options if o.therapist_id in keep]
        out[rid] = Candidates(cand.referral, cand.rooms, cand.room_starts, options, cand.reason)
    return out


class _Recorder(cp_model.CpSolverSolutionCallback):
    """Keeps the values needed to rebuild the best rota, and reports progress."""

    def __init__(self, v: Variables, t0: float, on_progress: ProgressFn | None):
        super().__init__()
        self.v = v
        self.t0 = t0
        self.on_progress = on_progress
        self.best: dict[str, tuple[int, list[Option], str]] | None = None
        self.first_time: float | None = None
        self.count = 0

    def on_solution_callback(self) -> None:
        v = self.v
        elapsed = time.perf_counter() - self.t0
        if self.first_time is None:
            self.first_time = elapsed
        self.count += 1
        sol: dict[str, tuple[int, list[Option], str]] = {}
        for rid, x in v.scheduled.items():
            if not self.boolean_value(x):
                continue
            options = [o for o, a in v.options_of(rid) if self.boolean_value(a)]
            room = next(r for r, z in v.rooms_of(rid) if self.boolean_value(z))
            sol[rid] = (self.value(v.start[rid]), options, room)
        self.best = sol
        if self.on_progress:
            self.on_progress(
                Progress(
                    elapsed,
                    len(sol),
                    len(v.problem.referrals),
                    self.objective_value,
                    self.best_objective_bound,
                    "cp-sat",
                    sum(minutes for arc, minutes in v.travel_terms if self.boolean_value(arc)),
                )
            )


def _rota_from(problem: Problem, sol: dict[str, tuple[int, list[Option], str]]) -> Rota:
    sessions = []
    for rid, (start, options, room_id) in sol.items():
        ref = problem.referral_by_id[rid]
        day_idx, minute = divmod(start, DAY_MINUTES)
        sessions.append(
            Session(
                referral_id=rid,
                therapist_ids=tuple(sorted(o.therapist_id for o in options)),
                site_id=problem.room_by_id[room_id].site_id,
                room_id=room_id,
                day=DAYS[day_idx],
                start=minute,
                end=minute + ref.minutes,
            )
        )
    return Rota(sessions=tuple(sessions))


def _build_full_model(
    problem: Problem, candidates: dict[str, Candidates], greedy: Rota, params: SolveParams
) -> tuple[cp_model.CpModel, Variables, bool]:
    """The whole week as one model, hinted with the greedy rota."""
    model = cp_model.CpModel()
    v = Variables(model, problem, candidates)
    travel_terms = constraints.add_travel_rules(model, v)
    constraints.add_referral_rules(model, v)
    constraints.add_room_rules(model, v)
    constraints.add_therapist_rules(model, v)
    constraints.add_limit_rules(model, v)
    keep = constraints.add_previous_rules(model, v) if params.use_previous else {}
    build_objective(model, v, params.weights, travel_terms, keep)
    add_hint(model, v, greedy)
    return model, v, bool(keep)


def solve(
    problem: Problem, params: SolveParams | None = None, on_progress: ProgressFn | None = None
) -> Result:
    """The best weekly rota within the time limit (see the module docstring)."""
    from rota.scheduler.check import check
    from rota.scheduler.kpis import compute_kpis

    params = params or SolveParams()
    t0 = time.perf_counter()
    deadline = t0 + params.time_limit
    candidates = build_candidates(problem, params.nearest_therapists)
    greedy = greedy_rota(problem, candidates)
    greedy_seconds = time.perf_counter() - t0
    weighted_bound = sum(
        PRIORITY_WEIGHT[c.referral.priority] for c in candidates.values() if c.feasible
    )
    greedy_cost = total_cost(problem, greedy, params)

    def report(rota: Rota, cost: float, bound: float, source: str) -> None:
        if on_progress:
            travel = next(
                t.units
                for t in cost_terms(problem, rota, params.weights)
                if t.label == "travel minutes"
            )
            on_progress(
                Progress(
                    time.perf_counter() - t0,
                    len(rota.sessions),
                    len(problem.referrals),
                    cost,
                    bound,
                    source,
                    travel,
                )
            )

    report(greedy, greedy_cost, float("nan"), "greedy")
    restricted = restrict_candidates(problem, candidates, greedy, params.therapists_per_referral)
    num_options = sum(len(c.options) for c in restricted.values())
    strategy = params.strategy
    if strategy == "auto":
        strategy = "full" if num_options <= params.full_model_limit else "lns"

    best, best_cost, source = greedy, greedy_cost, "greedy"
    status: Status = "FEASIBLE" if greedy.sessions else "UNKNOWN"
    objective: float | None = None
    bound: float | None = None
    first_seconds: float | None = greedy_seconds
    num_vars = num_constraints = 0
    if strategy == "full":
        model, v, has_previous = _build_full_model(problem, restricted, greedy, params)
        complete_hint(model)
        num_vars, num_constraints = len(model.proto.variables), len(model.proto.constraints)
        solver = cp_model.CpSolver()
        sp = solver.parameters
        sp.max_time_in_seconds = max(0.5, deadline - time.perf_counter())
        if params.deterministic_time is not None:
            sp.max_deterministic_time = params.deterministic_time
            sp.max_time_in_seconds = max(sp.max_time_in_seconds, 10 * params.time_limit)
            sp.interleave_search = params.workers > 1
        sp.num_workers = params.workers
        sp.random_seed = params.seed
        sp.log_search_progress = params.log
        sp.catch_sigint_signal = True
        recorder = _Recorder(v, t0, on_progress)
        code = solver.solve(model, recorder)
        status = solver.status_name(code)  # type: ignore[assignment]
        if recorder.best is not None:
            rota = _rota_from(problem, recorder.best)
            cost = total_cost(problem, rota, params)
            objective, bound = solver.objective_value, solver.best_objective_bound
            if cost <= best_cost:
                best, best_cost, source = rota, cost, "cp-sat"
        elif status in ("UNKNOWN", "INFEASIBLE", "MODEL_INVALID"):
            status = "FEASIBLE" if greedy.sessions else status
    else:

        def improved(rota: Rota, cost: int) -> None:
            report(rota, cost, float("nan"), "lns")

        # LNS starts from the better of the baseline and the cheaper-travel insertion rota.
        if time.perf_counter() < deadline - 1.0:
            start = insertion_rota(problem, candidates)
            start_cost = total_cost(problem, start, params)
            if start_cost < best_cost:
                best, best_cost = start, start_cost
                report(start, start_cost, float("nan"), "insertion")
        best, stats = improve(problem, candidates, best, params, deadline, improved)
        best_cost = total_cost(problem, best, params)
        source = (
            f"lns ({stats.iterations} neighbourhoods, {stats.improvements} improvements"
            + (", stopped by Ctrl-C" if stats.interrupted else "")
            + ")"
        )
        status = "FEASIBLE" if best.sessions else "UNKNOWN"
        objective = float(best_cost)
    wall = time.perf_counter() - t0
    if status == "FEASIBLE" and wall >= params.time_limit * 0.98:
        status = "TIME_LIMIT"
    violations = [str(x) for x in check(problem, best)]
    message = ""
    if violations and best is not greedy:
        # A violation here is a bug in the model; the greedy rota is checked and safe.
        message = (
            "BUG: the CP-SAT rota failed the independent check; returning the greedy rota "
            "instead. Please report this with the input. " + "; ".join(violations[:3])
        )
        best, source, objective, bound = greedy, "greedy", None, None
        violations = [str(x) for x in check(problem, best)]
    rota = explain_unscheduled(problem, candidates, best)
    gap = None
    if objective is not None and bound is not None:
        gap = abs(objective - bound) / max(1.0, abs(objective))
    return Result(
        status=status,
        objective=objective,
        bound=bound,
        gap=gap,
        wall_seconds=wall,
        first_solution_seconds=first_seconds,
        rota=rota,
        kpis=compute_kpis(problem, rota),
        costs=cost_terms(
            problem, rota, params.weights, _kept(problem, rota) if problem.previous else None
        ),
        weighted_upper_bound=weighted_bound,
        violations=tuple(violations),
        message=message
        or f"best rota from {source} ({strategy} strategy, {num_options} placement options"
        + (f", {num_vars} variables, {num_constraints} constraints" if num_vars else "")
        + ")",
    )


def _kept(problem: Problem, rota: Rota) -> tuple[int, int]:
    """(previous sessions kept exactly, previous sessions) by referral."""
    prev: dict[str, list] = defaultdict(list)
    for p in problem.previous:
        if p.referral_id in problem.referral_by_id:
            prev[p.referral_id].append(p)
    kept = 0
    for rid, rows in prev.items():
        s = rota.session_of(rid)
        if s and all(
            s.day == p.day
            and s.start == p.start
            and s.room_id == p.room_id
            and p.therapist_id in s.therapist_ids
            for p in rows
        ):
            kept += 1
    return kept, len(prev)


__all__ = ["Progress", "ProgressFn", "restrict_candidates", "solve"]
