"""Contracted minutes and balance_loads: read from the workbook, defaulted, and checked."""

from __future__ import annotations

from rota.io.parse import parse_settings, parse_therapists
from rota.io.xlsx import rows_of
from tests.scheduler.helpers import service

MON = "Mon 08:30-17:00"


def test_contract_minutes_and_balance_loads_are_read() -> None:
    parsed = parse_therapists(
        rows_of(
            [
                ["therapist_id", "disciplines", "base_site_id", "works", "contract_minutes"],
                ["T1", "music", "A", MON, 450],
                ["T2", "music", "A", MON, None],
            ]
        )
    )
    assert parsed.issues == []
    assert [t.contract_minutes for t in parsed.items] == [450, None]
    settings = parse_settings(rows_of([["setting", "value"], ["balance_loads", "yes"]]))
    assert settings.issues == []
    assert settings.settings.balance_loads is True
    assert parse_settings(rows_of([["setting", "value"]])).settings.balance_loads is False


def test_a_contract_longer_than_the_working_week_is_a_located_warning() -> None:
    problem = service(
        [{"referral_id": "R1"}],
        therapists=[
            {
                "therapist_id": "T1",
                "disciplines": "music",
                "base_site_id": "A",
                "works": MON,
                "contract_minutes": 5100,
            }
        ],
    )
    assert [str(w) for w in problem.warnings] == [
        "Therapists T1, contract_minutes: 5100 contracted minutes are more than her 510 working "
        "minutes a week: check the figure (minutes, not hours)"
    ]
    assert problem.warnings[0].index == 0


def test_wishes_are_read_and_a_wrong_day_is_located() -> None:
    header = ["therapist_id", "disciplines", "base_site_id", "works", "avoid_days",
              "preferred_days", "preferred_sites"]  # fmt: skip
    good = parse_therapists(rows_of([header, ["T1", "music", "A", MON, "fri", "Mon-Wed", "A|B"]]))
    assert good.issues == []
    (t,) = good.items
    assert (t.avoid_days, t.preferred_days, t.preferred_sites) == (
        ("Fri",), ("Mon", "Tue", "Wed"), ("A", "B"),
    )  # fmt: skip
    bad = parse_therapists(rows_of([header, ["T1", "music", "A", MON, "Fry", None, None]]))
    assert [str(i) for i in bad.issues] == [
        "Therapists row 2 (T1), avoid_days: 'Fry' is not a day "
        "(use Mon, Tue, Wed, Thu, Fri, Sat, Sun)"
    ]
