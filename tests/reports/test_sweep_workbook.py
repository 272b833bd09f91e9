"""The sweep workbook and plots on made-up run results: rows, summary over seeds, pivots."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from rota.io.write import write_problem
from rota.models.result import Result
from rota.reports.sweep import write_sweep_workbook
from rota.reports.sweep_plots import sweep_plots
from rota.scenarios.sweep.runner import RunRecord, SweepOutcome, SweepSettings
from rota.scenarios.sweep.spec import load_sweep
from rota.scenarios.sweep.task import RunFigures, RunResult
from tests.conftest import make_two_therapists_service
from tests.reports.printing import workbook_print_problems

# placed and travel of each run: (hire, seed) -> (placed, travel)
FIGURES = {(0, 0): (3, 100), (0, 1): (4, 120), (1, 0): (5, 90), (1, 1): None}


def _result(placed: int, travel: int) -> RunResult:
    figures = RunFigures(
        status="FEASIBLE",
        referrals=5,
        placed=placed,
        placed_by_priority={1: placed},
        referrals_by_priority={1: 5},
        travel_minutes=travel,
        utilisation=0.5,
        continuity_kept=1,
        continuity_possible=2,
        term_cost=1000.0 * placed,
        objective=1.0,
        gap=None,
        solve_seconds=1.0,
    )
    return RunResult(figures=figures, result=Result(status="FEASIBLE"), worker="host:1")


@pytest.fixture
def outcome(tmp_path: Path) -> SweepOutcome:
    write_problem(make_two_therapists_service(), tmp_path / "base.yaml")
    (tmp_path / "sweep.yaml").write_text(
        "name: grid\nbase: base.yaml\nplan: fresh\naxes:\n  hire: {like: T1, count: [0, 1]}\n"
        "  seed: [0, 1]\n"
    )
    sweep = load_sweep(tmp_path / "sweep.yaml")
    records = []
    for run in sweep.runs():
        hire = int(run.value("hire").label)
        figures = FIGURES[(hire, run.seed)]
        if figures is None:
            records.append(RunRecord(run, error="the solve failed: RuntimeError: boom"))
        else:
            records.append(RunRecord(run, result=_result(*figures)))
    settings = SweepSettings(time_limit=5, workers=1, repeatable=False, timeout=60)
    return SweepOutcome(sweep, settings, records, None, "2 local processes", wall_seconds=3.0)


def test_runs_summary_and_pivot(outcome: SweepOutcome, tmp_path: Path) -> None:
    plots = sweep_plots(outcome)
    assert [p.axis for p in plots] == ["hire"]
    written = write_sweep_workbook(outcome, plots, tmp_path / "grid.xlsx")
    assert written == [tmp_path / "grid.xlsx", tmp_path / "grid-hire.png"]
    wb = load_workbook(tmp_path / "grid.xlsx")
    assert wb.sheetnames == ["Runs", "Summary", "By hire", "Plots", "About"]

    runs = list(wb["Runs"].iter_rows(values_only=True))
    head = runs[0]
    col = {name: head.index(name) for name in head}
    assert head[:5] == ("run", "hire", "seed", "planned", "status")
    last = runs[4]
    assert (last[col["hire"]], last[col["seed"]], last[col["status"]]) == (1, 1, "FAILED")
    assert last[col["problem"]] == "the solve failed: RuntimeError: boom"
    assert runs[1][col["placed"]] == 3 and runs[1][col["cost per placed referral"]] == 1000
    assert runs[1][col["planned"]] == "from scratch"

    summary = list(wb["Summary"].iter_rows(values_only=True))
    s = {name: summary[0].index(name) for name in summary[0]}
    hire0, hire1 = summary[1], summary[2]
    assert (hire0[s["hire"]], hire0[s["runs"]], hire0[s["failed"]]) == (0, 2, 0)
    assert hire0[s["Referrals placed: mean"]] == 3.5
    assert (hire0[s["Referrals placed: least"]], hire0[s["Referrals placed: most"]]) == (3, 4)
    assert hire0[s["Travel minutes per week: mean"]] == 110
    assert (hire1[s["runs"]], hire1[s["failed"]], hire1[s["Referrals placed: mean"]]) == (2, 1, 5)

    pivot = list(wb["By hire"].iter_rows(values_only=True))
    assert pivot[0][0] == "Referrals placed, mean of the runs"
    assert pivot[1][:2] == ("hire", "all runs")
    assert pivot[2][:2] == (0, 3.5) and pivot[3][:2] == (1, 5)

    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True)}
    assert about["Runs"] == 4 and about["Finished"] == 3 and about["Failed or timed out"] == 1
    assert (tmp_path / "grid-hire.png").read_bytes()[:4] == b"\x89PNG"


def test_every_sheet_prints(outcome: SweepOutcome, tmp_path: Path) -> None:
    write_sweep_workbook(outcome, sweep_plots(outcome), tmp_path / "grid.xlsx")
    term = make_two_therapists_service().settings.term_name
    assert workbook_print_problems(tmp_path / "grid.xlsx", term) == {}
    footer = load_workbook(tmp_path / "grid.xlsx")["Runs"].oddFooter.left.text
    assert footer == f"Sweep grid: {term}"
