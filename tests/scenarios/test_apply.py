"""Every change operation: applied, validated, and the base left untouched."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from rota.models import PreviousSession, Problem, Rate
from rota.scenarios.apply import apply_scenario, load_and_apply
from rota.scenarios.spec import ScenarioError, load_scenario, scenario_from_data
from tests.conftest import make_two_therapists_service


def _service() -> Problem:
    """The shared two-therapist service plus a previous rota and a rate."""
    base = make_two_therapists_service()
    room = base.rooms[0]
    return base.model_copy(
        update={
            "previous": (
                PreviousSession(
                    referral_id="R2", therapist_id="T2", day="Mon", start=600, room_id=room.room_id
                ),
                PreviousSession(
                    referral_id="R1", therapist_id="T1", day="Fri", start=540, room_id=room.room_id
                ),
            ),
            "rates": (Rate(effective_from=dt.date(2027, 1, 1), hourly_rate=50.0),),
        }
    )


def _apply(base: Problem, *changes: dict[str, Any]) -> Problem:
    """Apply the changes and check the base did not move."""
    before = base.model_dump(mode="json")
    scenario = scenario_from_data({"name": "s", "changes": list(changes)}, "s.yaml")
    out = apply_scenario(base, scenario)
    assert base.model_dump(mode="json") == before
    # The result is a valid Problem in its own right (re-validation from a dump succeeds).
    assert Problem.model_validate(out.model_dump()) == out
    return out


def _errors(base: Problem, *changes: dict[str, Any]) -> list[str]:
    before = base.model_dump(mode="json")
    with pytest.raises(ScenarioError) as info:
        scenario = scenario_from_data({"name": "s", "changes": list(changes)}, "s.yaml")
        apply_scenario(base, scenario)
    assert base.model_dump(mode="json") == before
    return info.value.messages


def test_remove_therapist_clears_current_therapist_and_previous_rows() -> None:
    base = _service()
    assert base.referral_by_id["R2"].current_therapist_id == "T2"
    out = _apply(base, {"op": "remove_therapist", "therapist_id": "T2"})
    assert "T2" not in out.therapist_by_id
    assert out.referral_by_id["R2"].current_therapist_id is None
    assert [p.therapist_id for p in out.previous] == ["T1"]
    # Referrals with another current therapist keep it.
    assert out.referral_by_id["R1"].current_therapist_id == "T1"


def test_unknown_therapist_is_located_with_a_suggestion() -> None:
    base = _service()
    messages = _errors(base, {"op": "remove_therapist", "therapist_id": "T22"})
    assert messages == [
        "s.yaml: changes[0] (remove_therapist) therapist_id: unknown therapist 'T22' "
        "(did you mean 'T2'?)"
    ]


def test_add_therapist_then_change_their_hours_in_the_same_scenario() -> None:
    base = _service()
    row = {
        "therapist_id": "T9",
        "disciplines": "drama",
        "base_site_id": "CAM",
        "works": "Tue-Thu 09:00-15:00",
    }
    out = _apply(
        base,
        {"op": "add_therapist", "therapist": row},
        {"op": "set_availability", "which": "therapist", "id": "T9", "availability": "Fri"},
    )
    assert out.therapists[-1].therapist_id == "T9"
    assert out.therapist_windows("T9") == {"Fri": ((8 * 60 + 30, 17 * 60),)}


def test_add_therapist_with_unknown_base_is_blamed_on_the_change() -> None:
    row = {"therapist_id": "T9", "disciplines": "drama", "base_site_id": "CAMM", "works": "Mon"}
    messages = _errors(_service(), {"op": "add_therapist", "therapist": row})
    assert messages == [
        "s.yaml: changes[0] (add_therapist): Therapists T9, base_site_id: unknown site 'CAMM' "
        "(did you mean 'CAM'?)"
    ]


def test_add_an_existing_therapist_is_refused() -> None:
    row = {"therapist_id": "T1", "disciplines": "music", "base_site_id": "CAM", "works": "Mon"}
    assert _errors(_service(), {"op": "add_therapist", "therapist": row}) == [
        "s.yaml: changes[0] (add_therapist) therapist.therapist_id: therapist 'T1' already exists"
    ]


def test_set_availability_of_a_room_and_of_a_site_hours_and_blocked() -> None:
    base = _service()
    room_id = base.rooms[0].room_id
    site_id = base.rooms[0].site_id
    out = _apply(
        base,
        {"op": "set_availability", "which": "room", "id": room_id, "availability": "Tue"},
        {
            "op": "set_availability",
            "which": "site",
            "id": site_id,
            "availability": "Mon-Fri 09:00-15:00",
        },
        {
            "op": "set_availability",
            "which": "site",
            "id": site_id,
            "column": "blocked",
            "availability": "Tue 12:00-13:00",
        },
    )
    assert out.room_windows(room_id) == {"Tue": ((540, 720), (780, 900))}
    assert out.site_by_id[site_id].blocked is not None


def test_set_availability_column_is_only_for_sites() -> None:
    messages = _errors(
        _service(),
        {
            "op": "set_availability",
            "which": "room",
            "id": "X",
            "column": "blocked",
            "availability": "Mon",
        },
    )
    assert messages == [
        "s.yaml: changes[0] (set_availability): column is only for a site, not a room"
    ]


def test_close_room_on_fridays_keeps_other_days_and_drops_friday_previous() -> None:
    base = _service()
    room_id = base.rooms[0].room_id
    assert "Fri" in base.room_windows(room_id)
    out = _apply(base, {"op": "close_room", "room_id": room_id, "days": "Fri"})
    assert set(out.room_windows(room_id)) == set(base.room_windows(room_id)) - {"Fri"}
    for day in ("Mon", "Tue", "Wed", "Thu"):
        assert out.room_windows(room_id)[day] == base.room_windows(room_id)[day]
    assert [(p.referral_id, p.day) for p in out.previous] == [("R2", "Mon")]


def test_close_room_entirely_removes_it_and_its_previous_rows() -> None:
    base = _service()
    room_id = base.rooms[0].room_id
    out = _apply(base, {"op": "close_room", "room_id": room_id})
    assert room_id not in out.room_by_id
    assert out.previous == ()
    assert len(out.rooms) == len(base.rooms) - 1


def test_close_site_on_days_and_dates() -> None:
    base = _service()
    out = _apply(
        base,
        {
            "op": "close_site",
            "site_id": "CAM",
            "days": ["Mon", "Tue"],
            "dates": [dt.date(2027, 2, 1), "2027-02-15..2027-02-19"],
            "label": "Building work",
        },
    )
    assert set(out.site_hours("CAM")) == {"Wed", "Thu", "Fri"}
    assert out.site_hours("CAM")["Wed"] == base.site_hours("CAM")["Wed"]
    added = out.closures[len(base.closures) :]
    assert [(c.date_from, c.date_to, c.site_id, c.label) for c in added] == [
        (dt.date(2027, 2, 1), dt.date(2027, 2, 1), "CAM", "Building work"),
        (dt.date(2027, 2, 15), dt.date(2027, 2, 19), "CAM", "Building work"),
    ]


def test_close_site_needs_days_or_dates() -> None:
    assert _errors(_service(), {"op": "close_site", "site_id": "CAM"}) == [
        "s.yaml: changes[0] (close_site): give days (e.g. 'Fri') or dates (e.g. ['2027-02-15'])"
    ]


def test_add_referrals_inline_and_remove_referrals() -> None:
    base = _service()
    out = _apply(
        base,
        {
            "op": "add_referrals",
            "rows": [
                {
                    "referral_id": "N1",
                    "client": "KL",
                    "site_ids": "CAM",
                    "discipline": "music",
                    "minutes": 30,
                },
                {
                    "referral_id": "N2",
                    "client": "MN",
                    "site_ids": "ELY",
                    "discipline": "drama",
                    "minutes": 45,
                    "priority": 1,
                },
            ],
        },
        {"op": "remove_referrals", "referral_ids": ["R1"]},
    )
    ids = [r.referral_id for r in out.referrals]
    assert ids == [r.referral_id for r in base.referrals if r.referral_id != "R1"] + ["N1", "N2"]
    assert out.referral_by_id["N2"].priority == 1
    # R1's previous row goes with it.
    assert all(p.referral_id != "R1" for p in out.previous)


def test_add_referrals_that_exist_or_bad_rows_are_located() -> None:
    messages = _errors(
        _service(),
        {
            "op": "add_referrals",
            "rows": [
                {"referral_id": "R1", "site_ids": "CAM", "discipline": "music", "minutes": 30},
                {"referral_id": "N2", "site_ids": "CAM", "discipline": "music", "minutes": 3},
            ],
        },
        {"op": "remove_referrals", "referral_ids": ["R77"]},
    )
    assert messages[0] == (
        "s.yaml: changes[0] (add_referrals) rows[1].minutes: 3 is too small: it must be at least 5"
    )
    assert len(messages) == 1  # the file is read whole before anything is applied


def test_remove_unknown_referrals_lists_each() -> None:
    messages = _errors(_service(), {"op": "remove_referrals", "referral_ids": "R1, R77, R88"})
    assert messages == [
        "s.yaml: changes[0] (remove_referrals) referral_ids: unknown referral 'R77'",
        "s.yaml: changes[0] (remove_referrals) referral_ids: unknown referral 'R88'",
    ]


def test_add_referrals_from_a_workbook_relative_to_the_scenario(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "New"
    ws.append(["referral_id", "client", "site_id", "discipline", "minutes", "priority"])
    ws.append(["N1", "OP", "CAM|ELY", "music", 30, 2])
    ws.append(["N2", "QR", "ELY", "drama", 45, None])
    wb.save(tmp_path / "new.xlsx")
    (tmp_path / "s1.yaml").write_text(
        "name: more\nchanges:\n  - op: add_referrals\n    from: new.xlsx\n    sheet: New\n"
    )
    base = _service()
    out = apply_scenario(base, load_scenario(tmp_path / "s1.yaml"))
    assert out.referral_by_id["N1"].site_ids == ("CAM", "ELY")
    assert out.referral_by_id["N1"].priority == 2
    assert out.referral_by_id["N2"].priority == 3
    assert len(out.referrals) == len(base.referrals) + 2


def test_add_referrals_from_a_workbook_with_bad_rows(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Referrals"
    ws.append(["referral_id", "site_id", "discipline", "minutes"])
    ws.append(["N1", "CAM", "music", "half an hour"])
    ws.append(["N2", "CAM", "mime", 30])
    wb.save(tmp_path / "new.xlsx")
    (tmp_path / "s1.yaml").write_text(
        "name: more\nchanges:\n  - op: add_referrals\n    from: new.xlsx\n"
        "  - op: add_referrals\n    from: missing.xlsx\n"
    )
    with pytest.raises(ScenarioError) as info:
        apply_scenario(_service(), load_scenario(tmp_path / "s1.yaml"))
    messages = info.value.messages
    assert len(messages) == 3
    assert messages[0].startswith(
        "s1.yaml: changes[0] (add_referrals) from: new.xlsx: Referrals row 2, column minutes:"
    )
    assert messages[1].startswith(
        "s1.yaml: changes[0] (add_referrals) from: new.xlsx: Referrals row 3, column discipline:"
    )
    assert messages[2].startswith("s1.yaml: changes[1] (add_referrals) from: ")
    assert "no such file" in messages[2]


def test_set_setting_validates_name_and_value() -> None:
    base = _service()
    out = _apply(base, {"op": "set_setting", "name": "admin_minutes", "value": 15})
    assert out.settings.admin_minutes == 15
    assert base.settings.admin_minutes == 10
    out = _apply(base, {"op": "set_setting", "name": "travel_speed_kmh", "value": "32.5"})
    assert out.settings.travel_speed_kmh == 32.5
    messages = _errors(
        base,
        {"op": "set_setting", "name": "admin_minute", "value": 15},
        {"op": "set_setting", "name": "admin_minutes", "value": 7},
        {"op": "set_setting", "name": "lunch_minutes", "value": -5},
    )
    assert messages == [
        "s.yaml: changes[0] (set_setting) name: unknown setting 'admin_minute' "
        "(did you mean 'admin_minutes'?)",
        "s.yaml: changes[1] (set_setting): Settings, admin_minutes: 7 is not a multiple of "
        "slot_minutes (5)",
        "s.yaml: changes[2] (set_setting) value: -5 is too small: it must be at least 0",
    ]


def test_set_rate_replaces_same_date_and_keeps_order() -> None:
    base = _service()
    out = _apply(
        base,
        {"op": "set_rate", "effective_from": "2027-02-22", "hourly_rate": 55},
        {"op": "set_rate", "effective_from": "2027-01-01", "hourly_rate": 52.5},
    )
    assert [(r.effective_from, r.hourly_rate) for r in out.rates] == [
        (dt.date(2027, 1, 1), 52.5),
        (dt.date(2027, 2, 22), 55.0),
    ]


def test_pin_replaces_the_referrals_previous_rows() -> None:
    base = _service()
    room_id = base.rooms[0].room_id
    out = _apply(
        base,
        {
            "op": "pin",
            "sessions": [
                {
                    "referral_id": "R2",
                    "therapist_id": "T1",
                    "day": "Tuesday",
                    "start": "10:00",
                    "room_id": room_id,
                },
            ],
        },
    )
    r2 = [p for p in out.previous if p.referral_id == "R2"]
    assert r2 == [
        PreviousSession(
            referral_id="R2", therapist_id="T1", day="Tue", start=600, room_id=room_id, pinned=True
        )
    ]
    assert [p.referral_id for p in out.previous if p.referral_id != "R2"] == ["R1"]


def test_pin_with_unknown_ids_names_each() -> None:
    messages = _errors(
        _service(),
        {
            "op": "pin",
            "sessions": [
                {
                    "referral_id": "R9",
                    "therapist_id": "T7",
                    "day": "Mon",
                    "start": "10:00",
                    "room_id": "NOPE",
                },
            ],
        },
    )
    assert [m.split(": ", 2)[1] for m in messages] == [
        "changes[0] (pin) sessions[0].referral_id",
        "changes[0] (pin) sessions[0].therapist_id",
        "changes[0] (pin) sessions[0].room_id",
    ]


def test_every_error_of_every_change_at_once() -> None:
    messages = _errors(
        _service(),
        {"op": "remove_therapist", "therapist_id": "T99"},
        {"op": "close_room", "room_id": "NOPE"},
        {"op": "close_site", "site_id": "CAM", "days": "Fri"},
        {"op": "set_setting", "name": "colour", "value": 1},
    )
    assert [m.split(" ", 3)[1:3] for m in messages] == [
        ["changes[0]", "(remove_therapist)"],
        ["changes[1]", "(close_room)"],
        ["changes[3]", "(set_setting)"],
    ]


def test_a_file_with_malformed_changes_still_reports_the_others(tmp_path: Path) -> None:
    (tmp_path / "s1.yaml").write_text(
        "name: mixed\nchanges:\n"
        "  - op: remove_therapist\n    therapist_id: T22\n"
        "  - op: close_room\n    room: CAM-1\n"
        "  - op: close_site\n    site_id: ELYY\n    days: Fri\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_and_apply(_service(), tmp_path / "s1.yaml")
    assert info.value.messages == [
        "s1.yaml: changes[0] (remove_therapist) therapist_id: unknown therapist 'T22' "
        "(did you mean 'T2'?)",
        "s1.yaml: changes[1] (close_room) room_id: Field required",
        "s1.yaml: changes[1] (close_room) room: is not a known field",
        "s1.yaml: changes[2] (close_site) site_id: unknown site 'ELYY' (did you mean 'ELY'?)",
    ]


def test_load_and_apply_of_a_good_file(tmp_path: Path) -> None:
    (tmp_path / "s1.yaml").write_text("changes:\n  - op: remove_referrals\n    referral_ids: R5\n")
    scenario, problem = load_and_apply(_service(), tmp_path / "s1.yaml")
    assert scenario.name == "s1"
    assert "R5" not in problem.referral_by_id
