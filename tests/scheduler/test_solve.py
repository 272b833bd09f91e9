"""One small service per hard rule, built so that dropping the rule would change the answer."""

from __future__ import annotations

from rota.models import PreviousSession
from rota.scheduler import SolveParams
from rota.scheduler.solve import solve
from tests.scheduler.helpers import placed, reasons, service, solved


def test_travel_between_sites_keeps_sessions_apart() -> None:
    # Without travel, R1 at A then R2 at B could run back to back (gap = admin only).
    p = service(
        [
            {"referral_id": "R1", "site_ids": "A", "available": "Mon 09:00-09:30"},
            {"referral_id": "R2", "site_ids": "B", "available": "Mon 09:40-12:00"},
        ]
    )
    s = placed(solved(p))
    assert set(s) == {"R1", "R2"}
    assert s["R2"].start >= s["R1"].end + 10 + 25


def test_travel_that_cannot_fit_in_the_day_leaves_one_out() -> None:
    # T1 works 09:00-10:30 from base A; B is 25 minutes away. Without travel both would fit.
    p = service(
        [
            {"referral_id": "R1", "site_ids": "A"},
            {"referral_id": "R2", "site_ids": "B", "priority": 1},
        ],
        therapists=[
            {
                "therapist_id": "T1",
                "disciplines": "music",
                "base_site_id": "A",
                "works": "Mon 09:00-10:30",
            }
        ],
    )
    r = solved(p)
    assert set(placed(r)) == {"R2"}
    assert "R1" in reasons(r)


def test_room_without_needed_feature_is_never_used() -> None:
    p = service(
        [{"referral_id": "R1", "needs_features": "piano", "preferred": "Mon 09:00-10:00"}],
        rooms=[
            {"room_id": "A1", "site_id": "A", "capacity": 6},
            {
                "room_id": "A2",
                "site_id": "A",
                "capacity": 6,
                "features": "Piano",
                "available": "Mon 13:00-15:00",
            },
        ],
    )
    s = placed(solved(p))
    assert s["R1"].room_id == "A2"
    assert s["R1"].start >= 13 * 60


def test_session_and_admin_stay_inside_working_hours() -> None:
    # Works 08:30-12:30; the client is free 12:00-14:00: 12:00-12:30 plus admin ends 12:40.
    p = service(
        [{"referral_id": "R1", "available": "Mon 12:00-14:00"}],
        therapists=[
            {
                "therapist_id": "T1",
                "disciplines": "music",
                "base_site_id": "A",
                "works": "Mon 08:30-12:30",
            }
        ],
    )
    r = solved(p)
    assert placed(r) == {}
    assert reasons(r)["R1"].startswith("no music therapist works at the times a suitable room")


def test_room_holds_one_session_at_a_time() -> None:
    p = service(
        [
            {"referral_id": "R1", "available": "Mon 09:00-09:45"},
            {"referral_id": "R2", "available": "Mon 09:00-09:45"},
        ],
        therapists=[
            {"therapist_id": f"T{i}", "disciplines": "music", "base_site_id": "A", "works": "Mon"}
            for i in (1, 2)
        ],
        rooms=[{"room_id": "A1", "site_id": "A", "capacity": 6}],
    )
    assert len(solved(p).rota.sessions) == 1


def test_admin_time_follows_every_session() -> None:
    refs = [
        {"referral_id": "R1", "available": "Mon 09:00-10:20"},
        {"referral_id": "R2", "available": "Mon 09:00-10:20"},
    ]
    works = [
        {
            "therapist_id": "T1",
            "disciplines": "music",
            "base_site_id": "A",
            "works": "Mon 09:00-10:20",
        }
    ]
    assert len(solved(service(refs, therapists=works)).rota.sessions) == 2
    tighter = service(refs, therapists=works, settings={"admin_minutes": 15})
    assert len(solved(tighter).rota.sessions) == 1


def test_lunch_needs_thirty_minutes_inside_the_window() -> None:
    # Three 35-minute sessions fit 11:30-14:00 only with no lunch.
    refs = [
        {"referral_id": f"R{i}", "minutes": 35, "available": "Mon 11:30-14:00"} for i in (1, 2, 3)
    ]
    assert len(solved(service(refs, settings={"lunch_minutes": 0})).rota.sessions) == 3
    r = solved(service(refs))
    assert len(r.rota.sessions) == 2


def test_limits_per_day_and_per_week() -> None:
    refs = [{"referral_id": f"R{i}"} for i in range(1, 5)]
    t = {"therapist_id": "T1", "disciplines": "music", "base_site_id": "A", "works": "Mon-Tue"}
    per_day = service(refs, therapists=[{**t, "max_sessions_per_day": 1}])
    assert len(solved(per_day).rota.sessions) == 2
    per_week = service(refs, therapists=[{**t, "max_contact_minutes": 90}])
    assert len(solved(per_week).rota.sessions) == 3


def test_no_session_outside_service_days() -> None:
    p = service(
        [{"referral_id": "R1", "available": "Sat 09:00-12:00"}],
        therapists=[
            {"therapist_id": "T1", "disciplines": "music", "base_site_id": "A", "works": "Mon-Sun"}
        ],
        sites=[
            {
                "site_id": "A",
                "name": "Site A",
                "latitude": 52.2,
                "longitude": 0.12,
                "hours": "Mon-Sun 08:30-17:00",
            },
            {"site_id": "B", "name": "Site B", "latitude": 52.3, "longitude": 0.1},
        ],
    )
    r = solved(p)
    assert placed(r) == {}
    weekend = p.model_copy(
        update={
            "settings": p.settings.model_copy(
                update={"days": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat")}
            )
        }
    )
    assert placed(solved(weekend))["R1"].day == "Sat"


def test_skills_and_discipline_decide_the_therapist() -> None:
    p = service(
        [
            {"referral_id": "R1", "needs_skills": "VIG", "current_therapist_id": "T1"},
            {"referral_id": "R2", "discipline": "drama"},
        ],
        therapists=[
            {"therapist_id": "T1", "disciplines": "music", "base_site_id": "A", "works": "Mon"},
            {
                "therapist_id": "T2",
                "disciplines": "music, drama",
                "base_site_id": "B",
                "works": "Mon",
                "skills": "vig",
            },
        ],
    )
    s = placed(solved(p))
    assert s["R1"].therapist_ids == ("T2",)
    assert s["R2"].therapist_ids == ("T2",)


def test_room_capacity_counts_clients() -> None:
    p = service(
        [{"referral_id": "R1", "group_size": 4, "preferred": "Mon 09:00-10:00"}],
        rooms=[
            {"room_id": "A1", "site_id": "A", "capacity": 2},
            {"room_id": "A2", "site_id": "A", "capacity": 4, "available": "Mon 14:00-16:00"},
        ],
    )
    assert placed(solved(p))["R1"].room_id == "A2"


def test_site_blocked_times_are_respected() -> None:
    p = service(
        [{"referral_id": "R1", "available": "Mon 11:50-13:30", "preferred": "Mon 12:00-12:30"}],
        sites=[
            {
                "site_id": "A",
                "name": "Site A",
                "latitude": 52.2,
                "longitude": 0.12,
                "hours": "Mon-Fri 08:30-17:00",
                "blocked": "Mon 12:00-12:45",
            },
            {"site_id": "B", "name": "Site B", "latitude": 52.3, "longitude": 0.1},
        ],
    )
    s = placed(solved(p))["R1"]
    assert s.start >= 12 * 60 + 45


def test_co_facilitated_group_gets_two_therapists() -> None:
    p = service(
        [{"referral_id": "R1", "therapists_needed": 2, "group_size": 5}],
        therapists=[
            {"therapist_id": f"T{i}", "disciplines": "music", "base_site_id": "A", "works": "Mon"}
            for i in (1, 2, 3)
        ],
    )
    assert len(set(placed(solved(p))["R1"].therapist_ids)) == 2


def test_more_urgent_referral_wins_a_contested_slot() -> None:
    p = service(
        [
            {"referral_id": "R1", "priority": 4, "available": "Mon 09:00-09:30"},
            {"referral_id": "R2", "priority": 1, "available": "Mon 09:00-09:30"},
        ]
    )
    r = solved(p)
    assert set(placed(r)) == {"R2"}
    assert "higher priority" in reasons(r)["R1"] and "R2" in reasons(r)["R1"]


def test_continuity_keeps_the_current_therapist() -> None:
    p = service(
        [{"referral_id": "R1", "current_therapist_id": "T2"}],
        therapists=[
            {"therapist_id": f"T{i}", "disciplines": "music", "base_site_id": "A", "works": "Mon"}
            for i in (1, 2)
        ],
    )
    r = solved(p)
    assert placed(r)["R1"].therapist_ids == ("T2",)
    assert r.kpis is not None and r.kpis.continuity_kept == 1


def test_specific_reasons_for_impossible_referrals() -> None:
    p = service(
        [
            {"referral_id": "R1", "discipline": "dance"},
            {"referral_id": "R2", "needs_features": "piano"},
            {"referral_id": "R3", "available": "Tue 09:00-12:00"},
        ]
    )
    why = reasons(solved(p))
    assert why["R1"] == "no dance therapist works for the service"
    assert "no room at Site A has piano" in why["R2"]
    assert why["R3"].startswith("no music therapist works on Tue, the only day")


def test_pinned_sessions_stay_and_own_rota_as_previous_changes_nothing() -> None:
    refs = [{"referral_id": f"R{i}", "site_ids": "A|B"} for i in range(1, 6)]
    base = service(
        refs,
        therapists=[
            {"therapist_id": "T1", "disciplines": "music", "base_site_id": "A", "works": "Mon-Tue"}
        ],
    )
    pin = PreviousSession(
        referral_id="R3", therapist_id="T1", day="Tue", start=14 * 60, room_id="B1", pinned=True
    )
    first = solved(base.model_copy(update={"previous": (pin,)}))
    s3 = placed(first)["R3"]
    assert (s3.day, s3.start, s3.room_id) == ("Tue", 14 * 60, "B1")
    previous = tuple(
        PreviousSession(
            referral_id=s.referral_id, therapist_id=t, day=s.day, start=s.start, room_id=s.room_id
        )
        for s in first.rota.sessions
        for t in s.therapist_ids
    )
    again = solved(base.model_copy(update={"previous": previous}))
    assert again.rota.sessions == first.rota.sessions


def test_same_input_seed_and_workers_give_the_same_rota(two_therapists_service) -> None:  # type: ignore[no-untyped-def]
    # Repeatable (work, not the clock, ends each phase): a run on the clock anneals by the
    # time elapsed, so two runs may end on different rotas of the same cost.
    params = SolveParams(time_limit=30, workers=1, seed=3, deterministic_time=30)
    a = solve(two_therapists_service, params)
    b = solve(two_therapists_service, params)
    assert a.violations == () and a.rota == b.rota and a.objective == b.objective


def test_a_stopped_solve_still_returns_a_checked_rota(two_therapists_service) -> None:  # type: ignore[no-untyped-def]
    r = solved(two_therapists_service, deterministic_time=0.0001)
    assert len(r.rota.sessions) >= 1


def test_repeatable_lns_gives_the_same_rota_twice() -> None:
    refs = [
        {"referral_id": f"R{i}", "site_ids": "A|B", "priority": 1 + i % 5} for i in range(1, 12)
    ]
    p = service(
        refs,
        therapists=[
            {
                "therapist_id": f"T{i}",
                "disciplines": "music",
                "base_site_id": "AB"[i % 2],
                "works": "Mon-Tue",
            }
            for i in (1, 2, 3)
        ],
    )
    params = SolveParams(
        time_limit=2, workers=2, seed=5, strategy="lns", deterministic_time=2, lns_seconds=0.5
    )
    a, b = solve(p, params), solve(p, params)
    assert a.violations == () and a.rota == b.rota


def test_nearest_therapists_keeps_the_current_one_and_enough_to_place() -> None:
    from rota.scheduler.candidates import build_candidates

    refs = [{"referral_id": "R1", "site_ids": "B", "current_therapist_id": "T9"}]
    therapists = [
        {"therapist_id": f"T{i}", "disciplines": "music", "base_site_id": "B", "works": "Mon"}
        for i in (1, 2, 3)
    ] + [{"therapist_id": "T9", "disciplines": "music", "base_site_id": "A", "works": "Mon"}]
    p = service(refs, therapists=therapists)
    every = build_candidates(p)["R1"]
    near = build_candidates(p, nearest=2)["R1"]
    assert {o.therapist_id for o in every.options} == {"T1", "T2", "T3", "T9"}
    # The two nearest (ties broken by id) and the current therapist, however far.
    assert {o.therapist_id for o in near.options} == {"T1", "T2", "T9"}
