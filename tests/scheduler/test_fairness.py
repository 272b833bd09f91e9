"""Fair loads: with the Settings' balance_loads, the spread of therapists' loads (session
minutes over contract) is a cost, priced alike by the evaluator, the local search's board and
the CP-SAT model; without it a rota is found as before."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from rota.evaluate.costs import SPREAD, CostModel, contact_minutes, cost_terms, total_cost
from rota.evaluate.weights import Weights
from rota.models import Problem
from rota.scheduler import SolveParams
from rota.scheduler.board import Board
from rota.scheduler.candidates import build_candidates
from rota.scheduler.greedy import greedy_rota
from tests.scheduler.helpers import placed, service, solved
from tests.scheduler.test_objective import every_solution
from tests.scheduler.test_optimality import with_previous

MON = "Mon 08:30-17:00"


def _both_with_t1(balance: bool, **t2: object) -> Problem:
    """Two therapists at A with the same hours; both referrals are T1's now, so continuity
    keeps both with her unless their loads are balanced (a spread of 11 points costs 22,000;
    moving one referral to T2 costs 500 of continuity)."""
    return service(
        [
            {"referral_id": "R1", "current_therapist_id": "T1"},
            {"referral_id": "R2", "current_therapist_id": "T1"},
        ],
        therapists=[
            {"therapist_id": "T1", "disciplines": "music", "base_site_id": "A", "works": MON},
            {
                "therapist_id": "T2",
                "disciplines": "music",
                "base_site_id": "A",
                "works": MON,
                **t2,
            },
        ],
        settings={"balance_loads": balance},
    )


def _therapists(problem: Problem, strategy: str) -> dict[str, tuple[str, ...]]:
    # Repeatable and short: the local strategy searches its whole time, and these services
    # are tiny.
    result = solved(problem, strategy=strategy, time_limit=2, deterministic_time=2)
    return {rid: s.therapist_ids for rid, s in placed(result).items()}


def test_contract_minutes_default_to_working_minutes() -> None:
    problem = _both_with_t1(True, contract_minutes=300)
    assert problem.contract_minutes("T1") == 510
    assert problem.contract_minutes("T2") == 300


def test_without_balance_loads_continuity_keeps_both_with_t1() -> None:
    problem = _both_with_t1(False)
    for strategy in ("full", "local"):
        assert _therapists(problem, strategy) == {"R1": ("T1",), "R2": ("T1",)}
    assert SPREAD not in {t.label for t in cost_terms(problem, solved(problem).rota, Weights())}


def test_balance_loads_shares_the_referrals_in_the_full_model_and_the_local_search() -> None:
    problem = _both_with_t1(True)
    for strategy in ("full", "local"):
        who = _therapists(problem, strategy)
        assert sorted(who.values()) == [("T1",), ("T2",)], strategy
    result = solved(problem, strategy="full")
    spread = next(t for t in result.costs if t.label == SPREAD)
    assert (spread.units, spread.weight) == (0, Weights().fairness)
    assert result.objective == total_cost(problem, result.rota, Weights())


def test_a_smaller_contract_takes_a_smaller_share() -> None:
    # T2's contract is a quarter of T1's: one 30-minute session each puts her at 23% and T1 at
    # 5% (spread 18 = 36,000); both with T1 is 11% against 0% (22,000, continuity kept).
    problem = _both_with_t1(True, contract_minutes=127)
    assert _therapists(problem, "full") == {"R1": ("T1",), "R2": ("T1",)}


def test_the_board_prices_the_week_piece_in_each_insertion() -> None:
    problem = _both_with_t1(True)
    candidates = build_candidates(problem)
    board = Board(problem, candidates, Weights(), greedy_rota(problem, candidates))
    for rid in list(board.session):
        board.remove(rid)
    board.place(board.best_insertion("R1").session)  # type: ignore[union-attr]
    assert board.session["R1"].therapist_ids == ("T1",)
    best = board.best_insertion("R2")
    assert best is not None
    assert best.session.therapist_ids == ("T2",)
    before = board.total
    board.place(best.session)
    assert board.total - before == best.delta
    assert board.total == total_cost(problem, board.rota(), Weights())


def test_every_solution_of_a_balanced_service_costs_what_the_evaluator_says() -> None:
    # Three referrals for two therapists (one with a contract of her own): no rota has loads
    # level, so each solution's spread counts.
    base = _both_with_t1(True, contract_minutes=400)
    extra = base.referrals[0].model_copy(update={"referral_id": "R3", "minutes": 60})
    problem = base.model_copy(update={"referrals": (*base.referrals, extra)})
    params = SolveParams(workers=1)
    seen = every_solution(problem, params)
    assert seen
    model = CostModel(problem, params.weights)
    assert any(model.week_units(contact_minutes(rota))[SPREAD] for _, rota in seen)
    for objective, rota in seen:
        assert objective == total_cost(problem, rota, params.weights)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_previous())
def test_every_solution_of_random_balanced_services_costs_what_the_evaluator_says(
    problem: Problem,
) -> None:
    balanced = problem.model_copy(
        update={"settings": problem.settings.model_copy(update={"balance_loads": True})}
    )
    params = SolveParams(workers=1)
    for objective, rota in every_solution(balanced, params):
        assert objective == total_cost(balanced, rota, params.weights)
