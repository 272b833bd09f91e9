"""The mid-term columns read from a workbook: referrals' start_date and end_date, therapists'
absences; bad dates named by sheet, row and column, all at once; dates outside the term warned."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from rota.io import InputError, read_problem_with_warnings
from rota.io.write import write_problem
from tests.reports.export_service import make_problem


def _workbook(tmp_path: Path, cells: dict[tuple[str, str, str], object]) -> Path:
    """The export service as a workbook, with cells set by (sheet, record id, column)."""
    path = tmp_path / "service.xlsx"
    write_problem(make_problem(), path, force=True)
    wb = load_workbook(path)
    for (sheet, record, column), value in cells.items():
        ws = wb[sheet]
        head = [c.value for c in ws[1]]
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == record)
        ws.cell(row, head.index(column) + 1).value = value
    wb.save(path)
    return path


def test_dates_read_as_iso_text_uk_text_and_date_cells(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path,
        {
            ("Referrals", "R001", "start_date"): "22/02/2027",
            ("Referrals", "R001", "end_date"): dt.datetime(2027, 3, 19),
            ("Therapists", "T02", "absences"): "2027-03-01..2027-03-05; 22/03/2027",
        },
    )
    problem, warnings = read_problem_with_warnings(path)
    r001 = problem.referral_by_id["R001"]
    assert (r001.start_date, r001.end_date) == (dt.date(2027, 2, 22), dt.date(2027, 3, 19))
    assert problem.therapist_by_id["T02"].absences == (
        (dt.date(2027, 3, 1), dt.date(2027, 3, 5)),
        (dt.date(2027, 3, 22), dt.date(2027, 3, 22)),
    )
    assert warnings == []


def test_every_bad_date_is_named_by_sheet_row_and_column_at_once(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path,
        {
            ("Referrals", "R001", "start_date"): "after half term",
            ("Referrals", "R003", "start_date"): "2027-03-10",
            ("Referrals", "R003", "end_date"): "2027-03-01",
            ("Therapists", "T01", "absences"): "2027-03-01..soon; 2027-03-08",
        },
    )
    with pytest.raises(InputError) as err:
        read_problem_with_warnings(path)
    lines = err.value.lines
    assert any(
        "Referrals row 2 (R001), start_date: 'after half term' is not a date" in line
        for line in lines
    ), lines
    assert any("Therapists row 2 (T01), absences: cannot read '2027-03-01..soon'" in line
               for line in lines), lines  # fmt: skip
    assert any(
        "Referrals row 4 (R003), end_date: ends (2027-03-01) before it starts (2027-03-10)" in line
        for line in lines
    ), lines


def test_dates_outside_the_term_are_warned(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path,
        {
            ("Referrals", "R001", "start_date"): "2027-04-12",
            ("Referrals", "R003", "start_date"): "2026-11-02",
            ("Therapists", "T01", "absences"): "2027-05-03",
        },
    )
    _, warnings = read_problem_with_warnings(path)
    text = "\n".join(warnings)
    assert "Referrals row 2 (R001), start_date: 2027-04-12 is after the term ends" in text
    assert "no session this term" in text
    assert "Referrals row 4 (R003), start_date: 2026-11-02 is before the term starts" in text
    assert "Therapists row 2 (T01), absences: absence 2027-05-03 is outside the term" in text
