"""The one cost evaluator: the objective's labelled terms on any Rota, without a solver.

LNS acceptance, the Result, the Summary sheet and scenario comparison all ask this module, so the
search can never optimise a cost other than the one reported.
"""

from __future__ import annotations

from collections import defaultdict

from rota.evaluate.kpis import day_routes, sessions_by_therapist_day
from rota.evaluate.weights import PRIORITY_WEIGHT, Weights
from rota.models import PreviousSession, Problem, Rota, Session
from rota.models.result import CostTerm
from rota.models.timeutil import covers


def cost_terms(
    problem: Problem, rota: Rota, weights: Weights, *, previous: bool = True
) -> tuple[CostTerm, ...]:
    """The objective's terms evaluated on a Rota (solver-neutral), in the model's order.

    The term for sessions moved from the previous rota is there when the Problem has previous
    sessions (of known referrals) and ``previous`` is set (a solve told not to use them leaves
    it out, as its model does)."""
    by_ref = {s.referral_id: s for s in rota.sessions}
    out: list[CostTerm] = []

    def add(label: str, weight: int, units: int) -> None:
        out.append(CostTerm(label=label, weight=weight, units=units, cost=weight * units))

    for p in sorted(PRIORITY_WEIGHT):
        refs = [r for r in problem.referrals if r.priority == p]
        if refs:
            add(
                f"unscheduled priority {p}",
                weights.unscheduled * PRIORITY_WEIGHT[p],
                sum(r.referral_id not in by_ref for r in refs),
            )
    with_current = [r for r in problem.referrals if r.current_therapist_id]
    if with_current:
        add(
            "continuity lost",
            weights.continuity,
            sum(
                r.referral_id not in by_ref
                or r.current_therapist_id not in by_ref[r.referral_id].therapist_ids
                for r in with_current
            ),
        )
    add("travel minutes", weights.travel, sum(r.minutes for r in day_routes(problem, rota)))
    preferred = _preferred_missed(problem, by_ref)
    if preferred is not None:
        add("preferred times missed", weights.preferred, preferred)
    days = sessions_by_therapist_day(problem, rota)
    if days:
        add("day span minutes", weights.idle, sum(_span(problem, s) for s in days.values()))
    if previous and previous_rows(problem):
        kept, total = previous_kept(problem, rota)
        add("sessions moved from previous", weights.stability, total - kept)
    return tuple(out)


def _preferred_missed(problem: Problem, by_ref: dict[str, Session]) -> int | None:
    """Scheduled referrals outside their preferred times (None if none states a preference)."""
    missed = 0
    any_pref = False
    for r in problem.referrals:
        pref = problem.preferred_windows(r.referral_id)
        placed = by_ref.get(r.referral_id)
        if pref is None or placed is None:
            continue
        any_pref = True
        missed += not covers(pref.get(placed.day, ()), placed.start, placed.end)
    return missed if any_pref else None


def _span(problem: Problem, sessions: list[Session]) -> int:
    """A therapist-day's span: from the first session's start to the end of the last admin."""
    return max(s.end for s in sessions) + problem.settings.admin_minutes - sessions[0].start


def total_cost(problem: Problem, rota: Rota, weights: Weights, *, previous: bool = True) -> int:
    """The objective's value for ``rota``: the sum of :func:`cost_terms`."""
    return sum(t.cost for t in cost_terms(problem, rota, weights, previous=previous))


def previous_rows(problem: Problem) -> dict[str, list[PreviousSession]]:
    """The previous rota's rows by referral (referrals the Problem still has)."""
    prev: dict[str, list[PreviousSession]] = defaultdict(list)
    for p in problem.previous:
        if p.referral_id in problem.referral_by_id:
            prev[p.referral_id].append(p)
    return prev


def previous_kept(problem: Problem, rota: Rota) -> tuple[int, int]:
    """(previous sessions kept exactly, previous sessions) by referral."""
    prev = previous_rows(problem)
    kept = 0
    for rid, rows in prev.items():
        s = rota.session_of(rid)
        if s and all(
            s.day == p.day
            and s.start == p.start
            and s.room_id == p.room_id
            and p.therapist_id in s.therapist_ids
            for p in rows
        ):
            kept += 1
    return kept, len(prev)
