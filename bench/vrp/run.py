"""Rota against the proven optimum on VRP-shaped services built from Solomon's instances.

``python -m bench.vrp.run`` writes each instance's 25-customer service as an input workbook
(rota's own writer) and checks that ``rota validate`` accepts it; then, each in its own
subprocess and one after another, proves the optimum with both independent exact models
(``bench/vrp/exact.py``: CP-SAT circuits, then a time-expanded MIP; where both prove one they
must agree) and runs rota's ``solve()`` with 2 workers for 30 s. Each exact solution goes
through rota's cost evaluator and checker, which must agree with the model.
Results: ``bench/results/vrp/<NAME>.json`` and ``bench/results/vrp/RESULTS.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from bench.run import head_rule, source_version, write_json
from bench.vrp.solomon import (
    DEFAULT_CUSTOMERS,
    INSTANCE_NAMES,
    read_instance,
    service_name,
    time_scale,
    write_service,
)
from rota.reports.atomic import write_atomic

BENCH_DIR = Path(__file__).resolve().parents[1]
RESULTS_DIR = BENCH_DIR / "results" / "vrp"
WORKERS = 2
SEED = 0
ROTA_SECONDS = 30.0
CIRCUIT_SECONDS = 120.0
EXACT_SECONDS = 600.0

Record = dict[str, Any]


# --------------------------------------------------------------------------------------------
# Children: one exact solve or one rota solve, one JSON each
# --------------------------------------------------------------------------------------------


def measure_exact(service: Path, seconds: float, method: str) -> Record:
    """One exact model on a service, and what rota's evaluator and checker say of its rota.
    The circuit model's child also finds the travel-only optimum (a guide to the instance)."""
    from bench.vrp.exact import Method, routes_to_rota, solve_exact
    from rota.evaluate.check import check
    from rota.evaluate.costs import cost_terms
    from rota.evaluate.weights import Weights
    from rota.io.load import read_problem

    problem = read_problem(service)
    kind: Method = "timed" if method == "timed" else "circuit"
    result = solve_exact(problem, method=kind, time_limit=seconds, workers=WORKERS)
    record: Record = {
        "method": kind,
        "status": result.status,
        "objective": result.objective,
        "model_objective": result.model_objective,
        "bound": result.bound,
        "seconds": round(result.seconds, 3),
        "travel": result.travel,
        "span": result.span,
        "routes": [[rid for rid, _ in route] for route in result.routes],
    }
    if result.objective is not None:
        rota = routes_to_rota(problem, result)
        terms = cost_terms(problem, rota, Weights())
        record["evaluator_cost"] = sum(t.cost for t in terms)
        record["evaluator_terms"] = {t.label: t.units for t in terms}
        record["check_violations"] = [str(v) for v in check(problem, rota)]
    if kind == "circuit":
        only = solve_exact(problem, time_limit=seconds, workers=WORKERS, weights=Weights(idle=0))
        record["travel_only"] = {
            "status": only.status,
            "travel": only.travel,
            "routes": len(only.routes),
            "seconds": round(only.seconds, 3),
        }
    return record


def best_of(models: dict[str, Record]) -> Record:
    """The optimum from the exact models: the quickest proof, else the best rota and bound."""
    ok = [m for m in models.values() if "error" not in m and m.get("objective") is not None]
    if not ok:
        return {"error": "; ".join(str(m.get("error", m.get("status"))) for m in models.values())}
    proven = sorted((m for m in ok if m["status"] == "OPTIMAL"), key=lambda m: m["seconds"])
    best = proven[0] if proven else min(ok, key=lambda m: m["objective"])
    bounds = [m["bound"] for m in models.values() if m.get("bound") is not None]
    return {
        **best,
        "status": "OPTIMAL" if proven else "FEASIBLE",
        "bound": best["objective"] if proven else max(bounds),
        "proved_by": [m["method"] for m in proven],
        "agree": len({m["objective"] for m in proven}) <= 1,
    }


def measure_rota(service: Path, seconds: float) -> Record:
    """rota's solve() on a service: its rota's figures, its own status and bound, its history."""
    from rota.evaluate.check import check
    from rota.io.load import read_problem
    from rota.scheduler.bound import lower_bound
    from rota.scheduler.params import SolveParams
    from rota.scheduler.progress import Progress
    from rota.scheduler.solve import solve

    problem = read_problem(service)
    history: list[Record] = []

    def on_progress(p: Progress) -> None:
        history.append(
            {"elapsed": round(p.elapsed, 3), "objective": p.objective, "source": p.source}
        )

    params = SolveParams(time_limit=seconds, workers=WORKERS, seed=SEED)
    result = solve(problem, params, on_progress=on_progress)
    units = {t.label: t.units for t in result.costs}
    bound = lower_bound(problem)
    return {
        "lower_bound": bound.value,
        "lower_bound_seconds": round(bound.seconds, 2),
        "status": result.status,
        "objective": sum(t.cost for t in result.costs),
        "solver_objective": result.objective,
        "solver_bound": result.bound,
        "travel": units.get("travel minutes"),
        "span": units.get("day span minutes"),
        "scheduled": len(result.rota.sessions),
        "unscheduled": len(result.rota.unscheduled),
        "wall_seconds": round(result.wall_seconds, 3),
        "check_violations": [str(v) for v in check(problem, result.rota)] + list(result.violations),
        "message": result.message,
        "history": history,
    }


# --------------------------------------------------------------------------------------------
# The parent
# --------------------------------------------------------------------------------------------


def run_child(args: list[str], out: Path, timeout: float) -> Record:
    """Run one child (``--child-circuit``, ``--child-timed`` or ``--child-rota``); a failure
    becomes {"error": ...}."""
    cmd = [sys.executable, "-m", "bench.vrp.run", *args, "--child-out", str(out)]
    try:
        proc = subprocess.run(
            cmd, cwd=BENCH_DIR.parent, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"no result within {timeout:.0f} s: killed"}
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        return {"error": f"exit code {proc.returncode}: {tail}"}
    record: Record = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    return record


def validate(service: Path) -> Record:
    """``rota validate`` on the written workbook: its exit code and its last line."""
    proc = subprocess.run(
        [sys.executable, "-m", "rota.cli", "validate", str(service)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    warnings = [line for line in proc.stdout.splitlines() if line.strip().startswith("warning")]
    return {
        "exit_code": proc.returncode,
        "warnings": len(warnings),
        "first_line": (proc.stdout.splitlines() or [""])[0],
    }


def measure_instance(
    name: str,
    out_dir: Path,
    rota_seconds: float,
    circuit_seconds: float,
    exact_seconds: float,
    customers: int,
    reuse: Record | None = None,
) -> Record:
    """Write, validate, solve exactly, solve with rota: the instance's whole record. With
    ``reuse`` (the instance's earlier record, same customers) the exact models' results are
    taken from it instead of proved again."""
    instance = read_instance(name)
    _, service = write_service(instance, out_dir / "services", customers)
    record: Record = {
        "name": name,
        "service": service_name(instance, customers),
        "customers": customers,
        "time_scale": time_scale(instance),
        "horizon": instance.horizon,
        "vehicles": instance.vehicles,
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "source": source_version(),
        "workers": WORKERS,
        "rota_seconds": rota_seconds,
        "validate": validate(service),
    }
    tmp = out_dir / f"{name}.child.json"
    if reuse is not None:
        record["models"] = reuse["models"]
        record["exact_from"] = reuse.get("exact_from", reuse["date"])
    else:
        record["models"] = {
            method: run_child(
                [f"--child-{method}", str(service), "--seconds", str(limit)], tmp, limit * 2 + 300
            )
            for method, limit in (("circuit", circuit_seconds), ("timed", exact_seconds))
        }
    record["exact"] = best_of(record["models"])
    record["rota"] = run_child(
        ["--child-rota", str(service), "--seconds", str(rota_seconds)], tmp, rota_seconds * 3 + 300
    )
    record.update(compare(record["exact"], record["rota"]))
    return record


def compare(exact: Record, rota: Record) -> Record:
    """Gap of rota's objective and travel to the optimum, and when rota first reached it."""
    if "error" in exact or "error" in rota or exact.get("objective") is None:
        return {"gap": None, "travel_gap": None, "optimal": None, "optimum_seconds": None}
    opt = exact["objective"]
    proven = exact["status"] == "OPTIMAL"
    reached = [h["elapsed"] for h in rota["history"] if h["objective"] <= opt]
    return {
        "gap": (rota["objective"] - opt) / opt,
        "travel_gap": (rota["travel"] - exact["travel"]) / exact["travel"],
        "optimal": proven and rota["objective"] == opt,
        "optimum_seconds": reached[0] if reached and proven else None,
    }


def verdict(record: Record) -> str:
    """PASS, or FAILED with the first reason: a crash, a failed check, models or evaluator
    disagreeing, or rota below a proven optimum."""
    exact, rota = record["exact"], record["rota"]
    if record["validate"]["exit_code"] != 0:
        return "FAILED (rota validate)"
    for who, r in (*record.get("models", {}).items(), ("exact", exact), ("rota", rota)):
        if "error" in r and who != "exact":
            return f"FAILED ({who}: {r['error'][:60]})"
        if r.get("check_violations"):
            return f"FAILED ({who}'s rota fails the checker)"
        if (
            r.get("status") == "OPTIMAL"
            and who != "rota"
            and not (
                r.get("evaluator_cost") == r["objective"] == round(r.get("model_objective") or 0)
            )
        ):
            return f"FAILED ({who}: the evaluator or the model's own value disagrees)"
    if "error" in exact:
        return f"FAILED (exact: {exact['error'][:60]})"
    if not exact.get("agree", True):
        return "FAILED (the exact models prove different optima)"
    if exact["status"] == "OPTIMAL" and rota["objective"] < exact["objective"]:
        return "FAILED (rota below the proven optimum)"
    if exact["status"] == "OPTIMAL" and rota.get("lower_bound", 0) > exact["objective"]:
        return "FAILED (rota's lower bound above the proven optimum)"
    return "PASS"


def _f(x: float | None, fmt: str) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, fmt)


def markdown_table(records: Sequence[Record]) -> str:
    """One row per instance: the optimum and its proof, rota's 30 s result and gap."""
    head = (
        "| instance | scale | optimum (travel + span) | routes | proof: circuit s / timed s "
        "| travel-only optimum (routes) | rota (travel + span) | gap | travel gap | optimal "
        "| reached at s | rota says (status, bound) | lower bound (bound.py) | check |"
    )
    lines = [head, head_rule(head)]
    for r in records:
        e, o = r["exact"], r["rota"]
        if "error" in e or "error" in o:
            lines.append(f"| {r['name']} |" + " n/a |" * 13 + f" {verdict(r)} |")
            continue
        only = r["models"]["circuit"].get("travel_only", {})
        share = _ratio(o.get("lower_bound"), e["objective"])
        lines.append(
            f"| {r['name']} | 1:{r['time_scale']} | {e['objective']} ({e['travel']} x 10 + "
            f"{e['span']}) | {len(e['routes'])} | {_proofs(r['models'])} "
            f"| {only.get('travel', 'n/a')} ({only.get('routes', 'n/a')}) "
            f"| {o['objective']} ({o['travel']} x 10 + {o['span']}) | {_f(r['gap'], '.2%')} "
            f"| {_f(r['travel_gap'], '.2%')} | {'yes' if r['optimal'] else 'no'} "
            f"| {_f(r['optimum_seconds'], '.1f')} "
            f"| {o['status']}, {_f(o['solver_bound'], '.0f')} "
            f"| {o.get('lower_bound', 'n/a')} ({_f(share, '.0%')}) "
            f"| {verdict(r)} |"
        )
    return "\n".join(lines)


def _ratio(num: float | None, den: float | None) -> float | None:
    return None if num is None or not den else num / den


def _proofs(models: dict[str, Record]) -> str:
    """Each model's time to its proof, or its status and bound when it ran out of time."""
    parts = []
    for method in ("circuit", "timed"):
        m = models.get(method, {})
        if "error" in m:
            parts.append("failed")
        elif m["status"] == "OPTIMAL":
            parts.append(_f(m["seconds"], ".2f"))
        else:
            parts.append(f"not proven in {m['seconds']:.0f} (bound {m['bound']:.0f})")
    return " / ".join(parts)


def summary(records: Sequence[Record]) -> list[str]:
    """Counts a reader wants first, and rota's claims the optimum contradicts."""
    ok = [r for r in records if r.get("gap") is not None]
    limits = "/".join(sorted({f"{r['rota_seconds']:g}" for r in records}))
    out = [
        f"- rota optimal at {limits} s on {sum(bool(r['optimal']) for r in ok)} of "
        f"{len(records)} services; mean gap {_f(sum(r['gap'] for r in ok) / len(ok), '.2%')}, "
        f"mean travel gap {_f(sum(r['travel_gap'] for r in ok) / len(ok), '.2%')}"
        if ok
        else "- no comparable run",
    ]
    wrong = [
        r["name"]
        for r in ok
        if r["rota"]["solver_bound"] is not None
        and r["exact"]["status"] == "OPTIMAL"
        and r["rota"]["solver_bound"] > r["exact"]["objective"]
    ]
    if wrong:
        out.append(
            f"- rota's reported bound lies above the proven optimum on {', '.join(wrong)}: "
            "its full model offers each referral only its nearest few therapists "
            "(`therapists_per_referral`), so its bound holds for that restricted model only"
        )
    return out


def results_markdown(records: Sequence[Record], command: str) -> str:
    from importlib.metadata import version

    dates = sorted(r["date"] for r in records)
    proved = sorted({r["exact_from"][:10] for r in records if "exact_from" in r})
    commands = sorted({r.get("command", command) for r in records})
    limits = "/".join(sorted({f"{r['rota_seconds']:g}" for r in records}))
    return "\n".join(
        [
            "# rota on VRP-shaped services (Solomon instances, first 25 customers)",
            "",
            f"- runs: {dates[0]} to {dates[-1]}" if dates else "- runs: none",
            *(
                [f"- optima proved: {', '.join(proved)} (taken from there with --reuse-exact)"]
                if proved
                else []
            ),
            "- command: " + "; ".join(f"`{c}`" for c in commands),
            "- code measured (git): " + ", ".join(sorted({r["source"] for r in records})),
            f"- OR-Tools {version('ortools')}; rota's solve(): {WORKERS} workers, seed {SEED}, "
            f"{limits} s; exact models: CP-SAT circuits ({WORKERS} workers) and a "
            "time-expanded MIP (HiGHS); each in its own subprocess, "
            "one after another, on a 2-core machine shared with other work",
            "- objective = 10 x travel minutes + day span minutes (every referral placed in both); "
            "gap = (rota - optimum) / optimum; reached at = first time rota's best rota cost the "
            "optimum; scale 1:3 = one minute stands for three of the instance's time units",
            "",
            markdown_table(records),
            "",
            *summary(records),
            "",
        ]
    )


def _earlier(path: Path, customers: int) -> Record | None:
    """An instance's earlier record, if it holds both exact models' results for ``customers``."""
    if not path.exists():
        return None
    record: Record = json.loads(path.read_text(encoding="utf-8"))
    models = record.get("models", {})
    if record.get("customers") != customers or set(models) != {"circuit", "timed"}:
        return None
    return record


@click.command()
@click.option("--only", multiple=True, help="Instance names (default: all nine).")
@click.option("--customers", type=int, default=DEFAULT_CUSTOMERS, show_default=True)
@click.option(
    "--seconds",
    type=float,
    default=ROTA_SECONDS,
    show_default=True,
    help="rota's time limit (with --child-*: that child's limit).",
)
@click.option(
    "--circuit-seconds",
    type=float,
    default=CIRCUIT_SECONDS,
    show_default=True,
    help="The CP-SAT circuit model's time limit.",
)
@click.option(
    "--exact-seconds",
    type=float,
    default=EXACT_SECONDS,
    show_default=True,
    help="The time-expanded MIP's time limit.",
)
@click.option("--results-dir", type=click.Path(path_type=Path), default=RESULTS_DIR)
@click.option("--report-only", is_flag=True, help="Run nothing: rewrite RESULTS.md from the JSONs.")
@click.option(
    "--reuse-exact",
    is_flag=True,
    help="Take each instance's exact models' results from its JSON (when it has them for the "
    "same number of customers) instead of proving the optimum again; run only rota.",
)
@click.option("--child-circuit", type=click.Path(path_type=Path), default=None, hidden=True)
@click.option("--child-timed", type=click.Path(path_type=Path), default=None, hidden=True)
@click.option("--child-rota", type=click.Path(path_type=Path), default=None, hidden=True)
@click.option("--child-out", type=click.Path(path_type=Path), default=None, hidden=True)
def main(
    only: tuple[str, ...],
    customers: int,
    seconds: float,
    circuit_seconds: float,
    exact_seconds: float,
    results_dir: Path,
    report_only: bool,
    reuse_exact: bool,
    child_circuit: Path | None,
    child_timed: Path | None,
    child_rota: Path | None,
    child_out: Path | None,
) -> None:
    """Prove each service's optimum, run rota on it, and write the JSONs and RESULTS.md."""
    children = {"circuit": child_circuit, "timed": child_timed, "rota": child_rota}
    for kind, service in children.items():
        if service is None:
            continue
        if child_out is None:
            raise click.UsageError("a child run needs --child-out")
        if kind == "rota":
            write_json(child_out, measure_rota(service, seconds))
        else:
            write_json(child_out, measure_exact(service, seconds, kind))
        return
    unknown = [n for n in only if n.upper() not in INSTANCE_NAMES]
    if unknown:
        raise click.UsageError(f"unknown instance {', '.join(unknown)}")
    results_dir.mkdir(parents=True, exist_ok=True)
    command = shlex.join(["python", "-m", "bench.vrp.run", *sys.argv[1:]])
    for name in [] if report_only else [n.upper() for n in only] or INSTANCE_NAMES:
        first = "stored optimum" if reuse_exact else "exact models"
        click.echo(f"{name}: {first}, then rota {seconds:g} s ...", err=True)
        t0 = time.perf_counter()
        reuse = _earlier(results_dir / f"{name}.json", customers) if reuse_exact else None
        record = measure_instance(
            name, results_dir, seconds, circuit_seconds, exact_seconds, customers, reuse
        )
        record["command"] = command
        write_json(results_dir / f"{name}.json", record)
        click.echo(f"  {verdict(record)} in {time.perf_counter() - t0:.0f} s", err=True)
    records = [
        json.loads((results_dir / f"{n}.json").read_text(encoding="utf-8"))
        for n in INSTANCE_NAMES
        if (results_dir / f"{n}.json").exists()
    ]
    text = results_markdown(records, command)
    write_atomic(results_dir / "RESULTS.md", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    click.echo(markdown_table(records))
    if any(verdict(r) != "PASS" for r in records):
        sys.exit(1)


if __name__ == "__main__":
    main()
