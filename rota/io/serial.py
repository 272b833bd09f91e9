"""Reading YAML and JSON inputs: the Problem's pydantic dump (availability and time ranges as text).

Errors are located by record path, e.g. ``demo.yaml: referrals[3].minutes: ...``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from rota.io.errors import InputError, InputIssue, plain_pydantic_message
from rota.io.schema import SPEC_BY_SHEET
from rota.models import Issue, Problem, ProblemError

# libyaml's safe loader and dumper when present: the same format, several times faster.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    if not path.exists():
        raise InputError([InputIssue("no such file", source=str(path))])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([InputIssue(f"cannot be read ({exc})", source=source)]) from None
    try:
        data = (
            json.loads(text) if path.suffix.lower() == ".json" else yaml.load(text, Loader=_LOADER)
        )
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise InputError(
            [InputIssue(f"not valid JSON at {where}: {exc.msg}", source=source)]
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError([InputIssue(f"not valid YAML{where}", source=source)]) from None
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
    return problem, [str(from_model_issue(source, w)) for w in problem.warnings]
