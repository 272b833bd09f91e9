"""Writing cells: the one helper that stores user text as text, formats, tables and widths.

Every writer of an output workbook puts values through :func:`put`, so a referral id, a site name
or a note that starts with ``=`` (or ``+``, ``-``, ``@``) can never become a live formula when a
school or a coordinator opens the file.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

TIME_FORMAT = "hh:mm"
MONEY_FORMAT = '"£"#,##0.00'
HOURS_FORMAT = "0.00"
PERCENT_FORMAT = "0.0%"
INT_FORMAT = "0"
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def time_cell(minutes: int) -> dt.time | str:
    """Minutes after midnight as a time cell value (24:00 stays text)."""
    if minutes >= 24 * 60:
        return "24:00"
    return dt.time(minutes // 60, minutes % 60)


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write one cell; text is always stored as text (never a formula), control characters
    that Excel cannot hold are dropped."""
    cell = ws.cell(row, column)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = text
        # openpyxl turns text starting with "=" into a formula: store it as a string instead.
        cell.data_type = "s"
    else:
        cell.value = value
    return cell  # type: ignore[return-value]


def write_table(
    ws: Worksheet,
    top: int,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    formats: dict[str, str] | None = None,
    left: int = 1,
) -> int:
    """Write a header row and data rows from ``top``; returns the last row written."""
    fmt = formats or {}
    for j, h in enumerate(headers):
        cell = put(ws, top, left + j, h)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="bottom", horizontal="center")
    r = top
    for row in rows:
        r += 1
        for j, value in enumerate(row):
            cell = put(ws, r, left + j, value)
            if headers[j] in fmt and value is not None and not isinstance(value, str):
                cell.number_format = fmt[headers[j]]
    return r


def fit_columns(ws: Worksheet, minimum: int = 8, maximum: int = 60) -> None:
    """Column widths from the longest value shown (times count as 5 characters)."""
    widths: dict[int, int] = defaultdict(int)
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or type(cell).__name__ == "MergedCell":
                continue
            value = cell.value
            n = 5 if isinstance(value, dt.time) else len(str(value))
            widths[cell.column] = max(widths[cell.column], n)
    for col, n in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = max(minimum, min(maximum, n + 2))


def wrap_columns(ws: Worksheet, widths: dict[str, int], first_row: int, last_row: int) -> None:
    """Give columns a width and wrap their text, with row heights that show every line
    (openpyxl cannot measure text, so the lines are estimated from the characters)."""
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    for r in range(first_row, last_row + 1):
        lines = 1
        for col, width in widths.items():
            cell = ws[f"{col}{r}"]
            cell.alignment = Alignment(
                wrap_text=True, vertical="top", horizontal=cell.alignment.horizontal
            )
            if cell.value is not None:
                text = str(cell.value)
                lines = max(
                    lines,
                    sum(
                        math.ceil(max(1, len(part)) / max(1, width - 2))
                        for part in text.split("\n")
                    ),
                )
        if lines > 1:
            ws.row_dimensions[r].height = 13 * lines


def sheet_title(wanted: str, taken: set[str]) -> str:
    """A valid, unique sheet name (31 characters, none of []:*?/\\)."""
    base = _SHEET_BAD.sub("-", wanted).strip("'")[:31] or "Sheet"
    name, i = base, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" ({i})"
        name = base[: 31 - len(suffix)] + suffix
        i += 1
    taken.add(name)
    return name


def stamp_run(wb: Workbook, run_id: str | None) -> None:
    """Mark a workbook with the run that wrote it: in its properties (so that a later run can
    tell its files from other people's and remove them) and in a cell under the first sheet's
    content (so that a reader can tell two runs' files apart)."""
    if not run_id:
        return
    wb.properties.identifier = f"rota-run:{run_id}"
    wb.properties.creator = "rota"
    ws = wb.worksheets[0]
    put(ws, ws.max_row + 2, 1, f"Written by rota, run {run_id}").font = Font(italic=True, size=8)
