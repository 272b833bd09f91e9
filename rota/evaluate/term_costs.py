"""What a rota costs over the term: the dates each session happens on and the billed hours.

A weekly session happens on the dates :func:`rota.models.dates.dates_of_weekday` gives (every
date of its weekday in the term, except closures, bank holidays by default, the dates outside
its referral's own start and end, its therapists' absences, and after a mid-term change the
piece of the term its slot does not apply to). Each date is billed at the hourly rate in force
on that date (the latest rate whose ``effective_from`` is on or before it), for the session
minutes plus the admin minutes after it (the service's hourly price includes set-up and note
writing) once per therapist running it.
Pure functions: no workbook code here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rota.evaluate.kpis import day_routes, sessions_by_therapist_day
from rota.models.dates import SkippedDate as SkippedDate
from rota.models.dates import TermSession as TermSession
from rota.models.dates import dates_of_weekday as dates_of_weekday
from rota.models.dates import term_session_dates, term_sessions
from rota.models.problem import Problem
from rota.models.rota import Rota, Session

UNSPECIFIED_FUNDING = "unspecified"
#: The key of the days whose trips serve more than one site.
SEVERAL_SITES = "trips to several sites"


@dataclass(frozen=True)
class CostOptions:
    """How the term is priced: bank holidays skipped, admin minutes billed."""

    bank_holidays: bool = True
    bill_admin: bool = True


@dataclass(frozen=True)
class SessionCost:
    """One weekly session priced over the term."""

    session: Session
    dates: tuple[dt.date, ...]
    skipped: tuple[SkippedDate, ...]
    num_therapists: int
    billed_minutes: int  # per date, all therapists together
    billed_hours: float
    cost: float
    unpriced_dates: tuple[dt.date, ...] = ()
    first: dt.date | None = None  # a mid-term change: the new slot applies from this date
    last: dt.date | None = None  # ... and the previous slot until this one

    @property
    def applies(self) -> str:
        """Which piece of the term the slot runs in, in words ('' = all term)."""
        if self.first is not None:
            return f"from {self.first:%d %b %Y}"
        if self.last is not None:
            return f"until {self.last:%d %b %Y}"
        return ""


@dataclass(frozen=True)
class CostGroup:
    """Totals of the sessions sharing a key (a site or a funding source)."""

    key: str
    sessions: int
    occurrences: int
    billed_hours: float
    cost: float


@dataclass(frozen=True)
class TermCosts:
    """Every session's term cost with totals per site, per funding source and overall."""

    sessions: tuple[SessionCost, ...]
    by_site: tuple[CostGroup, ...]
    by_funding: tuple[CostGroup, ...]
    total_occurrences: int
    total_billed_hours: float
    total_cost: float
    warnings: tuple[str, ...] = ()
    #: Driving priced at the Settings' mileage_rate (None when no rate is set).
    mileage: Mileage | None = None


@dataclass(frozen=True)
class MileageGroup:
    """The driving of the therapist-days that share a key (the one site they serve)."""

    key: str
    trips: int  # therapist-days a week
    miles: float  # over the term
    cost: float


@dataclass(frozen=True)
class Mileage:
    """The term's driving in miles and pounds, by the site a day's trip serves."""

    rate: float
    miles: float
    cost: float
    by_site: tuple[MileageGroup, ...]


def session_dates(
    problem: Problem, session: Session, *, bank_holidays: bool = True
) -> list[dt.date]:
    """Every date in the term on which the weekly session takes place."""
    return term_session_dates(problem, TermSession(session), bank_holidays=bank_holidays)[0]


def skipped_dates(
    problem: Problem, session: Session, *, bank_holidays: bool = True
) -> list[SkippedDate]:
    """The term dates of the session's weekday on which it does not happen, with the reason."""
    return term_session_dates(problem, TermSession(session), bank_holidays=bank_holidays)[1]


def rate_on(problem: Problem, date: dt.date) -> float | None:
    """The hourly rate in force on ``date`` (latest effective_from on or before it), or None."""
    in_force = [r for r in problem.rates if r.effective_from <= date]
    if not in_force:
        return None
    return max(in_force, key=lambda r: r.effective_from).hourly_rate


def session_cost(
    problem: Problem, session: Session | TermSession, options: CostOptions | None = None
) -> SessionCost:
    """Price one weekly session over the term, or over its piece of it after a mid-term change
    (billed once per therapist running it)."""
    opts = options or CostOptions()
    piece = session if isinstance(session, TermSession) else TermSession(session)
    session = piece.session
    dates, skipped = term_session_dates(problem, piece, bank_holidays=opts.bank_holidays)
    admin = problem.settings.admin_minutes if opts.bill_admin else 0
    num_therapists = len(session.therapist_ids)
    billed_minutes = (session.minutes + admin) * num_therapists
    cost = 0.0
    unpriced: list[dt.date] = []
    for d in dates:
        rate = rate_on(problem, d)
        if rate is None:
            unpriced.append(d)
            continue
        cost += billed_minutes / 60 * rate
    return SessionCost(
        session=session,
        dates=tuple(dates),
        skipped=tuple(skipped),
        num_therapists=num_therapists,
        billed_minutes=billed_minutes,
        billed_hours=billed_minutes * len(dates) / 60,
        cost=round(cost, 2),
        unpriced_dates=tuple(unpriced),
        first=piece.first,
        last=piece.last,
    )


def funding_of(problem: Problem, referral_id: str) -> str:
    """The referral's funding source; blank (or unknown referral) is 'unspecified'."""
    ref = problem.referral_by_id.get(referral_id)
    return (ref.funding.strip() if ref else "") or UNSPECIFIED_FUNDING


def _group(key_costs: Iterable[tuple[str, SessionCost]]) -> tuple[CostGroup, ...]:
    acc: dict[str, list[SessionCost]] = defaultdict(list)
    for key, sc in key_costs:
        acc[key].append(sc)
    return tuple(
        CostGroup(
            key=key,
            sessions=len(items),
            occurrences=sum(len(sc.dates) for sc in items),
            billed_hours=sum(sc.billed_hours for sc in items),
            cost=round(sum(sc.cost for sc in items), 2),
        )
        for key, items in sorted(acc.items())
    )


def term_costs(problem: Problem, rota: Rota, options: CostOptions | None = None) -> TermCosts:
    """Price every session of the rota over the term, with totals by site and funding.

    The sessions come in the rota's order; after a mid-term change the previous rota's slots
    that no longer run follow (priced until the day before the change)."""
    opts = options or CostOptions()
    priced = tuple(session_cost(problem, s, opts) for s in term_sessions(rota))
    warnings: list[str] = []
    s = problem.settings
    if s.term_start is None or s.term_end is None:
        warnings.append("Settings give no term_start/term_end: no session dates, no cost")
    elif not problem.rates:
        warnings.append("no hourly rates given (Rates sheet): costs are 0")
    unpriced = sorted({d for sc in priced for d in sc.unpriced_dates})
    if unpriced and problem.rates:
        warnings.append(
            f"no rate in force on {len(unpriced)} date(s) from {unpriced[0]}: "
            "those dates are not priced"
        )
    return TermCosts(
        sessions=priced,
        by_site=_group((sc.session.site_id, sc) for sc in priced),
        by_funding=_group((funding_of(problem, sc.session.referral_id), sc) for sc in priced),
        total_occurrences=sum(len(sc.dates) for sc in priced),
        total_billed_hours=sum(sc.billed_hours for sc in priced),
        total_cost=round(sum(sc.cost for sc in priced), 2),
        warnings=tuple(warnings),
        mileage=term_mileage(problem, rota, opts),
    )


def term_mileage(
    problem: Problem, rota: Rota, options: CostOptions | None = None
) -> Mileage | None:
    """Every therapist-day's drive (base -> sites -> base, in road miles) on each term date one
    of its sessions happens, priced at the Settings' mileage_rate; a day whose sessions are all
    at one site is that site's, the others are 'trips to several sites'. None without a rate."""
    rate = problem.settings.mileage_rate
    if not rate:
        return None
    opts = options or CostOptions()
    by_day = sessions_by_therapist_day(problem, rota)
    acc: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for route in day_routes(problem, rota):
        if not route.legs:
            continue
        sites = sorted({s.site_id for s in by_day[(route.therapist_id, route.day)]})
        dates: set[dt.date] = set()
        for site_id in sites:
            dates.update(
                dates_of_weekday(problem, site_id, route.day, bank_holidays=opts.bank_holidays)[0]
            )
        miles = sum(problem.road_miles(leg.from_site_id, leg.to_site_id) for leg in route.legs)
        key = sites[0] if len(sites) == 1 else SEVERAL_SITES
        acc[key][0] += 1
        acc[key][1] += miles * len(dates)
    groups = tuple(
        MileageGroup(key=k, trips=int(t), miles=round(m, 1), cost=round(m * rate, 2))
        for k, (t, m) in sorted(acc.items(), key=lambda kv: (kv[0] == SEVERAL_SITES, kv[0]))
    )
    miles = sum(m for _t, m in acc.values())
    return Mileage(rate=rate, miles=round(miles, 1), cost=round(miles * rate, 2), by_site=groups)
