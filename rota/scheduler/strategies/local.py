"""Ruin and recreate: take a few related sessions out, put them (and waiting referrals) back
where they cost least, keep the change by simulated annealing on the whole objective.

The ruins are the ones that make travel fall on a multi-site service: a school and its
neighbours (so a school's sessions can gather on one therapist-day), a string of sessions near
one another across therapists, one therapist's day, and the sessions in the way of a waiting
referral. Every placement is checked by the day-feasibility module and priced by the one cost
evaluator (through :class:`rota.scheduler.board.Board`).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from rota.models import Problem, Rota, Session
from rota.scheduler.board import Board
from rota.scheduler.budget import Budget
from rota.scheduler.candidates import Candidates
from rota.scheduler.params import LOCAL_REPORT_SECONDS, SolveParams
from rota.scheduler.progress import StopSignal, stopped

#: Therapists (nearest by base, plus the current one) a session may move to.
LOCAL_NEAREST = 10
#: Sessions taken out per ruin: between these, drawn at random.
RUIN_MIN, RUIN_MAX = 2, 12
#: Share of ruins that make room for a waiting referral (when one waits).
EJECT_SHARE = 0.2
#: Sessions at most taken out of a waiting referral's way, and how far around its window
#: (minutes) the therapist's sessions count as in the way.
EJECT_MAX = 3
EJECT_REACH = 60
#: Therapist-days a string ruin cuts into.
STRING_DAYS = 3
#: Share of insertion positions skipped at random when recreating (diversity).
BLINK = 0.05
#: Annealing temperature, in objective units: from this (a few travel minutes' worth)...
TEMPERATURE_START = 300.0
#: ... down to this at the end of the time given.
TEMPERATURE_END = 5.0


@dataclass
class LocalStats:
    iterations: int = 0
    accepted: int = 0
    improvements: int = 0
    interrupted: bool = False


#: The ruins by name (``only_ruin`` in improve_locally: measurements and tests).
RUIN_KINDS = ("eject", "sites", "string", "day")


class _Search:
    def __init__(self, board: Board, rng: random.Random, only: str | None = None) -> None:
        self.board = board
        self.rng = rng
        self.only = only
        problem = board.problem
        self.site_near = {
            a.site_id: sorted(
                (b.site_id for b in problem.sites),
                key=lambda b: (problem.travel_minutes(a.site_id, b), b),
            )[:12]
            for a in problem.sites
        }
        self.placeable = sorted(rid for rid, opts in board.options.items() if opts)
        priority = {r.referral_id: r.priority for r in problem.referrals}
        self.order_key = {
            rid: (priority[rid], len(board.candidates[rid].options)) for rid in self.placeable
        }

    # ------------------------------------------------------------------ ruins
    def ruin(self) -> tuple[list[str], list[str]]:
        """Referrals to take out (never a pinned one), and those to put back first."""
        waiting = [rid for rid in self.placeable if rid not in self.board.session]
        first: list[str] = []
        kind = self.only or self._draw(bool(waiting))
        if kind == "eject":
            if not waiting:
                return [], []
            first = [self.rng.choice(waiting)]
            out = self._ruin_for(first[0])
        elif kind == "sites":
            out = self._ruin_sites()
        elif kind == "string":
            out = self._ruin_string()
        else:
            out = self._ruin_day()
        return [rid for rid in out if rid not in self.board.pinned], first

    def _draw(self, waiting: bool) -> str:
        """A ruin at random: ejection for a waiting referral (when one waits), else nearby
        sites, strings of sessions, or a whole day."""
        kind = self.rng.random()
        if waiting and kind < EJECT_SHARE:
            return "eject"
        if kind < 0.45:
            return "sites"
        return "string" if kind < 0.75 else "day"

    def _ruin_for(self, rid: str) -> list[str]:
        """The sessions in a waiting referral's way at one of its options: the therapist's
        sessions that day and the bookings of its rooms there (ejection)."""
        b = self.board
        options = b.options[rid]
        o = options[self.rng.randrange(len(options))]
        blockers = b.in_the_way(rid, o, EJECT_REACH)
        self.rng.shuffle(blockers)
        return blockers[: self.rng.randint(1, EJECT_MAX)]

    def _ruin_sites(self) -> list[str]:
        """Sessions at a random site and its nearest neighbours."""
        b = self.board
        if not b.session:
            return []
        seed = b.session[self.rng.choice(sorted(b.session))]
        want = self.rng.randint(RUIN_MIN, RUIN_MAX)
        out: list[str] = []
        by_site: dict[str, list[str]] = {}
        for rid, s in b.session.items():
            by_site.setdefault(s.site_id, []).append(rid)
        for site in self.site_near[seed.site_id]:
            rids = sorted(by_site.get(site, ()))
            self.rng.shuffle(rids)
            for rid in rids:
                out.append(rid)
                if len(out) >= want:
                    return out
        return out

    def _ruin_string(self) -> list[str]:
        """Runs of consecutive sessions in the days of a few therapists near one session."""
        b = self.board
        if not b.session:
            return []
        seed = b.session[self.rng.choice(sorted(b.session))]
        want = self.rng.randint(RUIN_MIN, RUIN_MAX)
        days = [
            key
            for key, visits in b.visits.items()
            if visits
            and key[1] == seed.day
            and any(v.site_id in self.site_near[seed.site_id][:6] for v in visits)
        ]
        self.rng.shuffle(days)
        out: list[str] = []
        for key in sorted(days)[:3]:
            visits = b.visits[key]
            length = min(len(visits), self.rng.randint(1, 4))
            first = self.rng.randint(0, len(visits) - length)
            out += [v.referral_id for v in visits[first : first + length]]
            if len(out) >= want:
                break
        return list(dict.fromkeys(out))

    def _ruin_day(self) -> list[str]:
        """One therapist's whole day."""
        b = self.board
        keys = sorted(k for k, v in b.visits.items() if v)
        if not keys:
            return []
        key = self.rng.choice(keys)
        return [v.referral_id for v in b.visits[key]]

    # ------------------------------------------------------------------ recreate
    def recreate(self, rids: list[str], first: list[str]) -> None:
        """Put ``first``, then the removed and every waiting referral back where each costs
        least (most urgent first, in random order within a priority)."""
        b = self.board
        waiting = [rid for rid in self.placeable if rid not in b.session]
        todo = list(dict.fromkeys(rids + waiting))
        self.rng.shuffle(todo)
        todo.sort(key=lambda rid: self.order_key[rid][0])
        for rid in [*first, *todo]:
            if rid in b.session:
                continue
            best = b.best_insertion(rid, self.rng, BLINK)
            if best is not None:
                b.place(best.session)


def improve_locally(
    problem: Problem,
    candidates: dict[str, Candidates],
    rota: Rota,
    params: SolveParams,
    seconds: float,
    budget: Budget | None = None,
    on_improve: Callable[[Rota, int], None] | None = None,
    stop: StopSignal | None = None,
    patience: int | None = None,
    only_ruin: str | None = None,
) -> tuple[Rota, LocalStats]:
    """Improve ``rota`` by ruin and recreate for ``seconds`` (by the clock; a repeatable run's
    ``budget`` turns them into a number of iterations and is charged with them) or until
    ``stop``, or after ``patience`` iterations in a row found nothing better. ``on_improve``
    hears of a better rota at most every LOCAL_REPORT_SECONDS, and of the best at the end.
    ``only_ruin`` (one of RUIN_KINDS) uses that ruin alone, to measure what each one finds."""
    board = Board(
        problem,
        candidates,
        params.weights,
        rota,
        nearest=LOCAL_NEAREST,
        previous=params.use_previous,
    )
    rng = random.Random(params.seed)
    search = _Search(board, rng, only_ruin)
    stats = LocalStats()
    search.recreate([], [])
    best_total = board.total
    best = dict(board.session)
    t0 = time.perf_counter()
    deadline = t0 + max(0.0, seconds)
    iterations = budget.local_iterations(seconds) if budget is not None else None
    reported_at, reported_total = t0, None
    last_gain = 0
    span = max(1e-9, deadline - t0)
    while True:
        if stopped(stop):
            stats.interrupted = True
            break
        if patience is not None and stats.iterations - last_gain >= patience:
            break
        if iterations is not None:
            if stats.iterations >= iterations:
                break
            progress = stats.iterations / max(1, iterations)
        else:
            now = time.perf_counter()
            if now >= deadline:
                break
            progress = (now - t0) / span
        temperature = TEMPERATURE_START * (TEMPERATURE_END / TEMPERATURE_START) ** progress
        stats.iterations += 1
        if _iterate(search, temperature):
            stats.accepted += 1
            if board.total < best_total:
                best_total = board.total
                best = dict(board.session)
                stats.improvements += 1
                last_gain = stats.iterations
                now = time.perf_counter()
                if on_improve and now - reported_at >= LOCAL_REPORT_SECONDS:
                    on_improve(_rota(best), best_total)
                    reported_at, reported_total = now, best_total
    if budget is not None:
        budget.charge_local(stats.iterations)
    found = _rota(best)
    if on_improve and stats.improvements and reported_total != best_total:
        on_improve(found, best_total)
    return found, stats


def _iterate(search: _Search, temperature: float) -> bool:
    """One ruin and recreate; kept (True) by the annealing rule, else undone."""
    board, rng = search.board, search.rng
    before = board.total
    removed, first = search.ruin()
    old: dict[str, Session | None] = {rid: board.session.get(rid) for rid in removed}
    for rid in removed:
        board.remove(rid)
    waiting_before = [rid for rid in search.placeable if rid not in board.session]
    search.recreate(removed, first)
    for rid in waiting_before:
        old.setdefault(rid, None)
    delta = board.total - before
    if delta <= 0 or rng.random() < math.exp(-delta / temperature):
        return True
    for rid in old:
        if rid in board.session:
            board.remove(rid)
    for s in old.values():
        if s is not None:
            board.place(s)
    return False


def _rota(sessions: dict[str, Session]) -> Rota:
    return Rota(sessions=tuple(sessions[rid] for rid in sorted(sessions))).sorted()
