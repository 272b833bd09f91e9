"""``rota scenario run`` and ``rota scenario check`` end to end on a tiny service's workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from rota.cli import main
from rota.evaluate.check import check
from rota.io import read_problem
from rota.io.rota_sheet import read_rota_sheet
from rota.io.write import write_problem
from rota.models import Rate
from rota.scenarios.apply import apply_scenario
from rota.scenarios.spec import load_scenario
from tests.conftest import make_two_therapists_service

LEAVE = """\
name: leave
description: T2 on long-term leave
changes:
  - op: remove_therapist
    therapist_id: T2
"""
BROKEN = """\
name: broken
changes:
  - op: close_room
    room_id: CAM-9
"""


@pytest.fixture
def service(tmp_path: Path) -> Path:
    """The two-therapist service with a term and a rate, as an input workbook."""
    base = make_two_therapists_service()
    settings = base.settings.model_copy(
        update={"term_start": dt.date(2027, 1, 4), "term_end": dt.date(2027, 3, 26)}
    )
    problem = base.model_copy(
        update={
            "settings": settings,
            "rates": (Rate(effective_from=dt.date(2026, 9, 1), hourly_rate=60.0),),
        }
    )
    path = tmp_path / "base.xlsx"
    write_problem(problem, path)
    (tmp_path / "leave.yaml").write_text(LEAVE)
    (tmp_path / "broken.yaml").write_text(BROKEN)
    return path


def _compare(path: Path) -> dict[str, list[Any]]:
    ws = load_workbook(path)["Compare"]
    return {str(row[0]): list(row[1:]) for row in ws.iter_rows(values_only=True) if row[0]}


def _assert_rotas_pass_the_checker(path: Path) -> None:
    """Every run's rota was checked after its solve; a broken rule would be a note in Compare."""
    cells = [str(r[0]) for r in load_workbook(path)["Compare"].iter_rows(values_only=True)]
    assert not [c for c in cells if "hard rule" in c]


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(main, ["scenario", *args], catch_exceptions=False)


def test_run_writes_comparison_and_rotas_that_pass_the_checker(service: Path) -> None:
    d = service.parent
    result = _invoke(
        "run",
        str(service),
        str(d / "leave.yaml"),
        str(d / "broken.yaml"),
        "--sweep",
        "admin_minutes=15",
        "-o",
        str(d / "compare.xlsx"),
        "--time-limit",
        "3",
        "--jobs",
        "1",
        "--out-dir",
        str(d / "rotas"),
    )
    # broken.yaml is reported and left out; the others still run: exit 1 all the same.
    assert result.exit_code == 1
    assert "broken.yaml: changes[0] (close_room) room_id: unknown room 'CAM-9'" in result.output
    assert "[leave] finished: " in result.output
    assert "Not compared: broken" in result.output

    wb = load_workbook(d / "compare.xlsx")
    assert wb.sheetnames == [
        "Compare",
        "Therapists",
        "Changes leave",
        "Changes admin_minutes=15",
        "Rota base",
        "Rota leave",
        "Rota admin_minutes=15",
    ]
    compare = _compare(d / "compare.xlsx")
    assert compare["Figure"] == [
        "base",
        "leave",
        "admin_minutes=15",
        "leave vs base",
        "admin_minutes=15 vs base",
    ]
    assert compare["Changes"][:3] == [None, "remove therapist T2", "admin_minutes = 15"]
    base_problem = read_problem(service)
    problems = {
        "base": base_problem,
        "leave": apply_scenario(base_problem, load_scenario(d / "leave.yaml")),
        "admin_minutes=15": base_problem.model_copy(
            update={"settings": base_problem.settings.model_copy(update={"admin_minutes": 15})}
        ),
    }
    for col, (name, problem) in enumerate(problems.items()):
        rota, _warnings = read_rota_sheet(problem, d / "rotas" / f"{name}.xlsx")
        assert check(problem, rota) == []
        scheduled = len(rota.sessions)
        assert compare["Scheduled"][col] == scheduled
        assert compare["Unscheduled"][col] == len(problem.referrals) - scheduled
        # The term's cost is the sum of the Rota sheet's per-row shares.
        rota_ws = wb[f"Rota {name}"]
        heads = [c.value for c in rota_ws[1]]
        costs = [
            float(str(row[heads.index("Term cost")]))
            for row in rota_ws.iter_rows(min_row=2, values_only=True)
        ]
        assert compare["Term cost (£)"][col] == pytest.approx(sum(costs), abs=0.011)
    # Therapists: sessions per run add up to the Rota sheet's rows (one per therapist per
    # session); T2, on leave, has no figures in that run.
    therapists = list(wb["Therapists"].iter_rows(values_only=True))
    heads = list(therapists[0])
    assert heads[:2] == ["Therapist ID", "Therapist"]
    for name in problems:
        col = heads.index(f"{name} sessions")
        rota_rows = wb[f"Rota {name}"].max_row - 1
        assert sum(int(str(r[col] or 0)) for r in therapists[1:]) == rota_rows
    t2 = next(r for r in therapists[1:] if r[0] == "T2")
    assert t2[heads.index("leave sessions")] is None
    assert t2[heads.index("leave travel minutes")] is None
    # Differences from the base.
    assert compare["Scheduled"][3] == compare["Scheduled"][1] - compare["Scheduled"][0]
    assert compare["Travel minutes per week"][4] == (
        compare["Travel minutes per week"][2] - compare["Travel minutes per week"][0]
    )
    # Without T2 the drama referral R4 (needs VIG) and the co-facilitated R3 cannot be placed.
    leave_ws = wb["Rota leave"]
    leave_ids = {row[0] for row in leave_ws.iter_rows(min_row=2, values_only=True)}
    assert not {"R3", "R4"} & leave_ids
    changes = [row for row in wb["Changes leave"].iter_rows(min_row=2, values_only=True)]
    base_ids = {row[0] for row in wb["Rota base"].iter_rows(min_row=2, values_only=True)}
    lost = {row[0] for row in changes if row[2] == "became unscheduled"}
    assert lost == base_ids - leave_ids
    notes = [row[0] for row in wb["Compare"].iter_rows(values_only=True) if row[0]]
    assert "broken: not compared:" in notes


def test_run_all_good_exits_0_and_refuses_to_overwrite(service: Path) -> None:
    d = service.parent
    out = d / "compare.xlsx"
    args = ["run", str(service), str(d / "leave.yaml"), "-o", str(out), "--time-limit", "2"]
    result = _invoke(*args, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output
    _assert_rotas_pass_the_checker(out)
    again = _invoke(*args)
    assert again.exit_code == 1
    assert "already exists: use --force" in again.output


def test_run_in_parallel_processes(service: Path) -> None:
    d = service.parent
    result = _invoke(
        "run",
        str(service),
        "--sweep",
        "admin_minutes=5,15",
        "-o",
        str(d / "c.xlsx"),
        "--time-limit",
        "2",
        "--jobs",
        "2",
    )
    assert result.exit_code == 0, result.output
    assert "Solving 3 run(s), 2 at a time, 1 worker(s) each" in result.output
    _assert_rotas_pass_the_checker(d / "c.xlsx")
    compare = _compare(d / "c.xlsx")
    assert compare["Figure"][:3] == ["base", "admin_minutes=5", "admin_minutes=15"]
    assert all(s in ("OPTIMAL", "FEASIBLE") for s in compare["Solver status"][:3])


def test_bad_base_and_bad_sweep_are_plain_messages(tmp_path: Path, service: Path) -> None:
    missing = _invoke(
        "run",
        str(tmp_path / "nope.xlsx"),
        "--sweep",
        "admin_minutes=5",
        "-o",
        str(tmp_path / "c.xlsx"),
    )
    assert missing.exit_code == 1
    assert "nope.xlsx" in missing.output and "Traceback" not in missing.output
    bad = _invoke("run", str(service), "--sweep", "admin=5", "-o", str(tmp_path / "c.xlsx"))
    assert bad.exit_code == 1
    assert "--sweep 'admin=5': unknown setting 'admin'" in bad.output
    assert not (tmp_path / "c.xlsx").exists()


def test_check_applies_without_solving(service: Path) -> None:
    d = service.parent
    ok = _invoke("check", str(service), str(d / "leave.yaml"))
    assert ok.exit_code == 0
    assert ok.output == "leave: ok (1 therapists, 5 referrals, 3 rooms)\n"
    bad = _invoke("check", str(service), str(d / "leave.yaml"), str(d / "broken.yaml"))
    assert bad.exit_code == 1
    assert bad.output.splitlines()[1:] == [
        "1 error(s) in the scenarios:",
        "broken.yaml: changes[0] (close_room) room_id: unknown room 'CAM-9' "
        "(did you mean 'CAM-1'?)",
    ]


def test_from_base_gives_scenarios_the_base_rota(service: Path) -> None:
    d = service.parent
    result = _invoke(
        "run",
        str(service),
        str(d / "leave.yaml"),
        "--sweep",
        "admin_minutes=10",  # the base's own value: nothing should move
        "--from-base",
        "-o",
        str(d / "c.xlsx"),
        "--time-limit",
        "3",
        "--jobs",
        "1",
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # The base finishes before any scenario starts.
    assert (
        lines.index("[base] started")
        < min(i for i, line in enumerate(lines) if line.startswith("[base] finished"))
        < lines.index("[leave] started")
    )
    _assert_rotas_pass_the_checker(d / "c.xlsx")
    wb = load_workbook(d / "c.xlsx")
    same = list(wb["Changes admin_minutes=10"].iter_rows(min_row=2, values_only=True))
    assert same == [("No session changed.", None, None, None, None)]
    base_rows = {r[0]: r for r in wb["Rota base"].iter_rows(min_row=2, values_only=True)}
    leave_rows = {r[0]: r for r in wb["Rota leave"].iter_rows(min_row=2, values_only=True)}
    # T1's sessions that T2's leave does not touch stay where they were.
    for rid, row in base_rows.items():
        if row[2] == "T1" and rid in leave_rows and rid not in ("R3",):
            assert leave_rows[rid][2:11] == row[2:11]


def test_apply_writes_the_changed_input_and_leaves_the_base(service: Path) -> None:
    d = service.parent
    before = service.read_bytes()
    result = _invoke("apply", str(service), str(d / "leave.yaml"), "-o", str(d / "leave.xlsx"))
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"Wrote {d / 'leave.xlsx'}: leave (1 therapists, 5 referrals, 3 rooms)\n"
    )
    assert service.read_bytes() == before
    changed = read_problem(d / "leave.xlsx")
    assert changed == apply_scenario(read_problem(service), load_scenario(d / "leave.yaml"))
    bad = _invoke("apply", str(service), str(d / "broken.yaml"), "-o", str(d / "b.xlsx"))
    assert bad.exit_code == 1
    assert "unknown room 'CAM-9'" in bad.output and not (d / "b.xlsx").exists()


def test_from_base_is_the_default_and_fresh_plans_from_scratch(service: Path) -> None:
    d = service.parent
    common = ["-o", str(d / "c.xlsx"), "--time-limit", "2", "--force"]
    default = _invoke("run", str(service), str(d / "leave.yaml"), *common, "--jobs", "2")
    assert default.exit_code == 0, default.output
    lines = default.output.splitlines()
    base_done = min(i for i, line in enumerate(lines) if line.startswith("[base] finished"))
    assert base_done < lines.index("[leave] started")

    fresh = _invoke("run", str(service), str(d / "leave.yaml"), *common, "--jobs", "2", "--fresh")
    assert fresh.exit_code == 0, fresh.output
    lines = fresh.output.splitlines()
    base_done = min(i for i, line in enumerate(lines) if line.startswith("[base] finished"))
    assert lines.index("[leave] started") < base_done  # both solved at once, not from the base
    _assert_rotas_pass_the_checker(d / "c.xlsx")
