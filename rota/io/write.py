"""Writing an input: Problem -> workbook (every sheet, exact columns), YAML or JSON.

The columns come from the same :class:`rota.io.schema.SheetSpec` the reader uses, so a
written workbook reads back to an equal Problem.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rota.io.schema import (
    RECORD_SHEETS,
    SETTING_KINDS,
    SETTINGS_COLUMNS,
    SETTINGS_SHEET,
    Kind,
    SheetSpec,
)
from rota.models import Availability, Problem, Settings, TimeRange, format_days, format_time
from rota.models.dates import format_date_ranges
from rota.reports.atomic import OutputError, write_atomic
from rota.reports.cells import put
from rota.reports.sheets import print_workbook

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
DATE_FORMAT = "yyyy-mm-dd"
# libyaml's safe dumper when present: the same format, several times faster.
_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def cell_value(kind: Kind, value: Any) -> Any:
    """A model value as the workbook cell the reader expects for that column kind."""
    if value is None:
        return None
    if kind in ("tags", "disciplines"):
        return ", ".join(value) or None
    if kind == "sites":
        return "|".join(value)
    if kind == "availability":
        assert isinstance(value, Availability)
        return str(value) or None
    if kind == "timerange":
        assert isinstance(value, TimeRange)
        return str(value)
    if kind == "days":
        return format_days(value)
    if kind == "time":
        return format_time(value)
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "dates":
        return format_date_ranges(value) or None
    if kind == "text":
        return value or None
    return value


def style_header(ws: Worksheet, headers: Sequence[str], widths: Sequence[int]) -> None:
    """Bold coloured header row, frozen, with column widths."""
    for idx, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = put(ws, 1, idx, header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        ws.column_dimensions[get_column_letter(idx)].width = width
    ws.freeze_panes = "A2"


def _width(name: str, values: Sequence[Any]) -> int:
    longest = max([len(name), *(len(str(v)) for v in values if v is not None)])
    return max(10, min(longest + 2, 60))


def _append(ws: Worksheet, row_no: int, row: Sequence[Any], kinds: Sequence[Kind]) -> None:
    """One record row; user text goes through ``put`` so it is stored as text, never a formula."""
    for idx, (kind, value) in enumerate(zip(kinds, row, strict=True), start=1):
        cell = put(ws, row_no, idx, value)
        if kind == "date":
            cell.number_format = DATE_FORMAT


def settings_rows(settings: Settings) -> list[tuple[str, Any]]:
    """Every setting as (name, cell value), in the model's order."""
    return [
        (name, cell_value(kind, getattr(settings, name))) for name, kind in SETTING_KINDS.items()
    ]


def add_settings_sheet(wb: Workbook, settings: Settings) -> Worksheet:
    ws = wb.create_sheet(SETTINGS_SHEET)
    rows = settings_rows(settings)
    style_header(ws, SETTINGS_COLUMNS, [20, max(24, _width("value", [v for _, v in rows]))])
    for row_no, (name, value) in enumerate(rows, start=2):
        _append(ws, row_no, (name, value), ("text", SETTING_KINDS[name]))
    return ws


def record_rows(spec: SheetSpec, items: Sequence[Any]) -> list[list[Any]]:
    return [[cell_value(c.kind, getattr(item, c.field)) for c in spec.columns] for item in items]


def add_record_sheet(wb: Workbook, spec: SheetSpec, items: Sequence[Any]) -> Worksheet:
    ws = wb.create_sheet(spec.name)
    rows = record_rows(spec, items)
    widths = [_width(c.name, [r[i] for r in rows[:200]]) for i, c in enumerate(spec.columns)]
    style_header(ws, [c.name for c in spec.columns], widths)
    kinds = [c.kind for c in spec.columns]
    for row_no, row in enumerate(rows, start=2):
        _append(ws, row_no, row, kinds)
    return ws


def problem_workbook(problem: Problem) -> Workbook:
    """The whole Problem as an in-memory workbook, one sheet per record kind."""
    wb = Workbook()
    for sheet in list(wb.worksheets):
        wb.remove(sheet)
    add_settings_sheet(wb, problem.settings)
    for spec in RECORD_SHEETS:
        add_record_sheet(wb, spec, getattr(problem, spec.problem_field))
    print_workbook(wb, f"Input: {problem.settings.term_name}")
    return wb


def read_back(problem: Problem) -> tuple[Problem, list[str]]:
    """The Problem as ``rota validate`` reads the workbook written from it: what a scenario
    check must agree with (InputError lists what the written workbook would not pass)."""
    from rota.io.parse import build_problem
    from rota.io.xlsx import RawSheet, rows_of

    wb = problem_workbook(problem)
    sheets = {
        ws.title: RawSheet(ws.title, rows_of([list(r) for r in ws.iter_rows(values_only=True)]))
        for ws in wb.worksheets
    }
    return build_problem(sheets)


def write_xlsx(problem: Problem, path: Path | str, *, force: bool = True) -> Path:
    """Write the Problem as the coordinator's workbook, atomically."""
    wb = problem_workbook(problem)
    return write_atomic(path, lambda tmp: wb.save(tmp), force=force)


def write_serial(problem: Problem, path: Path | str, *, force: bool = True) -> Path:
    """Write the Problem as YAML (.yaml/.yml) or JSON (.json), atomically."""
    path = Path(path)
    data = problem.model_dump(mode="json")
    if path.suffix.lower() == ".json":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        text = yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100)

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    return write_atomic(path, write, force=force)


def write_problem(problem: Problem, path: Path | str, *, force: bool = True) -> Path:
    """Write a Problem as .xlsx, .yaml/.yml or .json (by suffix), atomically.

    ``force=False`` refuses to replace an existing file (OutputError).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return write_xlsx(problem, path, force=force)
    if suffix in (".yaml", ".yml", ".json"):
        return write_serial(problem, path, force=force)
    raise OutputError(f"{path}: unknown file type '{suffix}' (use .xlsx, .yaml, .yml or .json)")
