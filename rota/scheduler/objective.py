"""The objective: labelled, weighted terms summed and minimised; zero weights are skipped.

Terms (weights in Weights, README "Objective"): unscheduled referrals by priority, continuity
lost, travel minutes, preferred times missed, day span minutes (idle gaps), sessions moved from
the previous rota. ``cost_terms`` evaluates the same terms on any Rota without a solver.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from rota.models import Problem, Rota
from rota.models.result import CostTerm
from rota.models.timeutil import covers
from rota.scheduler.params import PRIORITY_WEIGHT, Weights
from rota.scheduler.variables import Variables


@dataclass
class Term:
    label: str
    weight: int
    expr: cp_model.LinearExprT


def build_objective(
    model: cp_model.CpModel,
    v: Variables,
    weights: Weights,
    travel_terms: list[tuple[cp_model.IntVar, int]],
    keep: dict[str, cp_model.IntVar],
) -> list[Term]:
    problem = v.problem
    terms: list[Term] = []
    for p in sorted(PRIORITY_WEIGHT):
        refs = [r for r in problem.referrals if r.priority == p]
        if refs:
            expr = sum(
                (1 - v.scheduled[r.referral_id]) if r.referral_id in v.scheduled else 1
                for r in refs
            )
            terms.append(
                Term(f"unscheduled priority {p}", weights.unscheduled * PRIORITY_WEIGHT[p], expr)
            )
    lost = [
        (1 - v.works_on[(r.referral_id, r.current_therapist_id)])
        if (r.referral_id, r.current_therapist_id) in v.works_on
        else 1
        for r in problem.referrals
        if r.current_therapist_id
    ]
    if lost:
        terms.append(Term("continuity lost", weights.continuity, sum(lost)))
    terms.append(Term("travel minutes", weights.travel, sum(a * t for a, t in travel_terms if t)))
    missed = []
    for r in problem.referrals:
        rid = r.referral_id
        pref = problem.preferred_windows(rid)
        if pref is None or rid not in v.scheduled:
            continue
        from rota.scheduler.variables import day_offset, domain_of

        slots = [
            (day_offset(day) + a, day_offset(day) + b - r.minutes)
            for day, ranges in pref.items()
            for a, b in ranges
            if b - a >= r.minutes
        ]
        met = model.new_bool_var(f"pref[{rid}]")
        model.add_implication(met, v.scheduled[rid])
        if slots:
            model.add_linear_expression_in_domain(v.start[rid], domain_of(slots)).only_enforce_if(
                met
            )
        else:
            model.add(met == 0)
        missed.append(v.scheduled[rid] - met)
    if missed:
        terms.append(Term("preferred times missed", weights.preferred, sum(missed)))
    spans = [
        tdv.last - tdv.first
        for tdv in v.therapist_days()
        if tdv.first is not None and tdv.last is not None
    ]
    if spans:
        terms.append(Term("day span minutes", weights.idle, sum(spans)))
    if keep:
        terms.append(
            Term(
                "sessions moved from previous", weights.stability, sum(1 - k for k in keep.values())
            )
        )
    model.minimize(sum(t.weight * t.expr for t in terms if t.weight))
    return terms


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
