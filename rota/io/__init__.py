"""Reading and writing the service's inputs: the coordinator's workbook, YAML and JSON."""

from rota.io.errors import InputError, InputIssue
from rota.io.reading import read_problem, read_problem_with_warnings, read_workbook_rows
from rota.io.template import write_template
from rota.io.writing import write_problem

__all__ = [
    "InputError",
    "InputIssue",
    "read_problem",
    "read_problem_with_warnings",
    "read_workbook_rows",
    "write_problem",
    "write_template",
]
