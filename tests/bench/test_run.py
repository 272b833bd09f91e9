"""The benchmark harness on a tiny case: one real quick run end to end, plus its pure figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bench.run import (
    QUICK_CASES,
    Case,
    greedy_table,
    loglog_slope,
    main,
    markdown_table,
    observations,
    parse_model_size,
    run_child,
    time_to_within,
    verdict,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """``python -m bench.run --quick`` with 2 s limits into a temporary folder (about 8 s)."""
    out = tmp_path_factory.mktemp("bench")
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--time-limit", "2"]
        + ["--results-dir", str(out), "--markdown", str(out / "RESULTS.md")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


def _load(path: Path) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return record


def test_quick_run_writes_one_json_per_case_with_every_figure(
    quick_run: tuple[Path, str],
) -> None:
    out, _ = quick_run
    for case in QUICK_CASES:
        r = _load(out / f"{case.name}.json")
        assert r["name"] == case.name
        assert r["case"]["time_limit"] == 2
        assert r["check_ok"] is True and r["num_check_violations"] == 0
        assert r["status"] in ("OPTIMAL", "FEASIBLE", "TIME_LIMIT")
        assert 0 < r["scheduled"] <= r["referrals"]
        assert 0 < r["weighted_scheduled"] <= r["weighted_upper_bound"] <= r["weighted_total"]
        assert r["weighted_ratio"] == pytest.approx(
            r["weighted_scheduled"] / r["weighted_upper_bound"]
        )
        assert r["history"][0]["source"] == "greedy"
        assert r["first_rota_seconds"] is not None
        assert r["first_rota_seconds"] <= r["within_1pct_seconds"] <= r["wall_seconds"]
        assert r["peak_rss_mb"] > 10
        assert r["travel_minutes"] >= 0
        assert r["continuity_kept"] <= r["continuity_possible"]
        # The small services use the full model: its size, and always a proven gap (the
        # relaxation's bound at least, CP-SAT's where its model held every option).
        assert r["strategy"] == "full"
        assert r["variables"] > 0 and r["constraints"] > 0
        assert 0 <= r["gap"] <= 1 and r["bound"] <= r["objective"]
        assert r["scheduled"] >= r["greedy"]["scheduled"]
        g = r["greedy"]
        assert g["check_ok"] is True
        assert 0 < g["scheduled"] <= r["referrals"]
        assert r["vs_greedy"]["scheduled"] == pytest.approx(r["scheduled"] / g["scheduled"])
        assert r["vs_greedy"]["travel"] == pytest.approx(r["travel_minutes"] / g["travel_minutes"])
        assert r["command"].startswith("python -m bench.run --quick")


def test_quick_run_prints_and_writes_the_table_and_plot(quick_run: tuple[Path, str]) -> None:
    out, stdout = quick_run
    markdown = (out / "RESULTS.md").read_text(encoding="utf-8")
    for case in QUICK_CASES:
        r = _load(out / f"{case.name}.json")
        row = f"| {case.name} | {r['referrals']} | {r['status']} | PASS | full |"
        assert row in stdout
        assert row in markdown
        assert f"| {case.name} | " in greedy_table([r])
    assert "OR-Tools " in markdown and "cores" in markdown
    assert "`python -m bench.run --quick --time-limit 2" in markdown
    assert (out / "scaling.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "![scaling](scaling.png)" in markdown


def test_a_rota_that_fails_the_checker_is_marked_failed(quick_run: tuple[Path, str]) -> None:
    out, _ = quick_run
    r = _load(out / "small.json")
    broken = {**r, "check_ok": False, "num_check_violations": 3}
    assert verdict(r) == "PASS"
    assert verdict(broken) == "FAILED (3 violations)"
    assert "| FAILED (3 violations) |" in markdown_table([broken])


def test_a_crashing_run_becomes_a_failed_row(tmp_path: Path) -> None:
    out = tmp_path / "bad.json"
    record = run_child(Case("bad", "small", 1, referrals=5), out, "python -m bench.run")
    assert "referrals must be between 10 and 20000" in record["error"]
    assert _load(out) == record
    assert verdict(record).startswith("FAILED (exit code 1")
    assert "| bad | n/a | n/a | FAILED (exit code 1" in markdown_table([record])


def test_unknown_case_is_refused() -> None:
    result = CliRunner().invoke(main, ["--only", "nowhere"])
    assert result.exit_code == 2
    assert "unknown case nowhere" in result.output


def test_parse_model_size() -> None:
    full = (
        "best rota from cp-sat "
        "(full strategy, 812 placement options, 4881 variables, 8241 constraints)"
    )
    assert parse_model_size(full) == {
        "strategy": "full",
        "options": 812,
        "variables": 4881,
        "constraints": 8241,
    }
    lns = (
        "best rota from lns (40 neighbourhoods, 3 improvements) "
        "(lns strategy, 90000 placement options)"
    )
    assert parse_model_size(lns) == {
        "strategy": "lns",
        "options": 90000,
        "variables": None,
        "constraints": None,
    }
    assert parse_model_size("BUG: the CP-SAT rota failed")["strategy"] is None


def test_time_to_within_takes_the_first_close_enough_rota() -> None:
    history = [
        {"elapsed": 0.1, "objective": 100.0},
        {"elapsed": 2.0, "objective": 50.0},
        {"elapsed": 5.0, "objective": 10.05},
        {"elapsed": 9.0, "objective": 10.0},
    ]
    assert time_to_within(history, 0.01) == 5.0
    assert time_to_within(history, 0.001) == 9.0
    assert time_to_within(history, 10.0) == 0.1
    assert time_to_within([], 0.01) is None


def test_loglog_slope_is_the_power() -> None:
    xs = [100.0, 300.0, 600.0, 1200.0]
    assert loglog_slope(xs, [2 * x for x in xs]) == pytest.approx(1.0)
    assert loglog_slope(xs, [x * x / 7 for x in xs]) == pytest.approx(2.0)
    assert loglog_slope([100.0], [1.0]) is None


def test_observations_name_overruns_idle_searches_and_repeated_services(
    quick_run: tuple[Path, str],
) -> None:
    out, _ = quick_run
    # A run that kept to its limit (set so, not measured: how long the quick run took depends
    # on how busy the machine is) is not named.
    r = {**_load(out / "small.json")}
    r["wall_seconds"] = r["case"]["time_limit"]
    assert not [line for line in observations([r]) if "limit" in line or "same service" in line]
    slow = {
        **r,
        "name": "slow",
        "wall_seconds": 3 * r["case"]["time_limit"],
        "message": "best rota from lns (0 neighbourhoods, 0 improvements) (lns strategy, 9 ...)",
    }
    lines = observations([r, slow])
    assert any(
        line.startswith("- slow: the solve took 6.0 s against a 2 s limit") for line in lines
    )
    assert any(line.startswith("- slow: LNS ran no neighbourhood") for line in lines)
    assert any(line.startswith("- small and slow are the same service") for line in lines)
