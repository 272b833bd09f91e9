"""The proven lower bound (rota/scheduler/bound.py) on the demo services, against rota's rota.

``python -m bench.bound`` runs, for the small and the county demo (seed 1), each in its own
subprocess: the lower bound (its time), rota's ``solve()`` with the benchmark's limits (small
30 s, county 60 s; 2 workers), and on small the full CP-SAT model with every therapist offered
to every referral for 60 s (its proven bound is valid for the whole service, unlike the bound of
the default full model, which offers each referral only its nearest few therapists). Gaps are
(objective - bound) / objective, in full and net of the referrals no rota can place.
Results: ``bench/results/bound/<size>.json`` and ``bench/results/bound/RESULTS.md``.
The services are demo generator 1's (``version=1``), pinned so older results can be rerun.
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from bench.run import head_rule, source_version, write_json
from rota.reports.atomic import write_atomic

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results" / "bound"
WORKERS = 2
SIZES: dict[str, float] = {"small": 30.0, "county": 60.0}
FULL_SECONDS = 60.0

Record = dict[str, Any]


def _solve(problem: Any, seconds: float, **options: Any) -> Record:
    """rota's solve(): its rota's cost (the evaluator's), its own objective, bound and status."""
    from rota.evaluate.check import check
    from rota.scheduler.params import SolveParams
    from rota.scheduler.solve import solve

    t0 = time.perf_counter()
    result = solve(problem, SolveParams(time_limit=seconds, workers=WORKERS, **options))
    return {
        "options": options,
        "seconds": round(time.perf_counter() - t0, 2),
        "status": result.status,
        "cost": sum(t.cost for t in result.costs),
        "terms": {t.label: t.cost for t in result.costs},
        "solver_bound": result.bound,
        "scheduled": len(result.rota.sessions),
        "check_ok": not check(problem, result.rota) and not result.violations,
    }


def measure(size: str) -> Record:
    """The bound and rota's rota on one demo service."""
    from rota.demo import generate_problem
    from rota.evaluate.weights import Weights
    from rota.scheduler.bound import lower_bound
    from rota.scheduler.candidates import build_candidates

    problem = generate_problem(size, 1, version=1)
    bound = lower_bound(problem)
    lost = sum(
        Weights().continuity
        for c in build_candidates(problem, 0).values()
        if not c.feasible and c.referral.current_therapist_id
    )
    record: Record = {
        "name": size,
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "source": source_version(),
        "referrals": len(problem.referrals),
        "therapists": len(problem.therapists),
        "bound": {
            "value": bound.value,
            "unplaceable": bound.unplaceable,
            "net": bound.net,
            "relaxation": round(bound.relaxation, 1),
            "terms": {k: round(v, 1) for k, v in bound.terms.items()},
            "seconds": round(bound.seconds, 2),
            "columns": bound.columns,
            "rows": bound.rows,
            "status": bound.status,
            "unplaceable_continuity": lost,
        },
        "rota": _solve(problem, SIZES[size]),
    }
    record["valid"] = bound.value <= record["rota"]["cost"]
    if size == "small":
        record["full_all"] = _solve(
            problem, FULL_SECONDS, strategy="full", therapists_per_referral=0
        )
    return record


def gap(cost: float | None, bound: float | None, constant: float = 0) -> float | None:
    """(cost - bound) / (cost - constant): the share of the (net) cost the bound leaves open."""
    if cost is None or bound is None or cost - constant <= 0:
        return None
    return (cost - bound) / (cost - constant)


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def markdown(records: Sequence[Record]) -> str:
    head = (
        "| service | referrals | unplaceable (constant) | bound | net bound | bound s "
        "| rota objective | net objective | gap | net gap | below rota | rota's own bound |"
    )
    lines = [head, head_rule(head)]
    for r in records:
        b, o = r["bound"], r["rota"]
        u = b["unplaceable"]
        own = o["solver_bound"]
        full = r.get("full_all")
        proven = "none (local search)"
        if full and own is not None and full["solver_bound"] is not None:
            every = full["solver_bound"]
            proven = (
                f"{own:,.0f} (nearest therapists only); every therapist: {every:,.0f} after "
                f"{full['seconds']:.0f} s, net gap {_pct(gap(o['cost'], every, u))}"
            )
        lines.append(
            f"| {r['name']} | {r['referrals']} | {u:,} | {b['value']:,} | {b['net']:,} "
            f"| {b['seconds']:.1f} | {o['cost']:,} | {o['cost'] - u:,} "
            f"| {_pct(gap(o['cost'], b['value']))} | {_pct(gap(o['cost'], b['value'], u))} "
            f"| {'yes' if r['valid'] else 'NO: BUG'} | {proven} |"
        )
    terms = [
        "unscheduled",
        "continuity lost",
        "travel minutes",
        "preferred times missed",
        "day span minutes",
    ]
    head2 = "| service | " + " | ".join(f"{t}: bound / rota" for t in terms) + " |"
    lines += ["", head2, head_rule(head2)]
    for r in records:
        bt, ot = r["bound"]["terms"], r["rota"]["terms"]
        unscheduled = sum(v for k, v in ot.items() if k.startswith("unscheduled"))
        # Net of the referrals no rota can place (the bound keeps them in "unplaceable").
        lost = r["bound"]["unplaceable_continuity"]
        rota_terms = {
            **ot,
            "unscheduled": unscheduled - (r["bound"]["unplaceable"] - lost),
            "continuity lost": ot.get("continuity lost", 0) - lost,
        }
        cells = [f"{bt.get(t, 0):,.0f} / {rota_terms.get(t, 0):,.0f}" for t in terms]
        lines.append(f"| {r['name']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def results_markdown(records: Sequence[Record], command: str) -> str:
    return "\n".join(
        [
            "# Proven lower bound on the whole objective (rota/scheduler/bound.py)",
            "",
            f"- command: `{command}`; code measured (git): "
            + ", ".join(sorted({r["source"] for r in records})),
            f"- rota's solve(): {WORKERS} workers, small 30 s, county 60 s; each service in its "
            "own subprocess on a 2-core machine shared with other work",
            "- gap = (rota's objective - bound) / rota's objective; net = less the unscheduled "
            "and continuity cost of referrals that no rota can place (a constant)",
            "",
            markdown(records),
            "",
        ]
    )


@click.command()
@click.option("--only", multiple=True, type=click.Choice(sorted(SIZES)))
@click.option("--results-dir", type=click.Path(path_type=Path), default=RESULTS_DIR)
@click.option("--child", default=None, hidden=True)
@click.option("--child-out", type=click.Path(path_type=Path), default=None, hidden=True)
def main(
    only: tuple[str, ...], results_dir: Path, child: str | None, child_out: Path | None
) -> None:
    """Measure the lower bound against rota's rota on the small and county demos."""
    if child is not None:
        if child_out is None:
            raise click.UsageError("--child needs --child-out")
        write_json(child_out, measure(child))
        return
    results_dir.mkdir(parents=True, exist_ok=True)
    command = shlex.join(["python", "-m", "bench.bound", *sys.argv[1:]])
    for size in only or tuple(SIZES):
        click.echo(f"{size}: lower bound, then rota ...", err=True)
        out = results_dir / f"{size}.json"
        subprocess.run(
            [sys.executable, "-m", "bench.bound", "--child", size, "--child-out", str(out)],
            cwd=BENCH_DIR.parent,
            check=True,
            timeout=3600,
        )
    records = [
        json.loads((results_dir / f"{s}.json").read_text(encoding="utf-8"))
        for s in SIZES
        if (results_dir / f"{s}.json").exists()
    ]
    text = results_markdown(records, command)
    write_atomic(results_dir / "RESULTS.md", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    click.echo(text)


if __name__ == "__main__":
    main()
