"""A reason for every unscheduled referral: the one obstacle a coordinator can act on.

A referral that cannot be placed even on its own is walked through the same stages the
candidates are built in, and the first stage that leaves nothing names the obstacle: the
discipline, the skills, the rooms' features or capacity, its own dates (no session date in the
term), the service days, the site's hours, its
blocked times, the rooms' availability, the therapists' days, their hours, or travel from their
base. A referral that could be placed on its own but was left out names what takes its slots in
the final rota: the sessions in its rooms and in its therapists' days (and their priorities), a
weekly limit reached, or a free slot the search did not reach in its time. The rules themselves
come from :mod:`rota.scheduler.day` and the candidates; nothing here restates one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rota.models import Day, Problem, Referral, Room, Rota, Unscheduled, Windows
from rota.models.dates import referral_has_dates, why_no_dates
from rota.models.timeutil import (
    format_availability,
    format_days,
    format_time,
    merge_intervals,
    subtract_intervals,
)
from rota.scheduler.candidates import Candidates, room_day_starts, room_suits, therapist_can
from rota.scheduler.day import DayRules, Visit, in_starts, intersect_starts, union_starts
from rota.scheduler.greedy import Timetable

#: Sessions named as competitors in a reason, at most.
NAMED_RIVALS = 3


def explain_unscheduled(problem: Problem, candidates: dict[str, Candidates], rota: Rota) -> Rota:
    """The rota with every referral not in it listed as unscheduled, each with its reason."""
    rules = DayRules(problem)
    table = Timetable(problem, rules)
    for session in rota.sessions:
        table.place(session)
    out: list[Unscheduled] = []
    for ref in problem.referrals:
        rid = ref.referral_id
        if rid in table.sessions:
            continue
        cand = candidates[rid]
        if cand.feasible:
            reason = why_left_out(problem, table, cand)
        else:
            reason = why_unplaceable(problem, rules, cand)
        out.append(Unscheduled(referral_id=rid, reason=reason))
    return Rota(sessions=rota.sessions, unscheduled=tuple(out)).sorted()


# ------------------------------------------------------------------ unplaceable on its own
def _who(ref: Referral) -> str:
    skills = f" with {', '.join(ref.needs_skills)}" if ref.needs_skills else ""
    return f"{ref.discipline} therapist{skills}"


def _sites(problem: Problem, ref: Referral) -> list[str]:
    return [sid for sid in ref.site_ids if sid in problem.site_by_id]


def _names(problem: Problem, site_ids: Sequence[str]) -> str:
    return " or ".join(problem.site_by_id[sid].name for sid in site_ids)


def why_unplaceable(problem: Problem, rules: DayRules, cand: Candidates) -> str:
    """The first obstacle that leaves a referral no placement even in an empty rota."""
    ref = cand.referral
    offering = [t for t in problem.therapists if ref.discipline in t.disciplines]
    if not offering:
        return f"no {ref.discipline} therapist works for the service"
    able = [t for t in offering if therapist_can(t, ref.discipline, ref.needs_skills)]
    if len(able) < ref.therapists_needed:
        return (
            f"needs {ref.therapists_needed} {ref.discipline} therapist(s) with "
            f"{', '.join(ref.needs_skills)}; the service has {len(able)}"
        )
    able = [t for t in able if rules.week_fits(t.therapist_id, 0, ref.minutes)]
    if len(able) < ref.therapists_needed:
        return (
            f"the {_who(ref)}s' weekly limits (max_contact_minutes) are shorter than its "
            f"{ref.minutes}-minute session"
        )
    rooms_reason = _why_no_room(problem, ref)
    if rooms_reason:
        return rooms_reason
    if not cand.room_starts:
        if not any(
            referral_has_dates(problem, ref, sid, day)
            for sid in _sites(problem, ref)
            for day in problem.settings.days
        ):
            return why_no_dates(problem, ref)
        return _why_no_room_time(problem, ref)
    return _why_no_therapist(problem, rules, cand, [t.therapist_id for t in able])


def _why_no_room(problem: Problem, ref: Referral) -> str:
    """Features, then capacity: no room at its sites suits the referral at all."""
    sites = _sites(problem, ref)
    rooms = [r for sid in sites for r in problem.rooms_by_site.get(sid, ())]
    where = _names(problem, sites)
    if not rooms:
        return f"{where} has no rooms in the Rooms sheet"
    equipped = [r for r in rooms if room_suits(r, 1, ref.needs_features)]
    if not equipped:
        return f"no room at {where} has {', '.join(ref.needs_features)}"
    if not any(room_suits(r, ref.group_size, ref.needs_features) for r in equipped):
        with_features = f" with {', '.join(ref.needs_features)}" if ref.needs_features else ""
        biggest = max(r.capacity for r in equipped)
        return (
            f"no room at {where}{with_features} has space for {ref.group_size} clients "
            f"(the largest holds {biggest})"
        )
    return ""


def _why_no_room_time(problem: Problem, ref: Referral) -> str:
    """Why no suitable room has a start while the client is available: at the site that gets
    furthest through service days, site hours, blocked times and room availability."""
    client = problem.referral_windows(ref.referral_id)
    best: tuple[int, str] = (-1, "")
    for sid in _sites(problem, ref):
        rooms = [
            r
            for r in problem.rooms_by_site.get(sid, ())
            if room_suits(r, ref.group_size, ref.needs_features)
        ]
        if rooms:
            stage = _room_time_stage(problem, ref, sid, rooms, client)
            best = max(best, stage, key=lambda s: s[0])
    return best[1]


def _room_time_stage(
    problem: Problem, ref: Referral, site_id: str, rooms: list[Room], client: Windows | None
) -> tuple[int, str]:
    """(how far the site gets, the obstacle there) for one site's suitable rooms."""
    s = problem.settings
    site = problem.site_by_id[site_id]
    service = format_days(s.days)
    if client is not None and not set(client) & set(s.days):
        return 0, (
            f"the client is available only on {format_days(client)}, and the service runs "
            f"{service} only"
        )
    hours = problem.site_hours(site_id)
    if not hours:
        return 1, f"{site.name} is open only outside the service's days ({service})"
    slot, minutes = s.slot_minutes, ref.minutes
    if not room_day_starts(hours, client, minutes, slot):
        return 2, (
            f"the client's times ({ref.available}) fall outside {site.name}'s hours "
            f"({format_availability(hours)})"
        )
    open_hours = {
        day: ranges
        for day in hours
        if (ranges := subtract_intervals(hours[day], problem.site_blocked(site_id).get(day, ())))
    }
    if not room_day_starts(open_hours, client, minutes, slot):
        return 3, (
            f"the client's times at {site.name} fall within its blocked times "
            f"({format_availability(problem.site_blocked(site_id))})"
        )
    shown = "; ".join(
        f"{r.room_id} {format_availability(problem.room_windows(r.room_id)) or 'never'}"
        for r in rooms[:3]
    )
    return 4, (
        f"no suitable room at {site.name} is available while the client is "
        f"({ref.available or 'whenever the site is open'}): {shown}"
    )


def _why_no_therapist(problem: Problem, rules: DayRules, cand: Candidates, able: list[str]) -> str:
    """Days, hours, travel or a second therapist: why no able therapist can take a slot in
    which a suitable room is free while the client is available."""
    ref = cand.referral
    who = _who(ref)
    sites = sorted({problem.room_by_id[room_id].site_id for room_id, _ in cand.room_starts})
    where = _names(problem, sites)
    free: dict[tuple[str, Day], tuple[tuple[int, int], ...]] = {}
    for (room_id, day), starts in cand.room_starts.items():
        key = (problem.room_by_id[room_id].site_id, day)
        free[key] = union_starts([free.get(key, ()), starts])
    days = {day for _, day in free}
    working = [t for t in able if days & set(rules.shapes[t])]
    if len(working) < ref.therapists_needed:
        return (
            f"no {who} works on {format_days(days)}, the only day(s) a suitable room at "
            f"{where} is free while the client is available"
        )
    by_hours = _takers(rules, working, free, ref.minutes, travel=False)
    if len(by_hours) < ref.therapists_needed:
        return (
            f"no {who} works at the times a suitable room at {where} is free while the client "
            f"is available ({_times(free, ref.minutes)}), with "
            f"{problem.settings.admin_minutes} minutes of admin after the session"
        )
    by_travel = _takers(rules, by_hours, free, ref.minutes, travel=True)
    if len(by_travel) < ref.therapists_needed:
        far = ", ".join(_far(rules, tid, sites[0]) for tid in by_hours[:3])
        return (
            f"the {who}s who work then cannot drive from their base to {where} and back "
            f"within their working day around those times: {far}"
        )
    return (
        f"fewer than {ref.therapists_needed} {who}s can be at {where} together while a "
        "suitable room is free"
    )


def _times(free: dict[tuple[str, Day], tuple[tuple[int, int], ...]], minutes: int) -> str:
    """Free start intervals as the times a session could run, e.g. 'Mon 09:00-10:30'."""
    by_day: dict[Day, list[tuple[int, int]]] = {}
    for (_, day), starts in free.items():
        by_day.setdefault(day, []).extend((lo, hi + minutes) for lo, hi in starts)
    return format_availability({day: merge_intervals(ranges) for day, ranges in by_day.items()})


def _far(rules: DayRules, tid: str, site_id: str) -> str:
    """``T1 (25 minutes from their base, 10 more to arrive, at most 40 minutes of driving a
    day)``: what keeps a therapist from a site, the parts that apply."""
    base = rules.base[tid]
    parts = [f"{rules.travel(base, site_id)} minutes from their base"]
    if base != site_id and rules.arrival[site_id]:
        parts.append(f"{rules.arrival[site_id]} more to arrive")
    limit = rules.max_drive[tid]
    if limit is not None:
        parts.append(f"at most {limit} minutes of driving a day")
    return f"{tid} ({', '.join(parts)})"


def _takers(
    rules: DayRules,
    therapists: list[str],
    free: dict[tuple[str, Day], tuple[tuple[int, int], ...]],
    minutes: int,
    travel: bool,
) -> list[str]:
    """The therapists with a start that fits their day and a free suitable room."""
    return [
        tid
        for tid in therapists
        if any(
            intersect_starts(rules.session_starts(tid, day, sid, minutes, travel=travel), starts)
            for (sid, day), starts in free.items()
            if day in rules.shapes[tid]
        )
    ]


# ------------------------------------------------------------------ left out of this rota
def why_left_out(problem: Problem, table: Timetable, cand: Candidates) -> str:
    """What takes a placeable referral's slots in the rota: a weekly limit every therapist
    who could take it has reached, the sessions in its rooms and in its therapists' days, or
    (if a slot is free) the search's time."""
    ref = cand.referral
    therapists = sorted({o.therapist_id for o in cand.options})
    limited = [t for t in therapists if not table.rules.week_fits(t, table.contact[t], ref.minutes)]
    if len(therapists) - len(limited) < ref.therapists_needed:
        return (
            f"the therapists who could take it ({', '.join(limited[:4])}) have reached their "
            "weekly limits (max_contact_minutes)"
        )
    rivals: Counter[str] = Counter()
    for o in cand.options:
        if o.therapist_id in limited:
            continue
        for start in table.start_points(o, ref.minutes):
            blockers = _slot_obstacles(table, cand, o.therapist_id, o.day, o.site_id, start)
            if blockers is None:
                return (
                    f"a slot is free ({o.therapist_id}, {o.day} {format_time(start)} at "
                    f"{problem.site_by_id[o.site_id].name}) but the search did not reach it "
                    "in its time: a longer run may place it"
                )
            rivals.update(blockers)
    who = ", ".join(therapists[:4]) + (" and others" if len(therapists) > 4 else "")
    if not rivals:
        return (
            f"its only feasible slots (therapists {who}) cannot be combined with travel "
            "and lunch in their days"
        )
    priority = {rid: problem.referral_by_id[rid].priority for rid in rivals}
    ranked = sorted(rivals, key=lambda r: (priority[r], -rivals[r], r))
    higher = [r for r in ranked if priority[r] < ref.priority]
    names = ", ".join(ranked[:NAMED_RIVALS])
    if len(higher) == len(ranked):
        return (
            f"every feasible slot (therapists {who}) is taken by referrals of higher "
            f"priority (competes with {names})"
        )
    return (
        f"every feasible slot (therapists {who}) is taken by referrals of the same or lower "
        f"priority placed to save more of the rota (competes with {names})"
    )


def _slot_obstacles(
    table: Timetable, cand: Candidates, therapist_id: str, day: Day, site_id: str, start: int
) -> list[str] | None:
    """None if the slot is free (room, therapist and any partners); else the referrals whose
    sessions take it."""
    ref = cand.referral
    end = start + ref.minutes
    blockers: list[str] = []
    if table.free_room(cand, site_id, day, start) is None:
        for r in cand.rooms:
            if r.site_id == site_id and in_starts(
                start, cand.room_starts.get((r.room_id, day), ())
            ):
                blockers += [
                    s.referral_id
                    for s in table.rooms[(r.room_id, day)]
                    if s.start < end and start < s.end
                ]
    if not table.therapist_fits(therapist_id, day, site_id, start, ref.minutes):
        blockers += _neighbours(table.visits(therapist_id, day), start, end)
    if blockers or table.complete_team(cand, [therapist_id], day, site_id, start) is None:
        return blockers
    return None


def _neighbours(visits: list[Visit], start: int, end: int) -> list[str]:
    """The day's sessions next to [start, end): the ones that leave too little time."""
    before = [v for v in visits if v.start < start]
    after = [v for v in visits if v.start >= start]
    near = before[-1:] + after[:1]
    near += [v for v in visits if v.start < end and start < v.end and v not in near]
    return [v.referral_id for v in near if v.referral_id]
