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
    "warning: Referrals row 5 (R0004), needs_skills: no therapist has the skill 'attachment'",
)
def _several(wb: Workbook) -> None:
    put(wb, "Settings", 7, "value", 0)
    put(wb, "Sites", 4, "longitude", None)
    put(wb, "Rooms", 3, "capacity", "big")
    put(wb, "Therapists", 2, "disciplines", "music, art")
    put(wb, "Referrals", 4, "minutes", "forty")
    put(wb, "Referrals", 5, "site_id", "ELY-FEILDS")
    put(wb, "Previous", 2, "start", "9:75")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (change, expected) in CASES.items():
        wb = base_workbook()
        change(wb)
        wb.save(OUT / f"{name}.xlsx")
        (OUT / f"{name}.expected").write_text("".join(f"{line}\n" for line in expected))
    # Not a workbook at all: text saved under an .xlsx name.
    (OUT / "not_a_workbook.xlsx").write_text("referral_id,client\nR0001,A.B.\n")
    (OUT / "not_a_workbook.expected").write_text(
        "not_a_workbook.xlsx: is not an Excel workbook (.xlsx) or it is damaged: "
        "re-save it from Excel\n"
    )
    print(f"wrote {len(CASES) + 1} cases to {OUT}")


if __name__ == "__main__":
    main()
