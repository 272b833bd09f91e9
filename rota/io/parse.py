"""Plain rows -> models: one ``parse_<sheet>(rows)`` per sheet, then the cross-checked Problem.

Cells are converted here with plain-words messages (the columns and their kinds are in
:mod:`rota.io.schema`); what pydantic still rejects (ranges) is translated by
:func:`rota.io.errors.plain_pydantic_message`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from rota.io.errors import InputError, InputIssue, plain_pydantic_message, show, sort_issues
from rota.io.schema import (
    CLOSURES,
    PREVIOUS,
    RATES,
    RECORD_SHEETS,
    REFERRALS,
    ROOMS,
    SETTING_KINDS,
    SETTINGS_COLUMNS,
    SETTINGS_SHEET,
    SHEET_ORDER,
    SITES,
    SPEC_BY_SHEET,
    THERAPISTS,
    TRAVEL,
    Kind,
    SheetSpec,
)
from rota.io.xlsx import FormulaCell, RawSheet, Row, merged_range_row
from rota.models import (
    DISCIPLINES,
    SITE_KINDS,
    Availability,
    Closure,
    PreviousSession,
    Problem,
    Rate,
    Referral,
    Room,
    Settings,
    Site,
    Therapist,
    TimeRange,
    TravelOverride,
    did_you_mean,
    parse_day,
    parse_days,
    parse_time,
)
from rota.models.dates import parse_date, parse_date_ranges

M = TypeVar("M", bound=BaseModel)


# --------------------------------------------------------------------------- cells
def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else _number_text(value)


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{show(value)} is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+(\.0+)?", value):
        return int(float(value))
    raise ValueError(f"{show(value)} is not a whole number")


# A number as typed: 1234.5, -0.18, 1,234.5 (commas only as thousands separators).
_NUMBER_RE = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?")


def _as_float(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?\d+,\d{1,2}", text):
            hint = text.replace(",", ".")
            raise ValueError(f"{show(value)} is not a number (use a point for decimals: {hint})")
        if _NUMBER_RE.fullmatch(text) and any(c.isdigit() for c in text):
            return float(text.replace(",", ""))
    raise ValueError(f"{show(value)} is not a number")


def _as_date(value: Any) -> dt.date:
    try:
        return parse_date(value)
    except ValueError:
        raise ValueError(f"{show(value)} is not a date (use YYYY-MM-DD, e.g. 2027-01-04)") from None


def _as_time(value: Any) -> int:
    if isinstance(value, dt.datetime):
        value = value.time()
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute
    if isinstance(value, float | int) and not isinstance(value, bool) and 0 <= value < 1:
        # An Excel time cell without a time format is a fraction of a day.
        return round(value * 24 * 60)
    if isinstance(value, str):
        return parse_time(value)
    raise ValueError(f"{show(value)} is not a time (use HH:MM, e.g. 09:00)")


def _as_availability(value: Any) -> Availability:
    text = _as_text(value)
    try:
        return Availability.model_validate(text)
    except ValidationError as exc:
        raise ValueError(plain_pydantic_message(exc.errors()[0])) from None


def _as_timerange(value: Any) -> TimeRange:
    try:
        return TimeRange.model_validate(_as_text(value))
    except ValidationError as exc:
        raise ValueError(plain_pydantic_message(exc.errors()[0])) from None


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _as_text(value).lower()
    if text in ("yes", "y", "true", "1", "pinned"):
        return True
    if text in ("no", "n", "false", "0"):
        return False
    raise ValueError(f"{show(value)} is not yes or no")


def _choice(value: Any, choices: Sequence[str], what: str) -> str:
    text = _as_text(value).strip().lower().replace(" ", "_").replace("'", "").replace("-", "_")
    if text in choices:
        return text
    listed = ", ".join(choices)
    hint = did_you_mean(text, choices)
    raise ValueError(f"unknown {what} {show(value)}{hint}; use {listed}")


def _as_disciplines(value: Any) -> tuple[str, ...]:
    items = [p.strip() for p in _as_text(value).split(",") if p.strip()]
    return tuple(_choice(p, DISCIPLINES, "discipline") for p in items)


def _as_sites(value: Any) -> tuple[str, ...]:
    return tuple(s.strip() for s in _as_text(value).split("|") if s.strip())


def convert(kind: Kind, value: Any) -> Any:
    """A non-blank cell converted for its column kind; ValueError says why in plain words."""
    if isinstance(value, FormulaCell):
        raise ValueError(value.problem)
    if kind in ("id", "optid", "text", "tags"):
        return _as_text(value)
    if kind == "int":
        return _as_int(value)
    if kind == "float":
        return _as_float(value)
    if kind == "date":
        return _as_date(value)
    if kind == "time":
        return _as_time(value)
    if kind == "availability":
        return _as_availability(value)
    if kind == "days":
        return parse_days(_as_text(value))
    if kind == "timerange":
        return _as_timerange(value)
    if kind == "bool":
        return _as_bool(value)
    if kind == "disciplines":
        return _as_disciplines(value)
    if kind == "sites":
        return _as_sites(value)
    if kind == "site_kind":
        return _choice(value, SITE_KINDS, "site kind")
    if kind == "discipline":
        return _choice(value, DISCIPLINES, "discipline")
    if kind == "day":
        return parse_day(_as_text(value))
    if kind == "dates":
        return parse_date_ranges(value)
    raise AssertionError(f"unknown column kind {kind}")


# --------------------------------------------------------------------------- headers
def normalise_header(value: Any) -> str:
    """Header text compared loosely: case, surrounding spaces, inner spaces or hyphens."""
    return re.sub(r"[\s\-]+", "_", _as_text(value).strip().lower()) if value is not None else ""


@dataclass
class Header:
    """Where each known column is (0-based position) and the problems found in the header."""

    position: dict[str, int]
    issues: list[InputIssue]
    usable: bool


def match_header(
    sheet: str, row_no: int, cells: Sequence[Any], known: Sequence[str], required: Iterable[str]
) -> Header:
    """Find the known columns in a header row; missing required ones make the sheet unusable.

    Extra columns are welcome, but a near miss of a known name ('capacty') is an error: its
    values would otherwise be silently ignored."""
    position: dict[str, int] = {}
    issues: list[InputIssue] = []
    near: list[tuple[int, Any]] = []
    for idx, cell in enumerate(cells):
        name = normalise_header(cell)
        if not name:
            continue
        if name not in known:
            near.append((idx, cell))
        elif name in position:
            issues.append(InputIssue(f"column '{name}' appears twice", sheet, row_no, name))
        else:
            position[name] = idx
    for _idx, cell in near:
        free = [k for k in known if k not in position]
        close = difflib.get_close_matches(normalise_header(cell), free, n=1, cutoff=0.75)
        if close:
            text = _as_text(cell)
            msg = f"column {show(text)} is not known (did you mean '{close[0]}'?): rename it"
            issues.append(InputIssue(msg, sheet, row_no, text.strip()))
    missing = [c for c in required if c not in position]
    for name in missing:
        issues.append(InputIssue(f"required column '{name}' is missing", sheet, row_no))
    return Header(position, issues, usable=not missing)


# --------------------------------------------------------------------------- records
@dataclass
class Parsed(Generic[M]):
    """The records read from one sheet, their Excel rows, and every problem found."""

    items: list[M] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    issues: list[InputIssue] = field(default_factory=list)
    broken_ids: set[str] = field(default_factory=set)
    usable: bool = True


def parse_records(spec: SheetSpec, rows: Sequence[Row]) -> Parsed[Any]:
    """Parse a record sheet: the first row is the header, the rest are records."""
    out: Parsed[Any] = Parsed()
    if not rows:
        if not spec.optional:
            out.issues.append(InputIssue("the sheet has no header row", spec.name, 1))
            out.usable = False
        return out
    header_no, header_cells = rows[0]
    header = match_header(
        spec.name,
        header_no,
        header_cells,
        [c.name for c in spec.columns],
        [c.name for c in spec.columns if spec.required(c)],
    )
    out.issues.extend(header.issues)
    if not header.usable:
        out.usable = False
        return out
    for row_no, cells in rows[1:]:
        _parse_record(spec, header.position, row_no, cells, out)
    return out


def row_label(spec: SheetSpec, position: Mapping[str, int], cells: Sequence[Any]) -> str | None:
    """What names a row in messages: its id (R0042), or e.g. CAM->ELY on the Travel sheet."""
    parts = []
    for name in spec.naming_columns:
        idx = position.get(name)
        value = cells[idx] if idx is not None and idx < len(cells) else None
        if value is not None and not isinstance(value, FormulaCell):
            parts.append(_number_text(value)[:40])
    return "->".join(parts) or None


def _parse_record(
    spec: SheetSpec,
    position: Mapping[str, int],
    row_no: int,
    cells: Sequence[Any],
    out: Parsed[Any],
) -> None:
    data: dict[str, Any] = {}
    issues: list[InputIssue] = []
    failed: set[str] = set()
    record = row_label(spec, position, cells)
    for col in spec.columns:
        idx = position.get(col.name)
        value = cells[idx] if idx is not None and idx < len(cells) else None
        problem: str | None = None
        if value is None:
            if spec.required(col):
                problem = "a value is required"
        else:
            try:
                data[col.field] = convert(col.kind, value)
            except ValueError as exc:
                problem = str(exc)
        if problem is not None:
            issues.append(InputIssue(problem, spec.name, row_no, col.name, record=record))
            failed.add(col.field)
    item = None
    try:
        item = spec.model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            field_name = str(err["loc"][0]) if err["loc"] else ""
            if field_name in failed:
                continue
            bad = spec.column_for_field(field_name)
            issues.append(
                InputIssue(
                    plain_pydantic_message(err),
                    spec.name,
                    row_no,
                    bad.name if bad else None,
                    record=record,
                )
            )
    if issues or item is None:
        out.issues.extend(issues)
        if spec.key and isinstance(data.get(spec.key), str):
            out.broken_ids.add(data[spec.key])
        return
    out.items.append(item)
    out.rows.append(row_no)


def parse_sites(rows: Sequence[Row]) -> Parsed[Site]:
    """Sites sheet -> Site records."""
    return parse_records(SITES, rows)


def parse_rooms(rows: Sequence[Row]) -> Parsed[Room]:
    """Rooms sheet -> Room records."""
    return parse_records(ROOMS, rows)


def parse_therapists(rows: Sequence[Row]) -> Parsed[Therapist]:
    """Therapists sheet -> Therapist records."""
    return parse_records(THERAPISTS, rows)


def parse_referrals(rows: Sequence[Row]) -> Parsed[Referral]:
    """Referrals sheet -> Referral records (site_id alternatives joined by |)."""
    return parse_records(REFERRALS, rows)


def parse_travel(rows: Sequence[Row]) -> Parsed[TravelOverride]:
    """Travel sheet -> measured driving minutes."""
    return parse_records(TRAVEL, rows)


def parse_rates(rows: Sequence[Row]) -> Parsed[Rate]:
    """Rates sheet -> hourly rates by date."""
    return parse_records(RATES, rows)


def parse_closures(rows: Sequence[Row]) -> Parsed[Closure]:
    """Closures sheet -> closure dates."""
    return parse_records(CLOSURES, rows)


def parse_previous(rows: Sequence[Row]) -> Parsed[PreviousSession]:
    """Previous sheet -> last term's (or the published) sessions."""
    return parse_records(PREVIOUS, rows)


# --------------------------------------------------------------------------- settings
@dataclass
class ParsedSettings:
    """The Settings (defaults where a value is blank or wrong) and the row of each setting."""

    settings: Settings
    row_by_setting: dict[str, int]
    issues: list[InputIssue]


def parse_settings(rows: Sequence[Row]) -> ParsedSettings:
    """Settings sheet (setting, value) -> Settings; unknown names get a did-you-mean error."""
    if not rows:
        return ParsedSettings(Settings(), {}, [])
    header_no, header_cells = rows[0]
    header = match_header(
        SETTINGS_SHEET, header_no, header_cells, SETTINGS_COLUMNS, SETTINGS_COLUMNS
    )
    issues = list(header.issues)
    if not header.usable:
        return ParsedSettings(Settings(), {}, issues)
    row_by_setting: dict[str, int] = {}
    data: dict[str, Any] = {}
    name_idx, value_idx = header.position["setting"], header.position["value"]
    for row_no, cells in rows[1:]:
        raw_name = cells[name_idx] if name_idx < len(cells) else None
        value = cells[value_idx] if value_idx < len(cells) else None
        issue = _setting_row(row_no, raw_name, value, row_by_setting, data)
        if issue is not None:
            issues.append(issue)
    settings = _validated_settings(data, row_by_setting, issues)
    issues.sort(key=lambda i: i.row or 0)
    return ParsedSettings(settings, row_by_setting, issues)


def _setting_row(
    row_no: int, raw_name: Any, value: Any, row_by_setting: dict[str, int], data: dict[str, Any]
) -> InputIssue | None:
    """Read one Settings row into ``data``; the problem with it, if any."""
    if raw_name is None:
        return InputIssue("a setting name is required", SETTINGS_SHEET, row_no, "setting")
    name = normalise_header(raw_name)
    if name not in SETTING_KINDS:
        msg = f"unknown setting {show(raw_name)}" + did_you_mean(name, SETTING_KINDS)
        return InputIssue(msg, SETTINGS_SHEET, row_no, "setting")
    if name in row_by_setting:
        msg = f"'{name}' is given twice (also row {row_by_setting[name]})"
        return InputIssue(msg, SETTINGS_SHEET, row_no, "setting")
    row_by_setting[name] = row_no
    if value is None:
        return None
    try:
        data[name] = convert(SETTING_KINDS[name], value)
    except ValueError as exc:
        return InputIssue(str(exc), SETTINGS_SHEET, row_no, name)
    return None


def _validated_settings(
    data: dict[str, Any], row_by_setting: Mapping[str, int], issues: list[InputIssue]
) -> Settings:
    """Settings from ``data``; values pydantic rejects (ranges) are reported and replaced by
    defaults, so that the cross-checks of the other sheets can still run."""
    for _ in range(len(data) + 1):  # each failed round drops at least one value
        try:
            return Settings.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                name = str(err["loc"][0]) if err["loc"] else ""
                msg = plain_pydantic_message(err)
                issues.append(
                    InputIssue(msg, SETTINGS_SHEET, row_by_setting.get(name), name or None)
                )
                data.pop(name, None)
    return Settings()


# --------------------------------------------------------------------------- problem
_UNKNOWN_RE = re.compile(r"^unknown (site|therapist|room) '(.*?)'|^referral '(.*?)' is not in")


def find_sheet(
    name: str, sheets: Mapping[str, RawSheet], taken: set[str]
) -> tuple[RawSheet | None, str | None]:
    """The sheet called ``name`` (any case); else a close name, reported as did-you-mean."""
    for title, raw in sheets.items():
        if title.strip().lower() == name.lower() and title not in taken:
            return raw, None
    free = {t.strip().lower(): t for t in sheets if t not in taken}
    # A stricter cutoff than did_you_mean's: 'Notes' must not pass for 'Rates'.
    close = difflib.get_close_matches(name.lower(), list(free), n=1, cutoff=0.75)
    if close:
        guess = free[close[0]]
        return sheets[guess], f"sheet is missing (did you mean '{guess}'?)"
    return None, "sheet is missing"


def build_problem(sheets: Mapping[str, RawSheet]) -> tuple[Problem, list[str]]:
    """Raw sheets -> cross-checked Problem and located warnings; InputError lists every error.

    A sheet found under a near-miss name (e.g. 'Referral') is an error but is still read, so
    the coordinator sees its other problems at the same time. Unpinned Previous rows naming a
    referral, therapist or room the service no longer has are left out, with a warning.
    """
    raw_by_name, issues, complete = _find_sheets(sheets)
    settings_part = (
        parse_settings(raw_by_name[SETTINGS_SHEET].rows)
        if SETTINGS_SHEET in raw_by_name
        else ParsedSettings(Settings(), {}, [])
    )
    issues.extend(settings_part.issues)
    parsed: dict[str, Parsed[Any]] = {}
    for spec in RECORD_SHEETS:
        raw = raw_by_name.get(spec.name)
        part = parse_records(spec, raw.rows) if raw is not None else Parsed()
        parsed[spec.name] = part
        issues.extend(part.issues)
        complete = complete and part.usable
    parts: dict[str, Any] = {"settings": settings_part.settings}
    parts.update({spec.problem_field: tuple(parsed[spec.name].items) for spec in RECORD_SHEETS})
    if complete:
        # Cross-references only mean something when every sheet could be read.
        issues.extend(_cross_check(parts, settings_part, parsed))
    ordered = sort_issues(issues, SHEET_ORDER)
    errors = [i for i in ordered if i.level == "error"]
    # One line per warning, however many checks arrived at it.
    warnings = list(dict.fromkeys(i for i in ordered if i.level == "warning"))
    if errors:
        raise InputError(errors, warnings)
    return Problem(**parts).without_ignored_previous(), [str(w) for w in warnings]


def _find_sheets(
    sheets: Mapping[str, RawSheet],
) -> tuple[dict[str, RawSheet], list[InputIssue], bool]:
    """Each sheet rota reads (by name, any case, or a near miss reported as an error), the
    problems with sheet names and merged cells, and whether every required sheet is there."""
    issues: list[InputIssue] = []
    taken: set[str] = set()
    raw_by_name: dict[str, RawSheet] = {}
    complete = True
    for name in SHEET_ORDER:
        spec = SPEC_BY_SHEET.get(name)
        raw, problem = find_sheet(name, sheets, taken)
        if raw is not None:
            taken.add(raw.title)
            raw_by_name[name] = raw
        if problem and (spec is None or not spec.optional or raw is not None):
            issues.append(InputIssue(problem, name))
            complete = complete and raw is not None
    for title in sheets:
        # Extra sheets (notes, instructions) are welcome; one that looks like a data sheet
        # ('Travel times', 'Referrals old') probably holds data rota will not see.
        key = title.strip().lower()
        like = [n for n in SHEET_ORDER if n.lower().rstrip("s") in key]
        if title not in taken and like:
            msg = f"this sheet is not read (rota reads '{like[0]}')"
            issues.append(InputIssue(msg, title, level="warning"))
    for name, raw in raw_by_name.items():
        for ref in raw.merged:
            msg = f"merged cells {ref}: unmerge them, every value needs its own cell"
            issues.append(InputIssue(msg, name, merged_range_row(ref)))
    return raw_by_name, issues, complete


def _cross_check(
    parts: Mapping[str, Any], settings_part: ParsedSettings, parsed: Mapping[str, Parsed[Any]]
) -> list[InputIssue]:
    """The Problem's cross-checks, located by Excel row and named by record."""
    probe = Problem.model_construct(**parts)
    broken = {
        "site": parsed["Sites"].broken_ids,
        "room": parsed["Rooms"].broken_ids,
        "therapist": parsed["Therapists"].broken_ids,
        "referral": parsed["Referrals"].broken_ids,
    }
    out: list[InputIssue] = []
    for issue in probe.find_issues():
        if _caused_by_broken_row(issue.message, broken):
            continue
        row: int | None
        if issue.sheet == SETTINGS_SHEET:
            row = settings_part.row_by_setting.get(issue.column or "")
        elif issue.index is not None and issue.sheet in parsed:
            row = parsed[issue.sheet].rows[issue.index]
        else:
            row = None
        out.append(
            InputIssue(
                issue.message,
                issue.sheet,
                row,
                issue.column,
                issue.level,
                record=issue.record or None,
            )
        )
    return out


def _caused_by_broken_row(message: str, broken: Mapping[str, set[str]]) -> bool:
    """True when a cross-reference error only repeats a row already reported as broken."""
    m = _UNKNOWN_RE.match(message)
    if not m:
        return False
    if m.group(3) is not None:
        return m.group(3) in broken["referral"]
    return m.group(2) in broken[m.group(1)]
