"""KPIs and day routes on a hand-computed two-therapist week.

The service (tests/conftest.py, two_therapists_service) has measured travel CAM-ELY 25,
CAM-HUN 30, ELY-HUN 35 minutes and admin of 10 minutes. The week:

T1 (base CAM, works Mon-Wed 09:00-17:00 = 1,440 minutes)
  Mon  CAM -25-> ELY  R1 09:30-10:00  -35-> HUN  R3 (with T2) 11:00-11:45  -30-> CAM    90 min
  Tue  R2 10:00-10:45 at CAM (the base): no driving                                      0 min
T2 (base HUN, works Mon 09:00-12:00, 13:00-17:00 and Thu 09:00-13:00 = 660 minutes)
  Mon  R3 (with T1) 11:00-11:45 at HUN (the base)                                        0 min
  Thu  HUN -30-> CAM  R4 10:00-10:30  -30-> HUN                                          60 min
R5 (priority 5, music, 40 minutes) is left unscheduled.
"""

from __future__ import annotations

import pytest

from rota.evaluate.check import check
from rota.evaluate.kpis import DayRoute, Leg, compute_kpis, day_routes
from rota.models import Problem, Rota, Session, Unscheduled, format_time


def sess(
    referral_id: str, therapists: str, site: str, room: str, day: str, start: str, end: str
) -> Session:
    return Session(
        referral_id=referral_id,
        therapist_ids=therapists,
        site_id=site,
        room_id=room,
        day=day,
        start=start,
        end=end,
    )


WEEK = Rota(
    sessions=(
        sess("R1", "T1", "ELY", "ELY-1", "Mon", "09:30", "10:00"),
        sess("R3", "T1,T2", "HUN", "HUN-1", "Mon", "11:00", "11:45"),
        sess("R2", "T1", "CAM", "CAM-1", "Tue", "10:00", "10:45"),
        sess("R4", "T2", "CAM", "CAM-1", "Thu", "10:00", "10:30"),
    ),
    unscheduled=(Unscheduled(referral_id="R5", reason="no therapist free"),),
)


def leg(a: str, b: str, minutes: int, depart: str, arrive: str) -> tuple[str, str, int, str, str]:
    return (a, b, minutes, depart, arrive)


def legs_of(route: DayRoute) -> list[tuple[str, str, int, str, str]]:
    return [
        (x.from_site_id, x.to_site_id, x.minutes, format_time(x.depart), format_time(x.arrive))
        for x in route.legs
    ]


def test_the_week_is_a_valid_rota(two_therapists_service: Problem) -> None:
    assert check(two_therapists_service, WEEK) == []


def test_day_routes_by_hand(two_therapists_service: Problem) -> None:
    routes = day_routes(two_therapists_service, WEEK)
    assert [(r.therapist_id, r.day) for r in routes] == [
        ("T1", "Mon"),
        ("T1", "Tue"),
        ("T2", "Mon"),
        ("T2", "Thu"),
    ]
    t1_mon, t1_tue, t2_mon, t2_thu = routes
    assert legs_of(t1_mon) == [
        leg("CAM", "ELY", 25, "09:05", "09:30"),
        leg("ELY", "HUN", 35, "10:10", "10:45"),
        leg("HUN", "CAM", 30, "11:55", "12:25"),
    ]
    assert t1_mon.sites == ("CAM", "ELY", "HUN", "CAM")
    assert t1_mon.minutes == 90
    assert t1_tue.legs == () and t1_tue.sites == ("CAM",) and t1_tue.minutes == 0
    assert t2_mon.legs == () and t2_mon.sites == ("HUN",)
    assert legs_of(t2_thu) == [
        leg("HUN", "CAM", 30, "09:30", "10:00"),
        leg("CAM", "HUN", 30, "10:40", "11:10"),
    ]


def test_kpis_by_hand(two_therapists_service: Problem) -> None:
    k = compute_kpis(two_therapists_service, WEEK)
    assert (k.referrals, k.scheduled, k.unscheduled) == (5, 4, 1)
    assert k.scheduled_minutes == 30 + 45 + 45 + 30
    assert k.unscheduled_minutes == 40
    assert k.scheduled_by_priority == {1: 1, 2: 1, 3: 2, 4: 0, 5: 0}
    assert k.unscheduled_by_priority == {1: 0, 2: 0, 3: 0, 4: 0, 5: 1}
    assert k.scheduled_by_discipline == {"music": 3, "drama": 1}
    assert k.unscheduled_by_discipline == {"music": 1, "drama": 0}
    assert k.minutes_by_discipline == {"music": 120, "drama": 30}
    assert k.weighted_scheduled == 81 + 27 + 9 + 9
    assert k.weighted_total == 81 + 27 + 9 + 9 + 1
    assert k.travel_minutes == 90 + 60
    # R1 stays with T1; R2's current therapist is T2 but T1 sees it.
    assert (k.continuity_kept, k.continuity_possible) == (1, 2)
    # R1 prefers Mon 09:00-11:00 (09:30-10:00: met); R4 prefers Thu (met).
    assert (k.preferred_met, k.preferred_possible) == (2, 2)
    t1, t2 = k.therapists
    assert t1.model_dump() == {
        "therapist_id": "T1",
        "sessions": 3,
        "contact_minutes": 120,
        "working_minutes": 1440,
        "utilisation": pytest.approx(120 / 1440),
        "travel_minutes": 90,
        "days_worked": 2,
    }
    assert t2.model_dump() == {
        "therapist_id": "T2",
        "sessions": 2,
        "contact_minutes": 75,
        "working_minutes": 660,
        "utilisation": pytest.approx(75 / 660),
        "travel_minutes": 60,
        "days_worked": 2,
    }
    assert k.utilisation == pytest.approx((120 + 75) / (1440 + 660))
    assert k.room_sessions == {"CAM-1": 2, "ELY-1": 1, "HUN-1": 1}


def test_kpis_travel_is_the_sum_of_the_routes(two_therapists_service: Problem) -> None:
    routes = day_routes(two_therapists_service, WEEK)
    k = compute_kpis(two_therapists_service, WEEK)
    assert k.travel_minutes == sum(leg.minutes for r in routes for leg in r.legs)
    for t in k.therapists:
        mine = [r for r in routes if r.therapist_id == t.therapist_id]
        assert t.travel_minutes == sum(r.minutes for r in mine)
        assert t.days_worked == len(mine)


def test_consecutive_sessions_at_one_site_need_no_travel(two_sites_one_therapist: Problem) -> None:
    rota_ = Rota(
        sessions=(
            sess("R1", "T1", "STI", "STI-1", "Mon", "09:20", "09:50"),
            sess("R3", "T1", "STI", "STI-1", "Mon", "10:00", "10:30"),
        )
    )
    (route,) = day_routes(two_sites_one_therapist, rota_)
    assert legs_of(route) == [
        leg("HUN", "STI", 20, "09:00", "09:20"),
        leg("STI", "HUN", 20, "10:40", "11:00"),
    ]
    assert route.sites == ("HUN", "STI", "HUN")
    assert compute_kpis(two_sites_one_therapist, rota_).travel_minutes == 40


def test_leaving_and_returning_to_a_site_drives_twice(two_sites_one_therapist: Problem) -> None:
    rota_ = Rota(
        sessions=(
            sess("R1", "T1", "STI", "STI-1", "Mon", "09:20", "09:50"),
            sess("R2", "T1", "HUN", "HUN-1", "Mon", "10:20", "11:05"),
            sess("R3", "T1", "STI", "STI-1", "Mon", "11:35", "12:05"),
        )
    )
    (route,) = day_routes(two_sites_one_therapist, rota_)
    assert route.sites == ("HUN", "STI", "HUN", "STI", "HUN")
    assert route.minutes == 4 * 20
    assert str(route.legs[0]) == "HUN 09:00 -> STI 09:20 (20 min)"


def test_preference_just_inside_and_just_outside(two_therapists_service: Problem) -> None:
    # R1 prefers Mon 09:00-11:00.
    inside = Rota(sessions=(sess("R1", "T1", "ELY", "ELY-1", "Mon", "10:30", "11:00"),))
    outside = Rota(sessions=(sess("R1", "T1", "ELY", "ELY-1", "Mon", "10:35", "11:05"),))
    other_day = Rota(sessions=(sess("R1", "T1", "ELY", "ELY-1", "Tue", "09:30", "10:00"),))
    met = [
        compute_kpis(two_therapists_service, r).preferred_met for r in (inside, outside, other_day)
    ]
    assert met == [1, 0, 0]
    assert compute_kpis(two_therapists_service, inside).preferred_possible == 1


def test_empty_rota(two_therapists_service: Problem) -> None:
    k = compute_kpis(two_therapists_service, Rota())
    assert (k.scheduled, k.unscheduled, k.unscheduled_minutes) == (0, 5, 30 + 45 + 45 + 30 + 40)
    assert k.travel_minutes == 0 and k.utilisation == 0.0
    assert k.continuity_possible == 2 and k.preferred_possible == 0
    assert all(t.sessions == 0 and t.days_worked == 0 for t in k.therapists)
    assert k.room_sessions == {"CAM-1": 0, "ELY-1": 0, "HUN-1": 0}
    assert day_routes(two_therapists_service, Rota()) == []


def test_utilisation_zero_without_working_time(two_therapists_service: Problem) -> None:
    fields = {name: getattr(two_therapists_service, name) for name in Problem.model_fields}
    therapists = tuple(
        t.model_validate(t.model_dump() | {"works": "Sat 09:00-12:00"})
        if t.therapist_id == "T2"
        else t
        for t in two_therapists_service.therapists
    )
    problem = Problem(**(fields | {"therapists": therapists}))
    k = compute_kpis(problem, WEEK)
    t2 = k.therapists[1]
    assert t2.working_minutes == 0 and t2.utilisation == 0.0
    assert t2.contact_minutes == 75


def test_edited_rota_with_unknown_ids_still_has_figures(two_therapists_service: Problem) -> None:
    edited = Rota(
        sessions=WEEK.sessions
        + (
            sess("R9", "T9", "XXX", "ROOM9", "Wed", "10:00", "10:30"),
            sess("R2", "T1", "XXX", "CAM-1", "Wed", "10:00", "10:45"),
        )
    )
    k = compute_kpis(two_therapists_service, edited)
    assert k.scheduled == 4  # R9 is not a referral; R2's first session counts once
    assert k.room_sessions["CAM-1"] == 3
    routes = day_routes(two_therapists_service, edited)
    wed = [r for r in routes if r.day == "Wed"]
    # T1's Wednesday session is at an unknown site: the day counts, but cannot be routed.
    assert [(r.therapist_id, r.legs) for r in wed] == [("T1", ())]
    assert k.therapists[0].days_worked == 3


def test_leg_and_route_are_frozen() -> None:
    x = Leg(from_site_id="A", to_site_id="B", minutes=5, depart=600, arrive=605)
    with pytest.raises(ValueError):
        x.minutes = 6  # type: ignore[misc]
