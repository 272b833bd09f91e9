"""solve(problem, params) -> Result: pins, candidates, greedy start, then CP-SAT, reasons, check.

A larger service is improved by ruin and recreate with annealing (strategies/local.py) for the
whole time limit; a small one gets a short local search, then one CP-SAT model of the whole week
started from its rota (which also proves a bound), then a longer local search from CP-SAT's rota
and CP-SAT again (params.FULL_PHASES). CP-SAT large-neighbourhood search
(strategies/lns.py) is there on request. Never raises because a problem is infeasible or
time ran out: the greedy rota exists within seconds and is returned if nothing better is found;
the stop signal (Ctrl-C, the web page's Stop button, a sweep) ends any phase within a second and
keeps the best rota found. Every rota is costed by the one cost evaluator (evaluate/costs.py).
The returned rota always passes the checker: pins that break a rule are not kept (the CLI
reports them as input errors before solving), and a rota that failed the check would be a bug,
reported loudly, with the checked greedy rota returned instead.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rota.evaluate.check import Violation, check
from rota.evaluate.costs import CostModel, cost_terms, previous_rows, total_cost
from rota.evaluate.kpis import compute_kpis
from rota.evaluate.weights import PRIORITY_WEIGHT
from rota.models import Problem, Rota, Session, Unscheduled
from rota.models.result import Result, Status
from rota.scheduler.bound import lower_bound
from rota.scheduler.budget import Budget
from rota.scheduler.candidates import Candidates, build_candidates, therapists_by_distance
from rota.scheduler.greedy import greedy_rota, insertion_rota
from rota.scheduler.params import (
    FULL_PHASES,
    FULL_PHASES_MIN_SECONDS,
    INSERTION_MIN_SECONDS,
    RELAXATION_DAY_SECONDS,
    TIME_LIMIT_SHARE,
    SolveParams,
)
from rota.scheduler.pins import PinPlan, pin_plan, unpin
from rota.scheduler.progress import Progress, ProgressFn, Stopped, StopSignal, stopped
from rota.scheduler.reasons import explain_unscheduled
from rota.scheduler.strategies.full import solve_full
from rota.scheduler.strategies.lns import improve
from rota.scheduler.strategies.local import improve_locally


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
        out[rid] = Candidates(cand.referral, cand.rooms, cand.room_starts, options)
    return out


@dataclass
class _Search:
    """The best rota so far and what the strategy says about it."""

    rota: Rota
    cost: int
    source: str
    status: Status
    bound: float | None = None
    bound_source: str = ""
    model_options: int = 0  # placement options the full model had
    num_vars: int = 0
    num_constraints: int = 0


class _Run:
    """One solve's fixed parts: the Problem, parameters, budget, progress and stop signal."""

    def __init__(
        self,
        problem: Problem,
        params: SolveParams,
        budget: Budget,
        on_progress: ProgressFn | None,
        stop: StopSignal | None,
    ) -> None:
        self.problem, self.params, self.budget = problem, params, budget
        self.on_progress, self.stop = on_progress, stop
        with_previous = params.use_previous and bool(previous_rows(problem))
        self.model = CostModel(problem, params.weights, with_previous=with_previous)

    def cost(self, rota: Rota) -> int:
        """The one cost evaluator's total (with the previous-rota term the model has)."""
        return total_cost(
            self.problem, rota, self.params.weights, previous=self.params.use_previous
        )

    def report(self, rota: Rota, cost: float, source: str) -> None:
        """A progress line for a rota found by the greedy, the insertion start or LNS."""
        if not self.on_progress:
            return
        terms = cost_terms(self.problem, rota, self.params.weights)
        travel = next(t.units for t in terms if t.label == "travel minutes")
        self.on_progress(
            Progress(
                self.budget.elapsed(),
                len(rota.sessions),
                len(self.problem.referrals),
                cost,
                float("nan"),
                source,
                travel,
            )
        )

    def local(
        self,
        candidates: dict[str, Candidates],
        search: _Search,
        seconds: float,
        patience: int | None = None,
        seed: int = 0,
    ) -> _Search:
        """Ruin and recreate from the search's rota for ``seconds`` (of the budget), or until
        ``patience`` ruins in a row found nothing better; ``seed`` is added to the run's."""
        params = self.params
        if seed:
            params = params.model_copy(update={"seed": params.seed + seed})
        best, stats = improve_locally(
            self.problem,
            candidates,
            search.rota,
            params,
            seconds,
            self.budget,
            lambda rota, cost: self.report(rota, cost, "local search"),
            self.stop,
            patience,
        )
        cost = self.cost(best)
        if cost <= search.cost:
            search.rota, search.cost = best, cost
            stopped_early = ", stopped early" if stats.interrupted else ""
            search.source = (
                f"local search ({stats.iterations} ruins and recreates, {stats.improvements} "
                f"improvements{stopped_early})"
            )
        search.status = "FEASIBLE" if search.rota.sessions else "UNKNOWN"
        if search.status == "FEASIBLE" and self.budget.used_up():
            search.status = "TIME_LIMIT"
        return search

    def full(self, candidates: dict[str, Candidates], search: _Search) -> _Search:
        """The phases of FULL_PHASES in turn, each from the best rota so far, until one of them
        proves its model's optimum: local search, then CP-SAT on the model cut around its rota,
        and so on (see params.FULL_PHASES for why)."""
        plan = FULL_PHASES
        if self.budget.limit < FULL_PHASES_MIN_SECONDS:
            plan = (FULL_PHASES[0], ("cp-sat", 1.0, None))
        for k, (phase, share, patience) in enumerate(plan):
            if stopped(self.stop) or search.status == "OPTIMAL":
                break
            seconds = self.budget.remaining() - self.budget.limit * (1 - share)
            if phase == "cp-sat":
                search = self.cpsat(candidates, search, seconds)
            elif seconds > 0:
                # A later local search draws other ruins (seed + k) from CP-SAT's rota.
                search = self.local(candidates, search, seconds, patience, seed=k)
        return search

    def cpsat(self, candidates: dict[str, Candidates], search: _Search, seconds: float) -> _Search:
        """The whole week's CP-SAT model for ``seconds`` (of the budget), started from the
        search's rota (with the candidates cut around that rota rather than the greedy's)."""
        params = self.params
        # Cut to the rota's and a few nearest therapists per referral: on services shaped like
        # a routing test CP-SAT reaches the optimum within 30 s on the cut model and not on the
        # whole one (C201 and RC105 of bench/vrp: 1,959 and 4,699 against 2,201 and 5,291).
        restricted = restrict_candidates(
            self.problem, candidates, search.rota, params.therapists_per_referral
        )
        start = search.rota
        options = sum(len(c.options) for c in restricted.values())
        outcome = solve_full(
            self.problem,
            restricted,
            start,
            params,
            self.budget,
            self.on_progress,
            self.stop,
            seconds,
        )
        search.status = outcome.status
        search.num_vars, search.num_constraints = outcome.num_vars, outcome.num_constraints
        if outcome.rota is not None:
            cost = self.cost(outcome.rota)
            if cost <= search.cost:
                search.rota, search.cost, search.source = outcome.rota, cost, "cp-sat"
        if outcome.bound is not None:
            # A bound holds for its model (whose options _prove compares with all of them):
            # an earlier phase's on a model of as many options (all, or not proven) still holds.
            if search.bound is not None and options == search.model_options:
                search.bound = max(search.bound, outcome.bound)
            else:
                search.bound = outcome.bound
            search.model_options = options
        elif search.status in ("UNKNOWN", "INFEASIBLE", "MODEL_INVALID"):
            search.status = "FEASIBLE" if start.sessions else search.status
        return search

    def lns(
        self, candidates: dict[str, Candidates], search: _Search, pinned: Sequence[Session]
    ) -> _Search:
        # LNS starts from the better of the baseline and the cheaper-travel insertion rota
        # (a repeatable run always builds it: its budget is work, not the clock).
        room = self.budget.repeatable or self.budget.remaining() > INSERTION_MIN_SECONDS
        if room and not stopped(self.stop):
            try:
                start = insertion_rota(self.problem, candidates, pinned, _Until(self))
            except Stopped:
                start = search.rota
            self.budget.charge_referrals(len(self.problem.referrals))
            start_cost = self.cost(start)
            if start_cost < search.cost:
                search.rota, search.cost = start, start_cost
                self.report(start, start_cost, "insertion")
        best, stats = improve(
            self.problem,
            candidates,
            search.rota,
            self.params,
            self.budget,
            lambda rota, cost: self.report(rota, cost, "lns"),
            self.stop,
        )
        search.rota, search.cost = best, self.cost(best)
        stopped_early = ", stopped early" if stats.interrupted else ""
        search.source = (
            f"lns ({stats.iterations} neighbourhoods, {stats.improvements} improvements"
            f"{stopped_early})"
        )
        search.status = "FEASIBLE" if best.sessions else "UNKNOWN"
        if search.status == "FEASIBLE" and self.budget.used_up():
            search.status = "TIME_LIMIT"
        return search


class _Until:
    """A stop signal set by the run's own or, in a normal run, by the clock at the time limit
    (a repeatable run always finishes the pass it charges)."""

    def __init__(self, run: _Run) -> None:
        self.run = run

    def is_set(self) -> bool:
        budget = self.run.budget
        return stopped(self.run.stop) or (not budget.repeatable and budget.used_up())


def solve(
    problem: Problem,
    params: SolveParams | None = None,
    on_progress: ProgressFn | None = None,
    stop: StopSignal | None = None,
) -> Result:
    """The best weekly rota within the time limit, or when ``stop`` is set (see the module
    docstring)."""
    params = params or SolveParams()
    budget = Budget(params, time.perf_counter())
    pins = pin_plan(problem)
    if pins.issues:
        problem = unpin(problem, pins.broken)
    run = _Run(problem, params, budget, on_progress, stop)
    try:
        keep = {s.referral_id: set(s.therapist_ids) for s in pins.sessions}
        candidates = build_candidates(problem, params.nearest_therapists, stop, keep)
        greedy = greedy_rota(problem, candidates, pins.sessions, stop)
    except Stopped:
        return _stopped_result(problem, budget)
    greedy_seconds = budget.elapsed()
    budget.charge_referrals(len(problem.referrals))
    greedy_cost = run.cost(greedy)
    run.report(greedy, greedy_cost, "greedy")
    cut = restrict_candidates(problem, candidates, greedy, params.therapists_per_referral)
    num_options = sum(len(c.options) for c in cut.values())
    strategy = params.strategy
    if strategy == "auto":
        strategy = "full" if num_options <= params.full_model_limit else "local"
    search = _Search(greedy, greedy_cost, "greedy", "FEASIBLE" if greedy.sessions else "UNKNOWN")
    if stopped(stop):
        pass  # keep the greedy rota
    elif strategy == "full":
        search = run.full(candidates, search)
    elif strategy == "local":
        search = run.local(candidates, search, budget.remaining())
    else:
        search = run.lns(candidates, search, pins.sessions)
    if (
        search.status == "FEASIBLE"
        and not budget.repeatable
        and budget.elapsed() >= params.time_limit * TIME_LIMIT_SHARE
    ):
        search.status = "TIME_LIMIT"
    best, message = _guarded(problem, greedy, search)
    message = message or (
        f"best rota from {search.source} ({strategy} strategy, {num_options} placement options"
        + (
            f", {search.num_vars} variables, {search.num_constraints} constraints"
            if search.num_vars
            else ""
        )
        + ")"
    )
    _prove(problem, params, search, strategy == "full", stop)
    return _result(problem, candidates, run, best, search, pins, message, greedy_seconds)


def _prove(
    problem: Problem, params: SolveParams, search: _Search, full: bool, stop: StopSignal | None
) -> None:
    """The search's proven lower bound on every rota's cost: CP-SAT's where its model held
    every therapist's every option, and the relaxation of scheduler/bound.py (its quick form
    after the full model, the whole-day form with ``prove_bound``): the higher of the two."""
    if search.bound is not None:
        search.bound_source = "the whole week's model"
    if not (full or params.prove_bound):
        return
    try:
        every = build_candidates(problem, 0, stop)
    except Stopped:  # stopped: no time to tell whether CP-SAT's model held every option
        search.bound, search.bound_source = None, ""
        return
    if search.model_options != sum(len(c.options) for c in every.values()):
        search.bound, search.bound_source = None, ""  # a bound over some options proves nothing
    if stopped(stop):
        return
    day_seconds = RELAXATION_DAY_SECONDS if params.prove_bound else 0.0
    lp = lower_bound(problem, params.weights, day_seconds=day_seconds, candidates=every)
    if search.bound is None or lp.value > search.bound:
        search.bound = float(lp.value)
        search.bound_source = "a relaxation of the week (scheduler/bound.py)"


def _guarded(problem: Problem, greedy: Rota, search: _Search) -> tuple[Rota, str]:
    """The search's rota if it passes the independent check (exact rule codes, nothing
    skipped); else the checked greedy rota; and if even that fails, the greedy rota without
    the sessions that break a rule. A message says which, loudly, when it is not the first."""
    violations = check(problem, search.rota)
    if not violations:
        return search.rota, ""
    shown = "; ".join(str(v) for v in violations[:3])
    message = (
        "BUG: the rota from the search failed the independent check; returning the greedy "
        "rota instead. Please report this with the input. " + shown
    )
    search.source, search.bound = "greedy", None
    rest = check(problem, greedy)
    if not rest:
        return greedy, message
    return _without(problem, greedy, rest), message + "; the greedy rota failed too: " + str(
        rest[0]
    )


def _without(problem: Problem, rota: Rota, violations: list[Violation]) -> Rota:
    """``rota`` without every session a violation names, until the check passes (removing
    sessions never breaks a rule, so this ends)."""
    while violations:
        drop = {rid for v in violations for rid in v.referral_ids}
        rota = Rota(sessions=tuple(s for s in rota.sessions if s.referral_id not in drop))
        violations = check(problem, rota)
    return rota


def _stopped_result(problem: Problem, budget: Budget) -> Result:
    """Stopped before a first complete rota existed: an empty rota, every referral waiting."""
    waiting = tuple(
        Unscheduled(referral_id=r.referral_id, reason="not placed: the solve was stopped")
        for r in problem.referrals
    )
    return Result(
        status="UNKNOWN",
        wall_seconds=budget.elapsed(),
        first_solution_seconds=None,
        rota=Rota(unscheduled=waiting),
        message="stopped before a first complete rota existed",
    )


def _result(
    problem: Problem,
    candidates: dict[str, Candidates],
    run: _Run,
    best: Rota,
    search: _Search,
    pins: PinPlan,
    message: str,
    first_seconds: float,
) -> Result:
    """The Result of the best rota: its reasons, figures and the one evaluator's cost terms."""
    rota = explain_unscheduled(problem, candidates, best)
    costs = cost_terms(problem, rota, run.params.weights, previous=run.params.use_previous)
    objective = float(sum(t.cost for t in costs))
    bound = search.bound
    gap = None
    if bound is not None:
        gap = abs(objective - bound) / max(1.0, abs(objective))
    if pins.issues:
        message += "; pins not kept (they break a rule): " + "; ".join(
            i.message for i in pins.issues[:3]
        )
    return Result(
        status=search.status,
        objective=objective,
        bound=bound,
        gap=gap,
        wall_seconds=run.budget.elapsed(),
        first_solution_seconds=first_seconds,
        rota=rota,
        kpis=compute_kpis(problem, rota),
        costs=costs,
        weighted_upper_bound=sum(
            PRIORITY_WEIGHT[c.referral.priority] for c in candidates.values() if c.feasible
        ),
        violations=tuple(str(v) for v in check(problem, rota)),
        message=message,
        unplaceable=float(
            sum(
                run.model.referral_cost(rid, None)
                for rid, c in candidates.items()
                if not c.feasible
            )
        ),
        bound_source=search.bound_source if bound is not None else "",
    )


__all__ = ["Progress", "ProgressFn", "restrict_candidates", "solve"]
