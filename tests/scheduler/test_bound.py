"""The proven lower bound: never above a brute-force optimum, and what each part of it counts."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rota.evaluate.check import check
from rota.evaluate.costs import total_cost
from rota.evaluate.weights import Weights
from rota.models import Problem, Rota, Session, TravelOverride
from rota.scheduler.bound import (
    Relaxation,
    certificate,
    day_bound,
    lower_bound,
    own_duals,
    shortest_drives,
)
from rota.scheduler.candidates import build_candidates
from tests.conftest import make_two_therapists_service
from tests.scheduler.helpers import service, solved


def _placements(problem: Problem, rid: str) -> list[Session]:
    """Every session a referral could have, from the Problem's records alone: each team of
    able-looking therapists, day, site, room and start on the slot grid inside the client's
    and the room's times (the checker judges the rest)."""
    ref = problem.referral_by_id[rid]
    slot = problem.settings.slot_minutes
    names = [t.therapist_id for t in problem.therapists if ref.discipline in t.disciplines]
    client = problem.referral_windows(rid)
    out = []
    for team in itertools.combinations(names, ref.therapists_needed):
        for site in ref.site_ids:
            for room in problem.rooms_by_site[site]:
                for day, ranges in problem.room_windows(room.room_id).items():
                    for a, b in ranges:
                        for start in range(-(-a // slot) * slot, b - ref.minutes + 1, slot):
                            end = start + ref.minutes
                            if client is not None and not any(
                                x <= start and end <= y for x, y in client.get(day, ())
                            ):
                                continue
                            out.append(
                                Session(
                                    referral_id=rid,
                                    therapist_ids=team,
                                    site_id=site,
                                    room_id=room.room_id,
                                    day=day,
                                    start=start,
                                    end=end,
                                )
                            )
    return out


def brute_force_optimum(problem: Problem, weights: Weights) -> int:
    """The least cost of any rota the checker accepts: every referral left out or placed in
    every way, depth first, dropping a partial rota as soon as the checker rejects it (a part
    of a valid rota is valid on these two-site services)."""
    options = [[None, *_placements(problem, r.referral_id)] for r in problem.referrals]
    best = math.inf

    def search(i: int, chosen: tuple[Session, ...]) -> None:
        nonlocal best
        if i == len(options):
            best = min(best, total_cost(problem, Rota(sessions=chosen), weights))
            return
        for s in options[i]:
            if s is None:
                search(i + 1, chosen)
            elif not check(problem, Rota(sessions=(*chosen, s))):
                search(i + 1, (*chosen, s))

    search(0, ())
    return int(best)


def _tiny() -> Problem:
    # Two therapists at A and B (25 minutes apart), narrow windows on a 15-minute grid.
    return service(
        [
            {"referral_id": "R1", "site_ids": "A", "available": "Mon 09:00-10:00", "priority": 2},
            {
                "referral_id": "R2",
                "site_ids": "B",
                "available": "Mon 09:30-11:00",
                "current_therapist_id": "T1",
                "preferred": "Mon 10:00-10:30",
            },
            {"referral_id": "R3", "site_ids": "A|B", "minutes": 45, "available": "Mon 10:00-11:30"},
        ],
        therapists=[
            {
                "therapist_id": "T1",
                "disciplines": "music",
                "base_site_id": "A",
                "works": "Mon 08:45-12:00",
            },
            {
                "therapist_id": "T2",
                "disciplines": "music",
                "base_site_id": "B",
                "works": "Mon 09:15-11:30",
            },
        ],
        settings={"slot_minutes": 15, "lunch_minutes": 0, "admin_minutes": 15},
    )


def test_bound_is_below_the_brute_force_optimum_of_a_tiny_service() -> None:
    problem = _tiny()
    optimum = brute_force_optimum(problem, Weights())
    bound = lower_bound(problem)
    assert bound.value <= optimum
    assert bound.status == "OPTIMAL"
    # Not trivially low: it counts travel and every placed referral's session and admin.
    assert bound.value >= 0.5 * optimum
    # The full model with every therapist proves the same optimum.
    assert solved(problem, strategy="full", therapists_per_referral=0).objective == optimum


def test_the_bound_counts_arrival_minutes_and_stays_below_the_optimum() -> None:
    plain = _tiny()
    problem = plain.model_copy(
        update={"settings": plain.settings.model_copy(update={"arrival_minutes": 15})}
    )
    assert lower_bound(plain).value <= lower_bound(problem).value
    assert lower_bound(problem).value <= brute_force_optimum(problem, Weights())
    # One session at B for a therapist based at A: 25 minutes there, 15 to arrive, 25 back.
    far = service([{"referral_id": "R1", "site_ids": "B"}], settings={"arrival_minutes": 15})
    bound = lower_bound(far)
    assert bound.terms["travel minutes"] == 10 * 65
    assert bound.value <= brute_force_optimum(far, Weights())


def test_unplaceable_referrals_are_a_constant_of_the_bound() -> None:
    problem = service(
        [
            {"referral_id": "R1", "available": "Mon 09:00-10:00"},
            {"referral_id": "R2", "needs_skills": "vig", "current_therapist_id": "T1"},
            {"referral_id": "R3", "priority": 1, "discipline": "drama"},
        ],
        settings={"lunch_minutes": 0},
    )
    bound = lower_bound(problem)
    # R2 (P3, a skill nobody has, continuity lost) and R3 (P1, no drama therapist).
    assert bound.unplaceable == 9 * 10_000 + 500 + 81 * 10_000
    assert bound.terms["unplaceable"] == bound.unplaceable
    # R1 alone at A, the base: no travel, its 30 minutes and 10 minutes of admin of span.
    assert bound.net == 40
    result = solved(problem)
    assert total_cost(problem, result.rota, Weights()) - bound.unplaceable == 40


def test_travel_counts_a_far_site_when_the_day_is_full() -> None:
    # One therapist at A whose working day holds the drive to B and back and the session
    # exactly: the bound charges the whole round trip.
    problem = service(
        [{"referral_id": "R1", "site_ids": "B", "minutes": 40}],
        therapists=[
            {
                "therapist_id": "T1",
                "disciplines": "music",
                "base_site_id": "A",
                "works": "Mon 09:00-10:40",
            }
        ],
        settings={"lunch_minutes": 0, "admin_minutes": 10},
        travel=25,
    )
    bound = lower_bound(problem)
    assert bound.value == 10 * 50 + 50
    assert total_cost(problem, solved(problem).rota, Weights()) == bound.value


def test_shortest_drives_go_through_another_site_when_quicker() -> None:
    problem = make_two_therapists_service().model_copy(
        update={
            "travel": (
                *make_two_therapists_service().travel[:2],
                make_two_therapists_service().travel[2].model_copy(update={"minutes": 90}),
            )
        }
    )
    assert problem.travel_minutes("ELY", "HUN") == 90
    drive = shortest_drives(problem, ["CAM", "ELY", "HUN"])
    assert drive[("ELY", "HUN")] == 25 + 30 and drive[("CAM", "CAM")] == 0


def test_any_duals_give_a_bound_below_the_relaxation() -> None:
    problem = make_two_therapists_service()
    relax = Relaxation(problem, build_candidates(problem, 0), Weights())
    solved_bound = lower_bound(problem)
    own = certificate(relax, own_duals(relax))
    assert own <= solved_bound.relaxation + 1e-6
    assert certificate(relax, [0.0] * len(relax.rhs)) <= own
    # Duals of the wrong sign on inequality rows are clipped, so the bound stays valid.
    assert certificate(relax, [5.0] * len(relax.rhs)) <= solved_bound.relaxation + 1e-6
    assert solved_bound.value >= math.ceil(solved_bound.relaxation - 1e-3)
    # Whole days never do worse than the LP's own certificate, whatever the duals.
    for duals in (own_duals(relax), [0.0] * len(relax.rhs), [-3.0] * len(relax.rhs)):
        assert day_bound(relax, duals, 1.0) >= certificate(relax, duals) - 1e-6
    assert lower_bound(problem, day_seconds=0).value == math.ceil(solved_bound.relaxation - 1e-3)


def test_bound_is_below_the_two_therapist_service_optimum() -> None:
    problem = make_two_therapists_service()
    result = solved(problem, strategy="full", therapists_per_referral=0, time_limit=60)
    assert result.status == "OPTIMAL"
    bound = lower_bound(problem)
    assert bound.value <= result.objective
    assert bound.net <= total_cost(problem, result.rota, Weights()) - bound.unplaceable


@st.composite
def tiny_services(draw: st.DrawFn) -> Problem:
    n_refs = draw(st.integers(1, 3))
    refs = []
    for i in range(n_refs):
        start = draw(st.integers(36, 56)) * 15
        length = draw(st.integers(3, 8)) * 15
        refs.append(
            {
                "referral_id": f"R{i}",
                "site_ids": draw(st.sampled_from(["A", "B", "A|B"])),
                "minutes": draw(st.sampled_from([30, 45])),
                "priority": draw(st.integers(1, 5)),
                "therapists_needed": draw(st.sampled_from([1, 1, 1, 2])),
                "current_therapist_id": draw(st.sampled_from([None, "T1", "T2"])),
                "available": f"Mon {start // 60:02d}:{start % 60:02d}-"
                f"{(start + length) // 60:02d}:{(start + length) % 60:02d}",
                "preferred": draw(st.sampled_from([None, "Mon 09:00-11:00"])),
            }
        )
    works = draw(st.sampled_from(["Mon 08:30-12:00", "Mon 09:00-15:00", "Mon 11:00-15:00"]))
    return service(
        refs,
        therapists=[
            {"therapist_id": "T1", "disciplines": "music", "base_site_id": "A", "works": works},
            {
                "therapist_id": "T2",
                "disciplines": "music",
                "base_site_id": "B",
                "works": "Mon 09:00-14:00",
                "max_sessions_per_day": draw(st.sampled_from([None, 1])),
            },
        ],
        rooms=[
            {"room_id": "A1", "site_id": "A", "capacity": 4},
            {
                "room_id": "B1",
                "site_id": "B",
                "capacity": 4,
                "available": draw(st.sampled_from(["", "Mon 09:00-12:00"])),
            },
        ],
        travel=draw(st.sampled_from([10, 25, 60])),
        settings={
            "slot_minutes": 15,
            "admin_minutes": draw(st.sampled_from([0, 15])),
            "lunch_minutes": draw(st.sampled_from([0, 30])),
            "arrival_minutes": draw(st.sampled_from([0, 0, 15])),
        },
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_services())
def test_bound_never_exceeds_the_brute_force_optimum(problem: Problem) -> None:
    optimum = brute_force_optimum(problem, Weights())
    bound = lower_bound(problem)
    assert bound.value <= optimum
    assert 0 <= bound.unplaceable <= bound.value


@pytest.mark.parametrize("size", ["small"])
def test_bound_is_below_every_rota_of_a_demo_service(size: str) -> None:
    from rota.demo import generate_problem
    from rota.scheduler.greedy import greedy_rota

    problem = generate_problem(size, 1)
    bound = lower_bound(problem)
    greedy = greedy_rota(problem, build_candidates(problem))
    assert check(problem, greedy) == []
    assert bound.value <= total_cost(problem, greedy, Weights())
    assert bound.unplaceable > 0 and bound.net > 0


def test_whole_days_count_the_tour_through_every_site_visited() -> None:
    # One therapist based at A must see R1 at B and R2 at C on Monday: the day drives
    # A -> B -> C -> A (25 + 40 + 25), while the LP alone counts the farthest round trip (50)
    # shared between the two sessions; the day in whole numbers sees more of the tour.
    sites = [
        {
            "site_id": sid,
            "name": sid,
            "latitude": 52.2 + i / 100,
            "longitude": 0.1,
            "hours": "Mon 08:30-17:00",
        }
        for i, sid in enumerate("ABC")
    ]
    problem = service(
        [
            {"referral_id": "R1", "site_ids": "B", "priority": 1},
            {"referral_id": "R2", "site_ids": "C", "priority": 1},
        ],
        sites=sites,
        rooms=[{"room_id": f"{s}1", "site_id": s, "capacity": 2} for s in "BC"],
        travel=None,
        settings={"lunch_minutes": 0, "days": "Mon"},
    )
    problem = problem.model_copy(
        update={
            "travel": tuple(
                TravelOverride(from_site_id=a, to_site_id=b, minutes=m)
                for a, b, m in (("A", "B", 25), ("A", "C", 25), ("B", "C", 40))
            )
        }
    )
    lp_only = lower_bound(problem, day_seconds=0)
    whole = lower_bound(problem)
    optimum = total_cost(problem, solved(problem, strategy="full").rota, Weights())
    assert optimum == 10 * 90 + (30 + 10 + 40 + 30 + 10)
    assert lp_only.value == 10 * 50 + 80 < whole.value <= optimum
