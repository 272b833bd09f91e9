"""Command: ``rota sweep SWEEP.yaml -o sweep.xlsx``: every combination of a sweep file's axes,
solved on local processes or a Dask cluster, in one workbook with plots."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from rota.cli.common import fail, plain_errors
from rota.io import InputError
from rota.reports.atomic import check_writable
from rota.scenarios.sweep.cache import ResultCache, cache_folder
from rota.scenarios.sweep.runner import SweepOutcome, SweepSettings, run_sweep
from rota.scenarios.sweep.spec import (
    Run,
    Sweep,
    SweepError,
    check_size,
    default_timeout,
    load_sweep,
)


def _say(message: str) -> None:
    click.echo(message, err=True)


def _load(path: Path, max_runs: int | None) -> Sweep:
    try:
        sweep = load_sweep(path)
        check_size(sweep, max_runs)
    except InputError as exc:
        count = len(exc.issues)
        fail(
            "\n".join([f"{count} error{'s' if count != 1 else ''} in the base input:", *exc.lines])
        )
    except SweepError as exc:
        count = len(exc.messages)
        fail("\n".join([f"{count} error{'s' if count != 1 else ''} in the sweep:", *exc.messages]))
    return sweep


def dry_run_lines(sweep: Sweep, runs: list[Run], parallel: int, time_limit: float) -> list[str]:
    """The runs a sweep would make, one a line, and roughly how long they would take."""
    names = [a.name for a in sweep.axes]
    widths = [
        max(len(n), *(len(v.label) for v in a.values))
        for n, a in zip(names, sweep.axes, strict=True)
    ]
    head = "  ".join(["run ", *(n.ljust(w) for n, w in zip(names, widths, strict=True)), "planned"])
    lines = [head]
    for run in runs:
        cells = [str(run.number).rjust(4)]
        cells += [run.value(n).label.ljust(w) for n, w in zip(names, widths, strict=True)]
        lines.append(
            "  ".join([*cells, "from the base rota" if run.plan == "from-base" else "from scratch"])
        )
    base = any(r.plan == "from-base" for r in runs)
    rounds = -(-(len(runs)) // max(1, parallel)) + (1 if base else 0)
    lines.append(
        f"{len(runs)} runs"
        + (" (and the base run first)" if base else "")
        + f": about {rounds * time_limit / 60:.0f} min with {parallel} at a time "
        f"at {time_limit:g} s each"
    )
    return lines


@click.command("sweep")
@click.argument("sweep_file", metavar="SWEEP", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Sweep workbook to write (.xlsx); its plots are saved beside it.",
)
@click.option(
    "--parallel",
    type=click.IntRange(min=1),
    default=None,
    help="Runs at once on this machine (processes, or LocalCluster workers) "
    "[default: one per core].",
)
@click.option(
    "--dask",
    "dask",
    default=None,
    metavar="ADDRESS|local",
    help="Solve on Dask: 'local' for a LocalCluster of this machine, or a scheduler "
    "address such as tls://host:8786 (needs pip install 'rota[dask]').",
)
@click.option(
    "--allow-insecure",
    is_flag=True,
    help="Allow a scheduler address without TLS (children's data would cross the "
    "network unencrypted).",
)
@click.option("--tls-ca-file", default=None, help="CA certificate of the cluster (TLS).")
@click.option("--tls-cert", default=None, help="This client's certificate (TLS).")
@click.option("--tls-key", default=None, help="This client's private key (TLS).")
@click.option(
    "--repeatable",
    is_flag=True,
    help="Deterministic search (CP-SAT's deterministic time instead of the clock): "
    "results are reproducible and reused by a rerun to the same output.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Seconds per run [default: the sweep file's time_limit].",
)
@click.option(
    "--workers-per-run",
    type=click.IntRange(min=1),
    default=None,
    help="CP-SAT workers per run [default: the sweep file's workers, 1].",
)
@click.option(
    "--max-runs",
    type=click.IntRange(min=1),
    default=None,
    help="Refuse a sweep of more runs [default: the sweep file's max_runs].",
)
@click.option("--dry-run", is_flag=True, help="List the runs and stop.")
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write each finished run's input and rota workbooks here.",
)
@click.option("--no-cache", is_flag=True, help="Solve every run again, even if cached.")
@click.option("--force", is_flag=True, help="Replace output files that exist.")
def sweep_command(
    sweep_file: Path,
    output: Path | None,
    parallel: int | None,
    dask: str | None,
    allow_insecure: bool,
    tls_ca_file: str | None,
    tls_cert: str | None,
    tls_key: str | None,
    repeatable: bool,
    time_limit: float | None,
    workers_per_run: int | None,
    max_runs: int | None,
    dry_run: bool,
    out_dir: Path | None,
    no_cache: bool,
    force: bool,
) -> None:
    """Solve every combination of SWEEP's axes and write one workbook with plots.

    A failing or timed-out run is recorded and the others go on; a rerun with --repeatable to
    the same output reuses the runs already done. Exits 1 when any run failed.
    """
    if not dry_run and (output is None or output.suffix.lower() != ".xlsx"):
        fail("error: give the sweep workbook to write with -o, named .xlsx")
    sweep = _load(sweep_file, max_runs)
    runs = sweep.runs()
    settings = SweepSettings(
        time_limit=time_limit or sweep.file.time_limit,
        workers=workers_per_run or sweep.file.workers,
        repeatable=repeatable or sweep.file.repeatable,
        timeout=sweep.file.run_timeout or default_timeout(time_limit or sweep.file.time_limit),
    )
    at_once = parallel or max(1, min(len(runs), os.cpu_count() or 1))
    if dry_run:
        for line in dry_run_lines(sweep, runs, at_once, settings.time_limit):
            click.echo(line)
        return
    assert output is not None
    cache = ResultCache(cache_folder(output)) if settings.repeatable and not no_cache else None
    with plain_errors():
        check_writable(output, force or (cache is not None and cache.folder.exists()))
    outcome = _solve(
        sweep,
        runs,
        settings,
        cache,
        at_once,
        dask,
        allow_insecure,
        (tls_ca_file, tls_cert, tls_key),
    )
    _write(outcome, output, out_dir, force)
    failed = [r for r in outcome.records if not r.ok]
    if failed:
        _say(f"{len(failed)} of {len(runs)} runs failed or timed out (see the Runs sheet)")
        sys.exit(1)


def _solve(
    sweep: Sweep,
    runs: list[Run],
    settings: SweepSettings,
    cache: ResultCache | None,
    at_once: int,
    dask: str | None,
    allow_insecure: bool,
    tls: tuple[str | None, str | None, str | None],
) -> SweepOutcome:
    from rota.scenarios.sweep.executors import TlsFiles, make_executor

    try:
        executor = make_executor(dask, at_once, allow_insecure=allow_insecure, tls=TlsFiles(*tls))
    except SweepError as exc:
        fail("\n".join(f"error: {m}" for m in exc.messages))
    try:
        _say(
            f"Solving {len(runs)} runs of {sweep.name} on {executor.description}, "
            f"{executor.capacity()} at a time, {settings.time_limit:g} s each "
            f"({settings.workers} solver worker(s) per run; a run is given up after "
            f"{settings.timeout:.0f} s)"
        )
        if executor.dashboard_link:
            _say(f"Dask dashboard: {executor.dashboard_link}")
        if not settings.repeatable:
            _say("Not --repeatable: results depend on the machine's speed, so none is cached")
        return run_sweep(sweep, runs, executor, settings, cache=cache, say=_say)
    finally:
        executor.close()


def _write(outcome: SweepOutcome, output: Path, out_dir: Path | None, force: bool) -> None:
    from rota.reports.sweep import write_sweep_workbook
    from rota.reports.sweep_plots import sweep_plots

    with plain_errors():
        for path in write_sweep_workbook(outcome, sweep_plots(outcome), output, force=True):
            click.echo(f"Wrote {path}")
        if out_dir is not None:
            for path in write_run_files(outcome, out_dir, force):
                click.echo(f"Wrote {path}")


def write_run_files(outcome: SweepOutcome, out_dir: Path, force: bool) -> list[Path]:
    """Each finished run's input workbook (the base with its changes) and rota workbook:
    ``run-007-input.xlsx`` and ``run-007.xlsx``, so that any run can be opened, checked with
    ``rota check`` or solved again."""
    from rota.io.write import write_problem
    from rota.reports.coordinator import write_rota_workbook
    from rota.scenarios.sweep.task import run_problem

    base = outcome.base.result.result.rota if outcome.base and outcome.base.result else None
    width = max(3, len(str(len(outcome.records))))
    written: list[Path] = []
    for record in outcome.records:
        if not record.ok or record.run is None or record.result is None:
            continue
        run = record.run
        problem = run_problem(
            outcome.sweep.base, run.scenario, base if run.plan == "from-base" else None
        )
        stem = f"run-{run.number:0{width}d}"
        written.append(write_problem(problem, out_dir / f"{stem}-input.xlsx", force=force))
        written.append(
            write_rota_workbook(
                problem, record.result.result, out_dir / f"{stem}.xlsx", force=force
            )
        )
    return written
