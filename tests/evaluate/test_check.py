"""The independent checker: one hand-made rota per rule, each breaking it exactly once.

Most cases start from VALID, a rota of the two-sites service (T1 based at HUN, 20 minutes
from the school STI; works 09:00-17:00; admin 10; lunch 30 inside 11:30-14:00) whose every
gap is exactly as long as the rules allow, so moving anything by 5 minutes earlier breaks a
rule.
"""

from __future__ import annotations

import ast
import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rota
from rota.evaluate.check import RULES, Violation, check
from rota.models import (
    Problem,
    Referral,
    Room,
    Rota,
    Session,
    Settings,
    Site,
    Therapist,
    TravelOverride,
    Unscheduled,
)
from tests.conftest import make_two_sites_one_therapist


def sess(
    referral_id: str,
    therapists: str,
    site_id: str,
    room_id: str,
    day: str,
    start: str,
    end: str,
) -> Session:
    return Session(
        referral_id=referral_id,
        therapist_ids=therapists,
        site_id=site_id,
        room_id=room_id,
        day=day,
        start=start,
        end=end,
    )


def variant(problem: Problem, **update: Any) -> Problem:
    """A validated copy of ``problem`` with some fields replaced."""
    fields = {name: getattr(problem, name) for name in Problem.model_fields}
    return Problem(**(fields | update))


def replace_referral(problem: Problem, referral_id: str, **update: Any) -> Problem:
    referrals = tuple(
        Referral.model_validate(r.model_dump() | update) if r.referral_id == referral_id else r
        for r in problem.referrals
    )
    return variant(problem, referrals=referrals)


def replace_therapist(problem: Problem, therapist_id: str, **update: Any) -> Problem:
    therapists = tuple(
        Therapist.model_validate(t.model_dump() | update) if t.therapist_id == therapist_id else t
        for t in problem.therapists
    )
    return variant(problem, therapists=therapists)


# Base -> STI at 09:20 (exactly 20 minutes' drive after 09:00); R3 right after R1's admin;
# back to HUN exactly by 11:00; lunch at the base after 11:55.
R1_MON = sess("R1", "T1", "STI", "STI-1", "Mon", "09:20", "09:50")
R3_MON = sess("R3", "T1", "STI", "STI-1", "Mon", "10:00", "10:30")
R2_MON = sess("R2", "T1", "HUN", "HUN-1", "Mon", "11:00", "11:45")
VALID = Rota(sessions=(R1_MON, R2_MON, R3_MON))


def with_sessions(*sessions: Session, unscheduled: tuple[Unscheduled, ...] = ()) -> Rota:
    return Rota(sessions=sessions, unscheduled=unscheduled)


def only(violations: list[Violation]) -> Violation:
    assert len(violations) == 1, [str(v) for v in violations]
    return violations[0]


@pytest.fixture
def service() -> Problem:
    return make_two_sites_one_therapist()


def test_valid_rota_has_no_violation(service: Problem) -> None:
    assert check(service, VALID) == []


def test_valid_rota_with_touching_ranges_and_exact_client_times(service: Problem) -> None:
    # 09:00-11:30 and 11:30-17:00 touch, so they merge: R2 (11:00-11:45 + admin) fits.
    problem = replace_therapist(service, "T1", works="Mon-Fri 09:00-11:30, 11:30-17:00")
    # The client's window fits R3 to the minute.
    problem = replace_referral(problem, "R3", available="Mon 10:00-10:30")
    assert check(problem, VALID) == []


def test_every_rule_code_is_documented(service: Problem) -> None:
    broken = with_sessions(
        sess("R9", "T9", "XXX", "ROOM9", "Sat", "09:02", "09:30"),
        R1_MON,
        R1_MON,
    )
    for v in check(service, broken):
        assert v.rule in RULES


# ---------------------------------------------------------------- unknown ids
def test_unknown_referral(service: Problem) -> None:
    extra = sess("R9", "T1", "HUN", "HUN-1", "Tue", "10:00", "10:30")
    v = only(check(service, with_sessions(R1_MON, R2_MON, R3_MON, extra)))
    assert v.rule == "unknown-referral"
    assert extra.label() in v.message
    assert v.referral_ids == ("R9",)


def test_unknown_therapist(service: Problem) -> None:
    moved = sess("R1", "T9", "STI", "STI-1", "Mon", "09:20", "09:50")
    v = only(check(service, with_sessions(moved, R2_MON, R3_MON)))
    assert v.rule == "unknown-therapist"
    assert moved.label() in v.message and "'T9'" in v.message
    assert v.therapist_id == "T9"


def test_unknown_room(service: Problem) -> None:
    moved = sess("R2", "T1", "HUN", "HUN-9", "Mon", "11:00", "11:45")
    v = only(check(service, with_sessions(R1_MON, moved, R3_MON)))
    assert v.rule == "unknown-room"
    assert moved.label() in v.message


def test_unknown_site_also_breaks_referral_and_room_site(service: Problem) -> None:
    # A referral's sites and a room's site are always known sites, so an unknown session site
    # necessarily disagrees with both: three rules, each reported once.
    moved = sess("R2", "T1", "XXX", "HUN-1", "Mon", "11:00", "11:45")
    rules = [v.rule for v in check(service, with_sessions(R1_MON, moved, R3_MON))]
    assert sorted(rules) == ["referral-site", "room-site", "unknown-site"]


def test_service_day(service: Problem) -> None:
    moved = sess("R2", "T1", "HUN", "HUN-1", "Sat", "11:00", "11:45")
    v = only(check(service, with_sessions(R1_MON, moved, R3_MON)))
    assert v.rule == "service-day"
    assert moved.label() in v.message


# ---------------------------------------------------------------- referral rules
def test_duplicate_referral(service: Problem) -> None:
    again = sess("R1", "T1", "STI", "STI-1", "Tue", "09:20", "09:50")
    v = only(check(service, with_sessions(R1_MON, R2_MON, R3_MON, again)))
    assert v.rule == "duplicate-referral"
    assert R1_MON.label() in v.message and again.label() in v.message
    assert v.referral_ids == ("R1",)


def test_scheduled_and_unscheduled(service: Problem) -> None:
    rota_ = with_sessions(
        R1_MON, R2_MON, R3_MON, unscheduled=(Unscheduled(referral_id="R1", reason="no room"),)
    )
    v = only(check(service, rota_))
    assert v.rule == "scheduled-and-unscheduled"
    assert R1_MON.label() in v.message


def test_referral_neither_scheduled_nor_listed_is_fine_while_solving(service: Problem) -> None:
    assert check(service, with_sessions(R1_MON, R2_MON)) == []


def test_a_complete_rota_accounts_for_every_referral(service: Problem) -> None:
    # Every row of the Rota sheet deleted: nothing is scheduled and nothing is listed.
    violations = check(service, Rota(), complete=True)
    assert [(v.rule, v.message.split()[0]) for v in violations] == [
        ("missing-referral", "R1"),
        ("missing-referral", "R2"),
        ("missing-referral", "R3"),
    ]
    listed = (Unscheduled(referral_id="R3", reason="no room"),)
    assert check(service, with_sessions(R1_MON, R2_MON, unscheduled=listed), complete=True) == []
    both = (Unscheduled(referral_id="R1", reason="no room"), *listed)
    v = only(check(service, with_sessions(R1_MON, R2_MON, unscheduled=both), complete=True))
    assert v.rule == "scheduled-and-unscheduled" and v.referral_ids == ("R1",)
    stranger = (Unscheduled(referral_id="R77", reason="?"), *listed)
    v = only(check(service, with_sessions(R1_MON, R2_MON, unscheduled=stranger), complete=True))
    assert v.rule == "unknown-referral" and "R77" in v.message


def test_referral_site(service: Problem) -> None:
    problem = replace_referral(service, "R1", site_ids="HUN")
    v = only(check(problem, VALID))
    assert v.rule == "referral-site"
    assert R1_MON.label() in v.message


def test_referral_hours(service: Problem) -> None:
    problem = replace_referral(service, "R1", available="Mon 09:25-12:00")
    v = only(check(problem, VALID))
    assert v.rule == "referral-hours"
    assert R1_MON.label() in v.message and "09:25-12:00" in v.message


def test_referral_on_a_day_the_client_is_not_available(service: Problem) -> None:
    problem = replace_referral(service, "R2", available="Tue-Fri")
    v = only(check(problem, VALID))
    assert v.rule == "referral-hours"
    assert R2_MON.label() in v.message


def test_referral_minutes(service: Problem) -> None:
    problem = replace_referral(service, "R2", minutes=40)
    v = only(check(problem, VALID))
    assert v.rule == "referral-minutes"
    assert R2_MON.label() in v.message


def test_slot_grid(service: Problem) -> None:
    off_grid = sess("R2", "T1", "HUN", "HUN-1", "Tue", "10:02", "10:47")
    v = only(check(service, with_sessions(R1_MON, off_grid, R3_MON)))
    assert v.rule == "slot-grid"
    assert off_grid.label() in v.message


# ---------------------------------------------------------------- therapist rules
def test_therapist_listed_twice(service: Problem) -> None:
    twice = sess("R3", "T1,T1", "STI", "STI-1", "Mon", "10:00", "10:30")
    v = only(check(service, with_sessions(R1_MON, R2_MON, twice)))
    assert v.rule == "therapist-count"
    assert twice.label() in v.message and "twice" in v.message


def test_discipline(service: Problem) -> None:
    problem = replace_referral(service, "R2", discipline="drama")
    v = only(check(problem, VALID))
    assert v.rule == "discipline"
    assert R2_MON.label() in v.message
    assert v.therapist_id == "T1"


def test_skills(service: Problem) -> None:
    problem = replace_referral(service, "R2", needs_skills="vig")
    v = only(check(problem, VALID))
    assert v.rule == "skills"
    assert R2_MON.label() in v.message and "vig" in v.message


def test_therapist_hours_admin_must_fit(service: Problem) -> None:
    # R2 ends 11:45; its admin runs to 11:55, past the end of the day at 11:50. (The working
    # day no longer spans the lunch window.)
    problem = replace_therapist(service, "T1", works="Mon-Fri 09:00-11:50")
    v = only(check(problem, VALID))
    assert v.rule == "therapist-hours"
    assert R2_MON.label() in v.message


def test_therapist_hours_session_across_a_break(service: Problem) -> None:
    problem = replace_therapist(service, "T1", works="Mon-Fri 09:00-11:20, 11:30-17:00")
    v = only(check(problem, VALID))
    assert v.rule == "therapist-hours"
    assert R2_MON.label() in v.message


def test_therapist_not_working_that_day(service: Problem) -> None:
    problem = replace_therapist(service, "T1", works="Mon 09:00-17:00")
    tuesday = sess("R2", "T1", "HUN", "HUN-1", "Tue", "11:00", "11:45")
    v = only(check(problem, with_sessions(R1_MON, tuesday, R3_MON)))
    assert v.rule == "therapist-hours"
    assert tuesday.label() in v.message


def test_therapist_overlap(service: Problem) -> None:
    a = sess("R1", "T1", "STI", "STI-1", "Tue", "09:20", "09:50")
    b = sess("R3", "T1", "HUN", "HUN-1", "Tue", "09:40", "10:10")
    c = sess("R2", "T1", "HUN", "HUN-1", "Mon", "10:00", "10:45")
    v = only(check(service, with_sessions(a, b, c)))
    assert v.rule == "therapist-overlap"
    assert a.label() in v.message and b.label() in v.message
    assert v.referral_ids == ("R1", "R3")


def test_admin(service: Problem) -> None:
    a = sess("R2", "T1", "HUN", "HUN-1", "Mon", "10:00", "10:45")
    b = sess("R3", "T1", "HUN", "HUN-1", "Mon", "10:50", "11:20")
    v = only(check(service, with_sessions(a, b)))
    assert v.rule == "admin"
    assert a.label() in v.message and b.label() in v.message


def test_admin_exactly_fits(service: Problem) -> None:
    a = sess("R2", "T1", "HUN", "HUN-1", "Mon", "10:00", "10:45")
    b = sess("R3", "T1", "HUN", "HUN-1", "Mon", "10:55", "11:25")
    assert check(service, with_sessions(a, b)) == []


def test_admin_clash_with_an_earlier_longer_session(service: Problem) -> None:
    # R3 sits inside R2 (an overlap); R1 starts when R2 ends, inside R2's admin, although
    # R3, the session just before it, leaves time for admin.
    problem = replace_referral(service, "R1", site_ids="HUN")
    long = sess("R2", "T1", "HUN", "HUN-1", "Tue", "10:00", "10:45")
    inside = sess("R3", "T1", "HUN", "HUN-X", "Tue", "10:10", "10:30")
    after = sess("R1", "T1", "HUN", "HUN-1", "Tue", "10:45", "11:15")
    problem = replace_referral(problem, "R3", minutes=20)
    violations = check(problem, with_sessions(long, inside, after))
    assert [v.rule for v in violations] == ["unknown-room", "therapist-overlap", "admin"]
    assert violations[2].referral_ids == ("R2", "R1")


# ---------------------------------------------------------------- travel
def test_travel_between_sites(service: Problem) -> None:
    early = sess("R2", "T1", "HUN", "HUN-1", "Mon", "10:55", "11:40")
    v = only(check(service, with_sessions(R1_MON, R3_MON, early)))
    assert v.rule == "travel"
    assert R3_MON.label() in v.message and early.label() in v.message
    assert "11:00" in v.message


@pytest.mark.parametrize("start", ["09:00", "09:15"])
def test_travel_from_base(service: Problem, start: str) -> None:
    begin = 9 * 60 if start == "09:00" else 9 * 60 + 15
    early = R1_MON.model_copy(update={"start": begin, "end": begin + 30})
    v = only(check(service, with_sessions(early, R2_MON, R3_MON)))
    assert v.rule == "travel"
    assert early.label() in v.message and "HUN" in v.message


def test_travel_back_to_base(service: Problem) -> None:
    # The day ends at STI: admin ends 11:35 inside the 11:50 day, but the drive home takes 20.
    problem = replace_therapist(service, "T1", works="Mon-Fri 09:00-11:50")
    last = sess("R3", "T1", "STI", "STI-1", "Mon", "10:55", "11:25")
    day = with_sessions(
        sess("R2", "T1", "HUN", "HUN-1", "Mon", "09:00", "09:45"),
        sess("R1", "T1", "STI", "STI-1", "Mon", "10:15", "10:45"),
        last,
    )
    v = only(check(problem, day))
    assert v.rule == "travel"
    assert last.label() in v.message


def test_travel_may_cross_a_break(service: Problem) -> None:
    # R1's admin ends at 10:00 when the first range ends; the drive to HUN runs 10:00-10:20,
    # in the break; R2 starts when the second range starts.
    problem = replace_therapist(service, "T1", works="Mon-Fri 09:00-10:00, 10:30-17:00")
    r2 = sess("R2", "T1", "HUN", "HUN-1", "Mon", "10:30", "11:15")
    r3 = sess("R3", "T1", "HUN", "HUN-1", "Mon", "11:25", "11:55")
    assert check(problem, with_sessions(R1_MON, r2, r3)) == []


def test_travel_uses_the_estimate_without_an_override(service: Problem) -> None:
    problem = variant(service, travel=())
    minutes = problem.travel_minutes("HUN", "STI")
    assert 5 <= minutes != 20
    earliest = 9 * 60 + minutes
    on_grid = earliest + (-earliest) % 5
    in_time = R1_MON.model_copy(update={"start": on_grid, "end": on_grid + 30})
    assert check(problem, with_sessions(in_time)) == []
    early = R1_MON.model_copy(update={"start": on_grid - 5, "end": on_grid + 25})
    assert [v.rule for v in check(problem, with_sessions(early))] == ["travel"]


def test_a_site_is_visited_in_one_stay(service: Problem) -> None:
    # STI, then HUN, then back to STI: every drive fits, but the model visits a site once a day.
    back = sess("R3", "T1", "STI", "STI-1", "Mon", "12:15", "12:45")
    r2 = sess("R2", "T1", "HUN", "HUN-1", "Mon", "10:20", "11:05")
    v = only(check(service, with_sessions(R1_MON, r2, back)))
    assert v.rule == "site-stay"
    assert v.referral_ids == ("R1", "R3") and v.therapist_id == "T1"
    assert R1_MON.label() in v.message and back.label() in v.message
    assert "one stay" in v.message


# ---------------------------------------------------------------- arrival and day limits
def with_arrival(problem: Problem, minutes: int, **by_site: int) -> Problem:
    """The service with ``minutes`` to arrive anywhere and a site's own value where given."""
    sites = tuple(
        s.model_copy(update={"arrival_minutes": by_site[s.site_id]}) if s.site_id in by_site else s
        for s in problem.sites
    )
    settings = problem.settings.model_copy(update={"arrival_minutes": minutes})
    return variant(problem, settings=settings, sites=sites)


def test_arrival_on_the_first_site_and_back_at_the_base_clinic_mid_day(service: Problem) -> None:
    problem = with_arrival(service, 5)
    violations = check(problem, VALID)
    assert [v.rule for v in violations] == ["travel", "travel"]
    assert violations[0].referral_ids == ("R1",) and "5 minutes to arrive" in violations[0].message
    assert violations[1].referral_ids == ("R3", "R2") and "11:05" in violations[1].message
    later = with_sessions(
        R1_MON.model_copy(update={"start": 9 * 60 + 25, "end": 9 * 60 + 55}),
        R3_MON.model_copy(update={"start": 10 * 60 + 5, "end": 10 * 60 + 35}),
        R2_MON.model_copy(update={"start": 11 * 60 + 10, "end": 11 * 60 + 55}),
    )
    assert check(problem, later) == []


def test_a_site_arrival_overrides_the_setting(service: Problem) -> None:
    problem = with_arrival(service, 5, STI=0)
    assert [v.referral_ids for v in check(problem, VALID)] == [("R3", "R2")]


def test_no_arrival_on_the_final_return_to_the_base(service: Problem) -> None:
    problem = replace_therapist(with_arrival(service, 5), "T1", works="Mon-Fri 09:00-12:00")
    day = with_sessions(
        sess("R2", "T1", "HUN", "HUN-1", "Mon", "09:00", "09:45"),
        sess("R1", "T1", "STI", "STI-1", "Mon", "10:20", "10:50"),
        sess("R3", "T1", "STI", "STI-1", "Mon", "11:00", "11:30"),  # admin to 11:40, home 12:00
    )
    assert check(problem, day) == []


def test_sites_per_day(service: Problem) -> None:
    settings = service.settings.model_copy(update={"max_sites_per_day": 1})
    v = only(check(variant(service, settings=settings), VALID))
    assert v.rule == "sites-per-day" and v.therapist_id == "T1"
    assert "2 sites on Mon" in v.message and "limit of 1" in v.message
    own = replace_therapist(variant(service, settings=settings), "T1", max_sites_per_day=2)
    assert check(own, VALID) == []


def test_drive_per_day_counts_driving_base_to_base(service: Problem) -> None:
    # HUN -> STI -> HUN: 40 minutes of driving (arrival minutes are not driving).
    problem = replace_therapist(with_arrival(service, 0), "T1", max_drive_minutes_per_day=39)
    v = only(check(problem, VALID))
    assert v.rule == "drive-per-day" and "40 minutes on Mon" in v.message
    assert check(replace_therapist(service, "T1", max_drive_minutes_per_day=40), VALID) == []


# ---------------------------------------------------------------- rooms
def test_room_site(service: Problem) -> None:
    moved = sess("R2", "T1", "HUN", "STI-1", "Mon", "11:00", "11:45")
    v = only(check(service, with_sessions(R1_MON, moved, R3_MON)))
    assert v.rule == "room-site"
    assert moved.label() in v.message


def test_room_hours_blocked_time(service: Problem) -> None:
    sites = tuple(
        Site.model_validate(s.model_dump() | {"blocked": "Mon-Fri 10:15-10:45"})
        if s.site_id == "STI"
        else s
        for s in service.sites
    )
    problem = variant(service, sites=sites)
    v = only(check(problem, VALID))
    assert v.rule == "room-hours"
    assert R3_MON.label() in v.message


def test_room_hours_room_availability(service: Problem) -> None:
    rooms = tuple(
        Room.model_validate(r.model_dump() | {"available": "Mon 09:00-10:15"})
        if r.room_id == "STI-1"
        else r
        for r in service.rooms
    )
    v = only(check(variant(service, rooms=rooms), VALID))
    assert v.rule == "room-hours"
    assert R3_MON.label() in v.message


def test_room_features(service: Problem) -> None:
    problem = replace_referral(service, "R1", needs_features="piano")
    v = only(check(problem, VALID))
    assert v.rule == "room-features"
    assert R1_MON.label() in v.message and "piano" in v.message


def test_room_capacity(service: Problem) -> None:
    problem = replace_referral(service, "R1", group_size=3)
    v = only(check(problem, VALID))
    assert v.rule == "room-capacity"
    assert R1_MON.label() in v.message


def _with_second_therapist(problem: Problem) -> Problem:
    t2 = Therapist(
        therapist_id="T2", disciplines="music", base_site_id="HUN", works="Mon-Fri 09:00-17:00"
    )
    r4 = Referral(referral_id="R4", client="ST", site_ids="HUN", discipline="music", minutes=30)
    return variant(
        problem, therapists=problem.therapists + (t2,), referrals=problem.referrals + (r4,)
    )


def test_room_overlap(service: Problem) -> None:
    problem = _with_second_therapist(service)
    clash = sess("R4", "T2", "HUN", "HUN-1", "Mon", "11:20", "11:50")
    v = only(check(problem, with_sessions(R1_MON, R2_MON, R3_MON, clash)))
    assert v.rule == "room-overlap"
    assert R2_MON.label() in v.message and clash.label() in v.message


def test_room_free_again_when_the_session_ends(service: Problem) -> None:
    # Admin needs no room: another therapist may start in it the minute R2 ends.
    problem = _with_second_therapist(service)
    next_ = sess("R4", "T2", "HUN", "HUN-1", "Mon", "11:45", "12:15")
    assert check(problem, with_sessions(R1_MON, R2_MON, R3_MON, next_)) == []


# ---------------------------------------------------------------- lunch
def _lunch_day(r3_start: str, r3_end: str) -> Rota:
    # R2 at the base until 11:35 (+admin 11:45); R3 at STI (20 minutes away); R1 at STI after.
    return with_sessions(
        sess("R2", "T1", "HUN", "HUN-1", "Mon", "10:50", "11:35"),
        sess("R3", "T1", "STI", "STI-1", "Mon", r3_start, r3_end),
        sess("R1", "T1", "STI", "STI-1", "Mon", "13:15", "13:45"),
    )


def test_lunch_exactly_fits_with_travel(service: Problem) -> None:
    # Gap 11:45-12:35 is 50 minutes: 20 driving + 30 lunch.
    assert check(service, _lunch_day("12:35", "13:05")) == []


def test_lunch_missing(service: Problem) -> None:
    rota_ = _lunch_day("12:30", "13:00")
    v = only(check(service, rota_))
    assert v.rule == "lunch"
    assert v.therapist_id == "T1"
    for s in rota_.sessions:
        assert s.label() in v.message
    assert set(v.referral_ids) == {"R1", "R2", "R3"}


def test_lunch_is_never_taken_in_the_middle_of_a_drive(service: Problem) -> None:
    # Lunch window 11:30-12:10. The only gap that meets it, 11:25-12:15 (HUN to STI, 20 minutes),
    # holds 30 minutes of lunch and 20 of driving only if the drive is split around lunch.
    problem = variant(service, settings=Settings(lunch_window="11:30-12:10"))
    day = with_sessions(
        sess("R2", "T1", "HUN", "HUN-1", "Mon", "10:30", "11:15"),
        sess("R1", "T1", "STI", "STI-1", "Mon", "12:15", "12:45"),
        sess("R3", "T1", "STI", "STI-1", "Mon", "12:55", "13:25"),
    )
    v = only(check(problem, day))
    assert v.rule == "lunch" and "never in the middle of a drive" in RULES["lunch"]
    # Five minutes more and lunch fits before the drive, at HUN: 11:30-12:00, drive to 12:20.
    later = with_sessions(
        day.sessions[0],
        sess("R1", "T1", "STI", "STI-1", "Mon", "12:20", "12:50"),
        sess("R3", "T1", "STI", "STI-1", "Mon", "13:00", "13:30"),
    )
    assert check(problem, later) == []


def test_lunch_gap_must_overlap_the_window(tiny_service: Problem) -> None:
    # Long gaps, but before 11:30 and after 14:00: lunch in the window is 15 minutes at most.
    rota_ = with_sessions(
        sess("R1", "T1", "CAM", "CAM-MUS", "Mon", "11:20", "11:50"),
        sess("R2", "T1", "CAM", "CAM-MUS", "Mon", "12:15", "13:00"),
        sess("R3", "T1", "CAM", "CAM-DRA", "Mon", "13:25", "13:55"),
    )
    assert [v.rule for v in check(tiny_service, rota_)] == ["lunch"]
    fits = rota_.model_copy(
        update={
            "sessions": (
                rota_.sessions[0],
                sess("R2", "T1", "CAM", "CAM-MUS", "Mon", "12:30", "13:15"),
                sess("R3", "T1", "CAM", "CAM-DRA", "Mon", "13:25", "13:55"),
            )
        }
    )
    assert check(tiny_service, fits) == []
    no_lunch_rule = variant(tiny_service, settings=Settings(lunch_minutes=0))
    assert check(no_lunch_rule, rota_) == []


# ---------------------------------------------------------------- limits
def test_max_sessions_per_day(service: Problem) -> None:
    problem = replace_therapist(service, "T1", max_sessions_per_day=2)
    v = only(check(problem, VALID))
    assert v.rule == "max-sessions"
    for s in VALID.sessions:
        assert s.label() in v.message
    assert check(replace_therapist(service, "T1", max_sessions_per_day=3), VALID) == []


def test_max_contact_minutes(service: Problem) -> None:
    # 30 + 45 + 30 = 105 minutes.
    v = only(check(replace_therapist(service, "T1", max_contact_minutes=100), VALID))
    assert v.rule == "max-contact"
    assert "105" in v.message and v.therapist_id == "T1"
    assert check(replace_therapist(service, "T1", max_contact_minutes=105), VALID) == []


# ---------------------------------------------------------------- co-facilitated groups
CO_GROUP = sess("R3", "T1,T2", "HUN", "HUN-1", "Mon", "11:00", "11:45")


def test_co_facilitated_group_is_valid(two_therapists_service: Problem) -> None:
    # T1 drives CAM -> HUN (30) for 11:00 and back; T2 is at base, admin ends 11:55 < 12:00.
    assert check(two_therapists_service, with_sessions(CO_GROUP)) == []


def test_co_facilitated_group_needs_both(two_therapists_service: Problem) -> None:
    alone = CO_GROUP.model_copy(update={"therapist_ids": ("T1",)})
    v = only(check(two_therapists_service, with_sessions(alone)))
    assert v.rule == "therapist-count"
    assert alone.label() in v.message


def test_co_facilitated_group_every_therapist_needs_the_skill(
    two_therapists_service: Problem,
) -> None:
    problem = replace_referral(two_therapists_service, "R3", needs_skills="vig")
    v = only(check(problem, with_sessions(CO_GROUP)))
    assert v.rule == "skills" and v.therapist_id == "T1"


def test_co_facilitated_minutes_count_for_each(two_therapists_service: Problem) -> None:
    problem = replace_therapist(two_therapists_service, "T2", max_contact_minutes=40)
    problem = replace_therapist(problem, "T1", max_contact_minutes=40)
    violations = check(problem, with_sessions(CO_GROUP))
    assert [(v.rule, v.therapist_id) for v in violations] == [
        ("max-contact", "T1"),
        ("max-contact", "T2"),
    ]


def test_co_facilitated_overlap_for_one_therapist(two_therapists_service: Problem) -> None:
    # R4 (T2 alone) starts inside the group: T2 overlaps; T1 is not concerned.
    r4 = sess("R4", "T2", "HUN", "HUN-1", "Mon", "11:15", "11:45")
    violations = check(two_therapists_service, with_sessions(CO_GROUP, r4))
    rules = {(v.rule, v.therapist_id) for v in violations}
    assert ("therapist-overlap", "T2") in rules
    assert not any(v.therapist_id == "T1" for v in violations)


# ---------------------------------------------------------------- all at once, in order
def test_reports_every_violation_in_a_fixed_order(service: Problem) -> None:
    broken = with_sessions(
        sess("R1", "T1", "STI", "STI-1", "Mon", "09:15", "09:45"),  # travel from base
        sess("R3", "T1", "STI", "STI-1", "Mon", "09:55", "10:25"),
        sess("R2", "T1", "HUN", "HUN-9", "Mon", "10:50", "11:35"),  # unknown room, travel
        unscheduled=(Unscheduled(referral_id="R2", reason="x"),),
    )
    first = check(service, broken)
    assert [v.rule for v in first] == [
        "unknown-room",
        "scheduled-and-unscheduled",
        "travel",
        "travel",
    ]
    reordered = broken.model_copy(update={"sessions": tuple(reversed(broken.sessions))})
    assert sorted(map(str, check(service, reordered))) == sorted(map(str, first))
    assert check(service, broken) == first


def test_violation_is_frozen() -> None:
    v = Violation(rule="admin", message="m", referral_ids=("R1",), therapist_id="T1")
    with pytest.raises(ValueError):
        v.rule = "x"  # type: ignore[misc]
    assert str(v) == "admin: m"


# ---------------------------------------------------------------- independence and speed
def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_check_never_imports_ortools() -> None:
    """check.py and every rota module it imports, transitively, are free of ortools."""
    root = Path(rota.__file__).parent.parent
    seen: set[str] = set()
    todo = ["rota.evaluate.check"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = root / (name.replace(".", "/") + ".py")
        if not path.exists():
            path = root / name.replace(".", "/") / "__init__.py"
        for imported in _imports(path):
            assert not imported.startswith("ortools"), f"{name} imports {imported}"
            if imported.startswith("rota.") and imported != "rota.scheduler":
                todo.append(imported)
    assert "rota.models.problem" in seen


def _big_service(num_therapists: int) -> tuple[Problem, Rota]:
    """num_therapists therapists, each with 4 sessions a day at two schools, Mon-Fri."""
    sites = [
        Site(site_id="BASE", name="Clinic", kind="clinic", latitude=52.2, longitude=0.12),
    ]
    rooms: list[Room] = []
    therapists: list[Therapist] = []
    referrals: list[Referral] = []
    sessions: list[Session] = []
    travel: list[TravelOverride] = []
    starts = ["09:30", "10:30", "13:00", "14:00"]
    ends = ["10:00", "11:00", "13:30", "14:30"]
    for t in range(num_therapists):
        tid = f"T{t:03d}"
        therapists.append(
            Therapist(therapist_id=tid, disciplines="music", base_site_id="BASE", works="Mon-Fri")
        )
        for k in range(2):
            sid = f"S{t:03d}{k}"
            sites.append(Site(site_id=sid, name=sid, latitude=52.3, longitude=0.1 + t / 1000))
            rooms.append(Room(room_id=f"{sid}-R", site_id=sid, capacity=4))
            travel.append(TravelOverride(from_site_id="BASE", to_site_id=sid, minutes=15))
        travel.append(
            TravelOverride(from_site_id=f"S{t:03d}0", to_site_id=f"S{t:03d}1", minutes=10)
        )
        for day in ("Mon", "Tue", "Wed", "Thu", "Fri"):
            for i in range(4):
                sid = f"S{t:03d}{i // 2}"
                rid = f"R{t:03d}{day}{i}"
                referrals.append(
                    Referral(referral_id=rid, site_ids=sid, discipline="music", minutes=30)
                )
                sessions.append(sess(rid, tid, sid, f"{sid}-R", day, starts[i], ends[i]))
    problem = Problem(
        sites=tuple(sites),
        rooms=tuple(rooms),
        therapists=tuple(therapists),
        referrals=tuple(referrals),
        travel=tuple(travel),
    )
    return problem, Rota(sessions=tuple(sessions))


def test_check_is_fast_on_1800_sessions() -> None:
    problem, rota_ = _big_service(90)
    assert len(rota_.sessions) == 1800
    t0 = time.perf_counter()
    violations = check(problem, rota_)
    elapsed = time.perf_counter() - t0
    assert violations == []
    assert elapsed < 1.0, f"check took {elapsed:.2f} s"


# ---------------------------------------------------------------- property: any rota
SESSION_CHOICES = [
    ("R1", "STI", "STI-1", 30),
    ("R2", "HUN", "HUN-1", 45),
    ("R3", "STI", "STI-1", 30),
    ("R3", "HUN", "HUN-1", 30),
    ("R2", "STI", "HUN-1", 45),  # room at another site
]


@st.composite
def random_rotas(draw: st.DrawFn) -> Rota:
    sessions = []
    for _ in range(draw(st.integers(0, 6))):
        rid, site, room, minutes = draw(st.sampled_from(SESSION_CHOICES))
        day = draw(st.sampled_from(["Mon", "Tue", "Sat"]))
        start = draw(st.integers(8 * 12, 16 * 12)) * 5 + draw(st.sampled_from([0, 0, 0, 2]))
        therapists = draw(st.sampled_from([("T1",), ("T1",), ("T1", "T1"), ("T9",)]))
        sessions.append(
            Session(
                referral_id=rid,
                therapist_ids=therapists,
                site_id=site,
                room_id=room,
                day=day,
                start=start,
                end=start + minutes + draw(st.sampled_from([0, 0, 5])),
            )
        )
    return Rota(sessions=tuple(sessions))


@settings(max_examples=150, deadline=None)
@given(random_rotas(), st.randoms(use_true_random=False))
def test_any_rota_is_checked_the_same_in_any_order(rota_: Rota, rnd: Any) -> None:
    problem = make_two_sites_one_therapist()
    violations = check(problem, rota_)
    shuffled = list(rota_.sessions)
    rnd.shuffle(shuffled)
    again = check(problem, Rota(sessions=tuple(shuffled)))
    assert sorted(map(str, again)) == sorted(map(str, violations))
    scheduled = {s.referral_id for s in rota_.sessions}
    for v in violations:
        assert v.rule in RULES
        assert v.referral_ids and set(v.referral_ids) <= scheduled
    # Sessions that share no therapist-day and no room-day are checked on their own.
    if len({s.referral_id for s in rota_.sessions}) == len(rota_.sessions):
        keys = [(s.day, s.room_id) for s in rota_.sessions]
        days = [s.day for s in rota_.sessions]
        if len(set(keys)) == len(keys) and len(set(days)) == len(days):
            alone = [v for s in rota_.sessions for v in check(problem, with_sessions(s))]
            assert sorted(map(str, alone)) == sorted(map(str, violations))


# ---------------------------------------------------------------- a referral's own dates
def _termed(service: Problem) -> Problem:
    term = {"term_start": dt.date(2027, 1, 4), "term_end": dt.date(2027, 3, 26)}
    return variant(service, settings=service.settings.model_copy(update=term))


def test_referral_dates_a_session_of_a_referral_starting_after_the_term(service: Problem) -> None:
    problem = replace_referral(_termed(service), "R1", start_date=dt.date(2027, 4, 12))
    v = only(check(problem, VALID))
    assert v.rule == "referral-dates"
    assert "R1 starts 2027-04-12, after the term ends (2027-03-26)" in v.message
    assert v.referral_ids == ("R1",)


def test_referral_dates_a_monday_session_of_a_referral_seen_one_tuesday(service: Problem) -> None:
    day = dt.date(2027, 1, 5)  # a Tuesday: R1's Monday slot has no date inside its dates
    problem = replace_referral(_termed(service), "R1", start_date=day, end_date=day)
    assert only(check(problem, VALID)).rule == "referral-dates"
    monday = dt.date(2027, 1, 4)
    problem = replace_referral(_termed(service), "R1", start_date=monday, end_date=monday)
    assert check(problem, VALID) == []
