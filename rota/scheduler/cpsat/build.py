"""The one CP-SAT model builder: the full model and every LNS neighbourhood are built and read
back here (and solved by cpsat/solver.py), so the two strategies can never state a rule or read a
solution differently."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from rota.models import DAYS, Problem, Rota, Session
from rota.scheduler.candidates import Candidates
from rota.scheduler.cpsat import constraints
from rota.scheduler.cpsat.hint import add_hint
from rota.scheduler.cpsat.objective import build_objective
from rota.scheduler.cpsat.variables import DAY_MINUTES, Variables
from rota.scheduler.params import SolveParams


@dataclass
class BuiltModel:
    """A CP-SAT model of some referrals' placements, its variables, and whether it weighs the
    previous rota."""

    model: cp_model.CpModel
    v: Variables
    has_previous: bool

    @property
    def size(self) -> tuple[int, int]:
        """(variables, constraints) of the model."""
        proto = self.model.proto
        return len(proto.variables), len(proto.constraints)


def build_model(
    problem: Problem,
    candidates: dict[str, Candidates],
    params: SolveParams,
    hint: Rota,
    fixed: Sequence[Session] = (),
) -> BuiltModel:
    """Every constraint family and the objective over ``candidates``, hinted with ``hint``.

    ``fixed`` are sessions outside the model that stay as they are (an LNS neighbourhood's
    rest of the rota): they use up their therapists' weekly and daily limits.

    Order matters: travel creates the lunch variables the therapist family puts into each
    therapist's NoOverlap, and the blocks and arcs the day limits bound.
    """
    model = cp_model.CpModel()
    v = Variables(model, problem, candidates, fixed)
    travel_terms = constraints.add_travel_rules(model, v)
    constraints.add_day_limit_rules(model, v)
    constraints.add_referral_rules(model, v)
    constraints.add_room_rules(model, v)
    constraints.add_therapist_rules(model, v)
    constraints.add_limit_rules(model, v)
    keep = constraints.add_previous_rules(model, v) if params.use_previous else {}
    groups = constraints.add_symmetry_rules(model, v)
    build_objective(model, v, params.weights, travel_terms, keep)
    add_hint(model, v, constraints.relabel(hint, groups))
    return BuiltModel(model, v, bool(keep))


def extract_sessions(
    problem: Problem,
    v: Variables,
    value: Callable[[cp_model.IntVar], int],
    boolean_value: Callable[[cp_model.IntVar], bool],
) -> list[Session]:
    """The scheduled referrals' sessions in a solution (from a solver or a solution callback)."""
    sessions: list[Session] = []
    for rid, x in v.scheduled.items():
        if not boolean_value(x):
            continue
        ref = problem.referral_by_id[rid]
        day_idx, minute = divmod(value(v.start[rid]), DAY_MINUTES)
        team = tuple(sorted(o.therapist_id for o, a in v.options_of(rid) if boolean_value(a)))
        room_id = next(r for r, z in v.rooms_of(rid) if boolean_value(z))
        sessions.append(
            Session(
                referral_id=rid,
                therapist_ids=team,
                site_id=problem.room_by_id[room_id].site_id,
                room_id=room_id,
                day=DAYS[day_idx],
                start=minute,
                end=minute + ref.minutes,
            )
        )
    return sessions
