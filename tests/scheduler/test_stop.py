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


def test_a_stop_set_before_the_search_returns_the_greedy_rota() -> None:
    problem = generate_problem("small", 1)
    stop = threading.Event()
    stop.set()
    result = solve(problem, SolveParams(time_limit=60), stop=stop)
    assert "greedy" in result.message
    assert result.wall_seconds < 30
    assert check(problem, result.rota) == []
