"""The Problem's cross-checks: every reference, grid and plausibility rule, one function per sheet.

Each check adds located :class:`rota.models.problem.Issue` records (sheet, record position,
column, record id); the readers turn the position into the Excel row.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable
from typing import Literal

from rota.models.entities import MAX_TERM_DAYS, PreviousSession, Referral
from rota.models.problem import Issue, Problem, did_you_mean, haversine_km
from rota.models.timeutil import Availability, format_time

Level = Literal["error", "warning"]
#: A site further than this from the middle of the service's sites is probably mistyped.
FAR_SITE_KM = 150.0


class Issues:
    """Collects issues; the helpers below say what is wrong in the coordinator's words."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.out: list[Issue] = []
        self.site_ids = set(problem.site_by_id)
        # What the service offers, worked out once for every referral's needs.
        self.skills = {k for t in problem.therapists for k in t.skills}
        self.features = {f for r in problem.rooms for f in r.features}
        self.disciplines = {d for t in problem.therapists for d in t.disciplines}
        self.skills_by_discipline: dict[str, list[frozenset[str]]] = {}
        for t in problem.therapists:
            for d in t.disciplines:
                self.skills_by_discipline.setdefault(d, []).append(frozenset(t.skills))

    def add(
        self, level: Level, sheet: str, idx: int | None, col: str | None, rec: str, msg: str
    ) -> None:
        self.out.append(
            Issue(level=level, sheet=sheet, index=idx, column=col, record=rec, message=msg)
        )

    def site(self, sheet: str, idx: int, col: str, rec: str, sid: str) -> None:
        """An error unless ``sid`` is a known site."""
        if sid not in self.site_ids:
            msg = f"unknown site '{sid}'" + did_you_mean(sid, self.site_ids)
            self.add("error", sheet, idx, col, rec, msg)

    def grid(self, sheet: str, idx: int, col: str, rec: str, av: Availability | None) -> None:
        """An error when a time of ``av`` is off the slot grid."""
        if av is None:
            return
        grid = self.problem.settings.slot_minutes
        bad = [t for t in av.all_times() if t % grid]
        if bad:
            msg = f"time {format_time(bad[0])} is not on the {grid}-minute slot grid"
            self.add("error", sheet, idx, col, rec, msg)


def find_issues(problem: Problem) -> list[Issue]:
    """Every cross-reference error and warning of ``problem``, each naming record and column."""
    issues = Issues(problem)
    _check_settings(issues)
    _check_duplicate_ids(issues)
    _check_sites(issues)
    _check_rooms_and_therapists(issues)
    _check_absences(issues)
    _check_contracts(issues)
    _check_wishes(issues)
    for idx, ref in enumerate(problem.referrals):
        _check_referral(issues, idx, ref)
        _check_referral_dates(issues, idx, ref)
        _check_referral_needs(issues, idx, ref)
    _check_travel(issues)
    _check_closures_and_rates(issues)
    _check_previous(issues)
    return issues.out


def _check_settings(issues: Issues) -> None:
    s = issues.problem.settings

    def err(col: str, msg: str) -> None:
        issues.add("error", "Settings", None, col, "", msg)

    if s.term_start and s.term_end and s.term_end < s.term_start:
        err("term_end", f"term ends ({s.term_end}) before it starts ({s.term_start})")
    elif s.term_start and s.term_end and (s.term_end - s.term_start).days >= MAX_TERM_DAYS:
        err(
            "term_end",
            f"term from {s.term_start} to {s.term_end} is longer than a year: "
            "give one term's dates",
        )
    grid = s.slot_minutes
    for name in ("working_day", "lunch_window"):
        tr = getattr(s, name)
        if tr.start % grid or tr.end % grid:
            err(name, f"{tr} is not on the {grid}-minute slot grid")
    if s.admin_minutes % grid:
        err("admin_minutes", f"{s.admin_minutes} is not a multiple of slot_minutes ({grid})")
    if s.lunch_minutes % grid:
        err("lunch_minutes", f"{s.lunch_minutes} is not a multiple of slot_minutes ({grid})")
    if s.lunch_minutes > s.lunch_window.minutes:
        err(
            "lunch_minutes",
            f"{s.lunch_minutes} minutes do not fit in the lunch window {s.lunch_window}",
        )


def _check_duplicate_ids(issues: Issues) -> None:
    p = issues.problem
    for sheet, items, key in (
        ("Sites", p.sites, "site_id"),
        ("Rooms", p.rooms, "room_id"),
        ("Therapists", p.therapists, "therapist_id"),
        ("Referrals", p.referrals, "referral_id"),
    ):
        seen: Counter[str] = Counter()
        for idx, item in enumerate(items):
            ident = getattr(item, key)
            if seen[ident]:
                issues.add("error", sheet, idx, key, ident, f"duplicate id '{ident}'")
            seen[ident] += 1


def _check_sites(issues: Issues) -> None:
    """Grid times, and a warning for a site far from the others (a mistyped coordinate)."""
    sites = issues.problem.sites
    for idx, site in enumerate(sites):
        issues.grid("Sites", idx, "hours", site.site_id, site.hours)
        issues.grid("Sites", idx, "blocked", site.site_id, site.blocked)
    if len(sites) < 3:
        return  # with two sites, neither is the odd one out
    lat = statistics.median(s.latitude for s in sites)
    lon = statistics.median(s.longitude for s in sites)
    for idx, site in enumerate(sites):
        km = haversine_km(lat, lon, site.latitude, site.longitude)
        if km > FAR_SITE_KM:
            issues.add(
                "warning",
                "Sites",
                idx,
                "latitude",
                site.site_id,
                f"{site.latitude}, {site.longitude} is {km:,.0f} km from the middle of the "
                f"other sites ({lat:.4f}, {lon:.4f}): check latitude and longitude",
            )


def _check_rooms_and_therapists(issues: Issues) -> None:
    p = issues.problem
    for idx, room in enumerate(p.rooms):
        issues.site("Rooms", idx, "site_id", room.room_id, room.site_id)
        issues.grid("Rooms", idx, "available", room.room_id, room.available)
    for idx, t in enumerate(p.therapists):
        issues.site("Therapists", idx, "base_site_id", t.therapist_id, t.base_site_id)
        issues.grid("Therapists", idx, "works", t.therapist_id, t.works)
        if not set(t.works.days) & set(p.settings.days):
            issues.add(
                "warning", "Therapists", idx, "works", t.therapist_id, "works on no service day"
            )


def _outside_term(issues: Issues, day: dt.date) -> str:
    """'' when ``day`` is inside the term (or the term is not set), else why not."""
    s = issues.problem.settings
    if s.term_start is not None and day < s.term_start:
        return f"{day} is before the term starts ({s.term_start})"
    if s.term_end is not None and day > s.term_end:
        return f"{day} is after the term ends ({s.term_end})"
    return ""


def _check_absences(issues: Issues) -> None:
    """A therapist's absence wholly outside the term is probably a typing slip."""
    st = issues.problem.settings
    if st.term_start is None or st.term_end is None:
        return
    for idx, t in enumerate(issues.problem.therapists):
        for a, b in t.absences:
            if b < st.term_start or a > st.term_end:
                span = f"{a}" if a == b else f"{a}..{b}"
                msg = f"absence {span} is outside the term ({st.term_start} to {st.term_end})"
                issues.add("warning", "Therapists", idx, "absences", t.therapist_id, msg)


def _check_referral_dates(issues: Issues, idx: int, ref: Referral) -> None:
    """The referral's own start and end: in order, and inside the term."""
    rid = ref.referral_id
    if ref.start_date and ref.end_date and ref.end_date < ref.start_date:
        msg = f"ends ({ref.end_date}) before it starts ({ref.start_date})"
        issues.add("error", "Referrals", idx, "end_date", rid, msg)
        return
    st = issues.problem.settings
    for col, day in (("start_date", ref.start_date), ("end_date", ref.end_date)):
        why = _outside_term(issues, day) if day is not None else ""
        if not why or day is None:
            continue
        none = (col == "start_date" and st.term_end is not None and day > st.term_end) or (
            col == "end_date" and st.term_start is not None and day < st.term_start
        )
        what = "no session this term" if none else "the term's own date applies"
        issues.add("warning", "Referrals", idx, col, rid, f"{why}: {what}")


def _check_contracts(issues: Issues) -> None:
    """A warning for a contract longer than the therapist's working hours (a mistyped figure:
    her load could never reach it), or of no minutes while loads are balanced (left out)."""
    p = issues.problem
    for idx, t in enumerate(p.therapists):
        if t.contract_minutes is None:
            continue
        working = sum(
            e - s for ranges in p.therapist_windows(t.therapist_id).values() for s, e in ranges
        )
        if t.contract_minutes > working:
            msg = (
                f"{t.contract_minutes} contracted minutes are more than her {working} working "
                "minutes a week: check the figure (minutes, not hours)"
            )
            issues.add("warning", "Therapists", idx, "contract_minutes", t.therapist_id, msg)
        elif t.contract_minutes == 0 and p.settings.balance_loads:
            msg = "0 contracted minutes: her load is left out of the balance"
            issues.add("warning", "Therapists", idx, "contract_minutes", t.therapist_id, msg)


def _check_wishes(issues: Issues) -> None:
    """Preferred sites must be known sites; a day both preferred and avoided, or a wished-for
    day she does not work, is a warning."""
    p = issues.problem
    for idx, t in enumerate(p.therapists):
        tid = t.therapist_id
        for sid in t.preferred_sites:
            issues.site("Therapists", idx, "preferred_sites", tid, sid)
        both = [d for d in t.avoid_days if d in t.preferred_days]
        if both:
            msg = f"{', '.join(both)} both preferred and avoided: say one"
            issues.add("warning", "Therapists", idx, "avoid_days", tid, msg)
        works = p.therapist_windows(tid)
        idle = [d for d in t.preferred_days if d not in works]
        if idle:
            msg = f"prefers {', '.join(idle)} but does not work then (works)"
            issues.add("warning", "Therapists", idx, "preferred_days", tid, msg)


def _check_referral(issues: Issues, idx: int, ref: Referral) -> None:
    """Sites, grid, length and current therapist of one referral."""
    p = issues.problem
    rid, grid = ref.referral_id, p.settings.slot_minutes
    for sid in ref.site_ids:
        issues.site("Referrals", idx, "site_id", rid, sid)
    if ref.minutes % grid:
        msg = f"{ref.minutes} minutes is not a multiple of the {grid}-minute slot grid"
        issues.add("error", "Referrals", idx, "minutes", rid, msg)
    elif not 30 <= ref.minutes <= 45:
        msg = f"{ref.minutes} minutes is outside the usual 30-45"
        issues.add("warning", "Referrals", idx, "minutes", rid, msg)
    issues.grid("Referrals", idx, "available", rid, ref.available)
    issues.grid("Referrals", idx, "preferred", rid, ref.preferred)
    current = ref.current_therapist_id
    if current and current not in p.therapist_by_id:
        msg = f"unknown therapist '{current}'" + did_you_mean(current, p.therapist_by_id)
        issues.add("error", "Referrals", idx, "current_therapist_id", rid, msg)


def _check_referral_needs(issues: Issues, idx: int, ref: Referral) -> None:
    """Warnings for a referral nobody can take: discipline, skills, features, rooms."""
    p = issues.problem
    rid = ref.referral_id

    def warn(col: str, msg: str) -> None:
        issues.add("warning", "Referrals", idx, col, rid, msg)

    all_skills, all_features = issues.skills, issues.features
    missing_skills = [k for k in ref.needs_skills if k not in all_skills]
    if ref.discipline not in issues.disciplines:
        warn("discipline", f"no therapist offers {ref.discipline}: it cannot be placed")
    elif not missing_skills:  # (a skill nobody has is said once, below)
        needs = set(ref.needs_skills)
        able = [k for k in issues.skills_by_discipline[ref.discipline] if needs <= k]
        if len(able) < ref.therapists_needed:
            warn(
                "needs_skills",
                f"needs {ref.therapists_needed} {ref.discipline} therapist(s) with "
                f"{', '.join(ref.needs_skills) or 'no special skills'}; "
                f"the service has {len(able)}: it cannot be placed",
            )
    for k in missing_skills:
        msg = f"no therapist has the skill '{k}': it cannot be placed" + did_you_mean(k, all_skills)
        warn("needs_skills", msg)
    missing_features = [f for f in ref.needs_features if f not in all_features]
    for f in missing_features:
        msg = f"no room in the service has '{f}': it cannot be placed" + did_you_mean(
            f, all_features
        )
        warn("needs_features", msg)
    known_sites = [sid for sid in ref.site_ids if sid in issues.site_ids]
    if (
        known_sites
        and not missing_features  # (a feature no room has is said once, above)
        and all(
            not any(
                ref.group_size <= r.capacity and set(ref.needs_features) <= set(r.features)
                for r in p.rooms_by_site.get(sid, ())
            )
            for sid in known_sites
        )
    ):
        warn(
            "needs_features",
            "no room at its site(s) has the capacity and features it needs: it cannot be placed",
        )


def _check_travel(issues: Issues) -> None:
    """Known sites, and one measured time per direction."""
    first: dict[tuple[str, str], tuple[int, int]] = {}
    for idx, tr in enumerate(issues.problem.travel):
        rec = f"{tr.from_site_id}->{tr.to_site_id}"
        issues.site("Travel", idx, "from_site_id", rec, tr.from_site_id)
        issues.site("Travel", idx, "to_site_id", rec, tr.to_site_id)
        key = (tr.from_site_id, tr.to_site_id)
        if key in first:
            _, minutes = first[key]
            if minutes != tr.minutes:
                msg = (
                    f"{tr.minutes} minutes, but another row gives {minutes} for the same "
                    "drive: keep one row"
                )
                issues.add("error", "Travel", idx, "minutes", rec, msg)
            else:
                msg = "the same drive is given twice: keep one row"
                issues.add("warning", "Travel", idx, "minutes", rec, msg)
        else:
            first[key] = (idx, tr.minutes)


def _check_closures_and_rates(issues: Issues) -> None:
    p = issues.problem
    for idx, c in enumerate(p.closures):
        rec = c.label or str(c.date_from)
        if c.date_to < c.date_from:
            msg = f"closure ends ({c.date_to}) before it starts ({c.date_from})"
            issues.add("error", "Closures", idx, "to", rec, msg)
        if c.site_id is not None:
            issues.site("Closures", idx, "site_id", rec, c.site_id)
    rate_dates: Counter[object] = Counter()
    for idx, rate in enumerate(p.rates):
        if rate_dates[rate.effective_from]:
            msg = "two rates from the same date"
            issues.add("error", "Rates", idx, "effective_from", str(rate.effective_from), msg)
        rate_dates[rate.effective_from] += 1


def previous_row_usable(problem: Problem, row: PreviousSession) -> bool:
    """True when the row's referral, therapist and room all exist."""
    return (
        row.referral_id in problem.referral_by_id
        and row.therapist_id in problem.therapist_by_id
        and row.room_id in problem.room_by_id
    )


def _unknown(kind: str, ident: str, known: Iterable[str]) -> str:
    return f"unknown {kind} '{ident}'" + did_you_mean(ident, list(known))


def _check_previous(issues: Issues) -> None:
    """A pinned row must name what exists; an unpinned one that does not is ignored (warning)."""
    p = issues.problem
    grid = p.settings.slot_minutes
    for idx, row in enumerate(p.previous):
        level: Level = "error" if row.pinned else "warning"
        tail = "" if row.pinned else " (row ignored)"
        rec = row.referral_id
        if row.referral_id not in p.referral_by_id:
            msg = f"referral '{row.referral_id}' is not in Referrals{tail}"
            issues.add(level, "Previous", idx, "referral_id", rec, msg)
        if row.therapist_id not in p.therapist_by_id:
            msg = _unknown("therapist", row.therapist_id, p.therapist_by_id) + tail
            issues.add(level, "Previous", idx, "therapist_id", rec, msg)
        if row.room_id not in p.room_by_id:
            msg = _unknown("room", row.room_id, p.room_by_id) + tail
            issues.add(level, "Previous", idx, "room_id", rec, msg)
        if row.start % grid:
            msg = f"start {format_time(row.start)} is not on the {grid}-minute slot grid"
            issues.add("error", "Previous", idx, "start", rec, msg)
