"""Ruin and recreate: never worse than its start, every rota checked, pins kept, repeatable."""

from __future__ import annotations

import pytest

from rota.demo import generate_problem
from rota.evaluate.check import check
from rota.evaluate.costs import total_cost
from rota.models import PreviousSession
from rota.scheduler import SolveParams
from rota.scheduler.budget import Budget
from rota.scheduler.candidates import build_candidates
from rota.scheduler.greedy import greedy_rota
from rota.scheduler.strategies.local import RUIN_KINDS, improve_locally

#: Repeatable runs count iterations, not seconds: 4 s of "time" is a fixed amount of work.
PARAMS = SolveParams(time_limit=4, deterministic_time=4)


def _budget() -> Budget:
    return Budget(PARAMS, 0.0)


def test_improves_on_the_greedy_with_every_rota_checked() -> None:
    problem = generate_problem("small", 1)
    candidates = build_candidates(problem)
    start = greedy_rota(problem, candidates)
    seen: list[int] = []
    rota, stats = improve_locally(
        problem, candidates, start, PARAMS, 4, _budget(), lambda r, cost: seen.append(cost)
    )
    assert check(problem, rota) == []
    assert total_cost(problem, rota, PARAMS.weights) < total_cost(problem, start, PARAMS.weights)
    assert len(rota.sessions) >= len(start.sessions)
    # Reports are throttled, the last one is the rota returned, each one better than the last.
    assert seen == sorted(set(seen), reverse=True) and 1 <= len(seen) <= stats.improvements
    assert seen[-1] == total_cost(problem, rota, PARAMS.weights)


def test_pinned_sessions_never_move() -> None:
    problem = generate_problem("small", 1)
    candidates = build_candidates(problem)
    start = greedy_rota(problem, candidates)
    pinned = start.sessions[::4]
    problem = problem.model_copy(
        update={
            "previous": tuple(
                PreviousSession(
                    referral_id=s.referral_id,
                    therapist_id=t,
                    day=s.day,
                    start=s.start,
                    room_id=s.room_id,
                    pinned=True,
                )
                for s in pinned
                for t in s.therapist_ids
            )
        }
    )
    rota, _ = improve_locally(problem, build_candidates(problem), start, PARAMS, 4, _budget())
    assert check(problem, rota) == []
    for s in pinned:
        assert rota.session_of(s.referral_id) == s


def test_the_same_seed_gives_the_same_rota() -> None:
    problem = generate_problem("small", 1)
    candidates = build_candidates(problem)
    start = greedy_rota(problem, candidates)
    first, _ = improve_locally(problem, candidates, start, PARAMS, 4, _budget())
    second, _ = improve_locally(problem, candidates, start, PARAMS, 4, _budget())
    assert first == second


@pytest.mark.parametrize("kind", RUIN_KINDS)
def test_each_ruin_alone_improves_the_greedy_rota(kind: str) -> None:
    """Every ruin pulls its weight: used alone, each finds a cheaper rota than the greedy's,
    every one checked (a ruin that took nothing out, or the wrong sessions, finds nothing)."""
    problem = generate_problem("small", 1)
    candidates = build_candidates(problem)
    start = greedy_rota(problem, candidates)
    rota, stats = improve_locally(problem, candidates, start, PARAMS, 4, _budget(), only_ruin=kind)
    assert check(problem, rota) == []
    assert stats.improvements >= 1
    assert total_cost(problem, rota, PARAMS.weights) < total_cost(problem, start, PARAMS.weights)


def test_the_ruins_together_beat_each_one_alone() -> None:
    """On the same start and the same work (repeatable), the four ruins drawn together end
    cheaper than any one of them alone (measured: greedy 504,690; eject alone 402,010, sites
    309,610, string 398,335, day 495,605; together 309,085)."""
    problem = generate_problem("small", 1)
    candidates = build_candidates(problem)
    start = greedy_rota(problem, candidates)
    alone = [
        improve_locally(problem, candidates, start, PARAMS, 4, _budget(), only_ruin=kind)[0]
        for kind in RUIN_KINDS
    ]
    mixed, _ = improve_locally(problem, candidates, start, PARAMS, 4, _budget())
    assert check(problem, mixed) == []
    cost = total_cost(problem, mixed, PARAMS.weights)
    assert all(cost < total_cost(problem, r, PARAMS.weights) for r in alone)
