"""Commands for the service's inputs: ``template``, ``validate`` and ``generate``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import click

from rota.cli.common import describe_error, fail, plain_errors
from rota.io import InputError, read_problem_with_warnings
from rota.io.load import drive_report_lines
from rota.io.template import write_template
from rota.io.write import write_problem
from rota.models import DISCIPLINES, SITE_KINDS, Problem, format_days
from rota.reports.atomic import check_outputs


def summary_lines(problem: Problem) -> list[str]:
    """What the input holds: counts by kind, discipline and priority, and weekly minutes."""
    s = problem.settings
    term = s.term_name
    if s.term_start and s.term_end:
        term += f" ({s.term_start} to {s.term_end})"
    kinds = Counter(site.kind for site in problem.sites)
    by_discipline = Counter(r.discipline for r in problem.referrals)
    by_priority = Counter(r.priority for r in problem.referrals)
    groups = sum(1 for r in problem.referrals if r.group_size > 1)
    co_facilitated = sum(1 for r in problem.referrals if r.therapists_needed > 1)
    lines = [
        f"{s.service_name}: {term}, days {format_days(s.days)}",
        f"Sites: {len(problem.sites)}"
        + _counts(", ", [(k, kinds[k]) for k in SITE_KINDS if kinds[k]]),
        f"Rooms: {len(problem.rooms)}",
        f"Therapists: {len(problem.therapists)}",
        f"Referrals: {len(problem.referrals)}"
        + _counts(", ", [(d, by_discipline[d]) for d in DISCIPLINES if by_discipline[d]]),
        "  by priority: " + ", ".join(f"{p}: {by_priority[p]}" for p in range(1, 6)),
        f"  groups: {groups}, co-facilitated: {co_facilitated}",
        f"Travel overrides: {len(problem.travel)}, rates: {len(problem.rates)}, "
        f"closures: {len(problem.closures)}, previous sessions: {len(problem.previous)}",
        "Weekly minutes     demand  capacity",
    ]
    for discipline, figures in problem.weekly_minutes().items():
        lines.append(f"  {discipline:<14} {figures['demand']:>7} {figures['capacity']:>9}")
    return lines


def _counts(sep: str, items: list[tuple[str, int]]) -> str:
    return f" ({sep.join(f'{name} {n}' for name, n in items)})" if items else ""


_describe = describe_error


def _echo_summary(problem: Problem, warnings: Sequence[str], drives: Sequence[str] = ()) -> None:
    for line in [*summary_lines(problem), *drives]:
        click.echo(line)
    if warnings:
        click.echo(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}:")
        for w in warnings:
            click.echo(f"  warning: {w}")
    else:
        click.echo("No warnings.")


@click.command("template")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def template_command(file: Path, force: bool) -> None:
    """Write an empty, ready-to-fill input workbook FILE.xlsx."""
    if file.suffix.lower() != ".xlsx":
        fail(f"error: {file}: the template is an Excel workbook, name it .xlsx")
    with plain_errors():
        check_outputs([file], force=force)
        write_template(file, force=force)
    click.echo(f"Wrote {file}: replace the example rows, then run: rota validate {file}")


@click.command("validate")
@click.argument("file", type=click.Path(path_type=Path))
def validate_command(file: Path) -> None:
    """Check an input FILE (.xlsx, .yaml or .json): a summary and warnings, or every error."""
    with plain_errors(InputError, describe=_describe):
        problem, warnings = read_problem_with_warnings(file)
        # Warnings about the drives do not stop a solve either: they join the others.
        drives, drive_warnings = drive_report_lines(file, problem)
    click.echo(f"{file}: valid")
    _echo_summary(problem, [*warnings, *drive_warnings], drives)


@click.command("generate")
@click.option(
    "--size",
    type=click.Choice(["small", "county", "region"]),
    default="small",
    show_default=True,
    help="How big a made-up service to generate.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (.xlsx, .yaml or .json).",
)
@click.option(
    "--generator",
    type=click.Choice(["1", "2"]),
    default="2",
    show_default=True,
    help="Generator version: 2 = the county's real towns and drive times; 1 = the original "
    "generator, kept to rerun older benchmarks on the same services.",
)
@click.option("--force", is_flag=True, help="Replace the output if it exists.")
def generate_command(size: str, seed: int, output: Path, generator: str, force: bool) -> None:
    """Generate a made-up (pseudonymous) service's input for demos and benchmarks."""
    from rota.demo import generate_problem

    if output.suffix.lower() not in (".xlsx", ".yaml", ".yml", ".json"):
        fail(f"error: {output}: use .xlsx, .yaml, .yml or .json")
    with plain_errors(InputError, describe=_describe):
        # Refuse before the (possibly slow) generation, not after it.
        check_outputs([output], force=force)
        write_problem(generate_problem(size, seed, version=int(generator)), output, force=force)
        # Read the file back: the summary and located warnings are exactly what validate says.
        problem, warnings = read_problem_with_warnings(output)
        drives, drive_warnings = drive_report_lines(output, problem)
    click.echo(f"Wrote {output} ({size}, seed {seed}, generator {generator})")
    _echo_summary(problem, [*warnings, *drive_warnings], drives)
