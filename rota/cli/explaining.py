"""Command: ``rota explain`` (where else a referral could go, and what it would cost)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from rota.cli.common import describe_error, fail, plain_errors
from rota.io import InputError, read_problem_with_warnings
from rota.io.result_file import load_result
from rota.io.rota_sheet import read_rota_sheet
from rota.models import Problem, Rota, Session
from rota.models.timeutil import format_time


def _where(problem: Problem, s: Session) -> str:
    who = " and ".join(s.therapist_ids)
    site = problem.site_by_id[s.site_id].name if s.site_id in problem.site_by_id else s.site_id
    return f"{who}, {s.day} {format_time(s.start)}-{format_time(s.end)}, {site}, room {s.room_id}"


def _terms_text(terms: dict[str, int]) -> str:
    return "; ".join(f"{label} {value:+,}" for label, value in terms.items()) or "no change"


def _as_json(problem: Problem, e: Any) -> dict[str, Any]:
    def change(c: Any) -> dict[str, Any]:
        return {
            "sessions": [s.model_dump(mode="json") for s in c.sessions],
            "cost_change": c.cost_change,
            "terms": c.terms,
            "moved": list(c.moved),
        }

    return {
        "referral_id": e.referral_id,
        "current": e.current.model_dump(mode="json") if e.current else None,
        "current_terms": e.current_terms,
        "alternatives": [change(c) for c in e.alternatives],
        "displacements": [change(c) for c in e.displacements],
        "note": e.note,
    }


def _print(problem: Problem, e: Any) -> None:
    head = e.referral_id
    if e.current is not None:
        click.echo(f"{head}: now {_where(problem, e.current)}")
        if e.current_terms:
            click.echo(f"  what this place costs: {_terms_text(e.current_terms)}")
    else:
        click.echo(f"{head}: not placed")
    for i, c in enumerate(e.alternatives, 1):
        click.echo(f"  {i}. {_where(problem, c.sessions[0])}: cost {c.cost_change:+,}")
        click.echo(f"     {_terms_text(c.terms)}")
    for i, c in enumerate(e.displacements, 1):
        moves = "; ".join(f"move {s.referral_id} to {_where(problem, s)}" for s in c.sessions[1:])
        click.echo(
            f"  {i}. {_where(problem, c.sessions[0])} if you {moves}: cost {c.cost_change:+,}"
        )
        click.echo(f"     {_terms_text(c.terms)}")
    if e.current is not None and not e.alternatives:
        click.echo("  no other place is free")
    if e.note:
        click.echo(f"  {e.note}")


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
        click.echo(json.dumps([_as_json(problem, e) for e in answers], indent=2))
        return
    for e in answers:
        _print(problem, e)
