"""rota template / validate / generate, end to end on real files with click's CliRunner."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from click.testing import CliRunner

from rota.cli import main
from rota.io import read_problem
from rota.io.template import example_problem
from rota.io.write import write_problem
from rota.models import TravelOverride

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.stdout, result.stderr


def test_template_then_validate(tmp_path: Path) -> None:
    path = tmp_path / "service.xlsx"
    code, out, _ = run("template", str(path))
    assert code == 0 and "rota validate" in out
    code, out, err = run("validate", str(path))
    assert code == 0, err
    assert f"{path}: valid" in out
    assert "Sites: 2 (clinic 2)" in out
    assert "Referrals: 1 (music 1)" in out
    assert "by priority: 1: 0, 2: 0, 3: 1, 4: 0, 5: 0" in out
    assert "No warnings." in out


def test_template_refuses_existing_file_without_force(tmp_path: Path) -> None:
    path = tmp_path / "service.xlsx"
    path.write_bytes(b"keep me")
    code, _, err = run("template", str(path))
    assert code == 1
    assert "already exists: use --force" in err
    assert path.read_bytes() == b"keep me"
    code, _, _ = run("template", str(path), "--force")
    assert code == 0 and read_problem(path).referrals[0].referral_id == "R0001"


def test_template_needs_xlsx_name(tmp_path: Path) -> None:
    code, _, err = run("template", str(tmp_path / "service.yaml"))
    assert code == 1 and "name it .xlsx" in err


def test_validate_lists_every_error_on_stderr_and_leaves_input_alone(tmp_path: Path) -> None:
    path = tmp_path / "several.xlsx"
    shutil.copy(BAD / "several_errors.xlsx", path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    code, out, err = run("validate", str(path))
    assert code == 1
    assert out == ""
    expected = [
        line
        for line in (BAD / "several_errors.expected").read_text().splitlines()
        if not line.startswith("warning: ")
    ]
    assert err.splitlines() == [f"{len(expected)} errors in the input:", *expected]
    assert "Traceback" not in err
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["several.xlsx"]


def test_validate_prints_located_warnings(tmp_path: Path) -> None:
    problem = example_problem()
    long = problem.referrals[0].model_copy(update={"minutes": 60})
    path = tmp_path / "long.xlsx"
    write_problem(problem.model_copy(update={"referrals": (long,)}), path)
    code, out, err = run("validate", str(path))
    assert code == 0, err
    assert "1 warning:" in out
    assert "  warning: Referrals row 2 (R0001), minutes: 60 minutes is outside the usual 30-45" in (
        out
    )


def test_validate_reports_the_drives_between_sites(tmp_path: Path) -> None:
    """A workbook round trip: the drives' summary and the located warnings for one place
    entered twice and a Travel row that cannot be right; warnings do not fail validate."""
    problem = example_problem()
    cam, hun = problem.sites
    twin = cam.model_copy(
        update={"site_id": "CAM-TWIN", "name": "Cambridge clinic annexe", "latitude": 52.2058}
    )
    typo = TravelOverride(from_site_id="HUN-CLINIC", to_site_id="CAM-TWIN", minutes=3)
    path = tmp_path / "drives.xlsx"
    write_problem(
        problem.model_copy(update={"sites": (cam, hun, twin), "travel": (*problem.travel, typo)}),
        path,
    )
    code, out, err = run("validate", str(path))
    assert code == 0, err
    assert "Drives between sites (2 measured in Travel, the rest estimated):" in out
    assert "  longest: 35 minutes, Cambridge clinic (CAM-CLINIC) to Huntingdon clinic" in out
    assert "  shortest: 1 minute, Cambridge clinic (CAM-CLINIC) to Cambridge clinic annexe" in out
    assert "  sites closer than 200 m to another site: 1 (see the warnings)" in out
    assert "  Travel rows that do not fit the distance: 1 (see the warnings)" in out
    assert "2 warnings:" in out
    assert (
        "  warning: Sites row 4, latitude: Cambridge clinic annexe (CAM-TWIN) is 56 m from "
        "Cambridge clinic (CAM-CLINIC, Sites row 2): probably one place entered twice" in out
    )
    assert (
        "  warning: Travel row 3, minutes: 3 minutes for 24.9 km in a straight line means "
        "driving at over 499 km/h: check the minutes" in out
    )


def test_validate_summary_counts() -> None:
    code, out, _ = run("validate", str(BAD / "valid_base.xlsx"))
    assert code == 0
    assert "Referrals: 4 (music 2, drama 1, dance 1)" in out
    assert "groups: 1, co-facilitated: 0" in out
    assert "  music               70" in out  # 30 + 40 minutes of demand


def test_validate_bad_files_without_traceback(tmp_path: Path) -> None:
    for path, message in [
        (tmp_path / "missing.xlsx", "no such file"),
        (BAD / "not_a_workbook.xlsx", "is not an Excel workbook"),
        (tmp_path / "notes.txt", "unknown file type '.txt'"),
    ]:
        code, out, err = run("validate", str(path))
        assert code == 1, path
        assert message in err
        assert "Traceback" not in err


def test_generate_writes_and_summarises(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    code, out, err = run("generate", "--size", "small", "--seed", "7", "-o", str(path))
    assert code == 0, err
    problem = read_problem(path)
    assert f"Referrals: {len(problem.referrals)}" in out
    from rota.demo import generate_problem

    assert problem == generate_problem("small", 7)
    code, _, err = run("generate", "--seed", "7", "-o", str(path))
    assert code == 1 and "already exists" in err
    yaml_path = tmp_path / "demo.yaml"
    code, _, _ = run("generate", "--seed", "7", "-o", str(yaml_path))
    assert code == 0 and read_problem(yaml_path) == problem
    code, yaml_out, _ = run("validate", str(yaml_path))
    assert code == 0
    # The same summary and warnings, located by record path instead of row.
    assert yaml_out.splitlines()[1:3] == out.splitlines()[1:3]
    assert yaml_out.count("  warning: ") == out.count("  warning: ")


def test_generate_validates_its_options(tmp_path: Path) -> None:
    code, _, err = run("generate", "--size", "huge", "-o", str(tmp_path / "x.xlsx"))
    assert code == 2 and "huge" in err
    code, _, err = run("generate", "-o", str(tmp_path / "x.csv"))
    assert code == 1 and "use .xlsx, .yaml, .yml or .json" in err
