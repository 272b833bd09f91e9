"""Sweep benchmark: the same 24-run sweep of the county demo on 2 local processes and on a
2-worker Dask LocalCluster; wall time of each and the overhead per task.

``python -m bench.sweep`` runs ``examples/sweeps/hiring.yaml`` (4 hires x 2 admin minutes x 3
seeds, 30 s per run) both ways, checks every rota with the independent checker, and writes
``bench/results/sweep.json`` and the "Sweeps" section of ``bench/RESULTS.md``. ``--quick`` is a
smoke run (4 runs of 3 s). Overhead per task is measured two ways: the time from submitting a
run to having its result back, less the time the task spent inside the worker (transport,
scheduling, (de)serialisation); and the sweep's wall time less the ideal (the tasks' own time
spread over the workers), per run (which adds the starts of worker processes and idle slots).
Its service is ``examples/county.xlsx``, a fixed file written by demo generator 1
(``generate_problem("county", 1, version=1)``), so runs stay comparable with older commits'.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path
from typing import Any

import click

from bench.run import source_version
from bench.sections import marks, replace_section
from rota.evaluate.check import check
from rota.reports.atomic import write_atomic
from rota.scenarios.sweep.executors import DaskCluster, LocalProcesses, RunExecutor
from rota.scenarios.sweep.runner import SweepOutcome, SweepSettings, run_sweep
from rota.scenarios.sweep.spec import load_sweep
from rota.scenarios.sweep.task import run_problem

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
SWEEP_FILE = ROOT / "examples" / "sweeps" / "hiring.yaml"
RESULTS = BENCH_DIR / "results" / "sweep.json"
MARK_START, MARK_END = marks("sweep")
#: A 500-run sweep on paper: machines of this many cores.
PAPER_RUNS, PAPER_CORES = 500, 8

Record = dict[str, Any]


def _executor(mode: str, workers: int) -> RunExecutor:
    return LocalProcesses(workers) if mode == "local" else DaskCluster("local", workers=workers)


def measure(
    mode: str, sweep_file: Path, time_limit: float, workers: int, limit: int | None
) -> tuple[Record, SweepOutcome]:
    """Run the sweep on one backend; the record of what it took."""
    sweep = load_sweep(sweep_file)
    runs = sweep.runs()[:limit] if limit else sweep.runs()
    settings = SweepSettings(
        time_limit=time_limit, workers=1, repeatable=False, timeout=1.5 * time_limit + 60
    )
    t0 = time.perf_counter()
    executor = _executor(mode, workers)
    started = time.perf_counter() - t0
    try:
        outcome = run_sweep(
            sweep,
            runs,
            executor,
            settings,
            say=lambda line: click.echo(f"  {mode}: {line}", err=True),
        )
    finally:
        t1 = time.perf_counter()
        executor.close()
        closed = time.perf_counter() - t1
    done = [r for r in outcome.records if r.ok and r.result is not None]
    task = [r.result.task_seconds for r in done if r.result]
    trips = [
        r.round_trip_seconds - r.result.task_seconds
        for r in done
        if r.result and r.round_trip_seconds is not None
    ]
    ideal = sum(task) / workers
    violations = sum(len(_violations(outcome, r)) for r in done)
    placed = [r.result.figures.placed for r in done if r.result]
    return {
        "mode": mode,
        "executor": outcome.executor,
        "runs": len(runs),
        "finished": len(done),
        "check_ok": violations == 0 and len(done) == len(runs),
        "violations": violations,
        "startup_seconds": round(started, 2),
        "sweep_wall_seconds": round(outcome.wall_seconds, 1),
        "close_seconds": round(closed, 2),
        "task_seconds_mean": round(sum(task) / max(1, len(task)), 2),
        "ideal_wall_seconds": round(ideal, 1),
        "overhead_per_task_round_trip_seconds": round(sum(trips) / max(1, len(trips)), 3),
        "overhead_per_task_wall_seconds": round(
            (outcome.wall_seconds - ideal) / max(1, len(done)) * workers, 2
        ),
        "placed_min": min(placed, default=None),
        "placed_max": max(placed, default=None),
        "result_bytes_mean": round(
            sum(len(r.result.model_dump_json()) for r in done if r.result) / max(1, len(done))
        ),
    }, outcome


def _violations(outcome: SweepOutcome, record: Any) -> list[Any]:
    problem = run_problem(outcome.sweep.base, record.run.scenario, None)
    return check(problem, record.result.result.rota)


def problem_kb() -> float:
    """Size of the county's base Problem as the JSON each worker receives once."""
    return len(load_sweep(SWEEP_FILE).base.model_dump_json()) / 1000


def paper_paragraph(records: list[Record], base_kb: float) -> str:
    """How a 500-run sweep would be placed on N machines, from the measured figures."""
    dask = next((r for r in records if r["mode"] == "dask"), records[-1])
    trip = max(0.0, dask["overhead_per_task_round_trip_seconds"])
    per_run = dask["task_seconds_mean"] + trip
    result_kb = dask["result_bytes_mean"] / 1000
    rows = []
    for machines in (1, 4, 10, 25):
        slots = machines * PAPER_CORES
        rounds = -(-PAPER_RUNS // slots)
        rows.append(
            f"{machines} machine{'s' if machines > 1 else ''}: {slots} runs at once, "
            f"{rounds} round{'s' if rounds > 1 else ''}, about {rounds * per_run / 60:.1f} min"
        )
    return (
        f"On paper, a {PAPER_RUNS}-run sweep of the county at the same limit (about "
        f"{per_run:.0f} s a run, task time plus the measured Dask overhead) on N machines of "
        f"{PAPER_CORES} cores: one Dask scheduler (the planner's machine or a small VM, "
        f"`dask scheduler --tls-...`), and on each machine `dask worker tls://scheduler:8786 "
        f"--nworkers {PAPER_CORES} --nthreads 1` (one process per core: a run's local search "
        f"is Python, so runs sharing a process would share its interpreter lock); "
        f"`rota sweep ... --dask tls://scheduler:8786` then "
        f"keeps exactly one run per worker thread busy. " + "; ".join(rows) + ". The base "
        f"Problem ({base_kb:.0f} KB as JSON) is scattered once to every worker (so a "
        f"worker's death loses no input); each result (about "
        f"{result_kb:.0f} KB with its rota) comes back once, so the network carries about "
        f"{(PAPER_RUNS * result_kb + 25 * PAPER_CORES * base_kb) / 1000:.0f} MB in all even "
        f"on 25 machines. Memory: a county run peaks at about 300 MB (bench/RESULTS.md), so "
        f"{PAPER_CORES} at once need about {PAPER_CORES * 0.3:.1f} GB a machine. The measured "
        f"overhead per task ({trip * 1000:.0f} ms from submitting a run to reading its result, "
        f"beyond the task's own time) is {100 * trip / per_run:.1f}% of a run, so the rounds, "
        f"not the scheduler, set the wall time: the last round is full only when the runs are "
        f"a multiple of the slots (500 on 200 slots wastes half of the third round)."
    )


def markdown(records: list[Record], command: str, base_kb: float, date: str) -> str:
    """The Sweeps section of RESULTS.md."""
    lines = [
        MARK_START,
        "## Sweeps",
        "",
        f"- command: `{command}`; run {date}; "
        f"{os.cpu_count()} cores, Python {platform.python_version()}",
        f"- sweep: `{SWEEP_FILE.relative_to(ROOT)}` (county demo, 600 referrals), "
        f"{records[0]['runs']} runs, 1 CP-SAT worker each, 2 at a time",
        "",
        "| backend | runs | check | start s | sweep wall s | ideal wall s | overhead/task "
        "(round trip) s | overhead/task (wall) s | placed |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in records:
        lines.append(
            f"| {r['executor']} | {r['finished']}/{r['runs']} | "
            f"{'PASS' if r['check_ok'] else 'FAILED'} | {r['startup_seconds']} | "
            f"{r['sweep_wall_seconds']} | {r['ideal_wall_seconds']} | "
            f"{r['overhead_per_task_round_trip_seconds']} | "
            f"{r['overhead_per_task_wall_seconds']} | {r['placed_min']}-{r['placed_max']} |"
        )
    lines += ["", _comparison(records), "", paper_paragraph(records, base_kb), MARK_END]
    return "\n".join(lines)


def _comparison(records: list[Record]) -> str:
    by = {r["mode"]: r for r in records}
    if "local" not in by or "dask" not in by:
        return ""
    local, dask = by["local"], by["dask"]
    ratio = dask["sweep_wall_seconds"] / max(1e-9, local["sweep_wall_seconds"])
    return (
        f"The same sweep took {local['sweep_wall_seconds']:.0f} s on local processes and "
        f"{dask['sweep_wall_seconds']:.0f} s on the LocalCluster (x{ratio:.3f}), plus "
        f"{dask['startup_seconds']:.1f} s to start the cluster. Round trip overhead per task: "
        f"{local['overhead_per_task_round_trip_seconds'] * 1000:.0f} ms local, "
        f"{dask['overhead_per_task_round_trip_seconds'] * 1000:.0f} ms Dask; the wall-time "
        f"overhead per task (idle slots, process starts, the last round's stragglers) is "
        f"{local['overhead_per_task_wall_seconds']:.1f} s and "
        f"{dask['overhead_per_task_wall_seconds']:.1f} s against runs of "
        f"{local['task_seconds_mean']:.0f} s."
    )


@click.command()
@click.option("--quick", is_flag=True, help="Smoke run: 4 runs of 3 s, results not kept.")
@click.option("--time-limit", type=float, default=30.0, show_default=True)
@click.option("--workers", type=int, default=2, show_default=True, help="Runs at once.")
@click.option("--modes", default="local,dask", show_default=True)
@click.option("--results", type=click.Path(path_type=Path), default=None)
@click.option("--markdown", "md_path", type=click.Path(path_type=Path), default=None)
@click.option(
    "--workbook",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write the local run's sweep workbook (and its plots beside it).",
)
@click.option("--report-only", is_flag=True, help="Run nothing: rewrite the section from JSON.")
def main(
    quick: bool,
    time_limit: float,
    workers: int,
    modes: str,
    results: Path | None,
    md_path: Path | None,
    workbook: Path | None,
    report_only: bool,
) -> None:
    """Run the sweep benchmark and write its JSON and RESULTS.md section."""
    limit = 4 if quick else None
    time_limit = 3.0 if quick else time_limit
    out = results or (RESULTS.with_name("quick-sweep.json") if quick else RESULTS)
    if report_only:
        data = json.loads(out.read_text(encoding="utf-8"))
        target = md_path or BENCH_DIR / "RESULTS.md"
        _write_section(data["records"], data["command"], data["date"], target)
        return
    records = []
    for mode in modes.split(","):
        click.echo(f"sweep on {mode} ...", err=True)
        record, outcome = measure(mode, SWEEP_FILE, time_limit, workers, limit)
        records.append(record)
        if workbook is not None and mode == "local":
            from rota.reports.sweep import write_sweep_workbook
            from rota.reports.sweep_plots import sweep_plots

            write_sweep_workbook(outcome, sweep_plots(outcome), workbook, force=True)
    command = shlex.join(["python", "-m", "bench.sweep", *sys.argv[1:]])
    data = {
        "command": command,
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "source": source_version(),
        "time_limit": time_limit,
        "workers": workers,
        "records": records,
    }
    write_atomic(out, lambda tmp: tmp.write_text(json.dumps(data, indent=2) + "\n"))
    target = md_path or (None if quick else BENCH_DIR / "RESULTS.md")
    _write_section(records, command, str(data["date"]), target)
    if not all(r["check_ok"] for r in records):
        sys.exit(1)


def _write_section(records: list[Record], command: str, date: str, target: Path | None) -> None:
    section = markdown(records, command, problem_kb(), date)
    click.echo(section)
    if target is not None:
        old = target.read_text(encoding="utf-8") if target.exists() else ""
        write_atomic(target, lambda tmp: tmp.write_text(replace_section(old, "sweep", section)))


if __name__ == "__main__":
    main()
