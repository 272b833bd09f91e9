"""The rota's figures (KPIs) and each therapist's driving route per day.

Travel figures are sums over :func:`day_routes`, the same legs the coordinator's Travel sheet
lists, so the two cannot disagree. Works on any Rota (valid or not) without a solver.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from rota.evaluate.weights import PRIORITY_WEIGHT
from rota.models.entities import DISCIPLINES, Referral
from rota.models.problem import Problem
from rota.models.result import Kpis, TherapistKpis
from rota.models.rota import Rota, Session
from rota.models.timeutil import DAY_INDEX, Day, covers, format_time


class Leg(BaseModel):
    """One drive: from a site to another, leaving and arriving at clock times."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    from_site_id: str = Field(description="Site driven from")
    to_site_id: str = Field(description="Site driven to")
    minutes: int = Field(description="Driving minutes")
    depart: int = Field(description="Departure, minutes after midnight")
    arrive: int = Field(description="Arrival, minutes after midnight")

    def __str__(self) -> str:
        return (
            f"{self.from_site_id} {format_time(self.depart)} -> {self.to_site_id} "
            f"{format_time(self.arrive)} ({self.minutes} min)"
        )


class DayRoute(BaseModel):
    """A therapist's drives on one day: base -> session sites in start order -> base."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    therapist_id: str = Field(description="Therapist")
    day: Day = Field(description="Day of the week")
    sites: tuple[str, ...] = Field(
        description="Sites in order, base first and last, a site once per consecutive visit"
    )
    legs: tuple[Leg, ...] = Field(description="Drives between consecutive different sites")

    @property
    def minutes(self) -> int:
        """Driving minutes of the day."""
        return sum(leg.minutes for leg in self.legs)


def _route(problem: Problem, therapist_id: str, day: Day, sessions: list[Session]) -> DayRoute:
    """Arrive at the first site just in time; leave each site after the session's admin."""
    therapist = problem.therapist_by_id[therapist_id]
    admin = problem.settings.admin_minutes
    base = therapist.base_site_id
    # A session at an unknown site (check reports it) cannot be routed, so it is left out.
    routed = [s for s in sessions if s.site_id in problem.site_by_id]
    legs: list[Leg] = []
    sites = [base]
    if routed:
        first = routed[0]
        if first.site_id != base:
            minutes = problem.travel_minutes(base, first.site_id)
            legs.append(
                Leg(
                    from_site_id=base,
                    to_site_id=first.site_id,
                    minutes=minutes,
                    depart=first.start - minutes,
                    arrive=first.start,
                )
            )
            sites.append(first.site_id)
        for a, b in zip(routed, routed[1:], strict=False):
            if a.site_id == b.site_id:
                continue
            minutes = problem.travel_minutes(a.site_id, b.site_id)
            depart = a.end + admin
            legs.append(
                Leg(
                    from_site_id=a.site_id,
                    to_site_id=b.site_id,
                    minutes=minutes,
                    depart=depart,
                    arrive=depart + minutes,
                )
            )
            sites.append(b.site_id)
        last = routed[-1]
        if last.site_id != base:
            minutes = problem.travel_minutes(last.site_id, base)
            depart = last.end + admin
            legs.append(
                Leg(
                    from_site_id=last.site_id,
                    to_site_id=base,
                    minutes=minutes,
                    depart=depart,
                    arrive=depart + minutes,
                )
            )
            sites.append(base)
    return DayRoute(therapist_id=therapist_id, day=day, sites=tuple(sites), legs=tuple(legs))


def sessions_by_therapist_day(problem: Problem, rota: Rota) -> dict[tuple[str, Day], list[Session]]:
    """Known therapists' sessions per day, in start order (a co-facilitated one for each)."""
    out: dict[tuple[str, Day], list[Session]] = defaultdict(list)
    for session in rota.sessions:
        for tid in dict.fromkeys(session.therapist_ids):
            if tid in problem.therapist_by_id:
                out[(tid, session.day)].append(session)
    for sessions in out.values():
        sessions.sort(key=lambda s: (s.start, s.end, s.referral_id))
    return out


def day_routes(problem: Problem, rota: Rota) -> list[DayRoute]:
    """Every therapist's route on each day they have a session, therapists in the Problem's
    order and days in week order. A day spent at the base has a route with no legs."""
    by_day = sessions_by_therapist_day(problem, rota)
    out: list[DayRoute] = []
    for therapist in problem.therapists:
        tid = therapist.therapist_id
        days = sorted((d for t, d in by_day if t == tid), key=lambda d: DAY_INDEX[d])
        out.extend(_route(problem, tid, day, by_day[(tid, day)]) for day in days)
    return out


@dataclass
class _Coverage:
    """The referral figures of a rota, counted referral by referral."""

    priorities: list[int]
    disciplines: list[str]
    scheduled_by_priority: dict[int, int] = field(default_factory=dict)
    unscheduled_by_priority: dict[int, int] = field(default_factory=dict)
    scheduled_by_discipline: dict[str, int] = field(default_factory=dict)
    unscheduled_by_discipline: dict[str, int] = field(default_factory=dict)
    minutes_by_discipline: dict[str, int] = field(default_factory=dict)
    scheduled: int = 0
    scheduled_minutes: int = 0
    unscheduled_minutes: int = 0
    weighted_scheduled: int = 0
    weighted_total: int = 0
    continuity_kept: int = 0
    continuity_possible: int = 0
    preferred_met: int = 0
    preferred_possible: int = 0

    def __post_init__(self) -> None:
        for counts in (self.scheduled_by_priority, self.unscheduled_by_priority):
            counts.update(dict.fromkeys(self.priorities, 0))
        for by in (
            self.scheduled_by_discipline,
            self.unscheduled_by_discipline,
            self.minutes_by_discipline,
        ):
            by.update(dict.fromkeys(self.disciplines, 0))

    def count(self, problem: Problem, referral: Referral, session: Session | None) -> None:
        self.weighted_total += PRIORITY_WEIGHT[referral.priority]
        self.continuity_possible += referral.current_therapist_id is not None
        if session is None:
            self.unscheduled_by_priority[referral.priority] += 1
            self.unscheduled_by_discipline[referral.discipline] += 1
            self.unscheduled_minutes += referral.minutes
            return
        self.scheduled += 1
        self.scheduled_minutes += session.minutes
        self.scheduled_by_priority[referral.priority] += 1
        self.scheduled_by_discipline[referral.discipline] += 1
        self.minutes_by_discipline[referral.discipline] += session.minutes
        self.weighted_scheduled += PRIORITY_WEIGHT[referral.priority]
        if referral.current_therapist_id in session.therapist_ids:
            self.continuity_kept += 1
        preferred = problem.preferred_windows(referral.referral_id)
        if preferred is not None:
            self.preferred_possible += 1
            self.preferred_met += covers(preferred.get(session.day, ()), session.start, session.end)


def _coverage(problem: Problem, rota: Rota) -> _Coverage:
    """Each referral counted once: by its first session if an edited rota has several."""
    first_session: dict[str, Session] = {}
    for one in rota.sessions:
        first_session.setdefault(one.referral_id, one)
    disciplines: list[str] = [
        d for d in DISCIPLINES if any(r.discipline == d for r in problem.referrals)
    ]
    out = _Coverage(sorted(PRIORITY_WEIGHT), disciplines)
    for referral in problem.referrals:
        out.count(problem, referral, first_session.get(referral.referral_id))
    return out


def _therapist_figures(
    problem: Problem, rota: Rota, routes: list[DayRoute]
) -> tuple[TherapistKpis, ...]:
    """Each therapist's week: sessions, contact and working minutes, travel, days worked."""
    travel: dict[str, int] = defaultdict(int)
    days: dict[str, int] = defaultdict(int)
    for route in routes:
        travel[route.therapist_id] += route.minutes
        days[route.therapist_id] += 1
    sessions: dict[str, int] = defaultdict(int)
    contact: dict[str, int] = defaultdict(int)
    for (tid, _day), day_sessions in sessions_by_therapist_day(problem, rota).items():
        sessions[tid] += len(day_sessions)
        contact[tid] += sum(s.minutes for s in day_sessions)
    out: list[TherapistKpis] = []
    for therapist in problem.therapists:
        tid = therapist.therapist_id
        working = sum(
            e - s for ranges in problem.therapist_windows(tid).values() for s, e in ranges
        )
        out.append(
            TherapistKpis(
                therapist_id=tid,
                sessions=sessions[tid],
                contact_minutes=contact[tid],
                working_minutes=working,
                utilisation=contact[tid] / working if working else 0.0,
                travel_minutes=travel[tid],
                days_worked=days[tid],
            )
        )
    return tuple(out)


def compute_kpis(problem: Problem, rota: Rota) -> Kpis:
    """The rota's figures: coverage by priority and discipline, travel, continuity,
    preferences met, utilisation per therapist and room use.

    A referral counts as scheduled when the rota has a session for it (its first, if an edited
    rota has several); every other referral of the Problem counts as unscheduled. Therapist
    figures count every session they appear in, a co-facilitated one in full for each."""
    c = _coverage(problem, rota)
    routes = day_routes(problem, rota)
    therapists = _therapist_figures(problem, rota, routes)
    all_contact = sum(t.contact_minutes for t in therapists)
    all_working = sum(t.working_minutes for t in therapists)
    room_sessions = {room.room_id: 0 for room in problem.rooms}
    for session in rota.sessions:
        if session.room_id in room_sessions:
            room_sessions[session.room_id] += 1
    return Kpis(
        referrals=len(problem.referrals),
        scheduled=c.scheduled,
        unscheduled=len(problem.referrals) - c.scheduled,
        scheduled_minutes=c.scheduled_minutes,
        unscheduled_minutes=c.unscheduled_minutes,
        scheduled_by_priority=c.scheduled_by_priority,
        unscheduled_by_priority=c.unscheduled_by_priority,
        scheduled_by_discipline=c.scheduled_by_discipline,
        unscheduled_by_discipline=c.unscheduled_by_discipline,
        minutes_by_discipline=c.minutes_by_discipline,
        weighted_scheduled=c.weighted_scheduled,
        weighted_total=c.weighted_total,
        travel_minutes=sum(route.minutes for route in routes),
        continuity_kept=c.continuity_kept,
        continuity_possible=c.continuity_possible,
        preferred_met=c.preferred_met,
        preferred_possible=c.preferred_possible,
        utilisation=all_contact / all_working if all_working else 0.0,
        therapists=therapists,
        room_sessions=room_sessions,
    )
