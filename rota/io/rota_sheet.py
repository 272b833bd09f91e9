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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rota.io.errors import InputError, InputIssue, show
from rota.io.xlsx import FormulaCell, RawSheet, read_workbook_rows
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
    #: The workbook's Unscheduled sheet as written (every row with a referral id, in order;
    #: empty without the sheet): ``rota check`` asks that every referral be in one of the two.
    listed_unscheduled: tuple[Unscheduled, ...] = ()


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


@dataclass
class _Reader:
    """Reads the Rota sheet's rows one by one, collecting drafts, errors and warnings."""

    problem: Problem
    sheet: str
    col_of: dict[str, int]
    shown: dict[str, str]  # a column's heading as written, for messages
    # A published rota read as the previous one: rows naming a referral, therapist or room the
    # service no longer has are ignored with a warning (a discharged client is normal).
    lenient: bool = False
    drafts: dict[str, _Draft] = field(default_factory=dict)
    issues: list[InputIssue] = field(default_factory=list)
    warnings: list[InputIssue] = field(default_factory=list)
    skip_row: bool = False

    def get(self, cells: Sequence[Any], name: str) -> Any:
        j = self.col_of.get(name)
        return cells[j] if j is not None and j < len(cells) else None

    def issue(
        self, row: int, column: str, message: str, record: str | None, warn: bool = False
    ) -> None:
        if self.lenient and not warn and message.startswith("unknown "):
            warn, message, self.skip_row = True, f"{message} (row ignored)", True
        level: Literal["error", "warning"] = "warning" if warn else "error"
        shown = self.shown.get(column, column)
        found = InputIssue(message, self.sheet, row, shown, level, record=record or None)
        (self.warnings if warn else self.issues).append(found)

    def read_row(self, row_no: int, cells: Sequence[Any]) -> None:
        """One row: checked, then merged into its referral's draft session."""
        before = len(self.issues)
        self.skip_row = False
        for name in (*REQUIRED, "end"):
            value = self.get(cells, name)
            if isinstance(value, FormulaCell):
                self.issue(row_no, name, value.problem, None)
        if len(self.issues) > before:
            return
        rid = _as_id(self.get(cells, "referral_id"))
        if not rid:
            self.issue(
                row_no, "referral_id", "a value is required (the row has no referral id)", None
            )
            return
        ref = self.problem.referral_by_id.get(rid)
        if ref is None:
            known = self.problem.referral_by_id
            self.issue(
                row_no, "referral_id", f"unknown referral '{rid}'" + did_you_mean(rid, known), rid
            )
        tid = self._therapist(row_no, cells, rid)
        room_id = self._room(row_no, cells, rid)
        day, start, end = self._when(row_no, cells, rid)
        if len(self.issues) > before or self.skip_row or ref is None or day is None:
            return
        if start is None:
            return
        assert tid is not None and room_id is not None
        expected_end = start + ref.minutes
        if end is not None and end != expected_end:
            msg = (
                f"{format_time(end)} is not {format_time(start)} + {ref.minutes} minutes "
                f"(referral {rid}): {format_time(expected_end)} is used"
            )
            self.issue(row_no, "end", msg, rid, warn=True)
        if expected_end > 24 * 60:
            msg = f"{format_time(start)} + {ref.minutes} minutes runs past midnight"
            self.issue(row_no, "start", msg, rid)
            return
        self._merge(row_no, rid, tid, room_id, day, start)

    def _therapist(self, row_no: int, cells: Sequence[Any], rid: str) -> str | None:
        tid = _as_id(self.get(cells, "therapist_id"))
        therapist = self.problem.therapist_by_id.get(tid)
        if not tid:
            self.issue(row_no, "therapist_id", "a value is required", rid)
            return None
        if therapist is None:
            known = self.problem.therapist_by_id
            msg = f"unknown therapist '{tid}'" + did_you_mean(tid, known)
            self.issue(row_no, "therapist_id", msg, rid)
            return None
        name = self.get(cells, "therapist")
        if name is not None and str(name).strip() != therapist.name:
            msg = (f"'{str(name).strip()}' is not the name of {tid} ({therapist.name}): "
                   f"the id decides, {tid} is kept")  # fmt: skip
            self.issue(row_no, "therapist", msg, rid, warn=True)
        return tid

    def _room(self, row_no: int, cells: Sequence[Any], rid: str) -> str | None:
        room_id = _as_id(self.get(cells, "room_id"))
        room = self.problem.room_by_id.get(room_id)
        if not room_id:
            self.issue(row_no, "room_id", "a value is required", rid)
            return None
        if room is None:
            msg = f"unknown room '{room_id}'" + did_you_mean(room_id, self.problem.room_by_id)
            self.issue(row_no, "room_id", msg, rid)
            return None
        site_id = _as_id(self.get(cells, "site_id"))
        if site_id and site_id != room.site_id:
            msg = f"room {room_id} is at {room.site_id}, not '{site_id}': the room decides"
            self.issue(row_no, "site_id", msg, rid, warn=True)
        return room_id

    def _when(
        self, row_no: int, cells: Sequence[Any], rid: str
    ) -> tuple[Day | None, int | None, int | None]:
        out: list[Any] = []
        for name, read in (("day", parse_day), ("start", cell_minutes), ("end", cell_minutes)):
            value = self.get(cells, name)
            try:
                if value is None:
                    if name == "end":
                        out.append(None)
                        continue
                    raise ValueError("a value is required")
                out.append(read(value if name != "day" else str(value)))
            except ValueError as exc:
                self.issue(row_no, name, str(exc), rid)
                out.append(None)
        return out[0], out[1], out[2]

    def _merge(self, row_no: int, rid: str, tid: str, room_id: str, day: Day, start: int) -> None:
        draft = self.drafts.get(rid)
        if draft is None:
            self.drafts[rid] = _Draft(rid, [tid], room_id, day, start, [row_no])
            return
        if (draft.day, draft.start, draft.room_id) != (day, start, room_id):
            msg = (
                f"referral {rid} is also on row {draft.rows[0]} at {draft.day} "
                f"{format_time(draft.start)} in {draft.room_id}, this row says {day} "
                f"{format_time(start)} in {room_id}: one referral has one weekly session "
                "(rows of a co-facilitated session must agree)"
            )
            self.issue(row_no, "start", msg, rid)
            return
        if tid in draft.therapist_ids:
            msg = f"{tid} is listed twice for {rid} (row {draft.rows[0]})"
            self.issue(row_no, "therapist_id", msg, rid, warn=True)
        else:
            draft.therapist_ids.append(tid)
        draft.rows.append(row_no)


def _header(raw: RawSheet) -> tuple[dict[str, int], dict[str, str]]:
    """Column positions by header name, and each column's heading as written (what messages
    name); InputError for an empty sheet or a missing column."""
    if not raw.rows:
        raise InputError([InputIssue("the sheet is empty (no header row)", sheet=raw.title)])
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
                InputIssue(f"no column '{c}' in the header row", sheet=raw.title, row=header_row)
                for c in missing
            ]
        )
    return col_of, shown


def read_rota_sheet_rows(problem: Problem, path: Path | str, *, lenient: bool = False) -> RotaSheet:
    """Read the Rota sheet of ``path`` against ``problem``; InputError lists every bad cell.

    ``lenient`` (a published rota read as the previous one): rows naming a referral, therapist
    or room the service no longer has are left out with a warning."""
    sheets = read_workbook_rows(path)
    by_key = {name.strip().lower(): raw for name, raw in sheets.items()}
    raw = by_key.get(SHEET.lower())
    if raw is None:
        raise InputError([InputIssue(f"has no sheet named '{SHEET}'", source=Path(path).name)])
    col_of, shown = _header(raw)
    reader = _Reader(problem, raw.title, col_of, shown, lenient)
    for row_no, cells in raw.rows[1:]:
        reader.read_row(row_no, cells)
    if reader.issues:
        raise InputError(reader.issues, reader.warnings)
    drafts = reader.drafts
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
    listed = _unscheduled_rows(by_key.get("unscheduled"))
    reasons = {u.referral_id: u.reason for _, u in listed if u.reason}
    unscheduled = tuple(
        Unscheduled(referral_id=r.referral_id, reason=reasons.get(r.referral_id, NOT_IN_SHEET))
        for r in problem.referrals
        if r.referral_id not in drafts
    )
    return RotaSheet(
        rota=Rota(sessions=sessions, unscheduled=unscheduled),
        warnings=tuple(str(w) for w in reader.warnings),
        rows_by_referral={rid: tuple(d.rows) for rid, d in drafts.items()},
        listed_unscheduled=tuple(u for _, u in listed),
    )


def _unscheduled_rows(raw: Any) -> tuple[tuple[int, Unscheduled], ...]:
    """The workbook's Unscheduled sheet: (row, entry) for each row with a referral id, its
    reason blank when none is given; nothing without the sheet or its referral_id column."""
    if raw is None or not raw.rows:
        return ()
    header = [_header_key(v) for v in raw.rows[0][1]]
    if "referral_id" not in header:
        return ()
    i = header.index("referral_id")
    j = header.index("reason") if "reason" in header else None
    out: list[tuple[int, Unscheduled]] = []
    for row_no, cells in raw.rows[1:]:
        rid = _as_id(cells[i] if i < len(cells) else None)
        reason = cells[j] if j is not None and j < len(cells) else None
        if rid:
            out.append((row_no, Unscheduled(referral_id=rid, reason=str(reason or "").strip())))
    return tuple(out)


def read_rota_sheet(
    problem: Problem, path: Path | str, *, lenient: bool = False
) -> tuple[Rota, list[str]]:
    """The edited Rota sheet as a Rota (absent referrals unscheduled) and its warnings."""
    sheet = read_rota_sheet_rows(problem, path, lenient=lenient)
    return sheet.rota, list(sheet.warnings)
