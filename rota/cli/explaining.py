"""Command: ``rota explain`` (where else a referral could go, and what it would cost)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from rota.cli.common import describe_error, fail, plain_errors
from rota.io import InputError, read_problem_with_warnings
from rota.io.result_file import load_result
from rota.io.rota_sheet import read_rota_sheet
from rota.models import Rota


@click.command("explain")
@click.argument("input_file", metavar="INPUT", type=click.Path(path_type=Path))
@click.argument("rota_file", metavar="ROTA", type=click.Path(path_type=Path))
@click.argument("referrals", nargs=-1)
@click.option("--unplaced", is_flag=True, help="Every referral the rota leaves out.")
@click.option("--top", default=5, show_default=True, type=click.IntRange(1, 50))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts and the page).")
def explain_command(
    input_file: Path,
    rota_file: Path,
    referrals: tuple[str, ...],
    unplaced: bool,
    top: int,
    as_json: bool,
) -> None:
    """Where else REFERRALS could go in ROTA (a rota workbook or result .json) and what each
    place would cost, term by term; for a referral with no free place, the fewest sessions to
    move to let it in. Nothing is solved again and nothing is written."""
    from rota.reports.explaining import explanation_json, explanation_lines
    from rota.scheduler.candidates import build_candidates
    from rota.scheduler.explain import explain

    with plain_errors(InputError, ValueError, describe=describe_error):
        problem, _ = read_problem_with_warnings(input_file)
        if rota_file.suffix.lower() == ".xlsx":
            rota, _warnings = read_rota_sheet(problem, rota_file)
        else:
            rota = load_result(problem, rota_file)[0].rota
    wanted = list(referrals)
    if unplaced:
        placed = {s.referral_id for s in rota.sessions}
        wanted += [r.referral_id for r in problem.referrals if r.referral_id not in placed]
    if not wanted:
        fail("error: name at least one referral, or use --unplaced")
    unknown = [r for r in wanted if r not in problem.referral_by_id]
    if unknown:
        fail(f"error: no referral {', '.join(unknown)} in {input_file.name}")
    candidates = build_candidates(problem, 0)
    rota = Rota(sessions=rota.sessions)
    answers = [explain(problem, rota, rid, top, candidates=candidates) for rid in wanted]
    if as_json:
        click.echo(json.dumps([explanation_json(e) for e in answers], indent=2))
        return
    for e in answers:
        for line in explanation_lines(problem, e):
            click.echo(line)
