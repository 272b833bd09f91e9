"""Turns a checked rota (the greedy's) into a complete CP-SAT solution hint."""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from rota.models import Rota, Session
from rota.scheduler.budget import Budget
from rota.scheduler.cpsat.constraints.travel import BASE_END, BASE_START
from rota.scheduler.cpsat.solver import run_solver
from rota.scheduler.cpsat.variables import TherapistDayVars, Variables, day_offset
from rota.scheduler.day import Visit
from rota.scheduler.params import HINT_COMPLETION_SECONDS
from rota.scheduler.progress import StopSignal


def complete_hint(
    model: cp_model.CpModel,
    budget: Budget,
    seconds: float = HINT_COMPLETION_SECONDS,
    stop: StopSignal | None = None,
    *,
    neighbourhood: bool = False,
) -> bool:
    """Fill in every variable the hint leaves open by solving a copy with the hint fixed.

    CP-SAT follows a complete, feasible hint straight to a first solution; a partial one it may
    lose. One worker, at most ``seconds`` (of work, in a repeatable run); the work is charged to
    ``budget``. Returns False (and leaves the hint as it was) if the copy finds no completion.
    """
    proto = model.proto
    pairs = list(zip(proto.solution_hint.vars, proto.solution_hint.values, strict=True))
    if not pairs:
        return False
    fixed = model.clone()
    fixed.clear_hints()
    for index, value in pairs:
        fixed.add(fixed.get_int_var_from_proto_index(index) == value)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    deterministic = budget.deterministic(seconds, workers=1, neighbourhood=neighbourhood)
    if deterministic is None:
        solver.parameters.max_time_in_seconds = seconds
    else:
        solver.parameters.max_deterministic_time = deterministic
    solver.parameters.catch_sigint_signal = False
    status = run_solver(solver, fixed, stop)
    budget.charge_solver(solver.deterministic_time, workers=1, neighbourhood=neighbourhood)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False
    model.clear_hints()
    for index in range(len(proto.variables)):
        var = model.get_int_var_from_proto_index(index)
        model.add_hint(var, solver.value(var))
    return True


def add_hint(model: cp_model.CpModel, v: Variables, rota: Rota) -> None:
    by_ref = {s.referral_id: s for s in rota.sessions}
    for rid, x in v.scheduled.items():
        s = by_ref.get(rid)
        model.add_hint(x, s is not None)
        if s is not None:
            model.add_hint(v.start[rid], day_offset(s.day) + s.start)
        for o, a in v.options_of(rid):
            model.add_hint(
                a,
                s is not None
                and o.therapist_id in s.therapist_ids
                and o.day == s.day
                and o.site_id == s.site_id,
            )
        for room_id, z in v.rooms_of(rid):
            model.add_hint(z, s is not None and s.room_id == room_id)
    for (rid, tid), w in v.works_on.items():
        s = by_ref.get(rid)
        model.add_hint(w, s is not None and tid in s.therapist_ids)
    day_sessions: dict[tuple[str, str], list[Session]] = defaultdict(list)
    for s in rota.sessions:
        for tid in s.therapist_ids:
            day_sessions[(tid, s.day)].append(s)
    for key, tdv in v.days.items():
        _hint_day(model, v, tdv, sorted(day_sessions.get(key, []), key=lambda s: s.start))


def _hint_day(
    model: cp_model.CpModel, v: Variables, tdv: TherapistDayVars, sessions: list[Session]
) -> None:
    """Blocks, arcs, lunch and span of one therapist-day for its sessions in start order."""
    admin = v.admin
    off = day_offset(tdv.day)
    order: list[str] = []
    span: dict[str, list[int]] = {}
    for s in sessions:
        if s.site_id not in span:
            order.append(s.site_id)
            span[s.site_id] = [off + s.start, off + s.end + admin]
        span[s.site_id][1] = max(span[s.site_id][1], off + s.end + admin)
    if tdv.shape.lunch and tdv.lunch_start is not None:
        _hint_lunch(model, v, tdv, sessions, span)
    index = {sid: i for i, sid in enumerate(tdv.sites, start=1)}
    visited = [sid for sid in order if sid in index]
    for sid, blk in tdv.blocks.items():
        used = sid in span
        model.add_hint(blk.used, used)
        if used:
            model.add_hint(blk.start, span[sid][0])
            model.add_hint(blk.end, span[sid][1])
    path = [0] + [index[s] for s in visited] + [0]
    arcs_on = set(zip(path, path[1:], strict=False)) if visited else set()
    for (i, j), lit in tdv.arcs.items():
        model.add_hint(lit, (i, j) in arcs_on)
    if tdv.empty is not None:
        model.add_hint(tdv.empty, not visited)
    if tdv.first is not None and tdv.last is not None:
        # The span runs from the first session to the last admin (not the blocks' lunch).
        if sessions:
            model.add_hint(tdv.first, off + min(s.start for s in sessions))
            model.add_hint(tdv.last, off + max(s.end for s in sessions) + admin)
        else:
            model.add_hint(tdv.first, off + tdv.shape.start)
            model.add_hint(tdv.last, off + tdv.shape.start)


def _hint_lunch(
    model: cp_model.CpModel,
    v: Variables,
    tdv: TherapistDayVars,
    sessions: list[Session],
    span: dict[str, list[int]],
) -> None:
    """Lunch where the day rules put it: at the base before the first drive or after the last,
    or at a site (whose block then covers it)."""
    assert tdv.lunch_start is not None
    visits = [Visit(s.start, s.end, s.site_id, s.referral_id) for s in sessions]
    gaps = v.day_rules.gaps(tdv.therapist_id, tdv.shape, visits)
    lunch = v.day_rules.lunch(tdv.shape, gaps)
    if lunch is None:
        return
    if lunch.gap_index == 0 and lunch.before_drive:
        place = BASE_START
    elif lunch.gap_index == len(gaps) - 1 and not lunch.before_drive:
        place = BASE_END
    else:
        place = lunch.place(gaps)
    start = day_offset(tdv.day) + lunch.start
    if place in span:
        span[place][0] = min(span[place][0], start)
        span[place][1] = max(span[place][1], start + v.problem.settings.lunch_minutes)
    model.add_hint(tdv.lunch_start, start)
    for where, lit in tdv.lunch_at.items():
        model.add_hint(lit, where == place)
