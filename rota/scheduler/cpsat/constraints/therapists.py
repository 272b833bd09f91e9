"""A therapist does one thing at a time: each session plus its admin, and lunch.

Working ranges, discipline and skills are already in the candidates and the start domains.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from rota.scheduler.cpsat.variables import Variables


def add_therapist_rules(model: cp_model.CpModel, v: Variables) -> None:
    intervals: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
    for (rid, tid), w in v.works_on.items():
        length = v.referral(rid).minutes + v.admin
        intervals[tid].append(
            model.new_optional_fixed_size_interval_var(v.start[rid], length, w, f"t[{rid},{tid}]")
        )
    lunch = v.problem.settings.lunch_minutes
    for tdv in v.therapist_days():
        if tdv.lunch_start is not None:
            intervals[tdv.therapist_id].append(
                model.new_fixed_size_interval_var(
                    tdv.lunch_start, lunch, f"lunch[{tdv.therapist_id},{tdv.day}]"
                )
            )
    for items in intervals.values():
        if len(items) > 1:
            model.add_no_overlap(items)


def add_limit_rules(model: cp_model.CpModel, v: Variables) -> None:
    """max_sessions_per_day and max_contact_minutes (a co-facilitated session counts in full)."""
    for t in v.problem.therapists:
        if t.max_sessions_per_day is not None:
            for day in v.shapes[t.therapist_id]:
                tdv = v.days.get((t.therapist_id, day))
                if tdv is not None:
                    lits = [a for b in tdv.blocks.values() for _, a in b.sessions]
                    if len(lits) > t.max_sessions_per_day:
                        model.add(sum(lits) <= t.max_sessions_per_day)
        if t.max_contact_minutes is not None:
            terms = [
                v.referral(rid).minutes * w
                for (rid, tid), w in v.works_on.items()
                if tid == t.therapist_id
            ]
            if terms:
                model.add(sum(terms) <= t.max_contact_minutes)
