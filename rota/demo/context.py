"""Precomputed views of the demo service while its referrals are drawn."""

from __future__ import annotations

from dataclasses import dataclass, field

from rota.models import Discipline, Problem, Windows
from rota.scheduler.day import DayRules


@dataclass
class Demand:
    """One referral before it has a site: its discipline and how many therapists run it."""

    discipline: Discipline
    therapists_needed: int


@dataclass
class Context:
    """Precomputed views of sites, rooms and therapists used while drawing referrals."""

    problem: Problem
    rules: DayRules
    room_windows: dict[str, Windows]
    deliverable: dict[str, float]
    load: dict[str, float] = field(default_factory=dict)
    travel: dict[tuple[str, str], int] = field(default_factory=dict)

    def travel_minutes(self, a: str, b: str) -> int:
        key = (a, b)
        if key not in self.travel:
            self.travel[key] = self.problem.travel_minutes(a, b)
        return self.travel[key]
