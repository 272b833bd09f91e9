"""Problem -> xlsx / yaml / json -> Problem gives back an equal Problem, field for field."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from rota.io import read_problem
from rota.io.parse import RECORD_SHEETS, SETTING_KINDS
from rota.io.write import write_problem
from rota.models import (
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
from rota.reports.atomic import OutputError


def rich_problem() -> Problem:
    """Every sheet and every field set away from its default, with awkward values."""
    return Problem(
        settings=Settings(
            term_name="Summer 2027",
            term_start=dt.date(2027, 4, 19),
            term_end=dt.date(2027, 7, 21),
            days=("Mon", "Tue", "Wed", "Thu"),
            working_day="08:00-16:30",
            slot_minutes=5,
            admin_minutes=15,
            lunch_minutes=45,
            lunch_window="12:00-14:00",
            travel_speed_kmh=45.5,
            road_factor=1.25,
            arrival_minutes=10,
            max_sites_per_day=3,
            long_drive_minutes=45,
            service_name="Cambs Arts Therapies",
            service_contact="arts.therapies@example.org",
            balance_loads=True,
            mileage_rate=0.45,
        ),
        sites=(
            Site(
                site_id="1001",
                name="Numbered special school",
                kind="special_school",
                town="March",
                latitude=52.5511,
                longitude=0.0885,
                hours="Mon-Thu 08:45-15:15; Fri",
                blocked="Mon, Wed 12:00-12:45, 14:00-14:20",
                contact="SENCo 01354 000000",
                arrival_minutes=15,
            ),
            Site(
                site_id="HUN-CLINIC",
                name="Huntingdon clinic",
                kind="clinic",
                town="Huntingdon",
                latitude=52.3307,
                longitude=-0.1826,
                hours="Mon-Fri 08:30-17:00",
            ),
            Site(
                site_id="WIS-UNIT",
                name="Wisbech unit",
                kind="unit",
                latitude=52.6661,
                longitude=0.1594,
            ),
            Site(
                site_id="ST-N-CC",
                name="St Neots children's centre",
                kind="childrens_centre",
                latitude=52.2286,
                longitude=-0.2637,
                blocked="Fri",
            ),
            Site(
                site_id="ELY-FIELDS",
                name="Fieldside Primary",
                kind="school",
                latitude=52.399,
                longitude=0.262,
            ),
        ),
        rooms=(
            Room(
                room_id="1001-HALL",
                site_id="1001",
                name="Hall",
                capacity=12,
                features=("Soundproof", "piano", "mirrors"),
                available="Mon 09:00-10:30, 13:00-15:00; Wed",
            ),
            Room(room_id="HUN-1", site_id="HUN-CLINIC", capacity=2),
            Room(room_id="WIS-1", site_id="WIS-UNIT", name="Quiet room", capacity=3),
            Room(room_id="STN-1", site_id="ST-N-CC", capacity=6, features=("percussion",)),
            Room(room_id="ELY-1", site_id="ELY-FIELDS", capacity=4, features=("piano",)),
        ),
        therapists=(
            Therapist(
                therapist_id="T01",
                name="A. Bell",
                disciplines=("music", "dance"),
                base_site_id="HUN-CLINIC",
                works="Mon-Wed 08:30-17:00; Thu 08:30-12:30",
                max_sessions_per_day=6,
                max_contact_minutes=900,
                max_sites_per_day=2,
                max_drive_minutes_per_day=120,
                skills=("attachment", "vig"),
                absences="2027-05-03..2027-05-07; 14/06/2027",
                contract_minutes=840,
                preferred_days=("Mon", "Wed"),
                avoid_days=("Thu",),
                preferred_sites=("1001", "HUN-CLINIC"),
            ),
            Therapist(
                therapist_id="T02",
                disciplines=("drama",),
                base_site_id="1001",
                works="Tue-Thu",
                max_sessions_per_day=0,
            ),
            Therapist(
                therapist_id="T03",
                disciplines=("drama", "music"),
                base_site_id="WIS-UNIT",
                works="Mon 08:00-12:00, 13:00-16:00",
            ),
        ),
        referrals=(
            Referral(
                referral_id="R0001",
                client="A.B.",
                site_ids=("1001", "HUN-CLINIC"),
                discipline="music",
                minutes=30,
                priority=1,
                needs_features=("piano",),
                needs_skills=("attachment",),
                current_therapist_id="T01",
                available="Mon-Wed 09:00-12:00",
                preferred="Tue 09:00-10:30",
                funding="EHC plan",
                start_date=dt.date(2027, 5, 10),
                end_date=dt.date(2027, 7, 9),
            ),
            Referral(
                referral_id="R0002",
                client="Year 5 group",
                site_ids=("1001",),
                discipline="drama",
                minutes=45,
                group_size=6,
                therapists_needed=2,
                priority=5,
            ),
            Referral(
                referral_id="0042",
                client="C.D.",
                site_ids=("ST-N-CC",),
                discipline="dance",
                minutes=40,
                preferred="Mon",
            ),
        ),
        travel=(
            TravelOverride(from_site_id="HUN-CLINIC", to_site_id="1001", minutes=41),
            TravelOverride(from_site_id="1001", to_site_id="HUN-CLINIC", minutes=38),
            TravelOverride(from_site_id="WIS-UNIT", to_site_id="ELY-FIELDS", minutes=0),
        ),
        rates=(
            Rate(effective_from=dt.date(2026, 9, 1), hourly_rate=51.0),
            Rate(effective_from=dt.date(2027, 4, 1), hourly_rate=53.25),
        ),
        closures=(
            Closure(date_from=dt.date(2027, 5, 31), date_to=dt.date(2027, 6, 4), label="Half term"),
            Closure(
                date_from=dt.date(2027, 6, 11),
                date_to=dt.date(2027, 6, 11),
                label="INSET",
                site_id="1001",
            ),
        ),
        previous=(
            PreviousSession(
                referral_id="R0001",
                therapist_id="T01",
                day="Tue",
                start=9 * 60 + 30,
                room_id="1001-HALL",
                pinned=True,
            ),
            PreviousSession(
                referral_id="R0002",
                therapist_id="T02",
                day="Wed",
                start=13 * 60 + 5,
                room_id="1001-HALL",
            ),
        ),
    )


def test_rich_problem_covers_every_sheet_and_field() -> None:
    problem = rich_problem()
    for spec in RECORD_SHEETS:
        items = getattr(problem, spec.problem_field)
        assert items, spec.name
        for column in spec.columns:
            # Some record sets this column away from the model's default.
            default = spec.model.model_fields[column.field].default
            assert any(getattr(i, column.field) != default for i in items), column.name
    defaults = Settings()
    for name in SETTING_KINDS:
        if name != "slot_minutes":
            assert getattr(problem.settings, name) != getattr(defaults, name), name


@pytest.mark.parametrize("suffix", [".xlsx", ".yaml", ".yml", ".json"])
def test_round_trip_is_exact(tmp_path: Path, suffix: str) -> None:
    problem = rich_problem()
    path = tmp_path / f"service{suffix}"
    write_problem(problem, path)
    again = read_problem(path)
    assert again == problem
    for field in Problem.model_fields:
        assert getattr(again, field) == getattr(problem, field), field


def test_xlsx_has_exact_columns_frozen_headers_and_cell_types(tmp_path: Path) -> None:
    path = tmp_path / "service.xlsx"
    write_problem(rich_problem(), path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Settings", *(s.name for s in RECORD_SHEETS)]
    for spec in RECORD_SHEETS:
        ws = wb[spec.name]
        assert [c.value for c in ws[1]] == [c.name for c in spec.columns]
        assert ws.freeze_panes == "A2"
    assert [c.value for c in wb["Settings"][1]] == ["setting", "value"]
    assert wb["Settings"].freeze_panes == "A2"
    closures = wb["Closures"]
    assert closures["A2"].value == dt.datetime(2027, 5, 31)
    assert closures["A2"].is_date
    assert wb["Previous"]["D2"].value == "09:30"
    assert wb["Previous"]["F2"].value == "yes"
    assert wb["Referrals"]["C2"].value == "1001|HUN-CLINIC"
    assert wb["Rooms"]["E2"].value == "mirrors, piano, soundproof"
    assert wb["Sites"]["G2"].value == "Mon-Thu 08:45-15:15; Fri"
    assert wb["Sites"]["A2"].value == "1001"


def test_demo_problem_round_trips(tmp_path: Path) -> None:
    from rota.demo import generate_problem

    problem = generate_problem("small", 3)
    for suffix in (".xlsx", ".yaml", ".json"):
        path = tmp_path / f"demo{suffix}"
        write_problem(problem, path)
        assert read_problem(path) == problem, suffix


def test_write_refuses_to_replace_without_force(tmp_path: Path) -> None:
    path = tmp_path / "service.json"
    write_problem(rich_problem(), path)
    before = path.read_bytes()
    with pytest.raises(OutputError, match="already exists"):
        write_problem(Problem(), path, force=False)
    assert path.read_bytes() == before
    write_problem(Problem(), path, force=True)
    assert json.loads(path.read_text())["sites"] == []
    assert [p.name for p in tmp_path.iterdir()] == ["service.json"]


def test_write_unknown_suffix_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="unknown file type '.csv'"):
        write_problem(rich_problem(), tmp_path / "service.csv")


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    problem = rich_problem()
    site = problem.sites[0].model_copy(update={"contact": "=SENCo+Head"})
    problem = problem.model_copy(update={"sites": (site, *problem.sites[1:])})
    path = tmp_path / "service.xlsx"
    write_problem(problem, path)
    cell = load_workbook(path)["Sites"]["I2"]
    assert (cell.value, cell.data_type) == ("=SENCo+Head", "s")
    assert read_problem(path).sites[0].contact == "=SENCo+Head"
