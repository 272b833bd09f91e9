"""Side by side: this tree's ``rota solve`` against another commit's, on the same services.

``python -m bench.versus --baseline af472af`` checks the baseline commit out in a temporary
git worktree, writes each demo service once (this tree's generator) as a workbook, and runs
``rota solve`` of each tree on it in turn (a separate process each, 2 workers, seed 0, one after
the other on the same machine). Every rota is then read back and judged here by this tree's
independent checker and its one cost evaluator, so both trees' rotas are costed the same way;
the objective is also given net of the referrals no rota can place (a constant). Where asked,
the proven lower bound of ``rota.scheduler.bound`` is computed once per service, and the gap of
each rota to it. Results: one JSON per run and ``bench/results/versus/RESULTS.md``.

The services are demo generator 1's (``version=1``), pinned so that runs against older commits
and older results compare like with like (generator 2, the default since, draws others).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from bench.sections import marks, replace_section
from rota.reports.atomic import write_atomic

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "results" / "versus"
WORKERS = 2
SEED = 0
#: A progress line of ``rota solve`` (both trees print the elapsed seconds and the objective).
PROGRESS = re.compile(r"^\s*(?P<elapsed>[\d.]+)s\s.*objective (?P<objective>[\d,]+)")


@dataclass(frozen=True)
class Service:
    name: str
    size: str
    seed: int = 1
    referrals: int | None = None
    bound: bool = False  # prove the relaxation bound (minutes at county size)


SERVICES: dict[str, Service] = {
    s.name: s
    for s in (
        Service("small", "small", bound=True),
        Service("county", "county", bound=True),
        Service("region", "region"),
        Service("scale-3600", "county", referrals=3600),
    )
}

#: (service, seconds) pairs of the default run.
RUNS: tuple[tuple[str, float], ...] = (
    ("small", 30),
    ("county", 60),
    ("county", 300),
    ("region", 300),
    ("scale-3600", 300),
)


def write_service(service: Service, folder: Path) -> Path:
    from rota.demo import generate_problem
    from rota.io.write import write_problem

    path = folder / f"{service.name}.xlsx"
    if not path.exists():
        problem = generate_problem(
            service.size, service.seed, referrals=service.referrals, version=1
        )
        write_problem(problem, path)
        drop_default_settings(path)
    return path


def drop_default_settings(path: Path) -> None:
    """Leave out of the workbook's Settings sheet every setting at its default value, so an
    older tree, which knows fewer settings, reads the same service (a setting left out takes
    its default: the same value)."""
    import openpyxl

    from rota.io.write import settings_rows
    from rota.models import Settings

    defaults = dict(settings_rows(Settings()))
    wb = openpyxl.load_workbook(path)
    ws = wb["Settings"]
    for row in range(ws.max_row, 1, -1):
        name, value = ws.cell(row, 1).value, ws.cell(row, 2).value
        if name in defaults and defaults[name] == value:
            ws.delete_rows(row)
    wb.save(path)


def solve_with(tree: Path, workbook: Path, seconds: float, out: Path) -> dict[str, Any]:
    """``rota solve`` of ``tree`` (its own source, this Python) in a child; wall seconds and
    the child's peak memory (GNU time)."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"}
    cmd = [
        "/usr/bin/time", "-f", "%M", sys.executable, "-m", "rota.cli", "solve", str(workbook),
        "-o", str(out), "--time-limit", f"{seconds:g}", "--workers", str(WORKERS),
        "--seed", str(SEED), "--force",
    ]  # fmt: skip
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=tree, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    lines = done.stderr.strip().splitlines()
    peak_kb = int(lines[-1]) if lines and lines[-1].isdigit() else None
    if done.returncode != 0:
        raise RuntimeError(f"{tree}: rota solve failed ({done.returncode}):\n{done.stderr}")
    history = [
        {"elapsed": float(m["elapsed"]), "objective": int(m["objective"].replace(",", ""))}
        for m in map(PROGRESS.match, lines)
        if m
    ]
    return {
        "wall_seconds": round(wall, 1),
        "peak_mb": peak_kb and round(peak_kb / 1024),
        "history": history,
    }


def judge(workbook: Path, result_path: Path, bound: Any | None) -> dict[str, Any]:
    """The rota read back, checked and costed by this tree."""
    from rota.evaluate.check import check
    from rota.evaluate.costs import CostModel, cost_terms
    from rota.evaluate.kpis import compute_kpis
    from rota.evaluate.weights import Weights
    from rota.io import read_problem
    from rota.models import Rota
    from rota.scheduler.candidates import build_candidates

    problem = read_problem(workbook)
    raw = json.loads(result_path.read_text())
    rota = Rota.model_validate(raw["rota"])
    weights = Weights()
    terms = cost_terms(problem, rota, weights)
    objective = sum(t.cost for t in terms)
    model = CostModel(problem, weights)
    candidates = build_candidates(problem)
    unplaceable = sum(model.referral_cost(r, None) for r, c in candidates.items() if not c.feasible)
    kpis = compute_kpis(problem, rota)
    out: dict[str, Any] = {
        "check_violations": len(check(problem, rota)),
        "placed": kpis.scheduled,
        "referrals": kpis.referrals,
        "continuity_kept": kpis.continuity_kept,
        "continuity_possible": kpis.continuity_possible,
        "travel_minutes": kpis.travel_minutes,
        "objective": objective,
        "net_objective": objective - unplaceable,
        "unplaceable": unplaceable,
        "first_rota_seconds": raw.get("first_solution_seconds"),
        "status": raw.get("status"),
        "terms": {t.label: t.cost for t in terms},
    }
    if bound is not None:
        out["bound"] = bound.value
        out["net_bound"] = bound.net
        out["net_gap"] = (out["net_objective"] - bound.net) / max(1, out["net_objective"])
    return out


def markdown(records: list[dict[str, Any]], baseline: str) -> str:
    head = (
        "| service | s | tree | placed | continuity kept | travel min | objective | net "
        "objective | net vs baseline | proven net bound | net gap | first rota s | peak MB |"
    )
    rows = [head, "|" + "---|" * 13]
    base_net = {
        (r["service"], r["seconds"]): r["net_objective"] for r in records if r["tree"] == "baseline"
    }
    for r in records:
        versus = r["net_objective"] / base_net[(r["service"], r["seconds"])]
        gap = f"{r['net_gap']:.1%}" if "net_gap" in r else "-"
        bound = f"{r['net_bound']:,}" if "net_bound" in r else "-"
        first = r["first_rota_seconds"]
        rows.append(
            f"| {r['service']} | {r['seconds']:g} | {r['tree']} {r['commit']} "
            f"| {r['placed']}/{r['referrals']} "
            f"| {r['continuity_kept']}/{r['continuity_possible']} | {r['travel_minutes']:,} "
            f"| {r['objective']:,} | {r['net_objective']:,} | {versus:.2f}x | {bound} | {gap} "
            f"| {first:.1f} | {r['peak_mb']} |"
            if first is not None
            else f"| {r['service']} | {r['seconds']:g} | {r['tree']} | (no rota) |"
        )
    dates = sorted(str(r["date"]) for r in records if r.get("date"))
    when = f"{dates[0]} to {dates[-1]}" if dates else ""
    return "\n".join(
        [
            "# rota against its baseline, side by side",
            "",
            f"- runs {when}: `python -m bench.versus --baseline {baseline}` (each row names its "
            f"commit); {WORKERS} workers, seed 0, each solve in its own process, one after the "
            "other, the two trees of a pair in the same run",
            "- every rota checked and costed by this tree's checker and cost evaluator; net = "
            "less the cost of referrals no rota can place (a constant)",
            "- proven net bound: rota.scheduler.bound (relaxation with whole days), the same "
            "for both trees",
            "",
            *rows,
            "",
        ]
    )


def plot_over_time(records: list[dict[str, Any]], service: str, seconds: float, path: Path) -> None:
    """The net objective of both trees over the run, and the proven net bound: the gap as one
    can see it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = [r for r in records if r["service"] == service and r["seconds"] == seconds]
    if not runs:
        return
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for r in runs:
        pts = [(h["elapsed"], h["objective"] - r["unplaceable"]) for h in r["history"]]
        pts.append((r["wall_seconds"], r["net_objective"]))
        xs, ys = zip(*pts, strict=True)
        label = f"{'rota' if r['tree'] == 'rota' else 'baseline'} {r['commit']}"
        ax.step(xs, ys, where="post", label=label)
    net_bound = runs[0].get("net_bound")
    if net_bound is not None:
        ax.axhline(net_bound, color="black", linestyle="--", label="proven net bound")
    ax.set_xlabel("seconds")
    ax.set_ylabel("net objective (lower is better)")
    ax.set_title(f"{service}: objective net of unplaceable referrals, {seconds:g} s, 2 workers")
    ax.set_ylim(bottom=0)
    ax.legend()
    fig.tight_layout()
    write_atomic(path, lambda p: fig.savefig(p, format="png", dpi=110))
    plt.close(fig)


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


@click.command()
@click.option("--baseline", default="af472af", show_default=True, help="Commit to compare with.")
@click.option(
    "--only", multiple=True, help="Services (e.g. county) or runs (county:60) to run; default all."
)
@click.option("--seconds", type=float, default=None, help="One time limit for every service.")
@click.option("--no-bound", is_flag=True, help="Skip the proven bound (minutes at county size).")
@click.option("--report-only", is_flag=True, help="Run nothing: rewrite the tables from the JSONs.")
def main(
    baseline: str, only: tuple[str, ...], seconds: float | None, no_bound: bool, report_only: bool
) -> None:
    runs = [
        (n, s if seconds is None else seconds)
        for n, s in RUNS
        if not only or n in only or f"{n}:{s:g}" in only
    ]
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    if not report_only:
        run_pairs(runs, baseline, no_bound)
    # The table holds every run on record (each pair measured in one run, side by side).
    records = [json.loads(p.read_text()) for p in sorted(OUT_DIR.glob("*.json"))]
    order = {(n, s): i for i, (n, s) in enumerate(RUNS)}
    records.sort(
        key=lambda r: (order.get((r["service"], r["seconds"]), 99), r["tree"] != "baseline")
    )
    plot_over_time(records, "county", 300, OUT_DIR / "county-300.png")
    text = markdown(records, baseline)
    write_atomic(OUT_DIR / "RESULTS.md", lambda p: p.write_text(text))
    start, end = marks("versus")
    section = "\n".join([start, text.replace("# rota against", "## rota against", 1), end])
    main_md = BENCH_DIR / "RESULTS.md"
    old = main_md.read_text(encoding="utf-8") if main_md.exists() else "# Benchmarks\n"
    write_atomic(main_md, lambda p: p.write_text(replace_section(old, "versus", section)))
    click.echo(text)


def run_pairs(runs: list[tuple[str, float]], baseline: str, no_bound: bool) -> None:
    """Each run for the baseline's tree (a temporary worktree) and this one, in turn."""
    from rota.evaluate.weights import Weights
    from rota.io import read_problem
    from rota.scheduler.bound import lower_bound

    current = _git("rev-parse", "--short", "HEAD")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base_tree = folder / "baseline"
        _git("worktree", "add", "--detach", str(base_tree), baseline)
        try:
            bounds: dict[str, Any] = {}
            for name, limit in runs:
                service = SERVICES[name]
                workbook = write_service(service, folder)
                if service.bound and not no_bound and name not in bounds:
                    bounds[name] = lower_bound(read_problem(workbook), Weights())
                for tree_name, tree in (("baseline", base_tree), ("rota", ROOT)):
                    out = folder / f"{name}-{limit:g}-{tree_name}.json"
                    measured = solve_with(tree, workbook, limit, out)
                    record = {
                        "service": name,
                        "seconds": limit,
                        "tree": tree_name,
                        "commit": baseline if tree_name == "baseline" else current,
                        "date": dt.datetime.now().isoformat(timespec="minutes"),
                        **measured,
                        **judge(workbook, out, bounds.get(name)),
                    }
                    shown = {k: v for k, v in record.items() if k not in ("terms", "history")}
                    click.echo(json.dumps(shown))
                    write_atomic(
                        OUT_DIR / f"{name}-{limit:g}-{tree_name}.json",
                        lambda p, r=record: p.write_text(json.dumps(r, indent=2)),
                    )
        finally:
            _git("worktree", "remove", "--force", str(base_tree))


if __name__ == "__main__":
    main()
