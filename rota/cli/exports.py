"""Commands: ``rota export rota`` (the coordinator's workbook), ``rota export schools`` and
``rota export therapists`` (a workbook and a calendar per therapist).

RESULT is what ``rota solve -o result.json`` writes, or a rota workbook a coordinator edited
(its Rota sheet is read back, the figures recomputed, the status UNKNOWN).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from rota.cli.common import Interrupts, describe_error, fail, plain_errors, write_outputs
from rota.evaluate.term_costs import CostOptions, term_costs
from rota.io import InputError, read_problem_with_warnings
from rota.io.result_file import load_result
from rota.models.problem import Problem
from rota.models.result import Result
from rota.reports.atomic import check_outputs, new_run_id, remove_previous_run
from rota.reports.coordinator import write_rota_workbook
from rota.reports.ical import CalendarOptions
from rota.reports.schools import SchoolOptions, school_targets, write_school_workbooks
from rota.reports.therapists import TherapistFiles, write_therapist_files

_describe = describe_error
FC = TypeVar("FC", bound=Callable[..., object])


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


def _out_folder(help_text: str) -> Callable[[FC], FC]:
    return click.option(
        "--out",
        "out_dir",
        required=True,
        type=click.Path(file_okay=False, path_type=Path),
        help=help_text,
    )


_funding = click.option(
    "--show-funding",
    is_flag=True,
    help="Show each child's funding stream in the schools' files (left out by default: a "
    "school does not need it unless it commissions each child's sessions itself).",
)


@click.group("export")
def export_group() -> None:
    """Files from a solved (or hand-edited) rota: for the coordinator, schools and therapists."""


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
@_out_folder("Folder for the schools' workbooks (one per site with sessions).")
@_force
@_no_bank
@_session_only
@_funding
def export_schools_command(
    input_file: Path,
    result_file: Path,
    out_dir: Path,
    force: bool,
    no_bank_holidays: bool,
    bill_session_only: bool,
    show_funding: bool,
) -> None:
    """One workbook per site with that site's sessions only, its term dates and cost."""
    problem, result = _read(input_file, result_file)
    options = CostOptions(bank_holidays=not no_bank_holidays, bill_admin=not bill_session_only)
    school = SchoolOptions(funding=show_funding)
    paths: list[Path] = []
    run_id = new_run_id()

    def write() -> list[Path]:
        paths.extend(
            write_school_workbooks(
                problem, result, out_dir, force=force, options=options, school=school
            )
        )
        return paths

    with plain_errors(OSError, describe=_describe), Interrupts() as interrupts:
        check_outputs(school_targets(problem, out_dir), [input_file, result_file], force=force)
        write_outputs(interrupts, write, run_id)
        remove_previous_run(out_dir, run_id, paths)
    click.echo(f"Wrote {len(paths)} school workbook{'s' if len(paths) != 1 else ''} in {out_dir}:")
    for p in paths:
        click.echo(f"  {p.name}")


@export_group.command("therapists")
@_input
@_result
@_out_folder("Folder for each therapist's workbook (.xlsx) and calendar (.ics).")
@click.option(
    "--previous-calendars",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of the calendars sent before (default: the --out folder), so that an updated "
    "calendar replaces their events and cancels the sessions that went.",
)
@click.option(
    "--initials",
    is_flag=True,
    help="Name clients by initials in calendar titles (default: referral id or group name, "
    "because calendars sync to the cloud).",
)
@_force
@_no_bank
def export_therapists_command(
    input_file: Path,
    result_file: Path,
    out_dir: Path,
    previous_calendars: Path | None,
    initials: bool,
    force: bool,
    no_bank_holidays: bool,
) -> None:
    """One workbook and one calendar per therapist: their week, sessions, sites and days."""
    problem, result = _read(input_file, result_file)
    options = CalendarOptions(initials=initials, bank_holidays=not no_bank_holidays)
    written: list[tuple[list[TherapistFiles], list[str]]] = []

    def write() -> list[Path]:
        files, notes = write_therapist_files(
            problem, result, out_dir, force=force, options=options, previous_dir=previous_calendars
        )
        written.append((files, notes))
        return [p for f in files for p in (f.workbook, f.calendar) if p is not None]

    with plain_errors(OSError, describe=_describe), Interrupts() as interrupts:
        write_outputs(interrupts, write)
    files, warnings = written[0]
    for w in warnings:
        click.echo(f"warning: {w}", err=True)
    books = sum(f.workbook is not None for f in files)
    calendars = sum(f.calendar is not None for f in files)
    click.echo(f"Wrote {books} therapist workbooks and {calendars} calendars in {out_dir}")
