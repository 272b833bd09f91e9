"""``rota export rota`` and ``rota export schools`` end to end on real files."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from rota.cli import main
from rota.io.write import write_xlsx
from tests.reports.export_service import make_problem, make_result


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path]:
    input_file = write_xlsx(make_problem(), tmp_path / "service.xlsx")
    result_file = tmp_path / "result.json"
    result_file.write_text(make_result().model_dump_json(), encoding="utf-8")
    return input_file, result_file


def _run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_export_rota_from_result_json(files: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "rota.xlsx"
    code, stdout, _ = _run("export", "rota", *files, "-o", out)
    assert code == 0
    assert stdout == f"Wrote {out}: 3 sessions, 1 unscheduled, term cost £991.50\n"
    df = pd.read_excel(out, sheet_name="Rota")
    assert list(df["Referral ID"]) == ["R001", "R002", "R002", "R003"]
    summary = load_workbook(out)["Summary"]
    status = next(r[1].value for r in summary.iter_rows(max_col=2) if r[0].value == "Search")
    assert status == "stopped before it could prove this the best rota; best rota found"


def test_cost_options(files: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "rota.xlsx"
    code, stdout, _ = _run("export", "rota", *files, "-o", out, "--bill-session-only")
    assert code == 0 and stdout.endswith("term cost £791.50\n")  # 175.50 + 450 + 166
    out2 = tmp_path / "rota2.xlsx"
    code, stdout, _ = _run("export", "rota", *files, "-o", out2, "--no-bank-holidays")
    # + Easter Monday (R001 40 min at 51: 34.00) and Good Friday
    # (R002 110 min: 93.50, R003 50 min: 42.50).
    assert code == 0 and stdout.endswith("term cost £1,161.50\n")


def test_export_from_an_edited_rota_workbook(files: tuple[Path, Path], tmp_path: Path) -> None:
    first = tmp_path / "rota.xlsx"
    assert _run("export", "rota", *files, "-o", first)[0] == 0
    wb = load_workbook(first)
    ws = wb["Rota"]
    ws["I2"] = "Tue"  # R001 moved to Tuesday
    ws["D5"] = "Someone Else"  # a name that disagrees with its id
    wb.save(first)
    second = tmp_path / "rota2.xlsx"
    code, stdout, stderr = _run("export", "rota", files[0], first, "-o", second)
    assert code == 0
    assert "warning: Rota row 5 (R003), Therapist: 'Someone Else' is not the name of T02" in stderr
    df = pd.read_excel(second, sheet_name="Rota")
    assert df[df["Referral ID"] == "R001"]["Day"].tolist() == ["Tue"]
    summary = load_workbook(second)["Summary"]
    values = {r[0].value: r[1].value for r in summary.iter_rows(max_col=2) if r[0].value}
    assert values["Search"] == "no search: the figures are those of the rota as given"
    assert "read back from rota.xlsx" in str(values["Details"])


def test_export_schools(files: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "schools"
    code, stdout, _ = _run("export", "schools", *files, "--out", out)
    assert code == 0
    assert stdout.splitlines() == [
        f"Wrote 2 school workbooks in {out}:",
        "  Fenland Primary (FEN).xlsx",
        "  Huntingdon Clinic (HUN).xlsx",
    ]
    df = pd.read_excel(out / "Huntingdon Clinic (HUN).xlsx", sheet_name="Sessions")
    assert df.Client.dropna().tolist() == ["Group C"]
    assert "Funding" not in df.columns
    # Again without --force: refused, plainly, and the files are kept.
    before = (out / "Fenland Primary (FEN).xlsx").read_bytes()
    code, _, stderr = _run("export", "schools", *files, "--out", out)
    assert code == 1
    assert stderr.startswith("error: ") and "already exists: use --force" in stderr
    assert (out / "Fenland Primary (FEN).xlsx").read_bytes() == before
    assert _run("export", "schools", *files, "--out", out, "--force")[0] == 0


def test_refuses_to_overwrite_without_force(files: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "rota.xlsx"
    out.write_bytes(b"keep")
    code, stdout, stderr = _run("export", "rota", *files, "-o", out)
    assert code == 1 and stdout == ""
    assert stderr == f"error: {out} already exists: use --force to replace it\n"
    assert out.read_bytes() == b"keep"
    assert _run("export", "rota", *files, "-o", out, "--force")[0] == 0
    assert load_workbook(out).sheetnames[0] == "Index"


def test_locked_output_gives_a_clear_message(
    files: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "rota.xlsx"
    out.write_bytes(b"open in Excel")

    def locked(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", locked)
    code, _, stderr = _run("export", "rota", *files, "-o", out, "--force")
    assert code == 1
    assert stderr.startswith(f"error: cannot replace {out}: it is open in another program")
    assert "Traceback" not in stderr
    assert out.read_bytes() == b"open in Excel"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "result.json",
        "rota.xlsx",
        "service.xlsx",
    ]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ('{"status": "WHAT"}', "r.json", "r.json: not a rota result (status: Input should be"),
        ("not json", "r.json", "r.json: not a rota result"),
        ("x", "r.txt", "RESULT must be a result .json or a rota workbook .xlsx"),
    ],
)
def test_bad_result_files(
    files: tuple[Path, Path], tmp_path: Path, content: str, name: str, message: str
) -> None:
    bad = tmp_path / name
    bad.write_text(content, encoding="utf-8")
    code, _, stderr = _run("export", "rota", files[0], bad, "-o", tmp_path / "o.xlsx")
    assert code == 1 and message in stderr and "Traceback" not in stderr
    assert not (tmp_path / "o.xlsx").exists()


def test_result_of_another_service_is_refused(files: tuple[Path, Path], tmp_path: Path) -> None:
    other = make_result().model_copy(deep=True)
    data = other.model_dump()
    data["rota"]["sessions"][0]["room_id"] = "NOWHERE"
    bad = tmp_path / "other.json"
    bad.write_text(type(other).model_validate(data).model_dump_json(), encoding="utf-8")
    code, _, stderr = _run("export", "rota", files[0], bad, "-o", tmp_path / "o.xlsx")
    assert code == 1
    assert "does not belong to this input" in stderr
    assert "session R001: unknown room 'NOWHERE'" in stderr


def test_bad_cells_in_an_edited_workbook_are_listed(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    first = tmp_path / "rota.xlsx"
    assert _run("export", "rota", *files, "-o", first)[0] == 0
    wb = load_workbook(first)
    wb["Rota"]["I2"] = "Someday"
    wb["Rota"]["C3"] = "T99"
    wb.save(first)
    code, _, stderr = _run("export", "schools", files[0], first, "--out", tmp_path / "s")
    assert code == 1
    assert stderr.splitlines() == [
        "2 errors in the input:",
        "Rota row 2 (R001), Day: 'Someday' is not a day (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)",
        "Rota row 3 (R002), Therapist ID: unknown therapist 'T99'",
    ]
    assert not (tmp_path / "s").exists()


def test_export_therapists(files: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "therapists"
    code, stdout, _ = _run("export", "therapists", *files, "--out", out)
    assert code == 0
    assert stdout == f"Wrote 2 therapist workbooks and 2 calendars in {out}\n"
    assert sorted(p.name for p in out.iterdir()) == [
        "T01 Alex M.ics", "T01 Alex M.xlsx", "T02 Sam K.ics", "T02 Sam K.xlsx",
    ]  # fmt: skip
    ics = (out / "T01 Alex M.ics").read_text(encoding="utf-8")
    assert "SUMMARY:R001: music therapy" in ics and "A.B." not in ics
    # Again: refused without --force; with it, the calendars read back give the versions.
    code, _, stderr = _run("export", "therapists", *files, "--out", out)
    assert code == 1 and "already exists: use --force" in stderr
    code, _, _ = _run("export", "therapists", *files, "--out", out, "--force", "--initials")
    assert code == 0
    ics = (out / "T01 Alex M.ics").read_text(encoding="utf-8")
    assert "SUMMARY:A.B. (R001): music therapy" in ics and "SEQUENCE:1" in ics


def test_export_schools_with_funding_on_request(files: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "schools"
    assert _run("export", "schools", *files, "--out", out, "--show-funding")[0] == 0
    df = pd.read_excel(out / "Fenland Primary (FEN).xlsx", sheet_name="Sessions")
    assert list(df.Funding.dropna()) == ["Pupil Premium", "unspecified"]
