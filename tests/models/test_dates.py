"""The one function that gives a session's dates: absences read generously, a referral's own
dates, a therapist away, and a mid-term change's pieces of the term."""

from __future__ import annotations

import datetime as dt

import pytest

from rota.models.dates import (
    TermSession,
    parse_date_ranges,
    term_session_dates,
    term_sessions,
)
from tests.reports.export_service import (
    CHANGE_DATE,
    R001_TUESDAY,
    SESSIONS,
    make_mid_term_rota,
    make_problem,
    with_referral,
    with_therapist,
)

D = dt.date


def test_absences_read_iso_ranges_uk_dates_words_and_date_cells() -> None:
    assert parse_date_ranges("2027-11-02..2027-11-13; 2027-12-01") == (
        (D(2027, 11, 2), D(2027, 11, 13)),
        (D(2027, 12, 1), D(2027, 12, 1)),
    )
    assert parse_date_ranges("02/11/2027 - 13/11/2027, 1 Dec 2027\n3 December 2027") == (
        (D(2027, 11, 2), D(2027, 11, 13)),
        (D(2027, 12, 1), D(2027, 12, 1)),
        (D(2027, 12, 3), D(2027, 12, 3)),
    )
    assert parse_date_ranges("2027-11-02 to 2027-11-05") == ((D(2027, 11, 2), D(2027, 11, 5)),)
    assert parse_date_ranges(dt.datetime(2027, 11, 2)) == ((D(2027, 11, 2), D(2027, 11, 2)),)
    assert parse_date_ranges(None) == () and parse_date_ranges("") == ()


def test_every_unreadable_absence_is_named_at_once() -> None:
    with pytest.raises(ValueError) as err:
        parse_date_ranges("2027-11-02; next tuesday; 31/02/2027; 2027-11-13..2027-11-02")
    text = str(err.value)
    assert "'next tuesday'" in text and "'31/02/2027'" in text
    assert "'2027-11-13..2027-11-02' ends before it starts" in text


def test_a_referral_starting_after_half_term_has_its_dates_from_its_start() -> None:
    problem = with_referral(make_problem(), "R001", start_date=D(2027, 2, 22))
    dates, skipped = term_session_dates(problem, TermSession(SESSIONS[0]))
    assert dates == [D(2027, 2, 22), D(2027, 3, 1), D(2027, 3, 8), D(2027, 3, 15), D(2027, 3, 22)]
    assert [(k.date, k.reason) for k in skipped[:2]] == [
        (D(2027, 2, 1), "starts 2027-02-22"),
        (D(2027, 2, 8), "starts 2027-02-22"),
    ]


def test_an_ended_referral_has_no_dates_after_its_end() -> None:
    problem = with_referral(make_problem(), "R001", end_date=D(2027, 3, 3))
    dates, skipped = term_session_dates(problem, TermSession(SESSIONS[0]))
    assert dates[-1] == D(2027, 3, 1)
    assert {k.reason for k in skipped if k.date > D(2027, 3, 3)} >= {"ended 2027-03-03"}


def test_a_therapist_away_skips_her_sessions_and_a_shared_group() -> None:
    problem = with_therapist(make_problem(), "T02", absences="2027-03-01..2027-03-07")
    # R003 is T02's alone, R002 she runs with T01: both skip Fri 5 Mar; R001 (T01) does not.
    for session in (SESSIONS[1], SESSIONS[2]):
        dates, skipped = term_session_dates(problem, TermSession(session))
        assert D(2027, 3, 5) not in dates
        assert [k.reason for k in skipped if k.date == D(2027, 3, 5)] == ["therapist away (Sam K)"]
    assert D(2027, 3, 1) in term_session_dates(problem, TermSession(SESSIONS[0]))[0]


def test_a_mid_term_change_splits_a_moved_session_and_keeps_an_unchanged_one_whole() -> None:
    pieces = term_sessions(make_mid_term_rota())
    assert pieces == [
        TermSession(R001_TUESDAY, first=CHANGE_DATE),
        TermSession(SESSIONS[1]),
        TermSession(SESSIONS[0], last=CHANGE_DATE - dt.timedelta(days=1)),
        TermSession(SESSIONS[2], last=CHANGE_DATE - dt.timedelta(days=1)),
    ]
    problem = make_problem()
    new, skipped_new = term_session_dates(problem, pieces[0])
    old, skipped_old = term_session_dates(problem, pieces[2])
    assert new == [D(2027, 3, 2), D(2027, 3, 9), D(2027, 3, 16), D(2027, 3, 23), D(2027, 3, 30)]
    assert old == [D(2027, 2, 1), D(2027, 2, 8), D(2027, 2, 22)]
    assert skipped_new[0].reason == "new slot from 2027-03-01"
    assert "not in this slot from 2027-03-01" in skipped_old[-1].reason
