"""The day rules benchmark's pure parts: the figures of a hand-made rota, the rules switched on
by model_copy, and its RESULTS.md section kept by bench.run."""

from __future__ import annotations

from pathlib import Path

from bench.days import REALISTIC, figures, markdown, with_rules
from bench.sections import kept_sections
from rota.models import Rota, Session
from tests.scheduler.helpers import service


def _session(rid: str, site: str, start: int) -> Session:
    return Session(referral_id=rid, therapist_ids=("T1",), site_id=site, room_id=f"{site}1",
                   day="Mon", start=start, end=start + 30)  # fmt: skip


def test_figures_count_legs_arrivals_and_sites_per_day() -> None:
    problem = with_rules(service([{"referral_id": "R1"}, {"referral_id": "R2"}]), on=True)
    assert problem.settings.arrival_minutes == 10 and problem.settings.max_sites_per_day == 3
    # Base A -> B (25, arrive) -> A mid-day (25, arrive) -> home (no leg).
    rota = Rota(sessions=(_session("R2", "A", 12 * 60), _session("R1", "B", 10 * 60)))
    got = figures(problem, rota)
    assert got["driving_minutes"] == 50 and got["arrivals"] == 2
    assert got["arrival_minutes"] == 20 and got["travel_minutes"] == 70
    assert got["longest_drive"] == 25 and got["drives_60_plus"] == 0
    assert got["max_sites_per_day"] == 2 and got["mean_sites_per_day"] == 2.0
    assert got["max_weekly_driving"] == 50 and got["their_contact_minutes"] == 60
    off = with_rules(problem, on=False).settings
    assert (off.arrival_minutes, off.max_sites_per_day, off.long_drive_minutes) == (0, None, None)


def test_the_section_is_kept_by_bench_run(tmp_path: Path) -> None:
    record = {"rules": "on", "seconds": 60.0, "objective": 1.0e6, "placed": 5, "referrals": 6,
              "travel_minutes": 70, "driving_minutes": 50, "arrival_minutes": 20, "arrivals": 2,
              "longest_drive": 25, "drives_60_plus": 0, "drives_2_or_less": 0,
              "max_sites_per_day": 2, "mean_sites_per_day": 1.5, "max_weekly_driving": 50,
              "their_contact_minutes": 60}  # fmt: skip
    text = markdown([record, {**record, "rules": "off"}], "abc1234", "2026-12-03")
    assert "| mean sites per therapist-day | 1.50 | 1.50 |" in text
    assert all(f"`{k}` {v}" in text for k, v in REALISTIC.items())
    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmarks\n\n" + text + "\n")
    assert "Day rules (issue 14)" in kept_sections(path)
