"""The one day-feasibility module: the rules of a therapist's day, for every heuristic.

A therapist's day starts and ends at their base. Each session is followed by ``admin_minutes`` of
notes before the next session or any drive; between sessions at different sites the gap holds
the admin and the leg: the drive and, on arriving at a site other than the one just left, the
site's ``arrival_minutes`` (parking, signing in, setting up; also at the first site after the
base and at the base clinic mid-day, never on the final return to the base). A site is visited
in one stay (arrive, run its sessions, leave). On a day whose working ranges cover the whole
lunch window, lunch is ``lunch_minutes`` in one piece inside the window, taken at a site or at
the base, never while travelling, in session or in admin. Limits: at most
``max_sessions_per_day`` sessions, ``max_sites_per_day`` distinct sites and
``max_drive_minutes_per_day`` driving minutes (arrival not counted) a day.

The greedy, the hint, the insertion starts, LNS insertion and the reasons ask this module; the
CP-SAT model states the same rules once in ``cpsat/constraints``; ``rota.evaluate.check`` is the
independent third expression that tests compare with both. The day's layout (drives, admin,
lunch at their clock times) comes from here too, so the grids and calendars show what the rules
see. No solver is imported here.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Literal, NamedTuple

from rota.models import Day, Problem, Rota, Therapist
from rota.models.timeutil import Interval, intersect_intervals, merge_intervals


# ---------------------------------------------------------------------- starts on the slot grid
def grid_up(t: int, slot: int) -> int:
    """The first grid point at or after ``t``."""
    return -(-t // slot) * slot


def grid_down(t: int, slot: int) -> int:
    """The last grid point at or before ``t``."""
    return (t // slot) * slot


def start_intervals(windows: Sequence[Interval], length: int, slot: int) -> tuple[Interval, ...]:
    """Start times s on the grid with [s, s + length) inside one window, as [lo, hi] pairs."""
    out: list[Interval] = []
    for a, b in merge_intervals(windows):
        lo, hi = grid_up(a, slot), grid_down(b - length, slot)
        if lo <= hi:
            out.append((lo, hi))
    return tuple(out)


def intersect_starts(a: Sequence[Interval], b: Sequence[Interval]) -> tuple[Interval, ...]:
    """Intersection of inclusive start intervals, each sorted and apart (as every start set
    here is: made by start_intervals, union_starts or this): one merge-like pass, since the
    candidates ask this about a million times on a large service."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo = a[i][0] if a[i][0] > b[j][0] else b[j][0]
        hi = a[i][1] if a[i][1] < b[j][1] else b[j][1]
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def union_starts(parts: Sequence[Sequence[Interval]]) -> tuple[Interval, ...]:
    """Union of inclusive start intervals."""
    half = merge_intervals([(lo, hi + 1) for p in parts for lo, hi in p])
    return tuple((lo, hi - 1) for lo, hi in half)


def in_starts(t: int, starts: Sequence[Interval]) -> bool:
    """Whether ``t`` is one of the inclusive start intervals."""
    # A plain loop, not any(): the searches ask this millions of times.
    for lo, hi in starts:  # noqa: SIM110
        if lo <= t <= hi:
            return True
    return False


@dataclass(frozen=True)
class DayShape:
    """A therapist's working day: ranges, first start, last end, and whether lunch is due."""

    ranges: tuple[Interval, ...]
    start: int
    end: int
    lunch: bool  # the working ranges cover the whole lunch window (and lunch is set)


def day_shapes(problem: Problem, therapist: Therapist) -> dict[Day, DayShape]:
    """Working-day shapes of a therapist on service days."""
    window = problem.settings.lunch_window.interval
    out: dict[Day, DayShape] = {}
    for day, ranges in problem.therapist_windows(therapist.therapist_id).items():
        covered = intersect_intervals(ranges, [window]) == (window,)
        lunch = covered and problem.settings.lunch_minutes > 0
        out[day] = DayShape(ranges, ranges[0][0], ranges[-1][1], lunch)
    return out


class Visit(NamedTuple):
    """One session in a therapist's day: [start, end) at a site (admin follows it). A tuple,
    so that days are sorted and compared as fast as the greedy's many tries need."""

    start: int
    end: int
    site_id: str
    referral_id: str = ""


#: Sort key of a day's visits (a therapist's sessions never share a start).
START = attrgetter("start")


class Gap(NamedTuple):
    """Free time between two commitments of the day: [start, end) with a leg to fit in.

    ``drive`` is the leg's minutes: driving plus arrival at ``after`` (when the leg arrives at
    a site for sessions); ``before`` and ``after`` are the sites on either side (the base at
    the day's ends)."""

    start: int
    end: int
    drive: int
    before: str
    after: str

    @property
    def slack(self) -> int:
        return self.end - self.start - self.drive


@dataclass(frozen=True)
class Lunch:
    """Where lunch goes: its start, the gap it sits in, and whether it comes before the drive."""

    start: int
    gap_index: int
    before_drive: bool

    def place(self, gaps: Sequence[Gap]) -> str:
        """The site where lunch is taken (the base before the first drive or after the last)."""
        gap = gaps[self.gap_index]
        return gap.before if self.before_drive else gap.after


ItemKind = Literal["session", "admin", "drive", "lunch"]


@dataclass(frozen=True)
class Item:
    """One block of a therapist's day as the rules see it, for grids and calendars.

    A drive's ``site_id`` is where it arrives and ``from_site_id`` where it leaves; it includes
    the arrival minutes at its site (parking, signing in, setting up)."""

    kind: ItemKind
    start: int
    end: int
    site_id: str
    from_site_id: str = ""
    referral_id: str = ""


class DayRules:
    """The rules of a therapist's day for one Problem: feasibility, lunch and layout."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        s = problem.settings
        self.admin = s.admin_minutes
        self.lunch_minutes = s.lunch_minutes
        self.window = s.lunch_window.interval
        self.slot = s.slot_minutes
        self.shapes = {t.therapist_id: day_shapes(problem, t) for t in problem.therapists}
        self.base = {t.therapist_id: t.base_site_id for t in problem.therapists}
        self.max_per_day = {t.therapist_id: t.max_sessions_per_day for t in problem.therapists}
        self.max_week = {t.therapist_id: t.max_contact_minutes for t in problem.therapists}
        self.max_sites = {
            t.therapist_id: problem.max_sites_per_day(t.therapist_id) for t in problem.therapists
        }
        self.max_drive = {t.therapist_id: t.max_drive_minutes_per_day for t in problem.therapists}
        self.limited = {
            tid
            for tid in self.base
            if self.max_sites[tid] is not None or self.max_drive[tid] is not None
        }
        self.arrival = {x.site_id: problem.arrival_minutes(x.site_id) for x in problem.sites}
        self._starts: dict[tuple[str, str, str, int, bool], tuple[Interval, ...]] = {}
        self._drives: dict[tuple[str, str], int] = {}

    def travel(self, from_site_id: str, to_site_id: str) -> int:
        """Driving minutes (0 within a site)."""
        if from_site_id == to_site_id:
            return 0
        key = (from_site_id, to_site_id)
        minutes = self._drives.get(key)
        if minutes is None:
            minutes = self._drives[key] = self.problem.travel_minutes(from_site_id, to_site_id)
        return minutes

    def leg(self, from_site_id: str, to_site_id: str) -> int:
        """Minutes of a leg that arrives at ``to_site_id`` for sessions: driving plus arrival
        (0 within a site). The final return to the base is :meth:`travel` alone."""
        if from_site_id == to_site_id:
            return 0
        return self.travel(from_site_id, to_site_id) + self.arrival[to_site_id]

    # ------------------------------------------------------------------ one session alone
    def session_starts(
        self, therapist_id: str, day: Day, site_id: str, minutes: int, *, travel: bool = True
    ) -> tuple[Interval, ...]:
        """Starts (inclusive [lo, hi] on the slot grid) at which a session of ``minutes`` and
        its admin fit one working range of the therapist's day, with the leg from the base
        (drive and arrival) before it and the drive back after it inside the day, and the round
        trip within the day's driving limit: the rules that concern a session alone.
        ``travel=False`` leaves the drives out (to tell hours from travel in a reason)."""
        key = (therapist_id, day, site_id, minutes, travel)
        found = self._starts.get(key)
        if found is not None:
            return found
        shape = self.shapes[therapist_id].get(day)
        out: tuple[Interval, ...] = ()
        if shape is not None:
            out = start_intervals(shape.ranges, minutes + self.admin, self.slot)
            if travel and out:
                base = self.base[therapist_id]
                lo = grid_up(shape.start + self.leg(base, site_id), self.slot)
                back = self.travel(site_id, base)
                last_end = shape.end - back - self.admin
                hi = grid_down(last_end - minutes, self.slot)
                out = intersect_starts(out, ((lo, hi),)) if lo <= hi else ()
                limit = self.max_drive[therapist_id]
                if limit is not None and self.travel(base, site_id) + back > limit:
                    out = ()
        self._starts[key] = out
        return out

    def week_fits(self, therapist_id: str, contact: int, minutes: int) -> bool:
        """Whether ``minutes`` more of sessions keep the week's contact (``contact`` minutes
        already) within the therapist's ``max_contact_minutes``."""
        limit = self.max_week[therapist_id]
        return limit is None or contact + minutes <= limit

    # ------------------------------------------------------------------ next to a day's visits
    def starts_near(self, visits: Sequence[Visit], site_id: str, minutes: int) -> set[int]:
        """Grid starts that sit tight against the day's sessions: just after each one (its
        admin and the leg here) and just before each one (leaving admin and the leg on)."""
        slot, admin = self.slot, self.admin
        points: set[int] = set()
        for v in visits:
            points.add(grid_up(v.end + admin + self.leg(v.site_id, site_id), slot))
            leave = v.start - self.leg(site_id, v.site_id) - admin - minutes
            points.add(grid_down(leave, slot))
        return points

    def added_travel(
        self, therapist_id: str, visits: Sequence[Visit], site_id: str, start: int
    ) -> int:
        """Travel minutes (driving and arrival) one more session at ``site_id`` from ``start``
        adds to the day whose sessions are ``visits`` (in start order; from and back to the
        base)."""
        base = self.base[therapist_id]
        i = bisect.bisect(visits, Visit(start, start, site_id))
        before = visits[i - 1].site_id if i > 0 else base
        if i < len(visits):
            after = visits[i].site_id
            return self.leg(before, site_id) + self.leg(site_id, after) - self.leg(before, after)
        return self.leg(before, site_id) + self.travel(site_id, base) - self.travel(before, base)

    # ------------------------------------------------------------------ the day's gaps
    def gaps(self, therapist_id: str, shape: DayShape, visits: Sequence[Visit]) -> list[Gap]:
        """The gaps of a day whose ``visits`` are in start order: from the day's start to the
        first session, between consecutive sessions (after admin), and after the last one's
        admin to the day's end. An empty day is one gap from base to base."""
        if not visits:
            return [self.gap(therapist_id, shape, None, None)]
        out = [self.gap(therapist_id, shape, None, visits[0])]
        for a, b in zip(visits, visits[1:], strict=False):
            out.append(self.gap(therapist_id, shape, a, b))
        out.append(self.gap(therapist_id, shape, visits[-1], None))
        return out

    def gap(
        self, therapist_id: str, shape: DayShape, before: Visit | None, after: Visit | None
    ) -> Gap:
        """The gap between two consecutive sessions (None: the day's start or end at base)."""
        base = self.base[therapist_id]
        start = shape.start if before is None else before.end + self.admin
        end = shape.end if after is None else after.start
        origin = base if before is None else before.site_id
        if after is None:
            return Gap(start, end, self.travel(origin, base), origin, base)
        return Gap(start, end, self.leg(origin, after.site_id), origin, after.site_id)

    def may_insert(self, therapist_id: str, day: Day, visits: Sequence[Visit], new: Visit) -> bool:
        """A quick necessary condition for :meth:`fits` with ``new`` added to ``visits`` (in
        start order): the day exists, the two gaps around ``new`` hold their admin and legs,
        and the day's site and driving limits hold. Searches use it to skip hopeless positions
        before the full test."""
        shape = self.shapes[therapist_id].get(day)
        if shape is None:
            return False
        i = bisect.bisect(visits, new.start, key=START)
        base = self.base[therapist_id]
        if i > 0:
            before = visits[i - 1]
            room_before = new.start - before.end - self.admin
            drive_before = self.leg(before.site_id, new.site_id)
        else:
            room_before = new.start - shape.start
            drive_before = self.leg(base, new.site_id)
        if room_before < drive_before:
            return False
        if i < len(visits):
            after = visits[i]
            if after.start - new.end - self.admin < self.leg(new.site_id, after.site_id):
                return False
        elif shape.end - new.end - self.admin < self.travel(new.site_id, base):
            return False
        if therapist_id not in self.limited:
            return True
        return self.within_limits(therapist_id, [*visits[:i], new, *visits[i:]])

    # ------------------------------------------------------------------ feasibility
    def fits(self, therapist_id: str, day: Day, visits: Sequence[Visit]) -> bool:
        """Whether the day's sessions (in start order) keep every rule of a therapist's day:
        working ranges with admin, one stay per site, admin and legs in every gap, lunch, and
        the daily limits on sessions, sites and driving."""
        shape = self.shapes[therapist_id].get(day)
        if shape is None:
            return not visits
        limit = self.max_per_day[therapist_id]
        if limit is not None and len(visits) > limit:
            return False
        if not self.within_limits(therapist_id, visits):
            return False
        if not self.in_working_ranges(shape, visits) or not one_stay_per_site(visits):
            return False
        gaps = self.gaps(therapist_id, shape, visits)
        if any(g.end - g.start < g.drive for g in gaps):
            return False
        return not shape.lunch or any(self.lunch_starts(g) for g in gaps)

    def within_limits(self, therapist_id: str, visits: Sequence[Visit]) -> bool:
        """The day's distinct sites within ``max_sites_per_day`` and its driving minutes
        (base to base, arrival not counted) within ``max_drive_minutes_per_day``."""
        sites = self.max_sites[therapist_id]
        if sites is not None and len({v.site_id for v in visits}) > sites:
            return False
        limit = self.max_drive[therapist_id]
        return limit is None or self.driving(therapist_id, visits) <= limit

    def driving(self, therapist_id: str, visits: Sequence[Visit]) -> int:
        """The day's driving minutes, base to base, for sessions in start order (0 if none)."""
        if not visits:
            return 0
        base = self.base[therapist_id]
        total = self.travel(base, visits[0].site_id) + self.travel(visits[-1].site_id, base)
        for a, b in zip(visits, visits[1:], strict=False):
            total += self.travel(a.site_id, b.site_id)
        return total

    def in_working_ranges(self, shape: DayShape, visits: Sequence[Visit]) -> bool:
        """Each session with its admin inside one working range."""
        return all(
            any(lo <= v.start and v.end + self.admin <= hi for lo, hi in shape.ranges)
            for v in visits
        )

    # ------------------------------------------------------------------ lunch
    def lunch_starts(self, gap: Gap) -> list[tuple[Interval, bool]]:
        """Feasible lunch starts in a gap as inclusive [lo, hi] ranges, each with whether lunch
        comes before the drive (taken where the gap starts) or after it (where it ends)."""
        w0, w1 = self.window
        need = self.lunch_minutes
        out: list[tuple[Interval, bool]] = []
        # Drive first, then lunch at the next site (or at the base at the day's end).
        lo, hi = max(gap.start + gap.drive, w0), min(gap.end, w1) - need
        if lo <= hi:
            out.append(((lo, hi), False))
        # Lunch first where the gap starts, then the drive.
        lo, hi = max(gap.start, w0), min(gap.end - gap.drive, w1) - need
        if lo <= hi:
            out.append(((lo, hi), True))
        return out

    def lunch(self, shape: DayShape, gaps: Sequence[Gap]) -> Lunch | None:
        """Where lunch goes (None if it cannot fit or is not due): as near the middle of the
        lunch window as the day allows, on the slot grid where the gap has a grid point, the
        earlier of two equally near."""
        if not shape.lunch:
            return None
        w0, w1 = self.window
        ideal = (w0 + w1 - self.lunch_minutes) // 2
        best: tuple[int, int, Lunch] | None = None
        for idx, gap in enumerate(gaps):
            for (lo, hi), before in self.lunch_starts(gap):
                start = self._nearest(ideal, lo, hi)
                key = (abs(start - ideal), start)
                if best is None or key < best[:2]:
                    best = (*key, Lunch(start, idx, before))
        return best[2] if best is not None else None

    def _nearest(self, ideal: int, lo: int, hi: int) -> int:
        """The start in [lo, hi] nearest ``ideal``, preferring slot-grid points."""
        slot = self.slot
        first, last = -(-lo // slot) * slot, (hi // slot) * slot
        if first > last:
            return min(max(ideal, lo), hi)
        below = min(max((ideal // slot) * slot, first), last)
        above = min(below + slot, last)
        return above if abs(above - ideal) < abs(below - ideal) else below

    # ------------------------------------------------------------------ layout
    def layout(self, therapist_id: str, day: Day, visits: Sequence[Visit]) -> list[Item]:
        """The day as the rules see it, in time order: each session, its admin, each drive
        with its arrival minutes (arriving just in time for the first session, leaving after
        admin otherwise) and lunch
        where :meth:`lunch` puts it (a drive waits for a lunch taken before it)."""
        shape = self.shapes[therapist_id].get(day)
        if shape is None or not visits:
            return []
        gaps = self.gaps(therapist_id, shape, visits)
        lunch = self.lunch(shape, gaps)
        items: list[Item] = []
        for idx, gap in enumerate(gaps):
            here = lunch if lunch is not None and lunch.gap_index == idx else None
            items += self._gap_items(gap, here, first=idx == 0)
            if idx < len(visits):
                v = visits[idx]
                items.append(Item("session", v.start, v.end, v.site_id, referral_id=v.referral_id))
                if self.admin:
                    items.append(
                        Item(
                            "admin", v.end, v.end + self.admin, v.site_id, referral_id=v.referral_id
                        )
                    )
        return sorted(items, key=lambda i: (i.start, i.end))

    def _gap_items(self, gap: Gap, lunch: Lunch | None, first: bool) -> list[Item]:
        """The drive of a gap, and lunch if it falls in it."""
        out: list[Item] = []
        lunch_item = None
        if lunch is not None:
            lunch_item = Item(
                "lunch",
                lunch.start,
                lunch.start + self.lunch_minutes,
                gap.before if lunch.before_drive else gap.after,
            )
            out.append(lunch_item)
        if gap.drive:
            if lunch_item is not None and lunch is not None and lunch.before_drive:
                depart = lunch_item.end
            elif lunch_item is not None:
                depart = lunch_item.start - gap.drive
            elif first:
                depart = gap.end - gap.drive  # arrive just in time for the first session
            else:
                depart = gap.start
            out.append(Item("drive", depart, depart + gap.drive, gap.after, gap.before))
        return out


def rota_visits(rota: Rota) -> dict[tuple[str, Day], list[Visit]]:
    """Each therapist's visits per day in a rota, in start order (a co-facilitated session is a
    visit of each of its therapists): what :meth:`DayRules.layout` takes for a written rota."""
    out: dict[tuple[str, Day], list[Visit]] = {}
    for s in rota.sessions:
        for tid in dict.fromkeys(s.therapist_ids):
            out.setdefault((tid, s.day), []).append(Visit(s.start, s.end, s.site_id, s.referral_id))
    for visits in out.values():
        visits.sort()
    return out


def one_stay_per_site(visits: Sequence[Visit]) -> bool:
    """A site is visited in one stay: no return to a site after leaving it the same day."""
    seen: set[str] = set()
    previous = None
    for v in visits:
        if v.site_id != previous:
            if v.site_id in seen:
                return False
            seen.add(v.site_id)
            previous = v.site_id
    return True
