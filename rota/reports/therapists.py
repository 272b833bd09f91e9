"""One workbook and one calendar per therapist: their own week and nothing of anyone else's.

The workbook holds the week grid (sessions, admin, lunch and drives with their minutes, from and
to, where the day rules put them), the sessions with each site's town and contact, the room,
the client's initials and the group size, the sites they go to, and each day's contact and
driving minutes. The calendar (:mod:`rota.reports.ical`) holds each session as a weekly event.
Files are named ``<therapist id> <name>.xlsx`` and ``.ics``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import icalendar
from openpyxl import Workbook

from rota.models.dates import TermSession, skipped_text, term_session_dates, term_sessions
from rota.models.entities import Therapist
from rota.models.problem import Problem
from rota.models.result import Result
from rota.models.rota import Rota, Session
from rota.models.timeutil import DAY_INDEX, format_time
from rota.reports.atomic import OutputError, check_writable, write_atomic
from rota.reports.cells import INT_FORMAT, TIME_FORMAT, time_cell
from rota.reports.grids import grid_sheet, therapist_grid
from rota.reports.ical import (
    CalendarOptions,
    PreviousCalendar,
    read_calendars,
    therapist_calendar,
)
from rota.reports.schools import safe_file_name
from rota.reports.sheets import Table, table_sheet
from rota.reports.week import TherapistDay, lay_out_week
from rota.scheduler.day import Item

SESSION_COLUMNS = (
    "day",
    "start",
    "end",
    "site",
    "town",
    "room",
    "client",
    "referral_id",
    "group_size",
    "discipline",
    "with",
    "sessions_in_term",
    "no_session_on",
)
SITE_COLUMNS = ("site", "site_id", "town", "contact", "days", "rooms")
DAY_COLUMNS = (
    "day",
    "sessions",
    "contact_minutes",
    "driving_minutes",
    "day_starts",
    "day_ends",
    "lunch",
)


@dataclass(frozen=True)
class TherapistFiles:
    """What was written for one therapist (a calendar only for one no longer in the service)."""

    therapist_id: str
    workbook: Path | None
    calendar: Path | None


def therapist_file_stem(therapist: Therapist) -> str:
    """``<therapist id> <name>``, safe as a file name on every system."""
    name = safe_file_name(therapist.name) if therapist.name else ""
    return f"{safe_file_name(therapist.therapist_id)} {name}".strip()


def _own_sessions(rota: Rota, therapist_id: str) -> list[Session]:
    return sorted(
        (x for x in rota.sessions if therapist_id in x.therapist_ids),
        key=lambda x: (DAY_INDEX[x.day], x.start, x.referral_id),
    )


def _own_pieces(rota: Rota, therapist_id: str) -> list[TermSession]:
    """The therapist's sessions of the term plan (after a mid-term change, the previous slots
    before the change too), in week order."""
    return sorted(
        (p for p in term_sessions(rota) if therapist_id in p.session.therapist_ids),
        key=lambda p: (DAY_INDEX[p.session.day], p.session.start, p.session.referral_id),
    )


def sessions_table(problem: Problem, rota: Rota, therapist_id: str, bank_holidays: bool) -> Table:
    """The therapist's sessions in week order, with where, who and how many dates this term."""
    rows: list[list[Any]] = []
    for piece in _own_pieces(rota, therapist_id):
        x = piece.session
        ref = problem.referral_by_id.get(x.referral_id)
        site = problem.site_by_id.get(x.site_id)
        room = problem.room_by_id.get(x.room_id)
        others = [
            problem.therapist_by_id[t].name or t if t in problem.therapist_by_id else t
            for t in x.therapist_ids
            if t != therapist_id
        ]
        dates, skipped = term_session_dates(problem, piece, bank_holidays=bank_holidays)
        rows.append(
            [
                x.day,
                time_cell(x.start),
                time_cell(x.end),
                site.name if site else x.site_id,
                site.town if site else "",
                (room.name or room.room_id) if room else x.room_id,
                ref.client if ref else "",
                x.referral_id,
                ref.group_size if ref else None,
                ref.discipline if ref else "",
                ", ".join(others),
                len(dates),
                skipped_text(skipped),
            ]
        )
    formats = {
        "start": TIME_FORMAT,
        "end": TIME_FORMAT,
        "group_size": INT_FORMAT,
        "sessions_in_term": INT_FORMAT,
    }
    wrap = {"site": 24, "no_session_on": 40}
    return Table(SESSION_COLUMNS, rows, formats, wrap)


def sites_table(problem: Problem, rota: Rota, therapist_id: str) -> Table:
    """Each site the therapist goes to: town, contact, the days and the rooms."""
    by_site: dict[str, list[Session]] = {}
    for x in _own_sessions(rota, therapist_id):
        by_site.setdefault(x.site_id, []).append(x)
    rows = []
    for site_id, sessions in by_site.items():
        site = problem.site_by_id[site_id]
        days = ", ".join(dict.fromkeys(x.day for x in sessions))
        rooms = ", ".join(
            dict.fromkeys(
                (problem.room_by_id[x.room_id].name or x.room_id)
                if x.room_id in problem.room_by_id
                else x.room_id
                for x in sessions
            )
        )
        rows.append([site.name, site.site_id, site.town, site.contact, days, rooms])
    return Table(SITE_COLUMNS, rows, {}, {"site": 30, "contact": 40})


def _lunch_text(problem: Problem, lunch: Item) -> str:
    site = problem.site_by_id.get(lunch.site_id)
    where = site.name if site else lunch.site_id
    return f"{format_time(lunch.start)}-{format_time(lunch.end)} at {where}"


def days_table(problem: Problem, days: Sequence[TherapistDay]) -> Table:
    """Each working day's sessions, contact and driving minutes, when they leave and are back,
    and lunch; a total row for the week."""
    rows: list[list[Any]] = []
    for d in days:
        items = d.items
        lunch = [i for i in items if i.kind == "lunch"]
        rows.append(
            [
                d.day,
                len(d.sessions),
                d.contact_minutes,
                d.driving_minutes,
                time_cell(items[0].start) if items else None,
                time_cell(max(i.end for i in items)) if items else None,
                _lunch_text(problem, lunch[0]) if lunch else "",
            ]
        )
    total = [
        "Week",
        sum(r[1] for r in rows),
        sum(r[2] for r in rows),
        sum(r[3] for r in rows),
        None,
        None,
        "",
    ]
    formats = {
        "sessions": INT_FORMAT,
        "contact_minutes": INT_FORMAT,
        "driving_minutes": INT_FORMAT,
        "day_starts": TIME_FORMAT,
        "day_ends": TIME_FORMAT,
    }
    return Table(DAY_COLUMNS, [*rows, total], formats, {"lunch": 30}, total=True)


def build_therapist_workbook(
    problem: Problem,
    rota: Rota,
    therapist_id: str,
    days: Sequence[TherapistDay],
    bank_holidays: bool = True,
) -> Workbook:
    """One therapist's workbook in memory: Week, Sessions, Sites and Days."""
    therapist = problem.therapist_by_id[therapist_id]
    footer = f"{problem.settings.term_name}: {therapist.therapist_id} {therapist.name}".strip()
    wb = Workbook()
    week = wb.active
    assert week is not None
    week.title = "Week"
    grid_sheet(week, therapist_grid(problem, rota, therapist_id, days), footer)
    table = sessions_table(problem, rota, therapist_id, bank_holidays)
    table_sheet(wb.create_sheet("Sessions"), table, footer)
    table_sheet(wb.create_sheet("Sites"), sites_table(problem, rota, therapist_id), footer)
    table_sheet(wb.create_sheet("Days"), days_table(problem, days), footer, landscape=False)
    return wb


def write_therapist_files(
    problem: Problem,
    result: Result,
    out_dir: Path | str,
    *,
    force: bool = False,
    options: CalendarOptions | None = None,
    previous_dir: Path | str | None = None,
    now: dt.datetime | None = None,
) -> tuple[list[TherapistFiles], list[str]]:
    """Write every therapist's workbook and calendar into ``out_dir``; returns what was written
    and warnings. The calendars written before (in ``previous_dir``, else in ``out_dir``) give
    each event its next SEQUENCE and the cancellations. Every target is checked before any is
    written, so a refusal leaves the folder untouched."""
    opts = options or CalendarOptions()
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is a file, not a folder")
    previous, warnings = read_calendars(Path(previous_dir) if previous_dir else folder)
    targets = _targets(problem, folder, previous)
    for workbook, calendar in targets.values():
        for path in (workbook, calendar):
            if path is not None:
                check_writable(path, force)
    if problem.settings.term_start is None or problem.settings.term_end is None:
        warnings.append("Settings give no term_start/term_end: no calendars written")
    rota = result.rota
    week = lay_out_week(problem, rota)
    written = []
    for tid, (workbook, calendar) in targets.items():
        if workbook is not None:
            wb = build_therapist_workbook(problem, rota, tid, week.of(tid), opts.bank_holidays)
            write_atomic(workbook, wb.save, force=force)
        if calendar is not None and problem.settings.term_start and problem.settings.term_end:
            cal = therapist_calendar(
                problem, rota, tid, week.of(tid), previous=previous.get(tid), now=now, options=opts
            )
            write_atomic(calendar, _ics_writer(cal), force=force)
        else:
            calendar = None
        written.append(TherapistFiles(tid, workbook, calendar))
    return written, warnings


def _ics_writer(cal: icalendar.Calendar) -> Callable[[Path], None]:
    def write(tmp: Path) -> None:
        tmp.write_bytes(cal.to_ical())

    return write


def _targets(
    problem: Problem, folder: Path, previous: dict[str, PreviousCalendar]
) -> dict[str, tuple[Path | None, Path | None]]:
    """Each therapist's workbook and calendar paths; a therapist no longer in the service but
    with a calendar from before gets that calendar again (its sessions cancelled)."""
    out: dict[str, tuple[Path | None, Path | None]] = {}
    for t in problem.therapists:
        stem = therapist_file_stem(t)
        out[t.therapist_id] = (folder / f"{stem}.xlsx", folder / f"{stem}.ics")
    for tid, cal in previous.items():
        if tid not in out and cal.events:
            out[tid] = (None, folder / cal.path.name)
    names = [p.name.lower() for pair in out.values() for p in pair if p is not None]
    if len(set(names)) != len(names):
        raise OutputError("two therapists give the same file name: make their names differ")
    return out
