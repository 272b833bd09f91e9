"""An independent validator: does a rota keep every hard rule?

It works on any Rota, from the solver or edited by hand, and shares no code with the CP-SAT
model: only the data model's views (windows, travel minutes) are used, so a modelling slip in
the solver shows up here as a violation. It never imports ortools.

Each failure is reported once, under the first rule it breaks in this order: a session that
overlaps another is not also reported for admin or travel; a session outside working hours is
not also reported for travel from or to the base; a session on a non-service day is not also
reported as outside its room's or therapist's hours (those views hold service days only).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from rota.models.dates import referral_has_dates, why_no_dates
from rota.models.entities import Referral, Room, Therapist
from rota.models.problem import Problem, Windows
from rota.models.rota import Rota, Session
from rota.models.timeutil import DAY_INDEX, Day, Interval, format_time

# Rule codes and what each means, in the order checks run.
RULES: dict[str, str] = {
    "unknown-referral": "the session's (or an unscheduled entry's) referral is not in Referrals",
    "unknown-therapist": "a therapist of the session is not in Therapists",
    "unknown-room": "the session's room is not in Rooms",
    "unknown-site": "the session's site is not in Sites",
    "service-day": "the session is on a day that is not a service day",
    "duplicate-referral": "a referral has more than one session",
    "scheduled-and-unscheduled": "a referral is both scheduled and listed as unscheduled",
    "missing-referral": "a referral is neither scheduled nor listed as unscheduled",
    "referral-site": "the session is at a site the referral does not allow",
    "referral-hours": "the session is outside the client's available times",
    "referral-minutes": "the session's length differs from the referral's minutes",
    "referral-dates": "the session has no date in the term inside the referral's own start and "
    "end dates (or from the date a mid-term rota applies)",
    "slot-grid": "the session does not start on the slot grid",
    "therapist-count": "the session has the wrong number of (distinct) therapists",
    "discipline": "a therapist does not offer the referral's discipline",
    "skills": "a therapist lacks a skill the referral needs",
    "therapist-hours": "the session and its admin are not inside one working range",
    "room-site": "the room is not at the session's site",
    "room-hours": "the session is outside the room's available times",
    "room-features": "the room lacks a feature the referral needs",
    "room-capacity": "the room is too small for the group",
    "room-overlap": "two sessions share a room at the same time",
    "therapist-overlap": "a therapist has two sessions at the same time",
    "admin": "a therapist's next session starts before the admin time after the last one ends",
    "travel": "there is not enough time to drive between sites (or from and to the base) and, "
    "on arriving at a site, to park, sign in and set up (the site's arrival minutes)",
    "site-stay": "a therapist comes back to a site they left earlier the same day",
    "lunch": "a therapist has no lunch break in one piece inside the lunch window, at a site "
    "or at the base (never in the middle of a drive)",
    "max-sessions": "a therapist has more sessions in a day than their limit",
    "max-contact": "a therapist has more session minutes in the week than their limit",
    "sites-per-day": "a therapist runs sessions at more sites in a day than their limit",
    "drive-per-day": "a therapist drives more minutes in a day (base to base) than their limit",
}


class Violation(BaseModel):
    """One broken hard rule, naming the sessions involved in plain English."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: str = Field(description="Short rule code, e.g. 'room-overlap' (see check.RULES)")
    message: str = Field(description="What is wrong, naming the sessions involved")
    referral_ids: tuple[str, ...] = Field((), description="Referrals of the sessions involved")
    therapist_id: str | None = Field(None, description="Therapist concerned, if one is")

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


def _inside(ranges: Sequence[Interval], start: int, end: int) -> bool:
    """True when [start, end) lies inside one of the (merged) ranges."""
    return any(s <= start and end <= e for s, e in ranges)


def _arriving(minutes: int) -> str:
    """`` and N minutes to arrive`` (parking, signing in, setting up), or nothing."""
    return f" and {minutes} minutes to arrive" if minutes else ""


def _ranges_text(ranges: Sequence[Interval]) -> str:
    return ", ".join(f"{format_time(s)}-{format_time(e)}" for s, e in ranges) or "none"


def _order(session: Session) -> tuple[int, int, int, str, tuple[str, ...], str, str]:
    """Week order, with every field as a tie-break so that the input's order never shows."""
    return (
        DAY_INDEX[session.day],
        session.start,
        session.end,
        session.referral_id,
        session.therapist_ids,
        session.room_id,
        session.site_id,
    )


class _Checker:
    """Caches the Problem's views for one check and collects violations in a fixed order."""

    def __init__(self, problem: Problem, rota: Rota, complete: bool = False) -> None:
        self.problem = problem
        self.rota = rota
        self.complete = complete
        self.settings = problem.settings
        self.admin = problem.settings.admin_minutes
        self.out: list[Violation] = []
        self._room_windows: dict[str, Windows] = {}
        self._therapist_windows: dict[str, Windows] = {}
        self._referral_windows: dict[str, Windows | None] = {}
        self._travel: dict[tuple[str, str], int] = {}

    # ------------------------------------------------------------ cached views
    def room_windows(self, room_id: str) -> Windows:
        if room_id not in self._room_windows:
            self._room_windows[room_id] = self.problem.room_windows(room_id)
        return self._room_windows[room_id]

    def therapist_windows(self, therapist_id: str) -> Windows:
        if therapist_id not in self._therapist_windows:
            self._therapist_windows[therapist_id] = self.problem.therapist_windows(therapist_id)
        return self._therapist_windows[therapist_id]

    def referral_windows(self, referral_id: str) -> Windows | None:
        if referral_id not in self._referral_windows:
            self._referral_windows[referral_id] = self.problem.referral_windows(referral_id)
        return self._referral_windows[referral_id]

    def travel(self, from_site_id: str, to_site_id: str) -> int | None:
        """Driving minutes, or None when a site is unknown (reported as unknown-site)."""
        if from_site_id == to_site_id:
            return 0
        key = (from_site_id, to_site_id)
        if key not in self._travel:
            sites = self.problem.site_by_id
            if from_site_id not in sites or to_site_id not in sites:
                return None
            self._travel[key] = self.problem.travel_minutes(from_site_id, to_site_id)
        return self._travel[key]

    def arrival(self, from_site_id: str, to_site_id: str) -> int:
        """Minutes to park, sign in and set up on arriving at ``to_site_id`` for sessions from
        another site (0 within a site or at an unknown site)."""
        if from_site_id == to_site_id or to_site_id not in self.problem.site_by_id:
            return 0
        return self.problem.arrival_minutes(to_site_id)

    def add(
        self,
        rule: str,
        message: str,
        sessions: Sequence[Session] = (),
        therapist_id: str | None = None,
    ) -> None:
        ids = tuple(dict.fromkeys(s.referral_id for s in sessions))
        self.out.append(
            Violation(rule=rule, message=message, referral_ids=ids, therapist_id=therapist_id)
        )

    # ------------------------------------------------------------ the checks
    def run(self) -> list[Violation]:
        for session in self.rota.sessions:
            self.check_session(session)
        self.check_referrals()
        self.check_rooms()
        self.check_therapists()
        return self.out

    def check_session(self, session: Session) -> None:
        """Rules that concern one session on its own."""
        p = self.problem
        label = session.label()
        referral = p.referral_by_id.get(session.referral_id)
        room = p.room_by_id.get(session.room_id)
        if referral is None:
            self.add("unknown-referral", f"{label}: unknown referral", [session])
        for tid in dict.fromkeys(session.therapist_ids):
            if tid not in p.therapist_by_id:
                self.add("unknown-therapist", f"{label}: unknown therapist '{tid}'", [session], tid)
        if room is None:
            self.add("unknown-room", f"{label}: unknown room '{session.room_id}'", [session])
        if session.site_id not in p.site_by_id:
            self.add("unknown-site", f"{label}: unknown site '{session.site_id}'", [session])
        service_day = session.day in self.settings.days
        if not service_day:
            self.add(
                "service-day",
                f"{label} is on {session.day}, which is not a service day "
                f"({', '.join(self.settings.days)})",
                [session],
            )
        if referral is not None:
            self.check_session_referral(session, referral)
        for tid in dict.fromkeys(session.therapist_ids):
            therapist = p.therapist_by_id.get(tid)
            if therapist is not None:
                self.check_session_therapist(session, therapist, referral, service_day)
        if room is not None:
            self.check_session_room(session, room, referral, service_day)

    def check_session_referral(self, session: Session, referral: Referral) -> None:
        label = session.label()
        grid = self.settings.slot_minutes
        if session.site_id not in referral.site_ids:
            self.add(
                "referral-site",
                f"{label} is at {session.site_id}, but {referral.referral_id} may only be seen "
                f"at {' or '.join(referral.site_ids)}",
                [session],
            )
        windows = self.referral_windows(referral.referral_id)
        if windows is not None:
            ranges = windows.get(session.day, ())
            if not _inside(ranges, session.start, session.end):
                self.add(
                    "referral-hours",
                    f"{label} is outside the client's available times on {session.day} "
                    f"({_ranges_text(ranges)})",
                    [session],
                )
        if session.site_id in self.problem.site_by_id and not referral_has_dates(
            self.problem, referral, session.site_id, session.day
        ):
            self.add(
                "referral-dates",
                f"{label} has no date this term: {referral.referral_id} "
                f"{why_no_dates(self.problem, referral)}",
                [session],
            )
        if session.minutes != referral.minutes:
            self.add(
                "referral-minutes",
                f"{label} lasts {session.minutes} minutes; {referral.referral_id} needs "
                f"{referral.minutes}",
                [session],
            )
        if session.start % grid:
            self.add(
                "slot-grid",
                f"{label} does not start on the {grid}-minute slot grid",
                [session],
            )
        distinct = len(set(session.therapist_ids))
        if distinct != len(session.therapist_ids) or distinct != referral.therapists_needed:
            repeated = (
                " (a therapist is listed twice)" if distinct < len(session.therapist_ids) else ""
            )
            self.add(
                "therapist-count",
                f"{label} has {distinct} therapist(s){repeated}; {referral.referral_id} needs "
                f"{referral.therapists_needed}",
                [session],
            )

    def check_session_therapist(
        self,
        session: Session,
        therapist: Therapist,
        referral: Referral | None,
        service_day: bool,
    ) -> None:
        label = session.label()
        tid = therapist.therapist_id
        if referral is not None:
            if referral.discipline not in therapist.disciplines:
                self.add(
                    "discipline",
                    f"{label}: {tid} does not offer {referral.discipline} "
                    f"({', '.join(therapist.disciplines)} only)",
                    [session],
                    tid,
                )
            missing = sorted(set(referral.needs_skills) - set(therapist.skills))
            if missing:
                self.add(
                    "skills",
                    f"{label}: {tid} lacks the skill(s) {', '.join(missing)} that "
                    f"{referral.referral_id} needs",
                    [session],
                    tid,
                )
        if service_day:
            ranges = self.therapist_windows(tid).get(session.day, ())
            busy_until = session.end + self.admin
            if not _inside(ranges, session.start, busy_until):
                self.add(
                    "therapist-hours",
                    f"{label} with its {self.admin} minutes of admin "
                    f"({format_time(session.start)}-{format_time(busy_until)}) is not inside "
                    f"one of {tid}'s working ranges on {session.day} ({_ranges_text(ranges)})",
                    [session],
                    tid,
                )

    def check_session_room(
        self, session: Session, room: Room, referral: Referral | None, service_day: bool
    ) -> None:
        label = session.label()
        if room.site_id != session.site_id:
            self.add(
                "room-site",
                f"{label}: room {room.room_id} is at {room.site_id}, not {session.site_id}",
                [session],
            )
        if service_day:
            ranges = self.room_windows(room.room_id).get(session.day, ())
            if not _inside(ranges, session.start, session.end):
                self.add(
                    "room-hours",
                    f"{label} is outside the times room {room.room_id} can be used on "
                    f"{session.day} ({_ranges_text(ranges)})",
                    [session],
                )
        if referral is not None:
            missing = sorted(set(referral.needs_features) - set(room.features))
            if missing:
                self.add(
                    "room-features",
                    f"{label}: room {room.room_id} has no {', '.join(missing)}",
                    [session],
                )
            if room.capacity < referral.group_size:
                self.add(
                    "room-capacity",
                    f"{label}: room {room.room_id} holds {room.capacity}, the group is "
                    f"{referral.group_size}",
                    [session],
                )

    def check_referrals(self) -> None:
        """At most one session per referral; none both scheduled and unscheduled."""
        by_referral: dict[str, list[Session]] = defaultdict(list)
        for session in self.rota.sessions:
            by_referral[session.referral_id].append(session)
        for sessions in by_referral.values():
            sessions.sort(key=_order)
        for rid, sessions in by_referral.items():
            if len(sessions) > 1:
                self.add(
                    "duplicate-referral",
                    f"{rid} has {len(sessions)} sessions: "
                    + "; ".join(s.label() for s in sessions),
                    sessions,
                )
        listed = dict.fromkeys(u.referral_id for u in self.rota.unscheduled)
        for rid in listed:
            if rid in by_referral:
                sessions = by_referral[rid]
                self.add(
                    "scheduled-and-unscheduled",
                    f"{rid} is listed as unscheduled but has a session: "
                    + "; ".join(s.label() for s in sessions),
                    sessions,
                )
        if self.complete:
            self.check_coverage(by_referral, listed)

    def check_coverage(
        self, by_referral: dict[str, list[Session]], listed: dict[str, None]
    ) -> None:
        """A complete rota accounts for every referral: scheduled, or unscheduled with a reason."""
        known = self.problem.referral_by_id
        for rid in listed:
            if rid not in known:
                self.add(
                    "unknown-referral", f"{rid} is listed as unscheduled but is not in Referrals"
                )
        for referral in self.problem.referrals:
            rid = referral.referral_id
            if rid not in by_referral and rid not in listed:
                self.add(
                    "missing-referral",
                    f"{rid} has no session and is not listed as unscheduled: give it a session "
                    "or list it as unscheduled with a reason",
                )

    def check_rooms(self) -> None:
        """One session at a time in a room (admin needs no room)."""
        by_room_day: dict[tuple[str, Day], list[Session]] = defaultdict(list)
        for session in self.rota.sessions:
            by_room_day[(session.room_id, session.day)].append(session)
        for room_id, day in sorted(by_room_day, key=lambda k: (k[0], DAY_INDEX[k[1]])):
            sessions = sorted(by_room_day[(room_id, day)], key=_order)
            for i, a in enumerate(sessions):
                for b in sessions[i + 1 :]:
                    if b.start >= a.end:
                        break
                    self.add(
                        "room-overlap",
                        f"{a.label()} and {b.label()} are in room {room_id} at the same time",
                        [a, b],
                    )

    def check_therapists(self) -> None:
        """Per therapist and day: overlaps, admin, travel, lunch, daily and weekly limits."""
        by_therapist_day: dict[tuple[str, Day], list[Session]] = defaultdict(list)
        for session in self.rota.sessions:
            for tid in dict.fromkeys(session.therapist_ids):
                by_therapist_day[(tid, session.day)].append(session)
        for therapist in self.problem.therapists:
            tid = therapist.therapist_id
            week: list[Session] = []
            for day in sorted(
                (d for t, d in by_therapist_day if t == tid), key=lambda d: DAY_INDEX[d]
            ):
                sessions = sorted(by_therapist_day[(tid, day)], key=_order)
                week.extend(sessions)
                self.check_day(therapist, day, sessions)
            contact = sum(s.minutes for s in week)
            limit = therapist.max_contact_minutes
            if limit is not None and contact > limit:
                self.add(
                    "max-contact",
                    f"{tid} has {contact} session minutes in the week, more than their limit of "
                    f"{limit}",
                    week,
                    tid,
                )

    def check_day(self, therapist: Therapist, day: Day, sessions: list[Session]) -> None:
        tid = therapist.therapist_id
        admin = self.admin
        # Pairs: overlaps first, then admin (a pair is reported once, under the first rule).
        clash: set[tuple[int, int]] = set()
        for i, a in enumerate(sessions):
            for j in range(i + 1, len(sessions)):
                b = sessions[j]
                if b.start >= a.end + admin:
                    break
                clash.add((i, j))
                if b.start < a.end:
                    self.add(
                        "therapist-overlap",
                        f"{a.label()} and {b.label()} overlap for {tid}",
                        [a, b],
                        tid,
                    )
                else:
                    self.add(
                        "admin",
                        f"{b.label()} starts {a.end + admin - b.start} minutes too early: {tid} "
                        f"has {admin} minutes of admin after {a.label()}",
                        [a, b],
                        tid,
                    )
        limit = therapist.max_sessions_per_day
        if limit is not None and len(sessions) > limit:
            self.add(
                "max-sessions",
                f"{tid} has {len(sessions)} sessions on {day}, more than their limit of {limit}: "
                + "; ".join(s.label() for s in sessions),
                sessions,
                tid,
            )
        ranges = self.therapist_windows(tid).get(day, ())
        if not ranges:
            return  # not a working day: reported as therapist-hours (or service-day) already
        day_start, day_end = ranges[0][0], ranges[-1][1]
        base = therapist.base_site_id
        gaps = self.travel_checks(tid, base, day_start, day_end, sessions, clash)
        self.site_stay_check(tid, day, sessions)
        self.lunch_check(tid, day, ranges, sessions, gaps)
        self.day_limits_check(therapist, day, sessions)

    def travel_checks(
        self,
        tid: str,
        base: str,
        day_start: int,
        day_end: int,
        sessions: list[Session],
        clash: set[tuple[int, int]],
    ) -> list[tuple[int, int, int]]:
        """Travel from the base, between consecutive sessions and back to the base.

        Each arrival at a site other than the one just left (the first site after the base
        included, the final return to the base not) adds the site's arrival minutes to the
        drive. Returns the day's gaps (g0, g1, travel and arrival minutes) for the lunch check."""
        admin = self.admin
        gaps: list[tuple[int, int, int]] = []
        first, last = sessions[0], sessions[-1]
        drive = self.travel(base, first.site_id)
        to_first = None if drive is None else drive + self.arrival(base, first.site_id)
        gaps.append((day_start, first.start, to_first or 0))
        if to_first and day_start <= first.start < day_start + to_first:
            self.add(
                "travel",
                f"{tid} cannot reach {first.site_id} from their base {base} ({drive} minutes"
                f"{_arriving(to_first - (drive or 0))} from {format_time(day_start)}) in time "
                f"for {first.label()}",
                [first],
                tid,
            )
        for i in range(len(sessions) - 1):
            a, b = sessions[i], sessions[i + 1]
            drive = self.travel(a.site_id, b.site_id)
            minutes = None if drive is None else drive + self.arrival(a.site_id, b.site_id)
            gaps.append((a.end + admin, b.start, minutes or 0))
            if (i, i + 1) in clash or not minutes:
                continue
            if b.start < a.end + admin + minutes:
                self.add(
                    "travel",
                    f"{tid} needs {drive} minutes to drive from {a.site_id} to {b.site_id}"
                    f"{_arriving(minutes - (drive or 0))} after {a.label()} and "
                    f"{admin} minutes of admin, but {b.label()} starts at "
                    f"{format_time(b.start)} (earliest {format_time(a.end + admin + minutes)})",
                    [a, b],
                    tid,
                )
        home = self.travel(last.site_id, base)
        gaps.append((last.end + admin, day_end, home or 0))
        if home and last.end + admin <= day_end < last.end + admin + home:
            self.add(
                "travel",
                f"{tid} cannot get back to their base {base} ({home} minutes) after "
                f"{last.label()} and {admin} minutes of admin before their day ends at "
                f"{format_time(day_end)}",
                [last],
                tid,
            )
        return gaps

    def day_limits_check(self, therapist: Therapist, day: Day, sessions: list[Session]) -> None:
        """At most ``max_sites_per_day`` distinct sites (the therapist's, else the Settings')
        and ``max_drive_minutes_per_day`` driving minutes, base to base, arrival not counted."""
        tid = therapist.therapist_id
        sites = list(dict.fromkeys(s.site_id for s in sessions))
        limit = self.problem.max_sites_per_day(tid)
        if limit is not None and len(sites) > limit:
            self.add(
                "sites-per-day",
                f"{tid} has sessions at {len(sites)} sites on {day} ({', '.join(sites)}), more "
                f"than their limit of {limit}",
                sessions,
                tid,
            )
        most = therapist.max_drive_minutes_per_day
        if most is None:
            return
        stops = [therapist.base_site_id, *(s.site_id for s in sessions), therapist.base_site_id]
        driving = sum(self.travel(a, b) or 0 for a, b in zip(stops, stops[1:], strict=False))
        if driving > most:
            self.add(
                "drive-per-day",
                f"{tid} drives {driving} minutes on {day}, base to base, more than their limit "
                f"of {most}",
                sessions,
                tid,
            )

    def site_stay_check(self, tid: str, day: Day, sessions: list[Session]) -> None:
        """A therapist visits each site in one stay a day: no coming back after leaving it."""
        last_at: dict[str, Session] = {}
        previous: Session | None = None
        for session in sessions:
            if previous is not None and session.site_id != previous.site_id:
                earlier = last_at.get(session.site_id)
                if earlier is not None:
                    self.add(
                        "site-stay",
                        f"{tid} comes back to {session.site_id} on {day} for "
                        f"{session.label()} after leaving it after {earlier.label()}: each "
                        "site is visited in one stay a day",
                        [earlier, session],
                        tid,
                    )
            last_at[session.site_id] = session
            previous = session

    def lunch_check(
        self,
        tid: str,
        day: Day,
        ranges: Sequence[Interval],
        sessions: list[Session],
        gaps: list[tuple[int, int, int]],
    ) -> None:
        """Lunch in one piece inside the window, on days whose working hours span the window:
        in a gap, either after its drive (at the next site, or at the base at the day's end)
        or before it (where the gap starts), never in the middle of the drive."""
        s = self.settings
        need = s.lunch_minutes
        w0, w1 = s.lunch_window.start, s.lunch_window.end
        if need == 0 or not _inside(ranges, w0, w1):
            return
        for g0, g1, travel in gaps:
            drive_first = max(g0 + travel, w0) + need <= min(g1, w1)
            lunch_first = max(g0, w0) + need <= min(g1 - travel, w1)
            if drive_first or lunch_first:
                return
        self.add(
            "lunch",
            f"{tid} has no {need}-minute lunch break inside {s.lunch_window} on {day}: "
            + "; ".join(x.label() for x in sessions),
            sessions,
            tid,
        )


def check(problem: Problem, rota: Rota, *, complete: bool = False) -> list[Violation]:
    """Every hard rule the rota breaks, in a fixed order (empty when the rota is valid).

    Per-session rules come first in the rota's order, then duplicate referrals, rooms (by room
    and day) and therapists (in the Problem's order, by day). ``complete=True`` also asks that
    the rota account for every referral: each one scheduled or listed as unscheduled, and only
    the Problem's referrals listed (a published rota or a result; the solver's guard checks
    rotas whose unscheduled list is written afterwards, so it leaves this off)."""
    return _Checker(problem, rota, complete).run()
