"""bench.versus's pure parts: progress lines read from both trees, the table, the plot."""

from __future__ import annotations

from pathlib import Path

from bench.versus import PROGRESS, markdown, plot_over_time


def _record(tree: str, net: int, seconds: float = 300) -> dict[str, object]:
    return {
        "service": "county", "seconds": seconds, "tree": tree, "commit": "abc1234",
        "date": "2026-12-03T02:00", "placed": 594, "referrals": 600, "continuity_kept": 260,
        "continuity_possible": 293, "travel_minutes": 7000, "objective": 1_620_000 + net,
        "net_objective": net, "unplaceable": 1_620_000, "net_bound": 60_000,
        "net_gap": (net - 60_000) / net, "first_rota_seconds": 0.7, "peak_mb": 140,
        "wall_seconds": 300.0, "history": [{"elapsed": 1.0, "objective": 1_620_000 + 2 * net}],
    }  # fmt: skip


def test_progress_lines_of_both_trees() -> None:
    new = "   12.3s  local search  scheduled 594/600  travel 7035 min  objective 1,744,835"
    old = "    0.7s  greedy     scheduled 586/600  travel 11800 min  objective 1,950,000"
    for line, want in ((new, (12.3, 1_744_835)), (old, (0.7, 1_950_000))):
        m = PROGRESS.match(line)
        assert m is not None and (float(m["elapsed"]), int(m["objective"].replace(",", ""))) == want
    assert PROGRESS.match("solving 600 referrals, 42 therapists") is None


def test_table_gives_each_tree_against_the_baseline(tmp_path: Path) -> None:
    records = [_record("baseline", 200_000), _record("rota", 110_000)]
    text = markdown(records, "af472af")
    assert "| county | 300 | baseline abc1234 | 594/600 |" in text
    assert "| 110,000 | 0.55x | 60,000 | 45.5% |" in text
    plot_over_time(records, "county", 300, tmp_path / "p.png")
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"


def test_the_workbooks_leave_out_settings_at_their_defaults(tmp_path: Path) -> None:
    """An older tree reads the workbook: settings it may not know are left out when they hold
    their defaults, and this tree reads back the very same service."""
    import openpyxl

    from bench.versus import SERVICES, write_service
    from rota.demo import generate_problem
    from rota.io import read_problem

    path = write_service(SERVICES["small"], tmp_path)
    names = [c.value for c in openpyxl.load_workbook(path)["Settings"]["A"]][1:]
    assert "arrival_minutes" not in names and "balance_loads" not in names and "term_start" in names
    assert read_problem(path) == generate_problem("small", 1, version=1)
