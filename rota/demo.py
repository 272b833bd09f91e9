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
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from rota.models import (
    DAYS,
    Availability,
    Closure,
    Discipline,
    Problem,
    Rate,
    Referral,
    Room,
    Settings,
    Site,
    SiteKind,
    Therapist,
    TravelOverride,
    Windows,
    format_availability,
    haversine_km,
)
from rota.models.timeutil import Interval, intersect_intervals

__all__ = ["SIZES", "DemoSize", "generate_problem"]

WEEKDAYS: tuple[str, ...] = DAYS[:5]
#: Sessions a therapist can realistically deliver in a full working day (8.5 hours) once
#: admin time and travel are counted.
SESSIONS_PER_FULL_DAY = 5.0
FULL_DAY_MINUTES = 510
#: Average session length used to turn a contact-minute cap into sessions.
AVERAGE_SESSION_MINUTES = 38
#: Skill and feature names that no one has: the deliberately impossible referrals use them.
MISSING_SKILL = "bsl"
MISSING_FEATURE = "hoist"


@dataclass(frozen=True)
class DemoSize:
    """The shape of a demo service before scaling by ``referrals``."""

    referrals: int
    sites: int
    full_time_share: float
    part_time_days: tuple[int, int]
    home_base_share: float
    neighbours: bool
    #: Towns further than this from both clinics are left out (a small service is compact).
    max_km_from_clinic: float | None = None


SIZES: dict[str, DemoSize] = {
    "small": DemoSize(80, 15, 0.1, (2, 3), 0.25, neighbours=False, max_km_from_clinic=25),
    "county": DemoSize(600, 120, 0.35, (2, 4), 0.3, neighbours=False),
    "region": DemoSize(1800, 300, 0.35, (2, 4), 0.5, neighbours=True),
}


@dataclass(frozen=True)
class Town:
    """A real town: centre coordinates, how many sites it gets relative to others."""

    name: str
    code: str
    latitude: float
    longitude: float
    weight: float
    radius_km: float
    area_code: str
    neighbour: bool = False


# Town centres (WGS84, rounded to about 100 m). Weights follow population roughly; the
# radius is how far sites spread around the centre (a city's schools are not all in one street).
TOWNS: tuple[Town, ...] = (
    Town("Cambridge", "CAMB", 52.2053, 0.1218, 20, 2.2, "01223"),
    Town("Huntingdon", "HUNT", 52.3310, -0.1820, 7, 0.9, "01480"),
    Town("St Neots", "STN", 52.2280, -0.2700, 7, 0.9, "01480"),
    Town("Wisbech", "WIS", 52.6660, 0.1590, 6, 0.8, "01945"),
    Town("March", "MAR", 52.5510, 0.0880, 5, 0.7, "01354"),
    Town("Ely", "ELY", 52.3990, 0.2620, 5, 0.7, "01353"),
    Town("St Ives", "STI", 52.3330, -0.0760, 5, 0.7, "01480"),
    Town("Whittlesey", "WHI", 52.5580, -0.1300, 3, 0.5, "01733"),
    Town("Chatteris", "CHA", 52.4560, 0.0530, 2.5, 0.5, "01354"),
    Town("Ramsey", "RAM", 52.4490, -0.1100, 2, 0.4, "01487"),
    Town("Soham", "SOH", 52.3340, 0.3370, 2.5, 0.5, "01353"),
    Town("Littleport", "LIT", 52.4570, 0.3050, 2, 0.4, "01353"),
    Town("Sawston", "SAW", 52.1240, 0.1700, 2, 0.4, "01223"),
    Town("Cambourne", "CBN", 52.2190, -0.0680, 3, 0.6, "01954"),
    Town("Godmanchester", "GOD", 52.3200, -0.1750, 2, 0.4, "01480"),
    Town("Histon", "HIS", 52.2530, 0.1050, 2, 0.4, "01223"),
    Town("Cottenham", "COT", 52.2860, 0.1260, 1.5, 0.4, "01954"),
    Town("Linton", "LIN", 52.0970, 0.2780, 1.5, 0.3, "01223"),
    Town("Papworth Everard", "PAP", 52.2480, -0.1200, 1, 0.3, "01480"),
    Town("Yaxley", "YAX", 52.5130, -0.2600, 2, 0.4, "01733"),
    Town("Sutton", "SUT", 52.3870, 0.1140, 1, 0.3, "01353"),
    Town("Bottisham", "BOT", 52.2210, 0.2600, 1, 0.3, "01223"),
    Town("Melbourn", "MEL", 52.0820, 0.0150, 1.5, 0.3, "01763"),
    Town("Gamlingay", "GAM", 52.1560, -0.1930, 1, 0.3, "01767"),
    Town("Kimbolton", "KIM", 52.2970, -0.3890, 1, 0.3, "01480"),
    Town("Burwell", "BUR", 52.2760, 0.3260, 1.5, 0.3, "01638"),
    Town("Waterbeach", "WAT", 52.2650, 0.1920, 1.5, 0.4, "01223"),
    Town("Sawtry", "SAWT", 52.4390, -0.2820, 1.5, 0.3, "01487"),
    Town("Somersham", "SOM", 52.3830, 0.0000, 1, 0.3, "01487"),
    Town("Fulbourn", "FUL", 52.1800, 0.2230, 1, 0.3, "01223"),
    Town("Comberton", "COM", 52.1850, 0.0140, 1, 0.3, "01223"),
    Town("Great Shelford", "SHEL", 52.1480, 0.1390, 1, 0.3, "01223"),
    Town("Bassingbourn", "BASS", 52.0780, -0.0560, 1, 0.3, "01763"),
    Town("Buckden", "BUCK", 52.2940, -0.2500, 1, 0.3, "01480"),
    Town("Brampton", "BRAM", 52.3190, -0.2210, 1.5, 0.3, "01480"),
    Town("Swavesey", "SWA", 52.3030, -0.0040, 1, 0.3, "01954"),
    Town("Willingham", "WIL", 52.3150, 0.0600, 1, 0.3, "01954"),
    Town("Haddenham", "HAD", 52.3580, 0.1460, 1, 0.3, "01353"),
    # Neighbouring areas, used by the region size only.
    Town("Peterborough", "PBO", 52.5700, -0.2430, 22, 2.5, "01733", neighbour=True),
    Town("Bedford", "BED", 52.1360, -0.4660, 14, 2.0, "01234", neighbour=True),
    Town("Newmarket", "NMK", 52.2450, 0.4050, 3, 0.6, "01638", neighbour=True),
    Town("Royston", "ROY", 52.0480, -0.0240, 3, 0.6, "01763", neighbour=True),
    Town("Haverhill", "HAV", 52.0830, 0.4390, 4, 0.7, "01440", neighbour=True),
    Town("Thetford", "THE", 52.4130, 0.7490, 4, 0.7, "01842", neighbour=True),
    Town("King's Lynn", "KLN", 52.7540, 0.3980, 6, 1.0, "01553", neighbour=True),
    Town("Stamford", "STA", 52.6530, -0.4790, 3, 0.6, "01780", neighbour=True),
    Town("Downham Market", "DOW", 52.6010, 0.3830, 2, 0.5, "01366", neighbour=True),
    Town("Mildenhall", "MIL", 52.3450, 0.5090, 2, 0.5, "01638", neighbour=True),
    Town("Biggleswade", "BIG", 52.0860, -0.2640, 3, 0.6, "01767", neighbour=True),
    Town("Sandy", "SAN", 52.1310, -0.2970, 2, 0.5, "01767", neighbour=True),
    Town("Saffron Walden", "SAF", 52.0240, 0.2410, 3, 0.6, "01799", neighbour=True),
    Town("Oundle", "OUN", 52.4810, -0.4690, 1.5, 0.4, "01832", neighbour=True),
    Town("Brandon", "BRA", 52.4470, 0.6240, 1.5, 0.4, "01842", neighbour=True),
)
TOWN_BY_NAME: dict[str, Town] = {t.name: t for t in TOWNS}

_NAME_STARTS = (
    "Oak", "Ash", "Elm", "Beech", "Willow", "Hazel", "Holly", "Rowan", "Alder", "Birch",
    "Cherry", "Maple", "Lark", "Wren", "Heron", "Kestrel", "Swallow", "Fox", "Otter", "Mill",
    "Brook", "River", "Spring", "Meadow", "Orchard", "Windmill", "Bramble", "Clover", "Primrose",
    "Kingfisher",
)  # fmt: skip
_NAME_ENDS = (
    "field", "brook", "side", "wood", "bank", "hill", "croft", "mead", "lea", "gate", "way",
    "dale",
)  # fmt: skip
_SCHOOL_SUFFIXES = (
    ("Primary School", 5), ("Academy", 3), ("Community Primary School", 2),
    ("Infant School", 1), ("Junior School", 1), ("CofE Primary School", 2),
    ("Village College", 1.5),
)  # fmt: skip
_SPECIAL_SUFFIXES = (("Special School", 3), ("School", 2), ("Academy", 1))
_UNIT_SUFFIXES = (("Learning Centre", 2), ("Pupil Referral Unit", 1), ("Resource Base", 2))

_FIRST_NAMES = (
    "Alex", "Sam", "Jo", "Robin", "Chris", "Jamie", "Morgan", "Charlie", "Frankie", "Kit",
    "Lee", "Ash", "Drew", "Jules", "Nico", "Pat", "Sasha", "Toni", "Viv", "Remy", "Bea", "Ola",
)  # fmt: skip
# Musical and theatrical terms as surnames keep the staff obviously fictional.
_SURNAMES = (
    "Allegro", "Adagio", "Cadenza", "Fermata", "Legato", "Staccato", "Crescendo", "Minim",
    "Quaver", "Crotchet", "Arpeggio", "Sonata", "Rondo", "Motif", "Cadence", "Tremolo",
    "Vibrato", "Coda", "Prelude", "Refrain", "Chorus", "Prologue", "Encore", "Curtain", "Wings",
    "Footlights", "Matinee", "Understudy", "Overture", "Interval", "Encore-Smith", "Largo",
)  # fmt: skip

SKILLS: tuple[str, ...] = (
    "attachment",
    "vig",
    "systemic",
    "mental_health",
    "counselling",
    "autism",
    "early_years",
)
_SKILL_CHANCE: dict[str, dict[str, float]] = {
    "music": {
        "autism": 0.45,
        "early_years": 0.25,
        "attachment": 0.3,
        "mental_health": 0.2,
        "systemic": 0.12,
        "counselling": 0.1,
        "vig": 0.06,
    },
    "drama": {
        "attachment": 0.4,
        "mental_health": 0.3,
        "systemic": 0.25,
        "counselling": 0.2,
        "autism": 0.25,
        "early_years": 0.15,
        "vig": 0.08,
    },
    "dance": {"autism": 0.3, "early_years": 0.3, "mental_health": 0.2, "attachment": 0.2},
}

_CONTACT_ROLES: dict[str, tuple[str, ...]] = {
    "school": ("SENCo", "SENCo", "Inclusion lead", "Deputy head", "Pastoral lead"),
    "special_school": ("Head of therapies", "Deputy head", "SENCo"),
    "unit": ("Unit manager", "Lead teacher"),
    "childrens_centre": ("Centre manager", "Family worker"),
    "clinic": ("Clinic administrator",),
}


@dataclass(frozen=True)
class _RoomKind:
    name: str
    code: str
    capacity: tuple[int, int]
    features: dict[str, float]


_ROOMS: dict[str, tuple[_RoomKind, ...]] = {
    "school": (
        _RoomKind(
            "Music room",
            "MUS",
            (4, 8),
            {"piano": 0.6, "keyboard": 0.5, "percussion": 0.8, "guitar": 0.4, "soundproof": 0.15},
        ),
        _RoomKind("Small hall", "HALL", (6, 8), {"piano": 0.5, "drama_space": 0.7, "props": 0.2}),
        _RoomKind("Library", "LIB", (2, 6), {}),
        _RoomKind("Nurture room", "NUR", (2, 6), {"props": 0.3, "percussion": 0.25}),
        _RoomKind("Quiet room", "QUIET", (1, 3), {"keyboard": 0.2}),
        _RoomKind(
            "Group room", "GRP", (3, 8), {"percussion": 0.3, "props": 0.3, "drama_space": 0.2}
        ),
    ),
    "special_school": (
        _RoomKind(
            "Sensory room", "SENS", (1, 4), {"percussion": 0.5, "mirrors": 0.3, "soundproof": 0.2}
        ),
        _RoomKind(
            "Music room",
            "MUS",
            (3, 8),
            {"piano": 0.7, "keyboard": 0.6, "percussion": 0.9, "guitar": 0.5, "soundproof": 0.3},
        ),
        _RoomKind("Soft play room", "SOFT", (2, 6), {"mirrors": 0.4, "props": 0.3}),
        _RoomKind(
            "Therapy room", "THER", (1, 4), {"percussion": 0.5, "keyboard": 0.3, "props": 0.4}
        ),
        _RoomKind(
            "Drama studio", "DRAMA", (4, 8), {"drama_space": 0.95, "mirrors": 0.5, "props": 0.6}
        ),
    ),
    "unit": (
        _RoomKind("Quiet room", "QUIET", (1, 3), {"keyboard": 0.3}),
        _RoomKind("Group room", "GRP", (3, 8), {"percussion": 0.4, "drama_space": 0.4}),
        _RoomKind("Therapy room", "THER", (1, 4), {"percussion": 0.5, "props": 0.4}),
    ),
    "childrens_centre": (
        _RoomKind("Family room", "FAM", (4, 8), {"percussion": 0.4, "props": 0.4}),
        _RoomKind(
            "Play room", "PLAY", (3, 8), {"percussion": 0.5, "mirrors": 0.2, "drama_space": 0.3}
        ),
        _RoomKind("Consulting room", "CONS", (1, 3), {}),
    ),
}
_ROOM_COUNT: dict[str, tuple[tuple[int, ...], tuple[float, ...]]] = {
    "school": ((1, 2, 3), (0.4, 0.4, 0.2)),
    "special_school": ((2, 3, 4), (0.35, 0.4, 0.25)),
    "unit": ((1, 2), (0.5, 0.5)),
    "childrens_centre": ((1, 2), (0.5, 0.5)),
}
# The two clinics' rooms: (name, code, capacity, features).
_CLINIC_ROOMS: tuple[tuple[str, str, int, str], ...] = (
    ("Music room 1", "MUS1", 6, "piano, keyboard, percussion, guitar, soundproof"),
    ("Music room 2", "MUS2", 3, "keyboard, percussion, guitar, soundproof"),
    ("Drama studio", "DRAMA", 8, "drama_space, mirrors, props"),
    ("Therapy room", "THER", 4, "percussion, props"),
)

_FUNDING: dict[str, tuple[tuple[str, float], ...]] = {
    "school": (
        ("Pupil Premium", 35), ("EHC plan", 25), ("Social Care", 8), ("Support for Learning", 10),
        ("Mental Health funding", 6), ("Adoption Support Fund", 5),
        ("Funding for children looked after", 6), ("Together for families", 5),
    ),
    "special_school": (("EHC plan", 70), ("Personal budget", 10), ("Social Care", 10),
                       ("Pupil Premium", 10)),
    "unit": (("Alternative Education provision", 45), ("EHC plan", 25), ("Pupil Premium", 15),
             ("Mental Health funding", 15)),
    "childrens_centre": (("Early Learning", 60), ("Together for families", 25),
                         ("Social Care", 15)),
    "clinic": (("Adoption Support Fund", 30), ("Personal budget", 20), ("Social Care", 20),
               ("Fostering and adoption services", 15), ("Mental Health funding", 15)),
}  # fmt: skip

_GROUP_NAMES: dict[str, tuple[str, ...]] = {
    "school": (
        "Year 1 group", "Year 2 group", "Year 3 group", "Year 4 group", "Year 5 group",
        "Year 6 transition group", "Nurture group", "Friendship group", "Reception group",
    ),
    "special_school": ("Class 2 group", "Class 4 group", "Sixth form group", "Communication group",
                       "Sensory group"),
    "unit": ("Key stage 3 group", "Key stage 4 group", "Re-engagement group"),
    "childrens_centre": ("Parent and child group", "Stay and play group", "Toddler group"),
    "clinic": ("Sibling group", "Adoptive families group", "Teen group"),
}  # fmt: skip
_INITIALS = "ABCDEFGHIJKLMNOPRSTWY"

_PRIORITY_WEIGHTS = (8, 30, 35, 17, 10)
_MINUTES = (30, 35, 40, 45)
_MINUTES_WEIGHTS = (30, 15, 25, 30)


@dataclass
class _Demand:
    """One referral before it has a site: its discipline and how many therapists run it."""

    discipline: Discipline
    therapists_needed: int


@dataclass
class _Context:
    """Precomputed views of sites, rooms and therapists used while drawing referrals."""

    problem: Problem
    room_windows: dict[str, Windows]
    therapist_windows: dict[str, Windows]
    deliverable: dict[str, float]
    load: dict[str, float] = field(default_factory=dict)
    travel: dict[tuple[str, str], int] = field(default_factory=dict)

    def travel_minutes(self, a: str, b: str) -> int:
        key = (a, b)
        if key not in self.travel:
            self.travel[key] = self.problem.travel_minutes(a, b)
        return self.travel[key]


def generate_problem(
    size: str,
    seed: int,
    *,
    referrals: int | None = None,
    demand: float | None = None,
    sparse: bool = False,
) -> Problem:
    """A realistic demo service of ``size`` ("small", "county", "region"), the same for equal
    arguments.

    ``referrals`` scales the service to about that many referrals (sites and therapists in
    proportion); ``demand`` is weekly demand over what the therapists can deliver (default
    about 0.9; 1.2 is a tight service); ``sparse`` leaves each room free only one or two
    half-days a week.
    """
    if size not in SIZES:
        raise ValueError(f"unknown demo size '{size}' (use {', '.join(SIZES)})")
    if referrals is not None and not 10 <= referrals <= 20_000:
        raise ValueError(f"referrals must be between 10 and 20000, not {referrals}")
    if demand is not None and not 0.1 <= demand <= 3.0:
        raise ValueError(f"demand must be between 0.1 and 3.0, not {demand}")
    spec = SIZES[size]
    rng = random.Random(seed)
    num_referrals = referrals if referrals is not None else spec.referrals
    num_sites = max(6, round(spec.sites * num_referrals / spec.referrals))

    settings = _settings()
    sites = _make_sites(rng, spec, num_sites)
    rooms = _make_rooms(rng, sites, sparse)
    demands = _make_demands(rng, num_referrals)
    ratio = demand if demand is not None else rng.uniform(0.86, 0.94)
    therapists, deliverable = _make_therapists(rng, spec, sites, demands, ratio)
    # The A14 makes Huntingdon-Cambridge quicker than the straight-line estimate says.
    travel = (TravelOverride(from_site_id="HUN", to_site_id="CAM", minutes=35),)
    base = Problem(
        settings=settings, sites=sites, rooms=rooms, therapists=therapists, travel=travel
    )
    ctx = _Context(
        problem=base,
        room_windows={r.room_id: base.room_windows(r.room_id) for r in rooms},
        therapist_windows={
            t.therapist_id: base.therapist_windows(t.therapist_id) for t in therapists
        },
        deliverable=deliverable,
        load={t.therapist_id: 0.0 for t in therapists},
    )
    refs = _make_referrals(rng, ctx, demands)
    school_sites = [s for s in sites if s.kind == "school"]
    inset_site = rng.choice(school_sites).site_id if school_sites else sites[-1].site_id
    return Problem(
        settings=settings,
        sites=sites,
        rooms=rooms,
        therapists=therapists,
        referrals=refs,
        travel=travel,
        rates=(
            Rate(effective_from=dt.date(2018, 4, 1), hourly_rate=49.0),
            Rate(effective_from=dt.date(2019, 4, 1), hourly_rate=51.0),
            Rate(effective_from=dt.date(2027, 3, 1), hourly_rate=56.0),
        ),
        closures=(
            Closure(
                date_from=dt.date(2027, 2, 15), date_to=dt.date(2027, 2, 19), label="Half term"
            ),
            Closure(
                date_from=dt.date(2027, 3, 5),
                date_to=dt.date(2027, 3, 5),
                label="INSET day",
                site_id=inset_site,
            ),
        ),
    )


def _settings() -> Settings:
    return Settings(
        term_name="Spring 2027",
        term_start=dt.date(2027, 1, 5),
        term_end=dt.date(2027, 3, 26),
        service_name="Cambridgeshire Music Therapy Service (demo)",
        service_contact="music.therapy@example.org, 01480 000000",
    )


# ------------------------------------------------------------------------------------ sites
def _jitter(rng: random.Random, town: Town) -> tuple[float, float]:
    """A point within the town's radius, uniform over the disc."""
    r = town.radius_km * math.sqrt(rng.random())
    angle = rng.uniform(0, 2 * math.pi)
    dlat = r * math.cos(angle) / 111.32
    dlon = r * math.sin(angle) / (111.32 * math.cos(math.radians(town.latitude)))
    return round(town.latitude + dlat, 5), round(town.longitude + dlon, 5)


def _weighted(rng: random.Random, options: Sequence[tuple[str, float]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _hours_text(rng: random.Random, kind: str) -> str:
    if kind == "school":
        return rng.choices(
            ["Mon-Fri 08:45-15:15", "Mon-Fri 08:30-15:30", "Mon-Fri 08:50-15:20"], [70, 25, 5]
        )[0]
    if kind == "special_school":
        return rng.choice(["Mon-Fri 09:00-15:30", "Mon-Fri 08:45-15:15"])
    if kind == "unit":
        return rng.choice(["Mon-Fri 09:00-15:00", "Mon-Thu 09:00-15:00; Fri 09:00-12:30"])
    if kind == "childrens_centre":
        return rng.choice(["Mon-Fri 09:00-16:00", "Mon-Fri 09:00-16:00", "Mon-Thu 09:00-16:00"])
    return "Mon-Fri 08:30-17:00"


def _blocked_text(rng: random.Random, kind: str) -> str | None:
    if kind not in ("school", "special_school"):
        return None
    parts: list[str] = []
    if rng.random() < 0.25:
        parts.append(rng.choice(["Mon 09:00-09:30", "Fri 14:30-15:15", "Wed 09:00-09:20"]))
    if rng.random() < 0.65:
        parts.append(
            rng.choice(["Mon-Fri 12:00-12:45", "Mon-Fri 12:15-13:00", "Mon-Fri 11:55-12:40"])
        )
    return "; ".join(parts) or None


def _site_name(rng: random.Random, kind: str, town: Town, word: str) -> str:
    if kind == "school":
        suffix = _weighted(rng, _SCHOOL_SUFFIXES)
        return f"{town.name} {word} {suffix}" if rng.random() < 0.5 else f"{word} {suffix}"
    if kind == "special_school":
        return f"{word} {_weighted(rng, _SPECIAL_SUFFIXES)}"
    if kind == "unit":
        return f"{word} {_weighted(rng, _UNIT_SUFFIXES)}"
    return f"{town.name} {word} Children's Centre"


def _make_sites(rng: random.Random, spec: DemoSize, num_sites: int) -> list[Site]:
    """The two clinics, then schools, special schools, units and children's centres spread
    over the towns by weight."""
    hun, cam = TOWN_BY_NAME["Huntingdon"], TOWN_BY_NAME["Cambridge"]
    sites: list[Site] = []
    for site_id, name, town in (
        ("HUN", "Huntingdon Clinic", hun),
        ("CAM", "Cambridge Clinic", cam),
    ):
        lat, lon = _jitter(rng, town)
        sites.append(
            Site(
                site_id=site_id,
                name=name,
                kind="clinic",
                town=town.name,
                latitude=lat,
                longitude=lon,
                hours=Availability.model_validate(_hours_text(rng, "clinic")),
                contact=f"Clinic administrator, {town.area_code} 000{rng.randint(0, 999):03d}",
            )
        )
    towns = [
        t
        for t in TOWNS
        if (spec.neighbours or not t.neighbour)
        and (
            spec.max_km_from_clinic is None
            or min(
                haversine_km(t.latitude, t.longitude, c.latitude, c.longitude) for c in (hun, cam)
            )
            <= spec.max_km_from_clinic
        )
    ]
    town_weights = [t.weight for t in towns]
    kinds: list[SiteKind] = ["school", "special_school", "unit", "childrens_centre"]
    used_ids = {"HUN", "CAM"}
    for _ in range(num_sites - 2):
        town = rng.choices(towns, town_weights)[0]
        kind = rng.choices(kinds, [62, 12, 11, 15])[0]
        site_id, word = "", ""
        for attempt in range(50):
            # A plain word first ("Kingfisher"), a compound when the town has used it up.
            word = rng.choice(_NAME_STARTS)
            if attempt > 0 or rng.random() < 0.5:
                word += rng.choice(_NAME_ENDS)
            site_id = f"{town.code}-{word.upper()}"
            if attempt >= 40:
                site_id = f"{site_id}-{attempt}"
            if site_id not in used_ids:
                break
        used_ids.add(site_id)
        lat, lon = _jitter(rng, town)
        blocked = _blocked_text(rng, kind)
        role = rng.choice(_CONTACT_ROLES[kind])
        sites.append(
            Site(
                site_id=site_id,
                name=_site_name(rng, kind, town, word),
                kind=kind,
                town=town.name,
                latitude=lat,
                longitude=lon,
                hours=Availability.model_validate(_hours_text(rng, kind)),
                blocked=Availability.model_validate(blocked) if blocked else None,
                contact=f"{role}, {town.area_code} 000{rng.randint(0, 999):03d}",
            )
        )
    return sites


# ------------------------------------------------------------------------------------ rooms
def _site_day_hours(site: Site) -> dict[str, Interval]:
    """Each open weekday's single opening range (the demo's sites have one range a day)."""
    assert site.hours is not None
    resolved = site.hours.resolve(((8 * 60 + 45, 15 * 60 + 15),))
    return {d: r[0] for d, r in resolved.items() if d in WEEKDAYS}


def _half_days(site: Site) -> list[tuple[str, Interval]]:
    """Mornings (opening to 12:00) and afternoons (13:00 to closing) of the site's days."""
    out: list[tuple[str, Interval]] = []
    for day, (start, end) in _site_day_hours(site).items():
        if start < 12 * 60:
            out.append((day, (start, min(end, 12 * 60))))
        if end > 13 * 60:
            out.append((day, (max(start, 13 * 60), end)))
    return out


def _availability_text(slots: Sequence[tuple[str, Interval]]) -> str:
    days: dict[str, list[Interval]] = {}
    for day, interval in slots:
        days.setdefault(day, []).append(interval)
    return format_availability({d: tuple(sorted(r)) for d, r in days.items()})


def _room_availability(rng: random.Random, site: Site, sparse: bool) -> Availability | None:
    """Blank (the site's hours) for many rooms; others free some half-days or whole days."""
    halves = _half_days(site)
    if sparse:
        chosen = sorted(rng.sample(range(len(halves)), min(len(halves), rng.choice((1, 2)))))
        return Availability.model_validate(_availability_text([halves[i] for i in chosen]))
    if site.kind == "clinic":
        return None
    roll = rng.random()
    if roll < 0.45:
        return None
    if roll < 0.75:
        # Now and then a room is free one half-day only: its referrals are hard to place.
        count = 1 if rng.random() < 0.15 else rng.randint(2, min(6, len(halves)))
        chosen = sorted(rng.sample(range(len(halves)), count))
        return Availability.model_validate(_availability_text([halves[i] for i in chosen]))
    open_days = list(_site_day_hours(site))
    days = sorted(rng.sample(range(len(open_days)), rng.randint(2, min(4, len(open_days)))))
    return Availability.model_validate(format_availability({open_days[i]: () for i in days}))


def _make_rooms(rng: random.Random, sites: Sequence[Site], sparse: bool) -> list[Room]:
    rooms: list[Room] = []
    for site in sites:
        if site.kind == "clinic":
            for name, code, capacity, features in _CLINIC_ROOMS:
                rooms.append(
                    Room(
                        room_id=f"{site.site_id}-{code}",
                        site_id=site.site_id,
                        name=name,
                        capacity=capacity,
                        features=tuple(f.strip() for f in features.split(",")),
                        available=_room_availability(rng, site, sparse),
                    )
                )
            continue
        counts, weights = _ROOM_COUNT[site.kind]
        count = rng.choices(counts, weights)[0]
        kinds = rng.sample(_ROOMS[site.kind], count)
        for kind in kinds:
            equipment = tuple(f for f, p in kind.features.items() if rng.random() < p)
            rooms.append(
                Room(
                    room_id=f"{site.site_id}-{kind.code}",
                    site_id=site.site_id,
                    name=kind.name,
                    capacity=rng.randint(*kind.capacity),
                    features=equipment,
                    available=_room_availability(rng, site, sparse),
                )
            )
    return rooms


# ------------------------------------------------------------------------------- therapists
def _make_demands(rng: random.Random, num_referrals: int) -> list[_Demand]:
    """Each referral's discipline and therapist count: about 70% music, 26% drama, 4% dance;
    a few music and drama sessions are co-facilitated."""
    out: list[_Demand] = []
    disciplines: list[Discipline] = ["music", "drama", "dance"]
    for _ in range(num_referrals):
        d = rng.choices(disciplines, [70, 26, 4])[0]
        needed = 2 if d != "dance" and rng.random() < 0.04 else 1
        out.append(_Demand(d, needed))
    return out


def _works(rng: random.Random, spec: DemoSize, still_needed: float) -> tuple[str, int]:
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
    return _availability_text(slots), minutes


_THERAPIST_DISCIPLINES: dict[str, tuple[tuple[tuple[Discipline, ...], float], ...]] = {
    "music": ((("music",), 95), (("music", "drama"), 5)),
    "drama": ((("drama",), 85), (("music", "drama"), 10), (("drama", "dance"), 5)),
    "dance": ((("dance",), 50), (("drama", "dance"), 50)),
}


def _therapist_disciplines(rng: random.Random, d: Discipline) -> tuple[Discipline, ...]:
    """Mostly one discipline; a few therapists offer two (counted half towards each)."""
    options = _THERAPIST_DISCIPLINES[d]
    return rng.choices([o for o, _ in options], [w for _, w in options])[0]


def _make_therapists(
    rng: random.Random,
    spec: DemoSize,
    sites: Sequence[Site],
    demands: Sequence[_Demand],
    ratio: float,
) -> tuple[list[Therapist], dict[str, float]]:
    """Therapists are added, each for the discipline furthest below its target, until every
    discipline can deliver its weekly sessions divided by ``ratio``."""
    disciplines: tuple[Discipline, ...] = ("music", "drama", "dance")
    sessions = {
        d: float(sum(x.therapists_needed for x in demands if x.discipline == d))
        for d in disciplines
    }
    target = {d: sessions[d] / ratio for d in disciplines}
    # Co-facilitated sessions need two therapists of the discipline.
    at_least = {
        d: (2 if any(x.therapists_needed > 1 and x.discipline == d for x in demands) else 1)
        if sessions[d]
        else 0
        for d in disciplines
    }
    have = dict.fromkeys(disciplines, 0.0)
    heads = dict.fromkeys(disciplines, 0)
    clinics = [s for s in sites if s.kind == "clinic"]
    others = [s for s in sites if s.kind != "clinic"]
    # Therapists who work from home live further from the clinics, more often than not.
    home_weights = [1 + min(_km(s, c) for c in clinics) / 8 for s in others]
    therapists: list[Therapist] = []
    deliverable: dict[str, float] = {}
    names: set[str] = set()
    while True:
        short = [d for d in disciplines if have[d] < target[d] - 1.5 or heads[d] < at_least[d]]
        if not short:
            break
        d = max(short, key=lambda x: (target[x] - have[x], -disciplines.index(x)))
        own = _therapist_disciplines(rng, d)
        works, minutes = _works(rng, spec, (target[d] - have[d]) * len(own))
        sessions_a_week = SESSIONS_PER_FULL_DAY * minutes / FULL_DAY_MINUTES
        max_per_day = rng.randint(5, 7) if rng.random() < 0.2 else None
        max_contact = None
        if minutes < 5 * FULL_DAY_MINUTES and rng.random() < 0.12:
            max_contact = int(sessions_a_week * 0.8) * AVERAGE_SESSION_MINUTES // 30 * 30
            sessions_a_week = min(sessions_a_week, max_contact / AVERAGE_SESSION_MINUTES)
        chances = _SKILL_CHANCE[own[0]]
        skills = tuple(k for k in SKILLS if rng.random() < chances.get(k, 0.0))
        if others and rng.random() < spec.home_base_share:
            base = rng.choices(others, home_weights)[0].site_id
        else:
            base = rng.choice(clinics).site_id
        name = ""
        for _ in range(100):
            name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_SURNAMES)}"
            if name not in names:
                break
        names.add(name)
        tid = f"T{len(therapists) + 1:03d}"
        therapists.append(
            Therapist(
                therapist_id=tid,
                name=name,
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
            have[x] += sessions_a_week / len(own)
            heads[x] += 1
    return therapists, deliverable


def _km(a: Site, b: Site) -> float:
    return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)


# -------------------------------------------------------------------------------- referrals
@dataclass(frozen=True)
class _Draft:
    """A referral's attributes while it is being checked for a possible placement."""

    site_ids: tuple[str, ...]
    discipline: Discipline
    therapists_needed: int
    minutes: int
    group_size: int
    needs_features: tuple[str, ...]
    needs_skills: tuple[str, ...]
    available: str | None


_AVAILABLE_PATTERNS: tuple[tuple[str, float], ...] = (
    ("Mon-Fri 09:00-12:00", 30),
    ("Mon-Thu", 25),
    ("Mon-Fri 13:00-15:00", 15),
    ("Tue-Thu", 10),
    ("Mon; Wed; Fri", 10),
    ("narrow", 10),
)
_PREFERRED_PATTERNS: tuple[str, ...] = (
    "Mon-Fri 09:00-10:30",
    "Tue; Thu",
    "Mon-Fri 13:30-15:00",
    "Wed",
    "Mon-Fri 10:30-12:00",
)
_KIND_WEIGHT: dict[str, float] = {
    "school": 1.0,
    "special_school": 2.5,
    "unit": 1.5,
    "childrens_centre": 1.2,
}


def _open_times(
    ctx: _Context, draft: _Draft, therapist: Therapist
) -> list[tuple[str, str, Interval]]:
    """Where and when ``therapist`` could run the draft: (room, day, free range) with room for
    the drive from their base, the session, its admin time and the drive back."""
    p = ctx.problem
    admin = p.settings.admin_minutes
    ref_windows = (
        Availability.model_validate(draft.available).resolve(((0, 24 * 60),))
        if draft.available
        else None
    )
    works = ctx.therapist_windows[therapist.therapist_id]
    out: list[tuple[str, str, Interval]] = []
    for site_id in draft.site_ids:
        go = ctx.travel_minutes(therapist.base_site_id, site_id)
        back = ctx.travel_minutes(site_id, therapist.base_site_id)
        for room in p.rooms_by_site.get(site_id, ()):
            if room.capacity < draft.group_size or not set(draft.needs_features) <= set(
                room.features
            ):
                continue
            for day, ranges in ctx.room_windows[room.room_id].items():
                own = [
                    (s + go, e - back - admin)
                    for s, e in works.get(day, ())
                    if e - back - admin - (s + go) >= draft.minutes
                ]
                if not own:
                    continue
                free = intersect_intervals(ranges, own)
                if ref_windows is not None:
                    free = intersect_intervals(free, ref_windows.get(day, ()))
                out.extend((room.room_id, day, r) for r in free if r[1] - r[0] >= draft.minutes)
    return out


def _share_time(
    a: list[tuple[str, str, Interval]], b: list[tuple[str, str, Interval]], minutes: int
) -> bool:
    """True when two therapists' open times meet in one room for a whole session."""
    for room_a, day_a, ra in a:
        for room_b, day_b, rb in b:
            if (
                room_a == room_b
                and day_a == day_b
                and min(ra[1], rb[1]) - max(ra[0], rb[0]) >= (minutes)
            ):
                return True
    return False


def _able_therapists(ctx: _Context, draft: _Draft, wanted: int = 6) -> list[Therapist]:
    """Up to ``wanted`` nearest therapists who could run the draft (for a co-facilitated draft:
    the first pair found who share a time, or nothing)."""
    p = ctx.problem
    first = draft.site_ids[0]
    candidates = sorted(
        (
            t
            for t in p.therapists
            if draft.discipline in t.disciplines and set(draft.needs_skills) <= set(t.skills)
        ),
        key=lambda t: (ctx.travel_minutes(t.base_site_id, first), t.therapist_id),
    )
    able: list[tuple[Therapist, list[tuple[str, str, Interval]]]] = []
    for t in candidates:
        times = _open_times(ctx, draft, t)
        if not times:
            continue
        if draft.therapists_needed > 1:
            for other, other_times in able:
                if _share_time(other_times, times, draft.minutes):
                    return [other, t]
        able.append((t, times))
        if draft.therapists_needed == 1 and len(able) >= wanted:
            break
    if draft.therapists_needed > 1:
        return []
    return [t for t, _ in able]


def _relaxations(draft: _Draft) -> list[_Draft]:
    """The draft, then ever plainer versions of it, for when no one could run it."""
    out = [draft]
    for change in (
        {"available": None},
        {"needs_features": ()},
        {"needs_skills": ()},
        {"group_size": 1},
    ):
        nxt = replace(out[-1], **change)
        if nxt != out[-1]:
            out.append(nxt)
    return out


def _initials(rng: random.Random) -> str:
    return f"{rng.choice(_INITIALS)}.{rng.choice(_INITIALS)}."


class _ReferralMaker:
    """Draws referrals one by one, keeping each placeable and current therapists' loads sane."""

    def __init__(self, rng: random.Random, ctx: _Context) -> None:
        self.rng = rng
        self.ctx = ctx
        p = ctx.problem
        self.others = [s for s in p.sites if s.kind != "clinic"]
        self.skill_pool: dict[str, list[str]] = {}
        self.site_weights: dict[str, list[float]] = {}
        for d in ("music", "drama", "dance"):
            own = [t for t in p.therapists if d in t.disciplines]
            self.skill_pool[d] = [k for t in own for k in t.skills]
            bases = sorted({t.base_site_id for t in own})
            weights = []
            for s in self.others:
                near = min((ctx.travel_minutes(b, s.site_id) for b in bases), default=60)
                # Referrals come mostly from schools near where the therapists are.
                weights.append(_KIND_WEIGHT[s.kind] / (1 + near / 20))
            self.site_weights[d] = weights

    def pick_sites(self, discipline: Discipline) -> tuple[str, ...]:
        rng = self.rng
        if not self.others or rng.random() < 0.08:
            return rng.choices([("HUN",), ("CAM",), ("HUN", "CAM")], [40, 40, 20])[0]
        return (rng.choices(self.others, self.site_weights[discipline])[0].site_id,)

    def draft(self, demand: _Demand, site_ids: tuple[str, ...]) -> _Draft:
        rng, p = self.rng, self.ctx.problem
        kind = p.site_by_id[site_ids[0]].kind
        rooms = [r for sid in site_ids for r in p.rooms_by_site.get(sid, ())]
        biggest = max((r.capacity for r in rooms), default=1)
        group_chance = {"childrens_centre": 0.35, "clinic": 0.1, "special_school": 0.25}
        group_size = 1
        if rng.random() < group_chance.get(kind, 0.2) and biggest >= 3:
            group_size = rng.randint(3, min(6, biggest))
        if kind == "childrens_centre":
            minutes = rng.choices(_MINUTES, [70, 15, 10, 5])[0]
        elif group_size > 1:
            minutes = rng.choice((40, 45))
        else:
            minutes = rng.choices(_MINUTES, _MINUTES_WEIGHTS)[0]
        features: tuple[str, ...] = ()
        if rng.random() < 0.5:
            wanted = {
                "music": ("piano", "percussion"),
                "drama": ("drama_space",),
                "dance": ("drama_space", "mirrors"),
            }[demand.discipline]
            present = sorted(
                {f for r in rooms if r.capacity >= group_size for f in r.features if f in wanted}
            )
            if present:
                features = (rng.choice(present),)
        skills: tuple[str, ...] = ()
        pool = self.skill_pool[demand.discipline]
        if pool and rng.random() < 0.1:
            typical = {"childrens_centre": "early_years", "special_school": "autism"}.get(kind)
            use_typical = typical is not None and typical in pool and rng.random() < 0.5
            skills = (typical,) if typical is not None and use_typical else (rng.choice(pool),)
        available = None
        if rng.random() < 0.2:
            available = _weighted(rng, _AVAILABLE_PATTERNS)
            if available == "narrow":
                # One hour on one day: hard to place, but possible.
                hour = rng.choice((9, 10, 11, 13, 14))
                available = f"{rng.choice(WEEKDAYS)} {hour:02d}:00-{hour + 1:02d}:00"
        return _Draft(
            site_ids=site_ids,
            discipline=demand.discipline,
            therapists_needed=demand.therapists_needed,
            minutes=minutes,
            group_size=group_size,
            needs_features=features,
            needs_skills=skills,
            available=available,
        )

    def placeable(self, demand: _Demand, site_ids: tuple[str, ...]) -> tuple[_Draft, list[str]]:
        """A draft someone can run, with the ids of therapists who could (nearest first)."""
        for attempt in range(6):
            sites = site_ids if attempt == 0 else self.pick_sites(demand.discipline)
            if attempt == 5:
                sites = ("HUN", "CAM")
            for draft in _relaxations(self.draft(demand, sites)):
                able = _able_therapists(self.ctx, draft)
                if able:
                    return draft, [t.therapist_id for t in able]
        raise RuntimeError(
            f"demo generator: no therapist can run a {demand.discipline} referral anywhere"
        )

    def current_therapist(self, draft: _Draft, able: list[str]) -> str | None:
        """About half the referrals continue with a therapist who works nearby and has room."""
        ctx, rng = self.ctx, self.rng
        if rng.random() >= 0.5:
            return None
        room = [t for t in able if ctx.load[t] + 1 <= ctx.deliverable[t]]
        if not room:
            return None
        by_id = ctx.problem.therapist_by_id
        weights = [
            1 / (1 + ctx.travel_minutes(by_id[t].base_site_id, draft.site_ids[0]) / 15) ** 2
            for t in room
        ]
        chosen = rng.choices(room, weights)[0]
        ctx.load[chosen] += 1
        return chosen

    def referral(
        self, idx: int, demand: _Demand, site_ids: tuple[str, ...], impossible: int | None
    ) -> Referral:
        rng, p = self.rng, self.ctx.problem
        rid = f"R{idx + 1:04d}"
        if impossible is not None:
            return self.impossible(rid, demand, site_ids, impossible)
        draft, able = self.placeable(demand, site_ids)
        kind = p.site_by_id[draft.site_ids[0]].kind
        client = rng.choice(_GROUP_NAMES[kind]) if draft.group_size > 1 else _initials(rng)
        current = self.current_therapist(draft, able)
        preferred = rng.choice(_PREFERRED_PATTERNS) if rng.random() < 0.15 else None
        return Referral(
            referral_id=rid,
            client=client,
            site_ids=draft.site_ids,
            discipline=draft.discipline,
            minutes=draft.minutes,
            group_size=draft.group_size,
            therapists_needed=draft.therapists_needed,
            priority=rng.choices(range(1, 6), _PRIORITY_WEIGHTS)[0],
            needs_features=draft.needs_features,
            needs_skills=draft.needs_skills,
            current_therapist_id=current,
            available=Availability.model_validate(draft.available) if draft.available else None,
            preferred=Availability.model_validate(preferred) if preferred else None,
            funding=_weighted(rng, _FUNDING[kind]),
        )

    def impossible(
        self, rid: str, demand: _Demand, site_ids: tuple[str, ...], reason: int
    ) -> Referral:
        """A referral no one can place, for a reason the Problem's warnings name: a skill no
        therapist has, a room feature no room has, or a group too big for every room."""
        rng, p = self.rng, self.ctx.problem
        kind = p.site_by_id[site_ids[0]].kind
        skills: tuple[str, ...] = (MISSING_SKILL,) if reason == 0 else ()
        features: tuple[str, ...] = (MISSING_FEATURE,) if reason == 1 else ()
        group_size = 12 if reason == 2 else 1
        return Referral(
            referral_id=rid,
            client=rng.choice(_GROUP_NAMES[kind]) if group_size > 1 else _initials(rng),
            site_ids=site_ids,
            discipline=demand.discipline,
            minutes=45 if group_size > 1 else 30,
            group_size=group_size,
            therapists_needed=demand.therapists_needed,
            priority=2,
            needs_features=features,
            needs_skills=skills,
            funding=_weighted(rng, _FUNDING[kind]),
        )


def _make_referrals(
    rng: random.Random, ctx: _Context, demands: Sequence[_Demand]
) -> list[Referral]:
    """Every non-clinic site gets at least one referral; the rest go mostly to sites near the
    therapists of their discipline; about 1% are deliberately impossible."""
    maker = _ReferralMaker(rng, ctx)
    n = len(demands)
    first_sites: dict[int, tuple[str, ...]] = {}
    spots = rng.sample(range(n), min(n, len(maker.others)))
    for spot, site in zip(spots, maker.others, strict=False):
        first_sites[spot] = (site.site_id,)
    num_impossible = round(n * 0.01)
    impossible = {idx: k % 3 for k, idx in enumerate(sorted(rng.sample(range(n), num_impossible)))}
    out: list[Referral] = []
    for idx, demand in enumerate(demands):
        site_ids = first_sites.get(idx) or maker.pick_sites(demand.discipline)
        out.append(maker.referral(idx, demand, site_ids, impossible.get(idx)))
    return out
