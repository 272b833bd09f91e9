"""Each therapist's workbook and calendar: the week, the list, and .ics files read back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pandas as pd
import pytest
from dateutil.rrule import rrulestr
from openpyxl import load_workbook

from rota.demo import generate_problem
from rota.evaluate.check import check
from rota.evaluate.kpis import compute_kpis
from rota.evaluate.term_costs import session_dates
from rota.models.problem import Problem
from rota.models.result import Result
from rota.models.rota import Rota
from rota.reports.atomic import OutputError
from rota.reports.ical import CalendarOptions, event_uid
from rota.reports.therapists import write_therapist_files
from rota.scheduler.candidates import build_candidates
from rota.scheduler.greedy import greedy_rota
from tests.reports.export_service import (
    SESSIONS,
    make_mid_term_rota,
    make_problem,
    make_result,
    with_therapist,
)

NOW = dt.datetime(2027, 1, 10, 12, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2027, 1, 20, 12, 0, tzinfo=dt.UTC)
LONDON = "Europe/London"


def _calendar(path: Path) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(path.read_bytes())


def _events(path: Path) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in _calendar(path).walk("VEVENT")}


def occurrences(event: icalendar.Event) -> list[dt.datetime]:
    """Every date-time the event happens on: its weekly rule from DTSTART, less its EXDATEs."""
    start = event.decoded("DTSTART")
    rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=start)
    skipped = set(event.exdates)
    return [d for d in rule if d not in skipped]


def _write(problem: Problem, rota: Rota, folder: Path, now: dt.datetime = NOW, **kw: object):
    return write_therapist_files(
        problem, Result(status="FEASIBLE", rota=rota), folder, force=True, now=now, **kw
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("therapists")
    files, warnings = _write(make_problem(), make_result().rota, out)
    assert warnings == [] and len(files) == 2
    return out


def test_one_workbook_and_one_calendar_per_therapist(folder: Path) -> None:
    assert sorted(p.name for p in folder.iterdir()) == [
        "T01 Alex M.ics", "T01 Alex M.xlsx", "T02 Sam K.ics", "T02 Sam K.xlsx",
    ]  # fmt: skip
    wb = load_workbook(folder / "T01 Alex M.xlsx")
    assert wb.sheetnames == ["Week", "Sessions", "Sites", "Days"]


def test_workbook_lists_sessions_sites_and_the_week_in_minutes(folder: Path) -> None:
    path = folder / "T01 Alex M.xlsx"
    sessions = pd.read_excel(path, sheet_name="Sessions")
    assert list(sessions["Referral ID"]) == ["R001", "R002"]
    assert list(sessions.Client) == ["A.B.", "Group C"]
    assert list(sessions["Group size"]) == [1, 4]
    assert list(sessions.Site) == ["Fenland Primary", "Huntingdon Clinic"]
    assert list(sessions.Town) == ["March", "Huntingdon"]
    assert list(sessions.With.fillna("")) == ["", "Sam K"]
    assert list(sessions["Sessions in term"]) == [7, 6]
    sites = pd.read_excel(path, sheet_name="Sites")
    assert sites.Contact.iloc[0] == "SENCo, 01354 000000"
    days = pd.read_excel(path, sheet_name="Days")
    week = days[days.Day == "Week"].iloc[0]
    t01 = next(t for t in compute_kpis(make_problem(), make_result().rota).therapists
               if t.therapist_id == "T01")  # fmt: skip
    assert week["Contact minutes"] == t01.contact_minutes == 75
    assert week["Driving minutes"] == t01.travel_minutes == 80
    monday = days[days.Day == "Mon"].iloc[0]
    assert (
        monday["Day starts"] == dt.time(8, 25)
        and monday.Lunch == "12:30-13:00 at Huntingdon Clinic"
    )
    # Nobody else's clients are in it.
    texts = [str(c.value) for ws in load_workbook(path) for r in ws.iter_rows() for c in r
             if c.value is not None]  # fmt: skip
    assert not [t for t in texts if "D.E." in t or "R003" in t]


def test_calendar_occurrences_are_the_session_dates(folder: Path) -> None:
    problem = make_problem()
    events = _events(folder / "T01 Alex M.ics")
    assert set(events) == {event_uid(problem, "R001", "T01"), event_uid(problem, "R002", "T01")}
    for session in SESSIONS[:2]:
        event = events[event_uid(problem, session.referral_id, "T01")]
        when = occurrences(event)
        assert [d.date() for d in when] == session_dates(problem, session)
        assert {(d.hour * 60 + d.minute) for d in when} == {session.start}
        assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(
            minutes=session.minutes
        )
        assert str(event["DTSTART"].params["TZID"]) == LONDON
        assert event["RRULE"]["UNTIL"][0].tzinfo is not None
        assert event["RRULE"]["UNTIL"][0].utcoffset() == dt.timedelta(0)
    r001 = events[event_uid(problem, "R001", "T01")]
    # Half term falls between its first and last Monday (Easter Monday comes after the last).
    assert [d.date() for d in r001.exdates] == [dt.date(2027, 2, 15)]
    assert str(r001["SUMMARY"]) == "R001: music therapy"  # never the child's initials
    assert str(r001["LOCATION"]) == "Fenland Primary, Music room"
    assert "Drive 40 min from Huntingdon Clinic, leaving 08:25" in str(r001["DESCRIPTION"])
    assert "A.B." not in _calendar(folder / "T01 Alex M.ics").to_ical().decode()
    r002 = events[event_uid(problem, "R002", "T01")]
    assert str(r002["SUMMARY"]) == "Group C: music therapy"  # a group's name is not a child's
    cal = _calendar(folder / "T01 Alex M.ics")
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == [LONDON]
    assert all(int(e["SEQUENCE"]) == 0 for e in events.values())
    assert all(e.decoded("DTSTAMP") == NOW for e in events.values())


def test_clocks_changing_in_the_autumn_term_keep_the_local_time(tmp_path: Path) -> None:
    problem = make_problem(
        term_name="Autumn 2026", term_start=dt.date(2026, 9, 7), term_end=dt.date(2026, 12, 18)
    )
    _write(problem, make_result().rota, tmp_path)
    event = _events(tmp_path / "T01 Alex M.ics")[event_uid(problem, "R001", "T01")]
    when = occurrences(event)
    assert [d.date() for d in when] == session_dates(problem, SESSIONS[0])
    assert {d.strftime("%H:%M") for d in when} == {"09:05"}
    # 09:05 is 08:05 UTC in September and 09:05 UTC after the clocks go back on 25 October.
    utc = [d.astimezone(dt.UTC).strftime("%H:%M") for d in when]
    assert utc[0] == "08:05" and utc[-1] == "09:05"
    until = event["RRULE"]["UNTIL"][0]
    assert until == when[-1].astimezone(dt.UTC)
    assert "BST" in _calendar(tmp_path / "T01 Alex M.ics").to_ical().decode()


def _moved_rota() -> Rota:
    """R001 moves to Tuesday 10:00; R003 is no longer in the rota; R002 is unchanged."""
    r001 = SESSIONS[0].model_copy(update={"day": "Tue", "start": 600, "end": 630})
    return Rota(sessions=(r001, SESSIONS[1]))


def test_an_updated_calendar_replaces_and_cancels_instead_of_duplicating(tmp_path: Path) -> None:
    problem = make_problem()
    _write(problem, make_result().rota, tmp_path)
    first_t01 = _events(tmp_path / "T01 Alex M.ics")
    first_t02 = _events(tmp_path / "T02 Sam K.ics")
    _write(problem, _moved_rota(), tmp_path, now=LATER)
    t01 = _events(tmp_path / "T01 Alex M.ics")
    t02 = _events(tmp_path / "T02 Sam K.ics")
    assert set(t01) == set(first_t01) and set(t02) == set(first_t02)  # the same UIDs
    r001, r002 = (event_uid(problem, r, "T01") for r in ("R001", "R002"))
    # Unchanged: same SEQUENCE and DTSTAMP, so a calendar sees nothing new.
    assert int(t01[r002]["SEQUENCE"]) == 0 and t01[r002].decoded("DTSTAMP") == NOW
    # Moved: the same event one version on.
    assert int(t01[r001]["SEQUENCE"]) == 1 and t01[r001].decoded("DTSTAMP") == LATER
    assert occurrences(t01[r001])[0].strftime("%a %H:%M") == "Tue 10:00"
    # Gone: sent again as cancelled, one version on.
    r003 = t02[event_uid(problem, "R003", "T02")]
    assert str(r003["STATUS"]) == "CANCELLED" and int(r003["SEQUENCE"]) == 1
    # A third run of the same rota changes nothing (the cancellation is carried as it was).
    before = (tmp_path / "T02 Sam K.ics").read_bytes()
    _write(problem, _moved_rota(), tmp_path, now=LATER + dt.timedelta(days=3))
    assert (tmp_path / "T02 Sam K.ics").read_bytes() == before


def test_previous_calendars_from_another_folder_and_another_term(tmp_path: Path) -> None:
    problem = make_problem()
    sent = tmp_path / "sent"
    _write(problem, make_result().rota, sent)
    out = tmp_path / "new"
    _write(problem, _moved_rota(), out, previous_dir=sent)
    r003 = _events(out / "T02 Sam K.ics")[event_uid(problem, "R003", "T02")]
    assert str(r003["STATUS"]) == "CANCELLED"
    # Next term's calendars start afresh: last term's events are not cancelled.
    summer = make_problem(term_name="Summer 2027", term_start=dt.date(2027, 4, 19),
                          term_end=dt.date(2027, 7, 21))  # fmt: skip
    _write(summer, _moved_rota(), tmp_path / "summer", previous_dir=sent)
    events = _events(tmp_path / "summer" / "T02 Sam K.ics")
    assert all(str(e["STATUS"]) == "CONFIRMED" for e in events.values())
    assert all(int(e["SEQUENCE"]) == 0 for e in events.values())


def test_a_therapist_who_left_gets_their_sessions_cancelled(tmp_path: Path) -> None:
    problem = make_problem()
    _write(problem, make_result().rota, tmp_path)
    without_t02 = problem.model_copy(
        update={
            "therapists": problem.therapists[:1],
            "referrals": tuple(r for r in problem.referrals if r.referral_id != "R003"),
        }
    )
    rota = Rota(sessions=(SESSIONS[0], SESSIONS[1].model_copy(update={"therapist_ids": ("T01",)})))
    files, _ = _write(without_t02, rota, tmp_path)
    gone = next(f for f in files if f.therapist_id == "T02")
    assert gone.workbook is None and gone.calendar == tmp_path / "T02 Sam K.ics"
    events = _events(tmp_path / "T02 Sam K.ics")
    assert {str(e["STATUS"]) for e in events.values()} == {"CANCELLED"}


def test_initials_only_when_asked_for(tmp_path: Path) -> None:
    _write(make_problem(), make_result().rota, tmp_path, options=CalendarOptions(initials=True))
    events = _events(tmp_path / "T01 Alex M.ics")
    titles = sorted(str(e["SUMMARY"]) for e in events.values())
    assert titles == ["A.B. (R001): music therapy", "Group C: music therapy"]


def test_refuses_to_overwrite_without_force(folder: Path) -> None:
    with pytest.raises(OutputError, match="already exists"):
        write_therapist_files(make_problem(), make_result(), folder)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[Problem, Rota, Path]:
    problem = generate_problem("county", 1, version=1)
    rota = greedy_rota(problem, build_candidates(problem))
    assert check(problem, rota) == []
    out = tmp_path_factory.mktemp("county")
    _write(problem, rota, out)
    return problem, rota, out


def test_county_demo_one_workbook_and_one_calendar_per_therapist(
    county: tuple[Problem, Rota, Path],
) -> None:
    problem, rota, out = county
    books = sorted(out.glob("*.xlsx"))
    calendars = sorted(out.glob("*.ics"))
    assert len(books) == len(calendars) == len(problem.therapists) == 42
    checked = 0
    for path in calendars:
        cal = _calendar(path)
        tid = str(cal["X-ROTA-THERAPIST"])
        own = {s.referral_id: s for s in rota.sessions if tid in s.therapist_ids}
        events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
        assert set(events) == {event_uid(problem, rid, tid) for rid in own}
        for rid, session in own.items():
            when = occurrences(events[event_uid(problem, rid, tid)])
            assert [d.date() for d in when] == session_dates(problem, session), rid
            assert {d.hour * 60 + d.minute for d in when} == {session.start}
            checked += 1
    assert checked == sum(len(s.therapist_ids) for s in rota.sessions)


def test_county_rerun_with_a_changed_rota_keeps_the_uids_of_unchanged_sessions(
    county: tuple[Problem, Rota, Path], tmp_path: Path
) -> None:
    problem, rota, out = county
    first = {p.name: _events(p) for p in out.glob("*.ics")}
    for p in out.iterdir():
        (tmp_path / p.name).write_bytes(p.read_bytes())
    moved = rota.sessions[0]
    kept = tuple(s for s in rota.sessions[1:] if s.referral_id != rota.sessions[1].referral_id)
    later = moved.model_copy(update={"start": moved.start + 5, "end": moved.end + 5})
    changed = Rota(sessions=(later, *kept))
    _write(problem, changed, tmp_path, now=LATER)
    # A change touches its therapists' day (the drives and admin around it); every session
    # on any other day stays exactly as it was.
    touched = {(t, s.day) for s in rota.sessions[:2] for t in s.therapist_ids}
    quiet = {
        event_uid(problem, s.referral_id, t)
        for s in kept
        for t in s.therapist_ids
        if (t, s.day) not in touched
    }
    assert len(quiet) > 500
    for name, before in first.items():
        after = _events(tmp_path / name)
        assert set(after) == set(before), name  # nothing new, nothing lost
        for uid, event in after.items():
            if uid not in quiet:
                continue
            assert int(event["SEQUENCE"]) == 0 and event.decoded("DTSTAMP") == NOW, uid
    tid = moved.therapist_ids[0]
    name = next(n for n in first if n.startswith(tid + " "))
    assert (
        int(_events(tmp_path / name)[event_uid(problem, moved.referral_id, tid)]["SEQUENCE"]) == 1
    )


def test_session_with_no_date_in_term_has_no_event(tmp_path: Path) -> None:
    problem = make_problem(term_start=dt.date(2027, 2, 15), term_end=dt.date(2027, 2, 19))
    _write(problem, make_result().rota, tmp_path)  # half term: no session happens
    assert _events(tmp_path / "T01 Alex M.ics") == {}


def test_an_absence_removes_exactly_those_dates_from_the_calendars(tmp_path: Path) -> None:
    problem = with_therapist(make_problem(), "T01", absences="05/03/2027 - 08/03/2027")
    _write(problem, make_result().rota, tmp_path)
    t01 = _events(tmp_path / "T01 Alex M.ics")
    r001 = t01[event_uid(problem, "R001", "T01")]
    assert [d.date() for d in r001.exdates] == [dt.date(2027, 2, 15), dt.date(2027, 3, 8)]
    assert dt.date(2027, 3, 8) not in [d.date() for d in occurrences(r001)]
    assert [d.date() for d in occurrences(r001)] == session_dates(problem, SESSIONS[0])
    assert "08 Mar (therapist away (Alex M))" in str(r001["DESCRIPTION"])
    # The group T01 runs with T02 does not run that Friday: gone from T02's calendar too.
    r002 = _events(tmp_path / "T02 Sam K.ics")[event_uid(problem, "R002", "T02")]
    assert dt.date(2027, 3, 5) not in [d.date() for d in occurrences(r002)]
    unchanged = [d.date() for d in occurrences(_events(tmp_path / "T02 Sam K.ics")[
        event_uid(problem, "R003", "T02")])]  # fmt: skip
    assert dt.date(2027, 3, 5) in unchanged


def test_a_mid_term_change_keeps_the_old_slots_weeks_before_it(tmp_path: Path) -> None:
    problem = make_problem()
    _write(problem, make_mid_term_rota(), tmp_path)
    t01 = _events(tmp_path / "T01 Alex M.ics")
    old_uid = event_uid(problem, "R001", "T01", until=dt.date(2027, 2, 28))
    assert set(t01) == {
        event_uid(problem, "R001", "T01"),
        event_uid(problem, "R002", "T01"),
        old_uid,
    }
    old = [d.date() for d in occurrences(t01[old_uid])]
    new = [d.date() for d in occurrences(t01[event_uid(problem, "R001", "T01")])]
    assert old == [dt.date(2027, 2, 1), dt.date(2027, 2, 8), dt.date(2027, 2, 22)]
    assert new == [dt.date(2027, 3, d) for d in (2, 9, 16, 23, 30)]
    whole = occurrences(t01[event_uid(problem, "R002", "T01")])
    assert [d.date() for d in whole] == session_dates(problem, SESSIONS[1])  # unchanged slot
    t02 = _events(tmp_path / "T02 Sam K.ics")
    ended = [
        d.date() for d in occurrences(t02[event_uid(problem, "R003", "T02", dt.date(2027, 2, 28))])
    ]
    assert ended == [dt.date(2027, 2, 5), dt.date(2027, 2, 12), dt.date(2027, 2, 26)]
    table = pd.read_excel(tmp_path / "T01 Alex M.xlsx", sheet_name="Sessions")
    assert sorted(table["Sessions in term"]) == [3, 5, 6]
