"""``read_problem``: the one entry point that reads an input in any of its formats."""

from __future__ import annotations

from pathlib import Path

from rota.io.errors import InputError, InputIssue
from rota.io.parse import build_problem
from rota.io.serial import read_serial
from rota.io.xlsx import read_workbook_rows
from rota.models import Problem


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
