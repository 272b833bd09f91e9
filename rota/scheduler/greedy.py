"""The greedy baseline: fill the grid the way a coordinator does by hand.

Referrals in priority order (the hardest to place first within a priority), each to the first
feasible therapist (its current therapist first, then the nearest by base), day, time and room.
It honours every hard rule (the checker agrees) and is the CP-SAT model's warm start. Like the
model, it visits a site at most once per therapist-day and places lunch in one piece inside the
lunch window with travel before or after it in the same gap.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable

from rota.models import DAYS, Day, PreviousSession, Problem, Rota, Session, Unscheduled
from rota.scheduler.candidates import Candidates, Option, grid_up, therapists_by_distance
from rota.scheduler.day import START, DayRules, Visit
from rota.scheduler.params import (
    INSERTION_CONTINUITY,
    INSERTION_NEAREST,
    INSERTION_NEW_DAY,
    INSERTION_NOT_PREFERRED,
)


class Timetable:
    """Incremental state of a partial rota with exact feasibility tests for one more session
    (the rules of a day come from :mod:`rota.scheduler.day`)."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.rules = DayRules(problem)
        s = problem.settings
        self.slot, self.admin = s.slot_minutes, s.admin_minutes
        self.base = self.rules.base
        self.max_week = {t.therapist_id: t.max_contact_minutes for t in problem.therapists}
        self.days: dict[tuple[str, str], list[Visit]] = defaultdict(list)
        self.rooms: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        self.site_busy: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        self.contact: dict[str, int] = defaultdict(int)
        self.sessions: dict[str, Session] = {}

    def travel(self, a: str, b: str) -> int:
        return self.rules.travel(a, b)

    def visits(self, therapist_id: str, day: Day) -> list[Visit]:
        """The therapist's sessions that day, in start order."""
        return self.days[(therapist_id, day)]

    # ------------------------------------------------------------------ feasibility
    def room_free(self, room_id: str, day: str, start: int, end: int) -> bool:
        return all(e <= start or end <= s for s, e in self.rooms[(room_id, day)])

    def therapist_fits(
        self, therapist_id: str, day: Day, site_id: str, start: int, minutes: int
    ) -> bool:
        max_week = self.max_week[therapist_id]
        if max_week is not None and self.contact[therapist_id] + minutes > max_week:
            return False
        seq = list(self.visits(therapist_id, day))
        bisect.insort(seq, Visit(start, start + minutes, site_id), key=START)
        return self.rules.fits(therapist_id, day, seq)

    # ------------------------------------------------------------------ placing
    def place(self, session: Session, minutes: int) -> None:
        for tid in session.therapist_ids:
            bisect.insort(
                self.visits(tid, session.day),
                Visit(session.start, session.end, session.site_id, session.referral_id),
                key=START,
            )
            self.contact[tid] += minutes
        self.rooms[(session.room_id, session.day)].append((session.start, session.end))
        self.site_busy[(session.site_id, session.day)].append((session.start, session.end))
        self.sessions[session.referral_id] = session

    def try_place(self, cand: Candidates, options: list[Option]) -> Session | None:
        """First feasible placement among ``options`` (in the order given), or None."""
        ref = cand.referral
        need = ref.therapists_needed
        by_key: dict[tuple[str, str], list[Option]] = defaultdict(list)
        for o in options:
            by_key[(o.day, o.site_id)].append(o)
        for o in options:
            partners: list[Option] = []
            if need > 1:
                partners = [
                    p for p in by_key[(o.day, o.site_id)] if p.therapist_id != o.therapist_id
                ]
                if len(partners) < need - 1:
                    continue
            for start in self._start_points(o, ref.minutes):
                if not self.therapist_fits(o.therapist_id, o.day, o.site_id, start, ref.minutes):
                    continue
                team = [o.therapist_id]
                for p in partners:
                    if len(team) == need:
                        break
                    if _in_starts(start, p.starts) and self.therapist_fits(
                        p.therapist_id, o.day, o.site_id, start, ref.minutes
                    ):
                        team.append(p.therapist_id)
                if len(team) < need:
                    continue
                for room in cand.rooms:
                    if room.site_id != o.site_id:
                        continue
                    st = cand.room_starts.get((room.room_id, o.day))
                    if (
                        st
                        and _in_starts(start, st)
                        and self.room_free(room.room_id, o.day, start, start + ref.minutes)
                    ):
                        session = Session(
                            referral_id=ref.referral_id,
                            therapist_ids=tuple(team),
                            site_id=o.site_id,
                            room_id=room.room_id,
                            day=o.day,
                            start=start,
                            end=start + ref.minutes,
                        )
                        self.place(session, ref.minutes)
                        return session
        return None

    def try_keep(self, session: Session, cand: Candidates) -> bool:
        """Place a previous session exactly as it was, if every rule still allows it."""
        ref = cand.referral
        st = cand.room_starts.get((session.room_id, session.day))
        if len(session.therapist_ids) != ref.therapists_needed or not st:
            return False
        if not _in_starts(session.start, st):
            return False
        if not self.room_free(session.room_id, session.day, session.start, session.end):
            return False
        for tid in session.therapist_ids:
            if not any(
                o.therapist_id == tid
                and o.day == session.day
                and o.site_id == session.site_id
                and _in_starts(session.start, o.starts)
                for o in cand.options
            ):
                return False
            if not self.therapist_fits(
                tid, session.day, session.site_id, session.start, ref.minutes
            ):
                return False
        self.place(session, ref.minutes)
        return True

    def try_cheapest(self, cand: Candidates, problem: Problem) -> bool:
        """Place a single-therapist referral at its cheapest feasible slot (co-facilitated
        groups fall back to the first feasible one)."""
        ref = cand.referral
        if ref.therapists_needed > 1:
            return self.try_place(cand, order_options(problem, cand)) is not None
        pref = problem.preferred_windows(ref.referral_id)
        ranked: list[tuple[int, int, int, Option]] = []
        # The nearest therapists (by base) and the current one: far ones never add less travel.
        near = set(therapists_by_distance(problem, cand)[:INSERTION_NEAREST])
        near.add(ref.current_therapist_id or "")
        for o in cand.options:
            if o.therapist_id not in near:
                continue
            visits = self.visits(o.therapist_id, o.day)
            base = self.base[o.therapist_id]
            continuity = 0 if o.therapist_id == ref.current_therapist_id else INSERTION_CONTINUITY
            fresh = 0 if visits else INSERTION_NEW_DAY
            for start in self._start_points(o, ref.minutes):
                i = bisect.bisect(visits, start, key=START)
                prev = visits[i - 1].site_id if i > 0 else base
                nxt = visits[i].site_id if i < len(visits) else base
                added = (
                    self.travel(prev, o.site_id)
                    + self.travel(o.site_id, nxt)
                    - self.travel(prev, nxt)
                )
                liked = 0
                if pref is not None:
                    liked = (
                        0
                        if any(
                            a <= start and start + ref.minutes <= b for a, b in pref.get(o.day, ())
                        )
                        else INSERTION_NOT_PREFERRED
                    )
                ranked.append(
                    (
                        added + continuity + fresh + liked,
                        start,
                        DAYS.index(o.day),
                        o,
                    )
                )
        ranked.sort(key=lambda r: (r[0], r[2], r[1], r[3].therapist_id))
        for _cost, start, _day, o in ranked:
            if not self.therapist_fits(o.therapist_id, o.day, o.site_id, start, ref.minutes):
                continue
            for room in cand.rooms:
                if room.site_id != o.site_id:
                    continue
                st = cand.room_starts.get((room.room_id, o.day))
                if (
                    st
                    and _in_starts(start, st)
                    and self.room_free(room.room_id, o.day, start, start + ref.minutes)
                ):
                    self.place(
                        Session(
                            referral_id=ref.referral_id,
                            therapist_ids=(o.therapist_id,),
                            site_id=o.site_id,
                            room_id=room.room_id,
                            day=o.day,
                            start=start,
                            end=start + ref.minutes,
                        ),
                        ref.minutes,
                    )
                    return True
        # None of the nearest fits: the first feasible slot with anyone, as the baseline does.
        return self.try_place(cand, order_options(problem, cand)) is not None

    def _start_points(self, o: Option, minutes: int) -> list[int]:
        """Start times worth trying: each window's opening and just after each neighbour."""
        visits = self.visits(o.therapist_id, o.day)
        points = {lo for lo, _ in o.starts}
        for p in visits:
            points.add(grid_up(p.end + self.admin + self.travel(p.site_id, o.site_id), self.slot))
        for p in visits:  # just before the next session, leaving its travel
            t = p.start - self.travel(o.site_id, p.site_id) - self.admin - minutes
            points.add((t // self.slot) * self.slot)
        for room_busy in self._room_ends(o):
            points.add(grid_up(room_busy, self.slot))
        return sorted(p for p in points if _in_starts(p, o.starts))

    def _room_ends(self, o: Option) -> list[int]:
        return [e for _, e in self.site_busy.get((o.site_id, o.day), ())]


def _previous_session(problem: Problem, rid: str, rows: list[PreviousSession]) -> Session:
    first = rows[0]
    ref = problem.referral_by_id[rid]
    return Session(
        referral_id=rid,
        therapist_ids=tuple(sorted({p.therapist_id for p in rows})),
        site_id=problem.room_by_id[first.room_id].site_id,
        room_id=first.room_id,
        day=first.day,
        start=first.start,
        end=first.start + ref.minutes,
    )


def _in_starts(t: int, starts: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= t <= hi for lo, hi in starts)


def order_options(problem: Problem, cand: Candidates) -> list[Option]:
    """Current therapist first, then therapists by travel from their base; days in week order."""
    cur = cand.referral.current_therapist_id
    base = {t.therapist_id: t.base_site_id for t in problem.therapists}

    def key(o: Option) -> tuple[int, int, int, str]:
        return (
            0 if o.therapist_id == cur else 1,
            problem.travel_minutes(base[o.therapist_id], o.site_id),
            DAYS.index(o.day),
            o.therapist_id,
        )

    return sorted(cand.options, key=key)


def _fill(
    problem: Problem,
    candidates: dict[str, Candidates],
    place: Callable[[Timetable, Candidates], bool],
) -> Rota:
    """Pinned sessions first, exactly where they are; then referrals in priority order (the
    hardest to place first), each kept where the previous rota had it if that still fits, else
    placed by ``place``."""
    table = Timetable(problem)
    previous: dict[str, list[PreviousSession]] = defaultdict(list)
    for p in problem.previous:
        if p.referral_id in candidates:
            previous[p.referral_id].append(p)
    for rid, rows in sorted(previous.items()):
        if any(p.pinned for p in rows):
            table.place(_previous_session(problem, rid, rows), problem.referral_by_id[rid].minutes)
    order = sorted(
        problem.referrals,
        key=lambda r: (r.priority, len(candidates[r.referral_id].options), r.referral_id),
    )
    unscheduled: list[Unscheduled] = []
    for ref in order:
        cand = candidates[ref.referral_id]
        if ref.referral_id in table.sessions:
            continue
        rows = previous.get(ref.referral_id, [])
        if rows and table.try_keep(_previous_session(problem, ref.referral_id, rows), cand):
            continue
        if not cand.feasible or not place(table, cand):
            unscheduled.append(Unscheduled(referral_id=ref.referral_id, reason=cand.reason))
    return Rota(sessions=tuple(table.sessions.values()), unscheduled=tuple(unscheduled)).sorted()


def greedy_rota(problem: Problem, candidates: dict[str, Candidates]) -> Rota:
    """The greedy baseline rota: first feasible placement (reasons are filled in later)."""
    return _fill(
        problem,
        candidates,
        lambda table, cand: table.try_place(cand, order_options(problem, cand)) is not None,
    )


def insertion_rota(problem: Problem, candidates: dict[str, Candidates]) -> Rota:
    """A cheaper warm start than the baseline: each referral (same order) goes where it adds
    the least travel, keeping its current therapist and preferred times where that is cheap.

    Placements are ranked by their marginal cost first and tested for feasibility in that
    order, so most referrals need only a few exact checks.
    """
    return _fill(problem, candidates, lambda table, cand: table.try_cheapest(cand, problem))
