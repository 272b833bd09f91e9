"""Property: any small valid Problem survives xlsx, YAML and JSON unchanged."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rota.io import read_problem
from rota.io.write import write_problem
from rota.models import (
    DAYS,
    DISCIPLINES,
    SITE_KINDS,
    Availability,
    Closure,
    PreviousSession,
    Problem,
    Rate,
    Referral,
    Room,
    Site,
    Therapist,
)

# Text as coordinators type it (cells are stripped, so no surrounding spaces); '=' and digits
# included on purpose: '=SUM(A1)' must stay text and '0042' must not become 42.
WORDS = st.text(alphabet="AbZz09 .,'&=-/()", min_size=1, max_size=12).map(str.strip)
TEXT = st.one_of(st.just(""), WORDS.filter(bool))
IDS = st.text(alphabet="ABC0123-", min_size=1, max_size=6).filter(lambda s: s.strip("-") == s)
TAGS = st.lists(st.sampled_from(["piano", "mirrors", "bsl", "vig", "soundproof"]), max_size=3)
DAY = st.sampled_from(DAYS[:5])
DATES = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))


@st.composite
def availability(draw: st.DrawFn) -> Availability:
    days = draw(st.lists(DAY, min_size=1, max_size=5, unique=True))
    out: dict[str, tuple[tuple[int, int], ...]] = {}
    for day in days:
        if draw(st.booleans()):
            out[day] = ()
        else:
            start = draw(st.integers(96, 180)) * 5
            end = start + draw(st.integers(1, 60)) * 5
            out[day] = ((start, end),)
    return Availability.model_validate({"days": out})


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    site_ids = draw(st.lists(IDS, min_size=1, max_size=3, unique=True))
    sites = tuple(
        Site(
            site_id=sid,
            name=draw(WORDS.filter(bool)),
            kind=draw(st.sampled_from(SITE_KINDS)),
            town=draw(TEXT),
            # Excel keeps about 15 significant digits: coordinates to 6 decimals (~10 cm).
            latitude=round(draw(st.floats(-90, 90, allow_nan=False)), 6),
            longitude=round(draw(st.floats(-180, 180, allow_nan=False)), 6),
            hours=draw(st.none() | availability()),
            blocked=draw(st.none() | availability()),
            contact=draw(TEXT),
        )
        for sid in site_ids
    )
    rooms = tuple(
        Room(
            room_id=f"{sid}-R{i}",
            site_id=sid,
            name=draw(TEXT),
            capacity=draw(st.integers(1, 20)),
            features=draw(TAGS),
            available=draw(st.none() | availability()),
        )
        for i, sid in enumerate(site_ids)
    )
    therapists = tuple(
        Therapist(
            therapist_id=f"T{i}",
            name=draw(TEXT),
            disciplines=draw(st.lists(st.sampled_from(DISCIPLINES), min_size=1, max_size=3)),
            base_site_id=draw(st.sampled_from(site_ids)),
            works=draw(availability()),
            max_sessions_per_day=draw(st.none() | st.integers(0, 8)),
            max_contact_minutes=draw(st.none() | st.integers(0, 2000)),
            skills=draw(TAGS),
        )
        for i in range(draw(st.integers(1, 2)))
    )
    referrals = tuple(
        Referral(
            referral_id=f"R{i:04d}",
            client=draw(TEXT),
            site_ids=tuple(draw(st.lists(st.sampled_from(site_ids), min_size=1, unique=True))),
            discipline=draw(st.sampled_from(DISCIPLINES)),
            minutes=draw(st.integers(6, 9)) * 5,
            group_size=draw(st.integers(1, 8)),
            therapists_needed=draw(st.integers(1, 2)),
            priority=draw(st.integers(1, 5)),
            needs_features=draw(TAGS),
            needs_skills=draw(TAGS),
            current_therapist_id=draw(st.none() | st.just("T0")),
            available=draw(st.none() | availability()),
            preferred=draw(st.none() | availability()),
            funding=draw(TEXT),
        )
        for i in range(draw(st.integers(0, 3)))
    )
    return Problem(
        sites=sites,
        rooms=rooms,
        therapists=therapists,
        referrals=referrals,
        rates=tuple(
            Rate(effective_from=d, hourly_rate=round(draw(st.floats(0, 500, allow_nan=False)), 2))
            for d in draw(st.lists(DATES, max_size=2, unique=True))
        ),
        closures=tuple(
            Closure(
                date_from=d,
                date_to=d + dt.timedelta(days=draw(st.integers(0, 9))),
                label=draw(TEXT),
                site_id=draw(st.none() | st.sampled_from(site_ids)),
            )
            for d in draw(st.lists(DATES, max_size=2))
        ),
        previous=tuple(
            PreviousSession(
                referral_id=r.referral_id,
                therapist_id="T0",
                day=draw(DAY),
                start=draw(st.integers(96, 200)) * 5,
                room_id=rooms[0].room_id,
                pinned=draw(st.booleans()),
            )
            for r in referrals[:2]
        ),
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems(), suffix=st.sampled_from([".xlsx", ".yaml", ".json"]))
def test_any_small_problem_round_trips(problem: Problem, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"p{suffix}"
        write_problem(problem, path)
        assert read_problem(path) == problem
