"""Demo therapists: disciplines, skills, working patterns and bases near their work."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from rota.demo.catalogue import (
    AVERAGE_SESSION_MINUTES,
    FIRST_NAMES,
    FULL_DAY_MINUTES,
    SESSIONS_PER_FULL_DAY,
    SKILL_CHANCE,
    SKILLS,
    SURNAMES,
    WEEKDAYS,
    DemoSize,
)
from rota.demo.context import Demand
from rota.demo.sites import availability_text
from rota.models import (
    Availability,
    Discipline,
    Site,
    Therapist,
    haversine_km,
)
from rota.models.timeutil import Interval

#: The disciplines in the order the staffing fills them (ties go to the first).
DISCIPLINES: tuple[Discipline, ...] = ("music", "drama", "dance")


# ------------------------------------------------------------------------------- therapists
def make_demands(rng: random.Random, num_referrals: int) -> list[Demand]:
    """Each referral's discipline and therapist count: about 70% music, 26% drama, 4% dance;
    a few music and drama sessions are co-facilitated."""
    out: list[Demand] = []
    disciplines: list[Discipline] = ["music", "drama", "dance"]
    for _ in range(num_referrals):
        d = rng.choices(disciplines, [70, 26, 4])[0]
        needed = 2 if d != "dance" and rng.random() < 0.04 else 1
        out.append(Demand(d, needed))
    return out


def draw_works(rng: random.Random, spec: DemoSize, still_needed: float) -> tuple[str, int]:
    """A working pattern as availability text, and its weekly minutes. The last therapist of a
    discipline works no more days than the sessions ``still_needed`` call for."""
    full_days_needed = max(1, math.ceil(still_needed / SESSIONS_PER_FULL_DAY))
    if full_days_needed >= 5 and rng.random() < spec.full_time_share:
        return "Mon-Fri 08:30-17:00", 5 * FULL_DAY_MINUTES
    low, high = spec.part_time_days
    num_days = min(rng.randint(low, high), full_days_needed)
    days = sorted(rng.sample(range(5), num_days))
    day_range: Interval = (8 * 60 + 30, 17 * 60)
    if rng.random() < 0.1:
        day_range = (9 * 60 + 15, 15 * 60)  # school hours around childcare
    slots: list[tuple[str, Interval]] = [(WEEKDAYS[i], day_range) for i in days]
    free = [i for i in range(5) if i not in days]
    if free and num_days < full_days_needed and rng.random() < 0.4:
        half = rng.choice([(8 * 60 + 30, 12 * 60 + 30), (13 * 60, 17 * 60)])
        slots.append((WEEKDAYS[rng.choice(free)], half))
    minutes = sum(e - s for _, (s, e) in slots)
    return availability_text(slots), minutes


THERAPIST_DISCIPLINES: dict[str, tuple[tuple[tuple[Discipline, ...], float], ...]] = {
    "music": ((("music",), 95), (("music", "drama"), 5)),
    "drama": ((("drama",), 85), (("music", "drama"), 10), (("drama", "dance"), 5)),
    "dance": ((("dance",), 50), (("drama", "dance"), 50)),
}


def therapist_disciplines(rng: random.Random, d: Discipline) -> tuple[Discipline, ...]:
    """Mostly one discipline; a few therapists offer two (counted half towards each)."""
    options = THERAPIST_DISCIPLINES[d]
    return rng.choices([o for o, _ in options], [w for _, w in options])[0]


@dataclass
class _Staffing:
    """How far the therapists drawn so far go towards each discipline's weekly target."""

    target: dict[Discipline, float]
    at_least: dict[Discipline, int]
    have: dict[Discipline, float]
    heads: dict[Discipline, int]

    def short(self) -> Discipline | None:
        """The discipline furthest below its target (None once every one is met)."""
        short = [
            d
            for d in DISCIPLINES
            if self.have[d] < self.target[d] - 1.5 or self.heads[d] < self.at_least[d]
        ]
        if not short:
            return None
        return max(short, key=lambda x: (self.target[x] - self.have[x], -DISCIPLINES.index(x)))


def _staffing(demands: Sequence[Demand], ratio: float) -> _Staffing:
    sessions = {
        d: float(sum(x.therapists_needed for x in demands if x.discipline == d))
        for d in DISCIPLINES
    }
    # Co-facilitated sessions need two therapists of the discipline.
    at_least = {
        d: (2 if any(x.therapists_needed > 1 and x.discipline == d for x in demands) else 1)
        if sessions[d]
        else 0
        for d in DISCIPLINES
    }
    return _Staffing(
        {d: sessions[d] / ratio for d in DISCIPLINES},
        at_least,
        dict.fromkeys(DISCIPLINES, 0.0),
        dict.fromkeys(DISCIPLINES, 0),
    )


def make_therapists(
    rng: random.Random,
    spec: DemoSize,
    sites: Sequence[Site],
    demands: Sequence[Demand],
    ratio: float,
    *,
    bases_where_the_work_is: bool = False,
) -> tuple[list[Therapist], dict[str, float]]:
    """Therapists are added, each for the discipline furthest below its target, until every
    discipline can deliver its weekly sessions divided by ``ratio``.

    A therapist who works from home is based at a site far from the clinics more often than
    not (generator 1), or with ``bases_where_the_work_is`` at any site alike, so that the home
    bases spread over the towns as their schools do (generator 2)."""
    staffing = _staffing(demands, ratio)
    clinics = [s for s in sites if s.kind == "clinic"]
    others = [s for s in sites if s.kind != "clinic"]
    if bases_where_the_work_is:
        home_weights = [1.0] * len(others)
    else:
        home_weights = [1 + min(km(s, c) for c in clinics) / 8 for s in others]
    therapists: list[Therapist] = []
    deliverable: dict[str, float] = {}
    names: set[str] = set()
    while (d := staffing.short()) is not None:
        own = therapist_disciplines(rng, d)
        works, minutes = draw_works(rng, spec, (staffing.target[d] - staffing.have[d]) * len(own))
        sessions_a_week = SESSIONS_PER_FULL_DAY * minutes / FULL_DAY_MINUTES
        max_per_day = rng.randint(5, 7) if rng.random() < 0.2 else None
        max_contact = None
        if minutes < 5 * FULL_DAY_MINUTES and rng.random() < 0.12:
            max_contact = int(sessions_a_week * 0.8) * AVERAGE_SESSION_MINUTES // 30 * 30
            sessions_a_week = min(sessions_a_week, max_contact / AVERAGE_SESSION_MINUTES)
        chances = SKILL_CHANCE[own[0]]
        skills = tuple(k for k in SKILLS if rng.random() < chances.get(k, 0.0))
        if others and rng.random() < spec.home_base_share:
            base = rng.choices(others, home_weights)[0].site_id
        else:
            base = rng.choice(clinics).site_id
        tid = f"T{len(therapists) + 1:03d}"
        therapists.append(
            Therapist(
                therapist_id=tid,
                name=_new_name(rng, names),
                disciplines=own,
                base_site_id=base,
                works=Availability.model_validate(works),
                max_sessions_per_day=max_per_day,
                max_contact_minutes=max_contact,
                skills=skills,
            )
        )
        deliverable[tid] = sessions_a_week
        for x in own:
            staffing.have[x] += sessions_a_week / len(own)
            staffing.heads[x] += 1
    return therapists, deliverable


def _new_name(rng: random.Random, names: set[str]) -> str:
    """A made-up name not yet used (it joins ``names``)."""
    name = ""
    for _ in range(100):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        if name not in names:
            break
    names.add(name)
    return name


def km(a: Site, b: Site) -> float:
    return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)
