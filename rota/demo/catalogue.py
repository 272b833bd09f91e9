"""What the demo service draws from: names, skills, room kinds, funding, session lengths."""

from __future__ import annotations

from dataclasses import dataclass

from rota.models import (
    DAYS,
)

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


NAME_STARTS = (
    "Oak", "Ash", "Elm", "Beech", "Willow", "Hazel", "Holly", "Rowan", "Alder", "Birch",
    "Cherry", "Maple", "Lark", "Wren", "Heron", "Kestrel", "Swallow", "Fox", "Otter", "Mill",
    "Brook", "River", "Spring", "Meadow", "Orchard", "Windmill", "Bramble", "Clover", "Primrose",
    "Kingfisher",
)  # fmt: skip
NAME_ENDS = (
    "field", "brook", "side", "wood", "bank", "hill", "croft", "mead", "lea", "gate", "way",
    "dale",
)  # fmt: skip
SCHOOL_SUFFIXES = (
    ("Primary School", 5), ("Academy", 3), ("Community Primary School", 2),
    ("Infant School", 1), ("Junior School", 1), ("CofE Primary School", 2),
    ("Village College", 1.5),
)  # fmt: skip
SPECIAL_SUFFIXES = (("Special School", 3), ("School", 2), ("Academy", 1))
UNIT_SUFFIXES = (("Learning Centre", 2), ("Pupil Referral Unit", 1), ("Resource Base", 2))

FIRST_NAMES = (
    "Alex", "Sam", "Jo", "Robin", "Chris", "Jamie", "Morgan", "Charlie", "Frankie", "Kit",
    "Lee", "Ash", "Drew", "Jules", "Nico", "Pat", "Sasha", "Toni", "Viv", "Remy", "Bea", "Ola",
)  # fmt: skip
# Musical and theatrical terms as surnames keep the staff obviously fictional.
SURNAMES = (
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
SKILL_CHANCE: dict[str, dict[str, float]] = {
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

CONTACT_ROLES: dict[str, tuple[str, ...]] = {
    "school": ("SENCo", "SENCo", "Inclusion lead", "Deputy head", "Pastoral lead"),
    "special_school": ("Head of therapies", "Deputy head", "SENCo"),
    "unit": ("Unit manager", "Lead teacher"),
    "childrens_centre": ("Centre manager", "Family worker"),
    "clinic": ("Clinic administrator",),
}


@dataclass(frozen=True)
class RoomKind:
    name: str
    code: str
    capacity: tuple[int, int]
    features: dict[str, float]


ROOMS: dict[str, tuple[RoomKind, ...]] = {
    "school": (
        RoomKind(
            "Music room",
            "MUS",
            (4, 8),
            {"piano": 0.6, "keyboard": 0.5, "percussion": 0.8, "guitar": 0.4, "soundproof": 0.15},
        ),
        RoomKind("Small hall", "HALL", (6, 8), {"piano": 0.5, "drama_space": 0.7, "props": 0.2}),
        RoomKind("Library", "LIB", (2, 6), {}),
        RoomKind("Nurture room", "NUR", (2, 6), {"props": 0.3, "percussion": 0.25}),
        RoomKind("Quiet room", "QUIET", (1, 3), {"keyboard": 0.2}),
        RoomKind(
            "Group room", "GRP", (3, 8), {"percussion": 0.3, "props": 0.3, "drama_space": 0.2}
        ),
    ),
    "special_school": (
        RoomKind(
            "Sensory room", "SENS", (1, 4), {"percussion": 0.5, "mirrors": 0.3, "soundproof": 0.2}
        ),
        RoomKind(
            "Music room",
            "MUS",
            (3, 8),
            {"piano": 0.7, "keyboard": 0.6, "percussion": 0.9, "guitar": 0.5, "soundproof": 0.3},
        ),
        RoomKind("Soft play room", "SOFT", (2, 6), {"mirrors": 0.4, "props": 0.3}),
        RoomKind(
            "Therapy room", "THER", (1, 4), {"percussion": 0.5, "keyboard": 0.3, "props": 0.4}
        ),
        RoomKind(
            "Drama studio", "DRAMA", (4, 8), {"drama_space": 0.95, "mirrors": 0.5, "props": 0.6}
        ),
    ),
    "unit": (
        RoomKind("Quiet room", "QUIET", (1, 3), {"keyboard": 0.3}),
        RoomKind("Group room", "GRP", (3, 8), {"percussion": 0.4, "drama_space": 0.4}),
        RoomKind("Therapy room", "THER", (1, 4), {"percussion": 0.5, "props": 0.4}),
    ),
    "childrens_centre": (
        RoomKind("Family room", "FAM", (4, 8), {"percussion": 0.4, "props": 0.4}),
        RoomKind(
            "Play room", "PLAY", (3, 8), {"percussion": 0.5, "mirrors": 0.2, "drama_space": 0.3}
        ),
        RoomKind("Consulting room", "CONS", (1, 3), {}),
    ),
}
ROOM_COUNT: dict[str, tuple[tuple[int, ...], tuple[float, ...]]] = {
    "school": ((1, 2, 3), (0.4, 0.4, 0.2)),
    "special_school": ((2, 3, 4), (0.35, 0.4, 0.25)),
    "unit": ((1, 2), (0.5, 0.5)),
    "childrens_centre": ((1, 2), (0.5, 0.5)),
}
# The two clinics' rooms: (name, code, capacity, features).
CLINIC_ROOMS: tuple[tuple[str, str, int, str], ...] = (
    ("Music room 1", "MUS1", 6, "piano, keyboard, percussion, guitar, soundproof"),
    ("Music room 2", "MUS2", 3, "keyboard, percussion, guitar, soundproof"),
    ("Drama studio", "DRAMA", 8, "drama_space, mirrors, props"),
    ("Therapy room", "THER", 4, "percussion, props"),
)

FUNDING: dict[str, tuple[tuple[str, float], ...]] = {
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

GROUP_NAMES: dict[str, tuple[str, ...]] = {
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
INITIALS = "ABCDEFGHIJKLMNOPRSTWY"

PRIORITY_WEIGHTS = (8, 30, 35, 17, 10)
MINUTES = (30, 35, 40, 45)
MINUTES_WEIGHTS = (30, 15, 25, 30)


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
