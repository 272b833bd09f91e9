"""Reading scenario files: every op, and bad files' located messages all at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rota.scenarios.spec import (
    AddReferrals,
    AddTherapist,
    CloseRoom,
    CloseSite,
    Pin,
    RemoveTherapist,
    ScenarioError,
    SetAvailability,
    SetRate,
    load_scenario,
)

GOOD = """\
name: mixed
description: one of each kind
changes:
  - op: remove_therapist
    therapist_id: T003
  - op: add_therapist
    therapist:
      therapist_id: T099
      disciplines: drama
      base_site_id: HUN
      works: Mon-Thu 09:00-17:00
  - op: set_availability
    which: site
    id: CAM
    column: blocked
    availability: Mon-Fri 12:00-12:45
  - op: close_room
    room_id: CAM-1
    days: Fri
  - op: close_site
    site_id: CAM
    dates: [2027-02-15..2027-02-19, 2027-03-01]
  - op: add_referrals
    rows:
      - {referral_id: N1, client: AB, site_id: CAM, discipline: music, minutes: 30}
  - op: remove_referrals
    referral_ids: [R0001, R0002]
  - op: set_setting
    name: admin_minutes
    value: 15
  - op: set_rate
    effective_from: 2027-04-01
    hourly_rate: 55
  - op: pin
    sessions:
      - {referral_id: R0003, therapist_id: T001, day: Tue, start: 9:30, room_id: CAM-1}
      - {referral_id: R0004, therapist_id: T001, day: Wed, start: "14:05", room_id: CAM-1}
"""


def _write(tmp_path: Path, text: str, name: str = "s1.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_op_reads(tmp_path: Path) -> None:
    s = load_scenario(_write(tmp_path, GOOD))
    assert s.name == "mixed" and s.label == "s1.yaml"
    assert [c.op for c in s.changes] == [
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
    ]
    assert isinstance(s.changes[0], RemoveTherapist) and s.changes[0].therapist_id == "T003"
    assert isinstance(s.changes[1], AddTherapist) and s.changes[1].therapist.disciplines == (
        "drama",
    )
    assert isinstance(s.changes[2], SetAvailability) and s.changes[2].column == "blocked"
    assert isinstance(s.changes[3], CloseRoom) and s.changes[3].days == ("Fri",)
    site = s.changes[4]
    assert isinstance(site, CloseSite) and site.dates is not None
    assert [(d.date_from, d.date_to) for d in site.dates] == [
        (dt.date(2027, 2, 15), dt.date(2027, 2, 19)),
        (dt.date(2027, 3, 1), dt.date(2027, 3, 1)),
    ]
    added = s.changes[5]
    assert isinstance(added, AddReferrals) and added.rows is not None
    assert added.rows[0].site_ids == ("CAM",)
    assert isinstance(s.changes[8], SetRate) and s.changes[8].effective_from == dt.date(2027, 4, 1)
    pin = s.changes[9]
    assert isinstance(pin, Pin)
    # YAML reads an unquoted 9:30 as the number 570: minutes after midnight all the same.
    assert [(p.day, p.start) for p in pin.sessions] == [("Tue", 570), ("Wed", 14 * 60 + 5)]


def test_summary_says_what_each_change_does(tmp_path: Path) -> None:
    s = load_scenario(_write(tmp_path, GOOD))
    assert s.summary.splitlines() == [
        "remove therapist T003",
        "add therapist T099 (drama, base HUN)",
        "site CAM blocked: Mon-Fri 12:00-12:45",
        "close room CAM-1 on Fri",
        "close site CAM on 2027-02-15..2027-02-19, 2027-03-01",
        "add 1 referral(s)",
        "remove referral(s) R0001, R0002",
        "admin_minutes = 15",
        "hourly rate £55.00 from 2027-04-01",
        "pin 2 session(s) (R0003, R0004)",
    ]


def test_name_defaults_to_the_file_name(tmp_path: Path) -> None:
    s = load_scenario(_write(tmp_path, "changes: []\n", "quiet-week.yaml"))
    assert s.name == "quiet-week" and s.changes == ()


def test_bad_file_lists_every_problem_located(tmp_path: Path) -> None:
    text = """\
name: broken
changes:
  - op: remove_therapist
    therapist: T003
  - op: frobnicate
  - therapist_id: T1
  - op: close_room
    room_id: CAM-1
    days: Fryday
  - op: set_rate
    effective_from: someday
    hourly_rate: -3
  - op: close_site
    site_id: CAM
    dates: [2027-02-19..2027-02-15]
"""
    with pytest.raises(ScenarioError) as info:
        load_scenario(_write(tmp_path, text))
    messages = info.value.messages
    ops = "remove_therapist, add_therapist, set_availability, close_room, close_site, "
    ops += "add_referrals, remove_referrals, set_setting, set_rate, pin"
    assert messages[:4] == [
        "s1.yaml: changes[0] (remove_therapist) therapist_id: Field required",
        "s1.yaml: changes[0] (remove_therapist) therapist: is not a known field",
        f"s1.yaml: changes[1] (frobnicate): unknown op 'frobnicate' (use one of: {ops})",
        f"s1.yaml: changes[2]: no op given (use one of: {ops})",
    ]
    assert messages[4].startswith("s1.yaml: changes[3] (close_room) days: 'Fryday' is not a day")
    assert messages[5].startswith("s1.yaml: changes[4] (set_rate) effective_from: ")
    assert messages[6] == (
        "s1.yaml: changes[4] (set_rate) hourly_rate: -3 is too small: it must be at least 0"
    )
    assert messages[7] == (
        "s1.yaml: changes[5] (close_site) dates[0]: span ends (2027-02-15) before it starts "
        "(2027-02-19)"
    )
    assert len(messages) == 8


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "name: x\nchanges:\n  - op: pin\n   sessions: []\n",
            "s1.yaml: line 4, column 4: not valid YAML",
        ),
        ("- just\n- a list\n", "s1.yaml: expected a mapping with name, description and changes"),
        ("name: x\nchanges:\n  op: pin\n", "s1.yaml: changes: expected a list of changes"),
        ("name: x\ncolour: blue\n", "s1.yaml: colour: is not a known field"),
    ],
)
def test_unreadable_files_say_where(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(_write(tmp_path, text))
    assert info.value.messages[0].startswith(message)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "nope.yaml")
    assert info.value.messages[0] == "nope.yaml: cannot read: No such file or directory"
