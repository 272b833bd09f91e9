"""The service's records: settings, sites, rooms, therapists, referrals and the rest.

Every entity is a frozen pydantic model with ``extra="forbid"``; each field's description is
the help text the workbook template puts on its column header.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from rota.models.dates import DateRange, parse_date_ranges
from rota.models.timeutil import (
    DAYS,
    Availability,
    Day,
    TimeRange,
    parse_day,
    parse_days,
    parse_time,
)

Discipline = Literal["music", "drama", "dance"]
DISCIPLINES: tuple[Discipline, ...] = ("music", "drama", "dance")
SiteKind = Literal["school", "special_school", "unit", "childrens_centre", "clinic"]
SITE_KINDS: tuple[SiteKind, ...] = (
    "school",
    "special_school",
    "unit",
    "childrens_centre",
    "clinic",
)

DEFAULT_SCHOOL_DAY = TimeRange(start=8 * 60 + 45, end=15 * 60 + 15)

#: Dates the service can mean: anything outside is a typing slip (9999-12-31, 1900-01-00).
FIRST_YEAR, LAST_YEAR = 2000, 2100
#: Longest term the costs and calendars accept: a school year.
MAX_TERM_DAYS = 366


def _sane_date(value: dt.date) -> dt.date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(
            f"{value} is not a plausible date (use a year from {FIRST_YEAR} to {LAST_YEAR})"
        )
    return value


def _date_cell(value: Any) -> Any:
    """A datetime cell is its date; blank text is no date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if value == "":
        return None
    return value


Date = Annotated[dt.date, BeforeValidator(_date_cell), AfterValidator(_sane_date)]


def _split_list(value: Any) -> Any:
    """Accept a comma list as text; normalise an open vocabulary to lower case, sorted, unique."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(sorted({str(v).strip().lower() for v in value if str(v).strip()}))
    return value


def _split_disciplines(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(v.strip().lower() for v in value.split(",") if v.strip())
    return value


def _as_id(value: Any) -> Any:
    """Ids are text: an id stored as the number 1001 is '1001'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return value


def days_of(value: Any) -> Any:
    """Days as text ('Mon-Wed; Fri') or a list of day names, in week order."""
    if isinstance(value, str):
        return parse_days(value)
    if isinstance(value, list | tuple):
        found = {parse_day(str(v)) for v in value}
        return tuple(d for d in DAYS if d in found)
    return value


def _day_list(value: Any) -> Any:
    """A day list where blank means none (a therapist's wished-for days)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ()
    return days_of(value)


Tags = Annotated[tuple[str, ...], BeforeValidator(_split_list)]
DayList = Annotated[tuple[Day, ...], BeforeValidator(_day_list)]
Id = Annotated[str, BeforeValidator(_as_id), Field(min_length=1)]
OptId = Annotated[str | None, BeforeValidator(lambda v: _as_id(v) or None)]


class Entity(BaseModel):
    # inf and nan are never a measurement: every float of every record must be finite.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Settings(Entity):
    """Service-wide settings: the term, the week's shape and the travel estimate."""

    term_name: str = Field("Term", description="Name of the term, e.g. 'Spring 2027'")
    term_start: Date | None = Field(None, description="First day of the term (a date)")
    term_end: Date | None = Field(None, description="Last day of the term (a date)")
    days: tuple[Day, ...] = Field(
        ("Mon", "Tue", "Wed", "Thu", "Fri"),
        description="Service days, e.g. Mon-Fri: no session on any other day",
    )
    working_day: TimeRange = Field(
        TimeRange(start=8 * 60 + 30, end=17 * 60),
        description="Default working hours for a day listed without times in a therapist's works",
    )
    slot_minutes: int = Field(5, ge=1, le=60, description="Time grid in minutes, anchored at 00:00")
    admin_minutes: int = Field(
        10, ge=0, le=120, description="Notes and liaison time after every session, in minutes"
    )
    lunch_minutes: int = Field(30, ge=0, le=120, description="Lunch break length in minutes")
    lunch_window: TimeRange = Field(
        TimeRange(start=11 * 60 + 30, end=14 * 60),
        description="Lunch is taken in one piece inside this window",
    )
    travel_speed_kmh: float = Field(
        40.0, ge=10, le=120, description="Average driving speed in km/h (10 to 120)"
    )
    road_factor: float = Field(
        1.3,
        ge=1.0,
        le=3.0,
        description="Road distance as a multiple of the straight-line distance (1 to 3)",
    )
    arrival_minutes: int = Field(
        0,
        ge=0,
        le=120,
        description="Minutes to park, sign in and set up on each arrival at a site (not on the "
        "return to the base), counted as travel; a Sites value overrides it",
    )
    max_sites_per_day: int | None = Field(
        None,
        ge=1,
        le=48,
        description="Most sites a therapist runs sessions at in one day; blank = no limit "
        "(a Therapists value overrides it)",
    )
    long_drive_minutes: int | None = Field(
        None,
        ge=0,
        le=600,
        description="Driving minutes of one leg beyond which each minute costs extra (the "
        "long drive weight); blank = no extra cost",
    )
    service_name: str = Field(
        "Arts Therapies Service", description="Name of the service, printed on exports"
    )
    service_contact: str = Field(
        "", description="How schools reach the service (phone or e-mail), printed on exports"
    )
    mileage_rate: float | None = Field(
        None,
        ge=0,
        le=10,
        description="Pounds per mile of driving, e.g. 0.45: the term's cost then shows mileage "
        "beside therapy hours; blank or 0 = not shown",
    )
    balance_loads: bool = Field(
        False,
        description="yes = share the week's sessions fairly: the search narrows the gap between "
        "the busiest and the least busy therapist (session minutes over contract); no = as before",
    )

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, value: Any) -> Any:
        return days_of(value)


class Site(Entity):
    """A place sessions happen: a school, special school, unit, children's centre or clinic."""

    site_id: Id = Field(description="Unique short code for the site, e.g. ELY-FIELDS")
    name: str = Field(description="Site name as the school knows itself")
    kind: SiteKind = Field(
        "school", description="school, special_school, unit, childrens_centre or clinic"
    )
    town: str = Field("", description="Town or village")
    latitude: float = Field(ge=-90, le=90, description="Latitude in decimal degrees (WGS84)")
    longitude: float = Field(ge=-180, le=180, description="Longitude in decimal degrees (WGS84)")
    hours: Availability | None = Field(
        None,
        description="When sessions may run, e.g. 'Mon-Fri 08:45-15:15'; blank = that",
    )
    blocked: Availability | None = Field(
        None,
        description="Times no session may run (lunch, assembly), e.g. 'Mon-Fri 12:00-12:45'",
    )
    contact: str = Field("", description="Liaison person at the site (role and phone/e-mail)")
    arrival_minutes: int | None = Field(
        None,
        ge=0,
        le=120,
        description="Minutes to park, sign in and set up on arriving here; blank = the "
        "Settings value",
    )

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.strip().lower().replace(" ", "_").replace("'", "").replace("-", "_")
        return value


class Room(Entity):
    """A room at a site in which sessions can run."""

    room_id: Id = Field(description="Unique code for the room, e.g. ELY-FIELDS-MUS")
    site_id: Id = Field(description="The site the room is at")
    name: str = Field("", description="Room name as the school calls it, e.g. 'Music room'")
    capacity: int = Field(ge=1, le=500, description="Most clients the room holds for a session")
    features: Tags = Field(
        (), description="Comma list of equipment, e.g. 'piano, guitar, percussion, soundproof'"
    )
    available: Availability | None = Field(
        None, description="When the room is free, e.g. 'Mon, Wed 09:00-12:00'; blank = site hours"
    )


class Therapist(Entity):
    """A therapist: disciplines, skills, base and working hours."""

    therapist_id: Id = Field(description="Unique code for the therapist, e.g. T01")
    name: str = Field("", description="Therapist's name as colleagues know it")
    disciplines: Annotated[tuple[Discipline, ...], BeforeValidator(_split_disciplines)] = Field(
        min_length=1, description="Comma list of music, drama, dance"
    )
    base_site_id: Id = Field(description="Site where each working day starts and ends")
    works: Availability = Field(
        description="Working hours, e.g. 'Mon-Wed 08:30-17:00; Thu 08:30-12:30'"
    )
    max_sessions_per_day: int | None = Field(
        None, ge=0, le=48, description="Most sessions in one day; blank = no limit"
    )
    max_contact_minutes: int | None = Field(
        None, ge=0, le=7 * 24 * 60, description="Most session minutes in the week; blank = no limit"
    )
    max_sites_per_day: int | None = Field(
        None,
        ge=1,
        le=48,
        description="Most sites with sessions in one day; blank = the Settings value",
    )
    max_drive_minutes_per_day: int | None = Field(
        None,
        ge=0,
        le=24 * 60,
        description="Most driving minutes in one day, base to base (arrival time not "
        "counted); blank = no limit",
    )
    skills: Tags = Field((), description="Comma list of skills, e.g. 'attachment, VIG, systemic'")
    contract_minutes: int | None = Field(
        None,
        ge=0,
        le=7 * 24 * 60,
        description="Contracted minutes a week, for sharing sessions fairly; blank = her working "
        "hours",
    )
    preferred_days: DayList = Field(
        (), description="Days she would rather work (a wish), e.g. 'Mon-Wed'; blank = any"
    )
    avoid_days: DayList = Field(
        (), description="Days she would rather not work (a wish, not a rule), e.g. 'Fri'"
    )
    preferred_sites: Annotated[
        tuple[str, ...], BeforeValidator(lambda v: () if v is None else _split_sites(v))
    ] = Field(
        (),
        description="Sites she would rather work at (a wish), joined by |, e.g. 'HUN|CAM'; "
        "blank = any",
    )
    absences: Annotated[tuple[DateRange, ...], BeforeValidator(parse_date_ranges)] = Field(
        (),
        description="Dates away this term: none of their sessions runs then, nor a group they run "
        "with another therapist; dates or ranges, e.g. '2027-11-02..2027-11-13; 2027-12-01' "
        "(dd/mm/yyyy too); blank = none",
    )

    @field_validator("absences", mode="after")
    @classmethod
    def _absences(cls, value: tuple[DateRange, ...]) -> tuple[DateRange, ...]:
        for a, b in value:
            _sane_date(a)
            _sane_date(b)
        return value


class Referral(Entity):
    """One client or group needing one weekly session."""

    referral_id: Id = Field(description="Pseudonymous referral code, e.g. R0042")
    client: str = Field("", description="Client initials or group name, never a full name")
    site_ids: Annotated[tuple[str, ...], BeforeValidator(lambda v: _split_sites(v))] = Field(
        min_length=1, description="Site, or alternatives joined by |, e.g. 'HUN|CAM'"
    )
    discipline: Discipline = Field(description="music, drama or dance")
    minutes: int = Field(ge=5, le=240, description="Session length in minutes (usually 30-45)")
    group_size: int = Field(
        1, ge=1, le=500, description="Number of clients in the session (1 = individual)"
    )
    therapists_needed: int = Field(
        1, ge=1, le=4, description="Therapists running the session (2 for a co-facilitated group)"
    )
    priority: int = Field(3, ge=1, le=5, description="1 most urgent to 5 least; default 3")
    needs_features: Tags = Field((), description="Comma list of room features needed, e.g. piano")
    needs_skills: Tags = Field((), description="Comma list of therapist skills needed")
    current_therapist_id: OptId = Field(
        None, description="Therapist who sees the client now (kept where possible)"
    )
    available: Availability | None = Field(
        None, description="When the client can be seen, e.g. 'Mon-Thu 09:00-12:00'; blank = any"
    )
    preferred: Availability | None = Field(
        None, description="Preferred times (a wish, not a rule), e.g. 'Tue, Thu 09:00-10:30'"
    )
    funding: str = Field("", description="Who pays, e.g. 'Pupil Premium', 'EHC plan'")
    start_date: Date | None = Field(
        None,
        description="First date of its sessions, e.g. a new referral starting after half term; "
        "blank = the term's start",
    )
    end_date: Date | None = Field(
        None,
        description="Last date of its sessions, e.g. a referral ending mid-term; blank = the "
        "term's end",
    )

    @field_validator("discipline", mode="before")
    @classmethod
    def _discipline(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


def _split_sites(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(s.strip() for s in value.split("|") if s.strip())
    if isinstance(value, int | float):
        return (_as_id(value),)
    return value


class TravelOverride(Entity):
    """Measured driving minutes between two sites, overriding the estimate."""

    from_site_id: Id = Field(description="Site driven from")
    to_site_id: Id = Field(description="Site driven to")
    minutes: int = Field(
        ge=0, le=600, description="Driving minutes (symmetric unless both are given)"
    )


class Rate(Entity):
    """Hourly price in force from a date."""

    effective_from: Date = Field(description="Date from which the rate applies")
    hourly_rate: float = Field(
        ge=0, le=10_000, description="Price per billed hour in pounds, e.g. 51.00"
    )


class Closure(Entity):
    """Dates with no sessions: half term, bank holiday, INSET day; service-wide or one site."""

    date_from: Date = Field(description="First closed date")
    date_to: Date = Field(description="Last closed date (same as from for one day)")
    label: str = Field("", description="What the closure is, e.g. 'Half term'")
    site_id: OptId = Field(None, description="Site closed; blank = the whole service")


class PreviousSession(Entity):
    """A session of last term's or the published rota, optionally pinned."""

    referral_id: Id = Field(description="Referral of the session")
    therapist_id: Id = Field(description="Therapist who ran it (one row per therapist)")
    day: Day = Field(description="Day of the week")
    start: int = Field(ge=0, le=24 * 60, description="Start time, HH:MM")
    room_id: Id = Field(description="Room it ran in")
    pinned: bool = Field(False, description="yes = this session must not move")

    @field_validator("day", mode="before")
    @classmethod
    def _day(cls, value: Any) -> Any:
        return parse_day(value) if isinstance(value, str) else value

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_time(value)
        if isinstance(value, dt.time):
            return value.hour * 60 + value.minute
        return value

    @field_validator("pinned", mode="before")
    @classmethod
    def _pinned(cls, value: Any) -> Any:
        if isinstance(value, str):
            v = value.strip().lower()
            if v in ("yes", "y", "true", "1", "pinned"):
                return True
            if v in ("no", "n", "false", "0", ""):
                return False
        if value is None:
            return False
        return value
