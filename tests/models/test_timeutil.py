import pytest

from rota.models import Availability, TimeRange, format_availability, parse_availability, parse_days
from rota.models.timeutil import intersect_intervals, merge_intervals, subtract_intervals


def test_availability_text_round_trip_groups_days() -> None:
    text = "Mon-Wed 09:00-12:00, 13:00-15:00; Fri"
    days = parse_availability(text)
    assert days["Tue"] == ((540, 720), (780, 900))
    assert days["Fri"] == ()
    assert "Thu" not in days
    assert format_availability(days) == text


def test_availability_accepts_full_names_short_hours_and_spaces() -> None:
    days = parse_availability("monday 9:00 - 12:00; THURSDAY-Friday 13:00-15:30")
    assert days == {"Mon": ((540, 720),), "Thu": ((780, 930),), "Fri": ((780, 930),)}


def test_touching_ranges_merge() -> None:
    assert parse_availability("Mon 09:00-12:00, 12:00-13:00")["Mon"] == ((540, 780),)


@pytest.mark.parametrize(
    "text, message",
    [
        ("Mon 12:00-09:00", "ends before it starts"),
        ("Mnday 09:00-12:00", "'Mnday' is not a day"),
        ("Mon 9-12:75", "is not a time"),
        ("Fri-Mon", "runs backwards"),
    ],
)
def test_bad_availability_says_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_availability(text)


def test_resolve_fills_default_only_for_days_without_times() -> None:
    av = Availability.model_validate("Mon; Tue 10:00-11:00")
    assert av.resolve(((525, 915),)) == {"Mon": ((525, 915),), "Tue": ((600, 660),)}


def test_interval_algebra() -> None:
    assert merge_intervals([(5, 10), (0, 5), (20, 30)]) == ((0, 10), (20, 30))
    assert intersect_intervals([(0, 100)], [(10, 20), (90, 120)]) == ((10, 20), (90, 100))
    assert subtract_intervals([(0, 100)], [(10, 20), (90, 120)]) == ((0, 10), (20, 90))


def test_time_range_text() -> None:
    assert TimeRange.model_validate("08:30-17:00").model_dump() == "08:30-17:00"
    assert parse_days("Mon, Wed-Thu") == ("Mon", "Wed", "Thu")
