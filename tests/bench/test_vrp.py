"""The VRP-shaped benchmark: Solomon files, the converted services, the exact model, the run."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bench.vrp.exact import Method, NotVrpShaped, routes_to_rota, solve_exact, vrp_shape
from bench.vrp.run import best_of, compare, markdown_table, verdict
from bench.vrp.solomon import (
    INSTANCE_NAMES,
    INSTANCES_DIR,
    InstanceError,
    Node,
    build_problem,
    parse_instance,
    read_instance,
    time_scale,
    travel_minutes,
    write_service,
)
from rota.cli import main as rota_main
from rota.evaluate.check import check
from rota.evaluate.costs import total_cost
from rota.evaluate.weights import Weights
from rota.io.load import read_problem
from rota.models import Problem, Rota, Session
from rota.scheduler.candidates import build_candidates
from tests.conftest import make_two_therapists_service

ROOT = Path(__file__).resolve().parents[2]


def test_instance_files_are_the_published_ones() -> None:
    """Every file's sha256 is the one the README records with its provenance."""
    readme = (INSTANCES_DIR / "README.md").read_text(encoding="utf-8")
    recorded = dict(re.findall(r"\| (\w+)\.txt \| [0-9a-f]{40} \| ([0-9a-f]{64}) \|", readme))
    assert sorted(recorded) == sorted(INSTANCE_NAMES)
    for name, digest in recorded.items():
        data = (INSTANCES_DIR / f"{name}.txt").read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest


def test_parse_reads_fleet_depot_and_customers() -> None:
    r101 = read_instance("R101")
    assert (r101.name, r101.vehicles, r101.capacity) == ("R101", 25, 200)
    assert len(r101.customers) == 100
    assert r101.depot == Node(0, 35, 35, 0, 0, 230, 0)
    assert r101.customers[0] == Node(1, 41, 49, 10, 161, 171, 10)
    assert read_instance(INSTANCES_DIR / "C201.txt").horizon == 3390


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("X1\nVEHICLE\nNUMBER CAPACITY\n 25 200\n", "no VEHICLE or CUSTOMER"),
        ("X1\nVEHICLE\nN C\n25 200\nCUSTOMER\nhead\n0 1 2 3 4 5\n", "line 7: 6 values, not 7"),
        ("X1\nVEHICLE\nN C\n25 200\nCUSTOMER\nhead\n0 1 2 3 4 x 6\n", "line 7: not 7 integers"),
        ("X1\nVEHICLE\nN C\n25 200\nCUSTOMER\nhead\n1 1 2 3 4 5 6\n", "must be the depot"),
    ],
)
def test_parse_names_the_file_and_line_of_a_bad_instance(text: str, message: str) -> None:
    with pytest.raises(InstanceError, match=message):
        parse_instance(text, "bad.txt")


def test_travel_rounds_up_and_keeps_the_triangle_inequality() -> None:
    a, b = Node(1, 0, 0, 0, 0, 0, 0), Node(2, 3, 4, 0, 0, 0, 0)
    assert travel_minutes(a, b) == 5  # exactly 5, not 6 from a rounding error
    assert travel_minutes(a, Node(3, 1, 1, 0, 0, 0, 0)) == 2  # 1.414 rounds up
    assert travel_minutes(a, b, scale=3) == 2  # 5 / 3 rounds up
    nodes = read_instance("RC105").nodes[:26]
    for x, y, z in itertools.permutations(nodes, 3):
        assert travel_minutes(x, z) <= travel_minutes(x, y) + travel_minutes(y, z)


def test_service_has_the_vrp_shape() -> None:
    problem = build_problem(read_instance("R101"))
    assert (len(problem.sites), len(problem.rooms), len(problem.therapists)) == (26, 25, 25)
    assert len(problem.referrals) == 25 and len(problem.travel) == 26 * 25 // 2
    s = problem.settings
    assert (s.days, s.slot_minutes, s.admin_minutes, s.lunch_minutes) == (("Mon",), 1, 0, 0)
    assert (s.working_day.start, s.working_day.end) == (0, 230)
    assert {t.base_site_id for t in problem.therapists} == {"DEPOT"}
    assert problem.therapist_windows("V07") == {"Mon": ((0, 230),)}
    # Customer 1: ready 161, due 171, service 10: the session starts in [161, 171].
    r1 = problem.referral_by_id["R001"]
    assert (r1.site_ids, r1.minutes) == (("C001",), 10)
    assert problem.referral_windows("R001") == {"Mon": ((161, 181),)}
    assert problem.travel_minutes("DEPOT", "C001") == math.ceil(math.hypot(6, 14))
    assert all(c.feasible for c in build_candidates(problem).values())


def test_long_horizon_is_scaled_so_a_rota_maps_back_to_a_feasible_schedule() -> None:
    instance = read_instance("C201")
    k = time_scale(instance)
    assert k == 3
    problem = build_problem(instance)
    assert (problem.settings.working_day.end, problem.referrals[0].minutes) == (1130, 30)
    result = solve_exact(problem, time_limit=60, workers=1)
    assert result.status == "OPTIMAL"
    nodes = {f"R{c.number:03d}": c for c in instance.customers}
    depot = instance.depot
    for route in result.routes:
        at, clock = depot, 0
        for rid, start in route:
            c = nodes[rid]
            clock = max(clock + math.hypot(c.x - at.x, c.y - at.y), c.ready)
            assert k * start >= clock  # reachable in the original time units
            assert c.ready <= k * start <= c.due
            at, clock = c, k * start + c.service
        assert clock + math.hypot(depot.x - at.x, depot.y - at.y) <= depot.due


def test_written_workbook_validates_and_reads_back_equal(tmp_path: Path) -> None:
    problem, path = write_service(read_instance("RC102"), tmp_path)
    assert path.name == "RC102-25.xlsx"
    assert read_problem(path) == problem
    outcome = CliRunner().invoke(rota_main, ["validate", str(path)])
    assert outcome.exit_code == 0, outcome.output
    assert "valid" in outcome.output.splitlines()[0]


def _best_route(problem: Problem, order: tuple[str, ...]) -> int | None:
    """Brute force, from the Problem's own views: the cheapest cost of one route visiting
    these referrals in this order, trying every first start and then the earliest start at
    each next stop (no admin, one working range, each referral one window on Mon)."""
    ((day_start, day_end),) = problem.therapist_windows("V01")["Mon"]
    ref = problem.referral_by_id
    site = {rid: ref[rid].site_ids[0] for rid in order}
    drive = problem.travel_minutes
    best: int | None = None

    def starts(rid: str) -> range:
        ((a, b),) = problem.referral_windows(rid)["Mon"]  # type: ignore[index]
        return range(a, b - ref[rid].minutes + 1)

    for first in starts(order[0]):
        if first < day_start + drive("DEPOT", site[order[0]]):
            continue
        clock, travel = first, drive("DEPOT", site[order[0]])
        for a, b in itertools.pairwise(order):
            ready = clock + ref[a].minutes + drive(site[a], site[b])
            later = [t for t in starts(b) if t >= ready]
            if not later:
                break
            clock, travel = later[0], travel + drive(site[a], site[b])
        else:
            end = clock + ref[order[-1]].minutes
            back = drive(site[order[-1]], "DEPOT")
            if end + back <= day_end:
                cost = 10 * (travel + back) + (end - first)
                best = cost if best is None else min(best, cost)
    return best


def _brute_force_optimum(problem: Problem) -> int:
    """Cheapest set of routes covering every referral: the best route of each ordered subset,
    then the best partition into such subsets (a handful of referrals only)."""
    ids = [r.referral_id for r in problem.referrals]
    best_set: dict[frozenset[str], int] = {}
    for size in range(1, len(ids) + 1):
        for order in itertools.permutations(ids, size):
            found = _best_route(problem, order)
            if found is not None:
                key = frozenset(order)
                best_set[key] = min(best_set.get(key, found), found)
    cover: dict[frozenset[str], float] = {frozenset(): 0}
    for size in range(1, len(ids) + 1):
        for chosen in map(frozenset, itertools.combinations(ids, size)):
            low = min(chosen)  # the route holding the lowest id, then the rest
            cover[chosen] = min(
                (
                    cost + cover[chosen - part]
                    for part, cost in best_set.items()
                    if low in part and part <= chosen
                ),
                default=math.inf,
            )
    return int(cover[frozenset(ids)])


@pytest.mark.parametrize("method", ["circuit", "timed"])
@pytest.mark.parametrize("name", ["C101", "R105", "RC105", "R201"])
def test_exact_models_match_brute_force_and_rotas_evaluator(name: str, method: Method) -> None:
    problem = build_problem(read_instance(name), 6)
    result = solve_exact(problem, method=method, time_limit=60, workers=1)
    assert result.status == "OPTIMAL"
    assert result.objective == _brute_force_optimum(problem)
    assert result.model_objective == pytest.approx(result.objective)
    rota = routes_to_rota(problem, result)
    assert check(problem, rota) == []
    assert total_cost(problem, rota, Weights()) == result.objective
    assert result.objective == 10 * result.travel + result.span  # type: ignore[operator]


def test_exact_solution_of_a_25_customer_service_is_checked_and_costed_alike() -> None:
    problem = build_problem(read_instance("R101"))
    result = solve_exact(problem, time_limit=120, workers=1)
    assert result.status == "OPTIMAL" and result.bound == result.objective
    timed = solve_exact(problem, method="timed", time_limit=120)
    assert (timed.status, timed.objective) == ("OPTIMAL", result.objective)
    rota = routes_to_rota(problem, result)
    assert len(rota.sessions) == 25 and check(problem, rota) == []
    assert total_cost(problem, rota, Weights()) == result.objective
    # Any other rota of the service costs at least the optimum: one customer per therapist.
    alone = Rota(
        sessions=tuple(
            Session(
                referral_id=s.referral_id,
                therapist_ids=(f"V{i:02d}",),
                site_id=s.site_id,
                room_id=s.room_id,
                day="Mon",
                start=s.start,
                end=s.end,
            )
            for i, s in enumerate(rota.sessions, start=1)
        )
    )
    assert check(problem, alone) == []
    assert total_cost(problem, alone, Weights()) > result.objective


def test_exact_model_refuses_a_service_of_another_shape() -> None:
    with pytest.raises(NotVrpShaped, match="differs from"):
        vrp_shape(make_two_therapists_service())
    problem = build_problem(read_instance("R101"), 3)
    fewer = problem.model_copy(update={"therapists": problem.therapists[:2]})
    with pytest.raises(NotVrpShaped, match="more referrals than therapists"):
        vrp_shape(fewer)


def _model(method: str, **changes: Any) -> dict[str, Any]:
    return {
        "method": method,
        "status": "OPTIMAL",
        "objective": 1000,
        "model_objective": 1000.0,
        "bound": 1000.0,
        "seconds": 0.5 if method == "circuit" else 4.0,
        "travel": 80,
        "span": 200,
        "routes": [["R001"], ["R002"]],
        "evaluator_cost": 1000,
        "check_violations": [],
        "travel_only": {"travel": 75, "routes": 2},
        **changes,
    }


def _record(circuit: dict[str, Any] | None = None, **rota_changes: Any) -> dict[str, Any]:
    models = {"circuit": circuit or _model("circuit"), "timed": _model("timed")}
    rota = {
        "status": "OPTIMAL",
        "objective": 1100,
        "solver_bound": 1050.0,
        "travel": 88,
        "span": 220,
        "check_violations": [],
        "lower_bound": 950,
        "history": [{"elapsed": 1.0, "objective": 1200}, {"elapsed": 5.0, "objective": 1100}],
        **rota_changes,
    }
    record = {
        "name": "R101",
        "time_scale": 1,
        "rota_seconds": 30,
        "validate": {"exit_code": 0},
        "models": models,
        "exact": best_of(models),
        "rota": rota,
    }
    record.update(compare(record["exact"], record["rota"]))
    return record


def test_best_of_takes_the_quickest_proof_or_the_best_bound() -> None:
    both = best_of({"circuit": _model("circuit"), "timed": _model("timed")})
    assert (both["method"], both["proved_by"], both["agree"]) == (
        "circuit",
        ["circuit", "timed"],
        True,
    )
    slow = _model("circuit", status="FEASIBLE", objective=1010, bound=900.0, seconds=120.0)
    one = best_of({"circuit": slow, "timed": _model("timed")})
    assert (one["method"], one["bound"], one["proved_by"]) == ("timed", 1000, ["timed"])
    none = best_of({"circuit": slow, "timed": _model("timed", status="FEASIBLE", bound=950.0)})
    assert (none["status"], none["objective"], none["bound"]) == ("FEASIBLE", 1000, 950.0)
    assert not best_of({"circuit": _model("circuit"), "timed": _model("timed", objective=990)})[
        "agree"
    ]
    assert "error" in best_of({"circuit": {"error": "killed"}, "timed": {"error": "killed"}})


def test_compare_and_verdict() -> None:
    r = _record()
    assert r["gap"] == pytest.approx(0.1) and r["travel_gap"] == pytest.approx(0.1)
    assert r["optimal"] is False and r["optimum_seconds"] is None
    assert verdict(r) == "PASS"
    reached = _record(objective=1000, history=[{"elapsed": 2.5, "objective": 1000}])
    assert reached["optimal"] is True and reached["optimum_seconds"] == 2.5
    assert verdict(_record(_model("circuit", evaluator_cost=999))).startswith(
        "FAILED (circuit: the evaluator"
    )
    assert verdict(
        _record(_model("circuit", objective=990, evaluator_cost=990, model_objective=990.0))
    ).startswith("FAILED (the exact models")
    assert verdict(_record(objective=900)).startswith("FAILED (rota below")
    assert verdict(_record(check_violations=["x"])).startswith("FAILED (rota's")
    assert verdict(_record(lower_bound=1001)).startswith("FAILED (rota's lower bound")
    table = markdown_table([r])
    assert "| R101 | 1:1 | 1000 (80 x 10 + 200) | 2 | 0.50 / 4.00 | 75 (2) |" in table
    assert "| 10.00% |" in table and "| 950 (95%) | PASS |" in table


def test_run_end_to_end_on_one_instance(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.vrp.run",
            "--only",
            "R101",
            "--seconds",
            "2",
            "--circuit-seconds",
            "60",
            "--exact-seconds",
            "60",
            "--results-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    record = json.loads((tmp_path / "R101.json").read_text(encoding="utf-8"))
    assert record["validate"]["exit_code"] == 0
    assert record["exact"]["status"] == "OPTIMAL"
    assert record["exact"]["proved_by"] == ["circuit", "timed"]
    assert record["exact"]["evaluator_cost"] == record["exact"]["objective"]
    assert record["rota"]["objective"] >= record["exact"]["objective"]
    assert 0 < record["rota"]["lower_bound"] <= record["exact"]["objective"]
    assert (tmp_path / "services" / "R101-25.xlsx").exists()
    assert "| R101 |" in (tmp_path / "RESULTS.md").read_text(encoding="utf-8")


def test_reuse_exact_takes_an_earlier_record_only_with_both_models_for_the_same_size(
    tmp_path: Path,
) -> None:
    from bench.vrp.run import _earlier

    path = tmp_path / "R102.json"
    assert _earlier(path, 25) is None
    models = {"circuit": {"status": "OPTIMAL"}, "timed": {"status": "OPTIMAL"}}
    path.write_text(json.dumps({"customers": 25, "models": models, "date": "d"}))
    earlier = _earlier(path, 25)
    assert earlier is not None and earlier["models"] == models
    assert _earlier(path, 10) is None
    path.write_text(json.dumps({"customers": 25, "models": {"circuit": {}}, "date": "d"}))
    assert _earlier(path, 25) is None
