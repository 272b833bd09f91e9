"""Travel between the sites a therapist visits each day, and lunch.

Each therapist-day is a circuit over its candidate sites: node 0 is the base (the day starts and
ends there), node i a block = the therapist's stay at one site, from the first session's start to
the last session's admin end. An arc i -> j means "drive from i to j and arrive there", so block
j starts no earlier than block i ends plus the drive and j's arrival minutes (parking, signing
in, setting up: on every arc into a block, the base clinic's block included; the arcs back to
the base node are the day's final return and carry the drive alone); a self-loop on a site
means "not visited" and on the base "no session that day". Lunch sits in one piece inside the
lunch window, at a visited site (inside its block, so travel never overlaps it) or at the base
before the first drive or after the last.

Each arc's driving minutes alone (arrival is not driving) go into ``TherapistDayVars.drives``
for the day limits family (daily driving) and the objective's long drive term.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from rota.models import Problem
from rota.scheduler.cpsat.variables import TherapistDayVars, Variables, day_offset

BASE_START, BASE_END = "^", "$"


def arrival(problem: Problem, site_id: str) -> int:
    """Arrival minutes on an arc into a site's block (the arcs back to the base have none)."""
    return problem.arrival_minutes(site_id)


def add_travel_rules(model: cp_model.CpModel, v: Variables) -> list[tuple[cp_model.IntVar, int]]:
    """Adds blocks, circuits and lunch; returns (arc, minutes) pairs for the travel cost
    (driving and arrival) and records each arc's driving minutes in ``v.drives``."""
    travel_terms: list[tuple[cp_model.IntVar, int]] = []
    problem = v.problem
    for tdv in v.therapist_days():
        base = problem.therapist_by_id[tdv.therapist_id].base_site_id
        off = day_offset(tdv.day)
        d0, d1 = off + tdv.shape.start, off + tdv.shape.end
        sites = tdv.sites
        blocks = [tdv.blocks[sid] for sid in sites]
        for b in blocks:
            lits = [a for _, a in b.sessions]
            for rid, a in b.sessions:
                length = v.referral(rid).minutes + v.admin
                model.add(b.start <= v.start[rid]).only_enforce_if(a)
                model.add(b.end >= v.start[rid] + length).only_enforce_if(a)
                model.add_implication(a, b.used)
            model.add_bool_or(lits).only_enforce_if(b.used)
            model.add(b.end >= b.start)
        if len(blocks) > 1:
            model.add_no_overlap(
                [
                    model.new_optional_interval_var(
                        b.start,
                        model.new_int_var(0, d1 - d0, ""),
                        b.end,
                        b.used,
                        f"blk[{tdv.therapist_id},{tdv.day},{b.site_id}]",
                    )
                    for b in blocks
                ]
            )
        terms_before = len(travel_terms)
        arcs: list[tuple[int, int, cp_model.LiteralT]] = []
        empty = model.new_bool_var(f"empty[{tdv.therapist_id},{tdv.day}]")
        tdv.empty = empty
        arcs.append((0, 0, empty))
        for i, b in enumerate(blocks, start=1):
            arcs.append((i, i, ~b.used))
            drive_go = problem.travel_minutes(base, b.site_id)
            go = drive_go + (arrival(problem, b.site_id) if b.site_id != base else 0)
            back = problem.travel_minutes(b.site_id, base)
            out_arc = model.new_bool_var("")
            in_arc = model.new_bool_var("")
            tdv.arcs[(0, i)] = out_arc
            tdv.arcs[(i, 0)] = in_arc
            arcs += [(0, i, out_arc), (i, 0, in_arc)]
            model.add(b.start >= d0 + go).only_enforce_if(out_arc)
            model.add(b.end + back <= d1).only_enforce_if(in_arc)
            travel_terms += [(out_arc, go), (in_arc, back)]
            tdv.drives += [(out_arc, drive_go), (in_arc, back)]
            for j, c in enumerate(blocks, start=1):
                if i == j:
                    continue
                drive = problem.travel_minutes(b.site_id, c.site_id)
                t = drive + arrival(problem, c.site_id)
                arc = model.new_bool_var("")
                tdv.arcs[(i, j)] = arc
                arcs.append((i, j, arc))
                model.add(c.start >= b.end + t).only_enforce_if(arc)
                travel_terms.append((arc, t))
                tdv.drives.append((arc, drive))
        model.add_circuit(arcs)
        v.travel_terms.extend(t for t in travel_terms[terms_before:] if t[1])
        if tdv.shape.lunch:
            _add_lunch(model, v, tdv, base, d0, d1)
        _add_span(model, v, tdv, d0, d1)
    return travel_terms


def _add_lunch(
    model: cp_model.CpModel, v: Variables, tdv: TherapistDayVars, base: str, d0: int, d1: int
) -> None:
    problem = v.problem
    s = problem.settings
    off = day_offset(tdv.day)
    lunch = s.lunch_minutes
    w0, w1 = off + s.lunch_window.start, off + s.lunch_window.end
    lam = model.new_int_var(w0, w1 - lunch, f"lunch[{tdv.therapist_id},{tdv.day}]")
    tdv.lunch_start = lam
    places: list[cp_model.IntVar] = []
    for sid in tdv.sites:
        b = tdv.blocks[sid]
        p = model.new_bool_var("")
        tdv.lunch_at[sid] = p
        places.append(p)
        model.add_implication(p, b.used)
        model.add(b.start <= lam).only_enforce_if(p)
        model.add(b.end >= lam + lunch).only_enforce_if(p)
    at_start = model.new_bool_var("")
    at_end = model.new_bool_var("")
    tdv.lunch_at[BASE_START] = at_start
    tdv.lunch_at[BASE_END] = at_end
    places += [at_start, at_end]
    model.add_exactly_one(places)
    model.add(lam >= d0).only_enforce_if(at_start)
    model.add(lam + lunch <= d1).only_enforce_if(at_end)
    for i, sid in enumerate(tdv.sites, start=1):
        b = tdv.blocks[sid]
        go = problem.travel_minutes(base, sid) + (arrival(problem, sid) if sid != base else 0)
        back = problem.travel_minutes(sid, base)
        model.add(b.start >= lam + lunch + go).only_enforce_if([tdv.arcs[(0, i)], at_start])
        model.add(lam >= b.end + back).only_enforce_if([tdv.arcs[(i, 0)], at_end])


def _add_span(
    model: cp_model.CpModel, v: Variables, tdv: TherapistDayVars, d0: int, d1: int
) -> None:
    """The day's span for the idle-time term, exactly as the README defines it: from the first
    session's start to the end of the last session's admin (lunch and drives at either end do
    not count; an empty day spans nothing). Each bound is attained by one of the day's
    sessions, so every solution's objective is the cost evaluator's."""
    first = model.new_int_var(d0, d1, f"first[{tdv.therapist_id},{tdv.day}]")
    last = model.new_int_var(d0, d1, f"last[{tdv.therapist_id},{tdv.day}]")
    firsts: list[cp_model.IntVar] = []
    lasts: list[cp_model.IntVar] = []
    for b in tdv.blocks.values():
        for rid, a in b.sessions:
            start, busy = v.start[rid], v.referral(rid).minutes + v.admin
            model.add(first <= start).only_enforce_if(a)
            model.add(last >= start + busy).only_enforce_if(a)
            is_first, is_last = model.new_bool_var(""), model.new_bool_var("")
            model.add_implication(is_first, a)
            model.add_implication(is_last, a)
            model.add(first >= start).only_enforce_if(is_first)
            model.add(last <= start + busy).only_enforce_if(is_last)
            firsts.append(is_first)
            lasts.append(is_last)
    assert tdv.empty is not None
    model.add_bool_or(firsts).only_enforce_if(~tdv.empty)
    model.add_bool_or(lasts).only_enforce_if(~tdv.empty)
    model.add(last == first).only_enforce_if(tdv.empty)
    # Redundant but it gives the LP the span's real lower bound: the day holds its sessions.
    model.add(
        last - first
        >= sum(
            (v.referral(rid).minutes + v.admin) * a
            for b in tdv.blocks.values()
            for rid, a in b.sessions
        )
    )
    tdv.first, tdv.last = first, last
