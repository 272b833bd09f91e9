"""Command: ``rota check`` (any rota against every hard rule); loads no solver, so starts fast."""

from __future__ import annotations

from pathlib import Path

import click

from rota.cli.common import describe_error, fail, plain_errors
from rota.evaluate.check import check
from rota.io import InputError, read_problem_with_warnings
from rota.io.result_file import load_result
from rota.io.rota_sheet import read_rota_sheet_rows
from rota.models import Rota


@click.command("check")
@click.argument("input_file", metavar="INPUT", type=click.Path(path_type=Path))
@click.argument("rota_file", metavar="ROTA", type=click.Path(path_type=Path))
def check_command(input_file: Path, rota_file: Path) -> None:
    """Check a rota (a rota workbook, edited or not, or a result .json) against every hard
    rule, and that every referral is either in the Rota or in the Unscheduled list; list each
    violation with the Rota sheet's row numbers; exit 1 on any."""
    rows: dict[str, tuple[int, ...]] = {}
    with plain_errors(InputError, ValueError, describe=describe_error):
        problem, _ = read_problem_with_warnings(input_file)
        if rota_file.suffix.lower() == ".xlsx":
            sheet = read_rota_sheet_rows(problem, rota_file)
            # The Unscheduled sheet as written, not the referrals missing from the Rota sheet.
            rota = Rota(sessions=sheet.rota.sessions, unscheduled=sheet.listed_unscheduled)
            warnings, rows = list(sheet.warnings), sheet.rows_by_referral
        else:
            result, warnings = load_result(problem, rota_file)
            rota = result.rota
    for w in warnings:
        click.echo(f"warning: {w}", err=True)
    violations = check(problem, rota, complete=True)
    if not violations:
        click.echo(
            f"OK: {len(rota.sessions)} sessions keep every hard rule "
            f"({len(rota.unscheduled)} referrals unscheduled)"
        )
        return
    for v in violations:
        where = sorted({r for rid in v.referral_ids for r in rows.get(rid, ())})
        prefix = (
            f"Rota row{'s' if len(where) > 1 else ''} {', '.join(map(str, where))}: "
            if where
            else ""
        )
        click.echo(f"{prefix}{v.rule}: {v.message}")
    fail(f"{len(violations)} violation{'s' if len(violations) != 1 else ''} of the hard rules")
