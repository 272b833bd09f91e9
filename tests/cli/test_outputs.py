"""Unsafe outputs are refused before any solving; exit codes as the README lists them."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rota.cli import main
from rota.io.write import write_problem
from rota.reports.atomic import TEMP_DIR_NAME, run_of
from tests.conftest import make_two_therapists_service

SOLVING = "solving "  # the line printed when the search starts


def _input(tmp_path: Path) -> Path:
    path = tmp_path / "service.xlsx"
    write_problem(make_two_therapists_service(), path)
    return path


def _solve(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["solve", *map(str, args), "--time-limit", "3", "--workers", "1", "--quiet"]
    )
    return result.exit_code, result.output


@pytest.mark.parametrize("force", [False, True])
def test_output_that_is_the_input_is_refused_even_with_force(tmp_path: Path, force: bool) -> None:
    src = _input(tmp_path)
    before = src.read_bytes()
    link = tmp_path / "same.xlsx"
    os.link(src, link)  # another name for the same file (same inode)
    for target in (src, link):
        code, out = _solve(src, "-o", target, *(["--force"] if force else []))
        assert code == 1
        assert "is also an input of this run" in out
        assert SOLVING not in out
    assert src.read_bytes() == before


def test_previous_rota_is_an_input_too(tmp_path: Path) -> None:
    src = _input(tmp_path)
    rota = tmp_path / "rota.xlsx"
    assert _solve(src, "-o", rota)[0] == 0
    code, out = _solve(src, "--previous", rota, "-o", rota, "--force")
    assert code == 1 and "is also an input of this run" in out


def test_bad_output_paths_fail_before_the_solve(tmp_path: Path) -> None:
    src = _input(tmp_path)
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    cases = {
        "schools folder is a file": ["-o", tmp_path / "r.xlsx", "--schools", a_file],
        "output inside a file": ["-o", a_file / "r.xlsx"],
        "output is a folder": ["-o", tmp_path],
        "name too long": ["-o", tmp_path / ("x" * 300 + ".xlsx")],
    }
    for what, args in cases.items():
        code, out = _solve(src, *args)
        assert code == 1, what
        assert out.startswith("error: ") and SOLVING not in out, (what, out)


def test_read_only_folder_fails_before_the_solve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = _input(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.geteuid() == 0:  # root may write in any folder: the system answers as for a user
        real = os.access

        def access(path: Any, mode: int, **kw: Any) -> bool:
            if Path(path) == locked and mode & os.W_OK:
                return False
            return real(path, mode, **kw)

        monkeypatch.setattr(os, "access", access)
    code, out = _solve(src, "-o", locked / "rota.xlsx")
    assert code == 1 and "read-only" in out and SOLVING not in out


def test_a_workbook_open_in_excel_is_named_before_the_solve(tmp_path: Path) -> None:
    src = _input(tmp_path)
    rota = tmp_path / "rota.xlsx"
    rota.write_bytes(b"an old rota")
    (tmp_path / "~$rota.xlsx").write_bytes(b"owner")  # what Excel leaves beside an open file
    code, out = _solve(src, "-o", rota, "--force")
    assert code == 1
    assert f"{rota} is open in Excel (~$rota.xlsx is beside it)" in out
    assert SOLVING not in out and rota.read_bytes() == b"an old rota"


def test_long_site_names_and_ids_give_short_school_files(tmp_path: Path) -> None:
    problem = make_two_therapists_service()
    sites = tuple(
        s.model_copy(update={"name": "N" * 260 + str(i)}) for i, s in enumerate(problem.sites)
    )
    src = tmp_path / "long.xlsx"
    write_problem(problem.model_copy(update={"sites": sites}), src)
    code, out = _solve(src, "-o", tmp_path / "rota.xlsx", "--schools", tmp_path / "schools")
    assert code == 0, out
    names = [p.name for p in (tmp_path / "schools").glob("*.xlsx")]
    assert len(names) == 3 and all(len(n.encode()) <= 255 for n in names)


def test_school_files_are_stamped_and_the_previous_run_is_removed(tmp_path: Path) -> None:
    src = _input(tmp_path)
    schools = tmp_path / "schools"
    schools.mkdir()
    mine = schools / "notes.xlsx"  # not rota's: never touched
    with zipfile.ZipFile(mine, "w") as zf:
        zf.writestr("x.txt", "mine")
    assert _solve(src, "-o", tmp_path / "rota.xlsx", "--schools", schools)[0] == 0
    first = {p.name: run_of(p) for p in schools.glob("*.xlsx") if p != mine}
    assert len(first) == 3 and len(set(first.values())) == 1
    stale = schools / "Old School (OLD).xlsx"
    (schools / next(iter(first))).rename(stale)  # a school that no longer has sessions
    code, out = _solve(src, "-o", tmp_path / "rota.xlsx", "--schools", schools, "--force")
    assert code == 0, out
    second = {p.name: run_of(p) for p in schools.glob("*.xlsx") if p != mine}
    assert set(second) == set(first) and not stale.exists()
    assert len(set(second.values())) == 1 and set(second.values()) != set(first.values())
    assert mine.exists()
    assert not (schools / TEMP_DIR_NAME).exists()


def test_internal_error_exits_3_with_a_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rota.cli.solving as solving

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(solving, "solve", broken)
    monkeypatch.setenv("ROTA_LOG_DIR", str(tmp_path / "logs"))
    src = _input(tmp_path)
    code, out = _solve(src, "-o", tmp_path / "rota.xlsx")
    assert code == 3
    (log,) = (tmp_path / "logs").glob("rota-*.log")
    assert out.strip().splitlines()[-1].endswith(str(log))
    assert "Traceback" not in out and "RuntimeError: a bug" in log.read_text()
    assert not (tmp_path / "rota.xlsx").exists()


def test_check_exits_1_when_rota_and_unscheduled_disagree(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    src = _input(tmp_path)
    rota = tmp_path / "rota.xlsx"
    assert _solve(src, "-o", rota)[0] == 0
    wb = load_workbook(rota)
    ws = wb["Unscheduled"]
    rid = wb["Rota"]["A2"].value
    ws.append([rid, "", "", "", 3, "kept back by hand"])
    wb.save(rota)
    result = CliRunner().invoke(main, ["check", str(src), str(rota)])
    assert result.exit_code == 1
    assert f"Rota row 2: scheduled-and-unscheduled: {rid} is listed as unscheduled" in result.output


def test_a_previous_rota_naming_discharged_referrals_is_used_with_a_warning(
    tmp_path: Path,
) -> None:
    src = _input(tmp_path)
    rota = tmp_path / "rota.xlsx"
    assert _solve(src, "-o", rota)[0] == 0
    problem = make_two_therapists_service()
    fewer = tmp_path / "fewer.xlsx"
    write_problem(problem.model_copy(update={"referrals": problem.referrals[1:]}), fewer)
    code, out = _solve(fewer, "--previous", rota, "-o", tmp_path / "next.xlsx")
    assert code == 0, out
    assert "Referral ID: unknown referral 'R1'" in out and "(row ignored)" in out
