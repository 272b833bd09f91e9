"""Mileage: road miles from the Travel sheet's minutes or the straight line x road_factor, each
therapist-day's drive on each date it happens, by the one site it serves, at the Settings' rate."""

from __future__ import annotations

import datetime as dt

import pytest

from rota.evaluate.term_costs import SEVERAL_SITES, term_costs
from rota.models import Problem, Rota, Session
from rota.models.problem import KM_PER_MILE, haversine_km
from tests.scheduler.helpers import A, B, service


def _two_mondays(rate: float | None, travel: int | None = 24) -> Problem:
    return service(
        [{"referral_id": "R1", "site_ids": "B"}, {"referral_id": "R2", "site_ids": "A"}],
        settings={
            "term_start": dt.date(2027, 1, 4),  # Mondays 4 and 11 January
            "term_end": dt.date(2027, 1, 15),
            "mileage_rate": rate,
        },
        travel=travel,
    )


def _at(rid: str, site: str, start: int) -> Session:
    return Session(
        referral_id=rid,
        therapist_ids=("T1",),
        site_id=site,
        room_id=f"{site}1",
        day="Mon",
        start=start,
        end=start + 30,
    )


def test_miles_come_from_measured_minutes_else_the_straight_line() -> None:
    measured = _two_mondays(0.45)
    # 24 minutes at 40 km/h = 16 km.
    assert measured.road_miles("A", "B") == pytest.approx(16 / KM_PER_MILE)
    estimated = _two_mondays(0.45, travel=None)
    km = haversine_km(A[1], A[2], B[1], B[2]) * 1.3
    assert estimated.road_miles("B", "A") == pytest.approx(km / KM_PER_MILE)


def test_a_day_serving_one_site_is_that_sites_mileage() -> None:
    problem = _two_mondays(0.45)
    costs = term_costs(problem, Rota(sessions=(_at("R1", "B", 9 * 60),)))
    m = costs.mileage
    assert m is not None
    miles = 2 * 16 / KM_PER_MILE * 2  # there and back, two Mondays
    assert m.miles == pytest.approx(miles, abs=0.05)
    assert m.cost == pytest.approx(miles * 0.45, abs=0.01)
    (group,) = m.by_site
    assert (group.key, group.trips) == ("B", 1)


def test_a_day_serving_two_sites_is_shared() -> None:
    problem = _two_mondays(0.45)
    rota = Rota(sessions=(_at("R2", "A", 9 * 60), _at("R1", "B", 11 * 60)))
    m = term_costs(problem, rota).mileage
    assert m is not None
    assert [g.key for g in m.by_site] == [SEVERAL_SITES]


def test_no_rate_no_mileage() -> None:
    for rate in (None, 0.0):
        problem = _two_mondays(rate)
        assert term_costs(problem, Rota(sessions=(_at("R1", "B", 9 * 60),))).mileage is None
