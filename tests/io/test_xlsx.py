"""Whole-file problems give one plain line, never a traceback; merged cells are found cheaply."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from rota.io import InputError, read_problem, read_workbook_rows, xlsx

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"


def only_error(path: Path) -> str:
    with pytest.raises(InputError) as info:
        read_problem(path)
    (line,) = info.value.lines
    return line


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.xlsx"
    assert only_error(path) == f"{path}: no such file"


def test_unsupported_and_unknown_suffixes(tmp_path: Path) -> None:
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    assert (
        only_error(old)
        == "old.xls: .xls files are not supported: save it from Excel as an .xlsx workbook"
    )
    csv = tmp_path / "list.csv"
    csv.write_text("a,b\n")
    assert only_error(csv) == "list.csv: unknown file type '.csv' (use .xlsx, .yaml, .yml or .json)"


def test_corrupt_zip_and_truncated_workbook(tmp_path: Path) -> None:
    good = BAD / "valid_base.xlsx"
    truncated = tmp_path / "cut.xlsx"
    truncated.write_bytes(good.read_bytes()[:2000])
    assert only_error(truncated).startswith(
        "cut.xlsx: is not an Excel workbook (.xlsx) or it is damaged"
    )
    # A zip that is not a workbook at all.
    odd = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(odd, "w") as zf:
        zf.writestr("hello.txt", "hi")
    assert only_error(odd).startswith("odd.xlsx: is not an Excel workbook")


def test_locked_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Excel on Windows holds an exclusive lock: opening raises PermissionError. Simulated here
    # because the tests may run as root, who can read any file.
    path = tmp_path / "locked.xlsx"
    path.write_bytes((BAD / "valid_base.xlsx").read_bytes())

    def locked(_: Path) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(xlsx, "_scan_sheets", locked)
    assert only_error(path) == "locked.xlsx: cannot be opened: it is locked by another program"


def test_folder_instead_of_file(tmp_path: Path) -> None:
    folder = tmp_path / "inputs.xlsx"
    folder.mkdir()
    assert only_error(folder) == f"{folder}: is a folder, not a file"


def test_rows_are_numbered_as_in_excel_and_stripped(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sheet A"
    ws["A1"] = " head "
    ws["B4"] = "  x  "
    ws["C4"] = 7
    ws["A6"] = "   "  # only spaces: a blank row
    ws.merge_cells("A8:C9")
    path = tmp_path / "rows.xlsx"
    wb.save(path)
    sheet = read_workbook_rows(path)["Sheet A"]
    trimmed = [(n, cells + (None,) * (3 - len(cells))) for n, cells in sheet.rows]
    assert trimmed == [(1, ("head", None, None)), (4, (None, "x", 7))]
    assert sheet.merged == ["A8:C9"]
