"""The input workbook's format, described once: each sheet's columns, the model field each fills
and the kind of cell it holds. The parser, the template and the input writer all read these specs,
so the three never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from rota.models import (
    Closure,
    PreviousSession,
    Rate,
    Referral,
    Room,
    Site,
    Therapist,
    TravelOverride,
)

Kind = Literal[
    "id",
    "optid",
    "text",
    "int",
    "float",
    "date",
    "time",
    "availability",
    "days",
    "timerange",
    "bool",
    "tags",
    "disciplines",
    "sites",
    "site_kind",
    "discipline",
    "day",
    "dates",
]


@dataclass(frozen=True)
class Column:
    """A workbook column: its header, the model field it fills and the kind of cell."""

    name: str
    field: str
    kind: Kind


@dataclass(frozen=True)
class SheetSpec:
    """A sheet of the workbook: its name, model, columns and where it goes in the Problem."""

    name: str
    model: type[BaseModel]
    problem_field: str
    columns: tuple[Column, ...]
    key: str | None = None
    optional: bool = False
    # Columns whose values name a row in messages when the sheet has no id column.
    label_columns: tuple[str, ...] = ()

    def required(self, column: Column) -> bool:
        return self.model.model_fields[column.field].is_required()

    def column_for_field(self, field_name: str) -> Column | None:
        return next((c for c in self.columns if c.field == field_name), None)

    @property
    def naming_columns(self) -> tuple[str, ...]:
        """The columns that name a row: its id, else the label columns."""
        return (self.key,) if self.key else self.label_columns


def _cols(*items: tuple[str, Kind] | tuple[str, Kind, str]) -> tuple[Column, ...]:
    return tuple(Column(i[0], i[2] if len(i) == 3 else i[0], i[1]) for i in items)


SITES = SheetSpec(
    "Sites",
    Site,
    "sites",
    _cols(
        ("site_id", "id"),
        ("name", "text"),
        ("kind", "site_kind"),
        ("town", "text"),
        ("latitude", "float"),
        ("longitude", "float"),
        ("hours", "availability"),
        ("blocked", "availability"),
        ("contact", "text"),
        ("arrival_minutes", "int"),
    ),
    key="site_id",
)
ROOMS = SheetSpec(
    "Rooms",
    Room,
    "rooms",
    _cols(
        ("room_id", "id"),
        ("site_id", "id"),
        ("name", "text"),
        ("capacity", "int"),
        ("features", "tags"),
        ("available", "availability"),
    ),
    key="room_id",
)
THERAPISTS = SheetSpec(
    "Therapists",
    Therapist,
    "therapists",
    _cols(
        ("therapist_id", "id"),
        ("name", "text"),
        ("disciplines", "disciplines"),
        ("base_site_id", "id"),
        ("works", "availability"),
        ("max_sessions_per_day", "int"),
        ("max_contact_minutes", "int"),
        ("max_sites_per_day", "int"),
        ("max_drive_minutes_per_day", "int"),
        ("skills", "tags"),
        ("absences", "dates"),
        ("contract_minutes", "int"),
        ("preferred_days", "days"),
        ("avoid_days", "days"),
        ("preferred_sites", "sites"),
    ),
    key="therapist_id",
)
REFERRALS = SheetSpec(
    "Referrals",
    Referral,
    "referrals",
    _cols(
        ("referral_id", "id"),
        ("client", "text"),
        ("site_id", "sites", "site_ids"),
        ("discipline", "discipline"),
        ("minutes", "int"),
        ("group_size", "int"),
        ("therapists_needed", "int"),
        ("priority", "int"),
        ("needs_features", "tags"),
        ("needs_skills", "tags"),
        ("current_therapist_id", "optid"),
        ("available", "availability"),
        ("preferred", "availability"),
        ("funding", "text"),
        ("start_date", "date"),
        ("end_date", "date"),
    ),
    key="referral_id",
)
TRAVEL = SheetSpec(
    "Travel",
    TravelOverride,
    "travel",
    _cols(("from_site_id", "id"), ("to_site_id", "id"), ("minutes", "int")),
    optional=True,
    label_columns=("from_site_id", "to_site_id"),
)
RATES = SheetSpec(
    "Rates",
    Rate,
    "rates",
    _cols(("effective_from", "date"), ("hourly_rate", "float")),
    optional=True,
    label_columns=("effective_from",),
)
CLOSURES = SheetSpec(
    "Closures",
    Closure,
    "closures",
    _cols(
        ("from", "date", "date_from"),
        ("to", "date", "date_to"),
        ("label", "text"),
        ("site_id", "optid"),
    ),
    optional=True,
    label_columns=("label",),
)
PREVIOUS = SheetSpec(
    "Previous",
    PreviousSession,
    "previous",
    _cols(
        ("referral_id", "id"),
        ("therapist_id", "id"),
        ("day", "day"),
        ("start", "time"),
        ("room_id", "id"),
        ("pinned", "bool"),
    ),
    optional=True,
    label_columns=("referral_id",),
)
RECORD_SHEETS: tuple[SheetSpec, ...] = (
    SITES,
    ROOMS,
    THERAPISTS,
    REFERRALS,
    TRAVEL,
    RATES,
    CLOSURES,
    PREVIOUS,
)
SETTINGS_SHEET = "Settings"
SETTINGS_COLUMNS = ("setting", "value")
SETTING_KINDS: dict[str, Kind] = {
    "term_name": "text",
    "term_start": "date",
    "term_end": "date",
    "days": "days",
    "working_day": "timerange",
    "slot_minutes": "int",
    "admin_minutes": "int",
    "lunch_minutes": "int",
    "lunch_window": "timerange",
    "travel_speed_kmh": "float",
    "road_factor": "float",
    "arrival_minutes": "int",
    "max_sites_per_day": "int",
    "long_drive_minutes": "int",
    "service_name": "text",
    "service_contact": "text",
    "balance_loads": "bool",
    "mileage_rate": "float",
}
SHEET_ORDER: tuple[str, ...] = (SETTINGS_SHEET, *(s.name for s in RECORD_SHEETS))
SPEC_BY_SHEET: dict[str, SheetSpec] = {s.name: s for s in RECORD_SHEETS}
