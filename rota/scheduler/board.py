"""A rota being improved: sessions with fast undoable edits, exact prices and best insertions.

The board keeps each therapist's day in start order, each room's bookings and each therapist's
weekly minutes, and prices every edit with the one cost evaluator (``rota.evaluate.costs``): a
referral's piece, the touched therapist-days' pieces and the week's piece (the spread of
loads). Whether a placement is allowed is decided by the day-feasibility module
(``scheduler/day``), the candidates (discipline, skills, rooms, windows) and the rooms' and
weekly limits, never by a rule of its own.
"""

from __future__ import annotations

import bisect
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rota.evaluate.costs import CostModel, Where, previous_rows
from rota.evaluate.weights import Weights
from rota.models import Day, Problem, Rota, Session
from rota.scheduler.candidates import Candidates, Option
from rota.scheduler.day import START, DayRules, Visit, grid_down, grid_up, in_starts


@dataclass(frozen=True)
class Placement:
    """Where a referral could go, and what the whole objective would change by."""

    delta: int
    session: Session


#: Feasible placements worked out per insertion (the cheapest first; the rest are spares).
PLACEMENTS_KEPT = 4


def _session(rid: str, where: Where, site_id: str) -> Session:
    therapists, day, start, end, room = where
    return Session.model_construct(
        referral_id=rid,
        therapist_ids=therapists,
        site_id=site_id,
        room_id=room,
        day=day,
        start=start,
        end=end,
    )


class Board:
    """The state of a rota under local search (see the module docstring)."""

    def __init__(
        self,
        problem: Problem,
        candidates: dict[str, Candidates],
        weights: Weights,
        rota: Rota,
        nearest: int = 0,
        *,
        previous: bool = True,
    ) -> None:
        self.problem = problem
        self.candidates = candidates
        self.rules = DayRules(problem)
        # The previous-rota term as the evaluator counts it (``previous`` = the solve uses it).
        with_previous = previous and bool(previous_rows(problem))
        self.costs = CostModel(problem, weights, with_previous=with_previous)
        s = problem.settings
        self.slot = s.slot_minutes
        #: Pinned sessions never move.
        self.pinned = {p.referral_id for p in problem.previous if p.pinned}
        self.session: dict[str, Session] = {}
        self.visits: dict[tuple[str, Day], list[Visit]] = defaultdict(list)
        self.rooms: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        self.contact: dict[str, int] = defaultdict(int)
        self.day_cost: dict[tuple[str, Day], int] = defaultdict(int)
        self.ref_cost: dict[str, int] = {}
        self.options = {rid: self._ordered_options(c, nearest) for rid, c in candidates.items()}
        for r in problem.referrals:
            self.ref_cost[r.referral_id] = self.costs.referral_cost(r.referral_id, None)
        self.week_cost = self.costs.week_cost(self.contact)
        self.total = sum(self.ref_cost.values()) + self.week_cost
        for session in rota.sessions:
            self.place(session)

    # ------------------------------------------------------------------ options
    def _ordered_options(self, cand: Candidates, nearest: int) -> list[Option]:
        """A referral's options, its current therapist's first, then by drive from base;
        with ``nearest`` > 0 only the nearest therapists' (and the current one's)."""
        if not cand.feasible:
            return []
        travel = self.problem.travel_minutes
        base = self.rules.base
        dist: dict[str, int] = {}
        for o in cand.options:
            d = travel(base[o.therapist_id], o.site_id)
            dist[o.therapist_id] = min(d, dist.get(o.therapist_id, d))
        order = sorted(dist, key=lambda t: (dist[t], t))
        current = cand.referral.current_therapist_id
        keep = set(order[:nearest] if nearest > 0 else order)
        if current:
            keep.add(current)
        rank = {t: i for i, t in enumerate(order)}
        chosen = [o for o in cand.options if o.therapist_id in keep]
        return sorted(chosen, key=lambda o: (o.therapist_id != current, rank[o.therapist_id]))

    # ------------------------------------------------------------------ edits
    def place(self, session: Session) -> None:
        """Add a session (assumed allowed) and update every price."""
        rid = session.referral_id
        minutes = session.end - session.start
        visit = Visit(session.start, session.end, session.site_id, rid)
        for tid in session.therapist_ids:
            key = (tid, session.day)
            bisect.insort(self.visits[key], visit, key=START)
            self.contact[tid] += minutes
            self._reprice_day(key)
        self.rooms[(session.room_id, session.day)].append((session.start, session.end))
        self.session[rid] = session
        self._reprice_referral(rid)
        self._reprice_week()

    def remove(self, rid: str) -> Session:
        """Take a referral's session out (it becomes unscheduled) and update every price."""
        session = self.session.pop(rid)
        minutes = session.end - session.start
        for tid in session.therapist_ids:
            key = (tid, session.day)
            self.visits[key] = [v for v in self.visits[key] if v.referral_id != rid]
            self.contact[tid] -= minutes
            self._reprice_day(key)
        self.rooms[(session.room_id, session.day)].remove((session.start, session.end))
        self._reprice_referral(rid)
        self._reprice_week()
        return session

    def _reprice_day(self, key: tuple[str, Day]) -> None:
        new = self.costs.day_cost(key[0], key[1], self.visits[key])
        self.total += new - self.day_cost[key]
        self.day_cost[key] = new

    def _reprice_week(self) -> None:
        if not self.costs.contract:
            return
        new = self.costs.week_cost(self.contact)
        self.total += new - self.week_cost
        self.week_cost = new

    def week_delta(self, therapist_ids: Iterable[str], minutes: int) -> int:
        """What the week's piece would change by if these therapists each worked ``minutes``
        more (fewer when negative)."""
        if not self.costs.contract:
            return 0
        contact = dict(self.contact)
        for tid in therapist_ids:
            contact[tid] = contact.get(tid, 0) + minutes
        return self.costs.week_cost(contact) - self.week_cost

    def _reprice_referral(self, rid: str) -> None:
        new = self.costs.referral_cost(rid, self.session.get(rid))
        self.total += new - self.ref_cost[rid]
        self.ref_cost[rid] = new

    def rota(self) -> Rota:
        return Rota(sessions=tuple(self.session[rid] for rid in sorted(self.session))).sorted()

    # ------------------------------------------------------------------ insertion
    def start_points(self, rid: str, o: Option) -> list[int]:
        """Starts worth trying for an option: each window's opening and close, just after
        and just before each of the therapist's sessions that day (leaving admin and the
        drive), and just after each booking of the site's rooms."""
        minutes = self.candidates[rid].referral.minutes
        slot = self.slot
        visits = self.visits.get((o.therapist_id, o.day), ())
        points = self.rules.starts_near(visits, o.site_id, minutes)
        for lo, hi in o.starts:
            points.add(lo)
            points.add(hi)
        for room in self.candidates[rid].rooms:
            if room.site_id != o.site_id:
                continue
            for s, e in self.rooms.get((room.room_id, o.day), ()):
                points.add(grid_up(e, slot))
                points.add(grid_down(s - minutes, slot))
        return sorted(p for p in points if in_starts(p, o.starts))

    def free_room(self, rid: str, site_id: str, day: Day, start: int, end: int) -> str | None:
        """A suitable room at the site free for [start, end), or None."""
        cand = self.candidates[rid]
        for room in cand.rooms:
            if room.site_id != site_id:
                continue
            st = cand.room_starts.get((room.room_id, day))
            if not st or not in_starts(start, st):
                continue
            if all(e <= start or end <= s for s, e in self.rooms.get((room.room_id, day), ())):
                return room.room_id
        return None

    def therapist_fits(self, tid: str, day: Day, visit: Visit) -> bool:
        if not self.rules.week_fits(tid, self.contact[tid], visit.end - visit.start):
            return False
        seq = list(self.visits.get((tid, day), ()))
        bisect.insort(seq, visit, key=START)
        return self.rules.fits(tid, day, seq)

    def _day_delta(self, tid: str, day: Day, visit: Visit) -> int:
        seq = list(self.visits.get((tid, day), ()))
        bisect.insort(seq, visit, key=START)
        return self.costs.day_cost(tid, day, seq) - self.day_cost.get((tid, day), 0)

    def insertions(
        self,
        rid: str,
        rng: random.Random | None = None,
        blink: float = 0.0,
        keep: int = PLACEMENTS_KEPT,
    ) -> Iterable[Placement]:
        """Up to ``keep`` feasible placements of an unscheduled referral, cheapest first (by the
        whole objective's change). ``blink`` skips that share of positions at random."""
        cand = self.candidates[rid]
        ref = cand.referral
        if ref.therapists_needed > 1:
            yield from self._team_insertions(rid, rng, blink, keep)
            return
        unplaced = self.ref_cost[rid]
        minutes = ref.minutes
        ranked: list[tuple[int, int, str, Option]] = []
        week: dict[str, int] = {}  # the week piece's change, by therapist
        for o in self.options[rid]:
            who = (o.therapist_id,)
            if o.therapist_id not in week:
                week[o.therapist_id] = self.week_delta(who, minutes)
            day_visits = self.visits.get((o.therapist_id, o.day), [])
            for start in self.start_points(rid, o):
                if rng is not None and blink and rng.random() < blink:
                    continue
                visit = Visit(start, start + minutes, o.site_id, rid)
                if not self.rules.may_insert(o.therapist_id, o.day, day_visits, visit):
                    continue
                # Ranked without the room (only the previous-rota term depends on it).
                delta = self._day_delta(o.therapist_id, o.day, visit) + self.costs.placement_cost(
                    rid, (who, o.day, start, start + minutes, "")
                )
                delta += week[o.therapist_id]
                ranked.append((delta, start, o.therapist_id, o))
        ranked.sort(key=lambda r: (r[0], r[1], r[2], r[3].day))
        out: list[Placement] = []
        for _rank, start, tid, o in ranked:
            end = start + minutes
            visit = Visit(start, end, o.site_id, rid)
            room = self.free_room(rid, o.site_id, o.day, start, end)
            if room is None or not self.therapist_fits(tid, o.day, visit):
                continue
            where: Where = ((tid,), o.day, start, end, room)
            delta = self._day_delta(tid, o.day, visit) + week[tid]
            delta += self.costs.placement_cost(rid, where) - unplaced
            out.append(Placement(delta, _session(rid, where, o.site_id)))
            if len(out) >= keep:
                break
        out.sort(key=lambda p: p.delta)
        yield from out

    def _team_insertions(
        self, rid: str, rng: random.Random | None, blink: float, keep: int
    ) -> Iterable[Placement]:
        """Placements of a co-facilitated referral: two (or more) therapists on the same day,
        at the same site and start."""
        ref = self.candidates[rid].referral
        need = ref.therapists_needed
        by_key: dict[tuple[Day, str], list[Option]] = defaultdict(list)
        for o in self.options[rid]:
            by_key[(o.day, o.site_id)].append(o)
        found: list[Placement] = []
        unplaced = self.ref_cost[rid]
        for (day, site), opts in sorted(by_key.items()):
            if len({o.therapist_id for o in opts}) < need:
                continue
            points = sorted({p for o in opts for p in self.start_points(rid, o)})
            for start in points:
                end = start + ref.minutes
                visit = Visit(start, end, site, rid)
                room = self.free_room(rid, site, day, start, end)
                if room is None:
                    continue
                team = self._team(opts, need, day, visit)
                if len(team) < need:
                    continue
                where: Where = (tuple(sorted(team)), day, start, end, room)
                delta = 0
                for t in team:
                    delta += self._day_delta(t, day, visit)
                delta += self.week_delta(team, ref.minutes)
                delta += self.costs.placement_cost(rid, where) - unplaced
                found.append(Placement(delta, _session(rid, where, site)))
        found.sort(key=lambda p: (p.delta, p.session.day, p.session.start))
        yield from found[:keep]

    def _team(self, opts: list[Option], need: int, day: Day, visit: Visit) -> list[str]:
        """The first ``need`` therapists (in the options' order) whose day takes ``visit``."""
        team: list[str] = []
        for o in opts:
            tid = o.therapist_id
            if not in_starts(visit.start, o.starts):
                continue
            day_visits = self.visits.get((tid, day), [])
            if not self.rules.may_insert(tid, day, day_visits, visit):
                continue  # a quick necessary test before the full one
            if self.therapist_fits(tid, day, visit):
                team.append(tid)
                if len(team) == need:
                    break
        return team

    def in_the_way(self, rid: str, o: Option, reach: int) -> list[str]:
        """The placed referrals in the way of ``rid`` at option ``o``: the therapist's sessions
        that day within ``reach`` minutes of its start windows, and the bookings of its rooms
        at the site during them (in id order)."""
        lo, hi = o.starts[0][0], o.starts[-1][1] + self.candidates[rid].referral.minutes
        blockers = {
            v.referral_id
            for v in self.visits.get((o.therapist_id, o.day), ())
            if v.start < hi + reach and v.end > lo - reach
        }
        rooms = {r.room_id for r in self.candidates[rid].rooms if r.site_id == o.site_id}
        for other, s in self.session.items():
            if s.day == o.day and s.room_id in rooms and s.start < hi and s.end > lo:
                blockers.add(other)
        return sorted(blockers - self.pinned)

    def best_insertion(
        self, rid: str, rng: random.Random | None = None, blink: float = 0.0
    ) -> Placement | None:
        return next(iter(self.insertions(rid, rng, blink)), None)
