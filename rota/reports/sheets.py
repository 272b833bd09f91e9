"""What every output sheet shares: readable headings, tables, notes, the index and print settings.

Print settings: A4, an orientation, one page wide (or a scale that makes every page one page
wide, where a sheet holds one week grid per page), the header rows repeated on every page and a
footer with the term, the sheet and the page number. Every sheet of every workbook the tool
writes goes through :func:`print_setup` or :func:`print_pages`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from rota.reports.cells import MONEY_FORMAT, put, wrap_columns, write_table

# A4 in points, and the margins (inches) every sheet prints with.
A4_POINTS = (595.0, 842.0)
MARGIN_SIDE = 0.4
MARGIN_TOP = 0.5
MARGIN_BOTTOM = 0.6  # room for the footer
DEFAULT_ROW_POINTS = 15.0
LINE_POINTS = 15.0  # a line of 11-point text
# Text is narrower than the digits a column width counts, but a wider font (LibreOffice's
# stand-in for Calibri) needs about this much more room: row heights allow for it.
WRAP_SAFETY = 1.15
DEFAULT_COLUMN_WIDTH = 8.43
# Column widths are in characters of the default font (Calibri). LibreOffice without Calibri's
# metric twin (Carlito) draws them with a wider font, up to about 26% wider; a sheet printed at
# a computed scale keeps that much room so that it stays one page wide there too.
WIDTH_SAFETY = 1.3
# Words that keep their capitals in a heading.
_UPPER = {"id": "ID", "ids": "IDs"}


def heading(name: str) -> str:
    """A column's contract name as a person reads it: ``referral_id`` -> ``Referral ID``.

    Lower-cased with spaces turned into underscores it is the contract name again, which is how
    :mod:`rota.io.rota_sheet` finds a column."""
    words = name.split("_")
    out = [_UPPER.get(w, w) for w in words]
    if out and out[0] == words[0]:
        out[0] = out[0][:1].upper() + out[0][1:]
    return " ".join(out)


def escape_footer(text: str) -> str:
    """Text for a header/footer section: ``&`` starts a code there, so it is doubled."""
    return text.replace("&", "&&")


def print_setup(
    ws: Worksheet,
    footer: str,
    *,
    landscape: bool = True,
    repeat_rows: tuple[int, int] | None = (1, 1),
    one_page: bool = False,
) -> None:
    """A4, fitted to one page wide (and tall when ``one_page``), ``repeat_rows`` printed at the
    top of every page, and a footer with ``footer`` (the term), the sheet and the page."""
    _page(ws, footer, landscape)
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    if repeat_rows is not None:
        ws.print_title_rows = f"{repeat_rows[0]}:{repeat_rows[1]}"


def print_pages(ws: Worksheet, footer: str, page_tops: Sequence[int], *, landscape: bool) -> int:
    """A sheet of one-page blocks (a week grid each) starting on ``page_tops``: a page break
    before every block but the first, and one scale at which the widest and the tallest block
    each fill at most one page. Returns the scale (percent).

    (Excel ignores page breaks on a sheet fitted to pages, so the fit is a computed scale.)"""
    _page(ws, footer, landscape)
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
    last = ws.max_row
    bottoms = [t - 1 for t in page_tops[1:]] + [last]
    tallest = max(
        (rows_points(ws, top, bottom) for top, bottom in zip(page_tops, bottoms, strict=True)),
        default=0.0,
    )
    width, height = printable_points(ws)
    wide = columns_points(ws, 1, ws.max_column) * WIDTH_SAFETY
    scale = min(100, math.floor(100 * min(width / max(wide, 1), height / max(tallest, 1))))
    ws.page_setup.scale = max(10, scale)
    for top in page_tops[1:]:
        ws.row_breaks.append(Break(id=top - 1))
    return max(10, scale)


def _page(ws: Worksheet, footer: str, landscape: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_margins.left = ws.page_margins.right = MARGIN_SIDE
    ws.page_margins.top = MARGIN_TOP
    ws.page_margins.bottom = MARGIN_BOTTOM
    ws.page_margins.footer = 0.25
    page_footer = ws.oddFooter
    assert page_footer is not None
    for part, text in (
        (page_footer.left, escape_footer(footer)),
        (page_footer.center, "&A"),
        (page_footer.right, "Page &P of &N"),
    ):
        part.text = text
        part.size = 8


def printable_points(ws: Worksheet) -> tuple[float, float]:
    """Width and height of the printable area of the sheet's page, in points."""
    short, long = A4_POINTS
    width, height = (long, short) if ws.page_setup.orientation == "landscape" else (short, long)
    m = ws.page_margins
    return width - 72 * (m.left + m.right), height - 72 * (m.top + m.bottom)


def column_chars(ws: Worksheet, column: int) -> float:
    """A column's width in characters of the default font (Excel's default when unset)."""
    dim = ws.column_dimensions.get(get_column_letter(column))
    return (dim.width if dim is not None else None) or DEFAULT_COLUMN_WIDTH


def columns_points(ws: Worksheet, first: int, last: int) -> float:
    """Printed width of columns ``first`` to ``last`` at 100%, in points (7 pixels a character
    plus 5 of padding, at 96 pixels an inch)."""
    return sum((math.floor(column_chars(ws, c) * 7) + 5) * 0.75 for c in range(first, last + 1))


def rows_points(ws: Worksheet, first: int, last: int) -> float:
    """Printed height of rows ``first`` to ``last`` at 100%, in points."""
    total = 0.0
    for r in range(first, last + 1):
        dim = ws.row_dimensions.get(r)
        total += dim.height if dim is not None and dim.height else DEFAULT_ROW_POINTS
    return total


def merge(ws: Worksheet, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """Merge a range that overlaps no other merged range of the sheet.

    openpyxl's ``merge_cells`` checks each new range against every earlier one, which takes
    minutes on a sheet of a hundred week grids; a grid's ranges never overlap by construction,
    so they are added to the sheet's merged ranges directly (the cells keep their own fill and
    borders, as Excel keeps them)."""
    coord = CellRange(min_col=first_col, min_row=first_row, max_col=last_col, max_row=last_row)
    ws.merged_cells.ranges.add(MergedCellRange(ws, coord.coord))


def named_style(
    ws: Worksheet,
    name: str,
    *,
    border: Border | None = None,
    fill: PatternFill | None = None,
    font: Font | None = None,
) -> str:
    """A named cell style of the sheet's workbook (made on first use): assigning one to many
    cells is fast, where assigning a border and a fill to each cell is not."""
    wb = ws.parent
    assert wb is not None
    if name not in wb.named_styles:
        style = NamedStyle(name=name)
        if border is not None:
            style.border = border
        if fill is not None:
            style.fill = fill
        if font is not None:
            style.font = font
        wb.add_named_style(style)
    return name


def title(ws: Worksheet, row: int, text: str, size: int = 14) -> int:
    """A bold title line; returns the next row."""
    put(ws, row, 1, text).font = Font(bold=True, size=size)
    return row + 1


def note(ws: Worksheet, row: int, text: str, last_col: int, *, italic: bool = True) -> int:
    """A line of prose across the table's width, wrapped and tall enough to show every line;
    returns the next row."""
    cell = put(ws, row, 1, text)
    cell.font = Font(italic=italic, size=9)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if last_col > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
    chars = sum(column_chars(ws, c) for c in range(1, last_col + 1))
    lines = sum(math.ceil(max(1, len(part)) / max(1, chars * 1.1)) for part in text.split("\n"))
    ws.row_dimensions[row].height = 12.5 * max(1, lines)
    return row + 1


@dataclass(frozen=True)
class Table:
    """A table of a sheet: contract column names (shown as headings), rows and number formats
    (by contract name), the columns whose long text wraps at a given width, and whether the
    last row is a total (bold, outside the filter)."""

    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    formats: dict[str, str]
    wrap: dict[str, int]
    total: bool = False


def table_sheet(ws: Worksheet, table: Table, footer: str, *, landscape: bool = True) -> int:
    """A sheet that is one table from row 1: readable headings, frozen header row, a filter,
    widths that fit, long text wrapped, printed with the header on every page. Returns the last
    row."""
    last = write_rows(ws, 1, table)
    ws.freeze_panes = "A2"
    data = last - 1 if table.total else last
    ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{max(data, 2)}"
    if table.total:
        for c in range(1, len(table.columns) + 1):
            ws.cell(last, c).font = Font(bold=True)
    fit_table(ws, table, 1, last)
    print_setup(ws, footer, landscape=landscape)
    ws.print_options.gridLines = True  # a printed table is read along its rows
    return last


def write_rows(ws: Worksheet, top: int, table: Table, left: int = 1) -> int:
    """The table's heading row at ``top`` and its rows below; returns the last row written."""
    headings = [heading(c) for c in table.columns]
    formats = {heading(c): f for c, f in table.formats.items()}
    return write_table(ws, top, headings, table.rows, formats, left=left)


def _shown_length(value: Any) -> int:
    """Characters a value takes on screen (a time 5, a date 14 as 'ddd dd/mm/yyyy')."""
    if isinstance(value, dt.time):
        return 5
    if isinstance(value, dt.date):
        return 14
    return len(str(value))


def fit_table(ws: Worksheet, table: Table, top: int, last: int) -> None:
    """Widths from the longest value (a heading wraps rather than widening its column), money
    columns wide enough for their pounds, long text wrapped at its given width and the other
    cells of a wrapped row aligned to its top."""
    for j, name in enumerate(table.columns, start=1):
        shown = [_shown_length(r[j - 1]) for r in table.rows if r[j - 1] is not None]
        longest = max(shown, default=0) + (4 if table.formats.get(name) == MONEY_FORMAT else 0)
        words = max((len(w) for w in heading(name).split()), default=0)
        width = max(longest, words) + 2
        if name in table.wrap:
            width = min(width, max(table.wrap[name], words + 2))
        ws.column_dimensions[get_column_letter(j)].width = max(6, min(40, width))
    if not table.wrap or last <= top:
        return
    top_aligned = Alignment(vertical="top")
    wrapped = Alignment(vertical="top", wrap_text=True)
    wraps = [
        column_chars(ws, j) if c in table.wrap else 0.0 for j, c in enumerate(table.columns, 1)
    ]
    for r in range(top + 1, last + 1):
        lines = 1
        for j, chars in enumerate(wraps, start=1):
            cell = ws.cell(r, j)
            if chars:
                cell.alignment = wrapped
                lines = max(lines, wrapped_lines(str(cell.value or ""), chars))
            elif cell.alignment.horizontal is None:
                cell.alignment = top_aligned
        if lines > 1:
            ws.row_dimensions[r].height = LINE_POINTS * lines


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped in a column ``width`` characters wide: words (and parts of
    a hyphenated id) kept whole where they fit, with room for a wider font than Excel's."""
    per_line = max(1, int(width / WRAP_SAFETY))
    total = 0
    for paragraph in text.split("\n"):
        words = re.findall(r"[^\s-]*-?", paragraph.strip()) or [""]
        lines, used = 1, 0
        for word in (w for w in words if w):
            need = len(word) + (1 if used and not word.startswith("-") else 0)
            if used and used + need > per_line:
                lines, used, need = lines + 1, 0, len(word)
            # A word longer than a line is broken across lines.
            lines += (used + need - 1) // per_line
            used = (used + need - 1) % per_line + 1
        total += lines
    return total


@dataclass(frozen=True)
class IndexEntry:
    """A sheet named in the index, and what it is for."""

    sheet: str
    purpose: str


def write_index(
    ws: Worksheet,
    heading_text: str,
    lines: Iterable[str],
    entries: Sequence[IndexEntry],
    footer: str,
) -> None:
    """The workbook's first sheet: a title, a few lines about the workbook, then each sheet with
    a link to it and what it shows."""
    row = title(ws, 1, heading_text)
    for line in lines:
        put(ws, row, 1, line).font = Font(size=10)
        row += 1
    top = row + 1
    table = Table(("sheet", "what_it_shows"), [(e.sheet, e.purpose) for e in entries], {}, {})
    last = write_rows(ws, top, table)
    for r, entry in enumerate(entries, start=top + 1):
        cell = ws.cell(r, 1)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{entry.sheet}'!A1")
        cell.font = Font(color="0563C1", underline="single")
        cell.alignment = Alignment(vertical="top")
    ws.column_dimensions["A"].width = max(18, max((len(e.sheet) for e in entries), default=0) + 2)
    ws.column_dimensions["B"].width = 90
    wrap_columns(ws, {"B": 90}, top + 1, last)
    ws.freeze_panes = f"A{top + 1}"
    print_setup(ws, footer, landscape=False, repeat_rows=(top, top))


def print_workbook(wb: Workbook, footer: str, *, landscape: bool = True) -> None:
    """Print settings for every sheet of a workbook of plain tables (header row 1)."""
    for ws in wb.worksheets:
        print_setup(ws, footer, landscape=landscape)
