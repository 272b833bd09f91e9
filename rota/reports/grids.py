"""Week grids: a therapist's (or a site's) week drawn as blocks, days across, time rows down.

A therapist's grid is their week as the day rules lay it out (:mod:`rota.reports.week`): each
session, the admin after it, lunch where the rules put it and each drive at its clock times,
with the drive's minutes and where it goes from and to. A site's grid has a column per room
under each day. Every grid has a colour key and prints on one A4 landscape page: on a sheet of
its own (:func:`grid_sheet`), or one per page on a sheet of many (:func:`weeks_sheet`).

Rows follow the slot grid (Settings.slot_minutes), 5 minutes at the finest, and a row is one
point tall per minute, so every block is as tall as it lasts, like a paper diary; the time
column is labelled every quarter of an hour. A block covers every row it touches and its text
carries its exact times, the most important line first (a short block shows its first line, a
block of one 5-minute row only its colour). Where two blocks would share a row (a drive ending
off the grid) the one drawn first (sessions, then admin, lunch, drives) keeps the row and the
other's text joins its block.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rota.models.problem import Problem
from rota.models.rota import Rota, Session
from rota.models.timeutil import Interval, format_time
from rota.reports.cells import put
from rota.reports.sheets import merge, named_style, print_pages, print_setup
from rota.reports.week import TherapistDay
from rota.scheduler.day import Item

BlockKind = Literal["session", "admin", "lunch", "drive"]
KIND_ORDER: dict[str, int] = {"session": 0, "admin": 1, "lunch": 2, "drive": 3}

# Session colours by discipline; admin, lunch and drives lighter so sessions stand out in print.
SESSION_FILLS: dict[str, str] = {"music": "9DC3E6", "drama": "F4B183", "dance": "A9D18E"}
DEFAULT_SESSION_FILL = "B4A7D6"
ADMIN_FILL = "E2EFDA"
LUNCH_FILL = "FBE2EE"
TRAVEL_FILL = "FFF2CC"
HEADER_FILL = "D9D9D9"
OFF_FILL = PatternFill("solid", fgColor="E4E4E4")
OFF_KEY = "off"  # the key entry of the grey outside open hours
THERAPIST_OFF = "not working"
SITE_OFF = "room not free"
FILL_OF_KIND = {"admin": ADMIN_FILL, "lunch": LUNCH_FILL, "drive": TRAVEL_FILL}
KEY_TEXT = {"admin": "admin (notes)", "lunch": "lunch", "drive": "driving"}

THERAPIST_DAY_WIDTH = 24  # characters per day column
SITE_DAY_WIDTH = 24  # characters per day, shared by its rooms
NARROW_CHARS = 11  # a room column narrower than this shows a session in short
ROOM_CHARS = 11.0  # a room's width on a site grid with a sheet of its own
GRID_MIN_CHARS = 120.0  # the days' width of a grid with a sheet of its own, at least
TIME_WIDTH = 7
POINTS_PER_MINUTE = 1.0  # a row's height: 5 points for a 5-minute row
LABEL_MINUTES = 15  # the time column is labelled at least this far apart
MIN_TEXT_POINTS = 8.0  # a block shorter than this shows only its colour

_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HOUR = Side(style="hair", color="A6A6A6")


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
    """A grid column: its header, for a site's grid a second line (the room), and how many
    sheet columns it spans (a site's rooms share a day's width)."""

    header: str
    subheader: str | None = None
    span: int = 1
    open: tuple[Interval, ...] = ()  # when the therapist works (the room is free) that day


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
    key: tuple[tuple[str, str], ...]  # (label, fill) of each colour used
    column_width: float  # characters per sheet column
    off_label: str  # what the greyed times outside each column's open times mean

    @property
    def sheet_columns(self) -> int:
        return sum(c.span for c in self.columns)

    @property
    def has_rooms(self) -> bool:
        return any(c.subheader is not None for c in self.columns)


@dataclass(frozen=True)
class Drawn:
    """Where a grid landed: its first and last sheet rows, and each block's (column, start) ->
    first and last rows (a block that lost every row to earlier blocks is left out)."""

    top: int
    bottom: int
    first_time_row: int
    blocks: dict[tuple[int, int], tuple[int, int]]


def row_minutes_for(slot_minutes: int) -> int:
    """Rows follow the slot grid, 5 minutes at the finest."""
    return max(5, slot_minutes)


def grid_span(
    times: Sequence[tuple[int, int]], row_minutes: int, default: tuple[int, int]
) -> tuple[int, int]:
    """First and last time of a grid covering every range, on whole hours."""
    if not times:
        times = [default]
    start = (min(s for s, _ in times) // 60) * 60
    end = math.ceil(max(e for _, e in times) / 60) * 60
    start -= start % row_minutes  # keep the first row on the row grid (anchored at midnight)
    return start, max(end, start + row_minutes)


def session_fill(discipline: str) -> str:
    return SESSION_FILLS.get(discipline, DEFAULT_SESSION_FILL)


def block_time_text(start: int, end: int) -> str:
    return f"{format_time(start)}-{format_time(end)}"


# ---------------------------------------------------------------------------- drawing
def draw_grid(ws: Worksheet, grid: Grid, top: int = 1) -> Drawn:
    """Draw the grid from row ``top``: title, note, colour key, headers, time rows, blocks."""
    spans = _sheet_spans(grid)
    last_col = spans[-1][1] if spans else 1
    row = _draw_title(ws, grid, top)
    row = _draw_key(ws, grid, row, last_col)
    first_time_row = _draw_headers(ws, grid, row, spans)
    num_rows = (grid.end - grid.start) // grid.row_minutes
    _draw_time_rows(ws, grid, first_time_row, num_rows, spans)
    blocks = _draw_blocks(ws, grid, first_time_row, num_rows, spans)
    return Drawn(top, first_time_row + num_rows - 1, first_time_row, blocks)


def _sheet_spans(grid: Grid) -> list[tuple[int, int]]:
    """First and last sheet column of each grid column (column A holds the times)."""
    out, col = [], 2
    for c in grid.columns:
        out.append((col, col + c.span - 1))
        col += c.span
    return out


def _draw_title(ws: Worksheet, grid: Grid, top: int) -> int:
    put(ws, top, 1, grid.title).font = Font(bold=True, size=14)
    put(ws, top + 1, 1, grid.note).font = Font(italic=True, size=9)
    ws.row_dimensions[top].height = 20
    # Not merged: a narrow grid's title runs on over the empty cells to its right.
    return top + 2


def _box_style(ws: Worksheet, fill: str) -> str:
    """The named style of a coloured, boxed cell (a block, a key entry, a header)."""
    return named_style(
        ws, f"rota grid {fill}", border=_BOX, fill=PatternFill("solid", fgColor=fill)
    )


def _off_key_style(ws: Worksheet) -> str:
    return named_style(ws, "rota grid off key", border=_BOX, fill=OFF_FILL)


def _draw_key(ws: Worksheet, grid: Grid, row: int, last_col: int) -> int:
    """The colour key: 'Key' then one coloured cell per colour used (a second row if needed)."""
    put(ws, row, 1, "Key").font = Font(bold=True, size=8)
    col = 2
    width = max(1, math.ceil(12 / grid.column_width))  # sheet columns per key entry
    for label, fill in grid.key:
        if col + width - 1 > last_col:
            row, col = row + 1, 2
        style = _box_style(ws, fill) if fill != OFF_KEY else _off_key_style(ws)
        for c in range(col, col + width):
            ws.cell(row, c).style = style
        cell = put(ws, row, col, label)
        cell.font = Font(size=8)
        cell.alignment = Alignment(horizontal="center")
        if width > 1:
            merge(ws, row, col, row, col + width - 1)
        col += width
    return row + 1


def _draw_headers(ws: Worksheet, grid: Grid, row: int, spans: list[tuple[int, int]]) -> int:
    """Day headers (merged over a day's rooms), room names under them; returns the first time
    row."""
    rows = 2 if grid.has_rooms else 1
    _header_cell(ws, row, 1, 1, "Time", size=11, last_row=row + rows - 1)
    i = 0
    while i < len(grid.columns):
        j = i
        while (
            rows == 2
            and j + 1 < len(grid.columns)
            and grid.columns[j + 1].header == grid.columns[i].header
        ):
            j += 1
        _header_cell(ws, row, spans[i][0], spans[j][1], grid.columns[i].header, size=11)
        i = j + 1
    if rows == 2:
        for c, (first, last) in zip(grid.columns, spans, strict=True):
            _header_cell(ws, row + 1, first, last, c.subheader or "", size=7)
        ws.row_dimensions[row + 1].height = 24
    return row + rows


def _header_cell(
    ws: Worksheet,
    row: int,
    first: int,
    last: int,
    text: str,
    size: int,
    last_row: int | None = None,
) -> None:
    bottom = last_row or row
    style = _box_style(ws, HEADER_FILL)
    for r in range(row, bottom + 1):
        for c in range(first, last + 1):
            ws.cell(r, c).style = style
    cell = put(ws, row, first, text)
    cell.font = Font(bold=True, size=size)
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if last > first or bottom > row:
        merge(ws, row, first, bottom, last)


def _row_styles(ws: Worksheet) -> dict[tuple[bool, bool], str]:
    """Named styles of an empty grid cell by (on the hour, open): a faint line at every hour
    helps the eye across an empty day; times outside the open hours are grey."""
    out = {}
    for hour in (False, True):
        border = Border(left=_THIN, right=_THIN, top=_HOUR if hour else None)
        out[(hour, True)] = named_style(
            ws, f"rota grid row{' hour' if hour else ''}", border=border
        )
        out[(hour, False)] = named_style(
            ws, f"rota grid off{' hour' if hour else ''}", border=border, fill=OFF_FILL
        )
    return out


def _draw_time_rows(
    ws: Worksheet, grid: Grid, first_row: int, num_rows: int, spans: list[tuple[int, int]]
) -> None:
    styles = _row_styles(ws)
    every = math.ceil(LABEL_MINUTES / grid.row_minutes)  # rows per time label
    for i in range(num_rows):
        t = grid.start + i * grid.row_minutes
        ws.row_dimensions[first_row + i].height = grid.row_minutes * POINTS_PER_MINUTE
        for column, (first, last) in zip(grid.columns, spans, strict=True):
            is_open = not grid.off_label or any(s <= t < e for s, e in column.open)
            style = styles[(t % 60 == 0, is_open)]
            for c in range(first, last + 1):
                ws.cell(first_row + i, c).style = style
    for i in range(0, num_rows, every):
        t = grid.start + i * grid.row_minutes
        cell = put(ws, first_row + i, 1, format_time(t))
        cell.font = Font(size=8, bold=t % 60 == 0)
        cell.alignment = Alignment(vertical="top")
        last = min(num_rows, i + every) - 1
        if last > i:
            merge(ws, first_row + i, 1, first_row + last, 1)


def _draw_blocks(
    ws: Worksheet, grid: Grid, first_row: int, num_rows: int, spans: list[tuple[int, int]]
) -> dict[tuple[int, int], tuple[int, int]]:
    occupied: set[tuple[int, int]] = set()
    owners: dict[tuple[int, int], Cell] = {}
    drawn: dict[tuple[int, int], tuple[int, int]] = {}
    for b in sorted(grid.blocks, key=lambda b: (KIND_ORDER[b.kind], b.column, b.start)):
        first = max(0, (b.start - grid.start) // grid.row_minutes)
        last = min(num_rows, math.ceil((b.end - grid.start) / grid.row_minutes))
        run = _longest_free_run(b.column, first, last, occupied)
        if run is None:
            # No row left (a drive ending off the grid): say it in the text of the block
            # that took its first row, so no time goes unshown.
            owner = owners.get((b.column, first))
            if owner is not None and owner.value:
                put(ws, owner.row, owner.column, f"{owner.value}\n{b.text}")
            continue
        occupied.update((b.column, r) for r in range(*run))
        top, bottom = first_row + run[0], first_row + run[1] - 1
        points = (bottom - top + 1) * grid.row_minutes * POINTS_PER_MINUTE
        text = b.text if points >= MIN_TEXT_POINTS else ""
        cell = _fill_block(ws, b, text, top, bottom, spans[b.column])
        owners.update({(b.column, r): cell for r in range(*run)})
        drawn[(b.column, b.start)] = (top, bottom)
    return drawn


def _fill_block(
    ws: Worksheet, b: Block, text: str, top: int, bottom: int, span: tuple[int, int]
) -> Cell:
    first, last = span
    style = _box_style(ws, b.fill)
    for r in range(top, bottom + 1):
        for c in range(first, last + 1):
            ws.cell(r, c).style = style
    cell = put(ws, top, first, text)
    small = b.kind != "session"
    cell.font = Font(size=6.5 if small else 7.5, italic=small)
    cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
    if bottom > top or last > first:
        merge(ws, top, first, bottom, last)
    return cell


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


def _set_widths(ws: Worksheet, grid: Grid, width: float) -> None:
    ws.column_dimensions["A"].width = TIME_WIDTH
    for c in range(2, grid.sheet_columns + 2):
        ws.column_dimensions[get_column_letter(c)].width = width


def grid_sheet(ws: Worksheet, grid: Grid, footer: str) -> Drawn:
    """One grid on a sheet of its own, printed on one A4 landscape page; a grid of few columns
    (a school with one room used on one day) is widened to :data:`GRID_MIN_CHARS`, so that its
    blocks and title have the page's width."""
    drawn = draw_grid(ws, grid)
    _set_widths(ws, grid, max(grid.column_width, GRID_MIN_CHARS / grid.sheet_columns))
    ws.freeze_panes = f"B{drawn.first_time_row}"
    print_setup(ws, footer, repeat_rows=(1, drawn.first_time_row - 1), one_page=True)
    ws.print_area = f"A1:{get_column_letter(grid.sheet_columns + 1)}{drawn.bottom}"
    return drawn


def weeks_sheet(ws: Worksheet, grids: Sequence[Grid], footer: str) -> list[Drawn]:
    """Many grids on one sheet, one A4 landscape page each (a page break before each). The
    grids share the sheet's column widths, so they must share their column width."""
    placed: list[Drawn] = []
    top = 1
    for grid in grids:
        placed.append(draw_grid(ws, grid, top))
        top = placed[-1].bottom + 2  # a blank row between grids on screen
    if grids:
        widest = max(grids, key=lambda g: g.sheet_columns)
        _set_widths(ws, widest, widest.column_width)
    print_pages(ws, footer, [d.top for d in placed] or [1], landscape=True)
    return placed


# ---------------------------------------------------------------------------- building
def therapist_grid(
    problem: Problem, rota: Rota, therapist_id: str, days: Sequence[TherapistDay]
) -> Grid:
    """A therapist's week: sessions (client, site, room, exact times), admin, lunch and drives,
    all where the day rules put them (``days`` from :func:`rota.reports.week.lay_out_week`)."""
    s = problem.settings
    therapist = problem.therapist_by_id[therapist_id]
    col_of = {d: i for i, d in enumerate(s.days)}
    session_at = {(x.referral_id, x.day, x.start): x for x in rota.sessions}
    blocks = []
    for d in days:
        for item in d.items:
            if item.kind == "session":
                session = session_at[(item.referral_id, d.day, item.start)]
                blocks.append(_session_block(problem, therapist_id, col_of[d.day], session))
            else:
                blocks.append(_item_block(problem, therapist.base_site_id, col_of[d.day], item))
    row = row_minutes_for(s.slot_minutes)
    windows = problem.therapist_windows(therapist_id)
    times = [r for ranges in windows.values() for r in ranges] + [(b.start, b.end) for b in blocks]
    start, end = grid_span(times, row, s.working_day.interval)
    name = f"{therapist.therapist_id} {therapist.name}".strip()
    return Grid(
        title=f"{name}: week rota",
        note=_therapist_note(problem, therapist.base_site_id, days, row),
        columns=tuple(GridColumn(d, open=windows.get(d, ())) for d in s.days),
        blocks=tuple(blocks),
        start=start,
        end=end,
        row_minutes=row,
        key=_key(blocks, THERAPIST_OFF),
        column_width=THERAPIST_DAY_WIDTH,
        off_label=THERAPIST_OFF,
    )


def _therapist_note(problem: Problem, base: str, days: Sequence[TherapistDay], row: int) -> str:
    sessions = sum(len(d.sessions) for d in days)
    contact = sum(d.contact_minutes for d in days)
    driving = sum(d.driving_minutes for d in days)
    return (
        f"{problem.settings.term_name}: {sessions} sessions, {contact} contact minutes and "
        f"{driving} driving minutes a week; base {_site_name(problem, base)}; "
        f"{row}-minute rows, exact times in each block"
    )


def _site_name(problem: Problem, site_id: str) -> str:
    site = problem.site_by_id.get(site_id)
    return site.name if site else site_id


def _room_name(problem: Problem, room_id: str) -> str:
    room = problem.room_by_id.get(room_id)
    return (room.name or room.room_id) if room else room_id


def _place(problem: Problem, site_id: str, base: str) -> str:
    name = _site_name(problem, site_id)
    return f"{name} (base)" if site_id == base else name


def _item_block(problem: Problem, base: str, col: int, item: Item) -> Block:
    """An admin, lunch or drive block; a drive says its minutes and where it goes first, so a
    one-row drive still shows what matters."""
    when = block_time_text(item.start, item.end)
    if item.kind == "drive":
        text = (
            f"drive {item.end - item.start} min to {_place(problem, item.site_id, base)} "
            f"({when} from {_place(problem, item.from_site_id, base)})"
        )
    elif item.kind == "lunch":
        text = f"lunch {when} at {_place(problem, item.site_id, base)}"
    else:
        text = f"admin {when}"
    return Block(col, item.start, item.end, text, item.kind, FILL_OF_KIND[item.kind])


def _session_block(problem: Problem, therapist_id: str, col: int, session: Session) -> Block:
    ref = problem.referral_by_id.get(session.referral_id)
    client = ref.client if ref and ref.client else session.referral_id
    lines = [
        f"{block_time_text(session.start, session.end)} {client} ({session.referral_id})",
        f"{_site_name(problem, session.site_id)}, {_room_name(problem, session.room_id)}",
    ]
    others = [t for t in session.therapist_ids if t != therapist_id]
    if others:
        lines.append("with " + ", ".join(others))
    fill = session_fill(ref.discipline if ref else "")
    return Block(col, session.start, session.end, "\n".join(lines), "session", fill)


def _key(blocks: Sequence[Block], off_label: str) -> tuple[tuple[str, str], ...]:
    """The colours a grid uses: each discipline's sessions, then admin, lunch and driving, and
    the grey of the times outside the open hours (its fill is :data:`OFF_KEY`)."""
    fills = {b.fill for b in blocks if b.kind == "session"}
    out = [(f"{d} session", f) for d, f in SESSION_FILLS.items() if f in fills]
    if DEFAULT_SESSION_FILL in fills:
        out.append(("session", DEFAULT_SESSION_FILL))
    kinds = {b.kind for b in blocks}
    out += [(KEY_TEXT[k], FILL_OF_KIND[k]) for k in ("admin", "lunch", "drive") if k in kinds]
    return (*out, (off_label, OFF_KEY))


def site_grid(
    problem: Problem,
    rota: Rota,
    site_id: str,
    *,
    show_ids: bool = True,
    columns_per_day: int | None = None,
    busy_days_only: bool = False,
) -> Grid:
    """A site's week: for each day a column per room used, each session with its times, client
    and therapist(s); times a room is not free are grey. ``busy_days_only`` leaves out the days
    without a session (the coordinator's sheet of every site).

    ``show_ids`` adds referral and therapist ids (the coordinator's copy); a school's copy shows
    initials and therapist names only. ``columns_per_day`` (at least the number of rooms used)
    lets sites with different numbers of rooms share one sheet's columns; a grid on a sheet of
    its own gives each room at least :data:`ROOM_CHARS`."""
    s = problem.settings
    site = problem.site_by_id[site_id]
    sessions = [x for x in rota.sessions if x.site_id == site_id and x.day in s.days]
    days = [d for d in s.days if any(x.day == d for x in sessions)] if busy_days_only else []
    days = days or list(s.days)
    rooms = site_rooms(problem, rota, site_id)
    per_day = max(columns_per_day or len(rooms), len(rooms), 1)
    spans = [(i + 1) * per_day // len(rooms) - i * per_day // len(rooms) for i in range(len(rooms))]
    free = {r: problem.room_windows(r) if r in problem.room_by_id else {} for r in rooms}
    columns = [
        GridColumn(day, _room_name(problem, room_id), span, free[room_id].get(day, ()))
        for day in days
        for room_id, span in zip(rooms, spans, strict=True)
    ]
    col_of = {
        (day, room_id): i * len(rooms) + j
        for i, day in enumerate(days)
        for j, room_id in enumerate(rooms)
    }
    width = max(6.0 if columns_per_day else ROOM_CHARS, SITE_DAY_WIDTH / per_day)
    narrow = [width * spans[j] < NARROW_CHARS for j in range(len(rooms))]
    blocks = [
        _site_block(
            problem, x, col_of[(x.day, x.room_id)], show_ids, narrow[rooms.index(x.room_id)]
        )
        for x in sessions
    ]
    row = row_minutes_for(s.slot_minutes)
    hours = problem.site_hours(site_id)
    times = [r for ranges in hours.values() for r in ranges] + [(b.start, b.end) for b in blocks]
    start, end = grid_span(times, row, s.working_day.interval)
    return Grid(
        title=f"{site.name} ({site.site_id}): sessions by room and day",
        note=f"{s.term_name}: {len(sessions)} sessions a week; {row}-minute rows, exact times "
        "in each block",
        columns=tuple(columns),
        blocks=tuple(blocks),
        start=start,
        end=end,
        row_minutes=row,
        key=_key(blocks, SITE_OFF),
        column_width=width,
        off_label=SITE_OFF,
    )


def site_rooms(problem: Problem, rota: Rota, site_id: str) -> list[str]:
    """The site's rooms that have a session in the week, in the input's order (all its rooms
    when none has)."""
    used = {x.room_id for x in rota.sessions if x.site_id == site_id}
    listed = [r.room_id for r in problem.rooms_by_site.get(site_id, ())]
    rooms = [r for r in listed if r in used] + sorted(used - set(listed))
    return rooms or listed or [""]


def _site_block(problem: Problem, x: Session, col: int, show_ids: bool, narrow: bool) -> Block:
    """Times, client and therapists each on a line of their own; in a narrow room column the
    start time alone (the block's length shows the end) and therapists by id."""
    ref = problem.referral_by_id.get(x.referral_id)
    client = ref.client if ref and ref.client else x.referral_id
    names = [
        (problem.therapist_by_id[t].name or t) if t in problem.therapist_by_id else t
        for t in x.therapist_ids
    ]
    if show_ids and narrow:
        lines = [format_time(x.start), client, x.referral_id, ", ".join(x.therapist_ids)]
    elif show_ids:
        who = ", ".join(f"{n} ({t})" for n, t in zip(names, x.therapist_ids, strict=True))
        lines = [block_time_text(x.start, x.end), f"{client} ({x.referral_id})", who]
    else:
        lines = [block_time_text(x.start, x.end), client, ", ".join(names)]
    text = "\n".join(lines)
    return Block(col, x.start, x.end, text, "session", session_fill(ref.discipline if ref else ""))
