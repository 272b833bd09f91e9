"""Interchangeable therapists: found exactly, ordered in the model without losing the best rota,
and a hint relabelled at the same cost."""

from __future__ import annotations

from typing import Any

import pytest
from ortools.sat.python import cp_model

from rota.evaluate.check import check
from rota.evaluate.costs import total_cost
from rota.evaluate.weights import Weights
from rota.models import Problem, Rota
from rota.scheduler import SolveParams
from rota.scheduler.candidates import build_candidates
from rota.scheduler.cpsat import build as build_module
from rota.scheduler.cpsat.build import build_model, extract_sessions
from rota.scheduler.cpsat.constraints import symmetry
from rota.scheduler.cpsat.variables import Variables
from rota.scheduler.greedy import greedy_rota
from tests.scheduler.helpers import service, solved

SAME = {"disciplines": "music", "base_site_id": "A", "works": "Mon 08:30-17:00"}


def _vrp_like(extra: list[dict[str, Any]] | None = None, **referral: Any) -> Problem:
    """Four identical therapists at A, eight referrals at A and B on Monday."""
    therapists = [{"therapist_id": f"T{i}", **SAME} for i in range(1, 5)] + (extra or [])
    referrals = [{"referral_id": f"R{i}", "site_ids": "AB"[i % 2], **referral} for i in range(8)]
    rooms = [{"room_id": f"{s}{k}", "site_id": s, "capacity": 6} for s in "AB" for k in range(1, 5)]
    return service(referrals, therapists=therapists, rooms=rooms)


def _groups(problem: Problem) -> list[list[str]]:
    v = Variables(cp_model.CpModel(), problem, build_candidates(problem, 0))
    return symmetry.interchangeable(v)


def test_identical_therapists_form_one_group_and_anything_that_tells_them_apart_splits_it() -> None:
    assert _groups(_vrp_like()) == [["T1", "T2", "T3", "T4"]]
    # Another base, another skill, someone's current therapist: not interchangeable.
    other = _vrp_like([{"therapist_id": "T5", **SAME, "base_site_id": "B"}])
    assert _groups(other) == [["T1", "T2", "T3", "T4"]]
    skilled = _vrp_like([{"therapist_id": "T5", **SAME, "skills": "bsl"}])
    assert _groups(skilled) == [["T1", "T2", "T3", "T4"]]
    current = _vrp_like(current_therapist_id="T2")
    assert _groups(current) == [["T1", "T3", "T4"]]


def _optimum(problem: Problem) -> tuple[int, Rota]:
    params = SolveParams(time_limit=60, workers=1)
    candidates = build_candidates(problem, 0)
    start = greedy_rota(problem, candidates)
    built = build_model(problem, candidates, params, start)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 60
    assert solver.solve(built.model) == cp_model.OPTIMAL
    sessions = extract_sessions(problem, built.v, solver.value, solver.boolean_value)
    return round(solver.objective_value), Rota(sessions=tuple(sessions))


def test_ordering_keeps_the_optimum_and_the_order(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = _vrp_like()
    with_order, rota = _optimum(problem)
    counts = [sum(t in s.therapist_ids for s in rota.sessions) for t in ("T1", "T2", "T3", "T4")]
    assert counts == sorted(counts, reverse=True) and check(problem, rota) == []
    monkeypatch.setattr(build_module.constraints, "add_symmetry_rules", lambda model, v: [])
    without, _ = _optimum(problem)
    assert with_order == without


@pytest.mark.parametrize("with_rule", [True, False])
def test_the_ordering_is_in_the_model(monkeypatch: pytest.MonkeyPatch, with_rule: bool) -> None:
    """A rota whose busiest therapist is the last id is a solution without the rule, not with
    it (so the test fails when the rule leaves the model)."""
    problem = _vrp_like()
    candidates = build_candidates(problem, 0)
    start = greedy_rota(problem, candidates)
    backwards = symmetry.relabel(start, [["T4", "T3", "T2", "T1"]])
    counts = [sum(t in x.therapist_ids for x in backwards.sessions) for t in ("T1", "T4")]
    assert counts[0] < counts[1]
    if not with_rule:
        monkeypatch.setattr(build_module.constraints, "add_symmetry_rules", lambda model, v: [])
    built = build_model(problem, candidates, SolveParams(), backwards)
    by_ref = {x.referral_id: x for x in backwards.sessions}
    for rid in built.v.scheduled:
        x = by_ref.get(rid)
        for o, a in built.v.options_of(rid):
            keep = x is not None and o.therapist_id in x.therapist_ids and o.day == x.day
            built.model.add(a == int(keep and o.site_id == x.site_id))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 30
    status = solver.solve(built.model)
    if with_rule:
        assert status == cp_model.INFEASIBLE
    else:
        assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def test_relabel_keeps_every_rule_and_the_cost() -> None:
    problem = _vrp_like()
    start = greedy_rota(problem, build_candidates(problem, 0))
    moved = symmetry.relabel(start, [["T4", "T3", "T2", "T1"]])
    assert moved != start and check(problem, moved) == []
    assert total_cost(problem, moved, Weights()) == total_cost(problem, start, Weights())


def test_a_vrp_like_service_is_solved_to_a_proven_optimum() -> None:
    result = solved(_vrp_like(), strategy="full")
    assert result.status == "OPTIMAL" and result.bound == result.objective
    assert result.bound_source == "the whole week's model"


def test_a_bound_over_some_therapists_only_is_not_reported_as_proven() -> None:
    """A full model cut to a few therapists per referral (the default) proves a bound for that
    cut model only: the Result carries the relaxation's. Uncut (every therapist offered),
    CP-SAT's own bound is proven, and at least the relaxation's (given the time for its two
    phases to get past presolve on the 641-option model)."""
    from rota.demo import generate_problem
    from rota.scheduler.bound import lower_bound

    problem = generate_problem("small", 1, version=1)
    relaxation = lower_bound(problem, day_seconds=0).value
    cut = solved(problem, strategy="full", time_limit=5)
    assert cut.bound_source == "a relaxation of the week (scheduler/bound.py)"
    assert cut.bound == relaxation and cut.objective is not None and cut.bound <= cut.objective
    # Deterministic time, so the proof does not depend on how busy the machine is.
    whole = solved(
        problem, strategy="full", time_limit=5, deterministic_time=5, therapists_per_referral=0
    )
    assert whole.bound_source == "the whole week's model"
    assert whole.objective is not None and relaxation <= whole.bound <= whole.objective
    assert whole.unplaceable == 270_000 and whole.net_gap is not None
