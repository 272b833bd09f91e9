"""Commands: ``rota solve`` (the term's rota) and ``rota check`` (any rota against every rule)."""

from __future__ import annotations

import datetime as dt
import math
import time
from pathlib import Path

import click

from rota.cli.common import Interrupts, describe_error, fail, plain_errors, write_outputs
from rota.evaluate.weights import Weights
from rota.io import InputError, read_problem_with_warnings
from rota.io.load import locate_issues
from rota.models import PreviousSession, Problem, Rota
from rota.models.dates import parse_date
from rota.models.result import Result
from rota.reports.atomic import (
    check_outputs,
    new_run_id,
    remove_previous_run,
    write_atomic,
)
from rota.scheduler import SolveParams
from rota.scheduler.pins import pin_plan
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
    if result.objective is not None:
        line = f"objective: {result.objective:,.0f}"
        if result.unplaceable:
            line += (
                f" ({result.unplaceable:,.0f} of it from referrals no rota can place; "
                f"net {result.net_objective:,.0f})"
            )
        lines.append(line)
    if result.bound is not None:
        gap = result.net_gap if result.net_gap is not None else result.gap
        lines.append(
            f"proven bound: {result.bound:,.0f} (by {result.bound_source}); "
            f"gap {gap:.2%}" + (" net of them" if result.unplaceable else "")
        )
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
    if result.rota.effective_from is not None:
        lines.append(
            f"applies from {result.rota.effective_from}: the previous rota's sessions ran before "
            "it (see the Changes sheet)"
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
    type=click.Choice(["auto", "full", "local", "lns"]),
    default="auto",
    show_default=True,
    help="full model, local search (ruin and recreate), CP-SAT neighbourhoods, or by size.",
)
@click.option(
    "--bound",
    "prove_bound",
    is_flag=True,
    help="After the search, prove a lower bound on every rota's cost (takes extra time: about "
    "30 s to minutes on a county service) and report how close the rota is to it.",
)
@click.option(
    "--previous",
    type=click.Path(path_type=Path),
    help="A published rota workbook to change as little as possible.",
)
@click.option(
    "--from",
    "from_text",
    metavar="DATE",
    help="Re-plan from DATE (needs --previous): sessions before DATE stay as the previous rota "
    "had them, the new rota applies from DATE (e.g. 2027-11-02 or 02/11/2027).",
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
    prove_bound: bool,
    previous: Path | None,
    from_text: str | None,
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
    from_date = _from_date(from_text, previous)
    inputs = [p for p in (input_file, previous) if p is not None]
    with plain_errors(InputError, ValueError, describe=describe_error):
        check_outputs([output], inputs, force=force)
        problem, warnings, published = _read_inputs(input_file, previous)
        # Every output is known once the sites are: check them all before a minute of solving.
        if schools is not None:
            from rota.reports.schools import school_targets

            check_outputs(school_targets(problem, schools), inputs, force=force)
    if from_date is not None:
        problem = _plan_from(problem, from_date)
    for w in warnings:
        click.echo(f"warning: {w}", err=True)
    weights = Weights() if stability is None else Weights(stability=stability)
    params = SolveParams(
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        weights=weights,
        strategy=strategy,
        prove_bound=prove_bound,
        deterministic_time=time_limit if repeatable else None,
    )
    click.echo(
        f"solving {len(problem.referrals)} referrals, {len(problem.therapists)} "
        f"therapists, {len(problem.sites)} sites (time limit {time_limit:g}s; Ctrl-C "
        f"stops and keeps the best rota)",
        err=True,
    )
    t0 = time.perf_counter()
    with Interrupts() as interrupts:
        result = solve(problem, params, on_progress=_ProgressPrinter(quiet), stop=interrupts.stop)
        if result.first_solution_seconds is None:
            fail("stopped before a first rota existed: nothing written", code=130)
        if from_date is not None and published is not None:
            # The new rota applies from the date; the published one's sessions ran before it.
            dated = result.rota.model_copy(
                update={"effective_from": from_date, "before": published.sessions}
            )
            result = result.model_copy(update={"rota": dated})
        with plain_errors(ValueError, describe=describe_error):
            _write_all(interrupts, problem, result, output, (schools, therapists), force)
    for line in summary_lines(problem, result):
        click.echo(line)
    click.echo(f"wrote {output} ({time.perf_counter() - t0:.1f}s)")
    if result.violations:
        fail("BUG: the rota breaks hard rules:\n" + "\n".join(result.violations), code=3)


def _from_date(text: str | None, previous: Path | None) -> dt.date | None:
    """--from as a date; a clear message when it is unreadable or comes without --previous."""
    if text is None:
        return None
    if previous is None:
        fail(
            "error: --from needs --previous: the published rota workbook whose sessions ran "
            "before that date"
        )
    try:
        return parse_date(text.strip())
    except ValueError as exc:
        fail(f"error: --from: {exc}")


def _plan_from(problem: Problem, from_date: dt.date) -> Problem:
    """The problem planned from ``from_date`` (inside the term): a referral needs a session date
    from it (one that ended before it is not placed again, and the Summary counts it as no
    longer placed)."""
    s = problem.settings
    if s.term_start is None or s.term_end is None:
        fail("error: --from needs the term's dates: set term_start and term_end in Settings")
    if not s.term_start <= from_date <= s.term_end:
        fail(
            f"error: --from {from_date} is outside the term ({s.term_start} to {s.term_end}): "
            "give a date inside it"
        )
    return problem.model_copy(update={"plan_from": from_date})


def _read_inputs(input_file: Path, previous: Path | None) -> tuple[Problem, list[str], Rota | None]:
    """The input (with a published rota as its Previous sheet), its warnings and the published
    rota; InputError when it cannot be solved, pinned sessions that cannot be kept included."""
    problem, warnings = read_problem_with_warnings(input_file)
    published: Rota | None = None
    if previous is not None:
        from rota.io.rota_sheet import read_rota_sheet

        published, more = read_rota_sheet(problem, previous, lenient=True)
        warnings = list(dict.fromkeys([*warnings, *more]))
        problem = problem.model_copy(update={"previous": previous_from_rota(published)})
    pins = pin_plan(problem).issues
    if pins:
        raise InputError(locate_issues(input_file, pins))
    return problem, warnings, published


def _write_all(
    interrupts: Interrupts,
    problem: Problem,
    result: Result,
    output: Path,
    folders: tuple[Path | None, Path | None],
    force: bool,
) -> None:
    """The rota, the schools' workbooks and the therapists' files, all or none; then the
    previous run's school files go (the new set is complete)."""
    schools, therapists = folders
    run_id = new_run_id()
    school_files: list[Path] = []
    notes: list[str] = []
    therapist_files: list[Path] = []
    therapist_count: list[int] = []

    def write() -> list[Path]:
        write_result(problem, result, output, force)
        if schools is not None:
            from rota.reports.schools import write_school_workbooks

            school_files.extend(write_school_workbooks(problem, result, schools, force=force))
        if therapists is not None:
            from rota.reports.therapists import write_therapist_files

            files, more = write_therapist_files(problem, result, therapists, force=force)
            notes.extend(more)
            therapist_count.append(sum(f.workbook is not None for f in files))
            therapist_files.extend(
                p for f in files for p in (f.workbook, f.calendar) if p is not None
            )
        return [output, *school_files, *therapist_files]

    write_outputs(interrupts, write, run_id)
    if schools is not None:
        remove_previous_run(schools, run_id, school_files)
        click.echo(f"wrote {len(school_files)} school workbooks to {schools}")
    for note in notes:
        click.echo(f"warning: {note}", err=True)
    if therapists is not None:
        count = sum(therapist_count)
        click.echo(f"wrote {count} therapists' workbooks and calendars to {therapists}")
