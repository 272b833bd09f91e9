"""Plain rows -> models, one sheet at a time, with located plain-words messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rota.io.errors import InputIssue, plain_pydantic_message
from rota.io.parse import (
    convert,
    normalise_header,
    parse_closures,
    parse_previous,
    parse_referrals,
    parse_rooms,
    parse_settings,
    parse_sites,
    parse_therapists,
)
from rota.io.xlsx import rows_of


def lines(issues: list[InputIssue]) -> list[str]:
    return [str(i) for i in issues]


def test_parse_rooms_reads_records_with_their_excel_rows() -> None:
    parsed = parse_rooms(
        rows_of(
            [
                ["Room_ID ", "capacity", "SITE ID", "features", "extra notes"],
                ["A1", 3, "S1", "Piano, guitar,piano", "ignored"],
                [None, None, None, None, None],
                [1002, 4.0, 7, None, None],
            ]
        )
    )
    assert parsed.issues == []
    assert parsed.rows == [2, 4]
    first, second = parsed.items
    assert (first.room_id, first.site_id, first.capacity) == ("A1", "S1", 3)
    assert first.features == ("guitar", "piano")
    assert (second.room_id, second.site_id, second.capacity) == ("1002", "7", 4)


def test_parse_rooms_reports_every_problem_of_a_row() -> None:
    parsed = parse_rooms(
        rows_of(
            [
                ["room_id", "site_id", "capacity", "available"],
                ["A1", None, "big", "Mon 10:00-09:00"],
                ["A2", "S1", 0, None],
            ]
        )
    )
    assert parsed.items == []
    assert parsed.broken_ids == {"A1", "A2"}
    assert lines(parsed.issues) == [
        "Rooms row 2 (A1), site_id: a value is required",
        "Rooms row 2 (A1), capacity: 'big' is not a whole number",
        "Rooms row 2 (A1), available: range '10:00-09:00' ends before it starts",
        "Rooms row 3 (A2), capacity: 0 is too small: it must be at least 1",
    ]


def test_missing_required_column_makes_the_sheet_unusable() -> None:
    parsed = parse_therapists(rows_of([["therapist_id", "disciplines"], ["T1", "music"]]))
    assert not parsed.usable
    assert parsed.items == []
    assert lines(parsed.issues) == [
        "Therapists row 1: required column 'base_site_id' is missing",
        "Therapists row 1: required column 'works' is missing",
    ]


def test_duplicate_header_is_reported() -> None:
    parsed = parse_sites(
        rows_of([["site_id", "name", "latitude", "longitude", "Name"], ["S1", "A", 52, 0, "B"]])
    )
    assert lines(parsed.issues) == ["Sites row 1, name: column 'name' appears twice"]


def test_referral_site_alternatives_and_choices() -> None:
    parsed = parse_referrals(
        rows_of(
            [
                ["referral_id", "site_id", "discipline", "minutes", "priority"],
                ["R1", "HUN | CAM", " Music ", 30, None],
                ["R2", "HUN", "art", 30, 7],
            ]
        )
    )
    assert parsed.items[0].site_ids == ("HUN", "CAM")
    assert parsed.items[0].discipline == "music"
    assert parsed.items[0].priority == 3
    assert lines(parsed.issues) == [
        "Referrals row 3 (R2), discipline: unknown discipline 'art'; use music, drama, dance",
        "Referrals row 3 (R2), priority: 7 is too large: it must be at most 5",
    ]


def test_previous_accepts_time_cells_day_names_and_yes_no() -> None:
    parsed = parse_previous(
        rows_of(
            [
                ["referral_id", "therapist_id", "day", "start", "room_id", "pinned"],
                ["R1", "T1", "tuesday", dt.time(9, 30), "A1", "YES"],
                ["R2", "T1", "Fri", 0.5, "A1", None],
                ["R3", "T1", "Fri", dt.datetime(1899, 12, 30, 14, 5), "A1", False],
            ]
        )
    )
    assert parsed.issues == []
    assert [(p.day, p.start, p.pinned) for p in parsed.items] == [
        ("Tue", 570, True),
        ("Fri", 720, False),
        ("Fri", 845, False),
    ]


def test_closures_take_dates_as_cells_or_text() -> None:
    parsed = parse_closures(
        rows_of(
            [
                ["from", "to", "label"],
                [dt.datetime(2027, 2, 15), "19/02/2027", "Half term"],
                ["2027-13-01", "2027-02-19", None],
            ]
        )
    )
    assert parsed.items[0].date_to == dt.date(2027, 2, 19)
    assert lines(parsed.issues) == [
        "Closures row 3, from: '2027-13-01' is not a date (use YYYY-MM-DD, e.g. 2027-01-04)"
    ]


@pytest.mark.parametrize(
    "kind, value, expected",
    [
        ("int", "12", 12),
        ("int", 12.0, 12),
        ("float", "52.5", 52.5),
        ("id", 1001.0, "1001"),
        ("text", 1223000000, "1223000000"),
        ("bool", "n", False),
        ("site_kind", "Special School", "special_school"),
        ("site_kind", "children's centre", "childrens_centre"),
        ("days", "Mon-Wed; Fri", ("Mon", "Tue", "Wed", "Fri")),
        ("disciplines", "Drama, music", ("drama", "music")),
    ],
)
def test_convert_accepts(kind: Any, value: Any, expected: Any) -> None:
    assert convert(kind, value) == expected


@pytest.mark.parametrize(
    "kind, value, message",
    [
        ("int", 12.5, "12.5 is not a whole number"),
        ("int", True, "True is not a whole number"),
        ("float", "north", "'north' is not a number"),
        ("bool", "maybe", "'maybe' is not yes or no"),
        ("time", "25:00", "'25:00' is not a time of day"),
        ("day", "Mnday", "'Mnday' is not a day"),
        ("site_kind", "scool", "unknown site kind 'scool' (did you mean 'school'?)"),
    ],
)
def test_convert_rejects_in_plain_words(kind: Any, value: Any, message: str) -> None:
    with pytest.raises(ValueError) as info:
        convert(kind, value)
    assert message in str(info.value)


def test_header_normalisation() -> None:
    assert normalise_header("  Base Site-ID ") == "base_site_id"
    assert normalise_header(None) == ""


def test_settings_defaults_unknown_names_and_duplicates() -> None:
    parsed = parse_settings(
        rows_of(
            [
                ["Setting", "Value"],
                ["Slot Minutes", 10],
                ["days", "Mon-Thu"],
                ["term_start", dt.datetime(2027, 1, 5)],
                ["admin_minute", 5],
                ["days", "Mon"],
                ["lunch_minutes", -5],
                ["working_day", "17:00-08:30"],
                ["service_contact", None],
            ]
        )
    )
    s = parsed.settings
    assert s.slot_minutes == 10
    assert s.days == ("Mon", "Tue", "Wed", "Thu")
    assert s.term_start == dt.date(2027, 1, 5)
    assert s.lunch_minutes == 30  # rejected value replaced by the default
    assert s.working_day.start == 8 * 60 + 30
    assert parsed.row_by_setting["slot_minutes"] == 2
    assert lines(parsed.issues) == [
        "Settings row 5, setting: unknown setting 'admin_minute' (did you mean 'admin_minutes'?)",
        "Settings row 6, setting: 'days' is given twice (also row 3)",
        "Settings row 7, lunch_minutes: -5 is too small: it must be at least 0",
        "Settings row 8, working_day: range '17:00-08:30' ends before it starts",
    ]


def test_plain_pydantic_message_never_shows_pydantic_wording() -> None:
    err = {"type": "greater_than", "ctx": {"gt": 0}, "input": 0.0, "msg": "Input should be > 0"}
    assert plain_pydantic_message(err) == "0 is too small: it must be more than 0"
    err = {"type": "value_error", "ctx": {"error": ValueError("boom")}, "msg": "Value error, boom"}
    assert plain_pydantic_message(err) == "boom"


def test_day_settings_and_columns_are_read_and_bad_values_located() -> None:
    settings = parse_settings(
        rows_of(
            [
                ["setting", "value"],
                ["arrival_minutes", 10],
                ["max_sites_per_day", 0],
                ["long_drive_minutes", -1],
            ]
        )
    )
    assert settings.settings.arrival_minutes == 10
    assert settings.settings.max_sites_per_day is None  # rejected: the default
    assert settings.settings.long_drive_minutes is None
    assert lines(settings.issues) == [
        "Settings row 3, max_sites_per_day: 0 is too small: it must be at least 1",
        "Settings row 4, long_drive_minutes: -1 is too small: it must be at least 0",
    ]
    sites = parse_sites(
        rows_of(
            [
                ["site_id", "name", "latitude", "longitude", "arrival_minutes"],
                ["S1", "Site 1", 52.2, 0.1, 15],
                ["S2", "Site 2", 52.3, 0.1, None],
                ["S3", "Site 3", 52.4, 0.1, 500],
            ]
        )
    )
    assert [s.arrival_minutes for s in sites.items] == [15, None]
    assert lines(sites.issues) == [
        "Sites row 4 (S3), arrival_minutes: 500 is too large: it must be at most 120"
    ]
    therapists = parse_therapists(
        rows_of(
            [
                ["therapist_id", "disciplines", "base_site_id", "works", "max_sites_per_day",
                 "max_drive_minutes_per_day"],
                ["T1", "music", "S1", "Mon", 2, 90],
                ["T2", "music", "S1", "Mon", 0, None],
            ]
        )
    )  # fmt: skip
    assert [(t.max_sites_per_day, t.max_drive_minutes_per_day) for t in therapists.items] == [
        (2, 90)
    ]
    assert lines(therapists.issues) == [
        "Therapists row 3 (T2), max_sites_per_day: 0 is too small: it must be at least 1"
    ]
