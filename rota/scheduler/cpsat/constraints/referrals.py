"""Each referral: scheduled at most once, with its therapists, one room, at one start time."""

from __future__ import annotations

from ortools.sat.python import cp_model

from rota.scheduler.cpsat.variables import Variables, day_offset, domain_of


def add_referral_rules(model: cp_model.CpModel, v: Variables) -> None:
    """Links a referral's therapists, room and start, inside the windows of each choice."""
    for rid, x in v.scheduled.items():
        ref = v.referral(rid)
        options = v.options_of(rid)
        model.add(sum(a for _, a in options) == ref.therapists_needed * x)
        rooms = v.rooms_of(rid)
        model.add(sum(z for _, z in rooms) == x)
        start = v.start[rid]
        for o, a in options:
            dom = [(day_offset(o.day) + lo, day_offset(o.day) + hi) for lo, hi in o.starts]
            model.add_linear_expression_in_domain(start, domain_of(dom)).only_enforce_if(a)
        by_therapist: dict[str, list[cp_model.IntVar]] = {}
        for o, a in options:
            by_therapist.setdefault(o.therapist_id, []).append(a)
        for tid, lits in by_therapist.items():
            model.add(sum(lits) == v.works_on[(rid, tid)])
        cand = v.candidates[rid]
        site_of_room = {r.room_id: r.site_id for r in cand.rooms}
        for room_id, z in rooms:
            dom = [
                (day_offset(day) + lo, day_offset(day) + hi)
                for (rm, day), st in cand.room_starts.items()
                if rm == room_id
                for lo, hi in st
            ]
            model.add_linear_expression_in_domain(start, domain_of(dom)).only_enforce_if(z)
        # A therapist option at a site needs the room to be at that site.
        sites = list(dict.fromkeys(o.site_id for o, _ in options))
        if len(sites) > 1:
            for site in sites:
                at_site = [z for room_id, z in rooms if site_of_room[room_id] == site]
                for o, a in options:
                    if o.site_id == site:
                        model.add_bool_or(at_site).only_enforce_if(a)
