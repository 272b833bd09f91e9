"""One objective: every solution the CP-SAT model finds costs exactly what the one cost
evaluator (rota.evaluate.costs) says its rota costs, and solve() reports that cost."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from rota.evaluate.check import check
from rota.evaluate.costs import total_cost
from rota.models import PreviousSession, Problem, Rota
from rota.models.result import Result
from rota.scheduler import SolveParams
from rota.scheduler.candidates import build_candidates
from rota.scheduler.cpsat.build import build_model, extract_sessions
from rota.scheduler.cpsat.variables import Variables
from rota.scheduler.greedy import greedy_rota
from rota.scheduler.solve import restrict_candidates
from tests.scheduler.helpers import service, solved
from tests.scheduler.test_optimality import services, with_previous


class _Every(cp_model.CpSolverSolutionCallback):
    """Records each solution's objective and rota."""

    def __init__(self, problem: Problem, v: Variables) -> None:
        super().__init__()
        self.problem, self.v = problem, v
        self.seen: list[tuple[float, Rota]] = []

    def on_solution_callback(self) -> None:
        sessions = extract_sessions(self.problem, self.v, self.value, self.boolean_value)
        self.seen.append((self.objective_value, Rota(sessions=tuple(sessions))))


def every_solution(problem: Problem, params: SolveParams) -> list[tuple[float, Rota]]:
    """Each solution the full model finds (hinted with the greedy rota), with its objective."""
    candidates = build_candidates(problem)
    greedy = greedy_rota(problem, candidates)
    restricted = restrict_candidates(problem, candidates, greedy, params.therapists_per_referral)
    built = build_model(problem, restricted, params, greedy)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 5
    recorder = _Every(problem, built.v)
    solver.solve(built.model, recorder)
    return recorder.seen


def _lunch_at_the_edge() -> Problem:
    """One session before noon at a school, lunch there after it: the day's span must stop at
    the session's admin, not at lunch (the model's blocks used to stretch over lunch)."""
    return service(
        [
            {"referral_id": "R1", "site_ids": "B", "available": "Mon 11:00-11:30"},
            {"referral_id": "R2", "site_ids": "B", "available": "Mon 13:00-13:30"},
        ],
        previous=(
            PreviousSession(
                referral_id="R1", therapist_id="T1", day="Mon", start=11 * 60, room_id="B1"
            ),
            PreviousSession(
                referral_id="R2", therapist_id="T1", day="Mon", start=13 * 60 + 30, room_id="B1"
            ),
        ),
    )


def _lunch_after_the_last_session() -> Problem:
    """A school 150 minutes from the base: lunch can only be taken there, after the day's one
    session; the day's span still ends with that session's admin."""
    return service(
        [{"referral_id": "R1", "site_ids": "B", "available": "Mon 11:00-11:30"}], travel=150
    )


def test_the_span_ends_with_the_last_admin_even_when_lunch_follows_it() -> None:
    problem = _lunch_after_the_last_session()
    params = SolveParams(workers=1)
    seen = every_solution(problem, params)
    assert seen
    for objective, rota in seen:
        assert objective == total_cost(problem, rota, params.weights)


def _long_drives_and_arrival() -> Problem:
    """A school 60 minutes from the base and one at the base, 10 minutes to arrive anywhere,
    drives beyond 45 minutes costed: each leg to or from B has 15 long minutes."""
    return service(
        [
            {"referral_id": "R1", "site_ids": "B", "available": "Mon 10:00-11:00"},
            {"referral_id": "R2", "site_ids": "A|B", "available": "Mon 13:00-15:00"},
        ],
        settings={"arrival_minutes": 10, "long_drive_minutes": 45},
        travel=60,
    )


def every_solution_costs_what_the_evaluator_says(problem: Problem) -> Result:
    """Each CP-SAT solution's objective is the evaluator's cost of its rota, and so is the
    solve's reported objective; the checked result."""
    params = SolveParams(workers=1)
    seen = every_solution(problem, params)
    assert seen
    for objective, rota in seen:
        assert objective == total_cost(problem, rota, params.weights)
    result = solved(problem, strategy="full")
    assert result.objective == sum(t.cost for t in result.costs)
    return result


def test_every_solution_with_arrival_and_long_drives_costs_what_the_evaluator_says() -> None:
    problem = _long_drives_and_arrival()
    result = every_solution_costs_what_the_evaluator_says(problem)
    units = {t.label: t.units for t in result.costs}
    # Both placed at B (R2 there too, saving the drive back for it): out 60 + 10 to arrive,
    # home 60; 15 long minutes each way.
    assert {s.site_id for s in result.rota.sessions} == {"B"}
    assert units["travel minutes"] == 130
    assert units["long drive minutes"] == 30


def test_one_long_drive_costs_more_than_the_same_minutes_split() -> None:
    from rota.evaluate.costs import CostModel
    from rota.evaluate.weights import Weights
    from rota.models import Session

    problem = _long_drives_and_arrival()
    costs = CostModel(problem, Weights())
    at_b = [Session(referral_id="R1", therapist_ids=("T1",), site_id="B", room_id="B1",
                    day="Mon", start=600, end=630)]  # fmt: skip
    units = costs.day_units("T1", "Mon", at_b)
    assert units["long drive minutes"] == 2 * (60 - 45)
    short = problem.model_copy(
        update={"settings": problem.settings.model_copy(update={"long_drive_minutes": 60})}
    )
    assert CostModel(short, Weights()).day_units("T1", "Mon", at_b)["long drive minutes"] == 0
    off = problem.model_copy(
        update={"settings": problem.settings.model_copy(update={"long_drive_minutes": None})}
    )
    assert "long drive minutes" not in CostModel(off, Weights()).day_units("T1", "Mon", at_b)


def test_every_solution_with_a_previous_rota_costs_what_the_evaluator_says() -> None:
    result = every_solution_costs_what_the_evaluator_says(_lunch_at_the_edge())
    assert "sessions moved from previous" in {t.label for t in result.costs}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_previous())
def test_every_solution_of_random_services_costs_what_the_evaluator_says(problem: Problem) -> None:
    params = SolveParams(workers=1)
    for objective, rota in every_solution(problem, params):
        assert objective == total_cost(problem, rota, params.weights)


@st.composite
def with_day_rules(draw: st.DrawFn) -> Problem:
    """A random small service with arrival minutes, a site limit, long drives costed and a
    daily driving limit for T1, each sometimes off."""
    problem = draw(services())
    settings = problem.settings.model_copy(
        update={
            "arrival_minutes": draw(st.sampled_from([0, 5, 10])),
            "max_sites_per_day": draw(st.sampled_from([None, 1])),
            "long_drive_minutes": draw(st.sampled_from([None, 0, 20])),
        }
    )
    most = draw(st.sampled_from([None, 10, 60]))
    therapists = tuple(
        t.model_copy(update={"max_drive_minutes_per_day": most}) if t.therapist_id == "T1" else t
        for t in problem.therapists
    )
    return problem.model_copy(update={"settings": settings, "therapists": therapists})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_day_rules())
def test_every_solution_with_the_day_rules_costs_what_the_evaluator_says(problem: Problem) -> None:
    params = SolveParams(workers=1)
    for objective, rota in every_solution(problem, params):
        assert check(problem, rota) == []
        assert objective == total_cost(problem, rota, params.weights)
