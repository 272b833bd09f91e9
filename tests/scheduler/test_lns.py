"""Large-neighbourhood search: sub-models know the rest of the week, and the search settles only
on neighbourhoods proven to hold nothing better."""

from __future__ import annotations

import time
from typing import Any

import pytest
from ortools.sat.python import cp_model

from rota.evaluate.check import check
from rota.models import Problem, Rota, Session
from rota.scheduler import SolveParams
from rota.scheduler.budget import Budget
from rota.scheduler.candidates import Candidates, build_candidates
from rota.scheduler.cpsat.build import build_model
from rota.scheduler.strategies import lns
from rota.scheduler.strategies.lns import improve, neighbourhood_candidates, solve_neighbourhood
from tests.scheduler.helpers import service

H = 60


def _week(limit_minutes: int, per_day: int | None = None) -> tuple[Problem, Rota]:
    """T1 (weekly limit ``limit_minutes``) has R1 on Monday and R2 on Tuesday; R3 and R4 wait."""
    therapist = {
        "therapist_id": "T1",
        "disciplines": "music",
        "base_site_id": "A",
        "works": "Mon-Wed",
        "max_contact_minutes": limit_minutes,
        "max_sessions_per_day": per_day,
    }
    problem = service(
        [{"referral_id": f"R{i}", "priority": 1 if i < 3 else 3} for i in range(1, 5)],
        therapists=[therapist],
    )
    fixed = tuple(
        Session(
            referral_id=rid,
            therapist_ids=("T1",),
            site_id="A",
            room_id="A1",
            day=day,
            start=9 * H,
            end=9 * H + 30,
        )
        for rid, day in (("R1", "Mon"), ("R2", "Tue"))
    )
    return problem, Rota(sessions=fixed)


def test_a_neighbourhood_counts_the_rest_of_the_week_against_the_weekly_limit() -> None:
    # 90 minutes a week: R1 and R2 use 60, so Wednesday's neighbourhood may add one session,
    # not both waiting ones (before, the sub-model saw only its own 90 minutes).
    problem, rota = _week(90)
    params = SolveParams(workers=1)
    sub = neighbourhood_candidates(problem, build_candidates(problem), rota, {("T1", "Wed")}, 10)
    assert set(sub) == {"R3", "R4"}
    budget = Budget(params, time.perf_counter())
    new, proven = solve_neighbourhood(problem, sub, rota, params, budget, 5.0)
    assert new is not None and proven
    assert check(problem, new) == []
    assert len(new.sessions) == 3


def test_a_model_counts_fixed_sessions_against_the_daily_limit() -> None:
    # One session a day: with R1 fixed on Monday (outside the model), R3 cannot join Monday.
    problem, rota = _week(600, per_day=1)
    cand = build_candidates(problem)["R3"]
    monday = {"R3": Candidates(cand.referral, cand.rooms, cand.room_starts,
                               [o for o in cand.options if o.day == "Mon"])}  # fmt: skip
    params = SolveParams(workers=1)
    built = build_model(problem, monday, params, Rota(), fixed=rota.sessions[:1])
    solver = cp_model.CpSolver()
    assert solver.solve(built.model) == cp_model.OPTIMAL
    assert not solver.boolean_value(built.v.scheduled["R3"])
    free = build_model(problem, monday, params, Rota())
    assert solver.solve(free.model) == cp_model.OPTIMAL
    assert solver.boolean_value(free.v.scheduled["R3"])


def test_a_better_rota_the_checker_rejects_does_not_settle_the_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every sub-solve "proves" a cheaper rota that breaks a rule (R3 double-books R1's room
    # and therapist). Such a result proves nothing: the search must go on until its budget is
    # used, not stop after LNS_SETTLED_MIN neighbourhoods as if it had settled.
    problem, rota = _week(600)
    clash = rota.sessions[0].model_copy(update={"referral_id": "R3"})
    bad = Rota(sessions=(*rota.sessions, clash))
    assert check(problem, bad) != []

    def rejected(*args: Any, **kwargs: Any) -> tuple[Rota, bool]:
        return bad, True

    monkeypatch.setattr(lns, "solve_neighbourhood", rejected)
    params = SolveParams(workers=1, deterministic_time=0.05, strategy="lns")
    best, stats = improve(
        problem, build_candidates(problem), rota, params, Budget(params, time.perf_counter())
    )
    assert best == rota and stats.improvements == 0
    assert stats.iterations > lns.LNS_SETTLED_MIN
