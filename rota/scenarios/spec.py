"""Scenario files: a name, a description and a list of small, validated changes to a base Problem.

Each change is a pydantic model in a union discriminated on ``op``; a scenario file is YAML::

    name: leave
    description: T003 on long-term leave
    changes:
      - op: remove_therapist
        therapist_id: T003

Loading collects every problem in the file at once, each located by file, change and field.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from rota.io.errors import InputError, plain_pydantic_message
from rota.io.limits import MAX_SCENARIO_BYTES, MAX_SCENARIO_VALUES
from rota.io.textfile import load_yaml, read_text_file
from rota.models.entities import Date, Id, Referral, Therapist, days_of
from rota.models.problem import did_you_mean
from rota.models.timeutil import (
    Availability,
    Day,
    format_days,
    parse_day,
    parse_time,
)


class ScenarioError(Exception):
    """A scenario could not be read or applied; carries every located message."""

    def __init__(self, messages: list[str], partial: Scenario | None = None):
        self.messages = list(messages)
        # The well-formed changes of a file with malformed ones, so that applying them can
        # report their errors too (every error of a file at once).
        self.partial = partial
        super().__init__("\n".join(self.messages))


def _days(value: Any) -> Any:
    """Days as text (``Fri``, ``Mon, Fri``, ``Mon-Wed``) or a list of day names."""
    return days_of(value)


def _start(value: Any) -> Any:
    """Start as ``HH:MM`` text. YAML reads an unquoted 9:30 as the base-60 number 570, which is
    already minutes after midnight, so numbers pass through unchanged."""
    if isinstance(value, str):
        return parse_time(value)
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute
    return value


DayList = Annotated[tuple[Day, ...], BeforeValidator(_days), Field(min_length=1)]


class _Op(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False
    )


class RemoveTherapist(_Op):
    """Take a therapist out (leave, vacancy); their referrals lose their current therapist."""

    op: Literal["remove_therapist"]
    therapist_id: Id = Field(description="Therapist to remove")


class AddTherapist(_Op):
    """Add a therapist (a full Therapists row)."""

    op: Literal["add_therapist"]
    therapist: Therapist = Field(description="The new therapist's row")


class SetAvailability(_Op):
    """Replace a therapist's working hours, a room's availability or a site's hours/blocked."""

    op: Literal["set_availability"]
    which: Literal["therapist", "room", "site"] = Field(description="therapist, room or site")
    id: Id = Field(description="Id of the therapist, room or site")
    availability: Availability | None = Field(
        description="Availability text, e.g. 'Mon-Wed 09:00-15:00'; blank = the column's default"
    )
    column: Literal["hours", "blocked"] | None = Field(
        None, description="For a site: hours (default) or blocked"
    )

    @field_validator("availability", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _column_only_for_site(self) -> SetAvailability:
        if self.column is not None and self.which != "site":
            raise ValueError(f"column is only for a site, not a {self.which}")
        return self


class CloseRoom(_Op):
    """Close a room on some days (e.g. Fri), or entirely when no days are given."""

    op: Literal["close_room"]
    room_id: Id = Field(description="Room to close")
    days: DayList | None = Field(None, description="Days it is closed, e.g. 'Fri'; blank = all")


class DateSpan(BaseModel):
    """One date or a span of dates, written ``2027-02-15`` or ``2027-02-15..2027-02-19``."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    date_from: Date = Field(alias="from")
    date_to: Date = Field(alias="to")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return {"from": value, "to": value}
        if isinstance(value, str):
            parts = [p.strip() for p in re.split(r"\.\.|\s+to\s+", value.strip())]
            if len(parts) == 1:
                return {"from": parts[0], "to": parts[0]}
            if len(parts) == 2:
                return {"from": parts[0], "to": parts[1]}
            raise ValueError(f"'{value}' is not a date or span (use 2027-02-15..2027-02-19)")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> DateSpan:
        if self.date_to < self.date_from:
            raise ValueError(f"span ends ({self.date_to}) before it starts ({self.date_from})")
        return self


class CloseSite(_Op):
    """Close a site on weekdays (its hours lose those days) and/or on dates (Closures)."""

    op: Literal["close_site"]
    site_id: Id = Field(description="Site to close")
    days: DayList | None = Field(None, description="Weekdays it is closed all term, e.g. 'Fri'")
    dates: tuple[DateSpan, ...] | None = Field(
        None, description="Dates or spans it is closed, e.g. ['2027-02-15..2027-02-19']"
    )
    label: str = Field("", description="What the closure is, for the Closures rows")

    @model_validator(mode="after")
    def _something(self) -> CloseSite:
        if not self.days and not self.dates:
            raise ValueError("give days (e.g. 'Fri') or dates (e.g. ['2027-02-15'])")
        return self


class AddReferrals(_Op):
    """Add referrals: rows inline, or read from another workbook's sheet."""

    op: Literal["add_referrals"]
    rows: tuple[Referral, ...] | None = Field(None, description="Referrals rows inline")
    from_: str | None = Field(None, alias="from", description="Workbook to read them from")
    sheet: str = Field("Referrals", description="Sheet of that workbook")

    @field_validator("rows", mode="before")
    @classmethod
    def _workbook_names(cls, value: Any) -> Any:
        """Rows may use the Referrals sheet's column name ``site_id`` for ``site_ids``."""
        if isinstance(value, list | tuple):
            return [
                {("site_ids" if k == "site_id" else k): v for k, v in row.items()}
                if isinstance(row, dict) and "site_ids" not in row
                else row
                for row in value
            ]
        return value

    @model_validator(mode="after")
    def _one_source(self) -> AddReferrals:
        if (self.rows is None) == (self.from_ is None):
            raise ValueError("give either rows (inline) or from (a workbook), not both or neither")
        return self


class RemoveReferrals(_Op):
    """Take referrals out (discharged, moved away)."""

    op: Literal["remove_referrals"]
    referral_ids: Annotated[tuple[Id, ...], Field(min_length=1)] = Field(
        description="Referrals to remove"
    )

    @field_validator("referral_ids", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(v.strip() for v in value.split(",") if v.strip())
        return value


class SetSetting(_Op):
    """Change one service setting, e.g. admin_minutes or travel_speed_kmh."""

    op: Literal["set_setting"]
    name: str = Field(description="Setting name as in the Settings sheet")
    value: Any = Field(description="New value")


class SetRate(_Op):
    """Set the hourly rate in force from a date (replaces a rate from the same date)."""

    op: Literal["set_rate"]
    effective_from: Date = Field(description="Date from which the rate applies")
    hourly_rate: float = Field(ge=0, le=10_000, description="Price per billed hour in pounds")


class PinnedSession(BaseModel):
    """A session that must not move."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    referral_id: Id
    therapist_id: Id
    day: Annotated[Day, BeforeValidator(lambda v: parse_day(v) if isinstance(v, str) else v)]
    start: Annotated[int, BeforeValidator(_start), Field(ge=0, le=24 * 60)]
    room_id: Id


class Pin(_Op):
    """Pin sessions: each replaces the referral's rows in the previous rota, pinned."""

    op: Literal["pin"]
    sessions: Annotated[tuple[PinnedSession, ...], Field(min_length=1)] = Field(
        description="Sessions that must not move"
    )


Change = Annotated[
    RemoveTherapist
    | AddTherapist
    | SetAvailability
    | CloseRoom
    | CloseSite
    | AddReferrals
    | RemoveReferrals
    | SetSetting
    | SetRate
    | Pin,
    Field(discriminator="op"),
]
OPS: tuple[str, ...] = (
    "remove_therapist",
    "add_therapist",
    "set_availability",
    "close_room",
    "close_site",
    "add_referrals",
    "remove_referrals",
    "set_setting",
    "set_rate",
    "pin",
)


def describe_change(change: Change) -> str:
    """One line saying what a change does, for the Compare sheet."""
    match change:
        case RemoveTherapist():
            return f"remove therapist {change.therapist_id}"
        case AddTherapist():
            t = change.therapist
            what = ", ".join(t.disciplines)
            return f"add therapist {t.therapist_id} ({what}, base {t.base_site_id})"
        case SetAvailability():
            column = {"therapist": "works", "room": "available"}.get(change.which)
            column = column or change.column or "hours"
            text = str(change.availability) if change.availability is not None else "(blank)"
            return f"{change.which} {change.id} {column}: {text}"
        case CloseRoom():
            days = f" on {format_days(change.days)}" if change.days else ""
            return f"close room {change.room_id}{days}"
        case CloseSite():
            parts = []
            if change.days:
                parts.append(f"on {format_days(change.days)}")
            if change.dates:
                parts.append(
                    "on "
                    + ", ".join(
                        str(d.date_from)
                        if d.date_from == d.date_to
                        else f"{d.date_from}..{d.date_to}"
                        for d in change.dates
                    )
                )
            return f"close site {change.site_id} {' and '.join(parts)}"
        case AddReferrals():
            if change.rows is not None:
                return f"add {len(change.rows)} referral(s)"
            return f"add referrals from {change.from_} ({change.sheet})"
        case RemoveReferrals():
            return f"remove referral(s) {', '.join(change.referral_ids)}"
        case SetSetting():
            return f"{change.name} = {change.value}"
        case SetRate():
            return f"hourly rate £{change.hourly_rate:.2f} from {change.effective_from}"
        case Pin():
            ids = ", ".join(dict.fromkeys(p.referral_id for p in change.sessions))
            return f"pin {len(change.sessions)} session(s) ({ids})"
    raise TypeError(f"unknown change {change!r}")


class Scenario(BaseModel):
    """A named what-if: changes applied in order to the base Problem."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(
        min_length=1, max_length=100, description="Short name, used as the column heading"
    )
    description: str = Field("", max_length=2000, description="What the scenario asks")
    changes: tuple[Change, ...] = Field((), description="Changes, applied in order")
    source: Path | None = Field(
        None, exclude=True, description="File it was read from (relative workbook paths)"
    )
    source_label: str = Field("", exclude=True, description="How messages name it")
    change_numbers: tuple[int, ...] | None = Field(
        None, exclude=True, description="Position of each change in its file (partial scenarios)"
    )

    @property
    def summary(self) -> str:
        """Every change in a line each: what the scenario does."""
        return "\n".join(describe_change(c) for c in self.changes)

    @property
    def label(self) -> str:
        """How messages name the scenario: its file name, else its name."""
        return self.source_label or (self.source.name if self.source else self.name)


def _format_loc(loc: tuple[int | str, ...], data: Any) -> str:
    """``changes[2] (remove_therapist) therapist_id`` from a pydantic error location."""
    out = ""
    i = 0
    while i < len(loc):
        part = loc[i]
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out and not out.endswith(" ") else "") + str(part)
        if loc[:1] == ("changes",) and i == 1 and isinstance(part, int):
            op = _op_at(data, part)
            if op:
                out += f" ({op})"
                # pydantic puts the union's tag into the location: drop it.
                if i + 1 < len(loc) and loc[i + 1] == op:
                    i += 1
            out += " " if i + 1 < len(loc) else ""
        i += 1
    return out.strip()


def _op_at(data: Any, idx: int) -> str | None:
    if isinstance(data, dict):
        changes = data.get("changes")
        if isinstance(changes, list) and 0 <= idx < len(changes):
            item = changes[idx]
            if isinstance(item, dict) and isinstance(item.get("op"), str):
                return item["op"]
    return None


def _message(err: Any) -> str:
    kind = err["type"]
    if kind == "union_tag_invalid":
        return f"unknown op '{err['input'].get('op')}' (use one of: {', '.join(OPS)})"
    if kind == "union_tag_not_found":
        return f"no op given (use one of: {', '.join(OPS)})"
    if kind == "extra_forbidden":
        field = str(err["loc"][-1]) if err["loc"] else ""
        return "is not a known field" + did_you_mean(field, ("name", "description", "changes"))
    if kind in ("missing", "model_type", "tuple_type", "list_type", "dict_type"):
        return str(err["msg"])
    return plain_pydantic_message(err).removeprefix("Assertion failed, ")


def scenario_from_data(data: Any, label: str, source: Path | None = None) -> Scenario:
    """Validate parsed YAML as a Scenario; every problem at once in a ScenarioError."""
    if not isinstance(data, dict):
        raise ScenarioError([f"{label}: expected a mapping with name, description and changes"])
    if "name" not in data and source is not None:
        data = {"name": source.stem, **data}
    if isinstance(data.get("changes"), dict):
        raise ScenarioError([f"{label}: changes: expected a list of changes (each '- op: ...')"])
    try:
        scenario = Scenario.model_validate({**data, "source": source, "source_label": label})
    except ValidationError as exc:
        messages = []
        for err in exc.errors():
            where = _format_loc(tuple(err["loc"]), data)
            messages.append(f"{label}: {where}: {_message(err)}" if where else f"{label}: {err}")
        raise ScenarioError(messages, _partial(data, source, label)) from None
    return scenario


def _partial(data: dict[str, Any], source: Path | None, label: str) -> Scenario | None:
    """The scenario made of the changes that are well formed on their own, or None when the
    file's other fields are bad too."""
    changes = data.get("changes")
    if not isinstance(changes, list):
        return None
    good: list[Any] = []
    numbers: list[int] = []
    for idx, item in enumerate(changes):
        try:
            good.append(Scenario.model_validate({"name": "x", "changes": [item]}).changes[0])
        except ValidationError:
            continue
        numbers.append(idx)
    try:
        return Scenario.model_validate(
            {
                **data,
                "changes": good,
                "source": source,
                "source_label": label,
                "change_numbers": tuple(numbers),
            }
        )
    except ValidationError:
        return None


def load_scenario(path: Path | str) -> Scenario:
    """Read and validate a scenario YAML file (a regular UTF-8 file within the limits of
    :mod:`rota.io.limits`, its aliases and nesting measured before it is built)."""
    p = Path(path)
    if not p.exists() and not p.is_symlink():
        raise ScenarioError([f"{p.name}: cannot read: No such file or directory"])
    try:
        text = read_text_file(p, MAX_SCENARIO_BYTES)
        data = load_yaml(text, p.name, MAX_SCENARIO_VALUES)
    except InputError as exc:
        raise ScenarioError(exc.lines) from None
    return scenario_from_data(data, p.name, source=p)
