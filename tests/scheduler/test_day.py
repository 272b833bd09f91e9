"""The day-feasibility rules: gaps, admin, drives, one stay per site, lunch, limits, layout."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rota.evaluate.check import check
from rota.models import Problem, Rota, Session, TravelOverride
from rota.scheduler.day import START, DayRules, Visit
from tests.scheduler.helpers import service

H = 60


def rules(**settings: object) -> DayRules:
    # T1 based at A, Mon 08:30-17:00; A-B is 25 minutes; admin 10; lunch 30 in 11:30-14:00.
    return DayRules(service([], settings=dict(settings) or None))


def test_a_drive_needs_admin_plus_travel_between_sites() -> None:
    r = rules()
    a = Visit(9 * H, 9 * H + 30, "A")
    assert r.fits("T1", "Mon", [a, Visit(9 * H + 30 + 10 + 25, 10 * H + 35, "B")])
    assert not r.fits("T1", "Mon", [a, Visit(9 * H + 30 + 10 + 20, 10 * H + 30, "B")])


def test_admin_follows_each_session_at_the_same_site() -> None:
    r = rules()
    a = Visit(9 * H, 9 * H + 30, "A")
    assert r.fits("T1", "Mon", [a, Visit(9 * H + 40, 10 * H + 10, "A")])
    assert not r.fits("T1", "Mon", [a, Visit(9 * H + 35, 10 * H + 5, "A")])


def test_the_first_drive_from_base_and_the_last_home_fit_the_working_day() -> None:
    r = rules()
    assert not r.fits("T1", "Mon", [Visit(8 * H + 40, 9 * H + 10, "B")])  # 08:30 + 25 > 08:40
    assert r.fits("T1", "Mon", [Visit(8 * H + 55, 9 * H + 25, "B")])
    assert not r.fits("T1", "Mon", [Visit(16 * H, 16 * H + 30, "B")])  # 16:40 + 25 > 17:00


def test_a_site_is_visited_in_one_stay() -> None:
    r = rules(lunch_minutes=0)
    day = [
        Visit(9 * H, 9 * H + 30, "A"),
        Visit(10 * H, 10 * H + 30, "B"),
        Visit(12 * H, 12 * H + 30, "A"),
    ]
    assert not r.fits("T1", "Mon", day)


def test_lunch_fits_after_the_drive_or_before_it_but_never_during_it() -> None:
    r = rules()
    # 11:00-11:30 at A, admin to 11:40; next session 12:45 at B: 65 minutes for 25 of driving
    # and 30 of lunch.
    day = [Visit(11 * H, 11 * H + 30, "A"), Visit(12 * H + 45, 13 * H + 15, "B")]
    assert r.fits("T1", "Mon", day)
    # Only 50 minutes: drive and lunch cannot both fit, and nothing else in the day can hold
    # lunch (sessions fill the rest of the window).
    tight = [
        Visit(11 * H, 11 * H + 30, "A"),
        Visit(12 * H + 30, 13 * H, "B"),
        Visit(13 * H + 10, 13 * H + 40, "B"),
        Visit(13 * H + 50, 14 * H + 20, "B"),
    ]
    assert not r.fits("T1", "Mon", tight)


def test_the_daily_session_limit() -> None:
    problem = service([], therapists=[{"therapist_id": "T1", "disciplines": "music",
                                       "base_site_id": "A", "works": "Mon 08:30-17:00",
                                       "max_sessions_per_day": 1}])  # fmt: skip
    r = DayRules(problem)
    one = [Visit(9 * H, 9 * H + 30, "A")]
    assert r.fits("T1", "Mon", one)
    assert not r.fits("T1", "Mon", [*one, Visit(10 * H, 10 * H + 30, "A")])


def test_layout_shows_lunch_before_the_drive_when_it_is_taken_first() -> None:
    r = rules()
    day = [Visit(10 * H, 10 * H + 30, "A"), Visit(12 * H + 30, 13 * H, "B")]
    items = r.layout("T1", "Mon", day)
    kinds = [(i.kind, i.start, i.end, i.site_id) for i in items]
    assert kinds[0] == ("session", 10 * H, 10 * H + 30, "A")
    assert kinds[1] == ("admin", 10 * H + 30, 10 * H + 40, "A")
    lunch = next(i for i in items if i.kind == "lunch")
    drive = next(i for i in items if i.kind == "drive" and i.site_id == "B")
    # Lunch and the drive to B share the gap without overlapping, and the drive arrives in
    # time for the 12:30 session.
    assert lunch.end <= drive.start or drive.end <= lunch.start
    assert drive.end <= 12 * H + 30
    assert drive.from_site_id == "A" and drive.end - drive.start == 25
    # Nothing overlaps, and the day's items are in time order.
    assert all(a.end <= b.start for a, b in zip(items, items[1:], strict=False))


def test_the_quick_gap_test_agrees_with_the_gaps() -> None:
    import bisect
    import random

    r = rules(lunch_minutes=0)
    rng = random.Random(5)
    shape = r.shapes["T1"]["Mon"]
    for _ in range(500):
        day: list[Visit] = []
        for _ in range(rng.randint(0, 4)):
            start = rng.randrange(8 * H, 16 * H, 5)
            visit = Visit(start, start + 30, rng.choice("AB"))
            if all(visit.end + 10 <= v.start or v.end + 10 <= visit.start for v in day):
                bisect.insort(day, visit, key=START)
        start = rng.randrange(8 * H, 16 * H, 5)
        new = Visit(start, start + 30, rng.choice("AB"))
        if any(v.start == new.start for v in day):
            continue
        i = bisect.bisect(day, new.start, key=START)
        before = day[i - 1] if i else None
        after = day[i] if i < len(day) else None
        expected = (
            r.gap("T1", shape, before, new).slack >= 0 and r.gap("T1", shape, new, after).slack >= 0
        )
        assert r.may_insert("T1", "Mon", day, new) == expected


def arrival_rules(**therapist: object) -> DayRules:
    # As rules(), with 10 minutes to arrive anywhere and 5 at B; lunch off.
    base = {"therapist_id": "T1", "disciplines": "music", "base_site_id": "A",
            "works": "Mon 08:30-17:00"}  # fmt: skip
    problem = service(
        [], therapists=[{**base, **therapist}], settings={"arrival_minutes": 10, "lunch_minutes": 0}
    )
    sites = tuple(
        x.model_copy(update={"arrival_minutes": 5}) if x.site_id == "B" else x
        for x in problem.sites
    )
    return DayRules(problem.model_copy(update={"sites": sites}))


def test_each_arrival_at_another_site_adds_its_minutes_to_the_leg() -> None:
    r = arrival_rules()
    a = Visit(9 * H, 9 * H + 30, "A")
    # A -> B: admin 10, drive 25 and B's own 5 minutes to arrive.
    assert r.fits("T1", "Mon", [a, Visit(9 * H + 70, 10 * H + 40, "B")])
    assert not r.fits("T1", "Mon", [a, Visit(9 * H + 65, 10 * H + 35, "B")])
    # The first site after leaving the base: 08:30 + 25 + 5.
    assert r.fits("T1", "Mon", [Visit(9 * H, 9 * H + 30, "B")])
    assert not r.fits("T1", "Mon", [Visit(8 * H + 55, 9 * H + 25, "B")])
    # No arrival at the base clinic first thing (nothing was left) nor on the final return.
    assert r.fits("T1", "Mon", [Visit(8 * H + 30, 9 * H, "A")])
    assert r.fits("T1", "Mon", [Visit(16 * H, 16 * H + 25, "B")])  # 16:35 + 25 = 17:00
    # Back at the base clinic mid-day to run a session there is an arrival (10 minutes).
    b = Visit(9 * H, 9 * H + 30, "B")
    assert r.fits("T1", "Mon", [b, Visit(10 * H + 15, 10 * H + 45, "A")])
    assert not r.fits("T1", "Mon", [b, Visit(10 * H + 10, 10 * H + 40, "A")])
    assert r.session_starts("T1", "Mon", "B", 30)[0][0] == 9 * H


def test_the_layout_draws_arrival_as_part_of_the_drive() -> None:
    r = arrival_rules()
    items = r.layout("T1", "Mon", [Visit(10 * H, 10 * H + 30, "B")])
    drives = [(i.start, i.end, i.site_id) for i in items if i.kind == "drive"]
    assert drives == [(10 * H - 30, 10 * H, "B"), (10 * H + 40, 11 * H + 5, "A")]


def test_the_daily_site_limit() -> None:
    r = arrival_rules(max_sites_per_day=1)
    one = [Visit(9 * H, 9 * H + 30, "A")]
    assert r.fits("T1", "Mon", [*one, Visit(10 * H, 10 * H + 30, "A")])
    far = Visit(11 * H, 11 * H + 30, "B")
    assert r.may_insert("T1", "Mon", one, Visit(10 * H, 10 * H + 30, "A"))
    assert not r.fits("T1", "Mon", [*one, far])
    assert not r.may_insert("T1", "Mon", one, far)


def test_the_daily_driving_limit_counts_driving_only() -> None:
    # Base A -> B -> A is 50 minutes of driving (and 5 of arrival, not counted).
    assert arrival_rules(max_drive_minutes_per_day=50).fits(
        "T1", "Mon", [Visit(10 * H, 10 * H + 30, "B")]
    )
    r = arrival_rules(max_drive_minutes_per_day=49)
    assert not r.fits("T1", "Mon", [Visit(10 * H, 10 * H + 30, "B")])
    assert r.session_starts("T1", "Mon", "B", 30) == ()
    assert not r.may_insert("T1", "Mon", [], Visit(10 * H, 10 * H + 30, "B"))
    assert r.fits("T1", "Mon", [Visit(10 * H, 10 * H + 30, "A")])


# ------------------------------------------------------------------ the day rules == check
SITES = [("A", 52.2053, 0.1218), ("B", 52.3226, -0.0739), ("C", 52.3995, 0.2624)]


@st.composite
def single_therapist_days(draw: st.DrawFn, edge: bool = False) -> tuple[Problem, Rota]:
    """One therapist's Monday: random sessions at three sites (each in its own room, with no
    client or room limits), random working ranges, lunch settings, arrival minutes (service
    wide and per site) and daily limits on sessions, sites and driving. Sessions fall anywhere,
    or one after another a few minutes either side of the admin, drive and arrival between
    them (days at the rules' edges). ``edge``: only the latter, in a whole working day without
    lunch or a session limit, so that travel, arrival and the site and driving limits decide."""
    works = draw(
        st.sampled_from(
            ["Mon 08:30-17:00"]
            if edge
            else ["Mon 08:30-17:00", "Mon 08:30-12:00, 12:30-17:00", "Mon 09:00-15:00", "Tue"]
        )
    )
    therapist = {
        "therapist_id": "T1",
        "disciplines": "music",
        "base_site_id": draw(st.sampled_from("ABC")),
        "works": works,
        "max_sessions_per_day": None if edge else draw(st.sampled_from([None, 2, 4])),
        "max_sites_per_day": draw(st.sampled_from([None, None, 1, 2])),
        "max_drive_minutes_per_day": draw(st.sampled_from([None, None, 30, 45, 60, 90])),
    }
    settings = {
        "arrival_minutes": draw(st.sampled_from([0, 10])),
        "max_sites_per_day": draw(st.sampled_from([None, 2])),
        "admin_minutes": draw(st.sampled_from([0, 5, 10, 15])),
        "lunch_minutes": 0 if edge else draw(st.sampled_from([0, 30, 45])),
        "lunch_window": draw(st.sampled_from(["11:30-14:00", "12:00-13:00", "11:45-12:30"])),
    }
    minutes = draw(st.lists(st.sampled_from([0, 5, 20, 40]), min_size=3, max_size=3))
    travel = tuple(
        TravelOverride(from_site_id=a, to_site_id=b, minutes=m)
        for (a, b), m in zip([("A", "B"), ("A", "C"), ("B", "C")], minutes, strict=True)
        if m
    )
    arrivals = draw(st.lists(st.sampled_from([None, None, 0, 15]), min_size=3, max_size=3))
    sites = [
        {"site_id": sid, "name": sid, "latitude": lat, "longitude": lon,
         "hours": "Mon-Fri 06:00-20:00", "arrival_minutes": arrival}
        for (sid, lat, lon), arrival in zip(SITES, arrivals, strict=True)
    ]  # fmt: skip

    def make(referrals: list[dict[str, object]], rooms: list[dict[str, object]]) -> Problem:
        return service(
            referrals, therapists=[therapist], sites=sites, rooms=rooms, settings=settings,
            travel=None,
        ).model_copy(update={"travel": travel})  # fmt: skip

    frame = make([], [{"room_id": "A0", "site_id": "A", "capacity": 1}])
    admin = frame.settings.admin_minutes

    def leg(a: str, b: str) -> int:
        return 0 if a == b else frame.travel_minutes(a, b) + frame.arrival_minutes(b)

    num = draw(st.integers(0, 5))
    sessions: list[Session] = []
    referrals = []
    in_order = edge or draw(st.booleans())
    here, ready = therapist["base_site_id"], 9 * 60 if "09:00" in works else 8 * 60 + 30
    for i in range(num):
        site = draw(st.sampled_from("ABC"))
        minutes = draw(st.sampled_from([30, 35, 40, 45]))
        if in_order:
            jitter = [-10, -5, 0, 5] if edge else [-10, -5, 0, 0, 5, 45]
            start = ready + leg(str(here), site) + draw(st.sampled_from(jitter))
            start -= start % 5
        else:
            start = draw(st.integers(7 * 12, 17 * 12)) * 5
        here, ready = site, start + minutes + admin
        referrals.append({"referral_id": f"R{i}", "site_ids": site, "minutes": minutes})
        sessions.append(
            Session(
                referral_id=f"R{i}",
                therapist_ids=("T1",),
                site_id=site,
                room_id=f"{site}{i}",
                day="Mon",
                start=start,
                end=start + minutes,
            )
        )
    rooms = [{"room_id": s.room_id, "site_id": s.site_id, "capacity": 1} for s in sessions]
    return make(referrals, rooms or [{"room_id": "A0", "site_id": "A", "capacity": 1}]), Rota(
        sessions=tuple(sessions)
    )


@settings(max_examples=400, deadline=None)
@given(single_therapist_days())
def test_the_day_rules_and_the_checker_agree_on_any_single_therapist_day(
    day: tuple[Problem, Rota],
) -> None:
    assert_agree(*day)


def assert_agree(problem: Problem, rota: Rota) -> None:
    """DayRules.fits accepts T1's Monday exactly when check finds nothing wrong."""
    visits = sorted(Visit(s.start, s.end, s.site_id, s.referral_id) for s in rota.sessions)
    fits = DayRules(problem).fits("T1", "Mon", visits)
    violations = check(problem, rota)
    assert fits == (violations == []), [str(v) for v in violations]


@settings(max_examples=300, deadline=None)
@given(single_therapist_days(edge=True))
def test_the_day_rules_and_the_checker_agree_at_the_edges_of_travel_and_the_limits(
    day: tuple[Problem, Rota],
) -> None:
    assert_agree(*day)


def test_rota_visits_give_each_therapist_their_day_in_start_order() -> None:
    from rota.models import Rota, Session
    from rota.scheduler.day import rota_visits

    def session(rid: str, who: tuple[str, ...], site: str, start: int) -> Session:
        return Session(referral_id=rid, therapist_ids=who, site_id=site, room_id=f"{site}1",
                       day="Mon", start=start, end=start + 30)  # fmt: skip

    rota = Rota(
        sessions=(
            session("R2", ("T1",), "B", 11 * H),
            session("R1", ("T1", "T2"), "A", 9 * H),
        )
    )
    visits = rota_visits(rota)
    assert visits[("T1", "Mon")] == [
        Visit(9 * H, 9 * H + 30, "A", "R1"),
        Visit(11 * H, 11 * H + 30, "B", "R2"),
    ]
    assert visits[("T2", "Mon")] == [Visit(9 * H, 9 * H + 30, "A", "R1")]
