# ruff: noqa: E501 - the scenario table holds long expected messages verbatim
"""Build the corpus of deliberately broken (and a few tricky but valid) input workbooks.

Run from the repository root: ``.venv/bin/python tests/data/make_bad.py``. Each case starts from
one small valid workbook written cell by cell here (independent of rota's own writer), breaks
one thing, and writes ``tests/data/bad/<name>.xlsx`` with ``<name>.expected``: the exact lines
``rota validate`` must report (errors, then warnings prefixed ``warning: ``; empty = valid
without warnings). The expected lines are written by hand below, never produced by the reader.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

OUT = Path(__file__).resolve().parent / "bad"
SCENARIO_OUT = Path(__file__).resolve().parent / "bad_scenarios"

SETTINGS: list[list[Any]] = [
    ["setting", "value"],
    ["term_name", "Spring 2027"],  # row 2
    ["term_start", dt.date(2027, 1, 5)],  # row 3
    ["term_end", dt.date(2027, 3, 26)],  # row 4
    ["days", "Mon-Fri"],  # row 5
    ["working_day", "08:30-17:00"],  # row 6
    ["slot_minutes", 5],  # row 7
    ["admin_minutes", 10],  # row 8
    ["lunch_minutes", 30],  # row 9
    ["lunch_window", "11:30-14:00"],  # row 10
    ["travel_speed_kmh", 40],  # row 11
    ["road_factor", 1.3],  # row 12
    ["service_name", "Arts Therapies Service"],  # row 13
    ["service_contact", "01234 567890"],  # row 14
]
SITES: list[list[Any]] = [
    ["site_id", "name", "kind", "town", "latitude", "longitude", "hours", "blocked", "contact"],
    [
        "ELY-FIELDS",
        "Fieldside Primary",
        "school",
        "Ely",
        52.399,
        0.262,
        None,
        "Mon-Fri 12:00-12:45",
        "Office",
    ],
    [
        "HUN-CLINIC",
        "Huntingdon clinic",
        "clinic",
        "Huntingdon",
        52.3307,
        -0.1826,
        "Mon-Fri 08:30-17:00",
        None,
        "Reception",
    ],
    [
        "CAM-CLINIC",
        "Cambridge clinic",
        "clinic",
        "Cambridge",
        52.2053,
        0.1218,
        "Mon-Fri 08:30-17:00",
        None,
        "Reception",
    ],
]
ROOMS: list[list[Any]] = [
    ["room_id", "site_id", "name", "capacity", "features", "available"],
    ["ELY-FIELDS-MUS", "ELY-FIELDS", "Music room", 4, "piano, percussion", None],
    ["HUN-1", "HUN-CLINIC", "Room 1", 6, "piano", "Mon-Thu"],
    ["CAM-1", "CAM-CLINIC", "Studio", 8, "percussion, mirrors", None],
]
THERAPISTS: list[list[Any]] = [
    [
        "therapist_id",
        "name",
        "disciplines",
        "base_site_id",
        "works",
        "max_sessions_per_day",
        "max_contact_minutes",
        "skills",
    ],
    [
        "T01",
        "A. Bell",
        "music",
        "HUN-CLINIC",
        "Mon-Wed 08:30-17:00; Thu 08:30-12:30",
        6,
        None,
        "attachment",
    ],
    ["T02", "C. Dunn", "drama, dance", "CAM-CLINIC", "Mon-Fri", None, 1200, "systemic"],
]
REFERRALS: list[list[Any]] = [
    [
        "referral_id",
        "client",
        "site_id",
        "discipline",
        "minutes",
        "group_size",
        "therapists_needed",
        "priority",
        "needs_features",
        "needs_skills",
        "current_therapist_id",
        "available",
        "preferred",
        "funding",
    ],
    [
        "R0001",
        "A.B.",
        "ELY-FIELDS",
        "music",
        30,
        1,
        1,
        2,
        "piano",
        None,
        "T01",
        "Mon-Thu 09:00-12:00",
        "Tue 09:00-10:30",
        "EHC plan",
    ],
    [
        "R0002",
        "C.D.",
        "HUN-CLINIC|CAM-CLINIC",
        "drama",
        45,
        1,
        1,
        3,
        None,
        None,
        "T02",
        None,
        None,
        "Pupil Premium",
    ],
    ["R0003", "Y3 group", "CAM-CLINIC", "dance", 45, 5, 1, 3, None, None, None, None, None, None],
    [
        "R0004",
        "E.F.",
        "ELY-FIELDS",
        "music",
        40,
        1,
        1,
        4,
        None,
        "attachment",
        None,
        None,
        None,
        None,
    ],
]
TRAVEL: list[list[Any]] = [
    ["from_site_id", "to_site_id", "minutes"],
    ["HUN-CLINIC", "CAM-CLINIC", 35],
]
RATES: list[list[Any]] = [["effective_from", "hourly_rate"], [dt.date(2026, 9, 1), 51.0]]
CLOSURES: list[list[Any]] = [
    ["from", "to", "label", "site_id"],
    [dt.date(2027, 2, 15), dt.date(2027, 2, 19), "Half term", None],
]
PREVIOUS: list[list[Any]] = [
    ["referral_id", "therapist_id", "day", "start", "room_id", "pinned"],
    ["R0001", "T01", "Tue", "09:30", "ELY-FIELDS-MUS", "no"],
]
BASE: dict[str, list[list[Any]]] = {
    "Settings": SETTINGS,
    "Sites": SITES,
    "Rooms": ROOMS,
    "Therapists": THERAPISTS,
    "Referrals": REFERRALS,
    "Travel": TRAVEL,
    "Rates": RATES,
    "Closures": CLOSURES,
    "Previous": PREVIOUS,
}


def base_workbook() -> Workbook:
    """The valid starting point of every case."""
    wb = Workbook()
    for sheet in list(wb.worksheets):
        wb.remove(sheet)
    for name, rows in BASE.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    return wb


def col(ws: Worksheet, header: str) -> int:
    """1-based column of a header in the first row."""
    for cell in ws[1]:
        if cell.value == header:
            return int(cell.column)
    raise KeyError(header)


def put(wb: Workbook, sheet: str, row: int, header: str, value: Any) -> None:
    ws = wb[sheet]
    ws.cell(row=row, column=col(ws, header)).value = value


Case = tuple[Callable[[Workbook], None], list[str]]
CASES: dict[str, Case] = {}


def case(name: str, *expected: str) -> Callable[[Callable[[Workbook], None]], None]:
    def register(change: Callable[[Workbook], None]) -> None:
        CASES[name] = (change, list(expected))

    return register


@case("valid_base")
def _valid(wb: Workbook) -> None:
    pass


@case("missing_sheet", "Rooms: sheet is missing")
def _missing_sheet(wb: Workbook) -> None:
    wb.remove(wb["Rooms"])


@case("missing_column", "Rooms row 1: required column 'capacity' is missing")
def _missing_column(wb: Workbook) -> None:
    wb["Rooms"].delete_cols(col(wb["Rooms"], "capacity"))


@case(
    "misspelt_column",
    "Rooms row 1, capacty: column 'capacty' is not known (did you mean 'capacity'?): rename it",
    "Rooms row 1: required column 'capacity' is missing",
)
def _misspelt_column(wb: Workbook) -> None:
    put(wb, "Rooms", 1, "capacity", "capacty")


@case("text_in_number", "Rooms row 3 (HUN-1), capacity: 'big' is not a whole number")
def _text_in_number(wb: Workbook) -> None:
    put(wb, "Rooms", 3, "capacity", "big")


@case(
    "unknown_site",
    "Referrals row 2 (R0001), site_id: unknown site 'ELY-FIELD' (did you mean 'ELY-FIELDS'?)",
)
def _unknown_site(wb: Workbook) -> None:
    put(wb, "Referrals", 2, "site_id", "ELY-FIELD")


@case("duplicate_ids", "Sites row 5 (CAM-CLINIC), site_id: duplicate id 'CAM-CLINIC'")
def _duplicate_ids(wb: Workbook) -> None:
    wb["Sites"].append(["CAM-CLINIC", "Cambridge clinic annexe", "clinic", "Cambridge", 52.2, 0.12])


@case(
    "bad_day_name",
    "Referrals row 2 (R0001), preferred: 'Thrusday' is not a day (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)",
    "Previous row 2 (R0001), day: 'Mnday' is not a day (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)",
)
def _bad_day_name(wb: Workbook) -> None:
    put(wb, "Previous", 2, "day", "Mnday")
    put(wb, "Referrals", 2, "preferred", "Tue 09:00-10:00; Thrusday 09:00-10:30")


@case(
    "reversed_window",
    "Referrals row 2 (R0001), available: range '12:00-09:00' ends before it starts",
)
def _reversed_window(wb: Workbook) -> None:
    put(wb, "Referrals", 2, "available", "Mon-Thu 12:00-09:00")


@case(
    "minutes_off_grid",
    "Rooms row 3 (HUN-1), available: time 09:02 is not on the 5-minute slot grid",
    "Referrals row 3 (R0002), minutes: 42 minutes is not a multiple of the 5-minute slot grid",
)
def _minutes_off_grid(wb: Workbook) -> None:
    put(wb, "Referrals", 3, "minutes", 42)
    put(wb, "Rooms", 3, "available", "Mon-Thu 09:02-15:00")


@case(
    "merged_cells", "Sites row 3: merged cells B3:C3: unmerge them, every value needs its own cell"
)
def _merged_cells(wb: Workbook) -> None:
    wb["Sites"].merge_cells("B3:C3")


@case("blank_rows_in_middle")
def _blank_rows(wb: Workbook) -> None:
    wb["Referrals"].insert_rows(4, amount=2)
    wb["Sites"].insert_rows(3, amount=1)


@case(
    "blank_rows_keep_row_numbers",
    "Referrals row 7 (R0004), minutes: 'forty' is not a whole number",
)
def _blank_rows_numbers(wb: Workbook) -> None:
    wb["Referrals"].insert_rows(4, amount=2)  # R0003 moves to row 6, R0004 to row 7
    put(wb, "Referrals", 7, "minutes", "forty")


@case("excel_date_and_time_cells")
def _date_time_cells(wb: Workbook) -> None:
    put(wb, "Settings", 3, "value", "05/01/2027")  # text, UK order
    put(wb, "Settings", 4, "value", dt.datetime(2027, 3, 26))  # a datetime cell
    put(wb, "Rates", 2, "effective_from", "2026-09-01")
    put(wb, "Closures", 2, "from", dt.datetime(2027, 2, 15))
    put(wb, "Closures", 2, "to", "2027-02-19")
    put(wb, "Previous", 2, "start", dt.time(9, 30))


@case("sheet_renamed", "Referrals: sheet is missing (did you mean 'Referral'?)")
def _sheet_renamed(wb: Workbook) -> None:
    wb["Referrals"].title = "Referral"


@case("sheet_case_and_loose_headers")
def _loose(wb: Workbook) -> None:
    # openpyxl renames on a case-only clash with the sheet itself, so go via another name.
    wb["Therapists"].title = "tmp"
    wb["tmp"].title = "therapists"
    put(wb, "Rooms", 1, "capacity", "  Capacity ")
    put(wb, "Rooms", 1, "room_id", "Room ID")
    ws = wb["Travel"]
    ws.insert_cols(1)
    ws.cell(row=1, column=1).value = "notes"
    ws.cell(row=2, column=1).value = "measured in 2026"
    # Swap two columns: order does not matter.
    ws = wb["Closures"]
    for row in ws.iter_rows(min_row=1, max_row=2):
        row[0].value, row[2].value = row[2].value, row[0].value


@case("ids_stored_as_numbers")
def _numeric_ids(wb: Workbook) -> None:
    put(wb, "Therapists", 3, "therapist_id", 1001)
    put(wb, "Referrals", 3, "current_therapist_id", 1001.0)
    put(wb, "Sites", 4, "site_id", 42)
    put(wb, "Rooms", 4, "site_id", 42)
    put(wb, "Therapists", 3, "base_site_id", "42")
    put(wb, "Referrals", 3, "site_id", "HUN-CLINIC|42")
    put(wb, "Referrals", 4, "site_id", 42)
    put(wb, "Travel", 2, "to_site_id", 42.0)


@case(
    "extra_sheets",
    "warning: Travel times: this sheet is not read (rota reads 'Travel')",
)
def _extra_sheets(wb: Workbook) -> None:
    notes = wb.create_sheet("Notes", 0)
    notes.append(["Read me first", "Fill in every sheet, then run rota validate."])
    wb.create_sheet("Travel times").append(["from", "to", "minutes"])


@case(
    "unknown_discipline",
    "Referrals row 3 (R0002), discipline: unknown discipline 'drame' (did you mean 'drama'?); "
    "use music, drama, dance",
)
def _unknown_discipline(wb: Workbook) -> None:
    put(wb, "Referrals", 3, "discipline", "drame")


@case(
    "bad_site_kind",
    "Sites row 2 (ELY-FIELDS), kind: unknown site kind 'academy'; "
    "use school, special_school, unit, childrens_centre, clinic",
)
def _bad_kind(wb: Workbook) -> None:
    put(wb, "Sites", 2, "kind", "academy")


@case(
    "latitude_out_of_range",
    "Sites row 3 (HUN-CLINIC), latitude: 95 is too large: it must be at most 90",
)
def _latitude(wb: Workbook) -> None:
    put(wb, "Sites", 3, "latitude", 95)


@case(
    "unknown_setting",
    "Settings row 15, setting: unknown setting 'slot_minute' (did you mean 'slot_minutes'?)",
)
def _unknown_setting(wb: Workbook) -> None:
    wb["Settings"].append(["slot_minute", 5])


@case("bad_yes_no", "Previous row 2 (R0001), pinned: 'maybe' is not yes or no")
def _yes_no(wb: Workbook) -> None:
    put(wb, "Previous", 2, "pinned", "maybe")


@case(
    "negative_capacity",
    "Rooms row 2 (ELY-FIELDS-MUS), capacity: -3 is too small: it must be at least 1",
    "warning: Referrals row 2 (R0001), needs_features: no room at its site(s) has the capacity and "
    "features it needs: it cannot be placed",
    "warning: Referrals row 5 (R0004), needs_features: no room at its site(s) has the capacity and "
    "features it needs: it cannot be placed",
)
def _negative_capacity(wb: Workbook) -> None:
    put(wb, "Rooms", 2, "capacity", -3)


@case(
    "closure_ends_before_start",
    "Closures row 2 (Half term), to: closure ends (2027-02-10) before it starts (2027-02-15)",
)
def _closure(wb: Workbook) -> None:
    put(wb, "Closures", 2, "to", dt.date(2027, 2, 10))


@case(
    "unknown_current_therapist",
    "Referrals row 3 (R0002), current_therapist_id: unknown therapist 'T2' (did you mean 'T02'?)",
)
def _current_therapist(wb: Workbook) -> None:
    put(wb, "Referrals", 3, "current_therapist_id", "T2")


@case(
    "unknown_base_site",
    "Therapists row 3 (T02), base_site_id: unknown site 'CAM-CLINC' (did you mean 'CAM-CLINIC'?)",
)
def _base_site(wb: Workbook) -> None:
    put(wb, "Therapists", 3, "base_site_id", "CAM-CLINC")


def add_column(wb: Workbook, sheet: str, header: str) -> None:
    """A column appended to a sheet (an optional one the base workbook leaves out)."""
    ws = wb[sheet]
    ws.cell(row=1, column=ws.max_column + 1).value = header


@case(
    "therapist_wishes_wrong",
    "Therapists row 2 (T01), avoid_days: 'Fry' is not a day (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)",
    "Therapists row 3 (T02), preferred_sites: unknown site 'CAM-CLINC' (did you mean 'CAM-CLINIC'?)",
    # T01 is dropped, so nobody offers music or attachment: true consequences.
    "warning: Referrals row 2 (R0001), discipline: no therapist offers music: it cannot be placed",
    "warning: Referrals row 5 (R0004), discipline: no therapist offers music: it cannot be placed",
    "warning: Referrals row 5 (R0004), needs_skills: no therapist has the skill 'attachment': it cannot be placed",
)
def _wishes(wb: Workbook) -> None:
    for header in ("avoid_days", "preferred_sites"):
        add_column(wb, "Therapists", header)
    put(wb, "Therapists", 2, "avoid_days", "Fry")
    put(wb, "Therapists", 3, "preferred_sites", "HUN-CLINIC|CAM-CLINC")


@case(
    "required_value_blank",
    "Rooms row 4 (CAM-1), site_id: a value is required",
    # CAM-1 is dropped, so the group at CAM-CLINIC has no room left: a true consequence.
    "warning: Referrals row 4 (R0003), needs_features: no room at its site(s) has the capacity and "
    "features it needs: it cannot be placed",
)
def _blank_required(wb: Workbook) -> None:
    put(wb, "Rooms", 4, "site_id", "   ")


@case(
    "text_not_a_date",
    "Closures row 2 (Half term), from: 'half term' is not a date (use YYYY-MM-DD, e.g. 2027-01-04)",
)
def _not_a_date(wb: Workbook) -> None:
    put(wb, "Closures", 2, "from", "half term")


@case(
    "term_reversed",
    "Settings row 4, term_end: term ends (2026-12-18) before it starts (2027-01-05)",
)
def _term_reversed(wb: Workbook) -> None:
    put(wb, "Settings", 4, "value", dt.date(2026, 12, 18))


@case(
    "several_errors",
    "Settings row 7, slot_minutes: 0 is too small: it must be at least 1",
    "Sites row 4 (CAM-CLINIC), longitude: a value is required",
    "Rooms row 3 (HUN-1), capacity: 'big' is not a whole number",
    "Therapists row 2 (T01), disciplines: unknown discipline 'art'; use music, drama, dance",
    "Referrals row 4 (R0003), minutes: 'forty' is not a whole number",
    "Referrals row 5 (R0004), site_id: unknown site 'ELY-FEILDS' (did you mean 'ELY-FIELDS'?)",
    "Previous row 2 (R0001), start: '9:75' is not a time of day",
    # T01 (the only music therapist) and CAM-1 are dropped: what follows from the rest.
    "warning: Referrals row 2 (R0001), discipline: no therapist offers music: it cannot be placed",
    "warning: Referrals row 3 (R0002), needs_features: no room at its site(s) has the capacity and "
    "features it needs: it cannot be placed",
    "warning: Referrals row 5 (R0004), discipline: no therapist offers music: it cannot be placed",
    "warning: Referrals row 5 (R0004), needs_skills: no therapist has the skill 'attachment': "
    "it cannot be placed",
)
def _several(wb: Workbook) -> None:
    put(wb, "Settings", 7, "value", 0)
    put(wb, "Sites", 4, "longitude", None)
    put(wb, "Rooms", 3, "capacity", "big")
    put(wb, "Therapists", 2, "disciplines", "music, art")
    put(wb, "Referrals", 4, "minutes", "forty")
    put(wb, "Referrals", 5, "site_id", "ELY-FEILDS")
    put(wb, "Previous", 2, "start", "9:75")


# --------------------------------------------------------------------------- generated families
# Each family breaks one cell at a time. Its expected line is written from the tables below (by
# hand, never by the reader), and a .parts file lists the four things the line must name: the
# sheet, the row, the column and the offending value as the message shows it ('' = blank).
ROW_ID: dict[str, dict[int, str]] = {
    "Sites": {2: "ELY-FIELDS", 3: "HUN-CLINIC", 4: "CAM-CLINIC"},
    "Rooms": {2: "ELY-FIELDS-MUS", 3: "HUN-1", 4: "CAM-1"},
    "Therapists": {2: "T01", 3: "T02"},
    "Referrals": {2: "R0001", 3: "R0002", 4: "R0003", 5: "R0004"},
    "Travel": {2: "HUN-CLINIC->CAM-CLINIC"},
    "Rates": {2: "2026-09-01"},
    "Closures": {2: "Half term"},
    "Previous": {2: "R0001"},
}
SETTING_ROW = {row[0]: i for i, row in enumerate(SETTINGS, start=1)}
PARTS: dict[str, tuple[str, int, str, str]] = {}


def cell_case(
    name: str,
    sheet: str,
    row: int,
    column: str,
    value: Any,
    shown: str,
    message: str,
    *more: str,
    record: str | None = "",
) -> None:
    """Register a case that puts ``value`` in one cell and expects one located line (then
    ``more``): ``shown`` is the value as the message quotes it."""
    if sheet == "Settings":
        where = f"Settings row {SETTING_ROW[column]}, {column}"
        row = SETTING_ROW[column]
    else:
        rec = ROW_ID[sheet].get(row) if record == "" else record
        where = f"{sheet} row {row}" + (f" ({rec})" if rec else "") + f", {column}"

    def change(wb: Workbook) -> None:
        if sheet == "Settings":
            put(wb, "Settings", row, "value", value)
        else:
            put(wb, sheet, row, column, value)

    CASES[name] = (change, [f"{where}: {message}", *more])
    PARTS[name] = (sheet, row, column, shown)


INT_COLUMNS = (  # sheet, row, column, smallest, largest
    ("Rooms", 3, "capacity", 1, 500),
    ("Therapists", 2, "max_sessions_per_day", 0, 48),
    ("Therapists", 3, "max_contact_minutes", 0, 7 * 24 * 60),
    ("Referrals", 3, "minutes", 5, 240),
    ("Referrals", 4, "group_size", 1, 500),
    ("Referrals", 2, "therapists_needed", 1, 4),
    ("Referrals", 5, "priority", 1, 5),
    ("Travel", 2, "minutes", 0, 600),
)
for _sheet, _row, _col, _lo, _hi in INT_COLUMNS:
    _stem = f"gen_{_sheet.lower()}_{_col}"
    cell_case(f"{_stem}_text", _sheet, _row, _col, "lots", "'lots'", "'lots' is not a whole number")
    cell_case(f"{_stem}_fraction", _sheet, _row, _col, 2.5, "2.5", "2.5 is not a whole number")
    cell_case(f"{_stem}_too_small", _sheet, _row, _col, _lo - 5, str(_lo - 5),
              f"{_lo - 5} is too small: it must be at least {_lo}")  # fmt: skip
    cell_case(f"{_stem}_too_large", _sheet, _row, _col, _hi + 5, str(_hi + 5),
              f"{_hi + 5} is too large: it must be at most {_hi}")  # fmt: skip

FLOAT_COLUMNS = (
    ("Sites", 3, "latitude", -90, 90),
    ("Sites", 4, "longitude", -180, 180),
    ("Rates", 2, "hourly_rate", 0, 10_000),
)
for _sheet, _row, _col, _lo, _hi in FLOAT_COLUMNS:
    _stem = f"gen_{_sheet.lower()}_{_col}"
    cell_case(f"{_stem}_text", _sheet, _row, _col, "north", "'north'", "'north' is not a number")
    cell_case(f"{_stem}_decimal_comma", _sheet, _row, _col, "3,5", "'3,5'",
              "'3,5' is not a number (use a point for decimals: 3.5)")  # fmt: skip
    cell_case(f"{_stem}_infinite", _sheet, _row, _col, "inf", "'inf'", "'inf' is not a number")
    cell_case(f"{_stem}_nan", _sheet, _row, _col, "NaN", "'NaN'", "'NaN' is not a number")
    cell_case(f"{_stem}_too_large", _sheet, _row, _col, _hi + 1000, str(_hi + 1000),
              f"{_hi + 1000} is too large: it must be at most {_hi}")  # fmt: skip

SETTING_VALUES = (  # setting, value, shown, message
    ("travel_speed_kmh", 2, "2", "2 is too small: it must be at least 10"),
    ("travel_speed_kmh", 400, "400", "400 is too large: it must be at most 120"),
    ("travel_speed_kmh", 0, "0", "0 is too small: it must be at least 10"),
    ("travel_speed_kmh", -40, "-40", "-40 is too small: it must be at least 10"),
    ("travel_speed_kmh", "inf", "'inf'", "'inf' is not a number"),
    ("travel_speed_kmh", "fast", "'fast'", "'fast' is not a number"),
    ("road_factor", 0.5, "0.5", "0.5 is too small: it must be at least 1"),
    ("road_factor", 10, "10", "10 is too large: it must be at most 3"),
    ("road_factor", "nan", "'nan'", "'nan' is not a number"),
    ("road_factor", "1,3", "'1,3'", "'1,3' is not a number (use a point for decimals: 1.3)"),
    ("slot_minutes", 90, "90", "90 is too large: it must be at most 60"),
    ("slot_minutes", "five", "'five'", "'five' is not a whole number"),
    ("admin_minutes", -1, "-1", "-1 is too small: it must be at least 0"),
    ("admin_minutes", 200, "200", "200 is too large: it must be at most 120"),
    ("lunch_minutes", 500, "500", "500 is too large: it must be at most 120"),
    ("term_end", dt.date(9999, 12, 31), "9999-12-31",
     "9999-12-31 is not a plausible date (use a year from 2000 to 2100)"),
    ("term_start", dt.date(1900, 1, 1), "1900-01-01",
     "1900-01-01 is not a plausible date (use a year from 2000 to 2100)"),
    ("term_end", dt.date(2028, 6, 1), "2028-06-01",
     "term from 2027-01-05 to 2028-06-01 is longer than a year: give one term's dates"),
    ("term_start", "soon", "'soon'", "'soon' is not a date (use YYYY-MM-DD, e.g. 2027-01-04)"),
    ("working_day", "17:00-08:30", "'17:00-08:30'", "range '17:00-08:30' ends before it starts"),
)  # fmt: skip
for _i, (_name, _value, _shown, _message) in enumerate(SETTING_VALUES):
    cell_case(f"gen_setting_{_name}_{_i}", "Settings", 0, _name, _value, _shown, _message)

DATE_CELLS = (  # sheet, row, column, value, shown, message
    ("Closures", 2, "from", "soon", "'soon'", "'soon' is not a date (use YYYY-MM-DD, e.g. 2027-01-04)"),
    ("Closures", 2, "to", "31/02/2027", "'31/02/2027'",
     "'31/02/2027' is not a date (use YYYY-MM-DD, e.g. 2027-01-04)"),
    ("Closures", 2, "to", dt.date(9999, 12, 31), "9999-12-31",
     "9999-12-31 is not a plausible date (use a year from 2000 to 2100)"),
    ("Closures", 2, "from", dt.date(1850, 2, 15), "1850-02-15",
     "1850-02-15 is not a plausible date (use a year from 2000 to 2100)"),
    ("Rates", 2, "effective_from", "next year", "'next year'",
     "'next year' is not a date (use YYYY-MM-DD, e.g. 2027-01-04)"),
    ("Rates", 2, "effective_from", dt.date(1850, 1, 1), "1850-01-01",
     "1850-01-01 is not a plausible date (use a year from 2000 to 2100)"),
)  # fmt: skip
for _i, (_sheet, _row, _col, _value, _shown, _message) in enumerate(DATE_CELLS):
    _rec = {"effective_from": str(_value)[:40] if not isinstance(_value, str) else _value}
    cell_case(f"gen_date_{_sheet.lower()}_{_col}_{_i}", _sheet, _row, _col, _value, _shown, _message,
              record=_rec.get(_col, ""))  # fmt: skip

REQUIRED_CELLS = (  # sheet, row, column (the row keeps its id, so nothing else breaks)
    ("Sites", 4, "name"), ("Sites", 3, "latitude"), ("Sites", 2, "longitude"),
    ("Rooms", 4, "site_id"), ("Rooms", 3, "capacity"),
    ("Therapists", 2, "disciplines"), ("Therapists", 3, "base_site_id"), ("Therapists", 3, "works"),
    ("Referrals", 3, "site_id"), ("Referrals", 4, "discipline"), ("Referrals", 5, "minutes"),
    ("Travel", 2, "from_site_id"), ("Travel", 2, "to_site_id"), ("Travel", 2, "minutes"),
    ("Rates", 2, "hourly_rate"), ("Closures", 2, "from"), ("Closures", 2, "to"),
    ("Previous", 2, "therapist_id"), ("Previous", 2, "day"), ("Previous", 2, "start"),
    ("Previous", 2, "room_id"),
)  # fmt: skip
for _sheet, _row, _col in REQUIRED_CELLS:
    _rec: str | None = ""
    if _sheet == "Travel" and _col != "minutes":
        _rec = "CAM-CLINIC" if _col == "from_site_id" else "HUN-CLINIC"
    cell_case(f"gen_blank_{_sheet.lower()}_{_col}", _sheet, _row, _col, None, "",
              "a value is required", record=_rec)  # fmt: skip

AVAILABILITY_CELLS = (
    ("Sites", 2, "hours"), ("Sites", 3, "blocked"), ("Rooms", 4, "available"),
    ("Therapists", 2, "works"), ("Referrals", 3, "available"), ("Referrals", 5, "preferred"),
)  # fmt: skip
AVAILABILITY_TEXTS = (
    ("whenever", "'whenever'", "'whenever' is not a day (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)"),
    ("Mon 25:00-26:00", "'25:00'", "'25:00' is not a time of day"),
    ("Mon 12:00-09:00", "'12:00-09:00'", "range '12:00-09:00' ends before it starts"),
    ("Tue 09:03-11:00", "09:03", "time 09:03 is not on the 5-minute slot grid"),
)
for _sheet, _row, _col in AVAILABILITY_CELLS:
    for _j, (_value, _shown, _message) in enumerate(AVAILABILITY_TEXTS):
        cell_case(f"gen_availability_{_sheet.lower()}_{_col}_{_j}", _sheet, _row, _col, _value,
                  _shown, _message)  # fmt: skip

CHOICE_CELLS = (
    ("Sites", 3, "kind", "academy", "'academy'",
     "unknown site kind 'academy'; use school, special_school, unit, childrens_centre, clinic"),
    ("Referrals", 2, "discipline", "musik", "'musik'",
     "unknown discipline 'musik' (did you mean 'music'?); use music, drama, dance"),
    ("Therapists", 3, "disciplines", "drama, art", "'art'",
     "unknown discipline 'art'; use music, drama, dance"),
    ("Previous", 2, "day", "Mnday", "'Mnday'",
     "'Mnday' is not a day (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)"),
    ("Previous", 2, "pinned", "perhaps", "'perhaps'", "'perhaps' is not yes or no"),
    ("Previous", 2, "start", "25:99", "'25:99'", "'25:99' is not a time of day"),
)  # fmt: skip
for _sheet, _row, _col, _value, _shown, _message in CHOICE_CELLS:
    cell_case(f"gen_choice_{_sheet.lower()}_{_col}", _sheet, _row, _col, _value, _shown, _message)

UNKNOWN_REFS = (  # sheet, row, column, value, message
    ("Rooms", 3, "site_id", "NOWHERE", "unknown site 'NOWHERE'"),
    ("Therapists", 2, "base_site_id", "HUN-CLNIC",
     "unknown site 'HUN-CLNIC' (did you mean 'HUN-CLINIC'?)"),
    ("Referrals", 4, "site_id", "CAM-CLINIC|ELY-FEELDS",
     "unknown site 'ELY-FEELDS' (did you mean 'ELY-FIELDS'?)"),
    ("Referrals", 2, "current_therapist_id", "T09", "unknown therapist 'T09' (did you mean 'T02'?)"),
    ("Closures", 2, "site_id", "ELY", "unknown site 'ELY'"),
)  # fmt: skip
for _sheet, _row, _col, _value, _message in UNKNOWN_REFS:
    _shown = "'" + _value.split("|")[-1] + "'"
    cell_case(f"gen_unknown_{_sheet.lower()}_{_col}", _sheet, _row, _col, _value, _shown, _message)
cell_case("gen_unknown_travel_to", "Travel", 2, "to_site_id", "CAM", "'CAM'", "unknown site 'CAM'",
          record="HUN-CLINIC->CAM")  # fmt: skip


def _pinned(column: str, value: str, message: str) -> None:
    def change(wb: Workbook) -> None:
        put(wb, "Previous", 2, "pinned", "yes")
        put(wb, "Previous", 2, column, value)

    rec = value if column == "referral_id" else "R0001"
    name = f"gen_pinned_unknown_{column}"
    CASES[name] = (change, [f"Previous row 2 ({rec}), {column}: {message}"])
    PARTS[name] = ("Previous", 2, column, f"'{value}'")


_pinned("therapist_id", "T03", "unknown therapist 'T03' (did you mean 'T02'?)")
_pinned("room_id", "HUN-2", "unknown room 'HUN-2' (did you mean 'HUN-1'?)")
_pinned("referral_id", "R0099", "referral 'R0099' is not in Referrals")

FORMULA_CELLS = (
    ("Rooms", 3, "capacity", "=2+2"), ("Referrals", 3, "minutes", "=30+15"),
    ("Sites", 3, "latitude", "=52+0.3"), ("Therapists", 2, "works", '="Mon-Wed"'),
    ("Referrals", 5, "client", '=LEFT("E.F.",4)'), ("Travel", 2, "minutes", "=7*5"),
)  # fmt: skip
for _sheet, _row, _col, _formula in FORMULA_CELLS:
    cell_case(f"gen_formula_{_sheet.lower()}_{_col}", _sheet, _row, _col, _formula, f"'{_formula}'",
              f"'{_formula}' is a formula whose value was never saved: type the value, or open "
              "and save the workbook in Excel")  # fmt: skip
cell_case("gen_formula_setting", "Settings", 0, "slot_minutes", "=10/2", "'=10/2'",
          "'=10/2' is a formula whose value was never saved: type the value, or open and save "
          "the workbook in Excel")  # fmt: skip

HEADER_SLIPS = (  # sheet, column, slip
    ("Sites", "latitude", "latitud"), ("Rooms", "site_id", "site_ids"),
    ("Therapists", "therapist_id", "therapst_id"), ("Referrals", "referral_id", "referal_id"),
    ("Travel", "minutes", "minute"), ("Rates", "hourly_rate", "hourly_rte"),
    ("Closures", "from", "form"), ("Previous", "room_id", "room_ids"),
    ("Referrals", "discipline", "disciplin"),
)  # fmt: skip
for _sheet, _col, _slip in HEADER_SLIPS:

    def _rename(wb: Workbook, sheet: str = _sheet, col_: str = _col, slip: str = _slip) -> None:
        put(wb, sheet, 1, col_, slip)

    _name = f"gen_header_{_sheet.lower()}_{_slip}"
    CASES[_name] = (_rename, [
        f"{_sheet} row 1, {_slip}: column '{_slip}' is not known (did you mean '{_col}'?): "
        "rename it",
        f"{_sheet} row 1: required column '{_col}' is missing",
    ])  # fmt: skip
    PARTS[_name] = (_sheet, 1, _slip, f"'{_slip}'")


def _travel_twice(minutes: int) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        wb["Travel"].append(["HUN-CLINIC", "CAM-CLINIC", minutes])

    return change


CASES["gen_travel_twice_different"] = (_travel_twice(50), [
    "Travel row 3 (HUN-CLINIC->CAM-CLINIC), minutes: 50 minutes, but another row gives 35 for "
    "the same drive: keep one row"
])  # fmt: skip
PARTS["gen_travel_twice_different"] = ("Travel", 3, "minutes", "50")
CASES["gen_travel_twice_same"] = (_travel_twice(35), [
    "warning: Travel row 3 (HUN-CLINIC->CAM-CLINIC), minutes: the same drive is given twice: "
    "keep one row"
])  # fmt: skip
PARTS["gen_travel_twice_same"] = ("Travel", 3, "minutes", "drive")
cell_case("gen_site_far_away", "Sites", 2, "latitude", 55.95, "55.95",
          "55.95, 0.262 is 403 km from the middle of the other sites (52.3307, 0.1218): check "
          "latitude and longitude")  # fmt: skip
CASES["gen_site_far_away"][1][0] = "warning: " + CASES["gen_site_far_away"][1][0]
cell_case("gen_previous_room_gone", "Previous", 2, "room_id", "OLD-ROOM", "'OLD-ROOM'",
          "unknown room 'OLD-ROOM' (row ignored)")  # fmt: skip
CASES["gen_previous_room_gone"][1][0] = "warning: " + CASES["gen_previous_room_gone"][1][0]
cell_case("gen_previous_referral_gone", "Previous", 2, "referral_id", "R0900", "'R0900'",
          "referral 'R0900' is not in Referrals (row ignored)", record="R0900")  # fmt: skip
CASES["gen_previous_referral_gone"][1][0] = "warning: " + CASES["gen_previous_referral_gone"][1][0]


def damaged_files() -> dict[str, tuple[bytes, str]]:
    """Whole files that are not usable workbooks, each with its one expected line."""
    import io
    import zipfile

    wb = base_workbook()
    buffer = io.BytesIO()
    wb.save(buffer)
    good = buffer.getvalue()
    corrupt = bytearray(good)
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(start + 5, start + 40):
        corrupt[k] ^= 0x5A  # the deflate stream is broken; the zip directory is intact
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out,
        zipfile.ZipFile(io.BytesIO(good)) as src,
    ):
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b"</sheetData>" + b" " * (210 * 1024 * 1024))
            out.writestr(item, data)
    damaged = "is not an Excel workbook (.xlsx) or it is damaged: re-save it from Excel"
    return {
        "file_corrupt_deflate": (bytes(corrupt), damaged),
        "file_truncated": (good[: len(good) // 2], damaged),
        "file_empty": (b"", damaged),
        "file_zip_bomb": (bomb.getvalue(), "would unzip to 210 MB: rota reads workbooks of at "
                          "most 200 MB unzipped (is it really the service's input?)"),
    }  # fmt: skip


# --------------------------------------------------------------------------- scenario files
# Broken scenario files for `rota scenario check` against valid_base.xlsx: the file's text, the
# expected lines (reviewed by hand) and the parts each first line must name: where in the file
# (change or line), the field and the offending value.
SCENARIOS: dict[str, tuple[str | bytes, list[str], tuple[str, str, str]]] = {
    "unknown_op": (
        "changes:\n  - op: sack_therapist\n    therapist_id: T01\n",
        [
            "unknown_op.yaml: changes[0] (sack_therapist): unknown op 'sack_therapist' (use one of: remove_therapist, add_therapist, set_availability, close_room, close_site, add_referrals, remove_referrals, set_setting, set_rate, pin)"
        ],
        ("changes[0]", "sack_therapist", "'sack_therapist'"),
    ),
    "no_op": (
        "changes:\n  - therapist_id: T01\n",
        [
            "no_op.yaml: changes[0]: no op given (use one of: remove_therapist, add_therapist, set_availability, close_room, close_site, add_referrals, remove_referrals, set_setting, set_rate, pin)"
        ],
        ("changes[0]", "", "no op given"),
    ),
    "remove_unknown_therapist": (
        "changes:\n  - op: remove_therapist\n    therapist_id: T99\n",
        [
            "remove_unknown_therapist.yaml: changes[0] (remove_therapist) therapist_id: unknown therapist 'T99'"
        ],
        ("changes[0]", "therapist_id", "'T99'"),
    ),
    "add_existing_therapist": (
        "changes:\n  - op: add_therapist\n    therapist: {therapist_id: T01, disciplines: music, base_site_id: HUN-CLINIC, works: Mon}\n",
        [
            "add_existing_therapist.yaml: changes[0] (add_therapist) therapist.therapist_id: therapist 'T01' already exists"
        ],
        ("changes[0]", "therapist.therapist_id", "'T01'"),
    ),
    "add_therapist_bad_discipline": (
        "changes:\n  - op: add_therapist\n    therapist: {therapist_id: T05, disciplines: art, base_site_id: HUN-CLINIC, works: Mon}\n",
        [
            "add_therapist_bad_discipline.yaml: changes[0] (add_therapist) therapist.disciplines[0]: 'art' is not one of 'music', 'drama' or 'dance'",
            "add_therapist_bad_discipline.yaml: changes[0] (add_therapist) therapist.disciplines: at least one value is required",
        ],
        ("changes[0]", "therapist.disciplines[0]", "'art'"),
    ),
    "add_therapist_unknown_base": (
        "changes:\n  - op: add_therapist\n    therapist: {therapist_id: T05, disciplines: music, base_site_id: NOWHERE, works: Mon}\n",
        [
            "add_therapist_unknown_base.yaml: changes[0] (add_therapist): Therapists T05, base_site_id: unknown site 'NOWHERE'"
        ],
        ("changes[0]", "base_site_id", "'NOWHERE'"),
    ),
    "availability_unknown_therapist": (
        "changes:\n  - op: set_availability\n    which: therapist\n    id: T77\n    availability: Mon\n",
        [
            "availability_unknown_therapist.yaml: changes[0] (set_availability) id: unknown therapist 'T77'"
        ],
        ("changes[0]", "id", "'T77'"),
    ),
    "availability_bad_time": (
        "changes:\n  - op: set_availability\n    which: room\n    id: HUN-1\n    availability: Mon 25:00-26:00\n",
        [
            "availability_bad_time.yaml: changes[0] (set_availability) availability: '25:00' is not a time of day"
        ],
        ("changes[0]", "availability", "'25:00'"),
    ),
    "availability_column_not_site": (
        "changes:\n  - op: set_availability\n    which: room\n    id: HUN-1\n    availability: Mon\n    column: blocked\n",
        [
            "availability_column_not_site.yaml: changes[0] (set_availability): column is only for a site, not a room"
        ],
        ("changes[0]", "", "column is only for a site"),
    ),
    "availability_which_wrong": (
        "changes:\n  - op: set_availability\n    which: building\n    id: HUN-1\n    availability: Mon\n",
        [
            "availability_which_wrong.yaml: changes[0] (set_availability) which: 'building' is not one of 'therapist', 'room' or 'site'"
        ],
        ("changes[0]", "which", "'building'"),
    ),
    "close_unknown_room": (
        "changes:\n  - op: close_room\n    room_id: HUN-9\n",
        [
            "close_unknown_room.yaml: changes[0] (close_room) room_id: unknown room 'HUN-9' (did you mean 'HUN-1'?)"
        ],
        ("changes[0]", "room_id", "'HUN-9'"),
    ),
    "close_room_bad_day": (
        "changes:\n  - op: close_room\n    room_id: HUN-1\n    days: Funday\n",
        [
            "close_room_bad_day.yaml: changes[0] (close_room) days: 'Funday' is not a day (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)"
        ],
        ("changes[0]", "days", "'Funday'"),
    ),
    "close_site_nothing": (
        "changes:\n  - op: close_site\n    site_id: HUN-CLINIC\n",
        [
            "close_site_nothing.yaml: changes[0] (close_site): give days (e.g. 'Fri') or dates (e.g. ['2027-02-15'])"
        ],
        ("changes[0]", "", "give days"),
    ),
    "close_site_reversed_span": (
        "changes:\n  - op: close_site\n    site_id: HUN-CLINIC\n    dates: ['2027-02-19..2027-02-15']\n",
        [
            "close_site_reversed_span.yaml: changes[0] (close_site) dates[0]: span ends (2027-02-15) before it starts (2027-02-19)"
        ],
        ("changes[0]", "dates[0]", "2027-02-15"),
    ),
    "close_site_implausible_date": (
        "changes:\n  - op: close_site\n    site_id: HUN-CLINIC\n    dates: ['9999-12-31']\n",
        [
            "close_site_implausible_date.yaml: changes[0] (close_site) dates[0].from: 9999-12-31 is not a plausible date (use a year from 2000 to 2100)",
            "close_site_implausible_date.yaml: changes[0] (close_site) dates[0].to: 9999-12-31 is not a plausible date (use a year from 2000 to 2100)",
        ],
        ("changes[0]", "dates[0].from", "9999-12-31"),
    ),
    "close_unknown_site": (
        "changes:\n  - op: close_site\n    site_id: HUN\n    days: Fri\n",
        ["close_unknown_site.yaml: changes[0] (close_site) site_id: unknown site 'HUN'"],
        ("changes[0]", "site_id", "'HUN'"),
    ),
    "add_referrals_both_sources": (
        "changes:\n  - op: add_referrals\n    from: more.xlsx\n    rows: []\n",
        [
            "add_referrals_both_sources.yaml: changes[0] (add_referrals): give either rows (inline) or from (a workbook), not both or neither"
        ],
        ("changes[0]", "", "not both or neither"),
    ),
    "add_referrals_missing_file": (
        "changes:\n  - op: add_referrals\n    from: no-such-file.xlsx\n",
        [
            "add_referrals_missing_file.yaml: changes[0] (add_referrals) from: no-such-file.xlsx: no such file"
        ],
        ("changes[0]", "from", "no-such-file.xlsx"),
    ),
    "add_referrals_from_folder": (
        "changes:\n  - op: add_referrals\n    from: .\n",
        [
            "add_referrals_from_folder.yaml: changes[0] (add_referrals) from: bad_scenarios: is a folder, not a file"
        ],
        ("changes[0]", "from", "is a folder"),
    ),
    "add_referrals_from_device": (
        "changes:\n  - op: add_referrals\n    from: /dev/null\n",
        [
            "add_referrals_from_device.yaml: changes[0] (add_referrals) from: null: is not a regular file (a pipe or a device): give a file"
        ],
        ("changes[0]", "from", "not a regular file"),
    ),
    "add_referrals_existing": (
        "changes:\n  - op: add_referrals\n    rows:\n      - {referral_id: R0001, site_id: HUN-CLINIC, discipline: music, minutes: 30}\n",
        [
            "add_referrals_existing.yaml: changes[0] (add_referrals) rows: referral 'R0001' already exists"
        ],
        ("changes[0]", "rows", "'R0001'"),
    ),
    "add_referrals_short": (
        "changes:\n  - op: add_referrals\n    rows:\n      - {referral_id: R0100, site_id: HUN-CLINIC, discipline: music, minutes: 3}\n",
        [
            "add_referrals_short.yaml: changes[0] (add_referrals) rows[0].minutes: 3 is too small: it must be at least 5"
        ],
        ("changes[0]", "rows[0].minutes", "3"),
    ),
    "add_referrals_unknown_site": (
        "changes:\n  - op: add_referrals\n    rows:\n      - {referral_id: R0100, site_id: HUN-CLINC, discipline: music, minutes: 30}\n",
        [
            "add_referrals_unknown_site.yaml: changes[0] (add_referrals): Referrals R0100, site_id: unknown site 'HUN-CLINC' (did you mean 'HUN-CLINIC'?)"
        ],
        ("changes[0]", "site_id", "'HUN-CLINC'"),
    ),
    "remove_unknown_referral": (
        "changes:\n  - op: remove_referrals\n    referral_ids: [R0001, R0404]\n",
        [
            "remove_unknown_referral.yaml: changes[0] (remove_referrals) referral_ids: unknown referral 'R0404' (did you mean 'R0004'?)"
        ],
        ("changes[0]", "referral_ids", "'R0404'"),
    ),
    "remove_no_referrals": (
        "changes:\n  - op: remove_referrals\n    referral_ids: []\n",
        [
            "remove_no_referrals.yaml: changes[0] (remove_referrals) referral_ids: at least one value is required"
        ],
        ("changes[0]", "referral_ids", "at least one value is required"),
    ),
    "setting_unknown": (
        "changes:\n  - op: set_setting\n    name: admin_minute\n    value: 15\n",
        [
            "setting_unknown.yaml: changes[0] (set_setting) name: unknown setting 'admin_minute' (did you mean 'admin_minutes'?)"
        ],
        ("changes[0]", "name", "'admin_minute'"),
    ),
    "setting_fixed": (
        "changes:\n  - op: set_setting\n    name: service_name\n    value: Other\n",
        [
            "setting_fixed.yaml: changes[0] (set_setting) name: 'service_name' describes the service: a scenario cannot change it"
        ],
        ("changes[0]", "name", "'service_name'"),
    ),
    "setting_speed_400": (
        "changes:\n  - op: set_setting\n    name: travel_speed_kmh\n    value: 400\n",
        [
            "setting_speed_400.yaml: changes[0] (set_setting) value: 400 is too large: it must be at most 120"
        ],
        ("changes[0]", "value", "400"),
    ),
    "setting_road_factor_inf": (
        "changes:\n  - op: set_setting\n    name: road_factor\n    value: .inf\n",
        [
            "setting_road_factor_inf.yaml: changes[0] (set_setting) value: inf is not a finite number"
        ],
        ("changes[0]", "value", "inf"),
    ),
    "setting_road_factor_nan": (
        "changes:\n  - op: set_setting\n    name: road_factor\n    value: .nan\n",
        [
            "setting_road_factor_nan.yaml: changes[0] (set_setting) value: nan is not a finite number"
        ],
        ("changes[0]", "value", "nan"),
    ),
    "setting_term_end_9999": (
        "changes:\n  - op: set_setting\n    name: term_end\n    value: 9999-12-31\n",
        [
            "setting_term_end_9999.yaml: changes[0] (set_setting) value: 9999-12-31 is not a plausible date (use a year from 2000 to 2100)"
        ],
        ("changes[0]", "value", "9999-12-31"),
    ),
    "setting_term_end_early": (
        "changes:\n  - op: set_setting\n    name: term_end\n    value: 2026-12-01\n",
        [
            "setting_term_end_early.yaml: changes[0] (set_setting): Settings, term_end: term ends (2026-12-01) before it starts (2027-01-05)"
        ],
        ("changes[0]", "term_end", "2026-12-01"),
    ),
    "setting_admin_off_grid": (
        "changes:\n  - op: set_setting\n    name: admin_minutes\n    value: 7\n",
        [
            "setting_admin_off_grid.yaml: changes[0] (set_setting): Settings, admin_minutes: 7 is not a multiple of slot_minutes (5)"
        ],
        ("changes[0]", "admin_minutes", "7"),
    ),
    "rate_inf": (
        "changes:\n  - op: set_rate\n    effective_from: 2027-01-01\n    hourly_rate: .inf\n",
        ["rate_inf.yaml: changes[0] (set_rate) hourly_rate: inf is not a finite number"],
        ("changes[0]", "hourly_rate", "inf"),
    ),
    "rate_negative": (
        "changes:\n  - op: set_rate\n    effective_from: 2027-01-01\n    hourly_rate: -3\n",
        [
            "rate_negative.yaml: changes[0] (set_rate) hourly_rate: -3 is too small: it must be at least 0"
        ],
        ("changes[0]", "hourly_rate", "-3"),
    ),
    "rate_text": (
        "changes:\n  - op: set_rate\n    effective_from: 2027-01-01\n    hourly_rate: lots\n",
        ["rate_text.yaml: changes[0] (set_rate) hourly_rate: 'lots' is not a number"],
        ("changes[0]", "hourly_rate", "'lots'"),
    ),
    "rate_old_date": (
        "changes:\n  - op: set_rate\n    effective_from: 1850-01-01\n    hourly_rate: 50\n",
        [
            "rate_old_date.yaml: changes[0] (set_rate) effective_from: 1850-01-01 is not a plausible date (use a year from 2000 to 2100)"
        ],
        ("changes[0]", "effective_from", "1850-01-01"),
    ),
    "pin_unknown_room": (
        "changes:\n  - op: pin\n    sessions:\n      - {referral_id: R0002, therapist_id: T02, day: Tue, start: '10:00', room_id: HUN-7}\n",
        [
            "pin_unknown_room.yaml: changes[0] (pin) sessions[0].room_id: unknown room 'HUN-7' (did you mean 'HUN-1'?)"
        ],
        ("changes[0]", "sessions[0].room_id", "'HUN-7'"),
    ),
    "pin_bad_start": (
        "changes:\n  - op: pin\n    sessions:\n      - {referral_id: R0002, therapist_id: T02, day: Tue, start: '25:99', room_id: HUN-1}\n",
        [
            "pin_bad_start.yaml: changes[0] (pin) sessions[0].start: '25:99' is not a time of day",
            "pin_bad_start.yaml: changes[0] (pin) sessions: at least one value is required",
        ],
        ("changes[0]", "sessions[0].start", "'25:99'"),
    ),
    "pin_on_a_closed_day": (
        "changes:\n  - op: pin\n    sessions:\n      - {referral_id: R0002, therapist_id: T02, day: Fri, start: '10:00', room_id: HUN-1}\n",
        [
            "pin_on_a_closed_day.yaml: Previous R0002, room_id: R0002 is pinned but breaks the rule 'room-hours' (the session is outside the room's available times): R0002 (T02, Fri 10:00-10:45, HUN-1) is outside the times room HUN-1 can be used on Fri (none)"
        ],
        ("Previous", "pinned", "Fri 10:00-10:45"),
    ),
    "setting_breaks_a_pin": (
        "changes:\n  - op: pin\n    sessions:\n      - {referral_id: R0002, therapist_id: T02, day: Tue, start: '10:00', room_id: CAM-1}\n  - op: set_setting\n    name: days\n    value: Mon\n",
        [
            "setting_breaks_a_pin.yaml: Previous R0002, day: R0002 is pinned but breaks the rule 'service-day' (the session is on a day that is not a service day): R0002 (T02, Tue 10:00-10:45, CAM-1) is on Tue, which is not a service day (Mon)"
        ],
        ("Previous", "pinned", "Tue 10:00-10:45"),
    ),
    "changes_is_a_mapping": (
        "changes:\n  op: remove_therapist\n  therapist_id: T01\n",
        ["changes_is_a_mapping.yaml: changes: expected a list of changes (each '- op: ...')"],
        ("changes", "", "expected a list"),
    ),
    "top_level_list": (
        "- op: remove_therapist\n  therapist_id: T01\n",
        ["top_level_list.yaml: expected a mapping with name, description and changes"],
        ("", "", "expected a mapping"),
    ),
    "unknown_key": (
        "name: x\nchnages: []\n",
        ["unknown_key.yaml: chnages: is not a known field (did you mean 'changes'?)"],
        ("", "chnages", "is not a known field"),
    ),
    "name_too_long": (
        "name: nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\nchanges: []\n",
        [
            "name_too_long.yaml: name: 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn...' is too long: at most 100 characters"
        ],
        ("", "name", "'nnnnnnnnnn"),
    ),
    "invalid_yaml": (
        "changes:\n  - op: remove_therapist\n\ttherapist_id: T01\n",
        [
            "invalid_yaml.yaml: line 3, column 1: not valid YAML: found a tab character that violates indentation"
        ],
        ("line 3, column 1", "", "tab character"),
    ),
    "alias_bomb": (
        "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nchanges: *e\n",
        [
            "alias_bomb.yaml: line 5, column 17: expands to more than 50,000 values (through its aliases): rota reads at most that many"
        ],
        ("line 5, column 17", "", "50,000 values"),
    ),
    "deep_nesting": (
        "changes: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
        ["deep_nesting.yaml: line 1, column 59: nested more than 50 levels deep"],
        ("line 1, column 59", "", "50 levels"),
    ),
    "not_utf8": (
        b"name: caf\xe9\nchanges: []\n",
        ["not_utf8.yaml: line 1, column 10: byte 0xe9 is not UTF-8 text: save the file as UTF-8"],
        ("line 1, column 10", "", "0xe9"),
    ),
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*"):
        old.unlink()
    for name, (change, expected) in CASES.items():
        wb = base_workbook()
        change(wb)
        wb.save(OUT / f"{name}.xlsx")
        (OUT / f"{name}.expected").write_text("".join(f"{line}\n" for line in expected))
        if name in PARTS:
            sheet, row, column, shown = PARTS[name]
            (OUT / f"{name}.parts").write_text(f"{sheet}\n{row}\n{column}\n{shown}\n")
    for name, (data, line) in damaged_files().items():
        (OUT / f"{name}.xlsx").write_bytes(data)
        (OUT / f"{name}.expected").write_text(f"{name}.xlsx: {line}\n")
    # Not a workbook at all: text saved under an .xlsx name.
    (OUT / "not_a_workbook.xlsx").write_text("referral_id,client\nR0001,A.B.\n")
    (OUT / "not_a_workbook.expected").write_text(
        "not_a_workbook.xlsx: is not an Excel workbook (.xlsx) or it is damaged: "
        "re-save it from Excel\n"
    )
    print(f"wrote {len(list(OUT.glob('*.xlsx')))} workbooks to {OUT}")
    SCENARIO_OUT.mkdir(parents=True, exist_ok=True)
    for old in SCENARIO_OUT.glob("*"):
        old.unlink()
    for name, (text, expected, parts) in SCENARIOS.items():
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (SCENARIO_OUT / f"{name}.yaml").write_bytes(data)
        (SCENARIO_OUT / f"{name}.expected").write_text("".join(f"{x}\n" for x in expected))
        (SCENARIO_OUT / f"{name}.parts").write_text("".join(f"{x}\n" for x in parts))
    print(f"wrote {len(SCENARIOS)} scenario files to {SCENARIO_OUT}")


if __name__ == "__main__":
    main()
