"""Small hand-made services shared by the tests.

Each service exists both as a plain function (``make_tiny_service()``, importable from
``tests.conftest`` when a test needs a variant via ``model_copy``) and as a pytest fixture of
the same name without ``make_``. Clients are referral ids and initials only.

Times are minutes after midnight; the default Settings apply (Mon-Fri, 5-minute slots,
10 minutes admin, 30 minutes lunch inside 11:30-14:00) unless a service says otherwise.
"""

from __future__ import annotations

import pytest

from rota.models import (
    Problem,
    Referral,
    Room,
    Settings,
    Site,
    Therapist,
    TravelOverride,
)

# Real places, so that an estimate (no override) still gives sensible minutes.
CAMBRIDGE = (52.2053, 0.1218)
HUNTINGDON = (52.3313, -0.1827)
ST_IVES = (52.3226, -0.0739)
ELY = (52.3995, 0.2624)


def make_tiny_service() -> Problem:
    """One clinic (CAM) with two rooms, one music therapist based there, three referrals.

    CAM-MUS: capacity 6, piano and percussion; CAM-DRA: capacity 8, no features.
    T1: music, skills attachment, works Mon-Fri 09:00-17:00.
    R1: 30 min; R2: 45 min, needs a piano; R3: a group of 4, 30 min.
    """
    return Problem(
        settings=Settings(term_name="Spring test"),
        sites=(
            Site(
                site_id="CAM",
                name="Cambridge clinic",
                kind="clinic",
                latitude=CAMBRIDGE[0],
                longitude=CAMBRIDGE[1],
                hours="Mon-Fri 08:30-17:00",
            ),
        ),
        rooms=(
            Room(
                room_id="CAM-MUS",
                site_id="CAM",
                name="Music room",
                capacity=6,
                features="piano, percussion",
            ),
            Room(room_id="CAM-DRA", site_id="CAM", name="Drama studio", capacity=8),
        ),
        therapists=(
            Therapist(
                therapist_id="T1",
                name="Therapist One",
                disciplines="music",
                base_site_id="CAM",
                works="Mon-Fri 09:00-17:00",
                skills="attachment",
            ),
        ),
        referrals=(
            Referral(referral_id="R1", client="AB", site_ids="CAM", discipline="music", minutes=30),
            Referral(
                referral_id="R2",
                client="CD",
                site_ids="CAM",
                discipline="music",
                minutes=45,
                needs_features="piano",
            ),
            Referral(
                referral_id="R3",
                client="Y5 group",
                site_ids="CAM",
                discipline="music",
                minutes=30,
                group_size=4,
            ),
        ),
    )


def make_two_sites_one_therapist() -> Problem:
    """A clinic (HUN, the base) and a school (STI) 20 minutes apart by a measured override.

    HUN-1: capacity 6, piano; STI-1: capacity 2, school hours 08:45-15:15 (the default).
    T1: music, works Mon-Fri 09:00-17:00, based at HUN.
    R1 at STI (30 min), R2 at HUN (45 min), R3 at STI or HUN (30 min).
    """
    return Problem(
        sites=(
            Site(
                site_id="HUN",
                name="Huntingdon clinic",
                kind="clinic",
                latitude=HUNTINGDON[0],
                longitude=HUNTINGDON[1],
                hours="Mon-Fri 08:30-17:00",
            ),
            Site(
                site_id="STI",
                name="St Ives primary",
                kind="school",
                latitude=ST_IVES[0],
                longitude=ST_IVES[1],
            ),
        ),
        rooms=(
            Room(room_id="HUN-1", site_id="HUN", capacity=6, features="piano"),
            Room(room_id="STI-1", site_id="STI", capacity=2),
        ),
        therapists=(
            Therapist(
                therapist_id="T1",
                disciplines="music",
                base_site_id="HUN",
                works="Mon-Fri 09:00-17:00",
            ),
        ),
        referrals=(
            Referral(referral_id="R1", client="EF", site_ids="STI", discipline="music", minutes=30),
            Referral(referral_id="R2", client="GH", site_ids="HUN", discipline="music", minutes=45),
            Referral(
                referral_id="R3", client="IJ", site_ids="STI|HUN", discipline="music", minutes=30
            ),
        ),
        travel=(TravelOverride(from_site_id="HUN", to_site_id="STI", minutes=20),),
    )


def make_two_therapists_service() -> Problem:
    """Two therapists, three sites with measured travel, a co-facilitated group, preferences.

    Sites: CAM (clinic), ELY (school, hours 08:45-15:15), HUN (clinic).
    Travel overrides: CAM-ELY 25, CAM-HUN 30, ELY-HUN 35 (symmetric).
    T1: music, based at CAM, works Mon-Wed 09:00-17:00 (3 x 480 minutes).
    T2: drama and music, skill 'vig', based at HUN, works Mon 09:00-12:00, 13:00-17:00 and
    Thu 09:00-13:00 (420 + 240 minutes).
    R1 music 30 at ELY, priority 1, current therapist T1, prefers Mon 09:00-11:00.
    R2 music 45 at CAM, priority 2, current therapist T2.
    R3 music group of 6 at HUN, 45 min, co-facilitated by 2 (T1 and T2 together, Mon only).
    R4 drama 30 at HUN or CAM, priority 3, needs skill vig (so T2), prefers Thu.
    R5 music 40 at ELY, priority 5.
    """
    return Problem(
        sites=(
            Site(
                site_id="CAM",
                name="Cambridge clinic",
                kind="clinic",
                latitude=CAMBRIDGE[0],
                longitude=CAMBRIDGE[1],
                hours="Mon-Fri 08:30-17:00",
            ),
            Site(
                site_id="ELY",
                name="Ely special school",
                kind="special_school",
                latitude=ELY[0],
                longitude=ELY[1],
            ),
            Site(
                site_id="HUN",
                name="Huntingdon clinic",
                kind="clinic",
                latitude=HUNTINGDON[0],
                longitude=HUNTINGDON[1],
                hours="Mon-Fri 08:30-17:00",
            ),
        ),
        rooms=(
            Room(room_id="CAM-1", site_id="CAM", capacity=4, features="piano"),
            Room(room_id="ELY-1", site_id="ELY", capacity=3, features="piano"),
            Room(room_id="HUN-1", site_id="HUN", capacity=8),
        ),
        therapists=(
            Therapist(
                therapist_id="T1",
                disciplines="music",
                base_site_id="CAM",
                works="Mon-Wed 09:00-17:00",
            ),
            Therapist(
                therapist_id="T2",
                disciplines="drama, music",
                base_site_id="HUN",
                works="Mon 09:00-12:00, 13:00-17:00; Thu 09:00-13:00",
                skills="vig",
            ),
        ),
        referrals=(
            Referral(
                referral_id="R1",
                client="KL",
                site_ids="ELY",
                discipline="music",
                minutes=30,
                priority=1,
                current_therapist_id="T1",
                preferred="Mon 09:00-11:00",
            ),
            Referral(
                referral_id="R2",
                client="MN",
                site_ids="CAM",
                discipline="music",
                minutes=45,
                priority=2,
                current_therapist_id="T2",
            ),
            Referral(
                referral_id="R3",
                client="Y9 group",
                site_ids="HUN",
                discipline="music",
                minutes=45,
                group_size=6,
                therapists_needed=2,
            ),
            Referral(
                referral_id="R4",
                client="OP",
                site_ids="HUN|CAM",
                discipline="drama",
                minutes=30,
                needs_skills="vig",
                preferred="Thu",
            ),
            Referral(
                referral_id="R5",
                client="QR",
                site_ids="ELY",
                discipline="music",
                minutes=40,
                priority=5,
            ),
        ),
        travel=(
            TravelOverride(from_site_id="CAM", to_site_id="ELY", minutes=25),
            TravelOverride(from_site_id="CAM", to_site_id="HUN", minutes=30),
            TravelOverride(from_site_id="ELY", to_site_id="HUN", minutes=35),
        ),
    )


@pytest.fixture
def tiny_service() -> Problem:
    return make_tiny_service()


@pytest.fixture
def two_sites_one_therapist() -> Problem:
    return make_two_sites_one_therapist()


@pytest.fixture
def two_therapists_service() -> Problem:
    return make_two_therapists_service()
