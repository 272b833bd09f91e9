"""The solver against brute force on a tiny service, and against the checker on random ones."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rota.evaluate.check import check
from rota.evaluate.costs import cost_terms
from rota.evaluate.weights import Weights
from rota.models import PreviousSession, Problem, Rota, Session
from rota.scheduler import SolveParams
from rota.scheduler.pins import pin_plan
from tests.scheduler.helpers import placed, service, solved


def _tiny() -> Problem:
    # One therapist on Monday mornings, two sites 25 minutes apart, a 15-minute grid, no lunch.
    return service(
        [
            {"referral_id": "R1", "site_ids": "A", "available": "Mon 09:00-10:30", "priority": 2},
            {"referral_id": "R2", "site_ids": "B", "available": "Mon 09:00-11:00"},
            {
                "referral_id": "R3",
                "site_ids": "A",
                "available": "Mon 10:00-11:30",
                "current_therapist_id": "T1",
                "preferred": "Mon 10:30-11:30",
            },
            {
                "referral_id": "R4",
                "site_ids": "B",
                "minutes": 45,
                "available": "Mon 09:30-11:30",
                "priority": 5,
            },
        ],
        therapists=[
            {
                "therapist_id": "T1",
                "disciplines": "music",
                "base_site_id": "A",
                "works": "Mon 08:45-11:45",
            }
        ],
        settings={"slot_minutes": 15, "lunch_minutes": 0, "admin_minutes": 15},
    )


def _brute_force(problem: Problem, weights: Weights) -> int:
    choices = []
    for ref in problem.referrals:
        options: list[Session | None] = [None]
        windows = problem.referral_windows(ref.referral_id) or {}
        for a, b in windows.get("Mon", ()):
            for start in range(a, b - ref.minutes + 1, 15):
                room = problem.rooms_by_site[ref.site_ids[0]][0]
                options.append(
                    Session(
                        referral_id=ref.referral_id,
                        therapist_ids=("T1",),
                        site_id=room.site_id,
                        room_id=room.room_id,
                        day="Mon",
                        start=start,
                        end=start + ref.minutes,
                    )
                )
        choices.append(options)
    best = None
    for combo in itertools.product(*choices):
        rota = Rota(sessions=tuple(s for s in combo if s is not None))
        if check(problem, rota):
            continue
        cost = sum(t.cost for t in cost_terms(problem, rota, weights))
        best = cost if best is None else min(best, cost)
    assert best is not None
    return best


def test_tiny_optimum_matches_brute_force() -> None:
    problem = _tiny()
    result = solved(problem, strategy="full")
    assert result.status == "OPTIMAL"
    optimum = _brute_force(problem, Weights())
    assert result.objective == optimum
    assert sum(t.cost for t in result.costs) == optimum


@st.composite
def services(draw: st.DrawFn) -> Problem:
    n_refs = draw(st.integers(1, 6))
    days = ["Mon", "Tue"]
    refs = []
    for i in range(n_refs):
        day = draw(st.sampled_from(days))
        start = draw(st.integers(8 * 4, 14 * 4)) * 15
        length = draw(st.integers(2, 10)) * 15
        refs.append(
            {
                "referral_id": f"R{i}",
                "site_ids": draw(st.sampled_from(["A", "B", "A|B"])),
                "minutes": draw(st.sampled_from([30, 35, 40, 45])),
                "priority": draw(st.integers(1, 5)),
                "group_size": draw(st.integers(1, 4)),
                "therapists_needed": draw(st.sampled_from([1, 1, 1, 2])),
                "needs_features": draw(st.sampled_from(["", "piano"])),
                "available": draw(
                    st.sampled_from(
                        [
                            "",
                            f"{day} {start // 60:02d}:{start % 60:02d}-"
                            f"{min(17 * 60, start + length + 30) // 60:02d}:"
                            f"{min(17 * 60, start + length + 30) % 60:02d}",
                        ]
                    )
                ),
                "current_therapist_id": draw(st.sampled_from([None, "T1", "T2"])),
            }
        )
    works = draw(st.sampled_from(["Mon-Tue", "Mon 08:30-12:30; Tue", "Tue 09:00-15:00"]))
    rooms = [
        {
            "room_id": "A1",
            "site_id": "A",
            "capacity": draw(st.integers(1, 6)),
            "features": draw(st.sampled_from(["", "piano"])),
        },
        {
            "room_id": "B1",
            "site_id": "B",
            "capacity": draw(st.integers(1, 6)),
            "available": draw(st.sampled_from(["", "Mon 09:00-12:00", "Tue 13:00-15:15"])),
        },
    ]
    return service(
        refs,
        therapists=[
            {
                "therapist_id": "T1",
                "disciplines": "music",
                "base_site_id": "A",
                "works": works,
                "max_contact_minutes": draw(st.sampled_from([None, None, 60, 120])),
            },
            {
                "therapist_id": "T2",
                "disciplines": "music",
                "base_site_id": "B",
                "works": "Mon-Tue",
                "max_sessions_per_day": draw(st.sampled_from([None, 1, 2])),
            },
        ],
        rooms=rooms,
        travel=draw(st.sampled_from([5, 25, 60])),
        settings={"admin_minutes": draw(st.sampled_from([5, 10, 15]))},
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(services(), st.sampled_from(["full", "lns"]))
def test_random_services_solve_to_checked_rotas(problem: Problem, strategy: str) -> None:
    result = solved(problem, strategy=strategy, time_limit=5)
    assert result.kpis is not None
    assert result.kpis.scheduled == len(result.rota.sessions)
    # Never worse than the greedy baseline the solve starts from.
    from rota.scheduler.candidates import build_candidates
    from rota.scheduler.greedy import greedy_rota

    greedy = greedy_rota(problem, build_candidates(problem))
    params = SolveParams()
    assert sum(t.cost for t in result.costs) <= sum(
        t.cost for t in cost_terms(problem, greedy, params.weights)
    )


@st.composite
def with_previous(draw: st.DrawFn, pins: bool = False) -> Problem:
    """A random small service with a previous rota of some referrals; with ``pins``, some
    rows pinned (a pin may break a rule: solve() must then leave it out, never return a rota
    that breaks one)."""
    problem = draw(services())
    rows = [
        PreviousSession(
            referral_id=ref.referral_id,
            therapist_id=draw(st.sampled_from(["T1", "T2"])),
            day=draw(st.sampled_from(["Mon", "Tue"])),
            start=draw(st.integers(9 * 12, 14 * 12)) * 5,
            room_id=draw(st.sampled_from(["A1", "B1"])),
            pinned=pins and draw(st.booleans()),
        )
        for ref in problem.referrals[: draw(st.integers(0, 3))]
    ]
    return problem.model_copy(update={"previous": tuple(rows)})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_previous(pins=True), st.sampled_from(["full", "lns"]))
def test_random_services_with_pins_solve_to_checked_rotas(problem: Problem, strategy: str) -> None:
    result = solved(problem, strategy=strategy, time_limit=5)
    kept = {s.referral_id: s for s in pin_plan(problem).sessions}
    for rid, pin in kept.items():
        session = placed(result)[rid]
        assert (session.day, session.start, session.room_id) == (pin.day, pin.start, pin.room_id)
