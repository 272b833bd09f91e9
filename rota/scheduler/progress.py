"""Progress of a solve: what the best rota so far achieves, for the CLI's lines and the web page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Progress:
    """One line of progress: what the best rota so far achieves."""

    elapsed: float
    scheduled: int
    referrals: int
    objective: float
    bound: float
    source: str  # "greedy", "insertion", "cp-sat" or "lns"
    travel: int | None = None  # driving minutes a week of that rota

    @property
    def gap(self) -> float:
        return abs(self.objective - self.bound) / max(1.0, abs(self.objective))


ProgressFn = Callable[[Progress], None]
