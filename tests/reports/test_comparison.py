"""The comparison workbook from hand-made outcomes (no solver): columns, notes, sheets."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from rota.models import Rota, Session, Unscheduled
from rota.models.result import Result
from rota.reports.atomic import OutputError
from rota.reports.comparison import COST_LEFT_OUT, build_comparison, write_compare_workbook
from rota.scenarios.run import RunOutcome
from tests.conftest import make_two_therapists_service


def _session(rid: str, who: str, room: str, day: str, start: str, end: str) -> Session:
    return Session(
        referral_id=rid,
        therapist_ids=who,
        site_id=room.split("-")[0],
        room_id=room,
        day=day,
        start=start,
        end=end,
    )


def _outcomes() -> list[RunOutcome]:
    problem = make_two_therapists_service()
    base = Rota(
        sessions=(
            _session("R1", "T1", "ELY-1", "Mon", "09:00", "09:30"),
            _session("R2", "T2", "CAM-1", "Mon", "13:00", "13:45"),
        ),
        unscheduled=tuple(Unscheduled(referral_id=r, reason="full") for r in ("R3", "R4", "R5")),
    )
    moved = Rota(
        sessions=(
            _session("R1", "T1", "ELY-1", "Tue", "09:00", "09:30"),
            _session("R2", "T2", "CAM-1", "Mon", "13:00", "13:45"),
        ),
        unscheduled=base.unscheduled,
    )
    return [
        RunOutcome("base", "as it is", problem, Result(status="OPTIMAL", rota=base)),
        RunOutcome(
            "tuesday",
            "R1 on Tuesday",
            problem,
            Result(status="FEASIBLE", rota=moved),
            violations=("room-closed: made up for the test",),
            summary="pin 1 session(s) (R1)\nadmin_minutes = 15",
        ),
        RunOutcome("broken", "", None, errors=("broken.yaml: changes[0] (pin): bad",)),
    ]


def test_comparison_without_term_dates_leaves_cost_out_and_says_why() -> None:
    comparison = build_comparison(_outcomes())
    assert [f.name for f in comparison.figures] == ["base", "tuesday"]
    labels = [r.label for r in comparison.rows]
    assert "Term cost (£)" not in labels
    assert labels[:3] == ["Referrals", "Scheduled", "Unscheduled"]
    assert comparison.notes == (
        COST_LEFT_OUT,
        "tuesday: the rota breaks 1 hard rule(s):",
        "  room-closed: made up for the test",
        "broken: not compared:",
        "  broken.yaml: changes[0] (pin): bad",
    )
    assert [(c.referral_id, c.kind) for c in comparison.changes["tuesday"]] == [("R1", "moved")]


def test_workbook_sheets_and_compare_columns(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    write_compare_workbook(build_comparison(_outcomes()), path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Compare", "Changes tuesday", "Rota base", "Rota tuesday"]
    rows = {r[0]: r[1:] for r in wb["Compare"].iter_rows(values_only=True) if r[0]}
    assert rows["Figure"] == ("base", "tuesday", "tuesday vs base")
    assert rows["What it asks"][:2] == ("as it is", "R1 on Tuesday")
    assert rows["Changes"][:2] == (None, "pin 1 session(s) (R1)\nadmin_minutes = 15")
    assert rows["Scheduled"] == (2, 2, 0)
    assert rows["Sessions moved (day or time)"] == (None, 1, None)
    assert rows["Solver status"] == ("OPTIMAL", "FEASIBLE", None)
    changes = list(wb["Changes tuesday"].iter_rows(values_only=True))
    assert changes == [
        ("Referral ID", "Client", "Change", "Before", "After"),
        ("R1", "KL", "moved (day or time)", "Mon 09:00-09:30", "Tue 09:00-09:30"),
    ]
    rota = list(wb["Rota tuesday"].iter_rows(values_only=True))
    assert rota[0][:3] == ("Referral ID", "Client", "Therapist ID")
    assert sorted(str(r[0]) for r in rota[1:]) == ["R1", "R2"]
    with pytest.raises(OutputError, match="already exists"):
        write_compare_workbook(build_comparison(_outcomes()), path)


def test_compare_keeps_labels_with_figures_on_paper(tmp_path: Path) -> None:
    path = write_compare_workbook(build_comparison(_outcomes()), tmp_path / "c.xlsx")
    compare = load_workbook(path)["Compare"]
    # One page wide, and the labels' column printed on every page.
    assert compare.page_setup.fitToWidth == 1 and compare.print_title_cols == "$A:$A"
