"""The Problem: every record of a service for one term, cross-checked once.

Also the solver-neutral views that both the CP-SAT model and the independent checker use:
resolved weekly windows of sites, rooms, therapists and referrals, and travel minutes.
"""

from __future__ import annotations

import difflib
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rota.models.entities import (
    DEFAULT_SCHOOL_DAY,
    DISCIPLINES,
    Closure,
    PreviousSession,
    Rate,
    Referral,
    Room,
    Settings,
    Site,
    Therapist,
    TravelOverride,
)
from rota.models.timeutil import (
    Availability,
    Day,
    Interval,
    format_time,
    intersect_intervals,
    subtract_intervals,
)

EARTH_RADIUS_KM = 6371.0088
WHOLE_DAY: tuple[Interval, ...] = ((0, 24 * 60),)

Windows = dict[Day, tuple[Interval, ...]]
Level = Literal["error", "warning"]
AddIssue = Callable[[Level, str, int | None, str | None, str, str], None]


class Issue(BaseModel):
    """One problem found in the input, located by sheet, record position and column."""

    model_config = ConfigDict(frozen=True)

    level: Literal["error", "warning"] = Field(description="error stops a solve; warning does not")
    sheet: str = Field(description="Workbook sheet the record comes from, e.g. Referrals")
    index: int | None = Field(description="Position of the record in its list (0-based)")
    column: str | None = Field(description="Column (workbook name) the problem is in")
    record: str = Field(description="Id of the record, e.g. R0042")
    message: str = Field(description="What is wrong, in the coordinator's words")

    def __str__(self) -> str:
        where = f"{self.sheet} {self.record}" if self.record else self.sheet
        col = f", {self.column}" if self.column else ""
        return f"{where}{col}: {self.message}"


class ProblemError(ValueError):
    """Raised when a Problem has cross-reference errors; carries every Issue."""

    def __init__(self, issues: Sequence[Issue]):
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'X'?)`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km on a sphere of the Earth's mean radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


class Problem(BaseModel):
    """A service's settings and records for one term; cross-references checked on creation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    settings: Settings = Field(default_factory=Settings, description="Service settings")
    sites: tuple[Site, ...] = Field((), description="Sites")
    rooms: tuple[Room, ...] = Field((), description="Rooms")
    therapists: tuple[Therapist, ...] = Field((), description="Therapists")
    referrals: tuple[Referral, ...] = Field((), description="Referrals (one weekly session each)")
    travel: tuple[TravelOverride, ...] = Field((), description="Measured travel minutes")
    rates: tuple[Rate, ...] = Field((), description="Hourly rates by date")
    closures: tuple[Closure, ...] = Field((), description="Closure dates")
    previous: tuple[PreviousSession, ...] = Field((), description="Previous or published rota")

    @model_validator(mode="after")
    def _cross_references(self) -> Problem:
        errors = [i for i in self.find_issues() if i.level == "error"]
        if errors:
            raise ProblemError(errors)
        return self

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with ``update`` applied (unvalidated, as pydantic's); cached lookups are dropped
        so that ``site_by_id`` and the travel table follow the updated records."""
        copied = super().model_copy(update=update, deep=deep)
        for name, attr in vars(Problem).items():
            if isinstance(attr, cached_property):
                copied.__dict__.pop(name, None)
        return copied

    # ---------------------------------------------------------------- lookups
    @cached_property
    def site_by_id(self) -> dict[str, Site]:
        return {s.site_id: s for s in self.sites}

    @cached_property
    def room_by_id(self) -> dict[str, Room]:
        return {r.room_id: r for r in self.rooms}

    @cached_property
    def therapist_by_id(self) -> dict[str, Therapist]:
        return {t.therapist_id: t for t in self.therapists}

    @cached_property
    def referral_by_id(self) -> dict[str, Referral]:
        return {r.referral_id: r for r in self.referrals}

    @cached_property
    def rooms_by_site(self) -> dict[str, tuple[Room, ...]]:
        out: dict[str, list[Room]] = {s.site_id: [] for s in self.sites}
        for r in self.rooms:
            out.setdefault(r.site_id, []).append(r)
        return {k: tuple(v) for k, v in out.items()}

    # ---------------------------------------------------------------- windows
    def site_hours(self, site_id: str) -> Windows:
        """When the site is open on service days (its hours; blank = Mon-Fri 08:45-15:15)."""
        site = self.site_by_id[site_id]
        hours = site.hours or Availability.model_validate("Mon-Fri")
        resolved = hours.resolve((DEFAULT_SCHOOL_DAY.interval,))
        return {d: r for d, r in resolved.items() if d in self.settings.days}

    def site_blocked(self, site_id: str) -> Windows:
        """Times no session may run at the site (a day without times = the whole day)."""
        site = self.site_by_id[site_id]
        return site.blocked.resolve(WHOLE_DAY) if site.blocked else {}

    def room_windows(self, room_id: str) -> Windows:
        """When a session may run in the room: its availability, inside its site's hours,
        outside the site's blocked times, on service days."""
        room = self.room_by_id[room_id]
        hours = self.site_hours(room.site_id)
        blocked = self.site_blocked(room.site_id)
        own = room.available.resolve(hours) if room.available else hours
        out: Windows = {}
        for day, ranges in own.items():
            w = intersect_intervals(ranges, hours.get(day, ()))
            w = subtract_intervals(w, blocked.get(day, ()))
            if w:
                out[day] = w
        return out

    def therapist_windows(self, therapist_id: str) -> Windows:
        """Working ranges per service day (a day without times = the Settings working_day)."""
        t = self.therapist_by_id[therapist_id]
        resolved = t.works.resolve((self.settings.working_day.interval,))
        return {d: r for d, r in resolved.items() if d in self.settings.days}

    def referral_windows(self, referral_id: str) -> Windows | None:
        """When the client can be seen (None = whenever the site is open)."""
        ref = self.referral_by_id[referral_id]
        if ref.available is None:
            return None
        return ref.available.resolve(WHOLE_DAY)

    def preferred_windows(self, referral_id: str) -> Windows | None:
        ref = self.referral_by_id[referral_id]
        return ref.preferred.resolve(WHOLE_DAY) if ref.preferred is not None else None

    # ---------------------------------------------------------------- travel
    @cached_property
    def _travel_overrides(self) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = {}
        given = {(t.from_site_id, t.to_site_id) for t in self.travel}
        for t in self.travel:
            out[(t.from_site_id, t.to_site_id)] = t.minutes
            if (t.to_site_id, t.from_site_id) not in given:
                out[(t.to_site_id, t.from_site_id)] = t.minutes
        return out

    def travel_minutes(self, from_site_id: str, to_site_id: str) -> int:
        """Driving minutes between two sites: the override, else the great-circle estimate."""
        if from_site_id == to_site_id:
            return 0
        key = (from_site_id, to_site_id)
        known = self._travel_table.get(key)
        if known is not None:
            return known
        if key in self._travel_overrides:
            minutes = self._travel_overrides[key]
        else:
            a, b = self.site_by_id[from_site_id], self.site_by_id[to_site_id]
            km = haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)
            s = self.settings
            minutes = math.ceil(round(km * s.road_factor / s.travel_speed_kmh * 60, 9))
        self._travel_table[key] = minutes
        return minutes

    @cached_property
    def _travel_table(self) -> dict[tuple[str, str], int]:
        """Minutes already worked out (the solver asks for the same pairs many times)."""
        return {}

    # ---------------------------------------------------------------- issues
    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.find_issues() if i.level == "warning"]

    def find_issues(self) -> list[Issue]:
        """Every cross-reference error and warning, each naming its record and column."""
        out: list[Issue] = []

        def add(
            level: Literal["error", "warning"],
            sheet: str,
            idx: int | None,
            col: str | None,
            rec: str,
            msg: str,
        ) -> None:
            out.append(
                Issue(level=level, sheet=sheet, index=idx, column=col, record=rec, message=msg)
            )

        s = self.settings
        grid = s.slot_minutes
        self._check_settings(add)

        for sheet, items, key in (
            ("Sites", self.sites, "site_id"),
            ("Rooms", self.rooms, "room_id"),
            ("Therapists", self.therapists, "therapist_id"),
            ("Referrals", self.referrals, "referral_id"),
        ):
            seen: Counter[str] = Counter()
            for idx, item in enumerate(items):
                ident = getattr(item, key)
                if seen[ident]:
                    add("error", sheet, idx, key, ident, f"duplicate id '{ident}'")
                seen[ident] += 1

        site_ids = set(self.site_by_id)
        therapist_ids = set(self.therapist_by_id)
        room_ids = set(self.room_by_id)

        def check_site(sheet: str, idx: int, col: str, rec: str, sid: str) -> bool:
            if sid not in site_ids:
                add(
                    "error",
                    sheet,
                    idx,
                    col,
                    rec,
                    f"unknown site '{sid}'" + did_you_mean(sid, site_ids),
                )
                return False
            return True

        def check_grid(sheet: str, idx: int, col: str, rec: str, av: Availability | None) -> None:
            if av is None:
                return
            bad = [t for t in av.all_times() if t % grid]
            if bad:
                add(
                    "error",
                    sheet,
                    idx,
                    col,
                    rec,
                    f"time {format_time(bad[0])} is not on the {grid}-minute slot grid",
                )

        for idx, site in enumerate(self.sites):
            check_grid("Sites", idx, "hours", site.site_id, site.hours)
            check_grid("Sites", idx, "blocked", site.site_id, site.blocked)
        for idx, room in enumerate(self.rooms):
            check_site("Rooms", idx, "site_id", room.room_id, room.site_id)
            check_grid("Rooms", idx, "available", room.room_id, room.available)
        for idx, t in enumerate(self.therapists):
            check_site("Therapists", idx, "base_site_id", t.therapist_id, t.base_site_id)
            check_grid("Therapists", idx, "works", t.therapist_id, t.works)
            if not set(t.works.days) & set(s.days):
                add(
                    "warning", "Therapists", idx, "works", t.therapist_id, "works on no service day"
                )

        all_features = {f for r in self.rooms for f in r.features}
        all_skills = {k for t in self.therapists for k in t.skills}
        disciplines_offered = {d for t in self.therapists for d in t.disciplines}
        for idx, ref in enumerate(self.referrals):
            rid = ref.referral_id
            for sid in ref.site_ids:
                check_site("Referrals", idx, "site_id", rid, sid)
            if ref.minutes % grid:
                add(
                    "error",
                    "Referrals",
                    idx,
                    "minutes",
                    rid,
                    f"{ref.minutes} minutes is not a multiple of the {grid}-minute slot grid",
                )
            elif not 30 <= ref.minutes <= 45:
                add(
                    "warning",
                    "Referrals",
                    idx,
                    "minutes",
                    rid,
                    f"{ref.minutes} minutes is outside the usual 30-45",
                )
            check_grid("Referrals", idx, "available", rid, ref.available)
            check_grid("Referrals", idx, "preferred", rid, ref.preferred)
            if ref.current_therapist_id and ref.current_therapist_id not in therapist_ids:
                add(
                    "error",
                    "Referrals",
                    idx,
                    "current_therapist_id",
                    rid,
                    f"unknown therapist '{ref.current_therapist_id}'"
                    + did_you_mean(ref.current_therapist_id, therapist_ids),
                )
            if ref.discipline not in disciplines_offered:
                add(
                    "warning",
                    "Referrals",
                    idx,
                    "discipline",
                    rid,
                    f"no therapist offers {ref.discipline}: it cannot be placed",
                )
            else:
                able = [
                    t
                    for t in self.therapists
                    if ref.discipline in t.disciplines and set(ref.needs_skills) <= set(t.skills)
                ]
                if len(able) < ref.therapists_needed:
                    add(
                        "warning",
                        "Referrals",
                        idx,
                        "needs_skills",
                        rid,
                        f"needs {ref.therapists_needed} {ref.discipline} therapist(s) with "
                        f"{', '.join(ref.needs_skills) or 'no special skills'}; "
                        f"the service has {len(able)}: it cannot be placed",
                    )
            for f in ref.needs_features:
                if f not in all_features:
                    add(
                        "warning",
                        "Referrals",
                        idx,
                        "needs_features",
                        rid,
                        f"no room in the service has '{f}'" + did_you_mean(f, all_features),
                    )
            for k in ref.needs_skills:
                if k not in all_skills:
                    add(
                        "warning",
                        "Referrals",
                        idx,
                        "needs_skills",
                        rid,
                        f"no therapist has the skill '{k}'" + did_you_mean(k, all_skills),
                    )
            known_sites = [sid for sid in ref.site_ids if sid in site_ids]
            if known_sites and all(
                not any(
                    ref.group_size <= r.capacity and set(ref.needs_features) <= set(r.features)
                    for r in self.rooms_by_site.get(sid, ())
                )
                for sid in known_sites
            ):
                add(
                    "warning",
                    "Referrals",
                    idx,
                    "needs_features",
                    rid,
                    "no room at its site(s) has the capacity and features it needs: "
                    "it cannot be placed",
                )

        for idx, tr in enumerate(self.travel):
            rec = f"{tr.from_site_id}->{tr.to_site_id}"
            check_site("Travel", idx, "from_site_id", rec, tr.from_site_id)
            check_site("Travel", idx, "to_site_id", rec, tr.to_site_id)
        for idx, c in enumerate(self.closures):
            rec = c.label or str(c.date_from)
            if c.date_to < c.date_from:
                add(
                    "error",
                    "Closures",
                    idx,
                    "to",
                    rec,
                    f"closure ends ({c.date_to}) before it starts ({c.date_from})",
                )
            if c.site_id is not None:
                check_site("Closures", idx, "site_id", rec, c.site_id)
        rate_dates: Counter[object] = Counter()
        for idx, rate in enumerate(self.rates):
            if rate_dates[rate.effective_from]:
                add(
                    "error",
                    "Rates",
                    idx,
                    "effective_from",
                    str(rate.effective_from),
                    "two rates from the same date",
                )
            rate_dates[rate.effective_from] += 1
        for idx, p in enumerate(self.previous):
            level: Literal["error", "warning"] = "error" if p.pinned else "warning"
            rec = p.referral_id
            if p.referral_id not in self.referral_by_id:
                add(
                    level,
                    "Previous",
                    idx,
                    "referral_id",
                    rec,
                    f"referral '{p.referral_id}' is not in Referrals"
                    + ("" if p.pinned else " (ignored)"),
                )
            if p.therapist_id not in therapist_ids:
                add(
                    level,
                    "Previous",
                    idx,
                    "therapist_id",
                    rec,
                    f"unknown therapist '{p.therapist_id}'"
                    + did_you_mean(p.therapist_id, therapist_ids),
                )
            if p.room_id not in room_ids:
                add(
                    level,
                    "Previous",
                    idx,
                    "room_id",
                    rec,
                    f"unknown room '{p.room_id}'" + did_you_mean(p.room_id, room_ids),
                )
            if p.start % grid:
                add(
                    "error",
                    "Previous",
                    idx,
                    "start",
                    rec,
                    f"start {format_time(p.start)} is not on the {grid}-minute slot grid",
                )
        return out

    def _check_settings(self, add: AddIssue) -> None:
        s = self.settings

        def err(col: str, msg: str) -> None:
            add("error", "Settings", None, col, "", msg)

        if s.term_start and s.term_end and s.term_end < s.term_start:
            err("term_end", f"term ends ({s.term_end}) before it starts ({s.term_start})")
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

    # ---------------------------------------------------------------- summary
    def weekly_minutes(self) -> dict[str, dict[str, int]]:
        """Weekly demand (session minutes x therapists needed) and capacity by discipline.

        A therapist of several disciplines counts towards each."""
        out: dict[str, dict[str, int]] = {d: {"demand": 0, "capacity": 0} for d in DISCIPLINES}
        for ref in self.referrals:
            out[ref.discipline]["demand"] += ref.minutes * ref.therapists_needed
        for t in self.therapists:
            mins = sum(
                e - s
                for ranges in self.therapist_windows(t.therapist_id).values()
                for s, e in ranges
            )
            if t.max_contact_minutes is not None:
                mins = min(mins, t.max_contact_minutes)
            for d in t.disciplines:
                out[d]["capacity"] += mins
        return out
