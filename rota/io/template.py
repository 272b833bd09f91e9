"""An empty, ready-to-fill input workbook: headers with help comments, dropdowns, one example row.

The help text on each header is the model field's description, so the template and the data
model cannot drift apart. The example rows use pseudonymous codes and initials only, and the
template as written passes ``rota validate``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from rota.io.parse import (
    CLOSURES,
    PREVIOUS,
    RATES,
    REFERRALS,
    ROOMS,
    SETTING_KINDS,
    SITES,
    THERAPISTS,
    TRAVEL,
    SheetSpec,
)
from rota.io.write import add_record_sheet, add_settings_sheet
from rota.models import (
    DAYS,
    DISCIPLINES,
    SITE_KINDS,
    Closure,
    PreviousSession,
    Problem,
    Rate,
    Referral,
    Room,
    Settings,
    Site,
    Therapist,
    TravelOverride,
)
from rota.reports.atomic import write_atomic
from rota.reports.sheets import print_workbook

LAST_ROW = 2000  # dropdowns cover this many rows


def example_problem() -> Problem:
    """The template's example records: two clinics and one row on every other sheet."""
    return Problem(
        settings=Settings(
            term_name="Spring 2027",
            term_start=dt.date(2027, 1, 5),
            term_end=dt.date(2027, 3, 26),
            arrival_minutes=10,
            max_sites_per_day=3,
            long_drive_minutes=45,
            balance_loads=True,
            mileage_rate=0.45,
        ),
        sites=_example_sites(),
        rooms=(
            Room(
                room_id="CAM-CLINIC-1",
                site_id="CAM-CLINIC",
                name="Music room",
                capacity=4,
                features=("piano", "percussion"),
            ),
        ),
        therapists=(
            Therapist(
                therapist_id="T01",
                name="T01",
                disciplines=("music",),
                base_site_id="CAM-CLINIC",
                works="Mon-Wed 08:30-17:00; Thu 08:30-12:30",
                max_sessions_per_day=6,
                skills=("attachment",),
            ),
        ),
        referrals=(_example_referral(),),
        travel=(TravelOverride(from_site_id="CAM-CLINIC", to_site_id="HUN-CLINIC", minutes=35),),
        rates=(Rate(effective_from=dt.date(2026, 9, 1), hourly_rate=51.0),),
        closures=(
            Closure(
                date_from=dt.date(2027, 2, 15), date_to=dt.date(2027, 2, 19), label="Half term"
            ),
        ),
        previous=(
            PreviousSession(
                referral_id="R0001",
                therapist_id="T01",
                day="Tue",
                start=9 * 60 + 30,
                room_id="CAM-CLINIC-1",
                pinned=False,
            ),
        ),
    )


def _example_sites() -> tuple[Site, ...]:
    return (
        Site(
            site_id="CAM-CLINIC",
            name="Cambridge clinic",
            kind="clinic",
            town="Cambridge",
            latitude=52.2053,
            longitude=0.1218,
            hours="Mon-Fri 08:30-17:00",
            contact="Reception",
        ),
        Site(
            site_id="HUN-CLINIC",
            name="Huntingdon clinic",
            kind="clinic",
            town="Huntingdon",
            latitude=52.3307,
            longitude=-0.1826,
            hours="Mon-Fri 08:30-17:00",
            blocked="Mon-Fri 12:30-13:00",
            contact="Reception",
        ),
    )


def _example_referral() -> Referral:
    return Referral(
        referral_id="R0001",
        client="A.B.",
        site_ids=("CAM-CLINIC",),
        discipline="music",
        minutes=30,
        priority=3,
        needs_features=("piano",),
        current_therapist_id="T01",
        available="Mon-Thu 09:00-12:00",
        preferred="Tue 09:00-10:30",
        funding="EHC plan",
    )


def _help(spec: SheetSpec, column: str) -> str:
    col = next(c for c in spec.columns if c.name == column)
    info = spec.model.model_fields[col.field]
    text = info.description or column
    return f"{text}. Required." if spec.required(col) else f"{text}."


def _comment(ws: Worksheet, col_idx: int, text: str) -> None:
    comment = Comment(text, "rota")
    comment.width = 300
    comment.height = 110
    ws.cell(row=1, column=col_idx).comment = comment


def _dropdown(ws: Worksheet, spec: SheetSpec, column: str, validation: DataValidation) -> None:
    idx = [c.name for c in spec.columns].index(column) + 1
    letter = get_column_letter(idx)
    validation.add(f"{letter}2:{letter}{LAST_ROW}")
    ws.add_data_validation(validation)


def _list(options: tuple[str, ...] | list[str], prompt: str) -> DataValidation:
    return DataValidation(
        type="list",
        formula1='"' + ",".join(options) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Not in the list",
        error=prompt,
    )


def template_workbook() -> Workbook:
    """The template as an in-memory workbook."""
    example = example_problem()
    wb = Workbook()
    for sheet in list(wb.worksheets):
        wb.remove(sheet)
    ws = add_settings_sheet(wb, example.settings)
    _comment(ws, 1, "Setting name: leave the names as they are.")
    _comment(ws, 2, "Value; blank = the default.")
    for row_idx, name in enumerate(SETTING_KINDS, start=2):
        info = Settings.model_fields[name]
        comment = Comment(f"{info.description}.", "rota")
        comment.width = 300
        ws.cell(row=row_idx, column=1).comment = comment

    sheets: dict[str, Worksheet] = {}
    for spec in (SITES, ROOMS, THERAPISTS, REFERRALS, TRAVEL, RATES, CLOSURES, PREVIOUS):
        ws = add_record_sheet(wb, spec, getattr(example, spec.problem_field))
        for idx, col in enumerate(spec.columns, start=1):
            _comment(ws, idx, _help(spec, col.name))
        sheets[spec.name] = ws

    _dropdown(sheets["Sites"], SITES, "kind", _list(SITE_KINDS, "Choose a site kind"))
    _dropdown(
        sheets["Referrals"], REFERRALS, "discipline", _list(DISCIPLINES, "music, drama or dance")
    )
    priority = DataValidation(
        type="whole",
        operator="between",
        formula1="1",
        formula2="5",
        allow_blank=True,
        showErrorMessage=True,
        error="Priority is 1 (most urgent) to 5",
    )
    _dropdown(sheets["Referrals"], REFERRALS, "priority", priority)
    _dropdown(sheets["Previous"], PREVIOUS, "day", _list(DAYS, "Choose a day"))
    _dropdown(sheets["Previous"], PREVIOUS, "pinned", _list(["yes", "no"], "yes or no"))
    print_workbook(wb, "Input template")
    return wb


def write_template(path: Path | str, *, force: bool = False) -> Path:
    """Write the empty template workbook atomically; refuse to replace a file unless ``force``."""
    wb = template_workbook()
    return write_atomic(path, lambda tmp: wb.save(tmp), force=force)
