"""Reading the service's inputs: the coordinator's workbook, YAML and JSON, and edited rotas.

Nothing here imports the solver, so ``rota validate`` and ``rota check`` start quickly.
"""

from rota.io.errors import InputError, InputIssue
from rota.io.load import read_problem, read_problem_with_warnings
from rota.io.xlsx import read_workbook_rows

__all__ = [
    "InputError",
    "InputIssue",
    "read_problem",
    "read_problem_with_warnings",
    "read_workbook_rows",
]
