"""Reading the coordinator's edited Rota sheet back into a Rota.

A coordinator moves a session, swaps a therapist or deletes a row in Excel; this reads what is
there now. Columns are found by their header (any order, any case, trailing spaces ignored);
ids decide (a therapist or site name that disagrees with its id is only a warning); a session's
length is the referral's minutes from its start (an ``end`` that disagrees is a warning). Rows
of one referral with different therapists make one co-facilitated Session. Every unreadable cell
is reported at once, located by sheet, Excel row and column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rota.io.errors import InputError, InputIssue, show
from rota.io.xlsx import read_workbook_rows
from rota.models.problem import Problem, did_you_mean
from rota.models.rota import Rota, Session, Unscheduled
from rota.models.timeutil import Day, format_time, parse_day, parse_time

SHEET = "Rota"
REQUIRED = ("referral_id", "therapist_id", "room_id", "day", "start")
NOT_IN_SHEET = "not in the Rota sheet"


@dataclass(frozen=True)
class RotaSheet:
    """The rota read back, its warnings, and the Excel rows each referral came from."""

    rota: Rota
    warnings: tuple[str, ...]
    rows_by_referral: dict[str, tuple[int, ...]]


def _header_key(value: Any) -> str:
    return str(value).strip().lower().replace(" ", "_") if value is not None else ""


def _as_id(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if value is not None else ""


def cell_minutes(value: Any) -> int:
    """A time cell (time, datetime, day fraction) or text such as ``9:05`` as minutes."""
    if isinstance(value, dt.datetime):
        value = value.time()
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 0 <= value < 1:  # Excel keeps times as a fraction of a day
            return round(value * 24 * 60)
        raise ValueError(f"{show(value)} is not a time (use HH:MM, e.g. 09:00)")
    if isinstance(value, str):
        return parse_time(value)
    raise ValueError(f"{show(value)} is not a time (use HH:MM, e.g. 09:00)")


@dataclass
class _Draft:
    referral_id: str
    therapist_ids: list[str]
    room_id: str
    day: Day
    start: int
    rows: list[int]


def read_rota_sheet_rows(problem: Problem, path: Path | str) -> RotaSheet:
    """Read the Rota sheet of ``path`` against ``problem``; InputError lists every bad cell."""
    sheets = read_workbook_rows(path)
    by_key = {name.strip().lower(): raw for name, raw in sheets.items()}
    raw = by_key.get(SHEET.lower())
    if raw is None:
        raise InputError([InputIssue(f"has no sheet named '{SHEET}'", source=Path(path).name)])
    sheet = raw.title
    issues: list[InputIssue] = []
    warnings: list[InputIssue] = []
    if not raw.rows:
        raise InputError([InputIssue("the sheet is empty (no header row)", sheet=sheet)])
    header_row, header = raw.rows[0]
    col_of: dict[str, int] = {}
    shown: dict[str, str] = {}  # a column's name in messages: its heading as written
    for j, value in enumerate(header):
        key = _header_key(value)
        if key and key not in col_of:
            col_of[key] = j
            shown[key] = str(value).strip()
    missing = [c for c in REQUIRED if c not in col_of]
    if missing:
        raise InputError(
            [
                InputIssue(f"no column '{c}' in the header row", sheet=sheet, row=header_row)
                for c in missing
            ]
        )

    def get(cells: Sequence[Any], name: str) -> Any:
        j = col_of.get(name)
        return cells[j] if j is not None and j < len(cells) else None

    drafts: dict[str, _Draft] = {}
    for row_no, cells in raw.rows[1:]:
        row_issues: list[InputIssue] = []

        def err(column: str, message: str, row: int = row_no, bucket: Any = row_issues) -> None:
            bucket.append(
                InputIssue(message, sheet=sheet, row=row, column=shown.get(column, column))
            )

        def warn(column: str, message: str, row: int = row_no) -> None:
            warnings.append(
                InputIssue(
                    message, sheet=sheet, row=row, column=shown.get(column, column), level="warning"
                )
            )

        rid = _as_id(get(cells, "referral_id"))
        if not rid:
            err("referral_id", "a value is required (the row has no referral id)")
            issues.extend(row_issues)
            continue
        ref = problem.referral_by_id.get(rid)
        if ref is None:
            err(
                "referral_id",
                f"unknown referral '{rid}'" + did_you_mean(rid, problem.referral_by_id),
            )
        tid = _as_id(get(cells, "therapist_id"))
        therapist = problem.therapist_by_id.get(tid)
        if not tid:
            err("therapist_id", "a value is required")
        elif therapist is None:
            err(
                "therapist_id",
                f"unknown therapist '{tid}'" + did_you_mean(tid, problem.therapist_by_id),
            )
        else:
            name = get(cells, "therapist")
            if name is not None and str(name).strip() != therapist.name:
                warn(
                    "therapist",
                    f"'{str(name).strip()}' is not the name of {tid} ({therapist.name}): "
                    f"the id decides, {tid} is kept",
                )
        room_id = _as_id(get(cells, "room_id"))
        room = problem.room_by_id.get(room_id)
        if not room_id:
            err("room_id", "a value is required")
        elif room is None:
            err("room_id", f"unknown room '{room_id}'" + did_you_mean(room_id, problem.room_by_id))
        else:
            site_id = _as_id(get(cells, "site_id"))
            if site_id and site_id != room.site_id:
                warn(
                    "site_id",
                    f"room {room_id} is at {room.site_id}, not '{site_id}': the room decides",
                )
        day: Day | None = None
        day_value = get(cells, "day")
        try:
            if day_value is None:
                raise ValueError("a value is required")
            day = parse_day(str(day_value))
        except ValueError as exc:
            err("day", str(exc))
        start: int | None = None
        try:
            if get(cells, "start") is None:
                raise ValueError("a value is required")
            start = cell_minutes(get(cells, "start"))
        except ValueError as exc:
            err("start", str(exc))
        end_value = get(cells, "end")
        end: int | None = None
        if end_value is not None:
            try:
                end = cell_minutes(end_value)
            except ValueError as exc:
                err("end", str(exc))
        if row_issues or ref is None or day is None or start is None:
            issues.extend(row_issues)
            continue
        assert room is not None and therapist is not None
        expected_end = start + ref.minutes
        if end is not None and end != expected_end:
            warn(
                "end",
                f"{format_time(end)} is not {format_time(start)} + {ref.minutes} minutes "
                f"(referral {rid}): {format_time(expected_end)} is used",
            )
        if expected_end > 24 * 60:
            err("start", f"{format_time(start)} + {ref.minutes} minutes runs past midnight")
            issues.extend(row_issues)
            continue
        draft = drafts.get(rid)
        if draft is None:
            drafts[rid] = _Draft(rid, [tid], room_id, day, start, [row_no])
            continue
        if (draft.day, draft.start, draft.room_id) != (day, start, room_id):
            err(
                "start",
                f"referral {rid} is also on row {draft.rows[0]} at {draft.day} "
                f"{format_time(draft.start)} in {draft.room_id}, this row says {day} "
                f"{format_time(start)} in {room_id}: one referral has one weekly session "
                "(rows of a co-facilitated session must agree)",
            )
            issues.extend(row_issues)
            continue
        if tid in draft.therapist_ids:
            warn("therapist_id", f"{tid} is listed twice for {rid} (row {draft.rows[0]})")
        else:
            draft.therapist_ids.append(tid)
        draft.rows.append(row_no)

    if issues:
        raise InputError(issues, warnings)

    sessions = tuple(
        Session(
            referral_id=d.referral_id,
            therapist_ids=tuple(d.therapist_ids),
            site_id=problem.room_by_id[d.room_id].site_id,
            room_id=d.room_id,
            day=d.day,
            start=d.start,
            end=d.start + problem.referral_by_id[d.referral_id].minutes,
        )
        for d in drafts.values()
    )
    reasons = _unscheduled_reasons(by_key.get("unscheduled"))
    unscheduled = tuple(
        Unscheduled(referral_id=r.referral_id, reason=reasons.get(r.referral_id, NOT_IN_SHEET))
        for r in problem.referrals
        if r.referral_id not in drafts
    )
    return RotaSheet(
        rota=Rota(sessions=sessions, unscheduled=unscheduled),
        warnings=tuple(str(w) for w in warnings),
        rows_by_referral={rid: tuple(d.rows) for rid, d in drafts.items()},
    )


def _unscheduled_reasons(raw: Any) -> dict[str, str]:
    """Reasons from the workbook's Unscheduled sheet, where it has one."""
    if raw is None or not raw.rows:
        return {}
    header = [_header_key(v) for v in raw.rows[0][1]]
    if "referral_id" not in header or "reason" not in header:
        return {}
    i, j = header.index("referral_id"), header.index("reason")
    out: dict[str, str] = {}
    for _, cells in raw.rows[1:]:
        rid = _as_id(cells[i] if i < len(cells) else None)
        reason = cells[j] if j < len(cells) else None
        if rid and reason:
            out[rid] = str(reason)
    return out


def read_rota_sheet(problem: Problem, path: Path | str) -> tuple[Rota, list[str]]:
    """The edited Rota sheet as a Rota (absent referrals unscheduled) and its warnings."""
    sheet = read_rota_sheet_rows(problem, path)
    return sheet.rota, list(sheet.warnings)
