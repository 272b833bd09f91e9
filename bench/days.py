"""Issue 14's day rules on the county demo: the same service solved with and without them.

``python -m bench.days --seconds 60`` generates the county demo (``generate_problem('county',
1)``) and solves it twice, each in its own process one after the other (2 workers, seed 0):
once with the realistic values (``arrival_minutes`` 10, ``max_sites_per_day`` 3,
``long_drive_minutes`` 45, as generator 2's demo comes) and once with them off (set on the
Settings with ``model_copy``: as a workbook that does not mention them). Each rota must pass
the independent checker; per run it reports what the
rules are about: placed referrals, travel minutes (driving and arrival apart, arrival counted
at the run's own settings, with the number of arrivals so the runs compare), the longest
single drive, drives of 60 minutes or more, drives of 2 minutes or less between different
sites, sites per therapist-day (most and mean), the most driving of one therapist in the week
and the objective. Results: ``bench/results/days/<seconds>.json`` and the ``days`` section of
``bench/RESULTS.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

import click

from bench.sections import marks, replace_section
from rota.models import Problem, Rota
from rota.reports.atomic import write_atomic

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "results" / "days"
RESULTS_MD = BENCH_DIR / "RESULTS.md"
SECTION = "days"
SIZE, SEED_SERVICE = "county", 1
WORKERS, SEED = 2, 0
#: The realistic values the template writes.
REALISTIC: dict[str, int] = {
    "arrival_minutes": 10,
    "max_sites_per_day": 3,
    "long_drive_minutes": 45,
}
#: The same settings off (as a workbook that does not mention them).
OFF: dict[str, int | None] = {
    "arrival_minutes": 0,
    "max_sites_per_day": None,
    "long_drive_minutes": None,
}
LONG, SHORT = 60, 2  # a drive of LONG minutes or more is long; of SHORT or less, a hop


def with_rules(problem: Problem, on: bool) -> Problem:
    """The service with the realistic day rules on, or off (generator 2's demo comes with them
    on; everything else as the demo comes)."""
    settings = problem.settings.model_copy(update=REALISTIC if on else OFF)
    return problem.model_copy(update={"settings": settings})


def figures(problem: Problem, rota: Rota) -> dict[str, Any]:
    """What the day rules are about, measured on a rota: legs from the base through each day's
    sites (in start order) and back."""
    stops: dict[tuple[str, str], list[str]] = defaultdict(list)
    for s in sorted(rota.sessions, key=lambda s: s.start):
        for tid in dict.fromkeys(s.therapist_ids):
            stops[(tid, s.day)].append(s.site_id)
    driving = arrival = arrivals = longest = long = hops = 0
    week: dict[str, int] = defaultdict(int)
    sites_per_day: list[int] = []
    for (tid, _day), sites in stops.items():
        base = problem.therapist_by_id[tid].base_site_id
        route = [base, *sites, base]
        sites_per_day.append(len(set(sites)))
        for i, (a, b) in enumerate(zip(route, route[1:], strict=False)):
            if a == b:
                continue
            drive = problem.travel_minutes(a, b)
            driving += drive
            week[tid] += drive
            longest = max(longest, drive)
            long += drive >= LONG
            hops += drive <= SHORT
            if i < len(route) - 2:  # not the final return to the base
                arrivals += 1
                arrival += problem.arrival_minutes(b)
    most = max(week, key=lambda t: (week[t], t), default=None)
    contact = sum(s.minutes for s in rota.sessions if most in s.therapist_ids)
    return {
        "placed": len(rota.sessions),
        "referrals": len(problem.referrals),
        "driving_minutes": driving,
        "arrival_minutes": arrival,
        "arrivals": arrivals,
        "travel_minutes": driving + arrival,
        "longest_drive": longest,
        f"drives_{LONG}_plus": long,
        f"drives_{SHORT}_or_less": hops,
        "max_sites_per_day": max(sites_per_day, default=0),
        "mean_sites_per_day": round(sum(sites_per_day) / len(sites_per_day), 2)
        if sites_per_day
        else 0.0,
        "max_weekly_driving": week[most] if most else 0,
        "max_weekly_driving_therapist": most,
        "their_contact_minutes": contact,
    }


def solve_run(on: bool, seconds: float) -> dict[str, Any]:
    """One run in this process: the county demo, the rules on or off, solved and checked."""
    from rota.demo import generate_problem
    from rota.evaluate.check import check
    from rota.scheduler import SolveParams
    from rota.scheduler.solve import solve

    problem = with_rules(generate_problem(SIZE, SEED_SERVICE), on)
    result = solve(problem, SolveParams(time_limit=seconds, workers=WORKERS, seed=SEED))
    broken = check(problem, result.rota)
    assert not broken and not result.violations, [str(v) for v in broken]
    return {
        "rules": "on" if on else "off",
        "settings": REALISTIC if on else OFF,
        "seconds": seconds,
        "objective": result.objective,
        "status": result.status,
        "wall_seconds": round(result.wall_seconds, 1),
        "costs": {t.label: t.units for t in result.costs},
        **figures(problem, result.rota),
    }


def in_own_process(on: bool, seconds: float) -> dict[str, Any]:
    """:func:`solve_run` in a fresh process (so neither run warms the other's caches)."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(solve_run, (on, seconds))


ROWS: tuple[tuple[str, str], ...] = (
    ("placed", "referrals placed"),
    ("travel_minutes", "travel minutes a week (driving + arrival)"),
    ("driving_minutes", "driving minutes"),
    ("arrival_minutes", "arrival minutes (at the run's settings)"),
    ("arrivals", "arrivals at a site"),
    ("longest_drive", "longest single drive (minutes)"),
    (f"drives_{LONG}_plus", f"drives of {LONG} minutes or more"),
    (f"drives_{SHORT}_or_less", f"drives of {SHORT} minutes or less between different sites"),
    ("max_sites_per_day", "most sites in a therapist-day"),
    ("mean_sites_per_day", "mean sites per therapist-day"),
    ("max_weekly_driving", "most driving of one therapist in the week (minutes)"),
    ("their_contact_minutes", "that therapist's contact minutes"),
    ("objective", "objective"),
)


def markdown(records: list[dict[str, Any]], commit: str, date: str) -> str:
    """The ``days`` section of RESULTS.md: one column per run."""
    start, end = marks(SECTION)
    seconds = records[0]["seconds"]
    values = ", ".join(f"`{k}` {v}" for k, v in REALISTIC.items())
    lines = [
        start,
        "## Day rules (issue 14) on the county demo",
        "",
        f"`python -m bench.days --seconds {seconds:g}` at {commit} on {date}: the county demo "
        f"solved for {seconds:g} s (2 workers, seed 0), with {values} and without; each rota "
        "passes `check`.",
        "",
        "| figure | " + " | ".join(f"rules {r['rules']}" for r in records) + " |",
        "|---|" + "---:|" * len(records),
    ]
    for key, label in ROWS:
        cells = [_cell(r[key]) for r in records]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append(end)
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    if isinstance(value, int | float):
        return f"{int(value):,}"
    return str(value)


@click.command()
@click.option("--seconds", type=float, default=60.0, show_default=True, help="Per run.")
def main(seconds: float) -> None:
    """Solve the county demo with the day rules on and off and record both."""
    records = []
    for on in (True, False):
        click.echo(f"rules {'on' if on else 'off'}: solving for {seconds:g} s ...")
        record = in_own_process(on, seconds)
        click.echo(
            f"  placed {record['placed']}/{record['referrals']}, travel "
            f"{record['travel_minutes']:,} min, objective {record['objective']:,.0f}"
        )
        records.append(record)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    date = dt.date.today().isoformat()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    payload = {"commit": commit, "date": date, "runs": records}
    body = json.dumps(payload, indent=2) + "\n"
    write_atomic(OUT_DIR / f"{seconds:g}.json", lambda p: p.write_text(body, encoding="utf-8"))
    text = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else "# Benchmarks\n"
    new = replace_section(text, SECTION, markdown(records, commit, date))
    write_atomic(RESULTS_MD, lambda p: p.write_text(new, encoding="utf-8"))
    click.echo(f"wrote {OUT_DIR / f'{seconds:g}.json'} and the '{SECTION}' section of RESULTS.md")


if __name__ == "__main__":
    main()
