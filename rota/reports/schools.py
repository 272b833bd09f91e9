"""One workbook per site for the school's liaison person: only that site's sessions.

Each holds a covering sheet (what the school provides, the term, the cost, who to contact),
the weekly sessions (discipline, therapist, the cost of each session and of the term at the
dated rates, every date they take place this term), one row per date for the school's calendar,
and the site's week grid. Clients appear by initials; nothing of any other site is written, so a
workbook can be sent to its school as it is. A child's funding stream is sensitive and a school
does not need it: it is left out unless asked for (``funding=True``, for services whose schools
commission each child's sessions themselves).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from rota.evaluate.term_costs import CostOptions, SessionCost, funding_of, rate_on, term_costs
from rota.models.dates import skipped_text
from rota.models.entities import Site
from rota.models.problem import Problem
from rota.models.result import Result
from rota.models.rota import Rota, Session
from rota.models.timeutil import DAY_INDEX
from rota.reports.atomic import OutputError, check_writable, current_run_id, write_atomic
from rota.reports.cells import (
    INT_FORMAT,
    MONEY_FORMAT,
    TIME_FORMAT,
    put,
    stamp_run,
    time_cell,
    wrap_columns,
)
from rota.reports.grids import grid_sheet, site_grid
from rota.reports.sheets import Table, print_setup, table_sheet
from rota.reports.summary import billing_basis, rates_text

SCHOOL_PROVIDES: tuple[str, ...] = (
    "A suitable therapeutic space for each session: an undisturbed room, available at the "
    "same time each week, where sound will not disturb others (a music room is ideal for "
    "music therapy).",
    "Access to instruments: a piano, a guitar, some tuned and untuned percussion and smaller "
    "instruments (the service may be able to provide some small instruments).",
    "An identified contact or liaison person in the school.",
)
SCHOOL_CO_FACILITATED_NOTE = (
    "A session run by two therapists together is billed once per therapist."
)
SESSION_COLUMNS: tuple[str, ...] = (
    "day",
    "start",
    "end",
    "room",
    "discipline",
    "therapist",
    "client",
    "referral_id",
    "sessions_in_term",
    "cost_per_session",
    "term_cost",
    "dates",
    "no_session_on",
)
DATE_COLUMNS: tuple[str, ...] = (
    "date",
    "day",
    "start",
    "end",
    "room",
    "discipline",
    "therapist",
    "client",
)
_UNSAFE = re.compile(r"[^A-Za-z0-9 _().&,-]+")


@dataclass(frozen=True)
class SchoolOptions:
    """What a school's workbook shows beyond its sessions: each child's funding stream only
    when asked for (services whose schools commission each child's sessions themselves)."""

    funding: bool = False


def safe_file_name(text: str) -> str:
    """Text usable as a file name on Windows, macOS and Linux (no / \\ : * ? " < > |)."""
    name = _UNSAFE.sub("", text.replace("/", "-")).strip(" .")
    return re.sub(r"\s+", " ", name) or "site"


def school_file_name(site: Site) -> str:
    """``<site name> (<site id>).xlsx``: the name the school knows, the id keeps it unique.
    Long names and ids are cut short (with a short code of the id, so names stay unique)."""
    name, ident = safe_file_name(site.name), safe_file_name(site.site_id)
    if len(name) > 80 or len(ident) > 40:
        code = hashlib.sha1(site.site_id.encode("utf-8")).hexdigest()[:8]
        name, ident = name[:80].strip(" ."), f"{ident[:30].strip(' .')} {code}"
    return f"{name} ({ident}).xlsx"


def school_targets(problem: Problem, folder: Path) -> list[Path]:
    """Every school workbook a run may write into ``folder`` (any site may get sessions), so
    that all of them can be checked before solving."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is a file, not a folder")
    names = [school_file_name(site) for site in problem.sites]
    lower = [n.lower() for n in names]
    clash = sorted({n for n in names if lower.count(n.lower()) > 1})
    if clash:
        raise OutputError(
            f"two sites give the same file name '{clash[0]}': make their names differ"
        )
    return [folder / name for name in names]


def _therapist_names(problem: Problem, therapist_ids: Sequence[str]) -> str:
    return ", ".join(
        (problem.therapist_by_id[t].name or t) if t in problem.therapist_by_id else t
        for t in therapist_ids
    )


def _room_name(problem: Problem, room_id: str) -> str:
    room = problem.room_by_id.get(room_id)
    return (room.name or room.room_id) if room else room_id


def _client(problem: Problem, referral_id: str) -> str:
    ref = problem.referral_by_id.get(referral_id)
    return ref.client if ref and ref.client else referral_id


def _discipline(problem: Problem, referral_id: str) -> str:
    ref = problem.referral_by_id.get(referral_id)
    return f"{ref.discipline} therapy" if ref else ""


def _when_and_who(problem: Problem, x: Session) -> list[Any]:
    """Day, start, end, room, discipline, therapists and client: what both of a school's lists
    show of a session."""
    return [
        x.day,
        time_cell(x.start),
        time_cell(x.end),
        _room_name(problem, x.room_id),
        _discipline(problem, x.referral_id),
        _therapist_names(problem, x.therapist_ids),
        _client(problem, x.referral_id),
    ]


def cost_per_session(problem: Problem, sc: SessionCost) -> float | str | None:
    """What one date of the session costs: a number at one rate, in words when the rate
    changes during the term ('£32.67; £34.00 from 01 Mar')."""
    per_date: dict[float, dt.date] = {}
    for d in sc.dates:
        rate = rate_on(problem, d)
        if rate is not None:
            per_date.setdefault(round(sc.billed_minutes / 60 * rate, 2), d)
    if not per_date:
        return None
    if len(per_date) == 1:
        return next(iter(per_date))
    first, *later = sorted(per_date.items(), key=lambda kv: kv[1])
    return "; ".join([f"£{first[0]:.2f}", *(f"£{c:.2f} from {d:%d %b}" for c, d in later)])


def _write_cover(
    ws: Worksheet, problem: Problem, site: Site, costs: Sequence[SessionCost], opts: CostOptions
) -> None:
    s = problem.settings
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 72
    put(ws, 1, 1, f"{s.service_name}: {s.term_name}").font = Font(bold=True, size=14)
    put(ws, 2, 1, f"Weekly sessions at {site.name}").font = Font(bold=True, size=12)
    rows: list[tuple[str, Any, str | None]] = [
        ("For", site.contact or "The school's liaison person", None),
        ("Term starts", s.term_start, "dddd dd mmmm yyyy"),
        ("Term ends", s.term_end, "dddd dd mmmm yyyy"),
        ("Sessions each week", sum(c.last is None for c in costs), INT_FORMAT),
        ("Sessions this term", sum(len(c.dates) for c in costs), INT_FORMAT),
        ("Cost of the term", round(sum(c.cost for c in costs), 2), MONEY_FORMAT),
        ("Hourly rate", rates_text(problem), None),
        ("How the cost is worked out", billing_basis(opts), None),
        ("Co-facilitated sessions", SCHOOL_CO_FACILITATED_NOTE, None),
        ("Service contact", s.service_contact or s.service_name, None),
    ]
    r = _cover_pairs(ws, 4, rows)
    r = _cover_list(ws, r + 1, "What the school provides", [("-", t) for t in SCHOOL_PROVIDES])
    sheets = [
        (
            "Sessions",
            "each weekly session: room, discipline, therapist, what each session and "
            "the term cost, every date it takes place this term",
        ),
        ("Dates", "one row per session date, for the school calendar"),
        ("Week grid", "the week at a glance, by room"),
    ]
    r = _cover_list(ws, r + 1, "In this workbook", sheets)
    put(
        ws,
        r + 1,
        1,
        "Clients are shown by initials only. Please keep this workbook confidential and tell "
        "the service at once if a room or time stops being available.",
    ).font = Font(italic=True)
    print_setup(ws, _footer(problem, site), landscape=False, one_page=True)


def _cover_pairs(ws: Worksheet, r: int, rows: Sequence[tuple[str, Any, str | None]]) -> int:
    first = r
    for label, value, fmt in rows:
        put(ws, r, 1, label).font = Font(bold=True)
        cell = put(ws, r, 2, value)
        cell.alignment = Alignment(horizontal="left")
        if fmt and value is not None and not isinstance(value, str):
            cell.number_format = fmt
        r += 1
    wrap_columns(ws, {"B": 72}, first, r - 1)
    return r


def _cover_list(ws: Worksheet, r: int, heading_text: str, items: Sequence[tuple[str, str]]) -> int:
    put(ws, r, 1, heading_text).font = Font(bold=True, size=12)
    first = r + 1
    for label, text in items:
        r += 1
        put(ws, r, 1, label).alignment = Alignment(horizontal="right", vertical="top")
        put(ws, r, 2, text)
    wrap_columns(ws, {"B": 72}, first, r)
    return r + 1


def _footer(problem: Problem, site: Site) -> str:
    return f"{problem.settings.service_name}: {problem.settings.term_name}, {site.name}"


def sessions_table(problem: Problem, costs: Sequence[SessionCost], options: SchoolOptions) -> Table:
    """The school's weekly sessions with their dates and cost; funding only when asked for."""
    rows: list[list[Any]] = []
    for sc in costs:
        x = sc.session
        row = [
            *_when_and_who(problem, x),
            x.referral_id,
            len(sc.dates),
            cost_per_session(problem, sc),
            sc.cost,
            ", ".join(f"{d:%d %b}" for d in sc.dates),
            skipped_text(sc.skipped),
        ]
        if options.funding:
            row.append(funding_of(problem, x.referral_id))
        rows.append(row)
    total: list[Any] = ["Total", *[None] * 9, round(sum(sc.cost for sc in costs), 2), None, None]
    columns = SESSION_COLUMNS + (("funding",) if options.funding else ())
    formats = {
        "start": TIME_FORMAT,
        "end": TIME_FORMAT,
        "sessions_in_term": INT_FORMAT,
        "cost_per_session": MONEY_FORMAT,
        "term_cost": MONEY_FORMAT,
    }
    wrap = {"room": 14, "therapist": 14, "dates": 34, "no_session_on": 34}
    return Table(columns, [*rows, total + [None] * options.funding], formats, wrap, total=True)


def dates_table(problem: Problem, costs: Sequence[SessionCost]) -> Table:
    """One row per session date, in date order, for the school's calendar."""
    rows = [
        [
            d,
            *_when_and_who(problem, x),
        ]
        for sc in costs
        for x in (sc.session,)
        for d in sc.dates
    ]
    rows.sort(key=lambda r: (r[0], r[2]))
    formats = {"date": "ddd dd/mm/yyyy", "start": TIME_FORMAT, "end": TIME_FORMAT}
    return Table(DATE_COLUMNS, rows, formats, {})


def _at_site(sessions: Sequence[Session], site_id: str) -> tuple[Session, ...]:
    return tuple(
        sorted(
            (x for x in sessions if x.site_id == site_id),
            key=lambda x: (DAY_INDEX[x.day], x.start, x.room_id),
        )
    )


def build_school_workbook(
    problem: Problem,
    rota: Rota,
    site_id: str,
    options: CostOptions | None = None,
    school: SchoolOptions | None = None,
) -> Workbook:
    """One site's workbook in memory: cover, Sessions, Dates and Week grid."""
    opts = options or CostOptions()
    site = problem.site_by_id[site_id]
    own = Rota(
        sessions=_at_site(rota.sessions, site_id),
        effective_from=rota.effective_from,
        before=_at_site(rota.before, site_id),
    )
    costs = term_costs(problem, own, opts).sessions
    footer = _footer(problem, site)
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "For the school"
    _write_cover(cover, problem, site, costs, opts)
    sessions = sessions_table(problem, costs, school or SchoolOptions())
    table_sheet(wb.create_sheet("Sessions"), sessions, footer)
    table_sheet(wb.create_sheet("Dates"), dates_table(problem, costs), footer)
    grid = site_grid(problem, own, site_id, show_ids=False, busy_days_only=True)
    grid_sheet(wb.create_sheet("Week grid"), grid, footer)
    return wb


def write_school_workbooks(
    problem: Problem,
    result: Result,
    out_dir: Path | str,
    *,
    force: bool = False,
    options: CostOptions | None = None,
    school: SchoolOptions | None = None,
) -> list[Path]:
    """Write a workbook for every site with sessions into ``out_dir``; returns their paths.

    Every target is checked before any is written, so a refusal leaves the folder untouched."""
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is a file, not a folder")
    rota = result.rota
    # After a mid-term change a site whose sessions all moved away still gets its dates before.
    with_sessions = {x.site_id for x in (*rota.sessions, *rota.before)}
    sites = [s for s in problem.sites if s.site_id in with_sessions]
    targets = [(s, folder / school_file_name(s)) for s in sites]
    names = [p.name.lower() for _, p in targets]
    if len(set(names)) != len(names):
        raise OutputError("two sites give the same file name: make their names differ")
    for _, path in targets:
        check_writable(path, force)
    written = []
    for site, path in targets:
        wb = build_school_workbook(problem, rota, site.site_id, options, school)
        stamp_run(wb, current_run_id())
        written.append(write_atomic(path, wb.save, force=force))
    return written
