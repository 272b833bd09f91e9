"""solve(problem, params) -> Result: candidates, greedy start, then CP-SAT, reasons, check.

A small service is one CP-SAT model (which also proves a bound); a larger one is improved by
large-neighbourhood search (strategies/lns.py). Never raises because a problem is infeasible or
time ran out: the greedy rota exists within seconds and is returned if nothing better is found;
Ctrl-C stops the search and keeps the best rota found. The returned rota always passes the
checker (a failure would be a bug, reported loudly, and the checked greedy rota is returned
instead).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from rota.evaluate.check import check
from rota.evaluate.costs import cost_terms, previous_kept, total_cost
from rota.evaluate.kpis import compute_kpis
from rota.evaluate.weights import PRIORITY_WEIGHT
from rota.models import Problem, Rota
from rota.models.result import Result, Status
from rota.scheduler.candidates import Candidates, build_candidates, therapists_by_distance
from rota.scheduler.greedy import greedy_rota, insertion_rota
from rota.scheduler.params import INSERTION_MIN_SECONDS, TIME_LIMIT_SHARE, SolveParams
from rota.scheduler.progress import Progress, ProgressFn, StopSignal, stopped
from rota.scheduler.reasons import explain_unscheduled
from rota.scheduler.strategies.full import solve_full
from rota.scheduler.strategies.lns import improve


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


@dataclass
class _Search:
    """The best rota so far and what the strategy says about it."""

    rota: Rota
    cost: int
    source: str
    status: Status
    objective: float | None = None
    bound: float | None = None
    num_vars: int = 0
    num_constraints: int = 0


class _Reporter:
    """Sends a progress line for a rota found by the greedy, the insertion start or LNS."""

    def __init__(
        self, problem: Problem, params: SolveParams, t0: float, on_progress: ProgressFn | None
    ):
        self.problem, self.params, self.t0, self.on_progress = problem, params, t0, on_progress

    def __call__(self, rota: Rota, cost: float, source: str) -> None:
        if not self.on_progress:
            return
        travel = next(
            t.units
            for t in cost_terms(self.problem, rota, self.params.weights)
            if t.label == "travel minutes"
        )
        self.on_progress(
            Progress(
                time.perf_counter() - self.t0,
                len(rota.sessions),
                len(self.problem.referrals),
                cost,
                float("nan"),
                source,
                travel,
            )
        )


def _run_full(
    problem: Problem,
    restricted: dict[str, Candidates],
    search: _Search,
    params: SolveParams,
    deadline: float,
    t0: float,
    on_progress: ProgressFn | None,
    stop: StopSignal | None,
) -> _Search:
    greedy = search.rota
    outcome = solve_full(problem, restricted, greedy, params, deadline, t0, on_progress, stop)
    search.status = outcome.status
    search.num_vars, search.num_constraints = outcome.num_vars, outcome.num_constraints
    if outcome.rota is not None:
        cost = total_cost(problem, outcome.rota, params.weights)
        search.objective, search.bound = outcome.objective, outcome.bound
        if cost <= search.cost:
            search.rota, search.cost, search.source = outcome.rota, cost, "cp-sat"
    elif search.status in ("UNKNOWN", "INFEASIBLE", "MODEL_INVALID"):
        search.status = "FEASIBLE" if greedy.sessions else search.status
    return search


def _run_lns(
    problem: Problem,
    candidates: dict[str, Candidates],
    search: _Search,
    params: SolveParams,
    deadline: float,
    report: _Reporter,
    stop: StopSignal | None,
) -> _Search:
    # LNS starts from the better of the baseline and the cheaper-travel insertion rota.
    if time.perf_counter() < deadline - INSERTION_MIN_SECONDS and not stopped(stop):
        start = insertion_rota(problem, candidates)
        start_cost = total_cost(problem, start, params.weights)
        if start_cost < search.cost:
            search.rota, search.cost = start, start_cost
            report(start, start_cost, "insertion")
    best, stats = improve(
        problem,
        candidates,
        search.rota,
        params,
        deadline,
        lambda rota, cost: report(rota, cost, "lns"),
        stop,
    )
    search.rota, search.cost = best, total_cost(problem, best, params.weights)
    search.source = (
        f"lns ({stats.iterations} neighbourhoods, {stats.improvements} improvements"
        + (", stopped early" if stats.interrupted else "")
        + ")"
    )
    search.status = "FEASIBLE" if best.sessions else "UNKNOWN"
    search.objective = float(search.cost)
    return search


def solve(
    problem: Problem,
    params: SolveParams | None = None,
    on_progress: ProgressFn | None = None,
    stop: StopSignal | None = None,
) -> Result:
    """The best weekly rota within the time limit, or when ``stop`` is set (see the module
    docstring)."""
    params = params or SolveParams()
    t0 = time.perf_counter()
    deadline = t0 + params.time_limit
    candidates = build_candidates(problem, params.nearest_therapists)
    greedy = greedy_rota(problem, candidates)
    greedy_seconds = time.perf_counter() - t0
    weighted_bound = sum(
        PRIORITY_WEIGHT[c.referral.priority] for c in candidates.values() if c.feasible
    )
    report = _Reporter(problem, params, t0, on_progress)
    greedy_cost = total_cost(problem, greedy, params.weights)
    report(greedy, greedy_cost, "greedy")
    restricted = restrict_candidates(problem, candidates, greedy, params.therapists_per_referral)
    num_options = sum(len(c.options) for c in restricted.values())
    strategy = params.strategy
    if strategy == "auto":
        strategy = "full" if num_options <= params.full_model_limit else "lns"
    search = _Search(greedy, greedy_cost, "greedy", "FEASIBLE" if greedy.sessions else "UNKNOWN")
    if stopped(stop):
        pass  # keep the greedy rota
    elif strategy == "full":
        search = _run_full(problem, restricted, search, params, deadline, t0, on_progress, stop)
    else:
        search = _run_lns(problem, candidates, search, params, deadline, report, stop)
    wall = time.perf_counter() - t0
    if search.status == "FEASIBLE" and wall >= params.time_limit * TIME_LIMIT_SHARE:
        search.status = "TIME_LIMIT"
    return _result(
        problem,
        candidates,
        greedy,
        search,
        params,
        strategy,
        num_options,
        wall,
        greedy_seconds,
        weighted_bound,
    )


def _result(
    problem: Problem,
    candidates: dict[str, Candidates],
    greedy: Rota,
    search: _Search,
    params: SolveParams,
    strategy: str,
    num_options: int,
    wall: float,
    first_seconds: float,
    weighted_bound: int,
) -> Result:
    """The Result of the best rota, after the independent check (the greedy rota if it fails)."""
    best, source = search.rota, search.source
    objective, bound = search.objective, search.bound
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
    size = ""
    if search.num_vars:
        size = f", {search.num_vars} variables, {search.num_constraints} constraints"
    return Result(
        status=search.status,
        objective=objective,
        bound=bound,
        gap=gap,
        wall_seconds=wall,
        first_solution_seconds=first_seconds,
        rota=rota,
        kpis=compute_kpis(problem, rota),
        costs=cost_terms(
            problem,
            rota,
            params.weights,
            previous_kept(problem, rota) if problem.previous else None,
        ),
        weighted_upper_bound=weighted_bound,
        violations=tuple(violations),
        message=message
        or f"best rota from {source} ({strategy} strategy, {num_options} placement options"
        + size
        + ")",
    )


__all__ = ["Progress", "ProgressFn", "restrict_candidates", "solve"]
