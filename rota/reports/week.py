"""Each therapist's week as the day rules lay it out: the one source of every grid, the Travel
sheet, the therapists' workbooks and their calendars.

:meth:`rota.scheduler.day.DayRules.layout` places each session, its admin, each drive and lunch
at their clock times; nothing here re-derives a rule. A day the rules cannot lay out (an edited
rota with a session on a day the therapist does not work) still shows its sessions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rota.models.problem import Problem
from rota.models.rota import Rota
from rota.models.timeutil import Day
from rota.scheduler.day import DayRules, Item, rota_visits


@dataclass(frozen=True)
class TherapistDay:
    """One therapist's day: its items in time order (sessions, admin, drives, lunch)."""

    therapist_id: str
    day: Day
    items: tuple[Item, ...]

    @property
    def drives(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.kind == "drive")

    @property
    def sessions(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.kind == "session")

    @property
    def driving_minutes(self) -> int:
        return sum(i.end - i.start for i in self.drives)

    @property
    def contact_minutes(self) -> int:
        return sum(i.end - i.start for i in self.sessions)


@dataclass(frozen=True)
class Week:
    """Every therapist's laid-out days of a rota, by therapist id then day (service days in week
    order, days with a session only)."""

    days: dict[str, tuple[TherapistDay, ...]]

    def of(self, therapist_id: str) -> tuple[TherapistDay, ...]:
        return self.days.get(therapist_id, ())

    def all_days(self) -> list[TherapistDay]:
        return [d for days in self.days.values() for d in days]


def lay_out_week(problem: Problem, rota: Rota) -> Week:
    """Lay out every known therapist's days with a session (therapists in the Problem's order)."""
    rules = DayRules(problem)
    by_day = rota_visits(rota)
    out: dict[str, tuple[TherapistDay, ...]] = {}
    for therapist in problem.therapists:
        tid = therapist.therapist_id
        days = []
        for day in problem.settings.days:
            visits = by_day.get((tid, day))
            if visits:
                days.append(TherapistDay(tid, day, tuple(_items(rules, tid, day, visits))))
        out[tid] = tuple(days)
    return Week(out)


def _items(rules: DayRules, therapist_id: str, day: Day, visits: Sequence) -> list[Item]:
    items = rules.layout(therapist_id, day, visits)
    if items:
        return items
    # Not a working day of the therapist: no layout, but the sessions are still shown.
    return [Item("session", v.start, v.end, v.site_id, referral_id=v.referral_id) for v in visits]
