"""The coordinator's workbook, opened with openpyxl and pandas and checked cell by cell."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from rota.models.problem import Problem
from rota.models.result import CostTerm
from rota.models.rota import Rota, Session
from rota.reports.atomic import OutputError
from rota.reports.coordinator import ROTA_COLUMNS, UNSCHEDULED_COLUMNS, write_rota_workbook
from rota.reports.grids import ADMIN_FILL, SESSION_FILLS, TRAVEL_FILL
from tests.reports.export_service import make_problem, make_result


@pytest.fixture(scope="module")
def workbook_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "rota.xlsx"
    result = make_result().model_copy(
        update={"costs": (CostTerm(label="travel minutes", weight=10, units=160, cost=1600),)}
    )
    write_rota_workbook(make_problem(), result, path, force=False)
    return path


def _sheet(path: Path, name: str) -> Worksheet:
    ws = load_workbook(path)[name]
    assert isinstance(ws, Worksheet)
    return ws


def _label_values(ws: Worksheet) -> dict[str, object]:
    return {
        str(row[0].value): row[1].value
        for row in ws.iter_rows(min_col=1, max_col=2)
        if row[0].value is not None
    }


def test_sheets_in_order(workbook_path: Path) -> None:
    names = load_workbook(workbook_path).sheetnames
    assert names == [
        "Summary", "Rota", "Unscheduled", "Costs", "Travel",
        "T01 Alex M", "T02 Sam K", "Site FEN", "Site HUN",
    ]  # fmt: skip


def test_rota_sheet_rows_and_columns(workbook_path: Path) -> None:
    df = pd.read_excel(workbook_path, sheet_name="Rota")
    assert tuple(df.columns[:14]) == ROTA_COLUMNS[:14]
    # One row per therapist per session, sorted by therapist, day, start.
    assert list(zip(df.therapist_id, df.referral_id, df.day, strict=True)) == [
        ("T01", "R001", "Mon"),
        ("T01", "R002", "Fri"),
        ("T02", "R002", "Fri"),
        ("T02", "R003", "Fri"),
    ]
    assert list(df.co_therapists.fillna("")) == ["", "T02", "T01", ""]
    assert df.loc[0, "start"] == dt.time(9, 5) and df.loc[0, "end"] == dt.time(9, 35)
    assert list(df.minutes) == [30, 45, 45, 40]
    assert list(df.site) == [
        "Fenland Primary", "Huntingdon Clinic", "Huntingdon Clinic", "Fenland Primary"
    ]  # fmt: skip
    # Each therapist's row carries its share of the term cost; together the hand total.
    assert list(df.term_cost) == pytest.approx([234.00, 275.00, 275.00, 207.50])
    assert df.term_cost.sum() == pytest.approx(991.50)
    ws = _sheet(workbook_path, "Rota")
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:S5"
    assert ws["J2"].number_format == "hh:mm" and ws["J2"].value == dt.time(9, 5)


def test_unscheduled_sheet(workbook_path: Path) -> None:
    df = pd.read_excel(workbook_path, sheet_name="Unscheduled")
    assert tuple(df.columns) == UNSCHEDULED_COLUMNS
    assert df.to_dict("records") == [
        {
            "referral_id": "R004",
            "client": "F.G.",
            "site_id": "ELY",
            "discipline": "drama",
            "priority": 1,
            "reason": "no drama therapist free on Ely days",
        }
    ]


def test_summary_numbers(workbook_path: Path) -> None:
    ws = _sheet(workbook_path, "Summary")
    values = _label_values(ws)
    assert values["Solver status"] == "FEASIBLE"
    assert values["Scheduled"] == 3 and values["Unscheduled"] == 1
    assert values["Scheduled minutes per week"] == 115
    assert values["Unscheduled minutes per week"] == 35
    assert values["Cost"] == pytest.approx(991.50)
    assert values["Continuity kept"] == 1
    # Travel by hand: T01 Mon HUN-FEN-HUN 40+40; Fri at the base; T02 Fri HUN->FEN->HUN 40+40.
    assert values["Travel minutes per week"] == 160
    assert "once per therapist" in str(values["Co-facilitated sessions"])
    cost_cell = next(r[1] for r in ws.iter_rows(min_col=1, max_col=2) if r[0].value == "Cost")
    assert cost_cell.number_format == '"£"#,##0.00'
    gap_cell = next(r[1] for r in ws.iter_rows(min_col=1, max_col=2) if r[0].value == "Gap")
    assert gap_cell.value == pytest.approx(0.0276) and gap_cell.number_format == "0.00%"
    labels = [c.value for c in ws["A"]]
    assert "travel minutes" in labels  # the objective term table
    # The therapist table: utilisation as a fraction with a percent format.
    row = next(r for r in ws.iter_rows() if r[0].value == "T01")
    assert [c.value for c in row[:3]] == ["T01", "Alex M", 2]
    assert row[3].value == 75 and row[5].number_format == "0.0%"


def test_costs_sheet(workbook_path: Path) -> None:
    ws = _sheet(workbook_path, "Costs")
    rows = {r[0].value: [c.value for c in r] for r in ws.iter_rows() if r[0].value}
    assert rows["FEN"][2:6] == [2, 12, pytest.approx(40 / 60 * 7 + 50 / 60 * 5), 441.50]
    assert rows["HUN"][5] == 550.00
    assert rows["EHC plan"][1:5] == [1, 6, pytest.approx(11.0), 550.00]
    assert rows["unspecified"][4] == 207.50
    totals = [[c.value for c in r] for r in ws.iter_rows() if r[0].value == "Total"]
    assert [t[:6] for t in totals] == [
        ["Total", None, 3, 18, pytest.approx(19 + 5 / 6), 991.50],  # by site
        ["Total", 3, 18, pytest.approx(19 + 5 / 6), 991.50, None],  # by funding
    ]
    text = " ".join(str(c.value) for r in ws.iter_rows() for c in r if c.value)
    assert "once per therapist" in text and "Easter Monday" in text and "INSET" in text


def test_travel_sheet(workbook_path: Path) -> None:
    df = pd.read_excel(workbook_path, sheet_name="Travel")
    t01_mon = df[(df.therapist_id == "T01") & (df.day == "Mon")].iloc[0]
    assert t01_mon.route == "HUN -> 40 min -> FEN -> 40 min -> HUN"
    assert t01_mon["travel minutes"] == 80
    assert t01_mon["first departure"] == dt.time(8, 25)
    assert df["travel minutes"].sum() == 160


def test_therapist_grid_block_is_merged_and_coloured(workbook_path: Path) -> None:
    ws = _sheet(workbook_path, "T01 Alex M")
    assert ws["A4"].value == "08:00"  # first time row: the 08:25 drive starts the day
    # R001 Mon 09:05-09:35 in 15-minute rows covers 09:00, 09:15, 09:30 (rows 8-10), column B.
    assert ws["A8"].value == "09:00"
    assert "B8:B10" in {str(r) for r in ws.merged_cells.ranges}
    block = ws["B8"]
    assert block.value is not None
    assert block.value.startswith("09:05-09:35 A.B. (R001)")
    assert block.value.splitlines()[1] == "Fenland Primary, Music room"
    assert block.fill.fgColor.rgb == "00" + SESSION_FILLS["music"]
    # The admin 09:35-09:45 shares the 09:30 row, so it is named in the session's block.
    assert "admin 09:35-09:45" in block.value
    # Travel as a lighter block: drive HUN -> FEN 08:25-09:05 on rows 08:15-08:45.
    assert "B5:B7" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["B5"].fill.fgColor.rgb == "00" + TRAVEL_FILL
    assert ws["B5"].value == "drive 40 min to FEN (08:25-09:05 from HUN)"
    # Friday R002 (co-facilitated) then its admin block underneath.
    assert "F12:F14" in {str(r) for r in ws.merged_cells.ranges}
    assert "with T02" in str(ws["F12"].value)
    assert ws["F15"].value == "admin 10:45-10:55"
    assert ws["F15"].fill.fgColor.rgb == "00" + ADMIN_FILL


def test_grid_prints_on_one_a4_landscape_page(workbook_path: Path) -> None:
    ws = _sheet(workbook_path, "T02 Sam K")
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == "9"  # A4
    assert ws.sheet_properties.pageSetUpPr is not None
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 1
    assert ws.print_title_rows == "$1:$3"
    assert [ws.cell(3, c).value for c in range(1, 7)] == ["Time", "Mon", "Tue", "Wed", "Thu", "Fri"]


def test_site_grid_has_rooms_by_day(workbook_path: Path) -> None:
    ws = _sheet(workbook_path, "Site FEN")
    assert [ws.cell(3, c).value for c in (2, 4, 6, 8, 10)] == ["Mon", "Tue", "Wed", "Thu", "Fri"]
    assert "B3:C3" in {str(r) for r in ws.merged_cells.ranges}
    assert [ws.cell(4, c).value for c in (2, 3)] == ["Music room", "Quiet room"]
    # R003 Fri 11:30-12:10, Quiet room: column K, rows 11:30..12:00.
    times = {ws.cell(r, 1).value: r for r in range(5, ws.max_row + 1)}
    top = times["11:30"]
    assert f"K{top}:K{top + 2}" in {str(r) for r in ws.merged_cells.ranges}
    assert "D.E. (R003)" in str(ws.cell(top, 11).value)
    assert "Sam K (T02)" in str(ws.cell(top, 11).value)
    assert ws.cell(top, 11).fill.fgColor.rgb == "00" + SESSION_FILLS["drama"]
    assert ws.print_title_rows == "$1:$4"


def test_exact_blocks_on_a_15_minute_grid(tmp_path: Path) -> None:
    """With 15-minute slots the rows are the slot grid and blocks sit exactly on them."""
    data = make_problem(admin_minutes=15).model_dump()
    data["settings"]["slot_minutes"] = 15
    for ref in data["referrals"]:
        ref["minutes"] = 45
    problem = Problem.model_validate(data)
    rota = Rota(
        sessions=(
            Session(referral_id="R003", therapist_ids=("T02",), site_id="FEN",
                    room_id="FEN-QR", day="Tue", start="13:00", end="13:45"),
        )
    )  # fmt: skip
    result = make_result().model_copy(update={"rota": rota})
    path = write_rota_workbook(problem, result, tmp_path / "r.xlsx")
    ws = _sheet(path, "T02 Sam K")
    times = {ws.cell(r, 1).value: r for r in range(4, ws.max_row + 1)}
    top = times["13:00"]
    assert f"C{top}:C{top + 2}" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.cell(top + 3, 3).value == "admin 13:45-14:00"


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "rota.xlsx"
    path.write_bytes(b"keep me")
    with pytest.raises(OutputError, match="already exists"):
        write_rota_workbook(make_problem(), make_result(), path)
    assert path.read_bytes() == b"keep me"
    write_rota_workbook(make_problem(), make_result(), path, force=True)
    assert load_workbook(path).sheetnames[0] == "Summary"
    assert [p.name for p in tmp_path.iterdir()] == ["rota.xlsx"]  # no temporary left behind
