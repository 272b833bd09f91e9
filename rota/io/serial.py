"""Reading YAML and JSON inputs: the Problem's pydantic dump (availability and time ranges as text).

Errors are located by record path, e.g. ``demo.yaml: referrals[3].minutes: ...``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rota.io.errors import InputError, InputIssue, plain_pydantic_message
from rota.io.limits import MAX_TEXT_BYTES
from rota.io.schema import SPEC_BY_SHEET
from rota.io.textfile import load_json, load_yaml, read_text_file
from rota.models import Issue, Problem, ProblemError


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _issue_path(issue: Issue) -> str:
    """A model Issue (sheet, index, workbook column) as a record path."""
    head = issue.sheet.lower()
    spec = SPEC_BY_SHEET.get(issue.sheet)
    field_name = issue.column
    if spec is not None and issue.column:
        col = next((c for c in spec.columns if c.name == issue.column), None)
        field_name = col.field if col else issue.column
    where = head if issue.index is None else f"{head}[{issue.index}]"
    return f"{where}.{field_name}" if field_name else where


def from_model_issue(source: str, issue: Issue) -> InputIssue:
    """A model Issue located by the file's name and the record's path."""
    return InputIssue(issue.message, column=_issue_path(issue), level=issue.level, source=source)


def read_serial(path: Path | str) -> tuple[Problem, list[str]]:
    """Read a YAML or JSON Problem and its located warnings; InputError lists every error."""
    path = Path(path)
    source = path.name
    text = read_text_file(path, MAX_TEXT_BYTES)
    data = load_json(text, source) if path.suffix.lower() == ".json" else load_yaml(text, source)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(
            [InputIssue("must be a mapping of settings, sites, rooms, ...", source=source)]
        )
    try:
        problem = Problem.model_validate(data)
    except ValidationError as exc:
        issues: list[InputIssue] = []
        for err in exc.errors():
            inner = (err.get("ctx") or {}).get("error")
            if isinstance(inner, ProblemError):
                issues.extend(from_model_issue(source, i) for i in inner.issues)
            else:
                issues.append(
                    InputIssue(plain_pydantic_message(err), column=_path(err["loc"]), source=source)
                )
        raise InputError(issues) from None
    warnings = dict.fromkeys(str(from_model_issue(source, w)) for w in problem.warnings)
    return problem.without_ignored_previous(), list(warnings)
