"""The objective in CP-SAT: labelled, weighted terms summed and minimised; zero weights skipped.

Terms (weights in Weights, README "Objective"): unscheduled referrals by priority, continuity
lost, travel minutes (driving and arrival), long drive minutes (each leg's driving beyond
Settings long_drive_minutes, when set), preferred times missed, day span minutes (idle gaps),
sessions moved from the previous rota. :func:`rota.evaluate.costs.cost_terms` evaluates the
same terms on any Rota without a solver.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from rota.evaluate.weights import PRIORITY_WEIGHT, Weights
from rota.scheduler.cpsat.variables import Variables, day_offset, domain_of


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
    threshold = problem.settings.long_drive_minutes
    if threshold is not None:
        # Per arc a constant: its driving beyond the threshold (arrival is not driving).
        beyond = [
            (arc, minutes - threshold)
            for tdv in v.therapist_days()
            for arc, minutes in tdv.drives
            if minutes > threshold
        ]
        terms.append(Term("long drive minutes", weights.long_drive, sum(a * n for a, n in beyond)))
    missed = []
    for r in problem.referrals:
        rid = r.referral_id
        pref = problem.preferred_windows(rid)
        if pref is None or rid not in v.scheduled:
            continue
        slots = [
            (day_offset(day) + a, day_offset(day) + b - r.minutes)
            for day, ranges in pref.items()
            for a, b in ranges
            if b - a >= r.minutes
        ]
        met = model.new_bool_var(f"pref[{rid}]")
        model.add_implication(met, v.scheduled[rid])
        if slots:
            # met exactly when the session starts in a preferred slot (as the evaluator counts).
            inside = domain_of(slots)
            start = v.start[rid]
            model.add_linear_expression_in_domain(start, inside).only_enforce_if(met)
            model.add_linear_expression_in_domain(start, inside.complement()).only_enforce_if(
                [v.scheduled[rid], ~met]
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
