"""A stop signal ends every strategy's search early and keeps the best rota found."""

from __future__ import annotations

import threading

import pytest

from rota.demo import generate_problem
from rota.evaluate.check import check
from rota.scheduler import SolveParams
from rota.scheduler.solve import solve


@pytest.mark.parametrize("strategy", ["full", "lns"])
def test_stop_signal_ends_the_search_and_keeps_a_checked_rota(strategy: str) -> None:
    problem = generate_problem("small", 1)
    stop = threading.Event()
    timer = threading.Timer(2.0, stop.set)
    timer.start()
    try:
        result = solve(problem, SolveParams(time_limit=120, strategy=strategy), stop=stop)
    finally:
        timer.cancel()
    # Stopped long before the limit (the signal is polled every 50 ms), with a full rota.
    assert result.wall_seconds < 60
    assert len(result.rota.sessions) >= 70
    assert check(problem, result.rota) == []


class StopAfter:
    """A stop signal that is set from its ``calls``-th look on: which phase looks, and how
    often, shows without a clock."""

    def __init__(self, calls: int) -> None:
        self.calls = calls
        self.looks = 0

    def is_set(self) -> bool:
        self.looks += 1
        return self.looks >= self.calls


def test_a_stop_set_before_the_solve_ends_it_at_once_with_nothing_placed() -> None:
    problem = generate_problem("small", 1)
    stop = threading.Event()
    stop.set()
    result = solve(problem, SolveParams(time_limit=60), stop=stop)
    assert result.status == "UNKNOWN" and result.first_solution_seconds is None
    assert result.message == "stopped before a first complete rota existed"
    assert result.rota.sessions == ()
    assert len(result.rota.unscheduled) == len(problem.referrals)
    assert check(problem, result.rota, complete=True) == []


@pytest.mark.parametrize("phase_looks", [40, 120])
def test_the_candidates_and_the_greedy_look_at_the_stop_signal_for_every_referral(
    phase_looks: int,
) -> None:
    # 80 referrals: the candidates look 80 times, then the greedy once a referral. A stop on
    # the 40th look lands in the candidates, on the 120th in the greedy: both end there.
    problem = generate_problem("small", 1)
    stop = StopAfter(phase_looks)
    result = solve(problem, SolveParams(time_limit=60), stop=stop)
    assert stop.looks == phase_looks
    assert result.message == "stopped before a first complete rota existed"
    assert result.rota.sessions == ()
