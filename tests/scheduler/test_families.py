"""One small service per rule family, solved by the full CP-SAT model, where breaking the rule
would lower the objective: the test sees the CP-SAT rota itself (not the greedy fallback) keep
the rule. A second test removes each family from the model (or from the candidates, for the
rules that live there) and sees the first one fail: a model that lost a rule cannot pass."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from rota.evaluate.check import check
from rota.models import PreviousSession, Problem, TravelOverride, Windows
from rota.models.result import Result
from rota.scheduler import SolveParams
from rota.scheduler.candidates import room_day_starts
from rota.scheduler.solve import solve
from tests.scheduler.helpers import placed, service

H = 60
ROOM_DAY_STARTS = room_day_starts
TWO = [
    {"therapist_id": f"T{i}", "disciplines": "music", "base_site_id": "A", "works": "Mon"}
    for i in (1, 2)
]
ONE_ROOM = [{"room_id": "A1", "site_id": "A", "capacity": 6}]
TWO_ROOMS = [*ONE_ROOM, {"room_id": "A2", "site_id": "A", "capacity": 6}]


def _no_op(*args: Any, **kwargs: Any) -> Any:
    return []


@dataclass
class Family:
    """A rule family: a service where it binds, what the rota must show, and how to remove it."""

    problem: Callable[[], Problem]
    expect: Callable[[Result], bool]
    removals: list[tuple[str, Any]]  # (dotted name, replacement) that take the family away


def _travel() -> Problem:
    # R1 at A then R2 at B: back to back without the 25-minute drive; only one fits with it.
    return service(
        [
            {"referral_id": "R1", "site_ids": "A", "available": "Mon 09:00-09:30"},
            {"referral_id": "R2", "site_ids": "B", "available": "Mon 09:40-10:30", "priority": 1},
        ]
    )


def _arrival() -> Problem:
    # R1 at A until 09:30 + admin, then R2 at B: the 25-minute drive alone would let R2 start
    # at 10:05, but the 10 minutes to arrive at B push it past its window; only R2 fits.
    return service(
        [
            {"referral_id": "R1", "site_ids": "A", "available": "Mon 09:00-09:30"},
            {"referral_id": "R2", "site_ids": "B", "available": "Mon 10:05-10:40", "priority": 1},
        ],
        settings={"arrival_minutes": 10},
    )


def _sites_per_day() -> Problem:
    # Both fit one Monday, at two sites; one site a day leaves one out.
    return service(
        [
            {"referral_id": "R1", "site_ids": "A", "available": "Mon 09:00-10:00"},
            {"referral_id": "R2", "site_ids": "B", "available": "Mon 14:00-15:00"},
        ],
        settings={"max_sites_per_day": 1},
    )


def _drive_per_day() -> Problem:
    # B and C are each 20 minutes from the base A and from each other: either alone is 40
    # minutes of driving, both 60, more than the therapist's 50.
    sites = [
        {"site_id": sid, "name": sid, "latitude": 52.2 + i / 10, "longitude": 0.1,
         "hours": "Mon-Fri 08:30-17:00"}
        for i, sid in enumerate("ABC")
    ]  # fmt: skip
    problem = service(
        [
            {"referral_id": "R1", "site_ids": "B", "available": "Mon 09:00-10:00"},
            {"referral_id": "R2", "site_ids": "C", "available": "Mon 14:00-15:00"},
        ],
        therapists=[{**TWO[0], "max_drive_minutes_per_day": 50}],
        sites=sites,
        rooms=[{"room_id": f"{sid}1", "site_id": sid, "capacity": 6} for sid in "ABC"],
        travel=None,
    )
    legs = [("A", "B"), ("A", "C"), ("B", "C")]
    return problem.model_copy(
        update={
            "travel": tuple(
                TravelOverride(from_site_id=a, to_site_id=b, minutes=20) for a, b in legs
            )
        }  # fmt: skip
    )


def _one_stay() -> Problem:
    # A, then B, then A again would place all three; one stay per site leaves one out.
    return service(
        [
            {"referral_id": "R1", "site_ids": "A", "available": "Mon 09:00-09:30"},
            {"referral_id": "R2", "site_ids": "B", "available": "Mon 10:30-11:00"},
            {"referral_id": "R3", "site_ids": "A", "available": "Mon 14:30-15:00", "priority": 5},
        ],
        settings={"lunch_minutes": 0},
    )


def _lunch() -> Problem:
    # Three 35-minute sessions fill 11:30-14:00 only if lunch is skipped.
    return service(
        [{"referral_id": f"R{i}", "minutes": 35, "available": "Mon 11:30-14:00"} for i in (1, 2, 3)]
    )


def _referral_windows() -> Problem:
    # R1 keeps its current therapist T2, who works afternoons, or its preferred morning with
    # T1: each choice's own starts (T2's afternoon) must bind the start time.
    return service(
        [{"referral_id": "R1", "current_therapist_id": "T2", "preferred": "Mon 09:00-10:00"}],
        therapists=[TWO[0], {**TWO[1], "works": "Mon 13:00-17:00"}],
    )


def _rooms() -> Problem:
    same_time = "Mon 09:00-09:45"
    return service(
        [
            {"referral_id": "R1", "available": same_time},
            {"referral_id": "R2", "available": same_time},
        ],
        therapists=TWO,
        rooms=ONE_ROOM,
    )


def _therapist_overlap() -> Problem:
    # Two rooms, one therapist, two clients at the same time (and one in the afternoon, so
    # that no other family's bound on the day's length settles it).
    same_time = "Mon 09:00-09:45"
    return service(
        [
            {"referral_id": "R1", "available": same_time},
            {"referral_id": "R2", "available": same_time},
            {"referral_id": "R3", "available": "Mon 15:00-15:30"},
        ],
        rooms=TWO_ROOMS,
    )


def _admin() -> Problem:
    # R2 must start by 09:35, R1 ends 09:30: only without 10 minutes of admin.
    return service(
        [
            {"referral_id": "R1", "available": "Mon 09:00-09:30"},
            {"referral_id": "R2", "available": "Mon 09:30-10:05"},
            {"referral_id": "R3", "available": "Mon 15:00-15:30"},
        ],
        rooms=TWO_ROOMS,
    )


def _limits() -> Problem:
    t = {**TWO[0], "works": "Mon-Tue", "max_sessions_per_day": 1, "max_contact_minutes": 60}
    return service([{"referral_id": f"R{i}"} for i in (1, 2, 3)], therapists=[t])


def _pinned() -> Problem:
    # Pinned to 14:00 although the client prefers the morning.
    pin = PreviousSession(
        referral_id="R1", therapist_id="T1", day="Mon", start=14 * H, room_id="A1", pinned=True
    )
    return service([{"referral_id": "R1", "preferred": "Mon 09:00-10:00"}], previous=(pin,))


def _service_days() -> Problem:
    return service(
        [{"referral_id": "R1", "available": "Sat 09:00-12:00"}],
        therapists=[{**TWO[0], "works": "Mon-Sun"}],
        sites=[
            {
                "site_id": "A",
                "name": "Site A",
                "latitude": 52.2,
                "longitude": 0.12,
                "hours": "Mon-Sun 08:30-17:00",
            },
            {"site_id": "B", "name": "Site B", "latitude": 52.3, "longitude": 0.1},
        ],  # fmt: skip
    )


def _skills() -> Problem:
    # Continuity would keep T1, who lacks the skill; T2 has it.
    return service(
        [{"referral_id": "R1", "needs_skills": "VIG", "current_therapist_id": "T1"}],
        therapists=[TWO[0], {**TWO[1], "skills": "vig"}],
    )


def _working_hours() -> Problem:
    # The client prefers 11:45, but T1 has a break 12:00-12:30: a session from 11:45 would
    # run across it (the day's ends alone would allow it).
    return service(
        [{"referral_id": "R1", "available": "Mon 11:00-13:00", "preferred": "Mon 11:45-12:15"}],
        therapists=[{**TWO[0], "works": "Mon 08:30-12:00, 12:30-17:00"}],
    )


def _features_and_capacity() -> Problem:
    # The small plain room is free when the group prefers; the piano room for 4 later.
    return service(
        [{"referral_id": "R1", "needs_features": "piano", "group_size": 4,
          "preferred": "Mon 09:00-10:00"}],
        rooms=[
            {"room_id": "A1", "site_id": "A", "capacity": 2},
            {"room_id": "A2", "site_id": "A", "capacity": 4, "features": "piano",
             "available": "Mon 13:00-15:00"},
        ],
    )  # fmt: skip


def _client_times() -> Problem:
    return service(
        [{"referral_id": "R1", "available": "Mon 13:00-14:00", "preferred": "Mon 09:00-10:00"}]
    )


def _any_client_time(
    room_windows: Windows, referral_windows: Windows | None, minutes: int, slot: int
) -> Windows:
    """candidates.room_day_starts that ignores the client's times."""
    return ROOM_DAY_STARTS(room_windows, None, minutes, slot)


def _every_day_site_hours(self: Problem, site_id: str) -> Windows:
    """Problem.site_hours without the service days filter."""
    hours = self.site_by_id[site_id].hours
    return hours.resolve(((8 * H + 45, 15 * H + 15),)) if hours else {}


def _every_day_working(self: Problem, therapist_id: str) -> Windows:
    """Problem.therapist_windows without the service days filter."""
    t = self.therapist_by_id[therapist_id]
    return t.works.resolve((self.settings.working_day.interval,))


def _all_day_starts(self: Any, therapist_id: str, day: str, site_id: str, minutes: int,
                    *, travel: bool = True) -> tuple[tuple[int, int], ...]:  # fmt: skip
    """DayRules.session_starts with neither working ranges nor travel."""
    return ((0, 24 * H - minutes),) if day in self.shapes[therapist_id] else ()


def _own_dates() -> Problem:
    # R1 is seen on one date, a Tuesday, and would rather be seen on Mondays: only its dates
    # keep it off Monday.
    tuesday = "2027-01-12"
    return service(
        [{"referral_id": "R1", "start_date": tuesday, "end_date": tuesday, "preferred": "Mon"}],
        therapists=[{**TWO[0], "works": "Mon-Fri"}],
        settings={"term_start": "2027-01-04", "term_end": "2027-03-26"},
    )


def _sessions(result: Result) -> int:
    return len(result.rota.sessions)


FAMILIES: dict[str, Family] = {
    "travel": Family(
        _travel,
        lambda r: set(placed(r)) == {"R2"},
        [("rota.scheduler.cpsat.constraints.add_travel_rules", _no_op)],
    ),
    "travel: arrival minutes": Family(
        _arrival,
        lambda r: set(placed(r)) == {"R2"},
        [("rota.scheduler.cpsat.constraints.travel.arrival", lambda problem, site_id: 0)],
    ),
    "day limits: sites per day": Family(
        _sites_per_day,
        lambda r: _sessions(r) == 1,
        [("rota.scheduler.cpsat.constraints.add_day_limit_rules", _no_op)],
    ),
    "day limits: driving per day": Family(
        _drive_per_day,
        lambda r: _sessions(r) == 1,
        [("rota.scheduler.cpsat.constraints.add_day_limit_rules", _no_op)],
    ),
    "travel: one stay per site": Family(
        _one_stay,
        lambda r: set(placed(r)) == {"R1", "R2"},
        [("rota.scheduler.cpsat.constraints.add_travel_rules", _no_op)],
    ),
    "lunch": Family(
        _lunch,
        lambda r: _sessions(r) == 2,
        [("rota.scheduler.cpsat.constraints.add_travel_rules", _no_op)],
    ),
    "referrals: windows of each choice": Family(
        _referral_windows,
        lambda r: placed(r)["R1"].therapist_ids == ("T2",) and placed(r)["R1"].start >= 13 * H,
        [("rota.scheduler.cpsat.constraints.add_referral_rules", _no_op)],
    ),
    "rooms": Family(
        _rooms,
        lambda r: _sessions(r) == 1,
        [("rota.scheduler.cpsat.constraints.add_room_rules", _no_op)],
    ),
    "therapists: one thing at a time": Family(
        _therapist_overlap,
        lambda r: _sessions(r) == 2,
        [("rota.scheduler.cpsat.constraints.add_therapist_rules", _no_op)],
    ),
    "therapists: admin": Family(
        _admin,
        lambda r: _sessions(r) == 2,
        [("rota.scheduler.cpsat.constraints.add_therapist_rules", _no_op)],
    ),
    "limits": Family(
        _limits,
        lambda r: sorted(s.day for s in r.rota.sessions) == ["Mon", "Tue"],
        [("rota.scheduler.cpsat.constraints.add_limit_rules", _no_op)],
    ),
    "rooms: features and capacity (candidates)": Family(
        _features_and_capacity,
        lambda r: placed(r)["R1"].room_id == "A2",
        [("rota.scheduler.candidates.room_suits", lambda room, size, features: True)],
    ),
    "referrals: the client's times (candidates)": Family(
        _client_times,
        lambda r: placed(r)["R1"].start >= 13 * H,
        [("rota.scheduler.candidates.room_day_starts", _any_client_time)],
    ),
    "referrals: own dates (candidates)": Family(
        _own_dates,
        lambda r: placed(r)["R1"].day == "Tue",
        [("rota.scheduler.candidates.referral_has_dates", lambda *a: True)],
    ),
    "previous and pins": Family(
        _pinned,
        lambda r: placed(r)["R1"].start == 14 * H,
        [("rota.scheduler.cpsat.constraints.add_previous_rules", lambda *a, **k: {})],
    ),
    "service days (candidates)": Family(
        _service_days,
        lambda r: _sessions(r) == 0,
        [
            ("rota.models.problem.Problem.site_hours", _every_day_site_hours),
            ("rota.models.problem.Problem.therapist_windows", _every_day_working),
        ],
    ),
    "discipline and skills (candidates)": Family(
        _skills,
        lambda r: placed(r)["R1"].therapist_ids == ("T2",),
        [("rota.scheduler.candidates.therapist_can", lambda t, d, skills: True)],
    ),
    "working hours and travel from the base (day rules)": Family(
        _working_hours,
        lambda r: placed(r)["R1"].start <= 11 * H + 20 or placed(r)["R1"].start >= 12 * H + 30,
        [("rota.scheduler.day.DayRules.session_starts", _all_day_starts)],
    ),
}


def _solved_by_cp_sat(family: Family) -> bool:
    """The full model's own rota keeps every rule and shows the family's rule at work."""
    problem = family.problem()
    result = solve(problem, SolveParams(time_limit=10, workers=1, strategy="full"))
    return (
        result.message.startswith("best rota from cp-sat")
        and result.violations == ()
        and check(problem, result.rota) == []
        and family.expect(result)
    )


@pytest.mark.parametrize("name", list(FAMILIES))
def test_the_full_model_keeps_each_rule_family(name: str) -> None:
    assert _solved_by_cp_sat(FAMILIES[name])


@pytest.mark.parametrize("name", list(FAMILIES))
def test_without_its_family_the_model_cannot_pass(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    family = FAMILIES[name]
    for target, replacement in family.removals:
        monkeypatch.setattr(target, replacement)
    try:
        kept = _solved_by_cp_sat(family)
    except (StopIteration, ValueError):
        # Without the referral family nothing links a placed referral to a room and its
        # therapists: reading such a solution back fails, which is the model failing too.
        kept = False
    assert not kept
