"""The dates of the term a weekly session happens on, and why not on the others: ONE function.

A weekly session happens on every date of its weekday between the term's first and last day,
except service-wide closures, its own site's closures, England-and-Wales bank holidays (by
default), the dates outside its referral's own ``start_date``/``end_date``, the dates any of
its therapists is away (a co-facilitated group is skipped when either therapist is away: the
service does not run a group session one short), and the dates outside the piece of the term
its rota applies to (``first``/``last``: a mid-term change, see :func:`term_sessions`).

The schools' files, the therapists' workbooks and calendars, the term costs, the candidates
(a referral needs a session date at all) and the independent checker all ask
:func:`dates_of_weekday`; nothing else works out a session's dates. It lives with the data model
because the checker shares only ``rota.models``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import holidays

from rota.models.timeutil import DAY_INDEX

if TYPE_CHECKING:
    from rota.models.entities import Referral
    from rota.models.problem import Problem
    from rota.models.rota import Rota, Session

#: Date spellings accepted in text cells: ISO first, then the UK's day-first forms.
DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%d %b %Y",
    "%d %B %Y",
)
_RANGE_SPLIT = re.compile(r"\s*(?:\.\.|–|—|\bto\b|\s-\s)\s*", re.IGNORECASE)
DateRange = tuple[dt.date, dt.date]


def parse_date(value: Any) -> dt.date:
    """A date cell or a date in words ('2027-11-02', '02/11/2027', '2 Nov 2027')."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = " ".join(value.split())
        for fmt in DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    shown = f"'{value}'" if isinstance(value, str) else str(value)
    raise ValueError(f"{shown} is not a date (use YYYY-MM-DD, e.g. 2027-01-04, or dd/mm/yyyy)")


def parse_date_ranges(value: Any) -> tuple[DateRange, ...]:
    """Dates and date ranges: '2027-11-02..2027-11-13; 2027-12-01' (also 'to' or ' - ' between
    two dates, dd/mm/yyyy, commas or new lines between items, a date cell). Every unreadable
    item is named in one message."""
    if value is None or value == "":
        return ()
    if isinstance(value, dt.date):
        d = parse_date(value)
        return ((d, d),)
    if isinstance(value, list | tuple):
        out: list[DateRange] = []
        for item in value:
            if isinstance(item, list | tuple) and len(item) == 2:
                out.append((parse_date(item[0]), parse_date(item[1])))
            else:
                out.extend(parse_date_ranges(item))
        return tuple(out)
    if not isinstance(value, str):
        raise ValueError(f"{value} is not a date or a list of dates")
    ranges: list[DateRange] = []
    bad: list[str] = []
    for part in re.split(r"[;,\n]+", value):
        part = part.strip()
        if not part:
            continue
        ends = _RANGE_SPLIT.split(part)
        try:
            if len(ends) == 1:
                d = parse_date(ends[0])
                ranges.append((d, d))
            elif len(ends) == 2:
                first, last = parse_date(ends[0]), parse_date(ends[1])
                if last < first:
                    raise ValueError(f"'{part}' ends before it starts")
                ranges.append((first, last))
            else:
                raise ValueError(part)
        except ValueError as exc:
            bad.append(str(exc) if "ends before" in str(exc) else f"'{part}'")
    if bad:
        raise ValueError(
            "cannot read "
            + ", ".join(bad)
            + " as dates (write e.g. '2027-11-02..2027-11-13; 2027-12-01' or dd/mm/yyyy)"
        )
    return tuple(ranges)


def format_date_ranges(ranges: Sequence[DateRange]) -> str:
    """Date ranges as the workbook writes them: '2027-11-02..2027-11-13; 2027-12-01'."""
    return "; ".join(f"{a}" if a == b else f"{a}..{b}" for a, b in ranges)


@dataclass(frozen=True)
class SkippedDate:
    """A date of the session's weekday inside the term on which it does not happen."""

    date: dt.date
    reason: str


def skipped_text(skipped: Sequence[SkippedDate], form: str = "{when} ({reason})") -> str:
    """The skipped dates in words, in date order; weeks in a row skipped for the same reason
    read as one span: '05 Jan-09 Feb (starts 2027-02-22); 12 Mar (INSET day (site closed))'."""
    runs: list[list[SkippedDate]] = []
    for k in skipped:
        last = runs[-1][-1] if runs else None
        if last is not None and last.reason == k.reason and (k.date - last.date).days == 7:
            runs[-1].append(k)
        else:
            runs.append([k])
    parts = []
    for run in runs:
        begins, ends = run[0].date, run[-1].date
        when = f"{begins:%d %b}" if begins == ends else f"{begins:%d %b}-{ends:%d %b}"
        parts.append(form.format(when=when, reason=run[0].reason))
    return "; ".join(parts)


@dataclass(frozen=True)
class TermSession:
    """A weekly session and the piece of the term it applies to (None = from the term's start,
    to its end). After a mid-term change the previous slot runs until the day before the change
    and the new one from the change; a session that did not change runs all term."""

    session: Session
    first: dt.date | None = None
    last: dt.date | None = None


@lru_cache(maxsize=64)
def bank_holiday_names(years: tuple[int, ...]) -> dict[dt.date, str]:
    table = holidays.country_holidays("GB", subdiv="ENG", years=list(years))
    return {d: str(name) for d, name in table.items()}


def _closure_reasons(problem: Problem, site_id: str) -> list[tuple[dt.date, dt.date, str]]:
    out = []
    for c in problem.closures:
        if c.site_id is None or c.site_id == site_id:
            where = "service closed" if c.site_id is None else "site closed"
            out.append((c.date_from, c.date_to, f"{c.label or 'closure'} ({where})"))
    return out


def _within(d: dt.date, a: dt.date | None, b: dt.date | None) -> bool:
    return (a is None or a <= d) and (b is None or d <= b)


def _own_reasons(
    problem: Problem, referral: Referral | None, therapist_ids: Sequence[str]
) -> list[tuple[dt.date | None, dt.date | None, str]]:
    """The spans (None = open) on which the session does not happen because of its referral's
    own start and end or a therapist's absence: (from, to, reason)."""
    rules: list[tuple[dt.date | None, dt.date | None, str]] = []
    if referral is not None and referral.start_date is not None:
        before = referral.start_date - dt.timedelta(days=1)
        rules.append((None, before, f"starts {referral.start_date}"))
    if referral is not None and referral.end_date is not None:
        rules.append((referral.end_date + dt.timedelta(days=1), None, f"ended {referral.end_date}"))
    for tid in dict.fromkeys(therapist_ids):
        therapist = problem.therapist_by_id.get(tid)
        if therapist is None:
            continue
        who = therapist.name or tid
        for a, b in therapist.absences:
            rules.append((a, b, f"therapist away ({who})"))
    return rules


def _piece_reasons(
    first: dt.date | None, last: dt.date | None
) -> list[tuple[dt.date | None, dt.date | None, str]]:
    """The dates outside the piece of the term a slot applies to (a mid-term change)."""
    rules: list[tuple[dt.date | None, dt.date | None, str]] = []
    if first is not None:
        rules.append((None, first - dt.timedelta(days=1), f"new slot from {first}"))
    if last is not None:
        moved = last + dt.timedelta(days=1)
        rules.append((moved, None, f"not in this slot from {moved}"))
    return rules


def dates_of_weekday(
    problem: Problem,
    site_id: str,
    day: str,
    *,
    bank_holidays: bool = True,
    referral_id: str | None = None,
    therapist_ids: Sequence[str] = (),
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> tuple[list[dt.date], list[SkippedDate]]:
    """The term dates of a weekday at a site on which a session happens, and the skipped ones
    with their reasons (closures, bank holidays, the referral's own start and end, its
    therapists' absences, and the ``first``/``last`` day its slot applies).

    Empty when the term dates are not set."""
    s = problem.settings
    if s.term_start is None or s.term_end is None:
        return [], []
    weekday = DAY_INDEX[day]
    start = s.term_start + dt.timedelta(days=(weekday - s.term_start.weekday()) % 7)
    closures = _closure_reasons(problem, site_id)
    referral = problem.referral_by_id.get(referral_id) if referral_id else None
    own = _own_reasons(problem, referral, therapist_ids)
    piece = _piece_reasons(first, last)
    years = tuple(range(s.term_start.year, s.term_end.year + 1))
    holiday_names = bank_holiday_names(years) if bank_holidays else {}
    dates: list[dt.date] = []
    skipped: list[SkippedDate] = []
    d = start
    while d <= s.term_end:
        reasons = [label for a, b, label in own if _within(d, a, b)]
        if not reasons:  # the referral's own start and end say more than the slot's piece
            reasons = [label for a, b, label in piece if _within(d, a, b)]
        reasons += [label for a, b, label in closures if a <= d <= b]
        if d in holiday_names:
            reasons.append(f"{holiday_names[d]} (bank holiday)")
        if reasons:
            skipped.append(SkippedDate(d, "; ".join(dict.fromkeys(reasons))))
        else:
            dates.append(d)
        d += dt.timedelta(days=7)
    return dates, skipped


def term_session_dates(
    problem: Problem, term_session: TermSession, *, bank_holidays: bool = True
) -> tuple[list[dt.date], list[SkippedDate]]:
    """The dates of one session of a term plan (its referral's dates, its therapists'
    absences, its piece of the term), and the skipped ones with their reasons."""
    x = term_session.session
    return dates_of_weekday(
        problem,
        x.site_id,
        x.day,
        bank_holidays=bank_holidays,
        referral_id=x.referral_id,
        therapist_ids=x.therapist_ids,
        first=term_session.first,
        last=term_session.last,
    )


def _same_slot(a: Session, b: Session) -> bool:
    return (a.therapist_ids, a.site_id, a.room_id, a.day, a.start, a.end) == (
        b.therapist_ids,
        b.site_id,
        b.room_id,
        b.day,
        b.start,
        b.end,
    )


def term_sessions(rota: Rota) -> list[TermSession]:
    """The rota's term plan: its sessions, and after a mid-term change (``effective_from``) the
    previous rota's sessions before that date. A session in the same slot before and after
    runs all term; a moved one is two pieces (old slot until the day before, new slot from the
    change); one that ended or is new has one piece. The rota's own sessions come first, in
    order, then the previous slots that no longer run."""
    when = rota.effective_from
    if when is None:
        return [TermSession(x) for x in rota.sessions]
    before = {x.referral_id: x for x in rota.before}
    out: list[TermSession] = []
    for x in rota.sessions:
        old = before.get(x.referral_id)
        same = old is not None and _same_slot(old, x)
        out.append(TermSession(x) if same else TermSession(x, first=when))
    now = {x.referral_id: x for x in rota.sessions}
    for old in rota.before:
        new = now.get(old.referral_id)
        if new is None or not _same_slot(old, new):
            out.append(TermSession(old, last=when - dt.timedelta(days=1)))
    return out


def referral_has_dates(problem: Problem, referral: Referral, site_id: str, day: str) -> bool:
    """A session of the referral at ``site_id`` on ``day`` has a date in the term: inside its own
    start and end dates, from the date the rota applies (a mid-term change), not closed.

    The rule applies only to a referral with its own dates or after a mid-term change (and when
    the term's dates are set): otherwise every session is allowed, as before these dates
    existed. Therapists' absences do not count here (they depend on who is chosen)."""
    s = problem.settings
    dated = referral.start_date is not None or referral.end_date is not None
    if s.term_start is None or s.term_end is None or not (dated or problem.plan_from):
        return True
    dates, _ = dates_of_weekday(
        problem, site_id, day, referral_id=referral.referral_id, first=problem.plan_from
    )
    return bool(dates)


def why_no_dates(problem: Problem, referral: Referral) -> str:
    """In plain words, why the referral's dates hold no session date in the term."""
    s = problem.settings
    start, end = referral.start_date, referral.end_date
    since = problem.plan_from
    if end is not None and since is not None and end < since:
        return f"ended {end}, before the new rota starts on {since}"
    if end is not None and s.term_start is not None and end < s.term_start:
        return f"ended {end}, before the term starts ({s.term_start})"
    if start is not None and s.term_end is not None and start > s.term_end:
        return f"starts {start}, after the term ends ({s.term_end})"
    span = f"from {start or s.term_start} to {end or s.term_end}"
    return f"no session date {span} at its sites (closures and bank holidays)"
