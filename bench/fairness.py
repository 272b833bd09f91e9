"""Fair loads on the county demo: the same service solved with the Settings' balance_loads off
and on (a separate process each, 2 workers, seed 0, one after the other).

``python -m bench.fairness --seconds 60`` reports, for each, the spread of loads (the busiest
minus the least busy therapist's session minutes over contract, in whole percentage points),
the referrals placed and their priority weight, driving minutes and the objective (each run's
own, so 'on' includes the spread's cost). The issue's target: the spread at least halved for at
most 1% of placed weight. Results: ``bench/results/fairness/county-<seconds>.json`` and the
``fairness`` section of ``bench/RESULTS.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import click

from bench.sections import marks, replace_section
from rota.reports.atomic import write_atomic

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "results" / "fairness"
WORKERS = 2
SEED = 0
SERVICE = ("county", 1)


def load_figures(problem: Any, rota: Any) -> dict[str, Any]:
    """Each therapist's load (% of contract, rounded down) and their spread."""
    from rota.evaluate.costs import contact_minutes

    contact = contact_minutes(rota)
    loads = {
        t.therapist_id: contact.get(t.therapist_id, 0) * 100 // contract
        for t in problem.therapists
        if (contract := problem.contract_minutes(t.therapist_id)) > 0
    }
    return {"loads": loads, "spread": max(loads.values()) - min(loads.values())}


def run_one(balance: bool, seconds: float) -> dict[str, Any]:
    """Solve the county demo once, in this process, and measure the rota."""
    from rota.demo import generate_problem
    from rota.evaluate.check import check
    from rota.evaluate.weights import PRIORITY_WEIGHT
    from rota.scheduler import SolveParams
    from rota.scheduler.solve import solve

    demo = generate_problem(*SERVICE)
    problem = demo.model_copy(
        update={"settings": demo.settings.model_copy(update={"balance_loads": balance})}
    )
    result = solve(problem, SolveParams(time_limit=seconds, workers=WORKERS, seed=SEED))
    priority = {r.referral_id: r.priority for r in problem.referrals}
    travel = next((t.units for t in result.costs if t.label == "travel minutes"), 0)
    return {
        "balance_loads": balance,
        "seconds": seconds,
        "status": result.status,
        "violations": len(check(problem, result.rota)),
        "placed": len(result.rota.sessions),
        "referrals": len(problem.referrals),
        "placed_weight": sum(
            PRIORITY_WEIGHT[priority[s.referral_id]] for s in result.rota.sessions
        ),
        "travel_minutes": travel,
        "objective": result.objective,
        "costs": {t.label: t.units for t in result.costs},
        **load_figures(problem, result.rota),
    }


def markdown(record: dict[str, Any]) -> str:
    off, on = record["off"], record["on"]
    halved = on["spread"] * 2 <= off["spread"]
    loss = 1 - on["placed_weight"] / off["placed_weight"] if off["placed_weight"] else 0.0
    lines = [
        f"## Fair loads on the county demo ({record['seconds']:g} s, {WORKERS} workers, seed "
        f"{SEED}, {record['date']})",
        "",
        "`python -m bench.fairness`: the same service with the Settings' `balance_loads` off and "
        "on. Spread = busiest minus least busy therapist's load (session minutes x 100 over "
        "contract, rounded down), in points.",
        "",
        "| balance_loads | spread (points) | lowest load % | highest load % | placed | placed "
        "weight | driving min | continuity lost | objective | rule breaks |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in (("off", off), ("on", on)):
        loads = list(r["loads"].values())
        lines.append(
            f"| {name} | {r['spread']} | {min(loads)} | {max(loads)} | {r['placed']} of "
            f"{r['referrals']} | {r['placed_weight']:,} | {r['travel_minutes']:,} | "
            f"{r['costs'].get('continuity lost', 0)} | {r['objective']:,} | {r['violations']} |"
        )
    lines += [
        "",
        f"Spread {off['spread']} -> {on['spread']} points "
        f"({'halved or better' if halved else 'NOT halved'}); placed weight "
        f"{'lost ' + format(loss, '.2%') if loss > 0 else 'not reduced'} (target: at most 1%).",
    ]
    return "\n".join(lines)


@click.command()
@click.option("--seconds", type=float, default=60.0, show_default=True)
@click.option("--one", type=click.Choice(["off", "on"]), help="(internal) one run, JSON out.")
def main(seconds: float, one: str | None) -> None:
    if one is not None:
        click.echo(json.dumps(run_one(one == "on", seconds)))
        return
    record: dict[str, Any] = {"seconds": seconds, "date": dt.date.today().isoformat()}
    for name in ("off", "on"):
        cmd = [sys.executable, "-m", "bench.fairness", "--one", name, "--seconds", str(seconds)]
        done = subprocess.run(cmd, cwd=BENCH_DIR.parent, capture_output=True, text=True, check=True)
        record[name] = json.loads(done.stdout.strip().splitlines()[-1])
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / f"county-{seconds:g}.json"
    write_atomic(out, lambda p: p.write_text(json.dumps(record, indent=2) + "\n"))
    text = markdown(record)
    start, end = marks("fairness")
    main_md = BENCH_DIR / "RESULTS.md"
    old = main_md.read_text(encoding="utf-8") if main_md.exists() else "# Benchmarks\n"
    section = "\n".join([start, text, end])
    write_atomic(main_md, lambda p: p.write_text(replace_section(old, "fairness", section)))
    click.echo(text)


if __name__ == "__main__":
    main()
