"""A solve's interface with its caller: progress reports out, a stop signal in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


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


class StopSignal(Protocol):
    """Anything with ``is_set()``: a threading or multiprocessing Event. Once set, the solve
    stops searching and returns the best rota found so far (Ctrl-C, the web page's Stop
    button and sweep workers all use it)."""

    def is_set(self) -> bool: ...


def stopped(stop: StopSignal | None) -> bool:
    """True once ``stop`` is set."""
    return stop is not None and stop.is_set()


class Stopped(Exception):
    """Raised by a phase that has no rota to keep yet (candidates, the greedy) once the stop
    signal is set; :func:`rota.scheduler.solve.solve` turns it into a Result."""


def check_stop(stop: StopSignal | None) -> None:
    """Raise :class:`Stopped` once ``stop`` is set (called in the loops of the early phases)."""
    if stop is not None and stop.is_set():
        raise Stopped
