"""The coordinator's workbook: Summary, Rota, Unscheduled, Costs, Travel and week grids.

The Rota sheet is also the sheet a coordinator edits and :mod:`rota.io.rota_sheet` reads back,
so its header is on row 1, one row per therapist per session, with ids in their own columns.
Numbers are written as numbers and times as real time cells shown ``hh:mm``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rota.evaluate.kpis import DayRoute, compute_kpis, day_routes
from rota.evaluate.term_costs import CostOptions, TermCosts, funding_of, term_costs
from rota.models.problem import Problem
from rota.models.result import Kpis, Result
from rota.models.rota import Rota
from rota.models.timeutil import DAY_INDEX, format_days
from rota.reports.atomic import write_atomic
from rota.reports.cells import (
    HOURS_FORMAT,
    INT_FORMAT,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    TIME_FORMAT,
    fit_columns,
    put,
    sheet_title,
    time_cell,
    write_table,
)
from rota.reports.grids import draw_grid, setup_print, site_grid, therapist_grid

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
    "co_therapists",
    "dates_in_term",
    "term_cost",
)
UNSCHEDULED_COLUMNS: tuple[str, ...] = (
    "referral_id",
    "client",
    "site_id",
    "discipline",
    "priority",
    "reason",
)
CO_FACILITATED_NOTE = (
    "A co-facilitated session is billed once per therapist running it "
    "(each therapist's row in the Rota sheet carries its share)."
)


def billing_basis(options: CostOptions) -> str:
    admin = "session + admin minutes" if options.bill_admin else "session minutes only"
    bank = "bank holidays skipped" if options.bank_holidays else "bank holidays not skipped"
    return f"billed {admin}; {bank}; closures skipped; rate in force on each date"


def scheduled_ids(rota: Rota) -> set[str]:
    return {s.referral_id for s in rota.sessions}


def rota_rows(problem: Problem, rota: Rota, costs: TermCosts) -> list[list[Any]]:
    """Rows of the Rota sheet: one per therapist per session, by therapist, day and start."""
    rows: list[tuple[tuple[Any, ...], list[Any]]] = []
    # term_costs prices the rota's sessions in order.
    for session, sc in zip(rota.sessions, costs.sessions, strict=True):
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


def unscheduled_rows(problem: Problem, rota: Rota) -> list[list[Any]]:
    """Every referral without a session, with the solver's reason where it gave one."""
    placed = scheduled_ids(rota)
    reasons = {u.referral_id: u.reason for u in rota.unscheduled}
    rows = []
    for ref in problem.referrals:
        if ref.referral_id in placed:
            continue
        rows.append(
            [
                ref.referral_id,
                ref.client,
                "|".join(ref.site_ids),
                ref.discipline,
                ref.priority,
                reasons.get(ref.referral_id, "not scheduled"),
            ]
        )
    rows.sort(key=lambda r: (r[4], r[0]))
    return rows


def _write_rota_sheet(ws: Worksheet, problem: Problem, rota: Rota, costs: TermCosts) -> None:
    rows = rota_rows(problem, rota, costs)
    last = write_table(
        ws,
        1,
        ROTA_COLUMNS,
        rows,
        {
            "start": TIME_FORMAT,
            "end": TIME_FORMAT,
            "minutes": INT_FORMAT,
            "group_size": INT_FORMAT,
            "priority": INT_FORMAT,
            "dates_in_term": INT_FORMAT,
            "term_cost": MONEY_FORMAT,
        },
    )
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(ROTA_COLUMNS))}{max(last, 1)}"
    fit_columns(ws)
    setup_print(ws, title_rows="1:1", area=None, one_page=False)


def _section(ws: Worksheet, row: int, title: str) -> int:
    put(ws, row, 1, title).font = Font(bold=True, size=12)
    return row + 1


def _pairs(ws: Worksheet, row: int, items: Sequence[tuple[str, Any, str | None]]) -> int:
    for label, value, fmt in items:
        put(ws, row, 1, label)
        cell = put(ws, row, 2, value)
        if fmt and value is not None and not isinstance(value, str):
            cell.number_format = fmt
        row += 1
    return row


def _write_summary(
    ws: Worksheet,
    problem: Problem,
    result: Result,
    kpis: Kpis,
    costs: TermCosts,
    options: CostOptions,
) -> None:
    s = problem.settings
    rota = result.rota
    put(ws, 1, 1, f"{s.service_name}: rota for {s.term_name}").font = Font(bold=True, size=14)
    row = 3
    row = _pairs(
        ws,
        row,
        [
            ("Term", s.term_name, None),
            ("Term starts", s.term_start, "dd/mm/yyyy"),
            ("Term ends", s.term_end, "dd/mm/yyyy"),
            ("Service days", format_days(s.days), None),
            ("Solver status", result.status, None),
            ("Objective", result.objective, "#,##0"),
            ("Best bound", result.bound, "#,##0"),
            ("Gap", result.gap, "0.00%"),
            ("Solve time (s)", result.wall_seconds, "0.0"),
        ],
    )
    if result.message:
        row = _pairs(ws, row, [("Message", result.message, None)])

    row = _section(ws, row + 1, "Referrals")
    row = _pairs(
        ws,
        row,
        [
            ("Referrals", kpis.referrals, INT_FORMAT),
            ("Scheduled", kpis.scheduled, INT_FORMAT),
            ("Unscheduled", kpis.unscheduled, INT_FORMAT),
            ("Scheduled minutes per week", kpis.scheduled_minutes, "#,##0"),
            ("Unscheduled minutes per week", kpis.unscheduled_minutes, "#,##0"),
            ("Continuity kept", kpis.continuity_kept, INT_FORMAT),
            ("Continuity possible", kpis.continuity_possible, INT_FORMAT),
            ("Preferred times met", kpis.preferred_met, INT_FORMAT),
            ("Preferred times stated", kpis.preferred_possible, INT_FORMAT),
        ],
    )
    placed = scheduled_ids(rota)
    by_priority: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    by_discipline: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for ref in problem.referrals:
        k = 0 if ref.referral_id in placed else 1
        for acc in (by_priority[ref.priority], by_discipline[ref.discipline]):
            acc[k] += 1
            acc[k + 2] += ref.minutes
    heads = ("scheduled", "unscheduled", "scheduled minutes", "unscheduled minutes")
    fmts = {h: "#,##0" for h in heads}
    row = write_table(
        ws,
        row + 1,
        ("priority", *heads),
        [[p, *v] for p, v in sorted(by_priority.items())],
        {"priority": INT_FORMAT, **fmts},
    )
    row = write_table(
        ws,
        row + 2,
        ("discipline", *heads),
        [[d, *v] for d, v in sorted(by_discipline.items())],
        fmts,
    )

    row = _section(ws, row + 2, "Therapists")
    row = _pairs(
        ws,
        row,
        [
            ("Travel minutes per week", kpis.travel_minutes, "#,##0"),
            ("Utilisation (contact / working)", kpis.utilisation, PERCENT_FORMAT),
        ],
    )
    t_heads = (
        "therapist_id",
        "therapist",
        "sessions",
        "contact minutes",
        "working minutes",
        "utilisation",
        "travel minutes",
        "days worked",
    )
    row = write_table(
        ws,
        row + 1,
        t_heads,
        [
            [
                tk.therapist_id,
                problem.therapist_by_id[tk.therapist_id].name
                if tk.therapist_id in problem.therapist_by_id
                else "",
                tk.sessions,
                tk.contact_minutes,
                tk.working_minutes,
                tk.utilisation,
                tk.travel_minutes,
                tk.days_worked,
            ]
            for tk in kpis.therapists
        ],
        {
            "sessions": INT_FORMAT,
            "contact minutes": "#,##0",
            "working minutes": "#,##0",
            "utilisation": PERCENT_FORMAT,
            "travel minutes": "#,##0",
            "days worked": INT_FORMAT,
        },
    )

    row = _section(ws, row + 2, "Room use")
    minutes_by_room: Counter[str] = Counter()
    for session in rota.sessions:
        minutes_by_room[session.room_id] += session.minutes
    row = write_table(
        ws,
        row,
        ("room_id", "room", "site_id", "sessions per week", "minutes per week"),
        [
            [
                room.room_id,
                room.name,
                room.site_id,
                kpis.room_sessions.get(room.room_id, 0),
                minutes_by_room[room.room_id],
            ]
            for room in problem.rooms
        ],  # fmt: skip
        {"sessions per week": INT_FORMAT, "minutes per week": "#,##0"},
    )

    row = _section(ws, row + 2, "Cost of the term")
    row = _pairs(
        ws,
        row,
        [
            ("Sessions in the term", costs.total_occurrences, "#,##0"),
            ("Billed hours", costs.total_billed_hours, HOURS_FORMAT),
            ("Cost", costs.total_cost, MONEY_FORMAT),
            ("Billing", billing_basis(options), None),
            ("Co-facilitated sessions", CO_FACILITATED_NOTE, None),
        ],
    )
    for w in costs.warnings:
        row = _pairs(ws, row, [("Warning", w, None)])

    if result.costs:
        row = _section(ws, row + 1, "Objective terms")
        write_table(
            ws,
            row,
            ("term", "weight", "units", "cost"),
            [[c.label, c.weight, c.units, c.cost] for c in result.costs],
            {"weight": "#,##0", "units": "#,##0", "cost": "#,##0"},
        )
    ws.column_dimensions["A"].width = 32
    for col in "BCDEFGH":
        ws.column_dimensions[col].width = 18
    setup_print(ws, title_rows="1:1", area=None, one_page=False)


def _write_unscheduled(ws: Worksheet, problem: Problem, rota: Rota) -> None:
    last = write_table(
        ws, 1, UNSCHEDULED_COLUMNS, unscheduled_rows(problem, rota), {"priority": INT_FORMAT}
    )
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(UNSCHEDULED_COLUMNS))}{last}"
    fit_columns(ws)
    setup_print(ws, title_rows="1:1", area=None, one_page=False)


def _write_costs(ws: Worksheet, problem: Problem, costs: TermCosts, options: CostOptions) -> None:
    s = problem.settings
    put(ws, 1, 1, f"Cost of {s.term_name}").font = Font(bold=True, size=14)
    put(ws, 2, 1, f"{s.term_start or '?'} to {s.term_end or '?'}; {billing_basis(options)}")
    put(ws, 3, 1, CO_FACILITATED_NOTE)
    rates = "; ".join(
        f"£{r.hourly_rate:.2f}/h from {r.effective_from}"
        for r in sorted(problem.rates, key=lambda r: r.effective_from)
    )
    put(ws, 4, 1, f"Rates: {rates or 'none given'}")
    row = 5
    for w in costs.warnings:
        put(ws, row, 1, f"Warning: {w}")
        row += 1
    money = {
        "sessions per week": INT_FORMAT,
        "sessions in term": "#,##0",
        "billed hours": HOURS_FORMAT,
        "cost": MONEY_FORMAT,
    }
    heads = ("sessions per week", "sessions in term", "billed hours", "cost")
    row = _section(ws, row + 1, "By site")
    site_rows = [
        [g.key, problem.site_by_id[g.key].name if g.key in problem.site_by_id else "",
         g.sessions, g.occurrences, g.billed_hours, g.cost]
        for g in costs.by_site
    ]  # fmt: skip
    total = ["Total", "", sum(g.sessions for g in costs.by_site), costs.total_occurrences,
             costs.total_billed_hours, costs.total_cost]  # fmt: skip
    row = write_table(ws, row, ("site_id", "site", *heads), [*site_rows, total], money)
    ws.cell(row, 1).font = Font(bold=True)

    row = _section(ws, row + 2, "By funding source")
    fund_rows = [
        [g.key, g.sessions, g.occurrences, g.billed_hours, g.cost] for g in costs.by_funding
    ]
    total = ["Total", *total[2:]]
    row = write_table(ws, row, ("funding", *heads), [*fund_rows, total], money)
    ws.cell(row, 1).font = Font(bold=True)

    row = _section(ws, row + 2, "By session")
    session_rows = []
    for sc in sorted(
        costs.sessions, key=lambda c: (c.session.site_id, DAY_INDEX[c.session.day], c.session.start)
    ):
        x = sc.session
        session_rows.append(
            [
                x.referral_id,
                x.site_id,
                x.day,
                time_cell(x.start),
                ", ".join(x.therapist_ids),
                sc.billed_minutes,
                len(sc.dates),
                "; ".join(f"{k.date:%d %b}: {k.reason}" for k in sc.skipped),
                sc.billed_hours,
                sc.cost,
            ]
        )
    write_table(
        ws,
        row,
        ("referral_id", "site_id", "day", "start", "therapists", "billed minutes per date",
         "sessions in term", "dates skipped", "billed hours", "cost"),
        session_rows,
        {"start": TIME_FORMAT, "billed minutes per date": INT_FORMAT, **money},
    )  # fmt: skip
    for col, width in zip("ABCDEFGHIJ", (30, 26, 16, 16, 14, 12, 12, 60, 12, 12), strict=True):
        ws.column_dimensions[col].width = width
    ws.cell(1, 1).alignment = Alignment(wrap_text=False)
    setup_print(ws, title_rows="1:1", area=None, one_page=False)


def _route_text(problem: Problem, route: DayRoute) -> str:
    if not route.legs:
        return f"{route.sites[0]} (all day)"
    parts = [route.legs[0].from_site_id]
    for leg in route.legs:
        parts.append(f"-> {leg.minutes} min -> {leg.to_site_id}")
    return " ".join(parts)


def _write_travel(ws: Worksheet, problem: Problem, routes: Sequence[DayRoute]) -> None:
    rows = []
    for route in routes:
        t = problem.therapist_by_id.get(route.therapist_id)
        rows.append(
            [
                route.therapist_id,
                t.name if t else "",
                route.day,
                _route_text(problem, route),
                route.minutes,
                len(route.legs),
                time_cell(route.legs[0].depart) if route.legs else None,
                time_cell(route.legs[-1].arrive) if route.legs else None,
            ]
        )
    heads = ("therapist_id", "therapist", "day", "route", "travel minutes", "drives",
             "first departure", "last arrival")  # fmt: skip
    last = write_table(
        ws,
        1,
        heads,
        rows,
        {"travel minutes": INT_FORMAT, "drives": INT_FORMAT, "first departure": TIME_FORMAT,
         "last arrival": TIME_FORMAT},
    )  # fmt: skip
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{last}"
    fit_columns(ws)
    setup_print(ws, title_rows="1:1", area=None, one_page=False)


def build_rota_workbook(
    problem: Problem, result: Result, options: CostOptions | None = None
) -> Workbook:
    """The coordinator's workbook in memory (see the module docstring for its sheets)."""
    opts = options or CostOptions()
    rota = result.rota
    kpis = result.kpis or compute_kpis(problem, rota)
    costs = term_costs(problem, rota, opts)
    routes = day_routes(problem, rota)
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = "Summary"
    _write_summary(summary, problem, result, kpis, costs, opts)
    _write_rota_sheet(wb.create_sheet("Rota"), problem, rota, costs)
    _write_unscheduled(wb.create_sheet("Unscheduled"), problem, rota)
    _write_costs(wb.create_sheet("Costs"), problem, costs, opts)
    _write_travel(wb.create_sheet("Travel"), problem, routes)
    taken = {ws.title for ws in wb.worksheets}
    for t in problem.therapists:
        ws = wb.create_sheet(sheet_title(f"{t.therapist_id} {t.name}".strip(), taken))
        draw_grid(ws, therapist_grid(problem, rota, t.therapist_id, routes))
    for site in problem.sites:
        if not any(x.site_id == site.site_id for x in rota.sessions):
            continue
        ws = wb.create_sheet(sheet_title(f"Site {site.site_id}", taken))
        draw_grid(ws, site_grid(problem, rota, site.site_id))
    return wb


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
