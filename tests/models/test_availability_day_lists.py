"""Availability text accepts a comma list of days before the times (as the help text shows)."""

import pytest

from rota.models import parse_availability


def test_day_list_before_times() -> None:
    assert parse_availability("Mon, Wed 09:00-12:00") == {
        "Mon": ((540, 720),),
        "Wed": ((540, 720),),
    }


def test_day_list_with_spans_and_several_ranges() -> None:
    days = parse_availability("Mon, Wed-Thu 12:00-12:45, 14:00-14:20; Fri")
    assert days["Thu"] == ((720, 765), (840, 860))
    assert days["Mon"] == days["Wed"] == days["Thu"]
    assert days["Fri"] == ()
    assert "Tue" not in days


def test_day_list_without_times_is_each_days_default() -> None:
    assert parse_availability("Tue, Thu") == {"Tue": (), "Thu": ()}


@pytest.mark.parametrize(
    "text, message",
    [("Mon, Wdn 09:00-10:00", "'Wdn' is not a day"), ("Mon, 09:00-10:00x", "is not a time")],
)
def test_bad_day_lists_still_fail(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_availability(text)
