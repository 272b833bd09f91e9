"""The one cost evaluator: the objective's labelled terms on any Rota, without a solver.

LNS acceptance, the local search's moves, the Result, the Summary sheet and scenario comparison
all ask this module, so the search can never optimise a cost other than the one reported. The
objective splits into pieces that a move changes locally: one per referral (unscheduled,
continuity, preferred times, moved from the previous rota), one per therapist-day (travel,
long drives, day span, the therapist's wishes) and one per week of all therapists (the spread of
their loads, when the Settings ask to balance loads); :func:`cost_terms` is their sum by label.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Protocol

from rota.evaluate.weights import PRIORITY_WEIGHT, Weights
from rota.models import Day, PreviousSession, Problem, Rota, Session
from rota.models.problem import Windows
from rota.models.result import CostTerm
from rota.models.timeutil import covers

#: A placement: (therapists, day, start, end, room).
Where = tuple[tuple[str, ...], Day, int, int, str]

UNSCHEDULED = "unscheduled priority {p}"
CONTINUITY = "continuity lost"
TRAVEL = "travel minutes"
LONG_DRIVE = "long drive minutes"
PREFERRED = "preferred times missed"
SPAN = "day span minutes"
STABILITY = "sessions moved from previous"
SPREAD = "load spread points"
AVOIDED_DAY = "avoided days worked"
UNPREFERRED_DAY = "days outside preferred days"
UNPREFERRED_SITE = "sessions away from preferred sites"


class Stay(Protocol):
    """A session as a therapist's day sees it: start, end and site."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def site_id(self) -> str: ...


class CostModel:
    """The objective's pieces for one Problem and one set of weights."""

    def __init__(self, problem: Problem, weights: Weights, with_previous: bool = False) -> None:
        self.problem = problem
        self.weights = weights
        self.admin = problem.settings.admin_minutes
        self.long_drive = problem.settings.long_drive_minutes
        self.base = {t.therapist_id: t.base_site_id for t in problem.therapists}
        self.preferred: dict[str, Windows] = {}
        for r in problem.referrals:
            pref = problem.preferred_windows(r.referral_id)
            if pref is not None:
                self.preferred[r.referral_id] = pref
        #: Contracted minutes of the therapists whose load is balanced (none when not asked).
        self.contract: dict[str, int] = {}
        if problem.settings.balance_loads:
            for t in problem.therapists:
                minutes = problem.contract_minutes(t.therapist_id)
                if minutes > 0:
                    self.contract[t.therapist_id] = minutes
        self.previous: dict[str, list[PreviousSession]] = defaultdict(list)
        if with_previous:
            for p in problem.previous:
                if p.referral_id in problem.referral_by_id:
                    self.previous[p.referral_id].append(p)

    # ------------------------------------------------------------------ per referral
    def referral_units(self, referral_id: str, session: Session | None) -> dict[str, int]:
        """The referral's units per label (only the labels it takes part in)."""
        if session is None:
            return self.placement_units(referral_id, None)
        return self.placement_units(
            referral_id,
            (session.therapist_ids, session.day, session.start, session.end, session.room_id),
        )

    def placement_units(self, referral_id: str, where: Where | None) -> dict[str, int]:
        """The referral's units placed at ``where`` = (therapists, day, start, end, room), or
        left out (None)."""
        ref = self.problem.referral_by_id[referral_id]
        out = {UNSCHEDULED.format(p=ref.priority): int(where is None)}
        if ref.current_therapist_id:
            out[CONTINUITY] = int(where is None or ref.current_therapist_id not in where[0])
        pref = self.preferred.get(referral_id)
        if pref is not None and where is not None:
            out[PREFERRED] = int(not covers(pref.get(where[1], ()), where[2], where[3]))
        rows = self.previous.get(referral_id)
        if rows:
            out[STABILITY] = int(not kept(where, rows))
        return out

    def referral_cost(self, referral_id: str, session: Session | None) -> int:
        """The weighted cost of one referral's placement (or of leaving it out)."""
        return self._weighted(self.referral_units(referral_id, session))

    def placement_cost(self, referral_id: str, where: Where | None) -> int:
        """The weighted cost of placing a referral at ``where`` (see placement_units)."""
        return self._weighted(self.placement_units(referral_id, where))

    def _weighted(self, units: dict[str, int]) -> int:
        return sum(self.weight(label) * n for label, n in units.items())

    # ------------------------------------------------------------------ per therapist-day
    def day_units(self, therapist_id: str, day: Day, stays: Sequence[Stay]) -> dict[str, int]:
        """A therapist's day's units per label, its stays in start order: travel minutes
        (driving base -> each site -> base, plus the arrival minutes of each site arrived at
        from another, the base clinic mid-day included, the final return not), long drive
        minutes (each leg's driving beyond ``long_drive_minutes``, when that is set) and span
        minutes (first start to last end plus admin). Every per-therapist-day term of the
        objective is counted here and only here."""
        if not stays:
            return {}
        problem = self.problem
        base = self.base[therapist_id]
        stops = [base, *(s.site_id for s in stays)]
        travel = long = 0
        for a, b in zip(stops, stops[1:], strict=False):
            if a != b:
                drive = problem.travel_minutes(a, b)
                travel += drive + problem.arrival_minutes(b)
                long += self._beyond(drive)
        home = problem.travel_minutes(stops[-1], base)
        travel += home
        long += self._beyond(home)
        span = max(s.end for s in stays) + self.admin - stays[0].start
        out = {TRAVEL: travel, SPAN: span, **self.wish_units(therapist_id, day, stays)}
        if self.long_drive is not None:
            out[LONG_DRIVE] = long
        return out

    def _beyond(self, drive: int) -> int:
        """Driving minutes of one leg beyond the long drive threshold (0 when it is off)."""
        return 0 if self.long_drive is None else max(0, drive - self.long_drive)

    def wish_units(self, therapist_id: str, day: Day, stays: Sequence[Stay]) -> dict[str, int]:
        """A worked day's units of the therapist's wishes (only those she states): the day if
        she avoids it, the day if she prefers others, each session away from her preferred
        sites. A day counts once however many sessions it holds: what she minds is coming in."""
        t = self.problem.therapist_by_id[therapist_id]
        out: dict[str, int] = {}
        if t.avoid_days:
            out[AVOIDED_DAY] = int(day in t.avoid_days)
        if t.preferred_days:
            out[UNPREFERRED_DAY] = int(day not in t.preferred_days)
        if t.preferred_sites:
            out[UNPREFERRED_SITE] = sum(s.site_id not in t.preferred_sites for s in stays)
        return out

    def day_cost(self, therapist_id: str, day: Day, stays: Sequence[Stay]) -> int:
        """The weighted cost of a therapist's day (see day_units)."""
        return self._weighted(self.day_units(therapist_id, day, stays))

    # ------------------------------------------------------------------ per week
    def week_units(self, contact_by_therapist: Mapping[str, int]) -> dict[str, int]:
        """The week's units from each therapist's session minutes (a co-facilitated session
        counts in full for each): the spread of loads, in whole percentage points, between the
        busiest and the least busy therapist, a load being session minutes x 100 over her
        contracted minutes, rounded down. Only with the Settings' balance_loads."""
        if not self.contract:
            return {}
        loads = [contact_by_therapist.get(t, 0) * 100 // c for t, c in self.contract.items()]
        return {SPREAD: max(loads) - min(loads)}

    def week_cost(self, contact_by_therapist: Mapping[str, int]) -> int:
        """The weighted cost of the week piece (see week_units)."""
        return self._weighted(self.week_units(contact_by_therapist))

    def weight(self, label: str) -> int:
        w = self.weights
        if label.startswith("unscheduled priority "):
            return w.unscheduled * PRIORITY_WEIGHT[int(label.rsplit(" ", 1)[1])]
        return {
            CONTINUITY: w.continuity,
            TRAVEL: w.travel,
            LONG_DRIVE: w.long_drive,
            PREFERRED: w.preferred,
            SPAN: w.idle,
            STABILITY: w.stability,
            SPREAD: w.fairness,
            AVOIDED_DAY: w.avoided_day,
            UNPREFERRED_DAY: w.unpreferred_day,
            UNPREFERRED_SITE: w.unpreferred_site,
        }[label]


def kept(where: Where | None, rows: Sequence[PreviousSession]) -> bool:
    """Whether a placement (therapists, day, start, end, room) is exactly where the previous
    rota had it, for every therapist."""
    if where is None:
        return False
    therapists, day, start, _end, room = where
    return all(
        day == p.day and start == p.start and room == p.room_id and p.therapist_id in therapists
        for p in rows
    )


def therapist_days(rota: Rota) -> dict[tuple[str, Day], list[Session]]:
    """Each therapist's sessions per day, in start order (a co-facilitated one for each)."""
    days: dict[tuple[str, Day], list[Session]] = defaultdict(list)
    for s in rota.sessions:
        for tid in s.therapist_ids:
            days[(tid, s.day)].append(s)
    for sessions in days.values():
        sessions.sort(key=lambda s: s.start)
    return days


def contact_minutes(rota: Rota) -> dict[str, int]:
    """Each therapist's session minutes in the week (a co-facilitated session in full)."""
    out: dict[str, int] = defaultdict(int)
    for s in rota.sessions:
        for tid in s.therapist_ids:
            out[tid] += s.end - s.start
    return out


def cost_terms(
    problem: Problem, rota: Rota, weights: Weights, *, previous: bool = True
) -> tuple[CostTerm, ...]:
    """The objective's terms evaluated on a Rota (solver-neutral), in the model's order.

    The term for sessions moved from the previous rota is there when the Problem has previous
    sessions (of known referrals) and ``previous`` is set (a solve told not to use them leaves
    it out, as its model does)."""
    with_previous = previous and bool(previous_rows(problem))
    model = CostModel(problem, weights, with_previous=with_previous)
    by_ref = {s.referral_id: s for s in rota.sessions}
    units: dict[str, int] = defaultdict(int)
    for r in problem.referrals:
        for label, n in model.referral_units(r.referral_id, by_ref.get(r.referral_id)).items():
            units[label] += n
    days = therapist_days(rota)
    for (tid, day), sessions in days.items():
        for label, n in model.day_units(tid, day, sessions).items():
            units[label] += n
    for label, n in model.week_units(contact_minutes(rota)).items():
        units[label] += n
    labels = [UNSCHEDULED.format(p=p) for p in sorted(PRIORITY_WEIGHT)]
    labels = [lb for lb in labels if lb in units] + [CONTINUITY, TRAVEL, LONG_DRIVE, PREFERRED]
    labels.append(SPAN)
    if with_previous:
        labels.append(STABILITY)
    labels += [lb for lb in units if lb not in labels]  # the week's and any newer terms
    out: list[CostTerm] = []
    for label in labels:
        if (
            label in units
            or label in (TRAVEL, STABILITY)
            or (label == LONG_DRIVE and problem.settings.long_drive_minutes is not None)
        ):
            if label == SPAN and not days:
                continue
            w = model.weight(label)
            out.append(CostTerm(label=label, weight=w, units=units[label], cost=w * units[label]))
    return tuple(out)


def total_cost(problem: Problem, rota: Rota, weights: Weights, *, previous: bool = True) -> int:
    """The objective's value for ``rota``: the sum of :func:`cost_terms`."""
    return sum(t.cost for t in cost_terms(problem, rota, weights, previous=previous))


def previous_rows(problem: Problem) -> dict[str, list[PreviousSession]]:
    """The previous rota's rows by referral (referrals the Problem still has)."""
    prev: dict[str, list[PreviousSession]] = defaultdict(list)
    for p in problem.previous:
        if p.referral_id in problem.referral_by_id:
            prev[p.referral_id].append(p)
    return prev


def previous_kept(problem: Problem, rota: Rota) -> tuple[int, int]:
    """(previous sessions kept exactly, previous sessions) by referral."""
    prev = previous_rows(problem)
    by_ref = {s.referral_id: s for s in rota.sessions}
    done = 0
    for rid, rows in prev.items():
        s = by_ref.get(rid)
        where = (s.therapist_ids, s.day, s.start, s.end, s.room_id) if s else None
        done += kept(where, rows)
    return done, len(prev)
