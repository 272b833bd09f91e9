"""Each therapist's term as an iCalendar file: one weekly recurring event per session.

An event runs weekly from the session's first to its last date of term in Europe/London time
(a VTIMEZONE is included, so a 09:05 session stays at 09:05 when the clocks change; the RRULE's
UNTIL is in UTC as RFC 5545 requires), with an EXDATE for each bank holiday or closure in
between (and each date a therapist of the session is away). The dates are
:func:`rota.models.dates.dates_of_weekday`'s, the same that the schools' files list; after a
mid-term change the previous slot is its own event up to the day before the change and the new
slot's event starts on the change. The location is the site and the room; the title holds the
referral id (or a group's name), never a child's initials unless asked for, because calendars
sync to the cloud. The description adds the drive before and the admin after, from the day
rules' layout.

Re-importing an updated file must replace events, not duplicate them: each event's UID is fixed
by term, referral and therapist; its SEQUENCE grows whenever its content changes; a session the
new rota no longer has is sent again with STATUS:CANCELLED. For that the previous calendars are
read back (:func:`read_calendars`), by default those in the output folder.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

from rota.models.dates import TermSession, skipped_text, term_session_dates, term_sessions
from rota.models.problem import Problem
from rota.models.rota import Rota, Session
from rota.models.timeutil import DAY_INDEX, format_time
from rota.reports.week import TherapistDay

LONDON = ZoneInfo("Europe/London")
PRODID = "-//rota//weekly therapy rota//EN"
CONTENT_KEY = "X-ROTA-CONTENT"  # a fingerprint of what the event says, to tell a change
THERAPIST_KEY = "X-ROTA-THERAPIST"
TERM_KEY = "X-ROTA-TERM"


@dataclass(frozen=True)
class CalendarOptions:
    """How calendars are written: clients by initials in titles only when asked for, and
    whether bank holidays are skipped (as in the schools' files)."""

    initials: bool = False
    bank_holidays: bool = True


@dataclass
class PreviousCalendar:
    """A calendar written before for one therapist and term: its events by UID, and its file."""

    therapist_id: str
    term: str
    path: Path
    events: dict[str, icalendar.Event] = field(default_factory=dict)


def term_key(problem: Problem) -> str:
    """The term in UIDs: its name and first day, so next term's events never replace these."""
    s = problem.settings
    name = re.sub(r"[^a-z0-9]+", "-", s.term_name.lower()).strip("-") or "term"
    start = f"{s.term_start:%Y%m%d}" if s.term_start else "undated"
    return f"{name}-{start}"


def event_uid(
    problem: Problem, referral_id: str, therapist_id: str, until: dt.date | None = None
) -> str:
    """A session's UID: the same for the same term, referral and therapist in every re-run.
    A previous slot that ran until a mid-term change is its own event (``until``), so that the
    new slot's event replaces the whole-term one and the weeks before the change stay."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{referral_id}.{therapist_id}")
    piece = f".until-{until:%Y%m%d}" if until is not None else ""
    return f"{term_key(problem)}.{safe}{piece}@rota"


def _title(problem: Problem, session: Session, options: CalendarOptions) -> str:
    ref = problem.referral_by_id.get(session.referral_id)
    who = session.referral_id
    if ref is not None and ref.client and (options.initials or ref.group_size > 1):
        # A group's name says nothing about one child; initials only when asked for.
        who = ref.client if ref.group_size > 1 else f"{ref.client} ({session.referral_id})"
    discipline = f"{ref.discipline} therapy" if ref else "session"
    return f"{who}: {discipline}"


def _location(problem: Problem, session: Session) -> str:
    site = problem.site_by_id.get(session.site_id)
    room = problem.room_by_id.get(session.room_id)
    room_name = (room.name or room.room_id) if room else session.room_id
    return f"{site.name if site else session.site_id}, {room_name}"


def _description(
    problem: Problem, session: Session, therapist_id: str, day: TherapistDay | None, skipped: str
) -> str:
    ref = problem.referral_by_id.get(session.referral_id)
    site = problem.site_by_id.get(session.site_id)
    lines = [f"Referral {session.referral_id}"]
    if ref is not None and ref.group_size > 1:
        lines[0] += f", a group of {ref.group_size}"
    if site is not None:
        lines.append(f"Site: {site.name}" + (f", {site.town}" if site.town else ""))
        if site.contact:
            lines.append(f"Contact: {site.contact}")
    others = [t for t in session.therapist_ids if t != therapist_id]
    if others:
        names = [
            problem.therapist_by_id[t].name if t in problem.therapist_by_id else t for t in others
        ]
        lines.append("With " + ", ".join(names))
    lines += _around(problem, session, day)
    if skipped:
        lines.append(f"No session on {skipped}")
    return "\n".join(lines)


def _around(problem: Problem, session: Session, day: TherapistDay | None) -> list[str]:
    """The drive that brings the therapist to this session and the admin after it, as the day
    rules lay out the day."""
    if day is None:
        return []
    out: list[str] = []
    drive = None
    for item in day.items:
        if item.kind == "drive":
            drive = item
        elif item.kind == "session" and item.referral_id != session.referral_id:
            drive = None
        elif item.kind == "session":
            break
    if drive is not None:
        origin = problem.site_by_id.get(drive.from_site_id)
        out.append(
            f"Drive {drive.end - drive.start} min from "
            f"{origin.name if origin else drive.from_site_id}, leaving {format_time(drive.start)}"
        )
    admin = [i for i in day.items if i.kind == "admin" and i.referral_id == session.referral_id]
    if admin:
        out.append(f"Admin {format_time(admin[0].start)}-{format_time(admin[0].end)}")
    return out


def _fingerprint(event: icalendar.Event) -> str:
    """What the event says (not when it was written, nor its version), as a short hash."""
    skip = {"DTSTAMP", "SEQUENCE", CONTENT_KEY}
    lines = [line for line in event.content_lines() if line.split(":")[0].split(";")[0] not in skip]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:20]


def session_event(
    problem: Problem,
    session: Session | TermSession,
    therapist_id: str,
    day: TherapistDay | None,
    options: CalendarOptions,
) -> icalendar.Event | None:
    """The weekly recurring event of one therapist's session, or of its piece of the term after
    a mid-term change (None if it has no date); DTSTAMP and SEQUENCE are set by
    :func:`therapist_calendar`. Every date it does not run between its first and last is an
    EXDATE (closures, bank holidays, the therapists' absences)."""
    piece = session if isinstance(session, TermSession) else TermSession(session)
    session = piece.session
    dates, skipped = term_session_dates(problem, piece, bank_holidays=options.bank_holidays)
    if not dates:
        return None
    start = dt.time(session.start // 60, session.start % 60)
    first = dt.datetime.combine(dates[0], start, tzinfo=LONDON)
    last = dt.datetime.combine(dates[-1], start, tzinfo=LONDON)
    between = [k for k in skipped if dates[0] < k.date < dates[-1]]
    event = icalendar.Event()
    event.add("uid", event_uid(problem, session.referral_id, therapist_id, piece.last))
    event.add("summary", _title(problem, session, options))
    event.add("location", _location(problem, session))
    no_session = skipped_text(between)
    event.add("description", _description(problem, session, therapist_id, day, no_session))
    event.add("dtstart", first)
    event.add("dtend", first + dt.timedelta(minutes=session.minutes))
    event.add("rrule", {"FREQ": "WEEKLY", "UNTIL": last.astimezone(dt.UTC)})
    if between:
        event.add("exdate", [dt.datetime.combine(k.date, start, tzinfo=LONDON) for k in between])
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _versioned(
    event: icalendar.Event, before: icalendar.Event | None, now: dt.datetime
) -> icalendar.Event:
    """Stamp an event: unchanged since ``before`` keeps its SEQUENCE and DTSTAMP, a changed one
    goes up by one and is stamped ``now``, a new one starts at 0."""
    content = _fingerprint(event)
    if before is not None and str(before.get(CONTENT_KEY, "")) == content:
        sequence, stamp = int(before.get("SEQUENCE", 0)), before.decoded("DTSTAMP")
    elif before is not None:
        sequence, stamp = int(before.get("SEQUENCE", 0)) + 1, now
    else:
        sequence, stamp = 0, now
    event.add("dtstamp", stamp)
    event.add("sequence", sequence)
    event.add(CONTENT_KEY, content)
    return event


def cancelled(before: icalendar.Event, now: dt.datetime) -> icalendar.Event:
    """A previous event the rota no longer has, sent again as cancelled (once: a cancelled event
    is carried forward as it was)."""
    if str(before.get("STATUS", "")).upper() == "CANCELLED":
        return before
    event = copy.deepcopy(before)
    for key in ("STATUS", "SEQUENCE", "DTSTAMP", "SUMMARY", CONTENT_KEY):
        event.pop(key, None)
    event.add("summary", f"Cancelled: {before.get('SUMMARY', '')}")
    event.add("status", "CANCELLED")
    event.add("dtstamp", now)
    event.add("sequence", int(before.get("SEQUENCE", 0)) + 1)
    event.add(CONTENT_KEY, _fingerprint(event))
    return event


def therapist_calendar(
    problem: Problem,
    rota: Rota,
    therapist_id: str,
    days: Sequence[TherapistDay],
    *,
    previous: PreviousCalendar | None = None,
    now: dt.datetime | None = None,
    options: CalendarOptions | None = None,
) -> icalendar.Calendar:
    """One therapist's calendar: their sessions as weekly events, and (against ``previous``, the
    calendar written before for the same term) cancellations of sessions no longer there."""
    opts = options or CalendarOptions()
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    day_of = {d.day: d for d in days}
    before = previous.events if previous is not None and previous.term == term_key(problem) else {}
    own = sorted(
        (p for p in term_sessions(rota) if therapist_id in p.session.therapist_ids),
        key=lambda p: (DAY_INDEX[p.session.day], p.session.start, p.session.referral_id),
    )
    events: dict[str, icalendar.Event] = {}
    for piece in own:
        # A previous slot's day is not the new week's: no drive or admin from its layout.
        layout = day_of.get(piece.session.day) if piece.last is None else None
        event = session_event(problem, piece, therapist_id, layout, opts)
        if event is not None and str(event["UID"]) not in events:
            uid = str(event["UID"])
            events[uid] = _versioned(event, before.get(uid), stamp)
    for uid, old in before.items():
        if uid not in events:
            events[uid] = cancelled(old, stamp)
    return _calendar(problem, therapist_id, list(events.values()))


def _calendar(
    problem: Problem, therapist_id: str, events: list[icalendar.Event]
) -> icalendar.Calendar:
    s = problem.settings
    therapist = problem.therapist_by_id.get(therapist_id)
    name = therapist.name if therapist and therapist.name else therapist_id
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{name}: {s.term_name} sessions")
    cal.add("x-wr-timezone", "Europe/London")
    cal.add(THERAPIST_KEY, therapist_id)
    cal.add(TERM_KEY, term_key(problem))
    for event in events:
        cal.add_component(event)
    first = s.term_start or dt.date.today()
    last = s.term_end or first
    cal.add_missing_timezones(
        first_date=dt.date(first.year, 1, 1), last_date=dt.date(last.year + 1, 1, 1)
    )
    return cal


def read_calendars(folder: Path) -> tuple[dict[str, PreviousCalendar], list[str]]:
    """The calendars this tool wrote in ``folder``, by therapist id, and a warning for each
    .ics file it could not read (a missing folder has none)."""
    out: dict[str, PreviousCalendar] = {}
    warnings: list[str] = []
    if not folder.is_dir():
        return out, warnings
    for path in sorted(folder.glob("*.ics")):
        try:
            cal = icalendar.Calendar.from_ical(path.read_bytes())
        except (ValueError, OSError) as exc:
            warnings.append(f"{path.name}: not a calendar this tool can read ({exc})")
            continue
        therapist_id = str(cal.get(THERAPIST_KEY, ""))
        if not therapist_id:
            warnings.append(f"{path.name}: not written by rota (no {THERAPIST_KEY}): left as is")
            continue
        events = {
            str(e["UID"]): e
            for e in cal.walk("VEVENT")
            if isinstance(e, icalendar.Event) and "UID" in e
        }
        out[therapist_id] = PreviousCalendar(therapist_id, str(cal.get(TERM_KEY, "")), path, events)
    return out, warnings
