"""What every sheet of every workbook the tool writes must have to print on paper."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from rota.reports.sheets import WIDTH_SAFETY, columns_points, printable_points, rows_points


def print_problems(ws: Worksheet, term: str) -> list[str]:
    """Everything missing for ``ws`` to print well (empty when it prints well): A4, an
    orientation, one page wide, header rows repeated (or a grid per page), a footer with the
    term and the page number."""
    out = []
    setup = ws.page_setup
    if str(setup.paperSize) != "9":
        out.append("not A4")
    if setup.orientation not in ("landscape", "portrait"):
        out.append("no orientation")
    footer = ws.oddFooter
    if term not in (footer.left.text or "") or "&P" not in (footer.right.text or ""):
        out.append(f"footer without the term and page: {footer.left.text!r} {footer.right.text!r}")
    fit = ws.sheet_properties.pageSetUpPr
    if fit is not None and fit.fitToPage:
        if setup.fitToWidth != 1:
            out.append("not fitted to one page wide")
        if not ws.print_title_rows:
            out.append("no header rows repeated on each page")
        return out
    out += _pages_problems(ws)
    return out


def _pages_problems(ws: Worksheet) -> list[str]:
    """A sheet of one-page blocks: a break before each block, and at its scale every block
    fits one page wide and tall (widths with LibreOffice's margin)."""
    scale = (ws.page_setup.scale or 100) / 100
    width, height = printable_points(ws)
    out = []
    if columns_points(ws, 1, ws.max_column) * WIDTH_SAFETY * scale > width:
        out.append("wider than one page")
    tops = [1] + [b.id + 1 for b in ws.row_breaks.brk]
    bottoms = [t - 1 for t in tops[1:]] + [ws.max_row]
    for top, bottom in zip(tops, bottoms, strict=True):
        if rows_points(ws, top, bottom) * scale > height:
            out.append(f"rows {top}-{bottom} taller than one page")
    return out


def workbook_print_problems(path: Path, term: str) -> dict[str, list[str]]:
    """Each sheet of a saved workbook that would not print well, with what is wrong."""
    wb = load_workbook(path)
    return {ws.title: p for ws in wb.worksheets if (p := print_problems(ws, term))}
