"""Minimal disruption: keep each previous session's therapist(s), day, time and room; pins too."""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from rota.models import PreviousSession
from rota.scheduler.cpsat.variables import Variables, day_offset


def previous_by_referral(v: Variables) -> dict[str, list[PreviousSession]]:
    out: dict[str, list[PreviousSession]] = defaultdict(list)
    for p in v.problem.previous:
        if p.referral_id in v.problem.referral_by_id:
            out[p.referral_id].append(p)
    return out


def add_previous_rules(model: cp_model.CpModel, v: Variables) -> dict[str, cp_model.IntVar]:
    """Returns keep[referral] literals; a pinned referral's literal is forced true."""
    keep: dict[str, cp_model.IntVar] = {}
    for rid, rows in sorted(previous_by_referral(v).items()):
        k = model.new_bool_var(f"keep[{rid}]")
        keep[rid] = k
        pinned = any(p.pinned for p in rows)
        first = rows[0]
        lits = [v.works_on.get((rid, p.therapist_id)) for p in rows]
        z = v.room.get((rid, first.room_id))
        start = v.start.get(rid)
        target = day_offset(first.day) + first.start
        possible = (
            start is not None
            and z is not None
            and all(lit is not None for lit in lits)
            and start.proto.domain
            and _in_domain(start, target)
            and all(
                p.day == first.day and p.start == first.start and p.room_id == first.room_id
                for p in rows
            )
        )
        if not possible:
            model.add(k == 0)
            continue
        assert start is not None and z is not None
        team = [lit for lit in lits if lit is not None]
        # keep exactly when the session is where it was (as the evaluator counts it kept).
        there = model.new_bool_var(f"there[{rid}]")
        model.add(start == target).only_enforce_if(there)
        model.add(start != target).only_enforce_if(~there)
        for lit in (there, z, *team):
            model.add_implication(k, lit)
        model.add_bool_or([k, ~there, ~z, *(~lit for lit in team)])
        if pinned:
            model.add(k == 1)
    return keep


def _in_domain(var: cp_model.IntVar, value: int) -> bool:
    dom = list(var.proto.domain)
    return any(dom[i] <= value <= dom[i + 1] for i in range(0, len(dom), 2))
