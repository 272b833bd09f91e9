"""The objective in CP-SAT: labelled, weighted terms summed and minimised; zero weights skipped.

Terms (weights in Weights, README "Objective"): unscheduled referrals by priority, continuity
lost, travel minutes (driving and arrival), long drive minutes (each leg's driving beyond
Settings long_drive_minutes, when set), preferred times missed, day span minutes (idle gaps),
sessions moved from the previous rota, load spread points (with the Settings' balance_loads),
therapists' wishes (avoided days worked, days outside preferred days, sessions away from
preferred sites). :func:`rota.evaluate.costs.cost_terms` evaluates the same terms on any Rota
without a solver.
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
    terms += _wish_terms(v, weights)
    spread = _load_spread(model, v)
    if spread is not None:
        terms.append(Term("load spread points", weights.fairness, spread))
    if keep:
        terms.append(
            Term(
                "sessions moved from previous", weights.stability, sum(1 - k for k in keep.values())
            )
        )
    model.minimize(sum(t.weight * t.expr for t in terms if t.weight))
    return terms


def _wish_terms(v: Variables, weights: Weights) -> list[Term]:
    """The therapists' wishes (only where stated): a day worked (not empty) that she avoids or
    that is outside her preferred days, and each session away from her preferred sites."""
    avoided: list[cp_model.LinearExprT] = []
    unpreferred: list[cp_model.LinearExprT] = []
    away: list[cp_model.LinearExprT] = []
    for tdv in v.therapist_days():
        t = v.problem.therapist_by_id[tdv.therapist_id]
        if tdv.empty is not None:
            if tdv.day in t.avoid_days:
                avoided.append(1 - tdv.empty)
            if t.preferred_days and tdv.day not in t.preferred_days:
                unpreferred.append(1 - tdv.empty)
        if t.preferred_sites:
            away += [
                a
                for b in tdv.blocks.values()
                if b.site_id not in t.preferred_sites
                for _rid, a in b.sessions
            ]
    problem = v.problem
    out: list[Term] = []
    if any(t.avoid_days for t in problem.therapists):
        out.append(Term("avoided days worked", weights.avoided_day, sum(avoided)))
    if any(t.preferred_days for t in problem.therapists):
        out.append(Term("days outside preferred days", weights.unpreferred_day, sum(unpreferred)))
    if any(t.preferred_sites for t in problem.therapists):
        out.append(Term("sessions away from preferred sites", weights.unpreferred_site, sum(away)))
    return out


def _load_spread(model: cp_model.CpModel, v: Variables) -> cp_model.IntVar | None:
    """The busiest minus the least busy therapist's load in whole percentage points, a load
    being her week's session minutes (those outside the model included) x 100 over her contract,
    rounded down; exactly so (max and min equalities), whatever the search's stage."""
    problem = v.problem
    if not problem.settings.balance_loads:
        return None
    minutes_by_therapist: dict[str, list[cp_model.LinearExprT]] = {}
    for (rid, tid), w in v.works_on.items():
        minutes_by_therapist.setdefault(tid, []).append(v.referral(rid).minutes * w)
    loads: list[cp_model.IntVar] = []
    highest = 0
    for t in problem.therapists:
        tid = t.therapist_id
        contract = problem.contract_minutes(tid)
        if contract <= 0:
            continue
        fixed = v.fixed_contact[tid]
        terms = minutes_by_therapist.get(tid, [])
        most = fixed + sum(v.referral(rid).minutes for (rid, who) in v.works_on if who == tid)
        highest = max(highest, most * 100 // contract)
        load = model.new_int_var(fixed * 100 // contract, most * 100 // contract, f"load[{tid}]")
        contact = fixed + sum(terms)
        # load x contract <= contact x 100 < (load + 1) x contract: the rounded-down load.
        model.add(load * contract <= contact * 100)
        model.add(contact * 100 <= load * contract + contract - 1)
        loads.append(load)
    if not loads:
        return None
    top = model.new_int_var(0, highest, "load_max")
    low = model.new_int_var(0, highest, "load_min")
    model.add_max_equality(top, loads)
    model.add_min_equality(low, loads)
    spread = model.new_int_var(0, highest, "load_spread")
    model.add(spread == top - low)
    return spread
