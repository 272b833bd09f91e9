"""Commands for what-if scenarios: ``rota scenario check`` and ``rota scenario run``."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from rota.cli.common import Interrupts, fail, plain_errors, write_outputs
from rota.io import InputError, read_problem
from rota.models.problem import Problem
from rota.reports.atomic import OutputError, check_outputs
from rota.reports.comparison import Comparison, build_comparison, write_compare_workbook
from rota.scenarios.apply import load_and_apply
from rota.scenarios.run import (
    Job,
    RunOutcome,
    build_jobs,
    default_jobs,
    parse_sweep,
    run_jobs,
    sweep_scenarios,
    with_base_rota,
)
from rota.scenarios.spec import Scenario, ScenarioError
from rota.scheduler.params import SolveParams


def _say(message: str) -> None:
    click.echo(message, err=True)


def _read_base(path: Path) -> Problem:
    try:
        return read_problem(path)
    except InputError as exc:
        count = len(exc.issues)
        fail(
            "\n".join([f"{count} error{'s' if count != 1 else ''} in the base input:", *exc.lines])
        )


def _load_all(base: Problem, files: tuple[Path, ...]) -> list[Scenario | Job]:
    """Each file's Scenario, or a Job carrying every error of the file (reported, not run)."""
    out: list[Scenario | Job] = []
    for f in files:
        try:
            scenario, problem = load_and_apply(base, f)
            _check_pins(problem, f.name)
        except ScenarioError as exc:
            out.append(Job(f.stem, f"{f.name} has errors", None, tuple(exc.messages)))
            continue
        out.append(scenario)
    return out


def _check_pins(problem: Problem, label: str) -> None:
    """Pinned sessions the changed input cannot keep: ``solve`` would refuse them."""
    from rota.scheduler.pins import pin_plan

    pins = pin_plan(problem).issues
    if pins:
        raise ScenarioError([f"{label}: {issue}" for issue in pins])


@click.group("scenario")
def scenario_group() -> None:
    """What-if scenarios: change the base workbook in small, checked steps and compare."""


@scenario_group.command("check")
@click.argument("base", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
def check_command(base: Path, scenarios: tuple[Path, ...]) -> None:
    """Apply each scenario file to BASE without solving and report every error."""
    problem = _read_base(base)
    errors: list[str] = []
    for job in build_jobs(problem, _load_all(problem, scenarios))[1:]:
        if job.problem is None:
            errors.extend(job.errors)
            continue
        assert job.problem is not None
        click.echo(
            f"{job.name}: ok ({len(job.problem.therapists)} therapists, "
            f"{len(job.problem.referrals)} referrals, {len(job.problem.rooms)} rooms)"
        )
    if errors:
        fail("\n".join([f"{len(errors)} error(s) in the scenarios:", *errors]))


@scenario_group.command("apply")
@click.argument("base", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Input file to write: .xlsx, .yaml or .json.",
)
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
def apply_command(base: Path, scenario: Path, output: Path, force: bool) -> None:
    """Write BASE with SCENARIO applied as a new input file (BASE is not changed)."""
    from rota.io.write import write_problem

    with plain_errors():
        check_outputs([output], [base, scenario], force=force)
    problem = _read_base(base)
    try:
        loaded, changed = load_and_apply(problem, scenario)
        _check_pins(changed, scenario.name)
    except ScenarioError as exc:
        fail("\n".join([f"{len(exc.messages)} error(s) in the scenario:", *exc.messages]))
    with plain_errors():
        write_problem(changed, output, force=force)
    click.echo(
        f"Wrote {output}: {loaded.name} ({len(changed.therapists)} therapists, "
        f"{len(changed.referrals)} referrals, {len(changed.rooms)} rooms)"
    )


@scenario_group.command("run")
@click.argument("base", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("scenarios", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Comparison workbook to write (.xlsx).",
)
@click.option("--time-limit", default=60.0, show_default=True, help="Seconds per solve.")
@click.option(
    "--workers-per-run",
    type=click.IntRange(min=1),
    default=None,
    help="CP-SAT workers per solve [default: 1 when several run at once, else "
    f"{SolveParams().workers}].",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Solves at once [default: one per core].",
)
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write each run's full rota workbook here (<name>.xlsx).",
)
@click.option(
    "--sweep",
    multiple=True,
    help="One scenario per value of a setting, e.g. admin_minutes=5,10,15 (repeatable).",
)
@click.option(
    "--from-base/--fresh",
    default=True,
    show_default=True,
    help="--from-base (the default): solve the base first and give its rota to every scenario "
    "as the previous rota, so that sessions move only where a scenario needs it. --fresh: plan "
    "every scenario from scratch (for capacity questions, such as hiring).",
)
@click.option("--seed", default=0, show_default=True, help="Random seed of every solve.")
@click.option("--force", is_flag=True, help="Replace output files that exist.")
def run_command(
    base: Path,
    scenarios: tuple[Path, ...],
    output: Path,
    time_limit: float,
    workers_per_run: int | None,
    jobs: int | None,
    out_dir: Path | None,
    sweep: tuple[str, ...],
    from_base: bool,
    seed: int,
    force: bool,
) -> None:
    """Solve BASE and every scenario (in parallel) and write a comparison workbook.

    A scenario with errors is reported and left out; the others still run. Exits 1 when any
    scenario could not be compared.
    """
    if output.suffix.lower() != ".xlsx":
        fail(f"error: {output}: the comparison is an Excel workbook, name it .xlsx")
    if time_limit <= 0:
        fail("error: --time-limit must be more than 0 seconds")
    with plain_errors():
        check_outputs([output], [base, *scenarios], force=force)
    problem = _read_base(base)
    job_list = build_jobs(problem, _scenarios_and_sweeps(problem, scenarios, sweep))
    if out_dir is not None:
        with plain_errors():
            names = [f"{_file_name(j.name)}.xlsx" for j in job_list if j.problem is not None]
            if len({n.lower() for n in names}) != len(names):
                raise OutputError(
                    "two runs give the same file name: give the scenarios other names"
                )
            check_outputs([out_dir / n for n in names], [base, *scenarios], force=force)
    runnable = sum(1 for j in job_list if j.problem is not None)
    parallel = jobs or default_jobs(runnable)
    workers = workers_per_run or (1 if parallel > 1 else SolveParams().workers)
    params = SolveParams(time_limit=time_limit, workers=workers, seed=seed)
    _say(
        f"Solving {runnable} run(s), {min(parallel, runnable)} at a time, "
        f"{workers} worker(s) each, up to {time_limit:g} s each"
    )
    for job in job_list:
        for line in job.errors:
            _say(line)
    if from_base:
        outcomes = _run_from_base(job_list, params, parallel, workers_per_run)
    else:
        outcomes = run_jobs(job_list, params, max_parallel=parallel, progress=_say)
    comparison = build_comparison(outcomes)
    with plain_errors(), Interrupts() as interrupts:
        written = write_outputs(
            interrupts, lambda: _write_comparison(comparison, outcomes, output, out_dir, force)
        )
    for path in written:
        click.echo(f"Wrote {path}")
    failed = [o.name for o in outcomes if not o.ok]
    if failed:
        _say(f"Not compared: {', '.join(failed)}")
        sys.exit(1)


def _scenarios_and_sweeps(
    problem: Problem, scenarios: tuple[Path, ...], sweep: tuple[str, ...]
) -> list[Scenario | Job]:
    """The scenario files' scenarios (or their errors) and one scenario per swept value."""
    loaded = _load_all(problem, scenarios)
    errors: list[str] = []
    for text in sweep:
        try:
            parse_sweep(text)
        except ValueError as exc:
            errors.append(str(exc))
            continue
        loaded.extend(sweep_scenarios(text))
    if errors:
        fail("\n".join(errors))
    if not loaded:
        fail("error: give at least one scenario file or --sweep")
    return loaded


def _run_from_base(
    job_list: list[Job], params: SolveParams, parallel: int, workers_per_run: int | None
) -> list[RunOutcome]:
    """The base alone first (on every worker), then the scenarios from its rota."""
    alone = params.model_copy(update={"workers": workers_per_run or SolveParams().workers})
    first = run_jobs(job_list[:1], alone, max_parallel=1, progress=_say)
    base_result = first[0].result
    rest = job_list[1:]
    if base_result is not None:
        rest = [
            replace(j, problem=with_base_rota(j.problem, base_result.rota)) if j.problem else j
            for j in rest
        ]
    return first + run_jobs(rest, params, max_parallel=parallel, progress=_say)


def _write_comparison(
    comparison: Comparison,
    outcomes: list[RunOutcome],
    output: Path,
    out_dir: Path | None,
    force: bool,
) -> list[Path]:
    """The comparison workbook and, with ``out_dir``, each run's coordinator's workbook."""
    paths = [write_compare_workbook(comparison, output, force=force)]
    if out_dir is not None:
        from rota.reports.coordinator import write_rota_workbook

        for o in outcomes:
            if o.ok:
                assert o.problem is not None and o.result is not None
                path = out_dir / f"{_file_name(o.name)}.xlsx"
                paths.append(write_rota_workbook(o.problem, o.result, path, force=force))
    return paths


def _file_name(name: str) -> str:
    """A run's name as a file name: letters, digits, - _ = . only, at most 80 characters, never
    starting with a character a spreadsheet or a shell reads specially."""
    out = "".join(c if c.isalnum() or c in "-_=." else "_" for c in name)[:80]
    return out.lstrip("=-_.").rstrip("._") or "run"
