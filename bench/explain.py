"""How fast and how true ``rota explain`` is on the county demo.

``python -m bench.explain`` solves the county demo (seed 1, 30 s, 2 workers), then asks
:func:`rota.scheduler.explain.explain` about every referral the rota leaves out (seconds each,
the candidates worked out once, as the command and the page do) and about placed referrals until
20 have a suggestion: each suggestion is applied to the rota (moving only what it says), checked
with :func:`rota.evaluate.check.check`, and its cost change compared with the cost evaluator's.
Results: ``bench/results/explain.json`` and the ``explain`` section of ``bench/RESULTS.md``.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bench.run import source_version, write_json
from bench.sections import marks, replace_section
from rota.reports.atomic import write_atomic

if TYPE_CHECKING:
    from rota.models import Rota

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results" / "explain.json"
SUGGESTIONS = 20


def measure(seconds: float) -> dict[str, Any]:
    from rota.demo import generate_problem
    from rota.evaluate.check import check
    from rota.evaluate.costs import total_cost
    from rota.evaluate.weights import Weights
    from rota.scheduler.candidates import build_candidates
    from rota.scheduler.explain import apply, explain
    from rota.scheduler.greedy import greedy_rota
    from rota.scheduler.params import SolveParams
    from rota.scheduler.solve import solve

    problem = generate_problem("county", 1)
    result = solve(problem, SolveParams(time_limit=seconds, workers=2, seed=0))
    rota = result.rota
    assert check(problem, rota) == []
    weights = Weights()
    t0 = time.perf_counter()
    candidates = build_candidates(problem, 0)
    candidate_seconds = time.perf_counter() - t0
    placed = {s.referral_id for s in rota.sessions}

    def unplaced_answers(of: Rota) -> list[dict[str, Any]]:
        here = {s.referral_id for s in of.sessions}
        out: list[dict[str, Any]] = []
        for r in problem.referrals:
            if r.referral_id in here:
                continue
            t0 = time.perf_counter()
            e = explain(problem, of, r.referral_id, 5, candidates=candidates)
            out.append(
                {
                    "referral_id": r.referral_id,
                    "seconds": round(time.perf_counter() - t0, 3),
                    "alternatives": len(e.alternatives),
                    "displacements": len(e.displacements),
                    "note": e.note,
                }
            )
        return out

    per_unplaced = unplaced_answers(rota)
    # The greedy rota leaves out referrals that can be placed: the harder questions.
    per_greedy = unplaced_answers(greedy_rota(problem, candidates))
    before = total_cost(problem, rota, weights)
    applied: list[dict[str, Any]] = []
    for s in rota.sessions:
        if len(applied) >= SUGGESTIONS:
            break
        e = explain(problem, rota, s.referral_id, 5, candidates=candidates)
        if not e.alternatives:
            continue
        change = e.alternatives[0]
        moved = apply(rota, change.sessions)
        applied.append(
            {
                "referral_id": s.referral_id,
                "predicted": change.cost_change,
                "evaluated": total_cost(problem, moved, weights) - before,
                "violations": len(check(problem, moved)),
            }
        )
    return {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "code": source_version(),
        "service": "county demo, seed 1",
        "solve_seconds": seconds,
        "placed": len(placed),
        "referrals": len(problem.referrals),
        "candidates_seconds": round(candidate_seconds, 3),
        "unplaced": per_unplaced,
        "greedy_unplaced": per_greedy,
        "suggestions": applied,
    }


def section(record: dict[str, Any]) -> str:
    start, end = marks("explain")
    times = [u["seconds"] for u in record["unplaced"]]
    greedy_rows = record.get("greedy_unplaced", [])
    greedy = [u["seconds"] for u in greedy_rows]
    ok = sum(
        a["violations"] == 0 and a["predicted"] == a["evaluated"] for a in record["suggestions"]
    )
    lines = [
        start,
        "## rota explain on the county demo",
        "",
        f"- run {record['when']}, code {record['code']}, command `python -m bench.explain`; "
        f"rota from a {record['solve_seconds']:g} s solve: {record['placed']} of "
        f"{record['referrals']} placed",
        f"- candidates worked out once: {record['candidates_seconds']:.2f} s",
        f"- every unplaced referral ({len(times)}): at most {max(times, default=0):.2f} s, "
        f"mean {sum(times) / max(1, len(times)):.2f} s each",
        f"- every referral the greedy rota leaves out ({len(greedy)}, "
        f"{sum(g['alternatives'] > 0 or g['displacements'] > 0 for g in greedy_rows)} with a place "
        f"or a move to suggest): at most {max(greedy, default=0):.2f} s, "
        f"mean {sum(greedy) / max(1, len(greedy)):.2f} s each",
        f"- {len(record['suggestions'])} suggestions applied (moving only what each says): "
        f"{ok} kept every rule and changed the cost exactly as predicted",
        end,
    ]
    return "\n".join(lines)


@click.command()
@click.option("--seconds", type=float, default=30.0, show_default=True)
@click.option("--report-only", is_flag=True, help="Rewrite the section from the JSON.")
def main(seconds: float, report_only: bool) -> None:
    import json

    if report_only:
        record = json.loads(RESULTS.read_text(encoding="utf-8"))
    else:
        record = measure(seconds)
        write_json(RESULTS, record)
    path = BENCH_DIR / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    new = replace_section(text, "explain", section(record))
    write_atomic(path, lambda tmp: tmp.write_text(new, encoding="utf-8"))
    click.echo(section(record))


if __name__ == "__main__":
    main()
