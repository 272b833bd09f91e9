"""Interchangeable therapists: their use is ordered, so the search does not visit every
relabelling of the same rota.

Two therapists are interchangeable in a model when nothing tells them apart: the same base,
disciplines, skills, working hours and limits; the same options (day, site, starts) for every
referral in the model; and neither is a referral's current therapist, in the previous rota, or
holding a session fixed outside the model. Swapping two such therapists' whole weeks then turns
any valid rota into a valid rota of the same cost (every rule and every cost term sees only
what they share), so asking that, within a group (in id order), each therapist has at least as
many sessions as the next removes only copies of rotas, never the best one. This matters where
a service looks like a vehicle-routing test: many identical therapists at one base.

Not a rule of a rota: the checker and the heuristics know nothing of it; a hint is relabelled
(:func:`relabel`) to keep the order before CP-SAT sees it.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from rota.models import Rota
from rota.scheduler.cpsat.variables import Variables


def interchangeable(v: Variables) -> list[list[str]]:
    """Groups (two or more, each in id order) of the model's interchangeable therapists."""
    problem = v.problem
    marked = {r.current_therapist_id for r in problem.referrals if r.current_therapist_id}
    marked |= {p.therapist_id for p in problem.previous}
    marked |= {t for t, minutes in v.fixed_contact.items() if minutes}
    options: dict[str, set[tuple[object, ...]]] = defaultdict(set)
    for rid, o in v.assign:
        options[o.therapist_id].add((rid, o.day, o.site_id, o.starts))
    groups: dict[tuple[object, ...], list[str]] = defaultdict(list)
    for t in problem.therapists:
        if t.therapist_id in marked or t.therapist_id not in options:
            continue
        shared = t.model_dump_json(exclude={"therapist_id", "name"})
        groups[(shared, frozenset(options[t.therapist_id]))].append(t.therapist_id)
    return [sorted(g) for g in groups.values() if len(g) > 1]


def add_symmetry_rules(model: cp_model.CpModel, v: Variables) -> list[list[str]]:
    """Within each group of interchangeable therapists, sessions in non-increasing order of
    id; returns the groups."""
    groups = interchangeable(v)
    count: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for (_rid, tid), w in v.works_on.items():
        count[tid].append(w)
    for group in groups:
        for a, b in zip(group, group[1:], strict=False):
            model.add(sum(count[a]) >= sum(count[b]))
    return groups


def relabel(rota: Rota, groups: list[list[str]]) -> Rota:
    """The same rota with each group's weeks handed to its therapists in the order the rule
    asks (the busiest week to the first id): same rules kept, same cost."""
    names: dict[str, str] = {}
    for group in groups:
        sessions = {t: 0 for t in group}
        for s in rota.sessions:
            for t in s.therapist_ids:
                if t in sessions:
                    sessions[t] += 1
        busiest = sorted(group, key=lambda t: (-sessions[t], t))
        names.update(zip(busiest, group, strict=True))
    if all(a == b for a, b in names.items()):
        return rota
    return Rota(
        sessions=tuple(
            s.model_copy(
                update={"therapist_ids": tuple(sorted(names.get(t, t) for t in s.therapist_ids))}
            )
            for s in rota.sessions
        ),
        unscheduled=rota.unscheduled,
    )
