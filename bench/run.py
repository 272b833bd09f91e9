"""Run the solver benchmarks, each in its own subprocess, and write the results and a table.

``python -m bench.run`` runs every case with fixed seeds; ``--only NAME`` picks cases;
``--quick`` is a smoke run (small and a 100-referral service, 10 s each). Every run is measured
against the greedy baseline (first feasible placement, as a coordinator fills a grid by hand)
computed in the same process, and every rota is passed through the independent checker: a run
whose rota fails is marked FAILED in the table, never left out.

The services are demo generator 1's (``version=1``), pinned so that today's figures can be
rerun side by side with older commits' (generator 2, the default since, draws other services).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
import platform
import re
import resource
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from rota.reports.atomic import write_atomic

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
QUICK_RESULTS_DIR = RESULTS_DIR / "quick"
#: The solver's own seed; each service has its own generator seed in its Case.
SOLVER_SEED = 0
WORKERS = 2
#: Scaling series: a county-shaped service (sites and therapists in proportion), 60 s each.
SCALING_REFERRALS: tuple[int, ...] = (100, 300, 600, 1200, 1800, 3600)

Record = dict[str, Any]


@dataclass(frozen=True)
class Case:
    """One benchmark run: a demo service (size, seed, variants) and a time limit."""

    name: str
    size: str
    time_limit: float
    seed: int = 1
    referrals: int | None = None
    demand: float | None = None
    sparse: bool = False
    scaling: bool = False


CASES: tuple[Case, ...] = (
    Case("small", "small", 30),
    Case("county", "county", 60),
    Case("region", "region", 300),
    Case("tight-county", "county", 60, demand=1.2),
    Case("sparse-county", "county", 60, sparse=True),
    *(Case(f"scale-{n}", "county", 60, referrals=n, scaling=True) for n in SCALING_REFERRALS),
)

QUICK_CASES: tuple[Case, ...] = (
    Case("small", "small", 10),
    Case("scale-100", "county", 10, referrals=100, scaling=True),
)


# --------------------------------------------------------------------------------------------
# Figures from one run (pure functions, tested without a solver)
# --------------------------------------------------------------------------------------------

_MESSAGE = re.compile(
    r"\((?P<strategy>\w+) strategy, (?P<options>\d+) placement options"
    r"(?:, (?P<variables>\d+) variables, (?P<constraints>\d+) constraints)?\)"
)


def parse_model_size(message: str) -> dict[str, Any]:
    """Strategy, placement options, variables and constraints from ``Result.message``
    (None where the message does not say, e.g. variables under LNS)."""
    match = _MESSAGE.search(message)
    if match is None:
        return {"strategy": None, "options": None, "variables": None, "constraints": None}
    return {
        "strategy": match["strategy"],
        "options": int(match["options"]),
        "variables": int(match["variables"]) if match["variables"] else None,
        "constraints": int(match["constraints"]) if match["constraints"] else None,
    }


def time_to_within(history: Sequence[Record], fraction: float) -> float | None:
    """Seconds until the best rota's objective was within ``fraction`` of the final one
    (objectives are minimised; the final one is the last, best, in the history)."""
    if not history:
        return None
    final = min(h["objective"] for h in history)
    for h in history:
        if h["objective"] - final <= fraction * abs(final):
            return float(h["elapsed"])
    return None  # unreachable: the final entry itself is within any fraction


def ratio(num: float | None, den: float | None) -> float | None:
    """num / den, or None when either is missing or den is 0."""
    if num is None or den is None or den == 0:
        return None
    return num / den


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB (ru_maxrss is KB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# --------------------------------------------------------------------------------------------
# The child: one run, one JSON
# --------------------------------------------------------------------------------------------


def measure(case: Case) -> Record:
    """Generate the service, measure the greedy baseline, solve, check: every figure of one run."""
    # Imported here so that the parent process stays light (ortools loads in the child only).
    from rota.demo import generate_problem
    from rota.evaluate.check import check
    from rota.evaluate.kpis import compute_kpis
    from rota.scheduler.candidates import build_candidates
    from rota.scheduler.greedy import greedy_rota
    from rota.scheduler.params import SolveParams
    from rota.scheduler.progress import Progress
    from rota.scheduler.solve import solve

    t0 = time.perf_counter()
    problem = generate_problem(
        case.size,
        case.seed,
        referrals=case.referrals,
        demand=case.demand,
        sparse=case.sparse,
        version=1,  # the services older results were measured on (see the docstring)
    )
    generate_seconds = time.perf_counter() - t0

    t0 = time.perf_counter()
    candidates = build_candidates(problem)
    candidates_seconds = time.perf_counter() - t0
    greedy = greedy_rota(problem, candidates)
    greedy_seconds = time.perf_counter() - t0
    greedy_kpis = compute_kpis(problem, greedy)
    greedy_violations = check(problem, greedy)
    del candidates  # the solver builds its own; keep the peak memory the solver's

    history: list[Record] = []

    def on_progress(p: Progress) -> None:
        history.append(
            {
                "elapsed": round(p.elapsed, 3),
                "scheduled": p.scheduled,
                "objective": p.objective,
                "bound": None if math.isnan(p.bound) else p.bound,
                "source": p.source,
            }
        )

    params = SolveParams(time_limit=case.time_limit, workers=WORKERS, seed=SOLVER_SEED)
    result = solve(problem, params, on_progress=on_progress)
    violations = check(problem, result.rota)
    kpis = result.kpis or compute_kpis(problem, result.rota)
    model = parse_model_size(result.message)
    solver_bug = result.message.startswith("BUG")
    check_ok = not violations and not result.violations and not solver_bug
    bound = result.weighted_upper_bound
    cp_sat_times = [h["elapsed"] for h in history if h["source"] == "cp-sat"]
    greedy_times = [h["elapsed"] for h in history if h["source"] == "greedy"]
    return {
        "name": case.name,
        "case": dataclasses.asdict(case),
        "solver_seed": SOLVER_SEED,
        "workers": WORKERS,
        "source": source_version(),
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "referrals": len(problem.referrals),
        "therapists": len(problem.therapists),
        "sites": len(problem.sites),
        "rooms": len(problem.rooms),
        "generate_seconds": round(generate_seconds, 3),
        # Inside solve(): candidates and the greedy rota, before any model is built.
        "setup_seconds": greedy_times[0] if greedy_times else None,
        # Model build, presolve and the first CP-SAT solution (full strategy only).
        "first_cp_sat_seconds": cp_sat_times[0] if cp_sat_times else None,
        "first_rota_seconds": result.first_solution_seconds,
        "within_1pct_seconds": time_to_within(history, 0.01),
        "wall_seconds": round(result.wall_seconds, 3),
        "status": result.status,
        "strategy": model["strategy"],
        "placement_options": model["options"],
        "variables": model["variables"],
        "constraints": model["constraints"],
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap if result.bound is not None else None,
        "bound_source": result.bound_source,
        # Net of the referrals no rota can place (a constant that hides every other figure).
        "unplaceable": result.unplaceable,
        "net_objective": result.net_objective,
        "net_bound": result.net_bound,
        "net_gap": result.net_gap,
        "final_cost": sum(t.cost for t in result.costs),
        "scheduled": kpis.scheduled,
        "weighted_scheduled": kpis.weighted_scheduled,
        "weighted_total": kpis.weighted_total,
        "weighted_upper_bound": bound,
        "weighted_ratio": ratio(kpis.weighted_scheduled, bound),
        "travel_minutes": kpis.travel_minutes,
        "continuity_kept": kpis.continuity_kept,
        "continuity_possible": kpis.continuity_possible,
        "preferred_met": kpis.preferred_met,
        "check_ok": check_ok,
        "check_violations": [str(v) for v in violations][:20],
        "num_check_violations": len(violations),
        "solver_violations": list(result.violations)[:20],
        "message": result.message,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "history": history,
        "greedy": {
            "seconds": round(greedy_seconds, 3),
            "candidates_seconds": round(candidates_seconds, 3),
            "scheduled": greedy_kpis.scheduled,
            "weighted_scheduled": greedy_kpis.weighted_scheduled,
            "weighted_ratio": ratio(greedy_kpis.weighted_scheduled, bound),
            "travel_minutes": greedy_kpis.travel_minutes,
            "continuity_kept": greedy_kpis.continuity_kept,
            "check_ok": not greedy_violations,
            "num_check_violations": len(greedy_violations),
        },
        "vs_greedy": {
            "scheduled": ratio(kpis.scheduled, greedy_kpis.scheduled),
            "weighted": ratio(kpis.weighted_scheduled, greedy_kpis.weighted_scheduled),
            "travel": ratio(kpis.travel_minutes, greedy_kpis.travel_minutes),
            "continuity": ratio(kpis.continuity_kept, greedy_kpis.continuity_kept),
        },
    }


def source_version() -> str:
    """The git commit of the code measured, with '+changes' when rota/ differs from it."""
    root = BENCH_DIR.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "rota"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    return head + ("+changes" if dirty else "")


def write_json(path: Path, record: Record) -> None:
    """Write one run's record atomically."""
    text = json.dumps(record, indent=2, sort_keys=False) + "\n"
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# The parent: one subprocess per case
# --------------------------------------------------------------------------------------------


def child_timeout(case: Case) -> float:
    """Wall-clock allowance for one child: the solve, the greedy baseline twice, generation."""
    return 3 * case.time_limit + 600


def run_child(case: Case, out: Path, command: str) -> Record:
    """Run ``case`` in a fresh Python process; a crash, a kill or a timeout becomes a FAILED
    record with the reason (and the child's last words), written to ``out`` like any other."""
    cmd = [sys.executable, "-m", "bench.run", "--child", json.dumps(dataclasses.asdict(case))]
    cmd += ["--child-out", str(out)]
    started = time.perf_counter()
    error: str | None = None
    try:
        proc = subprocess.run(
            cmd,
            cwd=BENCH_DIR.parent,
            capture_output=True,
            text=True,
            timeout=child_timeout(case),
            check=False,
        )
        if proc.returncode != 0:
            tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
            error = f"exit code {proc.returncode}" + (f": {tail}" if tail else "")
    except subprocess.TimeoutExpired:
        error = f"no result within {child_timeout(case):.0f} s: killed"
    if error is None:
        record: Record = {**json.loads(out.read_text(encoding="utf-8")), "command": command}
        write_json(out, record)
        return record
    failed: Record = {
        "name": case.name,
        "command": command,
        "case": dataclasses.asdict(case),
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "error": error,
        "check_ok": False,
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    write_json(out, failed)
    return failed


# --------------------------------------------------------------------------------------------
# Table, RESULTS.md
# --------------------------------------------------------------------------------------------


def _num(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _pct(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{100 * x:.{digits}f}%"


def verdict(record: Record) -> str:
    """PASS, or FAILED with the reason: a crashed run or a rota that fails the checker."""
    if "error" in record:
        return f"FAILED ({record['error'][:80]})"
    if record["check_ok"]:
        return "PASS"
    if record.get("message", "").startswith("BUG"):
        return "FAILED (solver rota failed check; greedy returned)"
    return f"FAILED ({record.get('num_check_violations', '?')} violations)"


def markdown_table(records: Sequence[Record]) -> str:
    """The solver's figures, one row per run."""
    head = (
        "| run | referrals | status | check | strategy | first rota s | within 1% s | wall s "
        "| scheduled | weighted / bound | objective | net objective | net gap | travel min "
        "| continuity | peak RSS MB | vars / constraints |"
    )
    lines = [head, head_rule(head)]
    for r in records:
        if "error" in r:
            lines.append(
                f"| {r['name']} | n/a | n/a | {verdict(r)} | n/a | n/a | n/a "
                f"| {_num(r.get('wall_seconds'))} | n/a | n/a | n/a | n/a | n/a | n/a | n/a "
                "| n/a | n/a |"
            )
            continue
        model = (
            f"{r['variables']} / {r['constraints']}" if r.get("variables") is not None else "n/a"
        )
        lines.append(
            f"| {r['name']} | {r['referrals']} | {r['status']} | {verdict(r)} "
            f"| {r.get('strategy') or 'n/a'} | {_num(r['first_rota_seconds'])} "
            f"| {_num(r['within_1pct_seconds'])} | {_num(r['wall_seconds'])} "
            f"| {r['scheduled']} / {r['referrals']} "
            f"| {r['weighted_scheduled']} / {r['weighted_upper_bound']} "
            f"= {_pct(r['weighted_ratio'])} | {_num(r.get('objective'), 0)} "
            f"| {_num(r.get('net_objective'), 0)} | {_pct(r.get('net_gap'))} "
            f"| {r['travel_minutes']} "
            f"| {r['continuity_kept']} / {r['continuity_possible']} | {_num(r['peak_rss_mb'], 0)} "
            f"| {model} |"
        )
    return "\n".join(lines)


def greedy_table(records: Sequence[Record]) -> str:
    """The greedy baseline measured in the same run, and the solver's ratios to it."""
    head = (
        "| run | greedy s | greedy scheduled | greedy weighted / bound | greedy travel min "
        "| greedy continuity | greedy check | scheduled x | weighted x | travel x | continuity x |"
    )
    lines = [head, head_rule(head)]
    for r in records:
        if "error" in r:
            continue
        g, v = r["greedy"], r["vs_greedy"]
        lines.append(
            f"| {r['name']} | {_num(g['seconds'])} | {g['scheduled']} "
            f"| {g['weighted_scheduled']} = {_pct(g['weighted_ratio'])} | {g['travel_minutes']} "
            f"| {g['continuity_kept']} | {'PASS' if g['check_ok'] else 'FAILED'} "
            f"| {_num(v['scheduled'], 3)} | {_num(v['weighted'], 3)} | {_num(v['travel'], 2)} "
            f"| {_num(v['continuity'], 2)} |"
        )
    return "\n".join(lines)


def head_rule(head: str) -> str:
    """The markdown rule under a header row."""
    return "|" + "---|" * (head.count("|") - 1)


def _met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "NOT met")


def targets(records: Sequence[Record]) -> list[str]:
    """The service's targets for the county and region runs, and how the scaling series grows."""
    by_name = {r["name"]: r for r in records if "error" not in r}
    out: list[str] = []
    county = by_name.get("county")
    if county:
        g, gap = county["greedy"], county["gap"]
        travel_x = county["vs_greedy"]["travel"]
        at_least_as_many = county["scheduled"] >= g["scheduled"]
        out += [
            f"- county 60 s: checked rota within 5 s: "
            f"{_met(county['check_ok'] and (county['first_rota_seconds'] or 1e9) <= 5)} "
            f"({_num(county['first_rota_seconds'])} s)",
            f"- county: >= 99.5% of the weighted bound: "
            f"{_met((county['weighted_ratio'] or 0) >= 0.995)} ({_pct(county['weighted_ratio'])})",
            f"- county: gap <= 1%: {_met(None if gap is None else gap <= 0.01)} ("
            + (
                _pct(gap)
                if gap is not None
                else f"not measurable: the {county['strategy']} strategy proves no bound"
            )
            + ")",
            f"- county: travel <= 0.6x greedy while scheduling at least as many: "
            f"{_met(travel_x is not None and travel_x <= 0.6 and at_least_as_many)}"
            f" ({_num(travel_x, 2)}x; {county['scheduled']} vs {g['scheduled']} scheduled)",
        ]
    region = by_name.get("region")
    if region:
        out += [
            f"- region 300 s: checked rota within 30 s: "
            f"{_met(region['check_ok'] and (region['first_rota_seconds'] or 1e9) <= 30)} "
            f"({_num(region['first_rota_seconds'])} s)",
            f"- region: >= 99% of the weighted bound: "
            f"{_met((region['weighted_ratio'] or 0) >= 0.99)} ({_pct(region['weighted_ratio'])})",
            f"- region: peak memory < 2 GB: {_met(region['peak_rss_mb'] < 2048)} "
            f"({_num(region['peak_rss_mb'], 0)} MB)",
        ]
    scaling = sorted(
        (r for r in records if r["case"].get("scaling") and "error" not in r),
        key=lambda r: r["referrals"],
    )
    for strategy in ("any", "full", "lns"):
        runs = [r for r in scaling if strategy == "any" or r.get("strategy") == strategy]
        if len(runs) < 2:
            continue
        keys = [("first_rota_seconds", "time to first rota", "s")]
        if strategy != "any":
            # Memory depends on the strategy far more than on size: fit each on its own.
            keys = [("peak_rss_mb", f"peak RSS ({strategy} strategy runs)", "MB")]
        for key, label, unit in keys:
            slope = loglog_slope([r["referrals"] for r in runs], [r[key] or 0.0 for r in runs])
            out.append(
                f"- scaling, {label}: grows as referrals^{_num(slope, 2)} (1.0 = linear): "
                + ", ".join(
                    f"{r['referrals']}: {_num(r[key], 2 if unit == 's' else 0)} {unit}"
                    for r in runs
                )
            )
    return out


_NEIGHBOURHOODS = re.compile(r"\((\d+) neighbourhoods, (\d+) improvements\)")


def observations(records: Sequence[Record]) -> list[str]:
    """What a reader of the tables should not miss: overruns, searches that never started,
    the same service run twice (its spread is the noise), and failed runs."""
    out: list[str] = []
    for r in records:
        if "error" in r:
            out.append(f"- {r['name']}: FAILED: {r['error']}")
            continue
        limit = r["case"]["time_limit"]
        if r["wall_seconds"] > 1.1 * limit:
            last = r["history"][-1] if r["history"] else None
            out.append(
                f"- {r['name']}: the solve took {_num(r['wall_seconds'], 1)} s against a "
                f"{limit:g} s limit"
                + (
                    f" (first rota at {_num(r['first_rota_seconds'], 1)} s, last improvement at "
                    f"{_num(last['elapsed'], 1)} s from '{last['source']}')"
                    if last
                    else ""
                )
            )
        match = _NEIGHBOURHOODS.search(r.get("message", ""))
        if match and int(match[1]) == 0:
            out.append(
                f"- {r['name']}: LNS ran no neighbourhood within the time (the rota is the "
                "greedy or insertion start)"
            )
    seen: dict[tuple[Any, ...], Record] = {}
    for r in records:
        if "error" in r:
            continue
        c = r["case"]
        key: tuple[Any, ...] = (c["size"], c["seed"], c["demand"], c["sparse"])
        key += (r["referrals"], r["therapists"], r["sites"], r["rooms"], r["weighted_upper_bound"])
        first = seen.setdefault(key, r)
        if first is not r:
            out.append(
                f"- {first['name']} and {r['name']} are the same service: travel "
                f"{first['travel_minutes']} vs {r['travel_minutes']} min, scheduled "
                f"{first['scheduled']} vs {r['scheduled']}, within 1% at "
                f"{_num(first['within_1pct_seconds'], 1)} vs {_num(r['within_1pct_seconds'], 1)} s "
                "(the spread is run-to-run noise on a shared machine)"
            )
    full = [r for r in records if "error" not in r and r.get("strategy") == "full"]
    lns = [r for r in records if "error" not in r and r.get("strategy") == "lns"]
    if full and lns:
        out.append(
            "- peak memory: full CP-SAT model runs "
            + ", ".join(f"{r['name']} {_num(r['peak_rss_mb'], 0)} MB" for r in full)
            + "; LNS runs at most "
            + f"{_num(max(r['peak_rss_mb'] for r in lns), 0)} MB"
        )
    return out


def loglog_slope(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Least-squares slope of log y against log x (the exponent of a power law)."""
    pairs = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if x > 0 and y > 0]
    if len(pairs) < 2:
        return None
    mx = sum(p[0] for p in pairs) / len(pairs)
    my = sum(p[1] for p in pairs) / len(pairs)
    sxx = sum((p[0] - mx) ** 2 for p in pairs)
    if sxx == 0:
        return None
    return sum((p[0] - mx) * (p[1] - my) for p in pairs) / sxx


def results_markdown(records: Sequence[Record], command: str | None, plot: Path | None) -> str:
    """The whole RESULTS.md: machine, versions, command, tables, targets, observations.
    ``command`` is this invocation's when it ran anything (None: the table was only rewritten)."""
    from importlib.metadata import version

    commands = sorted({r["command"] for r in records if r.get("command")})
    if command is not None and command not in commands:
        commands.append(command)
    dates = sorted(r["date"] for r in records)
    scaling_limits = sorted({r["case"]["time_limit"] for r in records if r["case"].get("scaling")})
    sources = sorted({r["source"] for r in records if r.get("source")})
    lines = [
        "# rota benchmark results",
        "",
        "- runs: "
        + (f"{dates[0]} to {dates[-1]}" if dates else "none")
        + f"; written {dt.datetime.now().isoformat(timespec='minutes')}",
        f"- machine: {os.cpu_count()} cores ({platform.machine()}, {platform.system()}), "
        f"Python {platform.python_version()}, OR-Tools {version('ortools')}",
        "- command: " + "; ".join(f"`{c}`" for c in commands),
        "- code measured (git): " + (", ".join(sources) or "n/a"),
        f"- solver: {WORKERS} workers, seed {SOLVER_SEED}; demo services seed 1; each run in its "
        "own subprocess (peak RSS is that process's, greedy baseline included)",
        "- scaling series: county-shaped services (sites and therapists in proportion to "
        "referrals), a fixed limit of "
        + (", ".join(f"{t:g}" for t in scaling_limits) or "n/a")
        + " s each (not proportional to size)",
        "- other processes shared the cores during the runs: times are noisy, read the ratios",
        "- first rota = the greedy rota inside solve(); within 1% = first time the best "
        "objective was within 1% of the final one; gap only when the full CP-SAT model ran",
        "",
        "## Solver",
        "",
        markdown_table(records),
        "",
        "## Greedy baseline (same run) and solver / greedy",
        "",
        greedy_table(records),
        "",
        "## Targets",
        "",
        *(targets(records) or ["- (no county, region or scaling run in this set)"]),
        "",
        "## Observations",
        "",
        *(observations(records) or ["- none"]),
        "",
    ]
    if plot is not None:
        lines += ["## Scaling", "", f"![scaling]({plot.name})", ""]
    return "\n".join(lines)


@click.command()
@click.option("--only", "only", multiple=True, help="Run only these cases (repeatable).")
@click.option("--quick", is_flag=True, help="Smoke run: small and 100 referrals, 10 s each.")
@click.option("--time-limit", type=float, default=None, help="Override every case's limit.")
@click.option(
    "--results-dir", type=click.Path(path_type=Path), default=None, help="Where JSONs go."
)
@click.option("--markdown", type=click.Path(path_type=Path), default=None, help="RESULTS.md path.")
@click.option("--plot/--no-plot", default=True, help="Write the scaling plot.")
@click.option("--report-only", is_flag=True, help="Run nothing: rewrite the table from the JSONs.")
@click.option("--child", hidden=True, default=None)
@click.option("--child-out", hidden=True, type=click.Path(path_type=Path), default=None)
def main(
    only: tuple[str, ...],
    quick: bool,
    time_limit: float | None,
    results_dir: Path | None,
    markdown: Path | None,
    plot: bool,
    report_only: bool,
    child: str | None,
    child_out: Path | None,
) -> None:
    """Run the benchmarks and write bench/results/*.json, bench/RESULTS.md, bench/scaling.png."""
    if child is not None:
        if child_out is None:
            raise click.UsageError("--child needs --child-out")
        write_json(child_out, measure(Case(**json.loads(child))))
        return
    cases = QUICK_CASES if quick else CASES
    known = {c.name for c in cases}
    unknown = [n for n in only if n not in known]
    if unknown:
        raise click.UsageError(
            f"unknown case {', '.join(unknown)} (use {', '.join(c.name for c in cases)})"
        )
    selected = [c for c in cases if not only or c.name in only]
    if time_limit is not None:
        selected = [dataclasses.replace(c, time_limit=time_limit) for c in selected]
    out_dir = results_dir or (QUICK_RESULTS_DIR if quick else RESULTS_DIR)
    md_path = markdown or (out_dir / "RESULTS.md" if quick else BENCH_DIR / "RESULTS.md")
    command = shlex.join(["python", "-m", "bench.run", *sys.argv[1:]])
    for case in [] if report_only else selected:
        click.echo(f"running {case.name} ({case.time_limit:g} s limit) ...", err=True)
        record = run_child(case, out_dir / f"{case.name}.json", command)
        click.echo(f"  {case.name}: {verdict(record)}", err=True)
    # The table holds every case of this set that has a result, re-run now or earlier.
    records = [
        json.loads((out_dir / f"{c.name}.json").read_text(encoding="utf-8"))
        for c in cases
        if (out_dir / f"{c.name}.json").exists()
    ]
    plot_path: Path | None = None
    if plot and any(r["case"].get("scaling") and "error" not in r for r in records):
        from bench.plot import plot_scaling

        plot_path = plot_scaling(records, md_path.parent / "scaling.png")
    text = results_markdown(records, None if report_only else command, plot_path)
    # The Sweeps section is bench.sweep's, the side-by-side one bench.versus's: keep them.
    from bench.sections import kept_sections

    text += kept_sections(md_path)
    write_atomic(md_path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    click.echo(markdown_table(records))
    click.echo("")
    click.echo(greedy_table(records))
    click.echo(f"\nwrote {md_path}")
    if any(verdict(r) != "PASS" for r in records):
        sys.exit(1)


if __name__ == "__main__":
    main()
