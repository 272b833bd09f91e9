"""Keeps a room to one session at a time (windows are the room variable's domains)."""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from rota.scheduler.cpsat.variables import Variables


def add_room_rules(model: cp_model.CpModel, v: Variables) -> None:
    intervals: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
    for (rid, room_id), z in v.room.items():
        minutes = v.referral(rid).minutes
        intervals[room_id].append(
            model.new_optional_fixed_size_interval_var(
                v.start[rid], minutes, z, f"room[{rid},{room_id}]"
            )
        )
    for items in intervals.values():
        if len(items) > 1:
            model.add_no_overlap(items)
