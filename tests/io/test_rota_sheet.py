"""Reading the coordinator's edited Rota sheet back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from rota.demo import generate_problem
from rota.evaluate.check import check
from rota.evaluate.kpis import compute_kpis
from rota.io.errors import InputError
from rota.io.rota_sheet import read_rota_sheet, read_rota_sheet_rows
from rota.models.result import Result
from rota.models.rota import Rota
from rota.reports.coordinator import write_rota_workbook
from rota.scheduler.candidates import build_candidates
from rota.scheduler.greedy import greedy_rota
from tests.reports.export_service import make_problem, make_result, make_rota


@pytest.fixture()
def exported(tmp_path: Path) -> Path:
    return write_rota_workbook(make_problem(), make_result(), tmp_path / "rota.xlsx")


def _edit(path: Path, edits: dict[str, Any], delete_rows: Sequence[int] = ()) -> None:
    wb = load_workbook(path)
    ws = wb["Rota"]
    for ref, value in edits.items():
        ws[ref] = value
    for row in sorted(delete_rows, reverse=True):
        ws.delete_rows(row)
    wb.save(path)


def _sheet(path: Path, rows: list[list[Any]], title: str = "Rota") -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_round_trip_gives_the_same_rota(exported: Path) -> None:
    rota, warnings = read_rota_sheet(make_problem(), exported)
    assert rota == make_rota()
    assert warnings == []


def test_rows_of_each_referral_are_kept(exported: Path) -> None:
    sheet = read_rota_sheet_rows(make_problem(), exported)
    assert sheet.rows_by_referral == {"R001": (2,), "R002": (3, 4), "R003": (5,)}


def test_moved_swapped_and_deleted(exported: Path) -> None:
    # Rows: 2 T01 R001 Mon, 3 T01 R002 Fri, 4 T02 R002 Fri, 5 T02 R003 Fri.
    _edit(
        exported,
        {
            "I2": "Tue",  # R001 moves to Tuesday 10:15 (as text), end left stale
            "J2": "10:15 ",
            "C5": "T01",  # R003 swapped to T01; the name column still says Sam K
        },
        delete_rows=[4],  # T02 no longer co-facilitates R002
    )
    sheet = read_rota_sheet_rows(make_problem(), exported)
    by_ref = {s.referral_id: s for s in sheet.rota.sessions}
    assert (by_ref["R001"].day, by_ref["R001"].start, by_ref["R001"].end) == ("Tue", 615, 645)
    assert by_ref["R002"].therapist_ids == ("T01",)
    assert by_ref["R003"].therapist_ids == ("T01",)
    assert sheet.rows_by_referral["R003"] == (4,)
    assert len(sheet.warnings) == 2
    assert sheet.warnings[0].startswith("Rota row 2 (R001), End: 09:35 is not 10:15 + 30 minutes")
    assert sheet.warnings[1] == (
        "Rota row 4 (R003), Therapist: 'Sam K' is not the name of T01 (Alex M): the id decides, "
        "T01 is kept"
    )


def test_deleted_referral_is_unscheduled(exported: Path) -> None:
    _edit(exported, {}, delete_rows=[2])
    rota, _ = read_rota_sheet(make_problem(), exported)
    assert rota.session_of("R001") is None
    assert {u.referral_id: u.reason for u in rota.unscheduled} == {
        "R001": "not in the Rota sheet",
        "R004": "no drama therapist free on Ely days",  # from the Unscheduled sheet
    }


def test_reordered_columns_text_times_and_trailing_spaces(tmp_path: Path) -> None:
    path = _sheet(
        tmp_path / "edited.xlsx",
        [
            ["Start ", "Day", "room_id", " therapist_id", "Referral_ID"],
            ["09:05", "monday ", "FEN-MUS ", "T01", "R001 "],
            [dt.time(10, 0), "Fri", "HUN-1", "T02", "R002"],
            [0.4166666666666667, "Fri", "HUN-1", "T01", "R002"],  # 10:00 as Excel's fraction
        ],
    )
    rota, warnings = read_rota_sheet(make_problem(), path)
    assert warnings == []
    assert [(s.referral_id, s.therapist_ids, s.day, s.start, s.end) for s in rota.sessions] == [
        ("R001", ("T01",), "Mon", 545, 575),
        ("R002", ("T02", "T01"), "Fri", 600, 645),
    ]
    assert rota.sessions[1].site_id == "HUN"
    assert {u.referral_id for u in rota.unscheduled} == {"R003", "R004"}


def test_every_bad_cell_is_located_at_once(tmp_path: Path) -> None:
    path = _sheet(
        tmp_path / "bad.xlsx",
        [
            ["referral_id", "therapist_id", "room_id", "day", "start"],
            ["R001", "T-01", "FEN-MUS", "Mon", "09:05"],
            ["R0002", "T01", "HUN-1", "Fri", "10:00"],
            ["R003", "T02", "FEN-QR", "Funday", "25:00"],
            [None, "T02", "FEN-QR", "Fri", "11:30"],
            ["R002", "T01", "HUN-2", "Fri", "10:00"],
        ],
    )
    with pytest.raises(InputError) as info:
        read_rota_sheet(make_problem(), path)
    assert info.value.lines == [
        "Rota row 2 (R001), therapist_id: unknown therapist 'T-01' (did you mean 'T01'?)",
        "Rota row 3 (R0002), referral_id: unknown referral 'R0002' (did you mean 'R002'?)",
        "Rota row 4 (R003), day: 'Funday' is not a day (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)",
        "Rota row 4 (R003), start: '25:00' is not a time of day",
        "Rota row 5, referral_id: a value is required (the row has no referral id)",
        "Rota row 6 (R002), room_id: unknown room 'HUN-2' (did you mean 'HUN-1'?)",
    ]


def test_rows_of_one_referral_must_agree(tmp_path: Path) -> None:
    path = _sheet(
        tmp_path / "split.xlsx",
        [
            ["referral_id", "therapist_id", "room_id", "day", "start"],
            ["R002", "T01", "HUN-1", "Fri", "10:00"],
            ["R002", "T02", "HUN-1", "Thu", "10:00"],
        ],
    )
    with pytest.raises(InputError) as info:
        read_rota_sheet(make_problem(), path)
    assert len(info.value.lines) == 1
    assert info.value.lines[0].startswith(
        "Rota row 3 (R002), start: referral R002 is also on row 2 at Fri 10:00 in HUN-1"
    )


def test_missing_columns_and_sheet(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "cols.xlsx", [["referral_id", "day"], ["R001", "Mon"]])
    with pytest.raises(InputError) as info:
        read_rota_sheet(make_problem(), path)
    assert info.value.lines == [
        "Rota row 1: no column 'therapist_id' in the header row",
        "Rota row 1: no column 'room_id' in the header row",
        "Rota row 1: no column 'start' in the header row",
    ]
    other = _sheet(tmp_path / "other.xlsx", [["x"]], title="Sessions")
    with pytest.raises(InputError, match="has no sheet named 'Rota'"):
        read_rota_sheet(make_problem(), other)


def test_reading_does_not_modify_the_file(exported: Path) -> None:
    before = exported.read_bytes()
    read_rota_sheet(make_problem(), exported)
    assert exported.read_bytes() == before


def test_demo_rota_survives_the_round_trip(tmp_path: Path) -> None:
    """A generated service's greedy rota, exported and read back, is the same rota: every
    session (co-therapists in the sheet's order), no warnings, no check violations."""
    problem = generate_problem("small", 3)
    rota = greedy_rota(problem, build_candidates(problem))
    assert len(rota.sessions) > 20
    path = write_rota_workbook(problem, Result(status="FEASIBLE", rota=rota), tmp_path / "r.xlsx")
    back, warnings = read_rota_sheet(problem, path)
    assert warnings == []

    def key(r: Rota) -> set[tuple[object, ...]]:
        return {(s.referral_id, tuple(sorted(s.therapist_ids)), s.site_id, s.room_id, s.day,
                 s.start, s.end) for s in r.sessions}  # fmt: skip

    assert key(back) == key(rota)
    assert {u.referral_id for u in back.unscheduled} == {u.referral_id for u in rota.unscheduled}
    assert check(problem, back) == []
    assert compute_kpis(problem, back) == compute_kpis(problem, rota)
