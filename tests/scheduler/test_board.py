"""The local search's board: prices agree with the cost evaluator, placements with the checker."""

from __future__ import annotations

import random

import pytest

from rota.demo import generate_problem
from rota.evaluate.check import check
from rota.evaluate.costs import total_cost
from rota.evaluate.weights import Weights
from rota.scheduler.board import Board
from rota.scheduler.candidates import build_candidates
from rota.scheduler.greedy import greedy_rota
from tests.scheduler.helpers import service


@pytest.mark.parametrize("balance", [False, True], ids=["as given", "loads balanced"])
def test_prices_agree_with_the_evaluator_after_many_edits(balance: bool) -> None:
    # With balance_loads, every insertion's price includes the change in the week's spread.
    demo = generate_problem("small", 1)
    problem = demo.model_copy(
        update={"settings": demo.settings.model_copy(update={"balance_loads": balance})}
    )
    candidates = build_candidates(problem)
    start = greedy_rota(problem, candidates)
    board = Board(problem, candidates, Weights(), start)
    assert board.total == total_cost(problem, start, Weights())
    rng = random.Random(3)
    for _ in range(60):
        rids = rng.sample(sorted(board.session), 3)
        for rid in rids:
            board.remove(rid)
        for rid in sorted(board.options):
            if rid not in board.session and board.options[rid]:
                best = board.best_insertion(rid)
                if best is not None:
                    before = board.total
                    board.place(best.session)
                    # The predicted change is exactly the evaluator's.
                    assert board.total - before == best.delta
        rota = board.rota()
        assert board.total == total_cost(problem, rota, Weights())
        assert check(problem, rota) == []


def test_best_insertion_is_the_cheapest_allowed_slot() -> None:
    # T1 (base A) works at B 09:00-09:30; a second referral may go to A or B. Either way the
    # drives are A -> B -> A, but right after R1 at B (09:40) the day is 25 minutes shorter
    # than at A after driving back.
    problem = service(
        [
            {"referral_id": "R1", "site_ids": "B", "available": "Mon 09:00-09:30"},
            {"referral_id": "R2", "site_ids": "A|B"},
        ]
    )
    candidates = build_candidates(problem)
    board = Board(problem, candidates, Weights(), greedy_rota(problem, candidates).model_copy())
    board.remove("R2")
    best = board.best_insertion("R2")
    assert best is not None
    assert best.session.site_id == "B"
    assert best.session.start == 9 * 60 + 30 + 10  # right after R1 and its admin
    board.place(best.session)
    assert check(problem, board.rota()) == []
