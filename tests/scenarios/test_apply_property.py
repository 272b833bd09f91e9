"""Property: any sequence of changes either applies to a consistent Problem or says where not."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from rota.models import DAYS
from rota.scenarios.apply import apply_scenario
from rota.scenarios.spec import ScenarioError, scenario_from_data
from tests.scenarios.test_apply import _service

BASE = _service()
THERAPISTS = [t.therapist_id for t in BASE.therapists] + ["T9"]
ROOMS = [r.room_id for r in BASE.rooms] + ["NOPE"]
SITES = [s.site_id for s in BASE.sites]
REFERRALS = [r.referral_id for r in BASE.referrals]
service_days = st.lists(st.sampled_from(DAYS[:5]), min_size=1, max_size=3, unique=True)

changes = st.one_of(
    st.builds(lambda t: {"op": "remove_therapist", "therapist_id": t}, st.sampled_from(THERAPISTS)),
    st.builds(
        lambda r, d: {"op": "close_room", "room_id": r, "days": d},
        st.sampled_from(ROOMS),
        st.none() | service_days,
    ),
    st.builds(
        lambda s, d: {"op": "close_site", "site_id": s, "days": d},
        st.sampled_from(SITES),
        service_days,
    ),
    st.builds(
        lambda ids: {"op": "remove_referrals", "referral_ids": ids},
        st.lists(st.sampled_from(REFERRALS), min_size=1, max_size=2, unique=True),
    ),
    st.builds(
        lambda v: {"op": "set_setting", "name": "admin_minutes", "value": v},
        st.integers(0, 6).map(lambda i: i * 5),
    ),
    st.builds(
        lambda r, t, room, day, slot: {
            "op": "pin",
            "sessions": [
                {
                    "referral_id": r,
                    "therapist_id": t,
                    "day": day,
                    "start": 540 + 5 * slot,
                    "room_id": room,
                }
            ],
        },
        st.sampled_from(REFERRALS),
        st.sampled_from(THERAPISTS[:-1]),
        st.sampled_from(ROOMS[:-1]),
        st.sampled_from(DAYS[:5]),
        st.integers(0, 20),
    ),
)


def _expected_failures(items: list[dict[str, Any]]) -> set[int]:
    """Which changes must fail: those naming something absent by then (a failed change is
    skipped, so it removes nothing)."""
    therapists = set(THERAPISTS[:-1])
    rooms = set(ROOMS[:-1])
    referrals = set(REFERRALS)
    failing: set[int] = set()
    for idx, item in enumerate(items):
        op = item["op"]
        if op == "remove_therapist":
            if item["therapist_id"] in therapists:
                therapists.discard(item["therapist_id"])
            else:
                failing.add(idx)
        elif op == "close_room":
            if item["room_id"] not in rooms:
                failing.add(idx)
            elif item["days"] is None:
                rooms.discard(item["room_id"])
        elif op == "remove_referrals":
            if set(item["referral_ids"]) <= referrals:
                referrals -= set(item["referral_ids"])
            else:
                failing.add(idx)
        elif op == "pin":
            s = item["sessions"][0]
            if not (
                s["referral_id"] in referrals
                and s["therapist_id"] in therapists
                and s["room_id"] in rooms
            ):
                failing.add(idx)
    return failing


@settings(max_examples=80, deadline=None)
@given(st.lists(changes, max_size=5))
def test_any_changes_apply_consistently_or_are_located(items: list[dict[str, Any]]) -> None:
    before = BASE.model_dump(mode="json")
    scenario = scenario_from_data({"name": "p", "changes": items}, "p.yaml")
    failing = _expected_failures(items)
    try:
        out = apply_scenario(BASE, scenario)
    except ScenarioError as exc:
        assert BASE.model_dump(mode="json") == before
        located = {int(m.split("changes[")[1].split("]")[0]) for m in exc.messages}
        assert all(m.startswith("p.yaml: changes[") for m in exc.messages)
        assert located == failing
        return
    assert not failing
    assert BASE.model_dump(mode="json") == before
    therapists, rooms = set(out.therapist_by_id), set(out.room_by_id)
    referrals = set(out.referral_by_id)
    assert all(r.current_therapist_id in therapists | {None} for r in out.referrals)
    for p in out.previous:
        assert p.therapist_id in therapists and p.room_id in rooms and p.referral_id in referrals
    for item in items:
        if item["op"] == "remove_therapist":
            assert item["therapist_id"] not in therapists
        if item["op"] == "close_room" and item["days"] is None:
            assert item["room_id"] not in rooms
        if item["op"] == "close_room" and item["days"] and item["room_id"] in rooms:
            assert not set(item["days"]) & set(out.room_windows(item["room_id"]))
        if item["op"] == "close_site":
            assert not set(item["days"]) & set(out.site_hours(item["site_id"]))
    assert out.find_issues() == [i for i in out.find_issues() if i.level == "warning"]
