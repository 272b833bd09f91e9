"""Candidate placements of each referral, pruned before any model is built.

A candidate is (therapists..., day, site, room) with the start times that satisfy every rule
that concerns the referral alone: discipline and skills, room features and capacity, the room's
and the referral's windows, the therapist's working ranges with admin, and travel from and back
to the base within the working day. Whatever is pruned here is pruned provably, so a referral
with no candidate is unschedulable whatever else happens, and the pruning step explains why.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rota.models import DAYS, Day, Problem, Referral, Room, Therapist
from rota.models.timeutil import Interval, intersect_intervals, merge_intervals
from rota.scheduler.day import DayShape, day_shapes

DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class Option:
    """One therapist working one referral on one day at one site: allowed starts.

    ``starts`` are intervals of allowed start minutes (inclusive low, inclusive high) that fit
    the therapist (working range with admin, travel from and back to the base) and at least one
    candidate room; the room's own start sets are in ``room_starts``.
    """

    therapist_id: str
    day: Day
    site_id: str
    starts: tuple[Interval, ...]


@dataclass
class Candidates:
    """Everything the models need about where and when a referral may go."""

    referral: Referral
    rooms: list[Room] = field(default_factory=list)
    # (room_id, day) -> allowed start intervals [lo, hi] inclusive, referral windows applied
    room_starts: dict[tuple[str, str], tuple[Interval, ...]] = field(default_factory=dict)
    options: list[Option] = field(default_factory=list)
    reason: str = ""  # why there is no candidate at all (empty when options exist)

    @property
    def feasible(self) -> bool:
        return bool(self.options) and len({o.therapist_id for o in self.options}) >= (
            self.referral.therapists_needed
        )


def grid_up(t: int, slot: int) -> int:
    return -(-t // slot) * slot


def grid_down(t: int, slot: int) -> int:
    return (t // slot) * slot


def start_intervals(windows: tuple[Interval, ...], length: int, slot: int) -> tuple[Interval, ...]:
    """Start times s on the grid with [s, s + length) inside one window, as [lo, hi] pairs."""
    out: list[Interval] = []
    for a, b in merge_intervals(windows):
        lo, hi = grid_up(a, slot), grid_down(b - length, slot)
        if lo <= hi:
            out.append((lo, hi))
    return tuple(out)


def intersect_starts(a: tuple[Interval, ...], b: tuple[Interval, ...]) -> tuple[Interval, ...]:
    """Intersection of inclusive start intervals."""
    half = intersect_intervals([(lo, hi + 1) for lo, hi in a], [(lo, hi + 1) for lo, hi in b])
    return tuple((lo, hi - 1) for lo, hi in half)


def union_starts(parts: list[tuple[Interval, ...]]) -> tuple[Interval, ...]:
    half = merge_intervals([(lo, hi + 1) for p in parts for lo, hi in p])
    return tuple((lo, hi - 1) for lo, hi in half)


def therapists_by_distance(problem: Problem, cand: Candidates) -> list[str]:
    """The therapists of a referral's options, nearest first (drive from base to its site)."""
    base = {t.therapist_id: t.base_site_id for t in problem.therapists}
    dist: dict[str, int] = {}
    for o in cand.options:
        d = problem.travel_minutes(base[o.therapist_id], o.site_id)
        dist[o.therapist_id] = min(d, dist.get(o.therapist_id, d))
    return sorted(dist, key=lambda t: (dist[t], t))


def therapist_can(therapist: Therapist, referral: Referral) -> bool:
    return referral.discipline in therapist.disciplines and set(referral.needs_skills) <= set(
        therapist.skills
    )


def build_candidates(problem: Problem, nearest: int = 0) -> dict[str, Candidates]:
    """Candidates of every referral, with a reason for those that have none.

    ``nearest`` > 0 keeps, besides the referral's current and previous therapists, only the
    ``nearest`` therapists (by drive from their base) who can take it at all: on a region the
    far ones add options no good rota uses, and time grows with referrals x therapists. The
    reasons of a referral without candidates never depend on it: it takes the next nearest
    until enough can, or none is left.
    """
    s = problem.settings
    slot, admin = s.slot_minutes, s.admin_minutes
    shapes = {t.therapist_id: day_shapes(problem, t) for t in problem.therapists}
    room_windows = {r.room_id: problem.room_windows(r.room_id) for r in problem.rooms}
    fit_cache: dict[tuple[str, str, str, int], tuple[Interval, ...]] = {}
    previous_of: dict[str, set[str | None]] = defaultdict(set)
    for p in problem.previous:
        previous_of[p.referral_id].add(p.therapist_id)

    def therapist_starts(
        t: Therapist, day: str, shape: DayShape, site_id: str, minutes: int
    ) -> tuple[Interval, ...]:
        """Starts at which a session and its admin fit a working range, with the drive from
        and back to the base inside the day (the same for every referral of that length)."""
        key = (t.therapist_id, day, site_id, minutes)
        if key not in fit_cache:
            go = problem.travel_minutes(t.base_site_id, site_id)
            back = problem.travel_minutes(site_id, t.base_site_id)
            lo = grid_up(shape.start + go, slot)
            hi = grid_down(shape.end - back - minutes - admin, slot)
            work = start_intervals(shape.ranges, minutes + admin, slot)
            fit_cache[key] = intersect_starts(work, ((lo, hi),)) if lo <= hi else ()
        return fit_cache[key]

    out: dict[str, Candidates] = {}
    for ref in problem.referrals:
        cand = Candidates(ref)
        out[ref.referral_id] = cand
        able = [t for t in problem.therapists if therapist_can(t, ref)]
        if not any(ref.discipline in t.disciplines for t in problem.therapists):
            cand.reason = f"no {ref.discipline} therapist works for the service"
            continue
        if len(able) < ref.therapists_needed:
            skills = ", ".join(ref.needs_skills)
            cand.reason = (
                f"needs {ref.therapists_needed} {ref.discipline} therapist(s) with {skills}; "
                f"the service has {len(able)}"
            )
            continue
        sites = [sid for sid in ref.site_ids if sid in problem.site_by_id]
        site_names = " or ".join(problem.site_by_id[sid].name for sid in sites)
        for sid in sites:
            for room in problem.rooms_by_site.get(sid, ()):
                if room.capacity >= ref.group_size and set(ref.needs_features) <= set(
                    room.features
                ):
                    cand.rooms.append(room)
        if not cand.rooms:
            need = f"{', '.join(ref.needs_features)} and " if ref.needs_features else ""
            clients = "1 client" if ref.group_size == 1 else f"{ref.group_size} clients"
            cand.reason = f"no room at {site_names} has {need}space for {clients}"
            continue
        ref_windows = problem.referral_windows(ref.referral_id)
        for room in cand.rooms:
            for day, windows in room_windows[room.room_id].items():
                if ref_windows is not None:
                    windows = intersect_intervals(windows, ref_windows.get(day, ()))
                st = start_intervals(windows, ref.minutes, slot)
                if st:
                    cand.room_starts[(room.room_id, day)] = st
        if not cand.room_starts:
            cand.reason = f"no suitable room at {site_names} is free while the client is available"
            continue
        parts: dict[tuple[str, str], list[tuple[Interval, ...]]] = defaultdict(list)
        for (room_id, room_day), st in cand.room_starts.items():
            parts[(problem.room_by_id[room_id].site_id, room_day)].append(st)
        room_union = {key: union_starts(p) for key, p in parts.items()}
        keep = {ref.current_therapist_id} | previous_of.get(ref.referral_id, set())
        if nearest > 0:
            able = sorted(
                able,
                key=lambda t: (
                    min(problem.travel_minutes(t.base_site_id, sid) for sid in sites),
                    t.therapist_id,
                ),
            )
        taking: set[str] = set()
        for t in able:
            if (
                nearest > 0
                and len(taking) >= max(nearest, ref.therapists_needed + 1)
                and t.therapist_id not in keep
            ):
                continue
            before = len(cand.options)
            for wday, shape in shapes[t.therapist_id].items():
                for sid in sites:
                    rooms_here = room_union.get((sid, wday))
                    if rooms_here is None:
                        continue
                    fits = therapist_starts(t, wday, shape, sid, ref.minutes)
                    st = intersect_starts(fits, rooms_here) if fits else ()
                    if st:
                        cand.options.append(Option(t.therapist_id, wday, sid, st))
            if len(cand.options) > before:
                taking.add(t.therapist_id)
        if not cand.feasible:
            cand.reason = _explain_no_option(problem, cand, able, site_names)
    return out


def _explain_no_option(
    problem: Problem, cand: Candidates, able: list[Therapist], site_names: str
) -> str:
    """Say which of working days, hours or travel rules out every therapist."""
    ref = cand.referral
    open_days = {day for _, day in cand.room_starts}
    work_days = {d for t in able for d in problem.therapist_windows(t.therapist_id)}
    who = f"{ref.discipline} therapist" + (
        f" with {', '.join(ref.needs_skills)}" if ref.needs_skills else ""
    )
    if not open_days & work_days:
        return (
            f"no {who} works on a day when a suitable room at {site_names} is free and the "
            f"client is available"
        )
    if ref.therapists_needed > 1:
        return (
            f"fewer than {ref.therapists_needed} {who}s can be at {site_names} together while "
            f"a suitable room is free"
        )
    return (
        f"no suitable room at {site_names} is free while a {who} works there "
        f"(allowing for travel from their base and {problem.settings.admin_minutes} minutes of "
        f"admin)"
    )


def week_minute(day: str, minute: int) -> int:
    return DAYS.index(day) * DAY_MINUTES + minute
