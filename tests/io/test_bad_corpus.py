"""Every workbook in tests/data/bad/ reports exactly the located lines in its .expected file."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from rota.io import InputError, read_problem_with_warnings

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
CASES = sorted(BAD.glob("*.xlsx"))


def reported_lines(path: Path) -> list[str]:
    """Errors (if any) then warnings prefixed 'warning: ', as the .expected files list them."""
    try:
        _, warnings = read_problem_with_warnings(path)
    except InputError as exc:
        return exc.lines + [f"warning: {w}" for w in exc.warnings]
    return [f"warning: {w}" for w in warnings]


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 150
    assert all(case.with_suffix(".expected").exists() for case in CASES)
    assert len(list(BAD.glob("*.parts"))) >= 150


def located(line: str) -> tuple[str, int, str, str] | None:
    """(sheet, row, column, message) of a located line such as
    ``Rooms row 3 (HUN-1), capacity: 'big' is not a whole number``."""
    m = re.match(r"^(?:warning: )?(\w+) row (\d+)(?: \((.*?)\))?, (.+?): (.*)$", line)
    return (m.group(1), int(m.group(2)), m.group(4), m.group(5)) if m else None


@pytest.mark.parametrize("path", CASES, ids=[c.stem for c in CASES])
def test_bad_workbook_reports_exact_located_messages(path: Path) -> None:
    expected = path.with_suffix(".expected").read_text().splitlines()
    reported = reported_lines(path)  # never anything but InputError: no traceback
    if not path.with_suffix(".parts").exists():
        assert reported == expected
        return
    # A generated case: its errors exactly; a warning case: its warning among the warnings.
    errors = [line for line in reported if not line.startswith("warning: ")]
    if expected[0].startswith("warning: "):
        assert errors == [] and set(expected) <= set(reported), reported
    else:
        assert errors == expected
    sheet, row, column, shown = path.with_suffix(".parts").read_text().splitlines() + [""][:0]
    where = located(expected[0])
    assert where is not None and where[:3] == (sheet, int(row), column)
    assert shown in where[3] if shown else where[3] == "a value is required"


@pytest.mark.parametrize(
    "name", ["valid_base", "blank_rows_in_middle", "excel_date_and_time_cells"]
)
def test_valid_variants_read_the_same_records(name: str) -> None:
    base, _ = read_problem_with_warnings(BAD / "valid_base.xlsx")
    problem, warnings = read_problem_with_warnings(BAD / f"{name}.xlsx")
    assert warnings == []
    assert problem == base
    assert [r.referral_id for r in problem.referrals] == ["R0001", "R0002", "R0003", "R0004"]


def test_ids_stored_as_numbers_are_text() -> None:
    problem, _ = read_problem_with_warnings(BAD / "ids_stored_as_numbers.xlsx")
    assert problem.therapists[1].therapist_id == "1001"
    assert problem.referrals[1].current_therapist_id == "1001"
    assert problem.referrals[1].site_ids == ("HUN-CLINIC", "42")
    assert problem.travel[0].to_site_id == "42"


def test_loose_headers_and_sheet_case_are_accepted() -> None:
    problem, _ = read_problem_with_warnings(BAD / "sheet_case_and_loose_headers.xlsx")
    assert [t.therapist_id for t in problem.therapists] == ["T01", "T02"]
    assert problem.rooms[0].room_id == "ELY-FIELDS-MUS" and problem.rooms[0].capacity == 4
    assert problem.closures[0].label == "Half term"


def test_reading_leaves_the_input_bytes_unchanged() -> None:
    for name in ("valid_base", "several_errors", "merged_cells"):
        path = BAD / f"{name}.xlsx"
        before = hashlib.sha256(path.read_bytes()).hexdigest()
        mtime = path.stat().st_mtime_ns
        reported_lines(path)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before
        assert path.stat().st_mtime_ns == mtime


def test_error_carries_structured_locations() -> None:
    with pytest.raises(InputError) as info:
        read_problem_with_warnings(BAD / "text_in_number.xlsx")
    (issue,) = info.value.issues
    assert (issue.sheet, issue.row, issue.column) == ("Rooms", 3, "capacity")
