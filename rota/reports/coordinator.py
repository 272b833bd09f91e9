"""The coordinator's workbook: Index, Summary, Rota, Unscheduled, Costs, Session costs, Travel,
Rooms, Therapist weeks and Site weeks.

The Rota sheet is also the sheet a coordinator edits and :mod:`rota.io.rota_sheet` reads back:
its header is row 1 (nothing above it), one row per therapist per session, ids in their own
columns, and each heading lower-cased with spaces turned into underscores is its contract name
in :data:`ROTA_COLUMNS` ("Referral ID" -> ``referral_id``). Numbers are written as numbers and
times as real time cells shown ``hh:mm``. Every sheet prints on A4 (see :mod:`.sheets`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from rota.evaluate.kpis import compute_kpis
from rota.evaluate.term_costs import CostOptions, SessionCost, TermCosts, funding_of, term_costs
from rota.models.dates import skipped_text
from rota.models.problem import Problem
from rota.models.result import Result
from rota.models.rota import Rota, Session
from rota.models.timeutil import DAY_INDEX, format_time
from rota.reports.atomic import write_atomic
from rota.reports.cells import (
    HOURS_FORMAT,
    INT_FORMAT,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    TIME_FORMAT,
    put,
    time_cell,
)
from rota.reports.grids import site_grid, site_rooms, therapist_grid, weeks_sheet
from rota.reports.sheets import (
    IndexEntry,
    Table,
    fit_table,
    note,
    print_setup,
    table_sheet,
    title,
    write_index,
    write_rows,
)
from rota.reports.summary import (
    CO_FACILITATED_NOTE,
    billing_basis,
    rates_text,
    unscheduled_rows,
    write_summary,
)
from rota.reports.week import TherapistDay, Week, lay_out_week

ROTA_COLUMNS: tuple[str, ...] = (
    "referral_id",
    "client",
    "therapist_id",
    "therapist",
    "site_id",
    "site",
    "room_id",
    "room",
    "day",
    "start",
    "end",
    "minutes",
    "discipline",
    "group_size",
    "priority",
    "funding",
    "other_therapists",
    "dates_in_term",
    "term_cost",
)
ROTA_FORMATS = {
    "start": TIME_FORMAT,
    "end": TIME_FORMAT,
    "minutes": INT_FORMAT,
    "group_size": INT_FORMAT,
    "priority": INT_FORMAT,
    "dates_in_term": INT_FORMAT,
    "term_cost": MONEY_FORMAT,
}
# Long text wraps at these widths, so that the sheet prints one page wide at a readable size.
ROTA_WRAP = {
    "client": 12,
    "therapist": 14,
    "site_id": 12,
    "site": 20,
    "room_id": 14,
    "room": 14,
    "funding": 14,
    "other_therapists": 12,
}
UNSCHEDULED_COLUMNS: tuple[str, ...] = (
    "referral_id",
    "client",
    "site_id",
    "discipline",
    "priority",
    "reason",
)
SHEET_PURPOSES: dict[str, str] = {
    "Summary": "What the rota achieves: referrals placed by priority and discipline, who is not "
    "placed and why, the term's cost and who pays, driving, what changed from the previous "
    "rota; how the search ended, last",
    "Rota": "Every session, one row per therapist. The sheet to edit: rota check and rota "
    "export read it back (keep its headings)",
    "Unscheduled": "Every referral not placed, with the reason",
    "Costs": "The term's cost by site and by funding source, the rates, how the cost is worked out",
    "Session costs": "Each weekly session's dates this term, the dates it does not run and "
    "its cost",
    "Travel": "Each therapist's drives day by day, with the minutes and the clock times",
    "Rooms": "How much each room is used each week",
    "Therapist weeks": "Each therapist's week as a grid: sessions, admin, lunch and drives; "
    "one A4 page each",
    "Site weeks": "Each site's week by room and day; one A4 page each",
}


def scheduled_ids(rota: Rota) -> set[str]:
    return {s.referral_id for s in rota.sessions}


def footer_of(problem: Problem) -> str:
    """The footer of every page of the coordinator's workbook: the service and the term."""
    return f"{problem.settings.service_name}: {problem.settings.term_name}"


def rota_rows(problem: Problem, rota: Rota, costs: TermCosts) -> list[list[Any]]:
    """Rows of the Rota sheet: one per therapist per session, by therapist, day and start."""
    rows: list[tuple[tuple[Any, ...], list[Any]]] = []
    # term_costs prices the rota's sessions in order (a mid-term change's previous slots follow).
    for session, sc in zip(rota.sessions, costs.sessions[: len(rota.sessions)], strict=True):
        ref = problem.referral_by_id.get(session.referral_id)
        site = problem.site_by_id.get(session.site_id)
        room = problem.room_by_id.get(session.room_id)
        for tid in session.therapist_ids:
            therapist = problem.therapist_by_id.get(tid)
            others = [t for t in session.therapist_ids if t != tid]
            row = [
                session.referral_id,
                ref.client if ref else "",
                tid,
                therapist.name if therapist else "",
                session.site_id,
                site.name if site else "",
                session.room_id,
                room.name if room else "",
                session.day,
                time_cell(session.start),
                time_cell(session.end),
                session.minutes,
                ref.discipline if ref else "",
                ref.group_size if ref else None,
                ref.priority if ref else None,
                funding_of(problem, session.referral_id),
                ", ".join(others),
                len(sc.dates),
                round(sc.cost / sc.num_therapists, 2),
            ]
            key = (tid, DAY_INDEX[session.day], session.start, session.referral_id)
            rows.append((key, row))
    rows.sort(key=lambda kr: kr[0])
    return [r for _, r in rows]


def rota_table(problem: Problem, rota: Rota, costs: TermCosts) -> Table:
    """The Rota sheet as a table (also each run's Rota sheet in the scenario comparison)."""
    return Table(ROTA_COLUMNS, rota_rows(problem, rota, costs), ROTA_FORMATS, ROTA_WRAP)


# ---------------------------------------------------------------------------- costs
def _write_costs(ws: Worksheet, problem: Problem, costs: TermCosts, options: CostOptions) -> None:
    """The term's cost by site and by funding source, with how it is worked out."""
    money = {
        "sessions_a_week": INT_FORMAT,
        "sessions_in_term": "#,##0",
        "billed_hours": HOURS_FORMAT,
        "cost": MONEY_FORMAT,
    }
    heads = ("sessions_a_week", "sessions_in_term", "billed_hours", "cost")
    names = problem.site_by_id
    by_site = [
        [
            g.key,
            names[g.key].name if g.key in names else "",
            g.sessions,
            g.occurrences,
            g.billed_hours,
            g.cost,
        ]
        for g in costs.by_site
    ]
    totals = [
        sum(g.sessions for g in costs.by_site),
        costs.total_occurrences,
        costs.total_billed_hours,
        costs.total_cost,
    ]
    share = {"share_of_cost": PERCENT_FORMAT}
    by_funding = [
        [
            g.key,
            g.cost / costs.total_cost if costs.total_cost else None,
            g.sessions,
            g.occurrences,
            g.billed_hours,
            g.cost,
        ]
        for g in costs.by_funding
    ]
    site_table = Table(("site_id", "site", *heads), [*by_site, ["Total", "", *totals]], money, {})
    fund_table = Table(
        ("funding", "share_of_cost", *heads),
        [*by_funding, ["Total", 1.0 if costs.total_cost else None, *totals]],
        {**money, **share},
        {},
    )
    row = _costs_heading(ws, problem, costs, options)
    row = _section(ws, row + 1, "By site")
    last = write_rows(ws, row, site_table)
    ws.cell(last, 1).font = Font(bold=True)
    row = _section(ws, last + 2, "By funding source (who pays)")
    last_f = write_rows(ws, row, fund_table)
    ws.cell(last_f, 1).font = Font(bold=True)
    _write_mileage(ws, last_f + 2, problem, costs)
    fit_table(ws, Table(site_table.columns, [*site_table.rows, *fund_table.rows], money, {}), 1, 1)
    print_setup(ws, footer_of(problem), landscape=False)


def _write_mileage(ws: Worksheet, row: int, problem: Problem, costs: TermCosts) -> int:
    """The term's driving in miles and pounds by the one site a day's trip serves (the days
    that serve several sites together), when the Settings give a mileage rate."""
    m = costs.mileage
    if m is None:
        return row
    row = _section(ws, row, f"Mileage at £{m.rate:.2f} a mile, by the site a day's trip serves")
    names = problem.site_by_id
    rows = [
        [g.key, names[g.key].name if g.key in names else "", g.trips, g.miles, g.cost]
        for g in m.by_site
    ]
    total = ["Total", "", sum(g.trips for g in m.by_site), m.miles, m.cost]
    table = Table(
        ("site_id", "site", "trips_a_week", "miles_in_term", "mileage"),
        [*rows, total],
        {"trips_a_week": INT_FORMAT, "miles_in_term": "#,##0.0", "mileage": MONEY_FORMAT},
        {},
    )
    last = write_rows(ws, row, table)
    ws.cell(last, 1).font = Font(bold=True)
    return last


def _costs_heading(ws: Worksheet, problem: Problem, costs: TermCosts, options: CostOptions) -> int:
    s = problem.settings
    # Widths first, so that the notes can wrap across the tables' width.
    for col, width in zip("ABCDEF", (30, 40, 11, 11, 10, 13), strict=True):
        ws.column_dimensions[col].width = width
    row = title(ws, 1, f"Cost of {s.term_name}")
    dates = (
        f"{s.term_start:%d %b %Y} to {s.term_end:%d %b %Y}"
        if s.term_start and s.term_end
        else "term dates not set"
    )
    for text in (
        f"{dates}; {billing_basis(options)}.",
        f"Rates: {rates_text(problem)}.",
        CO_FACILITATED_NOTE,
        *(f"Warning: {w}" for w in costs.warnings),
    ):
        row = note(ws, row, text, 6, italic=False)
    return row


def _section(ws: Worksheet, row: int, text: str) -> int:
    put(ws, row, 1, text).font = Font(bold=True, size=12)
    return row + 1


def session_costs_table(problem: Problem, costs: TermCosts) -> Table:
    """Each weekly session's dates, skipped dates and cost, by site, day and start; after a
    mid-term change, which piece of the term each slot applies to."""
    mid_term = any(sc.first is not None or sc.last is not None for sc in costs.sessions)
    rows = []
    for sc in sorted(
        costs.sessions, key=lambda c: (c.session.site_id, DAY_INDEX[c.session.day], c.session.start)
    ):
        x = sc.session
        rows.append(
            [
                x.referral_id,
                x.site_id,
                x.day,
                time_cell(x.start),
                ", ".join(x.therapist_ids),
                sc.billed_minutes,
                len(sc.dates),
                skipped_text(sc.skipped, "{when}: {reason}"),
                sc.billed_hours,
                sc.cost,
                *([sc.applies or "all term"] if mid_term else []),
            ]
        )
    columns = (
        "referral_id",
        "site_id",
        "day",
        "start",
        "therapists",
        "billed_minutes_a_date",
        "sessions_in_term",
        "no_session_on",
        "billed_hours",
        "cost",
        *(["slot_applies"] if mid_term else []),
    )
    formats = {
        "start": TIME_FORMAT,
        "billed_minutes_a_date": INT_FORMAT,
        "sessions_in_term": INT_FORMAT,
        "billed_hours": HOURS_FORMAT,
        "cost": MONEY_FORMAT,
    }
    return Table(columns, rows, formats, {"no_session_on": 50})


# ---------------------------------------------------------------------------- mid-term change
CHANGES_PURPOSE = (
    "A mid-term change: each referral whose session moved, ended or is new, with its old "
    "slot's dates before the change and its new slot's from it"
)
CHANGES_COLUMNS: tuple[str, ...] = (
    "referral_id",
    "client",
    "change",
    "old_slot",
    "old_slot_dates",
    "new_slot",
    "new_slot_dates",
)


def changes_sheet_name(effective_from: dt.date) -> str:
    """'Changes from 02 Nov 2027': the sheet that lists a mid-term change."""
    return f"Changes from {effective_from:%d %b %Y}"


def _slot_text(problem: Problem, x: Session) -> str:
    site = problem.site_by_id.get(x.site_id)
    room = problem.room_by_id.get(x.room_id)
    who = ", ".join(
        (problem.therapist_by_id[t].name or t) if t in problem.therapist_by_id else t
        for t in x.therapist_ids
    )
    where = (
        f"{site.name if site else x.site_id}, {(room.name or room.room_id) if room else x.room_id}"
    )
    return f"{x.day} {format_time(x.start)}-{format_time(x.end)} with {who} at {where}"


def _dates_text(sc: SessionCost | None) -> str:
    if sc is None:
        return ""
    if not sc.dates:
        return "none"
    shown = ", ".join(f"{d:%d %b}" for d in sc.dates)
    return f"{len(sc.dates)}: {shown}"


def changes_table(problem: Problem, rota: Rota, costs: TermCosts) -> Table:
    """Per referral whose slot changed at the mid-term change: old slot -> new slot, and the
    dates each runs (the old one's before the change, the new one's from it)."""
    old = {x.referral_id: x for x in rota.before}
    new = {x.referral_id: x for x in rota.sessions}
    old_cost = {sc.session.referral_id: sc for sc in costs.sessions if sc.last is not None}
    new_cost = {sc.session.referral_id: sc for sc in costs.sessions if sc.first is not None}
    rows: list[list[Any]] = []
    for rid in sorted(set(old) | set(new)):
        before, after = old.get(rid), new.get(rid)
        if before is not None and after is not None and rid not in new_cost:
            continue  # the same slot all term
        ref = problem.referral_by_id.get(rid)
        if before is None:
            change = "new"
        elif after is None:
            change = "ended"
        else:
            change = "moved"
        rows.append(
            [
                rid,
                ref.client if ref else "",
                change,
                _slot_text(problem, before) if before else "",
                _dates_text(old_cost.get(rid)) if before else "",
                _slot_text(problem, after) if after else "",
                _dates_text(new_cost.get(rid)) if after else "",
            ]
        )
    wrap = {"old_slot": 30, "old_slot_dates": 30, "new_slot": 30, "new_slot_dates": 30}
    return Table(CHANGES_COLUMNS, rows, {}, wrap)


# ---------------------------------------------------------------------------- travel, rooms
def _route_text(day: TherapistDay) -> str:
    drives = day.drives
    if not drives:
        return f"all day at {day.sessions[0].site_id}" if day.sessions else ""
    parts = [drives[0].from_site_id]
    for d in drives:
        parts.append(f"-> {d.end - d.start} min -> {d.site_id}")
    return " ".join(parts)


def travel_table(problem: Problem, week: Week) -> Table:
    """Each therapist's drives on each day they work, from the day rules' layout."""
    rows = []
    for day in week.all_days():
        t = problem.therapist_by_id[day.therapist_id]
        drives = day.drives
        rows.append(
            [
                t.therapist_id,
                t.name,
                day.day,
                _route_text(day),
                day.driving_minutes,
                len(drives),
                time_cell(drives[0].start) if drives else None,
                time_cell(drives[-1].end) if drives else None,
            ]
        )
    columns = (
        "therapist_id",
        "therapist",
        "day",
        "route",
        "driving_minutes",
        "drives",
        "first_drive_leaves",
        "last_drive_arrives",
    )
    formats = {
        "driving_minutes": INT_FORMAT,
        "drives": INT_FORMAT,
        "first_drive_leaves": TIME_FORMAT,
        "last_drive_arrives": TIME_FORMAT,
    }
    return Table(columns, rows, formats, {"route": 50})


def rooms_table(problem: Problem, rota: Rota) -> Table:
    """Each room's sessions and minutes a week."""
    sessions: Counter[str] = Counter()
    minutes: Counter[str] = Counter()
    for x in rota.sessions:
        sessions[x.room_id] += 1
        minutes[x.room_id] += x.minutes
    rows = [
        [
            r.room_id,
            r.name,
            r.site_id,
            problem.site_by_id[r.site_id].name,
            r.capacity,
            ", ".join(r.features),
            sessions[r.room_id],
            minutes[r.room_id],
        ]
        for r in problem.rooms
    ]
    columns = (
        "room_id",
        "room",
        "site_id",
        "site",
        "capacity",
        "features",
        "sessions_a_week",
        "minutes_a_week",
    )
    formats = {"capacity": INT_FORMAT, "sessions_a_week": INT_FORMAT, "minutes_a_week": "#,##0"}
    return Table(columns, rows, formats, {"site": 30, "features": 30})


# ---------------------------------------------------------------------------- workbook
def build_rota_workbook(
    problem: Problem, result: Result, options: CostOptions | None = None
) -> Workbook:
    """The coordinator's workbook in memory (see the module docstring for its sheets)."""
    opts = options or CostOptions()
    rota = result.rota
    kpis = result.kpis or compute_kpis(problem, rota)
    costs = term_costs(problem, rota, opts)
    week = lay_out_week(problem, rota)
    footer = footer_of(problem)
    wb = Workbook()
    index = wb.active
    assert index is not None
    index.title = "Index"
    write_summary(wb.create_sheet("Summary"), problem, result, kpis, costs, opts)
    table_sheet(wb.create_sheet("Rota"), rota_table(problem, rota, costs), footer)
    unscheduled = Table(
        UNSCHEDULED_COLUMNS,
        unscheduled_rows(problem, rota),
        {"priority": INT_FORMAT},
        {"reason": 70},
    )
    table_sheet(wb.create_sheet("Unscheduled"), unscheduled, footer)
    _write_costs(wb.create_sheet("Costs"), problem, costs, opts)
    table_sheet(wb.create_sheet("Session costs"), session_costs_table(problem, costs), footer)
    if rota.effective_from is not None:
        changes = changes_table(problem, rota, costs)
        table_sheet(wb.create_sheet(changes_sheet_name(rota.effective_from)), changes, footer)
    table_sheet(wb.create_sheet("Travel"), travel_table(problem, week), footer)
    table_sheet(wb.create_sheet("Rooms"), rooms_table(problem, rota), footer)
    _write_weeks(wb, problem, rota, week, footer)
    entries = [
        IndexEntry(ws.title, SHEET_PURPOSES.get(ws.title, CHANGES_PURPOSE))
        for ws in wb.worksheets[1:]
    ]
    write_index(
        index,
        f"{problem.settings.service_name}: rota for {problem.settings.term_name}",
        _index_lines(problem, kpis.scheduled, kpis.referrals, costs, rota.effective_from),
        entries,
        footer,
    )
    return wb


def _index_lines(
    problem: Problem,
    placed: int,
    referrals: int,
    costs: TermCosts,
    effective_from: dt.date | None = None,
) -> list[str]:
    s = problem.settings
    when = (
        f"{s.term_start:%d %b %Y} to {s.term_end:%d %b %Y}"
        if s.term_start and s.term_end
        else "term dates not set"
    )
    change = (
        f" This rota applies from {effective_from:%d %b %Y}; before it the previous rota's "
        f"sessions ran (see '{changes_sheet_name(effective_from)}')."
        if effective_from is not None
        else ""
    )
    return [
        f"{when}: {placed} of {referrals} referrals placed; cost of the term "
        f"£{costs.total_cost:,.2f}.{change}",
        "Click a sheet's name to open it. Each sheet prints on A4 with its headings on every page.",
    ]


def _write_weeks(wb: Workbook, problem: Problem, rota: Rota, week: Week, footer: str) -> None:
    grids = [
        therapist_grid(problem, rota, t.therapist_id, week.of(t.therapist_id))
        for t in problem.therapists
    ]
    weeks_sheet(wb.create_sheet("Therapist weeks"), grids, footer)
    with_sessions = {x.site_id for x in rota.sessions}
    sites = [s for s in problem.sites if s.site_id in with_sessions]
    per_day = max((len(site_rooms(problem, rota, s.site_id)) for s in sites), default=1)
    site_grids = [
        site_grid(problem, rota, s.site_id, columns_per_day=per_day, busy_days_only=True)
        for s in sites
    ]
    weeks_sheet(wb.create_sheet("Site weeks"), site_grids, footer)


def write_rota_workbook(
    problem: Problem,
    result: Result,
    path: Path | str,
    *,
    force: bool = False,
    options: CostOptions | None = None,
) -> Path:
    """Write the coordinator's workbook atomically; refuses to replace a file unless ``force``."""
    wb = build_rota_workbook(problem, result, options)
    return write_atomic(path, lambda tmp: wb.save(tmp), force=force)
