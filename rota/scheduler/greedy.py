"""The greedy baseline: fill the grid the way a coordinator does by hand.

Pinned sessions first (checked by :mod:`rota.scheduler.pins`), then referrals in priority order
(the hardest to place first within a priority), each kept where the previous rota had it if that
still fits, else given the first feasible therapist (its current therapist first, then the
nearest by base), day, time and room. Every placement is tested against the rules of a
therapist's day (:mod:`rota.scheduler.day`) and the rooms already taken, so the greedy rota
keeps every hard rule (the checker agrees); it is the CP-SAT model's warm start.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Sequence

from rota.models import (
    DAYS,
    Day,
    PreviousSession,
    Problem,
    Room,
    Rota,
    Session,
    Unscheduled,
)
from rota.models.timeutil import covers
from rota.scheduler.candidates import Candidates, Option, make_session, therapists_by_distance
from rota.scheduler.day import DayRules, Visit, grid_up, in_starts
from rota.scheduler.params import (
    INSERTION_CONTINUITY,
    INSERTION_NEAREST,
    INSERTION_NEW_DAY,
    INSERTION_NOT_PREFERRED,
)
from rota.scheduler.pins import pin_plan
from rota.scheduler.progress import StopSignal, check_stop


class Timetable:
    """Incremental state of a partial rota with exact feasibility tests for one more session
    (the rules of a day come from :mod:`rota.scheduler.day`)."""

    def __init__(self, problem: Problem, rules: DayRules | None = None):
        self.problem = problem
        self.rules = rules or DayRules(problem)
        self.slot = problem.settings.slot_minutes
        self.days: dict[tuple[str, str], list[Visit]] = defaultdict(list)
        self.rooms: dict[tuple[str, str], list[Session]] = defaultdict(list)
        self.site_busy: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        self.contact: dict[str, int] = defaultdict(int)
        self.sessions: dict[str, Session] = {}

    def visits(self, therapist_id: str, day: Day) -> list[Visit]:
        """The therapist's sessions that day, in start order."""
        return self.days[(therapist_id, day)]

    # ------------------------------------------------------------------ feasibility
    def room_free(self, room_id: str, day: str, start: int, end: int) -> bool:
        return all(s.end <= start or end <= s.start for s in self.rooms[(room_id, day)])

    def therapist_fits(
        self, therapist_id: str, day: Day, site_id: str, start: int, minutes: int
    ) -> bool:
        """One more session keeps the therapist's week and day within every rule."""
        if not self.rules.week_fits(therapist_id, self.contact[therapist_id], minutes):
            return False
        day_visits = self.visits(therapist_id, day)
        visit = Visit(start, start + minutes, site_id)
        if not self.rules.may_insert(therapist_id, day, day_visits, visit):
            return False  # the quick necessary test first: most tries fail here
        seq = list(day_visits)
        bisect.insort(seq, visit)
        return self.rules.fits(therapist_id, day, seq)

    def session_fits(self, session: Session) -> bool:
        """The whole session (its room and every therapist) fits what is placed already."""
        if not self.room_free(session.room_id, session.day, session.start, session.end):
            return False
        return all(
            self.therapist_fits(t, session.day, session.site_id, session.start, session.minutes)
            for t in session.therapist_ids
        )

    # ------------------------------------------------------------------ placing
    def place(self, session: Session) -> None:
        for tid in session.therapist_ids:
            bisect.insort(
                self.visits(tid, session.day),
                Visit(session.start, session.end, session.site_id, session.referral_id),
            )
            self.contact[tid] += session.minutes
        self.rooms[(session.room_id, session.day)].append(session)
        self.site_busy[(session.site_id, session.day)].append((session.start, session.end))
        self.sessions[session.referral_id] = session

    def free_room(self, cand: Candidates, site_id: str, day: Day, start: int) -> Room | None:
        """The first candidate room at the site that is open to the client and free then."""
        end = start + cand.referral.minutes
        for room in cand.rooms:
            if room.site_id != site_id:
                continue
            starts = cand.room_starts.get((room.room_id, day), ())
            if in_starts(start, starts) and self.room_free(room.room_id, day, start, end):
                return room
        return None

    def complete_team(
        self, cand: Candidates, team: Sequence[str], day: Day, site_id: str, start: int
    ) -> list[str] | None:
        """``team`` with partners added from the candidates (in ``order_options`` order) until
        the referral has the therapists it needs, each fitting their day; None if it cannot."""
        ref = cand.referral
        out = list(team)
        for o in cand.options:
            if len(out) >= ref.therapists_needed:
                break
            if (o.day, o.site_id) != (day, site_id) or o.therapist_id in out:
                continue
            if in_starts(start, o.starts) and self.therapist_fits(
                o.therapist_id, day, site_id, start, ref.minutes
            ):
                out.append(o.therapist_id)
        return out if len(out) == ref.therapists_needed else None

    def try_place(self, cand: Candidates, options: list[Option]) -> Session | None:
        """First feasible placement among ``options`` (in the order given), or None."""
        ref = cand.referral
        ordered = Candidates(ref, cand.rooms, cand.room_starts, options)
        for o in options:
            for start in self.start_points(o, ref.minutes):
                if not self.therapist_fits(o.therapist_id, o.day, o.site_id, start, ref.minutes):
                    continue
                team = self.complete_team(ordered, [o.therapist_id], o.day, o.site_id, start)
                room = self.free_room(cand, o.site_id, o.day, start) if team else None
                if team and room:
                    session = make_session(ref, team, room, o.day, start)
                    self.place(session)
                    return session
        return None

    def try_keep(self, session: Session, cand: Candidates) -> bool:
        """Place a previous session as it was (its therapists, day, start and room), with
        partners added if a co-facilitated group had fewer, if every rule still allows it."""
        ref = cand.referral
        starts = cand.room_starts.get((session.room_id, session.day))
        if len(session.therapist_ids) > ref.therapists_needed or not starts:
            return False
        if not in_starts(session.start, starts):
            return False
        if not self.room_free(session.room_id, session.day, session.start, session.end):
            return False
        for tid in session.therapist_ids:
            if not any(
                (o.therapist_id, o.day, o.site_id) == (tid, session.day, session.site_id)
                and in_starts(session.start, o.starts)
                for o in cand.options
            ) or not self.therapist_fits(
                tid, session.day, session.site_id, session.start, ref.minutes
            ):
                return False
        team = self.complete_team(
            cand, session.therapist_ids, session.day, session.site_id, session.start
        )
        if team is None:
            return False
        self.place(session.model_copy(update={"therapist_ids": tuple(team)}))
        return True

    def try_cheapest(self, cand: Candidates, problem: Problem) -> bool:
        """Place a single-therapist referral at its cheapest feasible slot (co-facilitated
        groups fall back to the first feasible one)."""
        ref = cand.referral
        if ref.therapists_needed == 1:
            for _cost, _day, start, o in self._ranked(cand, problem):
                if not self.therapist_fits(o.therapist_id, o.day, o.site_id, start, ref.minutes):
                    continue
                room = self.free_room(cand, o.site_id, o.day, start)
                if room is not None:
                    self.place(make_session(ref, [o.therapist_id], room, o.day, start))
                    return True
        # None of the nearest fits: the first feasible slot with anyone, as the baseline does.
        return self.try_place(cand, order_options(problem, cand)) is not None

    def _ranked(self, cand: Candidates, problem: Problem) -> list[tuple[int, int, int, Option]]:
        """(cost, day index, start, option) of the nearest therapists' start points, cheapest
        first: the travel the session adds, with continuity, a new day and a missed preferred
        time priced in travel-minute equivalents (they only order the tries)."""
        ref = cand.referral
        pref = problem.preferred_windows(ref.referral_id)
        # The nearest therapists (by base) and the current one: far ones never add less travel.
        near = set(therapists_by_distance(problem, cand)[:INSERTION_NEAREST])
        near.add(ref.current_therapist_id or "")
        ranked: list[tuple[int, int, int, Option]] = []
        for o in cand.options:
            if o.therapist_id not in near:
                continue
            visits = self.visits(o.therapist_id, o.day)
            fixed = 0 if o.therapist_id == ref.current_therapist_id else INSERTION_CONTINUITY
            fixed += 0 if visits else INSERTION_NEW_DAY
            for start in self.start_points(o, ref.minutes):
                cost = fixed + self.rules.added_travel(o.therapist_id, visits, o.site_id, start)
                if pref is not None and not covers(pref.get(o.day, ()), start, start + ref.minutes):
                    cost += INSERTION_NOT_PREFERRED
                ranked.append((cost, DAYS.index(o.day), start, o))
        ranked.sort(key=lambda r: (r[0], r[1], r[2], r[3].therapist_id))
        return ranked

    def start_points(self, o: Option, minutes: int) -> list[int]:
        """Start times worth trying: each window's opening, tight against the day's sessions
        and just after each session in a room at the site."""
        points = {lo for lo, _ in o.starts}
        points |= self.rules.starts_near(self.visits(o.therapist_id, o.day), o.site_id, minutes)
        for _, end in self.site_busy.get((o.site_id, o.day), ()):
            points.add(grid_up(end, self.slot))
        return sorted(p for p in points if in_starts(p, o.starts))


def previous_sessions(problem: Problem) -> dict[str, Session]:
    """Each referral's previous session as the Previous rows give it (its first row's day,
    start and room, every row's therapist)."""
    rows: dict[str, list[PreviousSession]] = defaultdict(list)
    for p in problem.previous:
        if p.referral_id in problem.referral_by_id and p.room_id in problem.room_by_id:
            rows[p.referral_id].append(p)
    out: dict[str, Session] = {}
    for rid, items in rows.items():
        first, ref = items[0], problem.referral_by_id[rid]
        room = problem.room_by_id[first.room_id]
        team = tuple(dict.fromkeys(p.therapist_id for p in items))
        out[rid] = make_session(ref, team, room, first.day, first.start)
    return out


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
    pinned: Sequence[Session] | None,
    stop: StopSignal | None,
) -> Rota:
    """Pinned sessions first, exactly where they are (each checked against what is placed);
    then referrals in priority order (the hardest to place first), each kept where the previous
    rota had it if that still fits, else placed by ``place``."""
    table = Timetable(problem)
    for session in pin_plan(problem).sessions if pinned is None else pinned:
        if session.referral_id in candidates and table.session_fits(session):
            table.place(session)
    previous = previous_sessions(problem)
    order = sorted(
        problem.referrals,
        key=lambda r: (r.priority, len(candidates[r.referral_id].options), r.referral_id),
    )
    unscheduled: list[Unscheduled] = []
    for ref in order:
        check_stop(stop)
        cand = candidates[ref.referral_id]
        if ref.referral_id in table.sessions:
            continue
        before = previous.get(ref.referral_id)
        if before is not None and table.try_keep(before, cand):
            continue
        if not cand.feasible or not place(table, cand):
            unscheduled.append(Unscheduled(referral_id=ref.referral_id, reason=""))
    return Rota(sessions=tuple(table.sessions.values()), unscheduled=tuple(unscheduled)).sorted()


def greedy_rota(
    problem: Problem,
    candidates: dict[str, Candidates],
    pinned: Sequence[Session] | None = None,
    stop: StopSignal | None = None,
) -> Rota:
    """The greedy baseline rota: first feasible placement (reasons are filled in later).

    ``pinned`` are the checked pinned sessions (default: :func:`pin_plan`'s); ``stop`` ends
    the work early (raising :class:`~rota.scheduler.progress.Stopped`)."""
    return _fill(
        problem,
        candidates,
        lambda table, cand: table.try_place(cand, order_options(problem, cand)) is not None,
        pinned,
        stop,
    )


def insertion_rota(
    problem: Problem,
    candidates: dict[str, Candidates],
    pinned: Sequence[Session] | None = None,
    stop: StopSignal | None = None,
) -> Rota:
    """A cheaper warm start than the baseline: each referral (same order) goes where it adds
    the least travel, keeping its current therapist and preferred times where that is cheap.

    Placements are ranked by their marginal cost first and tested for feasibility in that
    order, so most referrals need only a few exact checks.
    """
    return _fill(
        problem, candidates, lambda table, cand: table.try_cheapest(cand, problem), pinned, stop
    )
