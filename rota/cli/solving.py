"""Commands: ``rota solve`` (the term's rota) and ``rota check`` (any rota against every rule)."""

from __future__ import annotations

import math
import time
from pathlib import Path

import click

from rota.cli.common import describe_error, fail, plain_errors
from rota.evaluate.check import check
from rota.evaluate.weights import Weights
from rota.io import InputError, read_problem_with_warnings
from rota.io.errors import InputIssue
from rota.models import PreviousSession, Problem, Rota
from rota.models.result import Result
from rota.reports.atomic import check_writable, write_atomic
from rota.scheduler import SolveParams
from rota.scheduler.progress import Progress
from rota.scheduler.solve import solve

RESULT_SUFFIXES = (".xlsx", ".json", ".yaml", ".yml")


def previous_from_rota(rota: Rota) -> tuple[PreviousSession, ...]:
    """A published rota as Previous rows (one per therapist), none pinned."""
    return tuple(
        PreviousSession(
            referral_id=s.referral_id, therapist_id=t, day=s.day, start=s.start, room_id=s.room_id
        )
        for s in rota.sessions
        for t in s.therapist_ids
    )


def pin_errors(problem: Problem) -> list[InputIssue]:
    """Pinned Previous rows that cannot be kept, each with the rule it would break."""
    pinned = [p for p in problem.previous if p.pinned and p.referral_id in problem.referral_by_id]
    if not pinned:
        return []
    from rota.models import Session

    by_ref: dict[str, list[PreviousSession]] = {}
    for p in pinned:
        by_ref.setdefault(p.referral_id, []).append(p)
    sessions = []
    issues: list[InputIssue] = []
    for rid, rows in by_ref.items():
        ref = problem.referral_by_id[rid]
        first = rows[0]
        room = problem.room_by_id.get(first.room_id)
        if room is None:
            continue  # already an input error
        sessions.append(
            Session(
                referral_id=rid,
                therapist_ids=tuple(p.therapist_id for p in rows),
                site_id=room.site_id,
                room_id=first.room_id,
                day=first.day,
                start=first.start,
                end=min(24 * 60, first.start + ref.minutes),
            )
        )
    for v in check(problem, Rota(sessions=tuple(sessions))):
        if v.rule == "therapists-needed":
            continue  # a partly pinned co-facilitated group: the rest is free to place
        names = ", ".join(v.referral_ids)
        issues.append(
            InputIssue(
                f"{names}: pinned session cannot be kept: {v.message}",
                sheet="Previous",
                column="pinned",
            )
        )
    return issues


def write_result(problem: Problem, result: Result, path: Path, force: bool) -> None:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from rota.reports.coordinator import write_rota_workbook

        write_rota_workbook(problem, result, path, force=force)
    elif suffix == ".json":
        write_atomic(path, lambda tmp: tmp.write_text(result.model_dump_json(indent=1)), force)
    else:
        import yaml

        write_atomic(
            path,
            lambda tmp: tmp.write_text(
                yaml.safe_dump(result.model_dump(mode="json"), sort_keys=False)
            ),
            force,
        )


class _ProgressPrinter:
    """One stderr line per improvement, at most one a second (plus the first and the last)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.last = -math.inf

    def __call__(self, p: Progress) -> None:
        if self.quiet or p.elapsed - self.last < 1.0:
            return
        self.last = p.elapsed
        parts = [f"{p.elapsed:7.1f}s", f"{p.source:<9}", f"scheduled {p.scheduled}/{p.referrals}"]
        if p.travel is not None:
            parts.append(f"travel {p.travel} min")
        if not math.isnan(p.objective):
            parts.append(f"objective {p.objective:,.0f}")
        if not math.isnan(p.bound):
            parts.append(f"bound {p.bound:,.0f} gap {p.gap:.2%}")
        click.echo("  ".join(parts), err=True)


def summary_lines(problem: Problem, result: Result) -> list[str]:
    k = result.kpis
    lines = [
        f"status: {result.status} in {result.wall_seconds:.1f}s "
        f"(first complete rota after {result.first_solution_seconds or 0:.1f}s)"
    ]
    if result.gap is not None:
        lines.append(f"gap to the proven bound: {result.gap:.2%}")
    if k is not None:
        bound = result.weighted_upper_bound or k.weighted_total
        share = k.weighted_scheduled / bound if bound else 1.0
        lines += [
            f"scheduled: {k.scheduled} of {k.referrals} referrals "
            f"({k.scheduled_minutes} minutes a week); unscheduled: {k.unscheduled}",
            "  by priority: "
            + ", ".join(
                f"P{p} {k.scheduled_by_priority.get(p, 0)}/"
                f"{k.scheduled_by_priority.get(p, 0) + k.unscheduled_by_priority.get(p, 0)}"
                for p in range(1, 6)
                if k.scheduled_by_priority.get(p, 0) + k.unscheduled_by_priority.get(p, 0)
            ),
            f"priority-weighted: {k.weighted_scheduled} of at most {bound} ({share:.2%})",
            f"travel: {k.travel_minutes} minutes a week; continuity kept: "
            f"{k.continuity_kept}/{k.continuity_possible}; utilisation {k.utilisation:.0%}",
        ]
    for u in result.rota.unscheduled[:15]:
        lines.append(f"  unscheduled {u.referral_id}: {u.reason}")
    if len(result.rota.unscheduled) > 15:
        lines.append(
            f"  ... and {len(result.rota.unscheduled) - 15} more (see the Unscheduled sheet)"
        )
    if result.message:
        lines.append(result.message)
    return lines


@click.command("solve")
@click.argument("input_file", metavar="INPUT", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Rota workbook (.xlsx) or result (.json/.yaml); default INPUT-rota.xlsx.",
)
@click.option(
    "--time-limit",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds of search.",
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(min=1),
    help="CP-SAT search workers.",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
@click.option(
    "--strategy",
    type=click.Choice(["auto", "full", "lns"]),
    default="auto",
    show_default=True,
    help="full model, large-neighbourhood search, or by size.",
)
@click.option(
    "--previous",
    type=click.Path(path_type=Path),
    help="A published rota workbook to change as little as possible.",
)
@click.option(
    "--stability",
    type=click.IntRange(min=0),
    default=None,
    help=f"Cost of moving a previous session (default {Weights().stability}).",
)
@click.option(
    "--schools",
    type=click.Path(path_type=Path),
    help="Also write one workbook per school into this folder.",
)
@click.option(
    "--therapists",
    type=click.Path(path_type=Path),
    help="Also write each therapist's workbook and calendar into this folder.",
)
@click.option(
    "--repeatable",
    is_flag=True,
    help="Same input, seed and workers give the same rota: search is limited by "
    "CP-SAT's deterministic time, not the clock (the time limit is then approximate).",
)
@click.option("--force", is_flag=True, help="Replace existing output files.")
@click.option("--quiet", is_flag=True, help="No progress lines.")
def solve_command(
    input_file: Path,
    output: Path | None,
    time_limit: float,
    workers: int,
    seed: int,
    strategy: str,
    previous: Path | None,
    stability: int | None,
    schools: Path | None,
    therapists: Path | None,
    repeatable: bool,
    force: bool,
    quiet: bool,
) -> None:
    """Solve INPUT's weekly rota and write it (Ctrl-C stops early and keeps the best rota)."""
    output = output or input_file.with_name(f"{input_file.stem}-rota.xlsx")
    if output.suffix.lower() not in RESULT_SUFFIXES:
        fail(f"error: {output}: the output must end in .xlsx, .json or .yaml")
    with plain_errors(InputError, ValueError, describe=describe_error):
        check_writable(output, force)
        problem, warnings = read_problem_with_warnings(input_file)
        if previous is not None:
            from rota.io.rota_sheet import read_rota_sheet

            published, more = read_rota_sheet(problem, previous)
            warnings += more
            problem = problem.model_copy(update={"previous": previous_from_rota(published)})
        pins = pin_errors(problem)
        if pins:
            raise InputError(pins)
    for w in warnings:
        click.echo(f"warning: {w}", err=True)
    weights = Weights() if stability is None else Weights(stability=stability)
    params = SolveParams(
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        weights=weights,
        strategy=strategy,
        deterministic_time=time_limit if repeatable else None,
    )
    click.echo(
        f"solving {len(problem.referrals)} referrals, {len(problem.therapists)} "
        f"therapists, {len(problem.sites)} sites (time limit {time_limit:g}s; Ctrl-C "
        f"stops and keeps the best rota)",
        err=True,
    )
    t0 = time.perf_counter()
    try:
        result = solve(problem, params, on_progress=_ProgressPrinter(quiet))
    except KeyboardInterrupt:
        # Only before the first complete rota exists (the search itself keeps its best).
        fail("stopped before a first rota existed: nothing written", code=130)
    with plain_errors(ValueError, describe=describe_error):
        write_result(problem, result, output, force)
        if schools is not None:
            from rota.reports.schools import write_school_workbooks

            written = write_school_workbooks(problem, result, schools, force=force)
            click.echo(f"wrote {len(written)} school workbooks to {schools}")
        if therapists is not None:
            from rota.reports.therapists import write_therapist_files

            files, notes = write_therapist_files(problem, result, therapists, force=force)
            for note in notes:
                click.echo(f"warning: {note}", err=True)
            click.echo(f"wrote {len(files)} therapists' workbooks and calendars to {therapists}")
    for line in summary_lines(problem, result):
        click.echo(line)
    click.echo(f"wrote {output} ({time.perf_counter() - t0:.1f}s)")
    if result.violations:
        fail("BUG: the rota breaks hard rules:\n" + "\n".join(result.violations), code=2)
