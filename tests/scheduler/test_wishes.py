"""Therapists' wishes: avoided days, preferred days and preferred sites are costs that decide
between otherwise equal rotas, alike in the evaluator, the local search's board and CP-SAT."""

from __future__ import annotations

from typing import Any

import pytest

from rota.evaluate.costs import AVOIDED_DAY, UNPREFERRED_DAY, UNPREFERRED_SITE, total_cost
from rota.evaluate.weights import Weights
from rota.models import Problem
from rota.scheduler import SolveParams
from rota.scheduler.board import Board
from rota.scheduler.candidates import build_candidates
from rota.scheduler.greedy import greedy_rota
from tests.scheduler.helpers import placed, service, solved
from tests.scheduler.test_objective import every_solution


def _thu_or_fri(**wish: Any) -> Problem:
    """One referral T1 can see on Thursday or Friday; the client prefers Friday (100 if
    missed), so without a wish of hers it goes on Friday."""
    return service(
        [{"referral_id": "R1", "available": "Thu-Fri 10:00-11:00", "preferred": "Fri"}],
        therapists=[
            {
                "therapist_id": "T1",
                "disciplines": "music",
                "base_site_id": "A",
                "works": "Thu-Fri 08:30-17:00",
                **wish,
            }
        ],
    )


def _a_or_b(**wish: Any) -> Problem:
    """One referral at A or B; T1 is based at A, B is 5 minutes away, so without a wish of
    hers it goes at A."""
    return service(
        [{"referral_id": "R1", "site_ids": "A|B"}],
        therapists=[
            {
                "therapist_id": "T1",
                "disciplines": "music",
                "base_site_id": "A",
                "works": "Mon 08:30-17:00",
                **wish,
            }
        ],
        travel=5,
    )


def _board_choice(problem: Problem) -> Any:
    """Where the local search's board puts R1 from scratch, and whether its price is right."""
    candidates = build_candidates(problem)
    board = Board(problem, candidates, Weights(), greedy_rota(problem, candidates))
    board.remove("R1")
    best = board.best_insertion("R1")
    assert best is not None
    board.place(best.session)
    assert board.total == total_cost(problem, board.rota(), Weights())
    return best.session


CASES = [
    ("no wish: Friday", _thu_or_fri(), "day", "Fri", None),
    ("avoids Friday", _thu_or_fri(avoid_days="Fri"), "day", "Thu", AVOIDED_DAY),
    ("prefers Thursday", _thu_or_fri(preferred_days="Mon-Thu"), "day", "Thu", UNPREFERRED_DAY),
    ("no wish: A", _a_or_b(), "site_id", "A", None),
    ("prefers B", _a_or_b(preferred_sites="B"), "site_id", "B", UNPREFERRED_SITE),
]


@pytest.mark.parametrize(("problem", "attr", "want", "label"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_a_wish_decides_between_equal_places(
    problem: Problem, attr: str, want: str, label: str | None
) -> None:
    for strategy in ("full", "local"):
        # Repeatable and short: the local strategy searches its whole time, and these services
        # are tiny.
        result = solved(problem, strategy=strategy, time_limit=2, deterministic_time=2)
        assert getattr(placed(result)["R1"], attr) == want, strategy
    assert getattr(_board_choice(problem), attr) == want
    if label is not None:
        assert label in {t.label for t in result.costs}


@pytest.mark.parametrize(
    "problem", [c[1] for c in CASES if c[4]], ids=[c[0] for c in CASES if c[4]]
)
def test_every_solution_with_wishes_costs_what_the_evaluator_says(problem: Problem) -> None:
    params = SolveParams(workers=1)
    seen = every_solution(problem, params)
    assert seen
    for objective, rota in seen:
        assert objective == total_cost(problem, rota, params.weights)


def test_unknown_preferred_site_is_a_located_error() -> None:
    with pytest.raises(ValueError, match=r"preferred_sites: unknown site 'BB' \(did you mean"):
        _a_or_b(preferred_sites="BB|A")
    good = _a_or_b()
    wrong = good.therapists[0].model_copy(update={"preferred_sites": ("BB", "A")})
    issues = good.model_copy(update={"therapists": (wrong,)}).find_issues()
    assert [(str(i), i.level, i.index) for i in issues] == [
        ("Therapists T1, preferred_sites: unknown site 'BB' (did you mean 'B'?)", "error", 0)
    ]


def test_a_day_both_preferred_and_avoided_is_a_warning() -> None:
    problem = _thu_or_fri(avoid_days="Fri", preferred_days="Thu-Fri; Mon")
    assert [str(w) for w in problem.warnings] == [
        "Therapists T1, avoid_days: Fri both preferred and avoided: say one",
        "Therapists T1, preferred_days: prefers Mon but does not work then (works)",
    ]
