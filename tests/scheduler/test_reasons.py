"""Every unscheduled referral's reason names the one obstacle a coordinator can act on: each
kind of obstacle on its own, in a service where it is the only thing in the way."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rota.models import Rota
from rota.scheduler.candidates import build_candidates
from rota.scheduler.reasons import explain_unscheduled
from tests.scheduler.helpers import reasons, service, solved

T1 = {"therapist_id": "T1", "disciplines": "music", "base_site_id": "A", "works": "Mon-Fri"}
SITES = [
    {"site_id": "A", "name": "Site A", "latitude": 52.2053, "longitude": 0.1218,
     "hours": "Mon-Fri 08:30-17:00", "blocked": "Mon-Fri 12:00-13:00"},
    {"site_id": "B", "name": "Site B", "latitude": 52.3226, "longitude": -0.0739},
]  # fmt: skip


def why(referral: dict[str, Any], **extra: Any) -> str:
    """The reason R1 (music, 30 minutes at Site A unless said) is left out."""
    extra.setdefault("therapists", [T1])
    extra.setdefault("sites", SITES)
    problem = service([{"referral_id": "R1", **referral}], **extra)
    return reasons(solved(problem, time_limit=5))["R1"]


TERM = {"term_start": "2027-01-04", "term_end": "2027-03-26"}
CASES = {
    "own dates after the term": (
        {"start_date": "2027-04-12"},
        {"settings": TERM},
        "starts 2027-04-12, after the term ends (2027-03-26)",
    ),
    "ended before a mid-term change": (
        {"end_date": "2027-02-05"},
        {"settings": TERM, "plan_from": dt.date(2027, 2, 15)},
        "ended 2027-02-05, before the new rota starts on 2027-02-15",
    ),
    "discipline": (
        {"discipline": "dance"},
        {},
        "no dance therapist works for the service",
    ),
    "skills": (
        {"needs_skills": "bsl"},
        {},
        "needs 1 music therapist(s) with bsl; the service has 0",
    ),
    "features": (
        {"needs_features": "hoist"},
        {},
        "no room at Site A has hoist",
    ),
    "capacity": (
        {"group_size": 12},
        {},
        "no room at Site A has space for 12 clients (the largest holds 6)",
    ),
    "service days": (
        {"available": "Sat 09:00-12:00"},
        {},
        "the client is available only on Sat, and the service runs Mon-Fri only",
    ),
    "site hours": (
        {"available": "Mon 17:00-19:00"},
        {},
        "the client's times (Mon 17:00-19:00) fall outside Site A's hours",
    ),
    "blocked times": (
        {"available": "Mon-Fri 12:00-13:00"},
        {},
        "the client's times at Site A fall within its blocked times (Mon-Fri 12:00-13:00)",
    ),
    "room availability": (
        {"available": "Mon"},
        {
            "rooms": [
                {"room_id": "A1", "site_id": "A", "capacity": 6, "available": "Tue 09:00-10:00"}
            ]
        },  # fmt: skip
        "no suitable room at Site A is available while the client is (Mon): A1 Tue 09:00-10:00",
    ),
    "therapists' days": (
        {"available": "Tue"},
        {"therapists": [{**T1, "works": "Mon"}]},
        "no music therapist works on Tue, the only day(s) a suitable room at Site A is free",
    ),
    "therapists' hours": (
        {"available": "Mon 14:00-15:00"},
        {"therapists": [{**T1, "works": "Mon 08:30-12:30"}]},
        "no music therapist works at the times a suitable room at Site A is free while the "
        "client is available (Mon 14:00-15:00)",
    ),
    "travel": (
        {"available": "Mon 09:00-10:00"},
        {"therapists": [{**T1, "base_site_id": "B", "works": "Mon 08:30-10:45"}], "travel": 50},
        "the music therapists who work then cannot drive from their base to Site A and back "
        "within their working day around those times: T1 (50 minutes from their base)",
    ),
    "travel: arrival and the daily driving limit": (
        {},
        {
            "therapists": [{**T1, "base_site_id": "B", "max_drive_minutes_per_day": 40}],
            "settings": {"arrival_minutes": 10},
        },
        "the music therapists who work then cannot drive from their base to Site A and back "
        "within their working day around those times: T1 (25 minutes from their base, 10 more "
        "to arrive, at most 40 minutes of driving a day)",
    ),  # fmt: skip
    "weekly limit": (
        {},
        {"therapists": [{**T1, "max_contact_minutes": 20}]},
        "the music therapists' weekly limits (max_contact_minutes) are shorter than its "
        "30-minute session",
    ),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_an_impossible_referral_names_its_one_obstacle(kind: str) -> None:
    referral, extra, expected = CASES[kind]
    assert why(referral, **extra).startswith(expected)


def test_a_slot_taken_names_only_the_sessions_that_take_it() -> None:
    # R1 (priority 3) needs the piano room, open only Mon 09:00-09:30, which R2 (priority 1)
    # takes. R3 and R4 share T1's Monday at other times, in the other room: not rivals.
    rooms = [
        {"room_id": "A1", "site_id": "A", "capacity": 6},
        {"room_id": "A2", "site_id": "A", "capacity": 6, "features": "piano",
         "available": "Mon 09:00-09:30"},
    ]  # fmt: skip
    two = [T1, {**T1, "therapist_id": "T2"}]
    problem = service(
        [
            {"referral_id": "R1", "needs_features": "piano", "priority": 3},
            {"referral_id": "R2", "needs_features": "piano", "priority": 1},
            {"referral_id": "R3", "priority": 1, "available": "Mon 10:00-11:00"},
            {"referral_id": "R4", "priority": 1, "available": "Mon 14:00-15:00"},
        ],
        therapists=two,
        rooms=rooms,
        sites=SITES,
    )
    reason = reasons(solved(problem, time_limit=5))["R1"]
    assert "taken by referrals of higher priority (competes with R2)" in reason


def test_a_weekly_limit_reached_is_named() -> None:
    problem = service(
        [
            {"referral_id": "R1", "priority": 4},
            {"referral_id": "R2", "priority": 1},
            {"referral_id": "R3", "priority": 1},
        ],
        therapists=[{**T1, "max_contact_minutes": 60}],
        sites=SITES,
    )
    reason = reasons(solved(problem, time_limit=5))["R1"]
    assert reason == (
        "the therapists who could take it (T1) have reached their weekly limits "
        "(max_contact_minutes)"
    )


def test_a_free_slot_the_search_did_not_reach_is_said_so() -> None:
    problem = service([{"referral_id": "R1", "available": "Mon 09:00-09:30"}], sites=SITES)
    rota = explain_unscheduled(problem, build_candidates(problem), Rota())
    assert rota.unscheduled[0].reason == (
        "a slot is free (T1, Mon 09:00 at Site A) but the search did not reach it in its "
        "time: a longer run may place it"
    )


@pytest.mark.parametrize("strategy", ["full", "local"])
def test_a_referral_seen_on_one_date_is_placed_on_that_weekday(strategy: str) -> None:
    tuesday = "2027-01-12"
    problem = service(
        [{"referral_id": "R1", "start_date": tuesday, "end_date": tuesday}],
        therapists=[T1],
        settings=TERM,
    )
    result = solved(problem, time_limit=5, strategy=strategy)
    assert [(x.referral_id, x.day) for x in result.rota.sessions] == [("R1", "Tue")]
