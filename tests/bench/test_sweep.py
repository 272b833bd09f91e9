"""The sweep benchmark's pure parts: its RESULTS.md section is replaced in place and kept by
bench.run; the paragraph on a 500-run sweep follows from the measured figures."""

from __future__ import annotations

from pathlib import Path

from bench.sections import kept_sections, replace_section
from bench.sweep import MARK_END, MARK_START, markdown

RECORDS = [
    {
        "mode": mode,
        "executor": name,
        "runs": 24,
        "finished": 24,
        "check_ok": True,
        "startup_seconds": start,
        "sweep_wall_seconds": wall,
        "ideal_wall_seconds": 370.0,
        "task_seconds_mean": 31.0,
        "overhead_per_task_round_trip_seconds": trip,
        "overhead_per_task_wall_seconds": 1.0,
        "placed_min": 586,
        "placed_max": 595,
        "result_bytes_mean": 96000,
    }
    for mode, name, start, wall, trip in (
        ("local", "2 local processes", 0.0, 380.0, 0.05),
        ("dask", "Dask LocalCluster of 2 worker processes", 4.0, 384.0, 0.1),
    )
]


def test_section_is_replaced_in_place_and_kept(tmp_path: Path) -> None:
    section = markdown(RECORDS, "python -m bench.sweep", 248.0, "2026-12-02T23:30:00")
    assert section.startswith(MARK_START) and section.endswith(MARK_END)
    assert "| 2 local processes | 24/24 | PASS | 0.0 | 380.0 | 370.0 | 0.05 | 1.0 | 586-595 |" in (
        section
    )
    text = replace_section("# results\n\n## Solver\n", "sweep", section)
    assert text.startswith("# results\n\n## Solver\n\n" + MARK_START)
    again = replace_section(text + "\n## After\n", "sweep", section.replace("380.0", "390.0"))
    assert again.count(MARK_START) == 1 and "390.0" in again and again.endswith("## After\n")
    path = tmp_path / "RESULTS.md"
    path.write_text(text)
    assert kept_sections(path).strip() == section
    assert kept_sections(tmp_path / "missing.md") == ""


def test_paper_paragraph_rounds_of_runs_per_cluster_size() -> None:
    section = markdown(RECORDS, "python -m bench.sweep", 248.0, "2026-12-02T23:30:00")
    # 31.1 s a run; 500 runs on 10 machines of 8 cores: 80 at once, 7 rounds.
    assert "10 machines: 80 runs at once, 7 rounds, about 3.6 min" in section
    assert "1 machine: 8 runs at once, 63 rounds, about 32.7 min" in section
    assert "Problem (248 KB as JSON)" in section
