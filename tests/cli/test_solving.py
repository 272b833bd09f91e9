"""`rota solve` and `rota check` end to end on real files, with click's CliRunner."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from rota.cli import main
from rota.evaluate.check import check
from rota.io.write import write_problem
from rota.models import PreviousSession, Problem
from rota.models.result import Result
from tests.conftest import make_two_therapists_service


def _input(tmp_path: Path, problem: Problem | None = None) -> Path:
    path = tmp_path / "service.xlsx"
    write_problem(problem or make_two_therapists_service(), path)
    return path


def _solve(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["solve", *args, "--time-limit", "10", "--workers", "1"])
    return result.exit_code, result.output


def test_solve_writes_a_checked_rota_workbook_and_json(tmp_path: Path) -> None:
    src = _input(tmp_path)
    before = src.read_bytes()
    code, out = _solve(str(src), "-o", str(tmp_path / "rota.xlsx"))
    assert code == 0, out
    assert "scheduled: 5 of 5 referrals" in out
    assert src.read_bytes() == before
    wb = openpyxl.load_workbook(tmp_path / "rota.xlsx", read_only=True)
    assert {"Summary", "Rota", "Unscheduled"} <= set(wb.sheetnames)
    checked = CliRunner().invoke(main, ["check", str(src), str(tmp_path / "rota.xlsx")])
    assert checked.exit_code == 0 and checked.output.startswith("OK: 5 sessions"), checked.output

    code, out = _solve(str(src), "-o", str(tmp_path / "result.json"))
    assert code == 0, out
    result = Result.model_validate_json((tmp_path / "result.json").read_text())
    assert len(result.rota.sessions) == 5
    assert check(make_two_therapists_service(), result.rota) == []


def test_solve_refuses_to_replace_an_output_without_force(tmp_path: Path) -> None:
    src = _input(tmp_path)
    out_path = tmp_path / "rota.json"
    out_path.write_text("keep me")
    code, out = _solve(str(src), "-o", str(out_path))
    assert code == 1
    assert "already exists: use --force" in out
    assert out_path.read_text() == "keep me"
    code, out = _solve(str(src), "-o", str(out_path), "--force")
    assert code == 0, out
    assert out_path.read_text() != "keep me"


def test_check_lists_violations_with_rota_row_numbers(tmp_path: Path) -> None:
    src = _input(tmp_path)
    rota_path = tmp_path / "rota.xlsx"
    assert _solve(str(src), "-o", str(rota_path))[0] == 0
    wb = openpyxl.load_workbook(rota_path)
    ws = wb["Rota"]
    header = [c.value for c in ws[1]]
    col = {name: i + 1 for i, name in enumerate(header)}
    # Move the session on row 2 to a Saturday: outside the service days.
    ws.cell(row=2, column=col["Day"]).value = "Sat"
    wb.save(rota_path)
    result = CliRunner().invoke(main, ["check", str(src), str(rota_path)])
    assert result.exit_code == 1
    assert "Rota row 2" in result.output
    assert "violation" in result.output


def test_check_finds_referrals_missing_from_both_rota_and_unscheduled(tmp_path: Path) -> None:
    src = _input(tmp_path)
    rota_path = tmp_path / "rota.xlsx"
    assert _solve(str(src), "-o", str(rota_path))[0] == 0
    wb = openpyxl.load_workbook(rota_path)
    ws = wb["Rota"]
    ws.delete_rows(2, ws.max_row)  # every session row deleted
    wb.save(rota_path)
    result = CliRunner().invoke(main, ["check", str(src), str(rota_path)])
    assert result.exit_code == 1, result.output
    assert result.output.count("missing-referral: ") == 5
    assert "R1 has no session and is not listed as unscheduled" in result.output
    # Listed on the Unscheduled sheet as well as in the Rota: also an error.
    assert _solve(str(src), "-o", str(rota_path), "--force")[0] == 0
    wb = openpyxl.load_workbook(rota_path)
    rid = wb["Rota"].cell(row=2, column=1).value
    wb["Unscheduled"].append([rid, "", "", "", 3, "moved by hand"])
    wb.save(rota_path)
    result = CliRunner().invoke(main, ["check", str(src), str(rota_path)])
    assert result.exit_code == 1
    assert f"scheduled-and-unscheduled: {rid} is listed as unscheduled" in result.output


def test_an_impossible_pin_is_an_input_error_that_says_why(tmp_path: Path) -> None:
    base = make_two_therapists_service()
    # T1 does not work on Fridays.
    pin = PreviousSession(
        referral_id="R1", therapist_id="T1", day="Fri", start=600, room_id="ELY-1", pinned=True
    )
    src = _input(tmp_path, base.model_copy(update={"previous": (pin,)}))
    code, out = _solve(str(src), "-o", str(tmp_path / "rota.xlsx"))
    assert code == 1
    assert "Previous row 2, start: R1 is pinned but breaks the rule 'therapist-hours'" in out
    assert not (tmp_path / "rota.xlsx").exists()


def test_previous_rota_is_kept_when_nothing_changed(tmp_path: Path) -> None:
    src = _input(tmp_path)
    first = tmp_path / "first.xlsx"
    assert _solve(str(src), "-o", str(first))[0] == 0
    code, out = _solve(str(src), "-o", str(tmp_path / "again.json"), "--previous", str(first))
    assert code == 0, out
    again = Result.model_validate_json((tmp_path / "again.json").read_text())
    moved = {c.label: c.units for c in again.costs}["sessions moved from previous"]
    assert moved == 0


def test_bad_input_gets_located_messages_and_exit_1(tmp_path: Path) -> None:
    src = tmp_path / "missing.xlsx"
    code, out = _solve(str(src))
    assert code == 1
    assert "missing.xlsx" in out and "Traceback" not in out


def test_solve_also_writes_the_therapists_files(tmp_path: Path) -> None:
    problem = make_two_therapists_service()
    settings = problem.settings.model_copy(
        update={"term_start": dt.date(2027, 1, 4), "term_end": dt.date(2027, 3, 26)}
    )
    src = _input(tmp_path, problem.model_copy(update={"settings": settings}))
    code, out = _solve(str(src), "-o", str(tmp_path / "rota.xlsx"), "--therapists",
                       str(tmp_path / "therapists"))  # fmt: skip
    assert code == 0, out
    names = sorted(p.name for p in (tmp_path / "therapists").iterdir())
    assert names == sorted(
        f"{t.therapist_id} {t.name}".strip() + suffix
        for t in problem.therapists
        for suffix in (".ics", ".xlsx")
    )
    assert "wrote 2 therapists' workbooks and calendars" in out
