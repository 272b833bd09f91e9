"""Where else could a referral go, and what would it cost? Answers without a re-solve.

For one referral of a rota: the best other placements (therapist, day, time, site, room), each
with the change in every labelled cost term, found through the day rules and the candidates
(by :class:`rota.scheduler.board.Board`) and priced by the one cost evaluator on the whole rota
as it would be; for a placed referral, also why it is where it is (its current placement's
terms against the best alternative); for an unplaced one with no free place, the fewest sessions
to move to let it in (each moved session's new place included), if any within reach.

Every suggestion is a rota the checker accepts, and its cost change is exact: applying it (the
sessions it names, nothing else) gives the cost it states.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

from rota.evaluate.check import check
from rota.evaluate.costs import cost_terms
from rota.evaluate.weights import Weights
from rota.models import Problem, Rota, Session
from rota.scheduler.board import Board
from rota.scheduler.candidates import Candidates, build_candidates

#: Sessions looked at around an unplaced referral's windows (minutes), and most moved at once.
REACH_MINUTES = 60
MOST_MOVED = 2
#: Seconds spent looking for displacements for one referral.
DISPLACE_SECONDS = 1.5


@dataclass(frozen=True)
class Change:
    """A suggestion: the sessions it adds or moves (the referral's first), and the cost."""

    sessions: tuple[Session, ...]
    cost_change: int
    terms: dict[str, int]  # change in each labelled term (only those that change)
    moved: tuple[str, ...] = ()  # other referrals moved to make room


@dataclass
class Explanation:
    referral_id: str
    current: Session | None
    current_terms: dict[str, int] = field(default_factory=dict)
    alternatives: list[Change] = field(default_factory=list)
    displacements: list[Change] = field(default_factory=list)
    note: str = ""


def apply(rota: Rota, sessions: tuple[Session, ...]) -> Rota:
    """``rota`` with each of ``sessions`` replacing its referral's session (or added)."""
    replaced = {s.referral_id for s in sessions}
    kept = tuple(s for s in rota.sessions if s.referral_id not in replaced)
    return Rota(sessions=(*kept, *sessions)).sorted()


def _terms(problem: Problem, rota: Rota, weights: Weights) -> dict[str, int]:
    return {t.label: t.cost for t in cost_terms(problem, rota, weights)}


def _change(
    problem: Problem,
    rota: Rota,
    before: dict[str, int],
    sessions: tuple[Session, ...],
    weights: Weights,
    moved: tuple[str, ...] = (),
) -> Change | None:
    """The suggestion priced on the whole rota by the evaluator; None if the checker says no."""
    after_rota = apply(rota, sessions)
    if check(problem, after_rota):
        return None
    after = _terms(problem, after_rota, weights)
    diff = {k: after.get(k, 0) - before.get(k, 0) for k in sorted({*before, *after})}
    diff = {k: v for k, v in diff.items() if v}
    return Change(sessions, sum(after.values()) - sum(before.values()), diff, moved)


def explain(
    problem: Problem,
    rota: Rota,
    referral_id: str,
    top: int = 5,
    weights: Weights | None = None,
    candidates: dict[str, Candidates] | None = None,
) -> Explanation:
    """Alternatives (and, if it waits with no free place, displacements) for one referral."""
    weights = weights or Weights()
    if referral_id not in problem.referral_by_id:
        raise KeyError(referral_id)
    candidates = candidates or build_candidates(problem, 0)
    board = Board(problem, candidates, weights, rota, previous=True)
    before = _terms(problem, rota, weights)
    current = board.session.get(referral_id)
    out = Explanation(referral_id, current)
    if referral_id in board.pinned:
        out.note = "pinned: it stays where the previous rota has it"
        return out
    if not board.options[referral_id]:
        out.note = "no therapist, room and day can take it at all (see the Unscheduled reason)"
        return out
    if current is not None:
        board.remove(referral_id)
        alone = _terms(problem, apply_without(rota, referral_id), weights)
        out.current_terms = {k: before.get(k, 0) - alone.get(k, 0) for k in before}
        out.current_terms = {k: v for k, v in out.current_terms.items() if v}
    for p in board.insertions(referral_id, keep=top + 1):
        if current is not None and _same_place(p.session, current):
            continue
        change = _change(problem, rota, before, (p.session,), weights)
        if change is not None:
            out.alternatives.append(change)
    out.alternatives = sorted(out.alternatives, key=lambda c: c.cost_change)[:top]
    if current is None and not out.alternatives:
        out.displacements = _displace(problem, rota, board, referral_id, before, weights, top)
        if not out.displacements:
            out.note = (
                f"no free place, and moving up to {MOST_MOVED} sessions in its way does not "
                "make one"
            )
    return out


def apply_without(rota: Rota, referral_id: str) -> Rota:
    return Rota(sessions=tuple(s for s in rota.sessions if s.referral_id != referral_id))


def _same_place(a: Session, b: Session) -> bool:
    return (a.therapist_ids, a.day, a.start, a.room_id) == (
        b.therapist_ids,
        b.day,
        b.start,
        b.room_id,
    )


def _displace(
    problem: Problem,
    rota: Rota,
    board: Board,
    rid: str,
    before: dict[str, int],
    weights: Weights,
    top: int,
) -> list[Change]:
    """The fewest sessions in the way to move (each to its best new place) so that ``rid``
    fits; the cheapest such plans, found within DISPLACE_SECONDS."""
    deadline = time.perf_counter() + DISPLACE_SECONDS
    tried: set[tuple[str, ...]] = set()
    found: list[Change] = []
    for size in range(1, MOST_MOVED + 1):
        for o in board.options[rid]:
            for group in itertools.combinations(board.in_the_way(rid, o, REACH_MINUTES), size):
                if group in tried or time.perf_counter() > deadline:
                    continue
                tried.add(group)
                plan = _try(board, rid, group)
                if plan is None:
                    continue
                change = _change(problem, rota, before, plan, weights, group)
                if change is not None:
                    found.append(change)
        if found:
            break
    return sorted(found, key=lambda c: (c.cost_change, c.moved))[:top]


def _try(board: Board, rid: str, group: tuple[str, ...]) -> tuple[Session, ...] | None:
    """Take ``group`` out, put ``rid`` at its best place, then each of ``group`` back at its
    best; the new sessions, or None (the board is left as it was either way)."""
    removed = [board.remove(other) for other in group]
    placed: list[Session] = []
    try:
        first = board.best_insertion(rid)
        if first is None:
            return None
        board.place(first.session)
        placed.append(first.session)
        for other in group:
            again = board.best_insertion(other)
            if again is None:
                return None
            board.place(again.session)
            placed.append(again.session)
        return tuple(placed)
    finally:
        for s in placed:
            board.remove(s.referral_id)
        for s in removed:
            board.place(s)
