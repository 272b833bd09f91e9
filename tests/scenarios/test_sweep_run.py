"""Sweeps solved for real on local processes: failures, time-outs and lost workers are recorded
or retried without stopping the sweep; a rerun reuses the cache; text stays text."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from rota.cli import main
from rota.evaluate.check import check
from rota.io.write import write_problem
from rota.scenarios.sweep.executors import LocalProcesses, check_address, make_executor
from rota.scenarios.sweep.runner import SweepOutcome, SweepSettings, run_sweep
from rota.scenarios.sweep.spec import SweepError, load_sweep
from rota.scenarios.sweep.task import run_problem
from tests.conftest import make_two_therapists_service
from tests.scenarios.sweep_solvers import (
    MARKERS,
    crash_once_solver,
    failing_solver,
    hanging_solver,
)

SEEDS = "base: base.yaml\ntime_limit: 1\nplan: fresh\naxes:\n  seed: [0, 1, 2]\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write_problem(make_two_therapists_service(), tmp_path / "base.yaml")
    return tmp_path


def _run(folder: Path, text: str, solver: object, **settings: float) -> SweepOutcome:
    (folder / "sweep.yaml").write_text(text)
    sweep = load_sweep(folder / "sweep.yaml")
    executor = LocalProcesses(2)
    options = {"time_limit": 1.0, "workers": 1, "repeatable": False, "timeout": 60.0, **settings}
    try:
        return run_sweep(
            sweep,
            sweep.runs(),
            executor,
            SweepSettings(**options),
            solver=solver,  # type: ignore[arg-type]
        )
    finally:
        executor.close()


def _assert_checked(outcome: SweepOutcome) -> None:
    """Every finished run's rota keeps every hard rule of its own Problem."""
    base = outcome.base.result.result.rota if outcome.base and outcome.base.result else None
    for record in outcome.records:
        if record.ok:
            assert record.run is not None and record.result is not None
            problem = run_problem(
                outcome.sweep.base,
                record.run.scenario,
                base if record.run.plan == "from-base" else None,
            )
            assert check(problem, record.result.result.rota) == []


def test_a_failing_run_is_recorded_and_the_others_finish(folder: Path) -> None:
    outcome = _run(folder, SEEDS, failing_solver)
    by_seed = {r.run.seed: r for r in outcome.records if r.run}
    assert by_seed[1].error == "the solve failed: RuntimeError: solver crashed"
    assert by_seed[0].ok and by_seed[2].ok
    _assert_checked(outcome)


def test_a_hung_run_times_out_and_the_others_finish(folder: Path) -> None:
    outcome = _run(folder, SEEDS, hanging_solver, timeout=6.0, watchdog_grace=1.0)
    by_seed = {r.run.seed: r for r in outcome.records if r.run}
    assert by_seed[1].timed_out
    assert by_seed[1].error == "timed out: no result within 6 s (time limit 1 s)"
    assert by_seed[0].ok and by_seed[2].ok
    _assert_checked(outcome)


def test_a_worker_process_that_dies_loses_its_runs_and_they_run_again(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    monkeypatch.setenv(MARKERS, str(markers))
    outcome = _run(folder, SEEDS, crash_once_solver)
    died = int((markers / "seed-1").read_text())
    assert all(r.ok for r in outcome.records), [r.error for r in outcome.records]
    crashed = next(r for r in outcome.records if r.run and r.run.seed == 1)
    assert crashed.lost >= 1
    assert crashed.result is not None and not crashed.result.worker.endswith(f":{died}")
    _assert_checked(outcome)


def _sweep_cli(folder: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        [
            "sweep",
            str(folder / "sweep.yaml"),
            "-o",
            str(folder / "out.xlsx"),
            "--parallel",
            "2",
            *extra,
        ],
    )
    return result.exit_code, result.output


def _from_cache(folder: Path) -> dict[str, str]:
    ws = load_workbook(folder / "out.xlsx")["Runs"]
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[0])
    # Each worker checked its rota with the independent checker: no run reports a problem.
    assert [r[head.index("problem")] for r in rows[1:]] == [None] * (len(rows) - 1)
    label, cached = head.index("admin_minutes"), head.index("from cache")
    seed = head.index("seed")
    return {f"{r[label]}/{r[seed]}": str(r[cached]) for r in rows[1:]}


def test_a_second_run_of_the_same_sweep_reuses_the_cache(folder: Path) -> None:
    sweep = (
        "base: base.yaml\ntime_limit: 0.2\nplan: fresh\naxes:\n  admin_minutes: [{}]\n"
        "  seed: [0, 1]\n"
    )
    (folder / "sweep.yaml").write_text(sweep.replace("{}", "10, 15"))
    code, first = _sweep_cli(folder, "--repeatable")
    assert code == 0, first
    assert set(_from_cache(folder).values()) == {"no"}
    assert (folder / "out-cache").is_dir() and len(list((folder / "out-cache").iterdir())) == 4
    figures_before = list(load_workbook(folder / "out.xlsx")["Runs"].iter_rows(values_only=True))

    # The same sweep again, to the same output: nothing is solved (no --force needed).
    code, second = _sweep_cli(folder, "--repeatable")
    assert code == 0, second
    finished = [line for line in second.splitlines() if line.startswith("[")]
    assert len(finished) == 4 and all(line.endswith(", from the cache)") for line in finished)
    assert set(_from_cache(folder).values()) == {"yes"}
    figures_after = list(load_workbook(folder / "out.xlsx")["Runs"].iter_rows(values_only=True))
    placed = figures_before[0].index("placed")
    assert [r[placed] for r in figures_before] == [r[placed] for r in figures_after]

    # A changed axis: the runs it shares with the first sweep come from the cache.
    (folder / "sweep.yaml").write_text(sweep.replace("{}", "10, 20"))
    code, third = _sweep_cli(folder, "--repeatable")
    assert code == 0, third
    assert _from_cache(folder) == {"10/0": "yes", "10/1": "yes", "20/0": "no", "20/1": "no"}


def test_runs_that_are_not_repeatable_are_not_cached(folder: Path) -> None:
    (folder / "sweep.yaml").write_text(
        "base: base.yaml\ntime_limit: 0.5\nplan: fresh\naxes:\n  seed: [0]\n"
    )
    code, output = _sweep_cli(folder)
    assert code == 0, output
    assert "none is cached" in output
    assert not (folder / "out-cache").exists()
    code, output = _sweep_cli(folder)
    assert code == 1
    assert "already exists: use --force to replace it" in output


def test_text_that_looks_like_a_formula_stays_text(folder: Path) -> None:
    (folder / "=SUM(1,2).yaml").write_text("name: '@odd'\ndescription: '=1+1'\nchanges: []\n")
    (folder / "sweep.yaml").write_text(
        "name: '=HYPERLINK(\"x\")'\nbase: base.yaml\ntime_limit: 0.5\nplan: fresh\naxes:\n"
        "  scenario: [none, '=SUM(1,2).yaml']\n"
    )
    code, output = _sweep_cli(folder)
    assert code == 0, output
    wb = load_workbook(folder / "out.xlsx")
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    texts = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=")]
    assert {c.value for c in texts} >= {"=SUM(1,2)", '=HYPERLINK("x")'}
    assert all(c.data_type == "s" for c in texts)


def test_a_cluster_without_tls_is_refused_unless_allowed() -> None:
    for address in ("tcp://10.1.2.3:8786", "10.1.2.3:8786", "ws://host:8786"):
        with pytest.raises(SweepError) as info:
            make_executor(address, 2)
        assert "refusing to send children's data" in info.value.messages[0]
        assert "--allow-insecure" in info.value.messages[0]
    check_address("tls://host:8786", allow_insecure=False)
    check_address("tcp://host:8786", allow_insecure=True)


def test_cli_refuses_an_insecure_cluster(folder: Path) -> None:
    (folder / "sweep.yaml").write_text(SEEDS)
    code, output = _sweep_cli(folder, "--dask", "tcp://10.1.2.3:8786")
    assert code == 1
    assert output.startswith("error: --dask tcp://10.1.2.3:8786: refusing to send children's")


def test_ctrl_c_stops_the_sweep_and_keeps_what_finished(folder: Path) -> None:
    (folder / "sweep.yaml").write_text(
        "base: base.yaml\ntime_limit: 0.5\nplan: fresh\naxes:\n  seed: [0, 1, 2, 3, 4]\n"
    )
    sweep = load_sweep(folder / "sweep.yaml")

    def interrupt_after_the_first(line: str) -> None:
        if line.startswith("[1/5]") or line.startswith("[2/5]"):
            raise KeyboardInterrupt

    executor = LocalProcesses(2)
    try:
        outcome = run_sweep(
            sweep,
            sweep.runs(),
            executor,
            SweepSettings(time_limit=0.5, workers=1, repeatable=False, timeout=60),
            say=interrupt_after_the_first,
        )
    finally:
        executor.close()
    assert outcome.stopped
    finished = [r for r in outcome.records if r.ok]
    assert len(finished) == 1
    others = {r.error for r in outcome.records if not r.ok}
    assert others <= {
        "stopped before it finished (Ctrl-C)",
        "not run: the sweep was stopped (Ctrl-C)",
    }
    assert "not run: the sweep was stopped (Ctrl-C)" in others
    _assert_checked(outcome)
