"""The demo service generator: deterministic, the right size, realistic and placeable.

The sizes, validity and realism tests here are generator 1's (``demo`` pins it, so they keep
describing the services older benchmarks ran on); generator 2's own are in
test_generator_v2.py. The determinism tests use the default, generator 2."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from functools import cache

import pytest

from rota.demo import generate_problem
from rota.models import Problem, haversine_km
from rota.scheduler.candidates import build_candidates

# Cambridgeshire (county council area plus the Peterborough edge) and the wider region.
COUNTY_BOX = (52.0, 52.75, -0.45, 0.40)
REGION_BOX = (51.95, 52.85, -0.55, 0.80)


@cache
def demo(size: str, seed: int = 1, **options: object) -> Problem:
    """Generator 1's service, generated once per argument set: the tests only read it."""
    return generate_problem(size, seed, version=1, **options)  # type: ignore[arg-type]


def flagged_referrals(problem: Problem) -> set[str]:
    """Referrals the Problem's own warnings say cannot be placed."""
    return {
        w.record
        for w in problem.warnings
        if w.sheet == "Referrals" and "cannot be placed" in w.message
    }


def unplaceable(problem: Problem) -> set[str]:
    """Referrals with no placement even in an empty rota, by the scheduler's own rules (the
    candidates: discipline, skills, rooms, windows, working ranges with admin, travel from and
    back to the base)."""
    return {rid for rid, c in build_candidates(problem).items() if not c.feasible}


def overall_ratio(problem: Problem) -> float:
    """Weekly session minutes over therapists' working minutes, each therapist counted once."""
    demand = sum(r.minutes * r.therapists_needed for r in problem.referrals)
    capacity = 0
    for t in problem.therapists:
        mins = sum(
            e - s for rr in problem.therapist_windows(t.therapist_id).values() for s, e in rr
        )
        capacity += mins if t.max_contact_minutes is None else min(mins, t.max_contact_minutes)
    return demand / capacity


# ------------------------------------------------------------------------ determinism
def test_same_arguments_give_an_equal_problem() -> None:
    for size, options in (
        ("small", {}),
        ("small", {"sparse": True, "demand": 1.2}),
        ("small", {"version": 1}),
    ):
        first = generate_problem(size, 7, **options)  # type: ignore[arg-type]
        second = generate_problem(size, 7, **options)  # type: ignore[arg-type]
        assert first == second
        assert first.model_dump() == second.model_dump()


def test_same_service_in_another_process_with_another_hash_seed() -> None:
    # Set and dict ordering of strings changes with PYTHONHASHSEED; the service must not.
    code = (
        "import hashlib, sys; from rota.demo import generate_problem; "
        "p = generate_problem('small', 5, sparse=True); "
        "sys.stdout.write(hashlib.sha256(p.model_dump_json().encode()).hexdigest())"
    )
    here = generate_problem("small", 5, sparse=True).model_dump_json().encode()
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout == hashlib.sha256(here).hexdigest()


def test_different_seeds_give_different_services() -> None:
    a, b = demo("small", 1), demo("small", 2)
    assert a != b
    assert [s.site_id for s in a.sites] != [s.site_id for s in b.sites]
    assert [r.site_ids for r in a.referrals] != [r.site_ids for r in b.referrals]


def test_unknown_size_and_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown demo size 'huge'"):
        generate_problem("huge", 1)
    with pytest.raises(ValueError, match="referrals"):
        generate_problem("small", 1, referrals=0)
    with pytest.raises(ValueError, match="demand"):
        generate_problem("small", 1, demand=-1.0)
    with pytest.raises(ValueError, match="unknown generator version 3"):
        generate_problem("small", 1, version=3)


# ------------------------------------------------------------------------------ sizes
@pytest.mark.parametrize(
    ("size", "therapists", "sites", "referrals"),
    [
        ("small", (6, 12), (15, 15), (80, 80)),
        ("county", (32, 48), (120, 120), (600, 600)),
        ("region", (95, 140), (300, 300), (1800, 1800)),
    ],
)
def test_sizes(
    size: str, therapists: tuple[int, int], sites: tuple[int, int], referrals: tuple[int, int]
) -> None:
    p = demo(size)
    assert therapists[0] <= len(p.therapists) <= therapists[1]
    assert sites[0] <= len(p.sites) <= sites[1]
    assert referrals[0] <= len(p.referrals) <= referrals[1]
    assert len(p.sites) * 1.5 <= len(p.rooms) <= len(p.sites) * 3.5


def test_referrals_option_scales_sites_and_therapists() -> None:
    base, double = demo("county"), demo("county", 1, referrals=1200)
    assert len(double.referrals) == 1200
    assert len(double.sites) == 240
    assert 1.6 <= len(double.therapists) / len(base.therapists) <= 2.4
    tiny = demo("small", 1, referrals=100)
    assert len(tiny.referrals) == 100


# --------------------------------------------------------------------------- validity
@pytest.mark.parametrize(
    "options",
    [{}, {"sparse": True}, {"demand": 1.2}],
    ids=["normal", "sparse", "tight"],
)
def test_every_referral_can_be_placed_alone_except_the_flagged_few(
    options: dict[str, object],
) -> None:
    p = demo("county", 1, **options)
    flagged = flagged_referrals(p)
    # Every warning is one of the deliberate ones: about 1% of referrals, each said to be
    # impossible by the Problem itself.
    assert {w.record for w in p.warnings} == flagged
    assert 1 <= len(flagged) <= 0.02 * len(p.referrals)
    assert unplaceable(p) == flagged


def test_small_and_region_referrals_are_placeable_too() -> None:
    for p in (demo("small"), demo("region")):
        flagged = flagged_referrals(p)
        assert len(flagged) <= 0.02 * len(p.referrals)
        assert {w.record for w in p.warnings} == flagged
        assert unplaceable(p) == flagged


def test_current_therapist_offers_the_discipline_and_skills() -> None:
    p = demo("county")
    with_current = [r for r in p.referrals if r.current_therapist_id]
    assert 0.35 <= len(with_current) / len(p.referrals) <= 0.65
    for r in with_current:
        t = p.therapist_by_id[r.current_therapist_id or ""]
        assert r.discipline in t.disciplines
        assert set(r.needs_skills) <= set(t.skills)


# ---------------------------------------------------------------------------- realism
def test_site_ids_are_unique_and_readable_and_places_are_real() -> None:
    for size, box in (("county", COUNTY_BOX), ("region", REGION_BOX)):
        p = demo(size)
        ids = [s.site_id for s in p.sites]
        assert len(ids) == len(set(ids))
        assert {"HUN", "CAM"} <= set(ids)
        for s in p.sites:
            assert re.fullmatch(r"[A-Z]{2,5}(-[A-Z]+)?(-\d+)?", s.site_id), s.site_id
            lat_lo, lat_hi, lon_lo, lon_hi = box
            assert lat_lo <= s.latitude <= lat_hi and lon_lo <= s.longitude <= lon_hi, s
    county_towns = {s.town for s in demo("county").sites}
    region_towns = {s.town for s in demo("region").sites}
    assert "Peterborough" not in county_towns
    assert {"Peterborough", "Bedford"} <= region_towns
    # A small service is compact: every site within about 25 km of a clinic.
    small = demo("small")
    clinics = [small.site_by_id["HUN"], small.site_by_id["CAM"]]
    for s in small.sites:
        km = min(haversine_km(s.latitude, s.longitude, c.latitude, c.longitude) for c in clinics)
        assert km <= 28, s.site_id
    by_town = {t: sum(s.town == t for s in demo("county").sites) for t in county_towns}
    assert max(by_town, key=lambda t: by_town[t]) == "Cambridge"


def test_clinics_have_a_soundproof_piano_room_and_long_hours() -> None:
    p = demo("small")
    for clinic in ("HUN", "CAM"):
        assert p.site_by_id[clinic].kind == "clinic"
        rooms = p.rooms_by_site[clinic]
        assert any({"piano", "soundproof"} <= set(r.features) for r in rooms)
        assert p.site_hours(clinic)["Mon"] == ((8 * 60 + 30, 17 * 60),)
    kinds = {s.kind for s in demo("county").sites}
    assert kinds == {"clinic", "school", "special_school", "unit", "childrens_centre"}


def test_sparse_rooms_are_free_one_or_two_half_days() -> None:
    p = demo("county", 1, sparse=True)
    for room in p.rooms:
        windows = p.room_windows(room.room_id)
        # An assembly can split a half-day in two, so count (day, morning or afternoon).
        halves = {(day, s < 12 * 60) for day, ranges in windows.items() for s, _ in ranges}
        assert 1 <= len(halves) <= 2, room.room_id
        assert all(e - s <= 5 * 60 for day in windows.values() for s, e in day), room.room_id
    normal = demo("county")
    blank = sum(r.available is None for r in normal.rooms)
    assert 0.3 <= blank / len(normal.rooms) <= 0.7


def test_referral_mix_is_realistic() -> None:
    p = demo("county")
    refs = p.referrals
    n = len(refs)
    share = {
        "group": sum(r.group_size > 1 for r in refs) / n,
        "co-facilitated": sum(r.therapists_needed == 2 for r in refs) / n,
        "feature": sum(bool(r.needs_features) for r in refs) / n,
        "skill": sum(bool(r.needs_skills) for r in refs) / n,
        "music": sum(r.discipline == "music" for r in refs) / n,
        "clinic": sum(r.site_ids[0] in ("HUN", "CAM") for r in refs) / n,
    }
    assert 0.12 <= share["group"] <= 0.3, share
    assert 0.01 <= share["co-facilitated"] <= 0.08, share
    assert 0.18 <= share["feature"] <= 0.4, share
    assert 0.05 <= share["skill"] <= 0.18, share
    assert 0.6 <= share["music"] <= 0.8, share
    assert 0.02 <= share["clinic"] <= 0.15, share
    assert any(r.site_ids == ("HUN", "CAM") for r in refs)
    assert {r.minutes for r in refs} == {30, 35, 40, 45}
    assert sum(r.priority in (2, 3) for r in refs) / n >= 0.5
    for r in refs:
        # Children are never named: initials or a group's name only.
        assert re.fullmatch(r"[A-Z]\.[A-Z]\.", r.client) or r.client.endswith("group"), r.client
        assert (r.group_size > 1) == r.client.endswith("group") or r.group_size > 8


def test_therapists_mix_disciplines_hours_and_bases() -> None:
    p = demo("county")
    n = len(p.therapists)
    music = sum("music" in t.disciplines for t in p.therapists) / n
    drama = sum("drama" in t.disciplines for t in p.therapists) / n
    assert 0.55 <= music <= 0.85 and 0.15 <= drama <= 0.45
    assert any("dance" in t.disciplines for t in p.therapists)
    days = [len(p.therapist_windows(t.therapist_id)) for t in p.therapists]
    assert 5 in days and any(d <= 3 for d in days)
    bases = {t.base_site_id for t in p.therapists}
    assert {"HUN", "CAM"} <= bases and len(bases) > 2
    assert [t.therapist_id for t in p.therapists][:2] == ["T001", "T002"]


def test_term_rates_and_closures() -> None:
    p = demo("small")
    s = p.settings
    assert s.term_start is not None and s.term_end is not None
    assert s.service_name == "Cambridgeshire Music Therapy Service (demo)"
    in_term = [r for r in p.rates if s.term_start < r.effective_from <= s.term_end]
    assert len(in_term) == 1 and len(p.rates) >= 3
    assert any(c.site_id is None and c.date_to > c.date_from for c in p.closures)
    assert any(c.site_id is not None for c in p.closures)
    assert all(s.term_start <= c.date_from <= c.date_to <= s.term_end for c in p.closures)
    assert p.previous == ()


# ----------------------------------------------------------------------------- demand
def test_demand_is_close_to_what_the_therapists_can_deliver() -> None:
    # About 5 sessions of about 38 minutes in an 8.5-hour day is 0.37 of working minutes;
    # demand at about 90% of that is about 0.33.
    for size, low, high in (("small", 0.25, 0.40), ("county", 0.30, 0.37), ("region", 0.30, 0.38)):
        assert low <= overall_ratio(demo(size)) <= high, size
    tight = overall_ratio(demo("county", 1, demand=1.2))
    assert 1.2 <= tight / overall_ratio(demo("county")) <= 1.5
