"""Located input problems: one line each, naming sheet, Excel row and column (or a file path).

Every reader collects all the problems it finds and raises one :class:`InputError` at the end,
so a coordinator sees every mistake in the workbook at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class InputIssue:
    """One problem in an input file.

    ``sheet``/``row``/``column`` locate it in a workbook (``row`` is Excel's, header = 1);
    ``source`` prefixes a file name (YAML/JSON files and whole-file problems), where ``column``
    holds the record path, e.g. ``referrals[3].minutes``; ``record`` names the row's id so that
    a message says which referral, site or therapist it is about, not only the row.
    """

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    level: Level = "error"
    source: str | None = None
    record: str | None = None  # the row's referral, site, therapist... id, e.g. R0042

    def __str__(self) -> str:
        where = ""
        if self.sheet:
            where = self.sheet if self.row is None else f"{self.sheet} row {self.row}"
            if self.record:
                where += f" ({self.record})"
        if self.column:
            where = f"{where}, {self.column}" if where else self.column
        if self.source:
            where = f"{self.source}: {where}" if where else self.source
        return f"{where}: {self.message}" if where else self.message


class InputError(ValueError):
    """The input cannot be used; carries every located error (and the warnings found so far)."""

    def __init__(self, issues: Sequence[InputIssue], warnings: Sequence[InputIssue] = ()):
        self.issues = [i for i in issues if i.level == "error"]
        self.warnings = list(warnings) + [i for i in issues if i.level == "warning"]
        super().__init__("\n".join(str(i) for i in self.issues))

    @property
    def lines(self) -> list[str]:
        """Each error as one printable line."""
        return [str(i) for i in self.issues]


#: Longest value quoted in a message (a pasted essay or a huge YAML value is cut short).
SHOWN_CHARS = 60


def show(value: Any) -> str:
    """A cell value as the coordinator would recognise it: text quoted, 3.0 as 3, cut short."""
    if isinstance(value, str):
        text = value.strip()
        return f"'{text[:SHOWN_CHARS]}...'" if len(text) > SHOWN_CHARS else f"'{text}'"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list | tuple):
        return "a list" if isinstance(value, list | tuple) else "a mapping"
    text = str(value)
    return f"{text[:SHOWN_CHARS]}..." if len(text) > SHOWN_CHARS else text


def plain_pydantic_message(error: Any) -> str:
    """Pydantic's error (one dict of ``ValidationError.errors()``) in the coordinator's words."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind in ("missing", "string_too_short"):
        return "a value is required"
    if kind == "too_short":
        return "at least one value is required"
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        word = "at least" if kind == "greater_than_equal" else "more than"
        return f"{show(value)} is too small: it must be {word} {show(bound)}"
    if kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        word = "at most" if kind == "less_than_equal" else "less than"
        return f"{show(value)} is too large: it must be {word} {show(bound)}"
    if kind == "literal_error":
        return f"{show(value)} is not one of {ctx.get('expected', '')}"
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return f"{show(value)} is not a whole number"
    if kind == "finite_number":
        return f"{show(value)} is not a finite number"
    if kind in ("float_parsing", "float_type"):
        return f"{show(value)} is not a number"
    if kind.startswith("date"):
        return f"{show(value)} is not a date (use YYYY-MM-DD)"
    if kind.startswith("bool"):
        return f"{show(value)} is not yes or no"
    if kind in ("string_type",):
        return f"{show(value)} is not text"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "string_too_long":
        return f"{show(value)} is too long: at most {ctx.get('max_length')} characters"
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    msg = str(error.get("msg", "invalid value"))
    return msg.removeprefix("Value error, ")


def sort_issues(issues: Iterable[InputIssue], sheet_order: Sequence[str]) -> list[InputIssue]:
    """Issues in workbook order: by sheet, then row; stable within a row."""
    rank = {name: i for i, name in enumerate(sheet_order)}
    return sorted(issues, key=lambda i: (rank.get(i.sheet or "", -1), i.row or 0))
