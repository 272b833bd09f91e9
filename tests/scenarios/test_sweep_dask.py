"""Sweeps on a Dask LocalCluster of 2 workers: a 12-run sweep of the small demo whose every rota
passes ``rota check``, and a worker killed mid-sweep whose lost run is retried elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from rota.cli import main
from rota.evaluate.check import check
from rota.scenarios.sweep.executors import DaskCluster
from rota.scenarios.sweep.runner import SweepSettings, run_sweep
from rota.scenarios.sweep.spec import load_sweep
from rota.scenarios.sweep.task import run_problem
from tests.scenarios.sweep_solvers import MARKERS, crash_once_solver

pytest.importorskip("distributed", reason="Dask is the optional rota[dask] extra")

SWEEP = """\
name: small demo
base: small.xlsx
time_limit: 1
axes:
  hire: {like: T004, base: CAM, count: [0, 1, 2]}
  admin_minutes: [10, 15]
  seed: [0, 1]
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo service, as ``rota generate --size small`` writes it."""
    folder = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(
        main, ["generate", "--size", "small", "-o", str(folder / "small.xlsx")]
    )
    assert result.exit_code == 0, result.output
    return folder


def test_twelve_runs_on_a_local_cluster_every_rota_passes_rota_check(demo: Path) -> None:
    (demo / "sweep.yaml").write_text(SWEEP)
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "sweep",
            str(demo / "sweep.yaml"),
            "-o",
            str(demo / "sweep.xlsx"),
            "--dask",
            "local",
            "--parallel",
            "2",
            "--out-dir",
            str(demo / "runs"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "on Dask LocalCluster of 2 worker processes, 2 at a time" in result.output
    assert "Dask dashboard: http://127.0.0.1:" in result.output
    finished = [line for line in result.output.splitlines() if line.startswith("[")]
    assert finished[0].startswith("[base]: ")  # runs re-plan from the base rota by default
    assert sorted(int(line[1:].split("/")[0]) for line in finished[1:]) == list(range(1, 13))
    for number in range(1, 13):
        check = runner.invoke(
            main,
            [
                "check",
                str(demo / f"runs/run-{number:03d}-input.xlsx"),
                str(demo / f"runs/run-{number:03d}.xlsx"),
            ],
        )
        assert check.exit_code == 0, (number, check.output)
        assert check.output.startswith("OK: ")
    wb = load_workbook(demo / "sweep.xlsx")
    rows = list(wb["Runs"].iter_rows(values_only=True))
    head = rows[0]
    assert head[:5] == ("run", "hire", "admin_minutes", "seed", "planned")
    assert len(rows) == 13
    status = head.index("status")
    assert all(r[status] in ("OPTIMAL", "FEASIBLE", "TIME_LIMIT") for r in rows[1:])
    assert [r[1] for r in rows[1:]] == [0] * 4 + [1] * 4 + [2] * 4
    hired = load_workbook(demo / "runs/run-012-input.xlsx")["Therapists"]
    ids = [row[0] for row in hired.iter_rows(min_row=2, values_only=True)]
    assert "H1-T004-CAM" in ids and "H2-T004-CAM" in ids
    assert {"Summary", "By hire", "By admin_minutes", "Plots", "About"} <= set(wb.sheetnames)
    assert (demo / "sweep-hire.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (demo / "sweep-admin_minutes.png").exists()


def test_a_worker_killed_mid_sweep_its_run_is_retried_and_the_sweep_finishes(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    monkeypatch.setenv(MARKERS, str(markers))  # before the cluster's processes start
    (demo / "kill.yaml").write_text(
        "base: small.xlsx\ntime_limit: 1\nplan: fresh\naxes:\n  admin_minutes: [10, 15]\n"
        "  seed: [0, 1, 2]\n"
    )
    sweep = load_sweep(demo / "kill.yaml")
    executor = DaskCluster("local", workers=2)
    try:
        pids_before = set(executor.client.run(_pid).values())
        outcome = run_sweep(
            sweep,
            sweep.runs(),
            executor,
            SweepSettings(time_limit=1, workers=1, repeatable=False, timeout=120),
            solver=crash_once_solver,
        )
        pids_after = set(executor.client.run(_pid).values())
    finally:
        executor.close()
    died = int((markers / "seed-1").read_text())
    assert died in pids_before and died not in pids_after  # that worker process is gone
    assert all(r.ok for r in outcome.records), [r.error for r in outcome.records]
    assert len(outcome.records) == 6
    for record in outcome.records:
        assert record.result is not None and record.result.violations == ()
        assert record.run is not None
        problem = run_problem(sweep.base, record.run.scenario, None)
        assert check(problem, record.result.result.rota) == []
        if record.run is not None and record.run.seed == 1:
            # The run that was lost with its worker was solved again by another process.
            assert not record.result.worker.endswith(f":{died}")


def _pid() -> int:
    import os

    return os.getpid()
