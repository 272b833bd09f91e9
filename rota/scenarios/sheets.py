"""Reading the Referrals rows an ``add_referrals`` change takes from another workbook.

The sheet is laid out like the input workbook's Referrals sheet (the header row first) and is
parsed by the same code (rota.io), so the same column names and located messages apply.
"""

from __future__ import annotations

from pathlib import Path

from rota.io.errors import InputError
from rota.io.parse import parse_referrals
from rota.io.xlsx import read_workbook_rows
from rota.models.entities import Referral
from rota.models.problem import did_you_mean
from rota.scenarios.spec import ScenarioError


def read_referrals(path: Path, sheet: str = "Referrals") -> tuple[Referral, ...]:
    """Every referral row of ``sheet`` in the workbook at ``path`` (raises ScenarioError)."""
    name = path.name
    try:
        sheets = read_workbook_rows(path)
    except InputError as exc:
        raise ScenarioError([f"{name}: {issue.message}" for issue in exc.issues]) from None
    if sheet not in sheets:
        raise ScenarioError([f"{name}: no sheet '{sheet}'" + did_you_mean(sheet, sheets)])
    parsed = parse_referrals(sheets[sheet].rows)
    errors = [i for i in parsed.issues if i.level == "error"]
    if errors:
        messages = []
        for issue in errors:
            where = sheet if issue.row is None else f"{sheet} row {issue.row}"
            col = f", column {issue.column}" if issue.column else ""
            messages.append(f"{name}: {where}{col}: {issue.message}")
        raise ScenarioError(messages)
    return tuple(parsed.items)
