"""The Problem: every record of a service for one term, cross-checked once.

Also the solver-neutral views that both the CP-SAT model and the independent checker use:
resolved weekly windows of sites, rooms, therapists and referrals, and travel minutes.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
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
    intersect_intervals,
    subtract_intervals,
)

EARTH_RADIUS_KM = 6371.0088
KM_PER_MILE = 1.609344
WHOLE_DAY: tuple[Interval, ...] = ((0, 24 * 60),)

Windows = dict[Day, tuple[Interval, ...]]
Level = Literal["error", "warning"]


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
    plan_from: dt.date | None = Field(
        None,
        description="A mid-term change: the rota is planned from this date (the previous rota "
        "ran before it); a referral needs a session date from it",
    )

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

    def contract_minutes(self, therapist_id: str) -> int:
        """Her contracted minutes a week: ``contract_minutes``, else her working minutes."""
        t = self.therapist_by_id[therapist_id]
        if t.contract_minutes is not None:
            return t.contract_minutes
        return sum(
            e - s for ranges in self.therapist_windows(therapist_id).values() for s, e in ranges
        )

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
            minutes = self.estimated_minutes(
                haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)
            )
        self._travel_table[key] = minutes
        return minutes

    def arrival_minutes(self, site_id: str) -> int:
        """Minutes to park, sign in and set up on arriving at a site (from another site or the
        base): the site's own value, else the Settings value. Counted as travel, never on the
        return to the base at the day's end."""
        own = self.site_by_id[site_id].arrival_minutes
        return self.settings.arrival_minutes if own is None else own

    def max_sites_per_day(self, therapist_id: str) -> int | None:
        """Most sites a therapist runs sessions at in one day (None = no limit): the
        therapist's own value, else the Settings value."""
        own = self.therapist_by_id[therapist_id].max_sites_per_day
        return self.settings.max_sites_per_day if own is None else own

    def estimated_minutes(self, km: float) -> int:
        """The Settings' estimate of driving minutes for ``km`` in a straight line (road
        factor and average speed), whole minutes rounded up."""
        s = self.settings
        return math.ceil(round(km * s.road_factor / s.travel_speed_kmh * 60, 9))

    def road_miles(self, from_site_id: str, to_site_id: str) -> float:
        """Road miles between two sites, for mileage: a measured drive (Travel sheet) at the
        Settings' travel_speed_kmh, else the straight-line distance x road_factor (the same
        distances the estimated driving minutes come from)."""
        if from_site_id == to_site_id:
            return 0.0
        s = self.settings
        measured = self._travel_overrides.get((from_site_id, to_site_id))
        if measured is not None:
            km = measured * s.travel_speed_kmh / 60
        else:
            a, b = self.site_by_id[from_site_id], self.site_by_id[to_site_id]
            km = haversine_km(a.latitude, a.longitude, b.latitude, b.longitude) * s.road_factor
        return km / KM_PER_MILE

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
        from rota.models.issues import find_issues

        return find_issues(self)

    def without_ignored_previous(self) -> Problem:
        """A copy without the unpinned Previous rows that name a referral, therapist or room the
        service no longer has (reported as warnings: such a row is ignored, not half used)."""
        from rota.models.issues import previous_row_usable

        kept = tuple(p for p in self.previous if p.pinned or previous_row_usable(self, p))
        if len(kept) == len(self.previous):
            return self
        return self.model_copy(update={"previous": kept})

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
