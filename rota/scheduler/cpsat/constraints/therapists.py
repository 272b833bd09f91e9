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
    """max_sessions_per_day and max_contact_minutes (a co-facilitated session counts in full),
    less what the sessions outside the model (an LNS neighbourhood's fixed rest) use."""
    for t in v.problem.therapists:
        tid = t.therapist_id
        if t.max_sessions_per_day is not None:
            for day in v.shapes[tid]:
                tdv = v.days.get((tid, day))
                if tdv is not None:
                    lits = [a for b in tdv.blocks.values() for _, a in b.sessions]
                    left = t.max_sessions_per_day - v.fixed_per_day[(tid, day)]
                    if len(lits) > left:
                        model.add(sum(lits) <= max(0, left))
        if t.max_contact_minutes is not None:
            terms = [
                v.referral(rid).minutes * w for (rid, who), w in v.works_on.items() if who == tid
            ]
            if terms:
                model.add(sum(terms) <= max(0, t.max_contact_minutes - v.fixed_contact[tid]))
