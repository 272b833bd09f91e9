"""The coordinator's workbook, opened with openpyxl and pandas and checked cell by cell."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from rota.evaluate.check import check
from rota.evaluate.kpis import compute_kpis
from rota.io.rota_sheet import read_rota_sheet
from rota.models import PreviousSession
from rota.models.result import CostTerm
from rota.models.rota import Rota, Session
from rota.reports.atomic import OutputError
from rota.reports.coordinator import ROTA_COLUMNS, SHEET_PURPOSES, write_rota_workbook
from rota.reports.grids import ADMIN_FILL, LUNCH_FILL, SESSION_FILLS, TRAVEL_FILL, grid_sheet
from rota.reports.grids import therapist_grid as make_therapist_grid
from rota.reports.sheets import heading
from rota.reports.week import lay_out_week
from tests.reports.export_service import make_problem, make_result
from tests.scheduler.helpers import service

SHEETS = [
    "Index", "Summary", "Rota", "Unscheduled", "Costs", "Session costs", "Travel", "Rooms",
    "Therapist weeks", "Site weeks",
]  # fmt: skip


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


def _texts(ws: Worksheet) -> list[str]:
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def test_index_comes_first_and_links_every_sheet(workbook_path: Path) -> None:
    wb = load_workbook(workbook_path)
    assert wb.sheetnames == SHEETS
    index = wb["Index"]
    rows = {
        r[0].value: (r[0], r[1].value)
        for r in index.iter_rows(min_col=1, max_col=2)
        if r[0].value in SHEETS
    }
    assert sorted(rows) == sorted(SHEETS[1:])
    for name, (cell, purpose) in rows.items():
        assert cell.hyperlink is not None and cell.hyperlink.location == f"'{name}'!A1"
        assert purpose == SHEET_PURPOSES[name]


def test_rota_sheet_keeps_the_contract_with_readable_headings(workbook_path: Path) -> None:
    ws = _sheet(workbook_path, "Rota")
    headings = [c.value for c in ws[1]]
    assert headings[:4] == ["Referral ID", "Client", "Therapist ID", "Therapist"]
    # Lower-cased, spaces to underscores: the contract names, in order.
    assert [str(h).lower().replace(" ", "_") for h in headings] == list(ROTA_COLUMNS)
    assert [heading(c) for c in ROTA_COLUMNS] == headings
    df = pd.read_excel(workbook_path, sheet_name="Rota")
    # One row per therapist per session, sorted by therapist, day, start.
    assert list(zip(df["Therapist ID"], df["Referral ID"], df["Day"], strict=True)) == [
        ("T01", "R001", "Mon"),
        ("T01", "R002", "Fri"),
        ("T02", "R002", "Fri"),
        ("T02", "R003", "Fri"),
    ]
    assert list(df["Other therapists"].fillna("")) == ["", "T02", "T01", ""]
    assert df.loc[0, "Start"] == dt.time(9, 5) and df.loc[0, "End"] == dt.time(9, 35)
    assert list(df["Minutes"]) == [30, 45, 45, 40]
    # Each therapist's row carries its share of the term cost; together the hand total.
    assert list(df["Term cost"]) == pytest.approx([234.00, 275.00, 275.00, 207.50])
    assert df["Term cost"].sum() == pytest.approx(991.50)
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:S5"
    assert ws["J2"].number_format == "hh:mm" and ws["J2"].value == dt.time(9, 5)
    assert ws.print_title_rows == "$1:$1"


def test_rota_sheet_reads_back_as_the_same_rota(workbook_path: Path) -> None:
    problem = make_problem()
    rota, warnings = read_rota_sheet(problem, workbook_path)
    assert warnings == []
    key = sorted((s.referral_id, s.therapist_ids, s.day, s.start, s.room_id) for s in rota.sessions)
    want = make_result().rota.sessions
    assert key == sorted((s.referral_id, s.therapist_ids, s.day, s.start, s.room_id) for s in want)
    assert {u.referral_id: u.reason for u in rota.unscheduled} == {
        "R004": "no drama therapist free on Ely days"
    }


def test_unscheduled_sheet(workbook_path: Path) -> None:
    df = pd.read_excel(workbook_path, sheet_name="Unscheduled")
    assert df.to_dict("records") == [
        {
            "Referral ID": "R004",
            "Client": "F.G.",
            "Site ID": "ELY",
            "Discipline": "drama",
            "Priority": 1,
            "Reason": "no drama therapist free on Ely days",
        }
    ]


def test_summary_leads_with_what_a_coordinator_asks(workbook_path: Path) -> None:
    ws = _sheet(workbook_path, "Summary")
    values = _label_values(ws)
    assert values["Placed"] == 3 and values["Not placed"] == 1 and values["Referrals"] == 4
    assert values["Session minutes a week placed"] == 115
    assert values["Kept with their current therapist"] == "1 of 1"
    assert values["Cost of the term"] == pytest.approx(991.50)
    assert values["EHC plan"] == pytest.approx(550.00)  # who pays: by funding
    assert values["R004"] == "F.G."  # not placed, with the reason on its row
    # Travel by hand: T01 Mon HUN-FEN-HUN 40+40; Fri at the base; T02 Fri HUN->FEN->HUN 40+40.
    assert values["Driving minutes a week, everyone"] == 160
    assert values["T01 Alex M"] == 2 and values["T02 Sam K"] == 2  # sessions a week
    labels = [str(c.value) for c in ws["A"] if c.value is not None]
    sections = [
        "Referrals placed", "Not placed, and why", "Cost of the term, and who pays",
        "Therapists and driving", "What changed from the previous rota", "How the search ended",
    ]  # fmt: skip
    assert [s for s in labels if s in sections] == sections
    text = " ".join(_texts(ws))
    assert "no drama therapist free on Ely days" in text
    assert "1 (most urgent)" in labels and "music" in labels and "drama" in labels
    # The search in words, last; no solver jargon anywhere.
    assert values["Search"] == "stopped before it could prove this the best rota; best rota found"
    assert values["How close to the best"] == "at most 2.8% from the best possible"
    for jargon in ("FEASIBLE", "TIME_LIMIT", "OPTIMAL", "objective", "Objective", "bound", "gap"):
        assert jargon not in text, jargon
    cost_cell = next(
        r[1] for r in ws.iter_rows(min_col=1, max_col=2) if r[0].value == "Cost of the term"
    )
    assert cost_cell.number_format == '"£"#,##0.00'


def test_summary_shows_each_therapists_load_with_a_chart(workbook_path: Path) -> None:
    ws = _sheet(workbook_path, "Summary")
    rows = {
        str(r[0]): r[1:7]
        for r in ws.iter_rows(min_col=1, max_col=7, values_only=True)
        if r[0] is not None
    }
    heading = next(k for k, v in rows.items() if k == "Therapist")
    assert rows[heading] == (
        "Sessions", "Contact minutes", "Contract minutes", "Load", "Sites", "Driving minutes",
    )  # fmt: skip
    problem = make_problem()
    sessions, contact, contract, load, sites, _driving = rows["T01 Alex M"]
    assert contract == problem.contract_minutes("T01")
    assert load == pytest.approx(contact / contract)
    assert sessions == 2 and sites >= 1
    assert "Spread of loads, busiest to least busy" in rows
    (chart,) = ws._charts  # noqa: SLF001 (openpyxl keeps a sheet's charts there)
    assert chart.type == "bar"


def test_mileage_is_shown_beside_therapy_hours_when_a_rate_is_set(
    workbook_path: Path, tmp_path: Path
) -> None:
    assert "Therapy hours and mileage" not in _label_values(_sheet(workbook_path, "Summary"))
    base = make_problem()
    problem = base.model_copy(
        update={"settings": base.settings.model_copy(update={"mileage_rate": 0.45})}
    )
    path = tmp_path / "rota.xlsx"
    write_rota_workbook(problem, make_result(), path, force=False)
    values = _label_values(_sheet(path, "Summary"))
    mileage = next(v for k, v in values.items() if k.startswith("Mileage: "))
    assert isinstance(mileage, float) and mileage > 0
    therapy = values["Cost of therapy hours"]
    assert therapy == values["Cost of the term"]
    assert values["Therapy hours and mileage"] == pytest.approx(therapy + mileage)  # type: ignore[operator]
    costs = _texts(_sheet(path, "Costs"))
    assert any(t.startswith("Mileage at £0.45 a mile") for t in costs)


def test_summary_says_what_changed_from_the_previous_rota(tmp_path: Path) -> None:
    problem = make_problem().model_copy(
        update={
            "previous": (
                # R001 as it is now; R002 was on Thursday with T01 alone; R004 was placed.
                PreviousSession(referral_id="R001", therapist_id="T01", day="Mon",
                                start=9 * 60 + 5, room_id="FEN-MUS"),
                PreviousSession(referral_id="R002", therapist_id="T01", day="Thu",
                                start=10 * 60, room_id="HUN-1"),
                PreviousSession(referral_id="R004", therapist_id="T02", day="Tue",
                                start=10 * 60, room_id="ELY-HALL"),
            )
        }
    )  # fmt: skip
    path = write_rota_workbook(problem, make_result(), tmp_path / "r.xlsx")
    values = _label_values(_sheet(path, "Summary"))
    assert values["Sessions in the previous rota"] == 3
    assert values["Kept as they were"] == 1
    assert values["Moved to another day or time"] == 1
    assert values["With another therapist"] == 1
    assert values["No longer placed"] == 1
    assert values["Placed now, not in the previous rota"] == 1  # R003


def test_costs_sheet(workbook_path: Path) -> None:
    ws = _sheet(workbook_path, "Costs")
    rows = {r[0].value: [c.value for c in r] for r in ws.iter_rows() if r[0].value}
    assert rows["FEN"][2:6] == [2, 12, pytest.approx(40 / 60 * 7 + 50 / 60 * 5), 441.50]
    assert rows["HUN"][5] == 550.00
    assert rows["EHC plan"][1:6] == [pytest.approx(550 / 991.5), 1, 6, pytest.approx(11.0), 550.0]
    assert rows["unspecified"][5] == 207.50
    totals = [[c.value for c in r][:6] for r in ws.iter_rows() if r[0].value == "Total"]
    assert totals == [
        ["Total", None, 3, 18, pytest.approx(19 + 5 / 6), 991.50],  # by site
        ["Total", 1.0, 3, 18, pytest.approx(19 + 5 / 6), 991.50],  # by funding
    ]
    text = " ".join(_texts(ws))
    assert "once per therapist" in text and "£51.00 an hour from 01 March 2027" in text
    sessions = " ".join(_texts(_sheet(workbook_path, "Session costs")))
    assert "Easter Monday" in sessions and "INSET" in sessions


def test_travel_sheet_follows_the_day_rules(workbook_path: Path) -> None:
    df = pd.read_excel(workbook_path, sheet_name="Travel")
    t01_mon = df[(df["Therapist ID"] == "T01") & (df["Day"] == "Mon")].iloc[0]
    assert t01_mon["Route"] == "HUN -> 40 min -> FEN -> 40 min -> HUN"
    assert t01_mon["Driving minutes"] == 80
    assert t01_mon["First drive leaves"] == dt.time(8, 25)
    # Lunch at the base at 12:30: the drive home arrives for it (the rules' layout).
    assert t01_mon["Last drive arrives"] == dt.time(12, 30)
    # The same minutes the figures count.
    kpis = compute_kpis(make_problem(), make_result().rota)
    assert df["Driving minutes"].sum() == kpis.travel_minutes == 160


def _grid_rows(ws: Worksheet, title: str) -> range:
    """The sheet rows of the grid whose title row says ``title``."""
    tops = [r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value).endswith("week rota")]
    top = next(r for r in tops if ws.cell(r, 1).value == title)
    later = [r for r in tops if r > top]
    return range(top, (later[0] - 1) if later else ws.max_row + 1)


def test_therapist_weeks_one_page_per_therapist(workbook_path: Path) -> None:
    ws = _sheet(workbook_path, "Therapist weeks")
    titles = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert [t for t in titles if str(t).endswith("week rota")] == [
        "T01 Alex M: week rota",
        "T02 Sam K: week rota",
    ]
    second = titles.index("T02 Sam K: week rota") + 1
    assert [b.id for b in ws.row_breaks.brk] == [second - 1]  # a page break before T02
    rows = _grid_rows(ws, "T01 Alex M: week rota")
    header = next(r for r in rows if ws.cell(r, 1).value == "Time")
    assert [ws.cell(header, c).value for c in range(1, 7)] == ["Time", "Mon", "Tue", "Wed",
                                                               "Thu", "Fri"]  # fmt: skip
    merged = {str(m) for m in ws.merged_cells.ranges}
    by_text = {str(ws.cell(r, c).value): (r, c) for r in rows for c in range(2, 7)}
    # R001 Mon 09:05-09:35 in 5-minute rows: exactly 6 rows from the 09:05 row.
    times = {ws.cell(r, 1).value: r for r in rows if ws.cell(r, 1).value}
    session = next(t for t in by_text if t.startswith("09:05-09:35 A.B. (R001)"))
    r, c = by_text[session]
    assert r == times["09:00"] + 1 and c == 2
    assert f"B{r}:B{r + 5}" in merged
    assert session.splitlines()[1] == "Fenland Primary, Music room"
    assert ws.cell(r, c).fill.fgColor.rgb == "00" + SESSION_FILLS["music"]
    assert ws.cell(r + 6, 2).value == "admin 09:35-09:45"
    assert ws.cell(r + 6, 2).fill.fgColor.rgb == "00" + ADMIN_FILL
    drive = "drive 40 min to Fenland Primary (08:25-09:05 from Huntingdon Clinic (base))"
    assert (
        by_text[drive][1] == 2 and ws.cell(*by_text[drive]).fill.fgColor.rgb == "00" + TRAVEL_FILL
    )
    lunch = "lunch 12:30-13:00 at Huntingdon Clinic (base)"
    assert ws.cell(*by_text[lunch]).fill.fgColor.rgb == "00" + LUNCH_FILL
    friday = [t for t in by_text if by_text[t][1] == 6]
    assert any("Group C (R002)" in t and "with T02" in t for t in friday)
    key = next(r for r in rows if ws.cell(r, 1).value == "Key")
    assert [ws.cell(key, c).value for c in range(2, 7)] == [
        "music session", "admin (notes)", "lunch", "driving", "not working"
    ]  # fmt: skip


def test_lunch_is_drawn_in_every_therapist_grid_where_the_rules_place_it(
    workbook_path: Path,
) -> None:
    ws = _sheet(workbook_path, "Therapist weeks")
    week = lay_out_week(make_problem(), make_result().rota)
    lunches = 0
    for t in make_problem().therapists:
        rows = _grid_rows(ws, f"{t.therapist_id} {t.name}: week rota")
        texts = {str(ws.cell(r, c).value) for r in rows for c in range(2, 7)}
        for day in week.of(t.therapist_id):
            for item in (i for i in day.items if i.kind == "lunch"):
                lunches += 1
                assert any(x.startswith(f"lunch {item.start // 60:02d}:") for x in texts)
    assert lunches == 2  # T01 on Monday and Friday; T02's Friday ends before the lunch window


def test_a_drive_after_lunch_is_drawn_after_lunch() -> None:
    # T1 (base A) has A 11:30-12:00 and B 13:30-14:00, B 25 minutes away: the rules put lunch
    # at A 12:30-13:00 and the drive after it, 13:00-13:25, not at the start of the gap.
    problem = service([{"referral_id": "R1"}, {"referral_id": "R2", "site_ids": "B"}])
    rota = Rota(
        sessions=(
            Session(referral_id="R1", therapist_ids=("T1",), site_id="A", room_id="A1",
                    day="Mon", start="11:30", end="12:00"),
            Session(referral_id="R2", therapist_ids=("T1",), site_id="B", room_id="B1",
                    day="Mon", start="13:30", end="14:00"),
        )
    )  # fmt: skip
    assert check(problem, rota) == []
    days = lay_out_week(problem, rota).of("T1")
    grid = make_therapist_grid(problem, rota, "T1", days)
    ws = Workbook().active
    assert ws is not None
    drawn = grid_sheet(ws, grid, "test")
    lunch = next(b for b in grid.blocks if b.kind == "lunch")
    drive = next(b for b in grid.blocks if b.kind == "drive" and "to Site B" in b.text)
    assert (lunch.start, lunch.end, drive.start, drive.end) == (750, 780, 780, 805)
    assert drawn.blocks[(0, lunch.start)][1] < drawn.blocks[(0, drive.start)][0]


def test_site_weeks_have_rooms_by_day(workbook_path: Path) -> None:
    ws = _sheet(workbook_path, "Site weeks")
    titles = [str(ws.cell(r, 1).value) for r in range(1, ws.max_row + 1)]
    assert [t for t in titles if "sessions by room and day" in t] == [
        "Fenland Primary (FEN): sessions by room and day",
        "Huntingdon Clinic (HUN): sessions by room and day",
    ]
    header = titles.index("Time") + 1
    # Fenland's days with sessions, each over the two rooms it uses (Huntingdon's one room
    # spans both columns of its one day).
    assert [ws.cell(header, c).value for c in (2, 4)] == ["Mon", "Fri"]
    assert ws.cell(header, 6).value is None
    assert f"B{header}:C{header}" in {str(m) for m in ws.merged_cells.ranges}
    assert [ws.cell(header + 1, c).value for c in (2, 3)] == ["Music room", "Quiet room"]
    texts = _texts(ws)
    assert "11:30-12:10\nD.E. (R003)\nSam K (T02)" in texts


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "rota.xlsx"
    path.write_bytes(b"keep me")
    with pytest.raises(OutputError, match="already exists"):
        write_rota_workbook(make_problem(), make_result(), path)
    assert path.read_bytes() == b"keep me"
    write_rota_workbook(make_problem(), make_result(), path, force=True)
    assert load_workbook(path).sheetnames[0] == "Index"
    assert [p.name for p in tmp_path.iterdir()] == ["rota.xlsx"]  # no temporary left behind


def test_user_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    data = make_problem().model_dump()
    data["referrals"][0]["client"] = "=HYPERLINK(1)"
    data["sites"][0]["name"] = "+Fenland"
    problem = type(make_problem()).model_validate(data)
    path = write_rota_workbook(problem, make_result(), tmp_path / "r.xlsx")
    wb = load_workbook(path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(c.value == "=HYPERLINK(1)" for c in cells)
