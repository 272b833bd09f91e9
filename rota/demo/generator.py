"""A realistic built-in demo service: a Cambridgeshire music and drama therapy service.

``generate_problem(size, seed)`` invents sites around real Cambridgeshire towns (and, for the
``region`` size, neighbouring towns), rooms with equipment and school-like availability,
therapists with working patterns, skills and bases, and a term's referrals whose weekly demand
is close to what the therapists can deliver. Everything is drawn from one ``random.Random(seed)``
in a fixed order, so the same arguments always give an equal Problem.

Every referral can be placed on its own (a therapist of its discipline with its skills, a room
with its features and capacity, a common time that leaves room for travel from the therapist's
base), except about 1% that are deliberately impossible in a way the Problem's warnings name.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

from rota.demo.catalogue import SIZES
from rota.demo.context import Context
from rota.demo.referrals import make_referrals
from rota.demo.sites import make_rooms, make_sites, make_sites_v2
from rota.demo.therapists import make_demands, make_therapists
from rota.models import (
    Closure,
    Problem,
    Rate,
    Settings,
    TravelOverride,
)
from rota.scheduler.day import DayRules


def generate_problem(
    size: str,
    seed: int,
    *,
    referrals: int | None = None,
    demand: float | None = None,
    sparse: bool = False,
    version: int = 2,
) -> Problem:
    """A realistic demo service of ``size`` ("small", "county", "region"), the same for equal
    arguments.

    ``referrals`` scales the service to about that many referrals (sites and therapists in
    proportion); ``demand`` is weekly demand over what the therapists can deliver (default
    about 0.9; 1.2 is a tight service); ``sparse`` leaves each room free only one or two
    half-days a week. ``version`` picks the generator: 2 (market towns with clusters of
    schools, villages, sites kept apart, bases where the work is, drives at the county's road
    speeds) or 1 (the original, unchanged for the same seed so older benchmarks can be rerun).
    """
    _check_arguments(size, referrals, demand, version)
    spec = SIZES[size]
    if version == 2:
        spec = replace(spec, home_base_share=HOME_BASE_SHARE_V2[size])
    rng = random.Random(seed)
    num_referrals = referrals if referrals is not None else spec.referrals
    num_sites = max(6, round(spec.sites * num_referrals / spec.referrals))

    settings = demo_settings() if version == 1 else demo_settings_v2()
    if version == 1:
        sites = make_sites(rng, spec, num_sites)
    else:
        sites = make_sites_v2(rng, spec, num_sites)
    rooms = make_rooms(rng, sites, sparse)
    demands = make_demands(rng, num_referrals)
    ratio = demand if demand is not None else rng.uniform(0.86, 0.94)
    if version == 2:
        ratio *= REALISTIC_DAYS_CAPACITY
    therapists, deliverable = make_therapists(
        rng, spec, sites, demands, ratio, bases_where_the_work_is=version == 2
    )
    # The A14 makes Huntingdon-Cambridge quicker than the straight-line estimate says.
    travel = (TravelOverride(from_site_id="HUN", to_site_id="CAM", minutes=35),)
    base = Problem(
        settings=settings, sites=sites, rooms=rooms, therapists=therapists, travel=travel
    )
    ctx = Context(
        problem=base,
        rules=DayRules(base),
        room_windows={r.room_id: base.room_windows(r.room_id) for r in rooms},
        deliverable=deliverable,
        load={t.therapist_id: 0.0 for t in therapists},
    )
    refs = make_referrals(rng, ctx, demands)
    school_sites = [s for s in sites if s.kind == "school"]
    inset_site = rng.choice(school_sites).site_id if school_sites else sites[-1].site_id
    return Problem(
        settings=settings,
        sites=sites,
        rooms=rooms,
        therapists=therapists,
        referrals=refs,
        travel=travel,
        rates=RATES,
        closures=closures(inset_site),
    )


#: Generator versions: 1 the original, 2 the county's real geography.
VERSIONS = (1, 2)
#: Generator 2: the share of therapists based at home rather than at a clinic (a county
#: service's therapists mostly live near their schools; a small, compact one's at the clinics).
HOME_BASE_SHARE_V2: dict[str, float] = {"small": 0.3, "county": 0.5, "region": 0.6}


def _check_arguments(size: str, referrals: int | None, demand: float | None, version: int) -> None:
    if size not in SIZES:
        raise ValueError(f"unknown demo size '{size}' (use {', '.join(SIZES)})")
    if referrals is not None and not 10 <= referrals <= 20_000:
        raise ValueError(f"referrals must be between 10 and 20000, not {referrals}")
    if demand is not None and not 0.1 <= demand <= 3.0:
        raise ValueError(f"demand must be between 0.1 and 3.0, not {demand}")
    if version not in VERSIONS:
        raise ValueError(f"unknown generator version {version} (use 1 or 2)")


RATES = (
    Rate(effective_from=dt.date(2018, 4, 1), hourly_rate=49.0),
    Rate(effective_from=dt.date(2019, 4, 1), hourly_rate=51.0),
    Rate(effective_from=dt.date(2027, 3, 1), hourly_rate=56.0),
)


def closures(inset_site: str) -> tuple[Closure, ...]:
    """Half term for the whole service and an INSET day at one school."""
    return (
        Closure(date_from=dt.date(2027, 2, 15), date_to=dt.date(2027, 2, 19), label="Half term"),
        Closure(
            date_from=dt.date(2027, 3, 5),
            date_to=dt.date(2027, 3, 5),
            label="INSET day",
            site_id=inset_site,
        ),
    )


#: Generator 2's days have arrival minutes and at most 3 sites a day, which take about a sixth
#: of what a therapist can deliver in generator 1's reckoning: staffed for demand x 0.85, the
#: county demo's short local search places 588 of 600 (560 with no allowance, 40 therapists
#: against 47).
REALISTIC_DAYS_CAPACITY = 0.85


def demo_settings_v2() -> Settings:
    """Generator 2's settings: generator 1's, with drives at the county's road speeds (55 km/h
    over 1.3 times the straight line puts the neighbouring market towns 15 to 40 minutes
    apart, e.g. Huntingdon-St Neots 19, Cambridge-Ely 34, Huntingdon-Peterborough 39), and the
    realistic days the template suggests: 10 minutes to arrive at each site, at most 3 sites a
    day, and drives over 45 minutes weighing double beyond that; loads shared fairly and
    mileage at the usual UK rate, as the template suggests."""
    return demo_settings().model_copy(
        update={
            "travel_speed_kmh": 55.0,
            "arrival_minutes": 10,
            "max_sites_per_day": 3,
            "long_drive_minutes": 45,
            "balance_loads": True,
            "mileage_rate": 0.45,
        }
    )


def demo_settings() -> Settings:
    return Settings(
        term_name="Spring 2027",
        term_start=dt.date(2027, 1, 5),
        term_end=dt.date(2027, 3, 26),
        service_name="Cambridgeshire Music Therapy Service (demo)",
        service_contact="music.therapy@example.org, 01480 000000",
    )
