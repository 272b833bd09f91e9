"""``read_problem``: the one entry point that reads an input in any of its formats."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rota.io.errors import InputError, InputIssue
from rota.io.parse import build_problem, find_sheet, parse_records
from rota.io.schema import SPEC_BY_SHEET
from rota.io.serial import from_model_issue, read_serial
from rota.io.xlsx import read_workbook_rows
from rota.models import Issue, Problem
from rota.models.drives import drive_report, record_number


def read_problem(path: Path | str) -> Problem:
    """Read a Problem from .xlsx, .yaml/.yml or .json; raises InputError listing every error."""
    return read_problem_with_warnings(path)[0]


def read_problem_with_warnings(path: Path | str) -> tuple[Problem, list[str]]:
    """Read a Problem and the warnings found (each a located line, like the errors)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml", ".json"):
        return read_serial(path)
    if suffix == ".xlsx":
        return build_problem(read_workbook_rows(path))
    if suffix in (".xls", ".xlsm", ".ods"):
        hint = "save it from Excel as an .xlsx workbook"
        raise _file_error(path.name, f"{suffix} files are not supported: {hint}")
    raise _file_error(path.name, f"unknown file type '{suffix}' (use .xlsx, .yaml, .yml or .json)")


def _file_error(source: str, message: str) -> InputError:
    return InputError([InputIssue(message, source=source)])


def locate_issues(path: Path | str, issues: Sequence[Issue]) -> list[InputIssue]:
    """Issues about a loaded Problem's records (e.g. pins that break a rule, found by the
    scheduler) located in the input file they came from: sheet, Excel row and column of a
    workbook, or the record path of a YAML or JSON file."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        return [from_model_issue(path.name, issue) for issue in issues]
    return _located(issues, _sheet_rows(path, [issue.sheet for issue in issues]))


def _located(issues: Sequence[Issue], rows_of: dict[str, list[int]]) -> list[InputIssue]:
    out: list[InputIssue] = []
    for issue in issues:
        rows = rows_of[issue.sheet]
        row = rows[issue.index] if issue.index is not None and issue.index < len(rows) else None
        out.append(InputIssue(issue.message, issue.sheet, row, issue.column, issue.level))
    return out


def _sheet_rows(path: Path, sheet_names: Sequence[str]) -> dict[str, list[int]]:
    """The Excel row of each record of the named sheets of a workbook."""
    sheets = read_workbook_rows(path)
    rows_of: dict[str, list[int]] = {}
    for name in dict.fromkeys(sheet_names):
        raw, _ = find_sheet(name, sheets, set())
        spec = SPEC_BY_SHEET.get(name)
        rows_of[name] = parse_records(spec, raw.rows).rows if raw and spec else []
    return rows_of


def drive_report_lines(path: Path | str, problem: Problem) -> tuple[list[str], list[str]]:
    """What ``rota validate`` says about the drives between the sites of the input at ``path``:
    summary lines, and warnings located on their Sites or Travel rows (see
    :func:`rota.models.drives.drive_report`)."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        rows_of = _sheet_rows(path, ["Sites", "Travel"])

        def place(sheet: str, idx: int) -> str:
            rows = rows_of.get(sheet, [])
            return f"{sheet} row {rows[idx]}" if idx < len(rows) else record_number(sheet, idx)

        report = drive_report(problem, place)
        located = _located(report.issues, rows_of)
    else:
        report = drive_report(problem, lambda sheet, idx: f"{sheet.lower()}[{idx}]")
        located = [from_model_issue(path.name, i) for i in report.issues]
    return report.lines, [str(i) for i in located]
