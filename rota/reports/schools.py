"""One workbook per site for the school's liaison person: only that site's sessions.

Each holds a covering sheet (what the school provides, the term, the cost, who to contact),
the weekly sessions with every date they take place this term, one row per date for the
school's calendar, and the site's week grid. Clients appear by initials; nothing of any other
site is written, so a workbook can be sent to its school as it is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rota.evaluate.term_costs import CostOptions, SessionCost, term_costs
from rota.models.entities import Site
from rota.models.problem import Problem
from rota.models.result import Result
from rota.models.rota import Rota
from rota.models.timeutil import DAY_INDEX
from rota.reports.atomic import OutputError, check_writable, current_run_id, write_atomic
from rota.reports.cells import (
    INT_FORMAT,
    MONEY_FORMAT,
    TIME_FORMAT,
    fit_columns,
    put,
    stamp_run,
    time_cell,
    wrap_columns,
    write_table,
)
from rota.reports.coordinator import (
    billing_basis,
)
from rota.reports.grids import draw_grid, setup_print, site_grid

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
    "therapist",
    "client",
    "referral_id",
    "funding",
    "sessions_in_term",
    "dates",
    "no_session_on",
    "term_cost",
)
DATE_COLUMNS: tuple[str, ...] = ("date", "day", "start", "end", "room", "therapist", "client")
_UNSAFE = re.compile(r"[^A-Za-z0-9 _().&,-]+")


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


def _write_cover(
    ws: Worksheet, problem: Problem, site: Site, costs: Sequence[SessionCost], opts: CostOptions
) -> None:
    s = problem.settings
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 90
    put(ws, 1, 1, f"{s.service_name}: {s.term_name}").font = Font(bold=True, size=14)
    put(ws, 2, 1, f"Weekly sessions at {site.name}").font = Font(bold=True, size=12)
    rows: list[tuple[str, str | int | float | dt.date | None, str | None]] = [
        ("For", site.contact or "The school's liaison person", None),
        ("Term starts", s.term_start, "dd/mm/yyyy"),
        ("Term ends", s.term_end, "dd/mm/yyyy"),
        ("Sessions each week", len(costs), INT_FORMAT),
        ("Sessions this term", sum(len(c.dates) for c in costs), INT_FORMAT),
        ("Cost of the term", round(sum(c.cost for c in costs), 2), MONEY_FORMAT),
        ("How the cost is worked out", billing_basis(opts), None),
        ("Co-facilitated sessions", SCHOOL_CO_FACILITATED_NOTE, None),
        ("Service contact", s.service_contact or s.service_name, None),
    ]
    r = 4
    for label, value, fmt in rows:
        put(ws, r, 1, label).font = Font(bold=True)
        cell = put(ws, r, 2, value)
        if fmt and value is not None and not isinstance(value, str):
            cell.number_format = fmt
            cell.alignment = Alignment(horizontal="left")
        r += 1
    wrap_columns(ws, {"B": 90}, 4, r - 1)
    r += 1
    put(ws, r, 1, "What the school provides").font = Font(bold=True, size=12)
    first_item = r + 1
    for item in SCHOOL_PROVIDES:
        r += 1
        put(ws, r, 1, "-").alignment = Alignment(horizontal="right", vertical="top")
        put(ws, r, 2, item)
    wrap_columns(ws, {"B": 90}, first_item, r)
    r += 2
    put(ws, r, 1, "In this workbook").font = Font(bold=True, size=12)
    for label, text in (
        ("Sessions", "each weekly session with every date it takes place this term"),
        ("Dates", "one row per session date, for the school calendar"),
        ("Week grid", "the week at a glance, by room"),
    ):
        r += 1
        put(ws, r, 1, label)
        put(ws, r, 2, text)
    r += 2
    put(
        ws,
        r,
        1,
        "Clients are shown by initials only. Please keep this workbook confidential and tell "
        "the service at once if a room or time stops being available.",
    ).font = Font(italic=True)
    setup_print(ws, title_rows="1:1", area=None, one_page=True)
    ws.page_setup.orientation = "portrait"


def _write_sessions(ws: Worksheet, problem: Problem, costs: Sequence[SessionCost]) -> None:
    rows = []
    for sc in costs:
        x = sc.session
        ref = problem.referral_by_id.get(x.referral_id)
        rows.append(
            [
                x.day,
                time_cell(x.start),
                time_cell(x.end),
                _room_name(problem, x.room_id),
                _therapist_names(problem, x.therapist_ids),
                _client(problem, x.referral_id),
                x.referral_id,
                (ref.funding if ref else "") or "unspecified",
                len(sc.dates),
                ", ".join(f"{d:%d %b}" for d in sc.dates),
                "; ".join(f"{k.date:%d %b} ({k.reason})" for k in sc.skipped),
                sc.cost,
            ]
        )
    last = write_table(
        ws,
        1,
        SESSION_COLUMNS,
        rows,
        {
            "start": TIME_FORMAT,
            "end": TIME_FORMAT,
            "sessions_in_term": INT_FORMAT,
            "term_cost": MONEY_FORMAT,
        },
    )
    total = put(ws, last + 1, len(SESSION_COLUMNS), round(sum(sc.cost for sc in costs), 2))
    total.number_format = MONEY_FORMAT
    total.font = Font(bold=True)
    put(ws, last + 1, 1, "Total").font = Font(bold=True)
    ws.freeze_panes = "A2"
    fit_columns(ws)
    wrap_columns(ws, {"J": 45, "K": 50}, 2, last)
    for r in range(2, last + 1):
        for c in range(1, len(SESSION_COLUMNS) + 1):
            ws.cell(r, c).alignment = Alignment(wrap_text=True, vertical="top")
    setup_print(ws, title_rows="1:1", area=None, one_page=False)


def _write_dates(ws: Worksheet, problem: Problem, costs: Sequence[SessionCost]) -> None:
    rows = []
    for sc in costs:
        x = sc.session
        for d in sc.dates:
            rows.append(
                [
                    d,
                    x.day,
                    time_cell(x.start),
                    time_cell(x.end),
                    _room_name(problem, x.room_id),
                    _therapist_names(problem, x.therapist_ids),
                    _client(problem, x.referral_id),
                ]
            )
    rows.sort(key=lambda r: (r[0], r[2]))
    last = write_table(
        ws,
        1,
        DATE_COLUMNS,
        rows,
        {"date": "ddd dd/mm/yyyy", "start": TIME_FORMAT, "end": TIME_FORMAT},
    )
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(DATE_COLUMNS))}{last}"
    fit_columns(ws)
    ws.column_dimensions["A"].width = 16
    setup_print(ws, title_rows="1:1", area=None, one_page=False)


def build_school_workbook(
    problem: Problem, rota: Rota, site_id: str, options: CostOptions | None = None
) -> Workbook:
    """One site's workbook in memory: cover, Sessions, Dates and Week grid."""
    opts = options or CostOptions()
    site = problem.site_by_id[site_id]
    own = Rota(
        sessions=tuple(
            sorted(
                (x for x in rota.sessions if x.site_id == site_id),
                key=lambda x: (DAY_INDEX[x.day], x.start, x.room_id),
            )
        )
    )
    costs = term_costs(problem, own, opts).sessions
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "For the school"
    _write_cover(cover, problem, site, costs, opts)
    _write_sessions(wb.create_sheet("Sessions"), problem, costs)
    _write_dates(wb.create_sheet("Dates"), problem, costs)
    draw_grid(wb.create_sheet("Week grid"), site_grid(problem, own, site_id, show_ids=False))
    return wb


def write_school_workbooks(
    problem: Problem,
    result: Result,
    out_dir: Path | str,
    *,
    force: bool = False,
    options: CostOptions | None = None,
) -> list[Path]:
    """Write a workbook for every site with sessions into ``out_dir``; returns their paths.

    Every target is checked before any is written, so a refusal leaves the folder untouched."""
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is a file, not a folder")
    rota = result.rota
    with_sessions = {x.site_id for x in rota.sessions}
    sites = [s for s in problem.sites if s.site_id in with_sessions]
    targets = [(s, folder / school_file_name(s)) for s in sites]
    names = [p.name.lower() for _, p in targets]
    if len(set(names)) != len(names):
        raise OutputError("two sites give the same file name: make their names differ")
    for _, path in targets:
        check_writable(path, force)
    written = []
    for site, path in targets:
        wb = build_school_workbook(problem, rota, site.site_id, options)
        stamp_run(wb, current_run_id())
        written.append(write_atomic(path, wb.save, force=force))
    return written
