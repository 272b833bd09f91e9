"""Building blocks for solver tests: a one-line service builder and a checked solve."""

from __future__ import annotations

from typing import Any

from rota.evaluate.check import check
from rota.models import Problem, Referral, Room, Settings, Site, Therapist, TravelOverride
from rota.models.result import Result
from rota.scheduler import SolveParams
from rota.scheduler.solve import solve

# Two real places 25 minutes apart by a measured override.
A = ("A", 52.2053, 0.1218)
B = ("B", 52.3226, -0.0739)


def service(
    referrals: list[dict[str, Any]],
    therapists: list[dict[str, Any]] | None = None,
    rooms: list[dict[str, Any]] | None = None,
    settings: dict[str, Any] | None = None,
    sites: list[dict[str, Any]] | None = None,
    travel: int | None = 25,
    **extra: Any,
) -> Problem:
    """A two-site service (A, B) with defaults: one music therapist T1 based at A, Mon only."""
    site_rows = sites or [
        {
            "site_id": sid,
            "name": f"Site {sid}",
            "latitude": lat,
            "longitude": lon,
            "hours": "Mon-Fri 08:30-17:00",
        }
        for sid, lat, lon in (A, B)
    ]
    room_rows = rooms or [
        {"room_id": "A1", "site_id": "A", "capacity": 6},
        {"room_id": "B1", "site_id": "B", "capacity": 6},
    ]
    therapist_rows = therapists or [
        {
            "therapist_id": "T1",
            "disciplines": "music",
            "base_site_id": "A",
            "works": "Mon 08:30-17:00",
        }
    ]
    ref_rows = [{"discipline": "music", "minutes": 30, "site_ids": "A", **r} for r in referrals]
    return Problem(
        settings=Settings(**(settings or {})),
        sites=tuple(Site(**s) for s in site_rows),
        rooms=tuple(Room(**r) for r in room_rows),
        therapists=tuple(Therapist(**t) for t in therapist_rows),
        referrals=tuple(Referral(**r) for r in ref_rows),
        travel=(TravelOverride(from_site_id="A", to_site_id="B", minutes=travel),)
        if travel is not None
        else (),
        **extra,
    )


def solved(problem: Problem, **params: Any) -> Result:
    """Solve with one worker (repeatable) and assert the independent checker agrees."""
    opts: dict[str, Any] = {"time_limit": 30, "workers": 1, **params}
    result = solve(problem, SolveParams(**opts))
    assert result.violations == ()
    assert check(problem, result.rota) == []
    scheduled = {s.referral_id for s in result.rota.sessions}
    unscheduled = {u.referral_id for u in result.rota.unscheduled}
    assert scheduled.isdisjoint(unscheduled)
    assert scheduled | unscheduled == {r.referral_id for r in problem.referrals}
    assert all(u.reason for u in result.rota.unscheduled)
    return result


def placed(result: Result) -> dict[str, Any]:
    return {s.referral_id: s for s in result.rota.sessions}


def reasons(result: Result) -> dict[str, str]:
    return {u.referral_id: u.reason for u in result.rota.unscheduled}
