"""Candidate placements of each referral, pruned before any model is built.

A candidate is (therapists..., day, site, room) with the start times that satisfy every rule
that concerns the referral alone: discipline and skills, room features and capacity, the room's
and the referral's windows, a session date in the term inside the referral's own dates, and
(asked of :mod:`rota.scheduler.day`) the therapist's working
ranges with admin and the drive from and back to the base within the working day. Whatever is
pruned here is pruned provably, so a referral with no candidate is unschedulable whatever else
happens; :mod:`rota.scheduler.reasons` says why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from rota.models import (
    DAYS,
    Day,
    Discipline,
    Problem,
    Referral,
    Room,
    Session,
    Therapist,
    Windows,
)
from rota.models.dates import referral_has_dates
from rota.models.timeutil import Interval, intersect_intervals
from rota.scheduler.day import DayRules, intersect_starts, start_intervals, union_starts
from rota.scheduler.progress import StopSignal, check_stop

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
    room_starts: dict[tuple[str, Day], tuple[Interval, ...]] = field(default_factory=dict)
    options: list[Option] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return bool(self.options) and len({o.therapist_id for o in self.options}) >= (
            self.referral.therapists_needed
        )


def therapist_can(
    therapist: Therapist, discipline: Discipline, needs_skills: Sequence[str]
) -> bool:
    """The therapist offers the discipline and has every skill needed."""
    return discipline in therapist.disciplines and set(needs_skills) <= set(therapist.skills)


def room_suits(room: Room, group_size: int, needs_features: Sequence[str]) -> bool:
    """The room holds the group and has every feature needed."""
    return room.capacity >= group_size and set(needs_features) <= set(room.features)


def room_day_starts(
    room_windows: Windows, referral_windows: Windows | None, minutes: int, slot: int
) -> dict[Day, tuple[Interval, ...]]:
    """Starts of a session of ``minutes`` in a room on each day: inside the room's windows
    (its availability, the site's hours less blocked times, service days) and the client's."""
    out: dict[Day, tuple[Interval, ...]] = {}
    for day, windows in room_windows.items():
        if referral_windows is not None:
            windows = intersect_intervals(windows, referral_windows.get(day, ()))
        starts = start_intervals(windows, minutes, slot)
        if starts:
            out[day] = starts
    return out


def make_session(ref: Referral, team: Sequence[str], room: Room, day: Day, start: int) -> Session:
    """The session of ``ref`` with ``team`` in ``room`` on ``day`` from ``start``."""
    return Session(
        referral_id=ref.referral_id,
        therapist_ids=tuple(team),
        site_id=room.site_id,
        room_id=room.room_id,
        day=day,
        start=start,
        end=start + ref.minutes,
    )


def therapists_by_distance(problem: Problem, cand: Candidates) -> list[str]:
    """The therapists of a referral's options, nearest first (drive from base to its site)."""
    base = {t.therapist_id: t.base_site_id for t in problem.therapists}
    dist: dict[str, int] = {}
    for o in cand.options:
        d = problem.travel_minutes(base[o.therapist_id], o.site_id)
        dist[o.therapist_id] = min(d, dist.get(o.therapist_id, d))
    return sorted(dist, key=lambda t: (dist[t], t))


class _Builder:
    """Builds one referral's candidates at a time (views of the Problem shared by all)."""

    def __init__(
        self, problem: Problem, rules: DayRules, nearest: int, keep: Mapping[str, set[str]]
    ) -> None:
        self.problem = problem
        self.rules = rules
        self.nearest = nearest
        self.room_windows = {r.room_id: problem.room_windows(r.room_id) for r in problem.rooms}
        self.keep: dict[str, set[str]] = defaultdict(set)
        for rid, tids in keep.items():
            self.keep[rid] |= set(tids)
        for p in problem.previous:
            self.keep[p.referral_id].add(p.therapist_id)

    def build(self, ref: Referral) -> Candidates:
        cand = Candidates(ref)
        sites = [sid for sid in ref.site_ids if sid in self.problem.site_by_id]
        cand.rooms = [
            room
            for sid in sites
            for room in self.problem.rooms_by_site.get(sid, ())
            if room_suits(room, ref.group_size, ref.needs_features)
        ]
        ref_windows = self.problem.referral_windows(ref.referral_id)
        slot = self.problem.settings.slot_minutes
        for room in cand.rooms:
            windows = self.room_windows[room.room_id]
            for day, starts in room_day_starts(windows, ref_windows, ref.minutes, slot).items():
                # The referral's own dates (and a mid-term change) must leave a session date.
                if referral_has_dates(self.problem, ref, room.site_id, day):
                    cand.room_starts[(room.room_id, day)] = starts
        if not cand.room_starts:
            return cand
        parts: dict[tuple[str, Day], list[tuple[Interval, ...]]] = defaultdict(list)
        for (room_id, day), starts in cand.room_starts.items():
            parts[(self.problem.room_by_id[room_id].site_id, day)].append(starts)
        room_union = {key: union_starts(p) for key, p in parts.items()}
        keep = self.keep.get(ref.referral_id, set()) | {ref.current_therapist_id or ""}
        taking: set[str] = set()
        for t in self._therapists(ref, sites):
            if self._enough(ref, taking) and t.therapist_id not in keep:
                continue
            options = self._options(ref, t, sites, room_union)
            if options:
                cand.options += options
                taking.add(t.therapist_id)
        return cand

    def _therapists(self, ref: Referral, sites: list[str]) -> list[Therapist]:
        """Who can take the referral (discipline and skills), nearest first when pruning."""
        able = [
            t
            for t in self.problem.therapists
            if therapist_can(t, ref.discipline, ref.needs_skills)
            and self.rules.week_fits(t.therapist_id, 0, ref.minutes)
        ]
        if self.nearest > 0:
            travel = self.problem.travel_minutes
            able.sort(
                key=lambda t: (min(travel(t.base_site_id, sid) for sid in sites), t.therapist_id)
            )
        return able

    def _enough(self, ref: Referral, taking: set[str]) -> bool:
        """With ``nearest`` set: enough therapists already take the referral."""
        return self.nearest > 0 and len(taking) >= max(self.nearest, ref.therapists_needed + 1)

    def _options(
        self,
        ref: Referral,
        therapist: Therapist,
        sites: list[str],
        room_union: dict[tuple[str, Day], tuple[Interval, ...]],
    ) -> list[Option]:
        """The therapist's options: each working day and site where a suitable room is free
        while the session, its admin and the drives fit the therapist's day."""
        tid = therapist.therapist_id
        out: list[Option] = []
        for day in self.rules.shapes[tid]:
            for sid in sites:
                rooms_here = room_union.get((sid, day))
                if rooms_here is None:
                    continue
                fits = self.rules.session_starts(tid, day, sid, ref.minutes)
                starts = intersect_starts(fits, rooms_here) if fits else ()
                if starts:
                    out.append(Option(tid, day, sid, starts))
        return out


def build_candidates(
    problem: Problem,
    nearest: int = 0,
    stop: StopSignal | None = None,
    keep: Mapping[str, set[str]] | None = None,
) -> dict[str, Candidates]:
    """Candidates of every referral (those without any are unschedulable).

    ``nearest`` > 0 keeps, besides the referral's current and previous therapists (and those
    ``keep`` names for it), only the ``nearest`` therapists (by drive from their base) who can
    take it at all: on a region the far ones add options no good rota uses, and time grows with
    referrals x therapists. Whether a referral has candidates never depends on it: it takes the
    next nearest until enough can, or none is left. ``stop`` ends the work early (raising
    :class:`~rota.scheduler.progress.Stopped`).
    """
    builder = _Builder(problem, DayRules(problem), nearest, keep or {})
    out: dict[str, Candidates] = {}
    for ref in problem.referrals:
        check_stop(stop)
        out[ref.referral_id] = builder.build(ref)
    return out


def week_minute(day: str, minute: int) -> int:
    return DAYS.index(day) * DAY_MINUTES + minute
