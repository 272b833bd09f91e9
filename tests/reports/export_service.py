"""A small hand-made service and rota shared by the export, cost and read-back tests.

Spring 2027, 1 Feb (Mon) to 31 Mar (Wed): half term 15-19 Feb, Good Friday 26 Mar and Easter
Monday 29 Mar are bank holidays, Fenland Primary has an INSET day on Fri 12 Mar, and the hourly
rate rises from 49.00 to 51.00 on 1 Mar.
"""

from __future__ import annotations

import datetime as dt

from rota.models.entities import (
    Closure,
    Rate,
    Referral,
    Room,
    Settings,
    Site,
    Therapist,
    TravelOverride,
)
from rota.models.problem import Problem
from rota.models.result import Result
from rota.models.rota import Rota, Session, Unscheduled


def make_problem(**settings: object) -> Problem:
    base = {
        "term_name": "Spring 2027",
        "term_start": dt.date(2027, 2, 1),
        "term_end": dt.date(2027, 3, 31),
        "admin_minutes": 10,
        "slot_minutes": 5,
        "service_contact": "arts.therapies@example.org, 01223 000000",
    }
    base.update(settings)
    return Problem(
        settings=Settings.model_validate(base),
        sites=(
            Site(
                site_id="FEN",
                name="Fenland Primary",
                kind="school",
                town="March",
                latitude=52.55,
                longitude=0.09,
                contact="SENCo, 01354 000000",
            ),
            Site(
                site_id="HUN",
                name="Huntingdon Clinic",
                kind="clinic",
                town="Huntingdon",
                latitude=52.33,
                longitude=-0.18,
            ),
            Site(
                site_id="ELY",
                name="Ely St Mary's",
                kind="special_school",
                town="Ely",
                latitude=52.40,
                longitude=0.26,
            ),
        ),
        rooms=(
            Room(
                room_id="FEN-MUS",
                site_id="FEN",
                name="Music room",
                capacity=4,
                features="piano, percussion",
            ),
            Room(room_id="FEN-QR", site_id="FEN", name="Quiet room", capacity=2),
            Room(
                room_id="HUN-1", site_id="HUN", name="Clinic room 1", capacity=8, features="piano"
            ),
            Room(room_id="ELY-HALL", site_id="ELY", name="Small hall", capacity=6),
        ),
        therapists=(
            Therapist(
                therapist_id="T01",
                name="Alex M",
                disciplines="music",
                base_site_id="HUN",
                works="Mon-Fri 08:30-17:00",
            ),
            Therapist(
                therapist_id="T02",
                name="Sam K",
                disciplines="music, drama",
                base_site_id="HUN",
                works="Mon-Thu 08:30-17:00; Fri 08:30-12:30",
            ),
        ),
        referrals=(
            Referral(
                referral_id="R001",
                client="A.B.",
                site_ids="FEN",
                discipline="music",
                minutes=30,
                priority=2,
                funding="Pupil Premium",
                current_therapist_id="T01",
            ),
            Referral(
                referral_id="R002",
                client="Group C",
                site_ids="HUN",
                discipline="music",
                minutes=45,
                group_size=4,
                therapists_needed=2,
                priority=1,
                funding="EHC plan",
            ),
            Referral(
                referral_id="R003",
                client="D.E.",
                site_ids="FEN",
                discipline="drama",
                minutes=40,
                priority=3,
            ),
            Referral(
                referral_id="R004",
                client="F.G.",
                site_ids="ELY",
                discipline="drama",
                minutes=35,
                priority=1,
                funding="EHC plan",
            ),
        ),
        travel=(
            TravelOverride(from_site_id="HUN", to_site_id="FEN", minutes=40),
            TravelOverride(from_site_id="FEN", to_site_id="ELY", minutes=25),
            TravelOverride(from_site_id="HUN", to_site_id="ELY", minutes=35),
        ),
        rates=(
            Rate(effective_from=dt.date(2026, 9, 1), hourly_rate=49.0),
            Rate(effective_from=dt.date(2027, 3, 1), hourly_rate=51.0),
        ),
        closures=(
            Closure(
                date_from=dt.date(2027, 2, 15), date_to=dt.date(2027, 2, 19), label="Half term"
            ),
            Closure(
                date_from=dt.date(2027, 3, 12),
                date_to=dt.date(2027, 3, 12),
                label="INSET day",
                site_id="FEN",
            ),
        ),
    )


# R001: Mon 09:05-09:35 at Fenland (a 5-minute start, off the 15-minute print rows) with T01.
# R002: Fri 10:00-10:45 at Huntingdon, co-facilitated by T01 and T02.
# R003: Fri 11:30-12:10 at Fenland with T02 (Fenland's INSET day falls on a Friday).
# R004: unscheduled.
SESSIONS = (
    Session(
        referral_id="R001",
        therapist_ids=("T01",),
        site_id="FEN",
        room_id="FEN-MUS",
        day="Mon",
        start="09:05",
        end="09:35",
    ),
    Session(
        referral_id="R002",
        therapist_ids=("T01", "T02"),
        site_id="HUN",
        room_id="HUN-1",
        day="Fri",
        start="10:00",
        end="10:45",
    ),
    Session(
        referral_id="R003",
        therapist_ids=("T02",),
        site_id="FEN",
        room_id="FEN-QR",
        day="Fri",
        start="11:30",
        end="12:10",
    ),
)


def make_rota() -> Rota:
    return Rota(
        sessions=SESSIONS,
        unscheduled=(
            Unscheduled(referral_id="R004", reason="no drama therapist free on Ely days"),
        ),
    )


def make_result() -> Result:
    return Result(
        status="FEASIBLE",
        objective=1234.0,
        bound=1200.0,
        gap=0.0276,
        wall_seconds=1.5,
        rota=make_rota(),
    )


def with_referral(problem: Problem, referral_id: str, **update: object) -> Problem:
    """A validated copy of ``problem`` with one referral's fields replaced."""
    referrals = tuple(
        Referral.model_validate(r.model_dump() | update) if r.referral_id == referral_id else r
        for r in problem.referrals
    )
    return Problem.model_validate(problem.model_dump() | {"referrals": referrals})


def with_therapist(problem: Problem, therapist_id: str, **update: object) -> Problem:
    """A validated copy of ``problem`` with one therapist's fields replaced."""
    therapists = tuple(
        Therapist.model_validate(t.model_dump() | update) if t.therapist_id == therapist_id else t
        for t in problem.therapists
    )
    return Problem.model_validate(problem.model_dump() | {"therapists": therapists})


# A mid-term change on Mon 1 Mar 2027: R001 moves from Mon 09:05 to Tue 10:00 (same room),
# R003 ends (its session is not in the new rota), R002 stays as it was.
CHANGE_DATE = dt.date(2027, 3, 1)
R001_TUESDAY = SESSIONS[0].model_copy(update={"day": "Tue", "start": 600, "end": 630})


def make_mid_term_rota() -> Rota:
    return Rota(
        sessions=(R001_TUESDAY, SESSIONS[1]),
        unscheduled=(
            Unscheduled(referral_id="R003", reason="ended"),
            Unscheduled(referral_id="R004", reason="no drama therapist free on Ely days"),
        ),
        effective_from=CHANGE_DATE,
        before=SESSIONS,
    )
