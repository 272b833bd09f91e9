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
from tests.reports.export_service import (
    SESSIONS,
    make_mid_term_rota,
    make_problem,
    make_rota,
    with_referral,
    with_therapist,
)

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


def test_a_referral_starting_after_half_term_costs_only_its_dates() -> None:
    problem = with_referral(make_problem(), "R001", start_date=D(2027, 2, 22))
    by_ref = {sc.session.referral_id: sc for sc in term_costs(problem, make_rota()).sessions}
    assert by_ref["R001"].dates[0] == D(2027, 2, 22) and len(by_ref["R001"].dates) == 5
    assert by_ref["R001"].cost == round(40 / 60 * (49 + 4 * 51), 2)  # was 234.00


def test_an_absence_removes_exactly_those_dates_from_the_cost() -> None:
    problem = with_therapist(make_problem(), "T02", absences="2027-03-01..2027-03-07")
    costs = term_costs(problem, make_rota())
    by_ref = {sc.session.referral_id: sc.cost for sc in costs.sessions}
    # Fri 5 Mar goes from T02's own R003 and from R002, which she runs with T01.
    assert by_ref == pytest.approx(
        {"R001": 234.00, "R002": round(550 - 110 / 60 * 51, 2), "R003": 207.50 - 42.50}
    )


def test_mid_term_costs_are_the_old_slots_before_and_the_new_ones_from_the_change() -> None:
    costs = term_costs(make_problem(), make_mid_term_rota())
    pieces = [(sc.session.referral_id, sc.applies, round(sc.cost, 2)) for sc in costs.sessions]
    assert pieces == [
        ("R001", "from 01 Mar 2027", round(40 / 60 * 5 * 51, 2)),  # Tuesdays 2-30 Mar
        ("R002", "", 550.00),  # the same slot all term
        ("R001", "until 28 Feb 2027", round(40 / 60 * 3 * 49, 2)),  # Mondays 1, 8, 22 Feb
        ("R003", "until 28 Feb 2027", round(50 / 60 * 3 * 49, 2)),  # Fridays 5, 12, 26 Feb
    ]
    assert costs.total_cost == pytest.approx(170.00 + 550.00 + 98.00 + 122.50)
