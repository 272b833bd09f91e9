"""The CP-SAT variable container: built once from the Problem and its pruned candidates.

Time is measured in week minutes (day index x 1440 + minute) so that one start variable per
referral carries both its day and its time, and windows become variable domains.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from rota.models import DAYS, Day, Problem, Referral, Session
from rota.scheduler.candidates import DAY_MINUTES, Candidates, Option
from rota.scheduler.day import DayRules, DayShape


def day_offset(day: str) -> int:
    return DAYS.index(day) * DAY_MINUTES


def domain_of(intervals: list[tuple[int, int]]) -> cp_model.Domain:
    """A CP-SAT domain from inclusive intervals (merged)."""
    flat: list[list[int]] = []
    for lo, hi in sorted(intervals):
        if flat and lo <= flat[-1][1] + 1:
            flat[-1][1] = max(flat[-1][1], hi)
        else:
            flat.append([lo, hi])
    return cp_model.Domain.from_intervals(flat)


def grid_domain(intervals: list[tuple[int, int]], slot: int) -> cp_model.Domain:
    """Domain of grid points inside inclusive intervals (start times are on the slot grid)."""
    points = sorted({t for lo, hi in intervals for t in range(lo, hi + 1, slot)})
    return cp_model.Domain.from_values(points)


@dataclass
class Block:
    """A therapist's stay at one site on one day: first arrival to last admin end."""

    site_id: str
    used: cp_model.IntVar
    start: cp_model.IntVar
    end: cp_model.IntVar
    sessions: list[tuple[str, cp_model.IntVar]] = field(default_factory=list)  # (referral, a)


@dataclass
class TherapistDayVars:
    therapist_id: str
    day: str
    shape: DayShape
    blocks: dict[str, Block] = field(default_factory=dict)
    arcs: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    # (arc, driving minutes) of every arc, arrival not counted (made by the travel family)
    drives: list[tuple[cp_model.IntVar, int]] = field(default_factory=list)
    empty: cp_model.IntVar | None = None
    lunch_start: cp_model.IntVar | None = None
    lunch_at: dict[str, cp_model.IntVar] = field(default_factory=dict)  # site / "^" / "$"
    first: cp_model.IntVar | None = None
    last: cp_model.IntVar | None = None

    @property
    def sites(self) -> list[str]:
        return list(self.blocks)


class Variables:
    """Every decision variable, with queries so that constraint code never digs into dicts."""

    def __init__(
        self,
        model: cp_model.CpModel,
        problem: Problem,
        candidates: dict[str, Candidates],
        fixed: Sequence[Session] = (),
    ):
        self.model = model
        self.problem = problem
        self.candidates = candidates
        # What sessions outside the model (they stay as they are) use of each limit.
        self.fixed_contact: dict[str, int] = defaultdict(int)
        self.fixed_per_day: dict[tuple[str, str], int] = defaultdict(int)
        for s in fixed:
            for tid in s.therapist_ids:
                self.fixed_contact[tid] += s.minutes
                self.fixed_per_day[(tid, s.day)] += 1
        self.slot = problem.settings.slot_minutes
        self.admin = problem.settings.admin_minutes
        self.scheduled: dict[str, cp_model.IntVar] = {}
        self.start: dict[str, cp_model.IntVar] = {}
        self.assign: dict[tuple[str, Option], cp_model.IntVar] = {}
        self.room: dict[tuple[str, str], cp_model.IntVar] = {}
        self._rooms_by_ref: dict[str, list[tuple[str, cp_model.IntVar]]] = defaultdict(list)
        self.works_on: dict[tuple[str, str], cp_model.IntVar] = {}  # (referral, therapist)
        self.days: dict[tuple[str, str], TherapistDayVars] = {}
        self.travel_terms: list[tuple[cp_model.IntVar, int]] = []  # (arc, minutes)
        self.day_rules = DayRules(problem)
        self.shapes = self.day_rules.shapes
        self._build()

    def _build(self) -> None:
        m = self.model
        for rid, cand in self.candidates.items():
            if not cand.feasible:
                continue
            x = m.new_bool_var(f"x[{rid}]")
            self.scheduled[rid] = x
            starts = [
                (day_offset(o.day) + lo, day_offset(o.day) + hi)
                for o in cand.options
                for lo, hi in o.starts
            ]
            self.start[rid] = m.new_int_var_from_domain(grid_domain(starts, self.slot), f"s[{rid}]")
            for o in cand.options:
                self.assign[(rid, o)] = m.new_bool_var(
                    f"a[{rid},{o.therapist_id},{o.day},{o.site_id}]"
                )
            for room in cand.rooms:
                if any(k[0] == room.room_id for k in cand.room_starts):
                    z = m.new_bool_var(f"z[{rid},{room.room_id}]")
                    self.room[(rid, room.room_id)] = z
                    self._rooms_by_ref[rid].append((room.room_id, z))
            for tid in dict.fromkeys(o.therapist_id for o in cand.options):
                self.works_on[(rid, tid)] = m.new_bool_var(f"w[{rid},{tid}]")
        by_day: dict[tuple[str, Day], list[tuple[str, Option]]] = defaultdict(list)
        for rid, o in self.assign:
            by_day[(o.therapist_id, o.day)].append((rid, o))
        for (tid, day), items in sorted(by_day.items()):
            shape = self.shapes[tid][day]
            off = day_offset(day)
            tdv = TherapistDayVars(tid, day, shape)
            for rid, o in sorted(items, key=lambda p: (p[1].site_id, p[0])):
                block = tdv.blocks.get(o.site_id)
                if block is None:
                    block = Block(
                        o.site_id,
                        m.new_bool_var(f"u[{tid},{day},{o.site_id}]"),
                        m.new_int_var(
                            off + shape.start, off + shape.end, f"bs[{tid},{day},{o.site_id}]"
                        ),
                        m.new_int_var(
                            off + shape.start, off + shape.end, f"be[{tid},{day},{o.site_id}]"
                        ),
                    )
                    tdv.blocks[o.site_id] = block
                block.sessions.append((rid, self.assign[(rid, o)]))
            self.days[(tid, day)] = tdv

    # ------------------------------------------------------------------ queries
    def referral(self, rid: str) -> Referral:
        return self.candidates[rid].referral

    def options_of(self, rid: str) -> list[tuple[Option, cp_model.IntVar]]:
        return [(o, self.assign[(rid, o)]) for o in self.candidates[rid].options]

    def rooms_of(self, rid: str) -> list[tuple[str, cp_model.IntVar]]:
        return self._rooms_by_ref[rid]

    def therapist_days(self) -> list[TherapistDayVars]:
        return list(self.days.values())
