"""What the page shows, worked out in-process: the week grids follow the day layout of
rota.scheduler.day (sessions, admin, drives and lunch at their times), filters fade and narrow,
and the lists are the workbook's own rows."""

from __future__ import annotations

import pytest

from rota.evaluate.check import check
from rota.models import Problem, Rota
from rota.models.rota import Session, Unscheduled
from rota.scheduler.day import DayRules, Visit
from rota.web.views import (
    Filters,
    filtered,
    session_rows,
    site_week,
    therapist_week,
    unplaced_rows,
    week_choices,
)
from tests.conftest import make_two_sites_one_therapist


@pytest.fixture()
def service() -> tuple[Problem, Rota]:
    """T1 (based at HUN): R2 at HUN 09:00-09:45, drive 20 min, R1 at STI 10:15-10:45; R3 out."""
    problem = make_two_sites_one_therapist()
    rota = Rota(
        sessions=(
            Session(referral_id="R2", therapist_ids=("T1",), site_id="HUN", room_id="HUN-1",
                    day="Mon", start=9 * 60, end=9 * 60 + 45),
            Session(referral_id="R1", therapist_ids=("T1",), site_id="STI", room_id="STI-1",
                    day="Mon", start=10 * 60 + 15, end=10 * 60 + 45),
        ),
        unscheduled=(Unscheduled(referral_id="R3", reason="kept out for this test"),),
    )  # fmt: skip
    assert check(problem, rota) == []
    return problem, rota


def test_a_therapists_week_is_the_day_layout(service: tuple[Problem, Rota]) -> None:
    problem, rota = service
    rules = DayRules(problem)
    week = therapist_week(problem, rota, "T1", Filters(), rules)
    visits = [
        Visit(9 * 60, 9 * 60 + 45, "HUN", "R2"),
        Visit(10 * 60 + 15, 10 * 60 + 45, "STI", "R1"),
    ]
    expected = [(i.kind, i.start, i.end) for i in rules.layout("T1", "Mon", visits)]
    assert [(b.kind, b.start, b.end) for b in week.column_blocks(0)] == expected
    kinds = [b.kind for b in week.column_blocks(0)]
    assert kinds.count("session") == 2 and kinds.count("admin") == 2
    assert "lunch" in kinds and kinds.count("drive") == 2  # there and back home
    assert week.column_blocks(1) == []  # nothing on Tuesday
    drive = next(b for b in week.column_blocks(0) if b.kind == "drive")
    assert drive.lines[0] == "drive 20 min to St Ives primary"
    first = week.column_blocks(0)[0]
    assert first.lines[0] == "09:00-09:45 GH (R2)"
    assert week.start <= 9 * 60 and week.end >= 17 * 60  # the whole working day is shown
    assert week.column_open(0)  # working hours are drawn


def test_filters_fade_sessions_not_drives(service: tuple[Problem, Rota]) -> None:
    problem, rota = service
    week = therapist_week(problem, rota, "T1", Filters(priority=1), DayRules(problem))
    for block in week.column_blocks(0):
        assert block.dim == (block.kind in ("session", "admin")), block


def test_a_sites_week_has_a_column_per_day_and_room(service: tuple[Problem, Rota]) -> None:
    problem, rota = service
    week = site_week(problem, rota, "STI", Filters())
    assert [c[0] for c in week.columns] == list(problem.settings.days)
    (block,) = week.blocks
    assert block.column == 0 and block.lines[0] == "10:15-10:45 EF (R1)"
    assert week_choices(problem, rota, Filters())["sites"] == [
        ("s:HUN", "Huntingdon clinic (HUN)"),
        ("s:STI", "St Ives primary (STI)"),
    ]


def test_lists_are_the_workbooks_rows_narrowed_by_the_filters(
    service: tuple[Problem, Rota],
) -> None:
    problem, rota = service
    sessions = session_rows(problem, rota)
    assert [(r["referral_id"], r["start"], r["end"]) for r in sessions] == [
        ("R2", "09:00", "09:45"),
        ("R1", "10:15", "10:45"),
    ]
    unplaced = unplaced_rows(problem, rota)
    assert [(r["referral_id"], r["reason"]) for r in unplaced] == [("R3", "kept out for this test")]
    assert filtered(problem, sessions, Filters(discipline="drama")) == []
    assert filtered(problem, sessions, Filters(discipline="music")) == sessions


def test_unknown_filter_values_are_ignored(service: tuple[Problem, Rota]) -> None:
    problem, _ = service
    query = {"discipline": "<script>", "priority": "9", "town": "Nowhere"}
    assert Filters.from_query(query, problem) == Filters()
    assert Filters.from_query({"discipline": "music", "priority": "2"}, problem) == Filters(
        "music", "", 2
    )
