"""Term dates and costs, checked against a term priced by hand (see export_service)."""

from __future__ import annotations

import datetime as dt

import pytest

from rota.evaluate.term_costs import (
    CostOptions,
    rate_on,
    session_cost,
    session_dates,
    skipped_dates,
    term_costs,
)
from rota.models.rota import Rota
from tests.reports.export_service import SESSIONS, make_problem, make_rota

D = dt.date


def test_monday_dates_skip_half_term_and_easter_monday() -> None:
    problem = make_problem()
    r001 = SESSIONS[0]
    assert session_dates(problem, r001) == [
        D(2027, 2, 1), D(2027, 2, 8), D(2027, 2, 22),
        D(2027, 3, 1), D(2027, 3, 8), D(2027, 3, 15), D(2027, 3, 22),
    ]  # fmt: skip
    skipped = skipped_dates(problem, r001)
    assert [s.date for s in skipped] == [D(2027, 2, 15), D(2027, 3, 29)]
    assert "Half term" in skipped[0].reason
    assert "Easter Monday" in skipped[1].reason and "bank holiday" in skipped[1].reason


def test_site_closure_only_affects_its_own_site() -> None:
    problem = make_problem()
    fen_friday, hun_friday = SESSIONS[2], SESSIONS[1]
    assert D(2027, 3, 12) not in session_dates(problem, fen_friday)
    assert D(2027, 3, 12) in session_dates(problem, hun_friday)
    inset = [s for s in skipped_dates(problem, fen_friday) if s.date == D(2027, 3, 12)]
    assert len(inset) == 1 and "INSET" in inset[0].reason
    good_friday = [s for s in skipped_dates(problem, hun_friday) if s.date == D(2027, 3, 26)]
    assert "Good Friday" in good_friday[0].reason


def test_bank_holidays_can_be_switched_off() -> None:
    problem = make_problem()
    dates = session_dates(problem, SESSIONS[0], bank_holidays=False)
    assert D(2027, 3, 29) in dates and len(dates) == 8
    sc = session_cost(problem, SESSIONS[0], CostOptions(bank_holidays=False))
    assert sc.cost == pytest.approx(234.00 + 40 / 60 * 51)


def test_rate_in_force_changes_on_its_date() -> None:
    problem = make_problem()
    assert rate_on(problem, D(2027, 2, 28)) == 49.0
    assert rate_on(problem, D(2027, 3, 1)) == 51.0
    assert rate_on(problem, D(2026, 8, 31)) is None


def test_hand_computed_term() -> None:
    problem = make_problem()
    costs = term_costs(problem, make_rota())
    by_ref = {sc.session.referral_id: sc for sc in costs.sessions}
    # R001: 30 + 10 admin = 40 min; 3 Mondays at 49 and 4 at 51.
    assert by_ref["R001"].cost == pytest.approx(40 / 60 * (3 * 49 + 4 * 51))  # 234.00
    assert by_ref["R001"].cost == pytest.approx(234.00)
    # R002: co-facilitated, (45 + 10) x 2 therapists; 3 Fridays at 49, 3 at 51.
    assert by_ref["R002"].num_therapists == 2
    assert by_ref["R002"].billed_minutes == 110
    assert by_ref["R002"].cost == pytest.approx(550.00)
    assert by_ref["R002"].billed_hours == pytest.approx(11.0)
    # R003: 40 + 10 min; Fenland's INSET Friday gone: 3 at 49, 2 at 51.
    assert len(by_ref["R003"].dates) == 5
    assert by_ref["R003"].cost == pytest.approx(207.50)
    assert costs.total_cost == pytest.approx(991.50)
    assert costs.total_occurrences == 7 + 6 + 5
    sites = {g.key: g for g in costs.by_site}
    assert sites["FEN"].cost == pytest.approx(441.50) and sites["FEN"].occurrences == 12
    assert sites["HUN"].cost == pytest.approx(550.00) and sites["HUN"].sessions == 1
    funding = {g.key: g.cost for g in costs.by_funding}
    assert funding == pytest.approx(
        {"EHC plan": 550.00, "Pupil Premium": 234.00, "unspecified": 207.50}
    )
    assert costs.warnings == ()


def test_billing_session_minutes_only() -> None:
    costs = term_costs(make_problem(), make_rota(), CostOptions(bill_admin=False))
    by_ref = {sc.session.referral_id: sc.cost for sc in costs.sessions}
    assert by_ref == pytest.approx({"R001": 175.50, "R002": 450.00, "R003": 166.00})


def test_missing_term_dates_and_rates_are_warned_not_guessed() -> None:
    problem = make_problem(term_start=None, term_end=None)
    costs = term_costs(problem, make_rota())
    assert costs.total_cost == 0 and costs.total_occurrences == 0
    assert "term_start" in costs.warnings[0]
    no_rates = make_problem().model_copy(update={"rates": ()})
    costs = term_costs(no_rates, make_rota())
    assert costs.total_cost == 0 and costs.total_occurrences == 18
    assert "no hourly rates" in costs.warnings[0]


def test_dates_before_the_first_rate_are_reported() -> None:
    from rota.models.entities import Rate

    late = make_problem().model_copy(
        update={"rates": (Rate(effective_from=D(2027, 3, 1), hourly_rate=51.0),)}
    )
    costs = term_costs(late, Rota(sessions=SESSIONS[:1]))
    assert costs.total_cost == pytest.approx(40 / 60 * 4 * 51)
    assert "no rate in force on 3 date(s) from 2027-02-01" in costs.warnings[0]
