"""The one cost evaluator: the objective's labelled terms on any Rota, without a solver.

LNS acceptance, the Result, the Summary sheet and scenario comparison all ask this module, so the
search can never optimise a cost other than the one reported.
"""

from __future__ import annotations

from collections import defaultdict

from rota.evaluate.weights import PRIORITY_WEIGHT, Weights
from rota.models import PreviousSession, Problem, Rota
from rota.models.result import CostTerm
from rota.models.timeutil import covers


def cost_terms(
    problem: Problem, rota: Rota, weights: Weights, previous_kept: tuple[int, int] | None = None
) -> tuple[CostTerm, ...]:
    """The objective's terms evaluated on a Rota (solver-neutral), in the model's order."""
    admin = problem.settings.admin_minutes
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
    days: dict[tuple[str, str], list] = defaultdict(list)
    for s in rota.sessions:
        for tid in s.therapist_ids:
            days[(tid, s.day)].append(s)
    travel = 0
    span = 0
    for (tid, _day), sessions in days.items():
        sessions.sort(key=lambda s: s.start)
        base = problem.therapist_by_id[tid].base_site_id
        sites = [base] + [s.site_id for s in sessions] + [base]
        travel += sum(problem.travel_minutes(a, b) for a, b in zip(sites, sites[1:], strict=False))
        span += max(s.end for s in sessions) + admin - sessions[0].start
    add("travel minutes", weights.travel, travel)
    missed = 0
    any_pref = False
    for r in problem.referrals:
        pref = problem.preferred_windows(r.referral_id)
        placed = by_ref.get(r.referral_id)
        if pref is None or placed is None:
            continue
        any_pref = True
        missed += not covers(pref.get(placed.day, ()), placed.start, placed.end)
    if any_pref:
        add("preferred times missed", weights.preferred, missed)
    if days:
        add("day span minutes", weights.idle, span)
    if previous_kept is not None:
        kept, total = previous_kept
        add("sessions moved from previous", weights.stability, total - kept)
    return tuple(out)


def total_cost(problem: Problem, rota: Rota, weights: Weights) -> int:
    """The objective's value for ``rota`` (without the previous-rota term)."""
    return sum(t.cost for t in cost_terms(problem, rota, weights))


def previous_kept(problem: Problem, rota: Rota) -> tuple[int, int]:
    """(previous sessions kept exactly, previous sessions) by referral."""
    prev: dict[str, list[PreviousSession]] = defaultdict(list)
    for p in problem.previous:
        if p.referral_id in problem.referral_by_id:
            prev[p.referral_id].append(p)
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
