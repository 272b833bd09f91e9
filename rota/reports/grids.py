"""Week grids: a therapist's (or a site's) week drawn as blocks, days across, time rows down.

Each grid goes on its own sheet, set up to print as one A4 landscape page with its title and
header rows repeated. One sheet per therapist (rather than one long sheet with page breaks) so
that every page's repeated header can name its own therapist, the tab names the therapist, and
a coordinator prints one person's week by printing one sheet.

Rows follow the slot grid (Settings.slot_minutes) when it is 10 minutes or more; a 5-minute grid
would need over a hundred rows for a day and print unreadably small, so it is drawn in 15-minute
rows, a block covering every row it touches, and each block's text carries its exact times.
Where two blocks would share a row (a 5-minute gap drawn in 15-minute rows) the one drawn first
(sessions, then admin, then travel) keeps the row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from rota.evaluate.kpis import DayRoute
from rota.models.problem import Problem
from rota.models.rota import Rota
from rota.models.timeutil import format_time
from rota.reports.cells import put

BlockKind = Literal["session", "admin", "travel"]
KIND_ORDER: dict[str, int] = {"session": 0, "admin": 1, "travel": 2}

# Session colours by discipline; admin and travel lighter so sessions stand out in print.
SESSION_FILLS: dict[str, str] = {"music": "9DC3E6", "drama": "F4B183", "dance": "A9D18E"}
DEFAULT_SESSION_FILL = "B4A7D6"
ADMIN_FILL = "EDEDED"
TRAVEL_FILL = "FFF2CC"
HEADER_FILL = "D9D9D9"

TITLE_ROW = 1
NOTE_ROW = 2
FIRST_HEADER_ROW = 3

_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class Block:
    """Something in a grid column from ``start`` to ``end`` (minutes after midnight)."""

    column: int  # 0-based index into the grid's columns
    start: int
    end: int
    text: str
    kind: BlockKind
    fill: str


@dataclass(frozen=True)
class GridColumn:
    """A grid column: its header and, for a site's grid, a second header line (the room)."""

    header: str
    subheader: str | None = None


@dataclass(frozen=True)
class Grid:
    """A week grid ready to draw."""

    title: str
    note: str
    columns: tuple[GridColumn, ...]
    blocks: tuple[Block, ...]
    start: int  # first row's time
    end: int  # last row's end
    row_minutes: int


def row_minutes_for(slot_minutes: int) -> int:
    """Rows follow the slot grid unless it is finer than 10 minutes (then 15-minute rows)."""
    return slot_minutes if slot_minutes >= 10 else 15


def grid_span(
    times: Sequence[tuple[int, int]], row_minutes: int, default: tuple[int, int]
) -> tuple[int, int]:
    """First and last time of a grid covering every range, on whole hours."""
    if not times:
        times = [default]
    start = min(s for s, _ in times)
    end = max(e for _, e in times)
    start = (start // 60) * 60
    end = math.ceil(end / 60) * 60
    # Keep the first row on the row grid (anchored at midnight).
    start -= start % row_minutes
    return start, max(end, start + row_minutes)


def session_fill(discipline: str) -> str:
    return SESSION_FILLS.get(discipline, DEFAULT_SESSION_FILL)


def block_time_text(start: int, end: int) -> str:
    return f"{format_time(start)}-{format_time(end)}"


def draw_grid(ws: Worksheet, grid: Grid) -> dict[tuple[int, int], tuple[int, int]]:
    """Draw the grid on an empty sheet; returns each drawn block's (column, start) -> rows.

    The value is the first and last sheet row of the block (a block that lost every row to
    earlier blocks is left out)."""
    ncols = len(grid.columns)
    last_col = ncols + 1
    has_sub = any(c.subheader is not None for c in grid.columns)
    header_rows = 2 if has_sub else 1
    first_time_row = FIRST_HEADER_ROW + header_rows
    num_rows = (grid.end - grid.start) // grid.row_minutes

    put(ws, TITLE_ROW, 1, grid.title).font = Font(bold=True, size=14)
    put(ws, NOTE_ROW, 1, grid.note).font = Font(italic=True, size=9)
    if last_col > 1:
        ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=last_col)
        ws.merge_cells(start_row=NOTE_ROW, start_column=1, end_row=NOTE_ROW, end_column=last_col)

    head_fill = PatternFill("solid", fgColor=HEADER_FILL)
    time_head = put(ws, FIRST_HEADER_ROW, 1, "Time")
    time_head.font = Font(bold=True)
    time_head.fill = head_fill
    if has_sub:
        ws.merge_cells(
            start_row=FIRST_HEADER_ROW, start_column=1, end_row=FIRST_HEADER_ROW + 1, end_column=1
        )
    # Header: merge runs of equal headers (a site's day over its rooms).
    col = 0
    while col < ncols:
        run_end = col
        while (
            has_sub
            and run_end + 1 < ncols
            and grid.columns[run_end + 1].header == grid.columns[col].header
        ):
            run_end += 1
        cell = put(ws, FIRST_HEADER_ROW, col + 2, grid.columns[col].header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
        for c in range(col, run_end + 1):
            ws.cell(FIRST_HEADER_ROW, c + 2).fill = head_fill
            ws.cell(FIRST_HEADER_ROW, c + 2).border = _BOX
        if run_end > col:
            ws.merge_cells(
                start_row=FIRST_HEADER_ROW,
                start_column=col + 2,
                end_row=FIRST_HEADER_ROW,
                end_column=run_end + 2,
            )
        col = run_end + 1
    if has_sub:
        for c, gc in enumerate(grid.columns):
            cell = put(ws, FIRST_HEADER_ROW + 1, c + 2, gc.subheader or "")
            cell.font = Font(bold=True, size=9)
            cell.fill = head_fill
            cell.border = _BOX
            cell.alignment = Alignment(horizontal="center", wrap_text=True)

    for i in range(num_rows):
        t = grid.start + i * grid.row_minutes
        cell = put(ws, first_time_row + i, 1, format_time(t))
        cell.font = Font(size=9, bold=t % 60 == 0)
        cell.alignment = Alignment(vertical="top")
        for c in range(ncols):
            ws.cell(first_time_row + i, c + 2).border = Border(left=_THIN, right=_THIN)

    occupied: set[tuple[int, int]] = set()
    owners: dict[tuple[int, int], Cell] = {}
    drawn: dict[tuple[int, int], tuple[int, int]] = {}
    ordered = sorted(grid.blocks, key=lambda b: (KIND_ORDER[b.kind], b.column, b.start))
    for b in ordered:
        first = max(0, (b.start - grid.start) // grid.row_minutes)
        last = min(num_rows, math.ceil((b.end - grid.start) / grid.row_minutes))
        run = _longest_free_run(b.column, first, last, occupied)
        if run is None:
            # No row left (admin squeezed under a session in coarse rows): say it in the
            # text of the block that took its first row, so no time goes unshown.
            owner = owners.get((b.column, first))
            if owner is not None:
                put(ws, owner.row, owner.column, f"{owner.value}\n{b.text}")
            continue
        r0, r1 = run
        for r in range(r0, r1):
            occupied.add((b.column, r))
        top, bottom = first_time_row + r0, first_time_row + r1 - 1
        column = b.column + 2
        cell = put(ws, top, column, b.text)
        for r in range(r0, r1):
            owners[(b.column, r)] = cell
        small = b.kind != "session"
        cell.font = Font(size=7 if small else 8, italic=small)
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        fill = PatternFill("solid", fgColor=b.fill)
        for r in range(top, bottom + 1):
            ws.cell(r, column).fill = fill
            ws.cell(r, column).border = _BOX
        if bottom > top:
            ws.merge_cells(start_row=top, start_column=column, end_row=bottom, end_column=column)
        drawn[(b.column, b.start)] = (top, bottom)

    ws.column_dimensions["A"].width = 7
    width = 24 if not has_sub else max(12, min(24, 120 // max(1, ncols)))
    for c in range(ncols):
        ws.column_dimensions[get_column_letter(c + 2)].width = width
    for i in range(num_rows):
        ws.row_dimensions[first_time_row + i].height = 15
    ws.freeze_panes = f"B{first_time_row}"
    setup_print(
        ws,
        title_rows=f"{TITLE_ROW}:{first_time_row - 1}",
        area=f"A1:{get_column_letter(last_col)}{first_time_row + num_rows - 1}",
        one_page=True,
    )
    return drawn


def setup_print(ws: Worksheet, *, title_rows: str, area: str | None, one_page: bool) -> None:
    """A4 landscape, fitted to one page wide (and tall when ``one_page``), header repeated."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = title_rows
    if area:
        ws.print_area = area
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if ws.oddFooter is not None and ws.oddFooter.center is not None:
        ws.oddFooter.center.text = "&A - page &P of &N"


def _longest_free_run(
    column: int, first: int, last: int, occupied: set[tuple[int, int]]
) -> tuple[int, int] | None:
    best: tuple[int, int] | None = None
    r = first
    while r < last:
        if (column, r) in occupied:
            r += 1
            continue
        s = r
        while r < last and (column, r) not in occupied:
            r += 1
        if best is None or r - s > best[1] - best[0]:
            best = (s, r)
    return best


def therapist_grid(
    problem: Problem, rota: Rota, therapist_id: str, routes: Sequence[DayRoute] = ()
) -> Grid:
    """A therapist's week: sessions (client, site, room, exact times), admin after each, travel."""
    s = problem.settings
    therapist = problem.therapist_by_id[therapist_id]
    days = list(s.days)
    col_of = {d: i for i, d in enumerate(days)}
    row = row_minutes_for(s.slot_minutes)
    blocks: list[Block] = []
    for session in rota.sessions:
        if therapist_id not in session.therapist_ids or session.day not in col_of:
            continue
        ref = problem.referral_by_id.get(session.referral_id)
        site = problem.site_by_id.get(session.site_id)
        room = problem.room_by_id.get(session.room_id)
        client = ref.client if ref and ref.client else session.referral_id
        others = [t for t in session.therapist_ids if t != therapist_id]
        lines = [
            f"{block_time_text(session.start, session.end)} {client} ({session.referral_id})",
            f"{site.name if site else session.site_id}, "
            f"{(room.name or room.room_id) if room else session.room_id}",
        ]
        if others:
            lines.append("with " + ", ".join(others))
        col = col_of[session.day]
        fill = session_fill(ref.discipline if ref else "")
        blocks.append(Block(col, session.start, session.end, "\n".join(lines), "session", fill))
        if s.admin_minutes:
            end = session.end + s.admin_minutes
            text = f"admin {block_time_text(session.end, end)}"
            blocks.append(Block(col, session.end, end, text, "admin", ADMIN_FILL))
    legs = [
        (route.day, leg)
        for route in routes
        if route.therapist_id == therapist_id and route.day in col_of
        for leg in route.legs
        if leg.minutes > 0
    ]
    for day, leg in legs:
        # Minutes and destination first: a one-row drive still shows what matters.
        text = (
            f"drive {leg.minutes} min to {leg.to_site_id} "
            f"({block_time_text(leg.depart, leg.arrive)} from {leg.from_site_id})"
        )
        blocks.append(Block(col_of[day], leg.depart, leg.arrive, text, "travel", TRAVEL_FILL))
    windows = problem.therapist_windows(therapist_id)
    times = [r for ranges in windows.values() for r in ranges] + [(b.start, b.end) for b in blocks]
    start, end = grid_span(times, row, s.working_day.interval)
    name = f"{therapist.therapist_id} {therapist.name}".strip()
    note = (
        f"{s.term_name}: sessions coloured by discipline, admin grey, travel yellow; "
        f"{row}-minute rows, exact times in each block"
    )
    return Grid(
        title=f"{name}: week rota",
        note=note,
        columns=tuple(GridColumn(d) for d in days),
        blocks=tuple(blocks),
        start=start,
        end=end,
        row_minutes=row,
    )


def site_grid(problem: Problem, rota: Rota, site_id: str, *, show_ids: bool = True) -> Grid:
    """A site's week: for each day a column per room, each session with client and therapist(s).

    ``show_ids`` adds referral and therapist ids (the coordinator's copy); a school's copy shows
    initials and therapist names only."""
    s = problem.settings
    site = problem.site_by_id[site_id]
    row = row_minutes_for(s.slot_minutes)
    sessions = [x for x in rota.sessions if x.site_id == site_id and x.day in s.days]
    rooms = [r.room_id for r in problem.rooms_by_site.get(site_id, ())]
    rooms += sorted({x.room_id for x in sessions} - set(rooms))
    columns: list[GridColumn] = []
    col_of: dict[tuple[str, str], int] = {}
    for day in s.days:
        for room_id in rooms:
            room = problem.room_by_id.get(room_id)
            col_of[(day, room_id)] = len(columns)
            columns.append(GridColumn(day, (room.name or room_id) if room else room_id))
    blocks: list[Block] = []
    for x in sessions:
        ref = problem.referral_by_id.get(x.referral_id)
        client = ref.client if ref and ref.client else x.referral_id
        names = [
            problem.therapist_by_id[t].name or t if t in problem.therapist_by_id else t
            for t in x.therapist_ids
        ]
        who = ", ".join(
            f"{n} ({t})" if show_ids else n for n, t in zip(names, x.therapist_ids, strict=True)
        )
        head = f"{client} ({x.referral_id})" if show_ids else client
        text = f"{block_time_text(x.start, x.end)} {head}\n{who}"
        fill = session_fill(ref.discipline if ref else "")
        blocks.append(Block(col_of[(x.day, x.room_id)], x.start, x.end, text, "session", fill))
    hours = problem.site_hours(site_id)
    times = [r for ranges in hours.values() for r in ranges] + [(b.start, b.end) for b in blocks]
    start, end = grid_span(times, row, s.working_day.interval)
    return Grid(
        title=f"{site.name} ({site.site_id}): sessions by room and day",
        note=f"{s.term_name}: {row}-minute rows, exact times in each block",
        columns=tuple(columns),
        blocks=tuple(blocks),
        start=start,
        end=end,
        row_minutes=row,
    )
