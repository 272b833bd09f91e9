"""Commands: ``rota export rota`` (the coordinator's workbook) and ``rota export schools``.

RESULT is what ``rota solve -o result.json`` writes, or a rota workbook a coordinator edited
(its Rota sheet is read back, the figures recomputed, the status UNKNOWN).
"""

from __future__ import annotations

from pathlib import Path

import click

from rota.cli.common import Interrupts, describe_error, fail, plain_errors, write_outputs
from rota.evaluate.term_costs import CostOptions, term_costs
from rota.io import InputError, read_problem_with_warnings
from rota.io.result_file import load_result
from rota.models.problem import Problem
from rota.models.result import Result
from rota.reports.atomic import check_outputs, new_run_id, remove_previous_run
from rota.reports.coordinator import write_rota_workbook
from rota.reports.schools import school_targets, write_school_workbooks

_describe = describe_error


def _read(input_file: Path, result_file: Path) -> tuple[Problem, Result]:
    with plain_errors(InputError, ValueError, describe=_describe):
        problem, _ = read_problem_with_warnings(input_file)
        result, warnings = load_result(problem, result_file)
    for w in warnings:
        click.echo(f"warning: {w}", err=True)
    return problem, result


_input = click.argument("input_file", metavar="INPUT", type=click.Path(path_type=Path))
_result = click.argument("result_file", metavar="RESULT", type=click.Path(path_type=Path))
_force = click.option("--force", is_flag=True, help="Replace existing output files.")
_no_bank = click.option(
    "--no-bank-holidays",
    is_flag=True,
    help="Do not skip England-and-Wales bank holidays when dating and pricing sessions.",
)
_session_only = click.option(
    "--bill-session-only",
    is_flag=True,
    help="Bill session minutes only (default: session + admin minutes).",
)


@click.group("export")
def export_group() -> None:
    """Workbooks from a solved (or hand-edited) rota: for the coordinator and for schools."""


@export_group.command("rota")
@_input
@_result
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Workbook to write (.xlsx).",
)
@_force
@_no_bank
@_session_only
def export_rota_command(
    input_file: Path,
    result_file: Path,
    output: Path,
    force: bool,
    no_bank_holidays: bool,
    bill_session_only: bool,
) -> None:
    """The coordinator's workbook: summary, rota, unscheduled, costs, travel, week grids."""
    if output.suffix.lower() != ".xlsx":
        fail(f"error: {output}: the rota workbook is an Excel workbook, name it .xlsx")
    with plain_errors(OSError, describe=_describe):
        check_outputs([output], [input_file, result_file], force=force)
    problem, result = _read(input_file, result_file)
    options = CostOptions(bank_holidays=not no_bank_holidays, bill_admin=not bill_session_only)
    with plain_errors(OSError, describe=_describe), Interrupts() as interrupts:
        write_outputs(
            interrupts,
            lambda: [write_rota_workbook(problem, result, output, force=force, options=options)],
        )
    costs = term_costs(problem, result.rota, options)
    click.echo(
        f"Wrote {output}: {len(result.rota.sessions)} sessions, "
        f"{len(problem.referrals) - len({s.referral_id for s in result.rota.sessions})} "
        f"unscheduled, term cost £{costs.total_cost:,.2f}"
    )
    for w in costs.warnings:
        click.echo(f"warning: {w}", err=True)


@export_group.command("schools")
@_input
@_result
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the schools' workbooks (one per site with sessions).",
)
@_force
@_no_bank
@_session_only
def export_schools_command(
    input_file: Path,
    result_file: Path,
    out_dir: Path,
    force: bool,
    no_bank_holidays: bool,
    bill_session_only: bool,
) -> None:
    """One workbook per site with that site's sessions only, its term dates and cost."""
    problem, result = _read(input_file, result_file)
    options = CostOptions(bank_holidays=not no_bank_holidays, bill_admin=not bill_session_only)
    paths: list[Path] = []
    run_id = new_run_id()

    def write() -> list[Path]:
        paths.extend(write_school_workbooks(problem, result, out_dir, force=force, options=options))
        return paths

    with plain_errors(OSError, describe=_describe), Interrupts() as interrupts:
        check_outputs(school_targets(problem, out_dir), [input_file, result_file], force=force)
        write_outputs(interrupts, write, run_id)
        remove_previous_run(out_dir, run_id, paths)
    click.echo(f"Wrote {len(paths)} school workbook{'s' if len(paths) != 1 else ''} in {out_dir}:")
    for p in paths:
        click.echo(f"  {p.name}")
