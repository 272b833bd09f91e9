"""A proven lower bound on the whole objective, at any size: a linear relaxation of who takes
each referral on which day, with its certificate worked out from the LP's dual values.

Every rota the checker accepts costs at least ``lower_bound(problem).value`` under
``rota.evaluate.costs.total_cost`` (unscheduled referrals, continuity lost, travel, preferred
times missed, day span). The argument, for any valid rota:

**Options.** ``build_candidates(problem, 0)`` lists, for every referral, each (therapist, day,
site) on which it could run at all, with every therapist considered; its pruning is provable,
so each session of a valid rota uses one of these options per therapist, and a referral with no
option (or too few therapists) is unscheduled in every rota: its unscheduled and continuity
costs are a constant, ``unplaceable``, that no search can move.

**The point of a rota.** Set y_o = 1 for each option a session uses, u_r = 1 for each placeable
referral left out, z_ts = 1 when therapist-day t visits site s, and T_t to day t's travel
minutes (driving and arriving). This point satisfies every row below, and the relaxation's
cost there is at most the rota's cost, term by term; so the relaxation's least cost is at most
every rota's cost.

**Rows.** For a therapist-day t of length D (first working minute to last, less lunch when the
lunch rule applies) with sessions of busy minutes (session plus admin) summing to B, at sites
of round trips rt(s) = d(base, s) + a(s) + d(s, base), d the shortest drive (through other
sites if quicker, so this holds whatever the Travel sheet says) and a(s) the minutes to arrive
at s (every leg into a site other than the one left has them; 0 for the base, where the day
may start without a leg):

- (a) a referral is placed with its number of therapists or left out:
  sum of its y_o + needed * u_r = needed; (b) a co-facilitating therapist counts once;
- (c) the therapists' limits: sessions per day, contact minutes per week;
- (d) rooms: a day's session minutes at a site fit its rooms' available minutes (one session
  at a time per room; a session counted once, 1/needed per therapist);
- (e) sessions with their admin, drives and lunch never overlap inside the day, so
  B + T_t <= D;
- (f) the day starts and ends at the base, so T_t >= rt(s) * z_ts for every site s, and
  y_o <= z_ts for every option o of t at s;
- (g) with f(x) = x / (D - x), increasing on [0, D): each session at s has busy * f(rt(s)) <=
  busy * f(T_t), so sum busy * f(rt) <= B * T_t / (D - T_t) <= T_t (as B <= D - T_t), and
  likewise sum busy / (D - rt) <= B / (D - T_t) <= 1: a therapist's nearby referrals pay for
  the day's long drives in proportion to the time they take, and a day cannot hold more.

**Costs.** 10,000 x priority weight for u_r; 10 per minute of T_t; 1 per busy minute of y_o (a
day's span runs from its first session's start to its last session's admin end, holding every
session with its admin, so it is at least B); continuity: 500 minus 500 for each option of the
current therapist (at most one is used); preferred times: 100 / needed for each option with no
start inside the preferred times on its day.

**Certificate.** GLOP solves the relaxation; by weak duality any duals of the right signs give
the bound sum_i dual_i * rhs_i + sum_j min over the column's range of (reduced cost_j * x_j),
optimal or not. It is worked out here from the data rather than read from the solver, lowered
by a relative 1e-6 against rounding, and rounded up (every rota's cost is a whole number). If
GLOP gives nothing, duals that price each referral alone (zero on every coupling row) still
give a valid bound.

**Where it is loose.** Time (windows, the order of a day, waiting, two sessions wanting the
same room at the same time), drives between sites beyond the farthest round trip of a day, idle
time inside a day, and packing (the LP may split a session between days).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from rota.evaluate.weights import PRIORITY_WEIGHT, Weights
from rota.models import Problem
from rota.scheduler.candidates import Candidates, Option, build_candidates
from rota.scheduler.day import day_shapes

#: Relative safety margin taken off the computed certificate against floating-point rounding.
ROUNDING_MARGIN = 1e-6


@dataclass(frozen=True)
class LowerBound:
    """A proven lower bound on ``total_cost`` of every valid rota, and what it is made of."""

    value: int  # every valid rota costs at least this
    unplaceable: int  # unscheduled and continuity cost of referrals no rota can place
    relaxation: float  # the relaxation's optimum as solved (value is its certificate)
    terms: dict[str, float]  # the relaxation's solution by objective term
    seconds: float
    columns: int
    rows: int
    status: str  # the LP solver's status

    @property
    def net(self) -> int:
        """The bound net of the referrals no rota can place (a constant in every rota)."""
        return self.value - self.unplaceable


@dataclass
class _Column:
    """One LP variable in [0, upper]: its cost by term and its row coefficients."""

    upper: float
    parts: dict[str, float]
    rows: list[tuple[int, float]] = field(default_factory=list)
    day: tuple[str, str] | None = None  # the therapist-day of a placement, visit or travel
    referral: str = ""  # a placement's referral
    site: str = ""  # a placement's or a visit's site

    @property
    def cost(self) -> float:
        return sum(self.parts.values())


def shortest_drives(problem: Problem, site_ids: list[str]) -> dict[tuple[str, str], int]:
    """Shortest driving minutes between the sites, through others where that is quicker."""
    n = len(site_ids)
    dist = np.array(
        [[problem.travel_minutes(a, b) for b in site_ids] for a in site_ids], dtype=np.int64
    ).reshape(n, n)
    for k in range(n):
        dist = np.minimum(dist, dist[:, k : k + 1] + dist[k : k + 1, :])
    return {(a, b): int(dist[i, j]) for i, a in enumerate(site_ids) for j, b in enumerate(site_ids)}


def _preferred_possible(problem: Problem, rid: str, o: Option, minutes: int) -> bool:
    """True when some start of the option could lie inside the preferred times (generous)."""
    pref = problem.preferred_windows(rid)
    if pref is None:
        return True
    ranges = pref.get(o.day, ())
    return any(lo <= b - minutes and a <= hi for a, b in ranges for lo, hi in o.starts)


def _room_minutes(problem: Problem) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = defaultdict(int)
    for room in problem.rooms:
        for day, ranges in problem.room_windows(room.room_id).items():
            out[(room.site_id, day)] += sum(b - a for a, b in ranges)
    return out


class Relaxation:
    """Columns and rows of the relaxation (module docstring), built from the candidates."""

    def __init__(self, problem: Problem, candidates: dict[str, Candidates], weights: Weights):
        self.problem, self.weights = problem, weights
        self.rhs: list[float] = []
        self.equality: list[bool] = []
        self.columns: list[_Column] = []
        self.referral_rows: list[int] = []
        self.constant = 0.0
        self.unplaceable = 0
        self.row_of: dict[tuple[str, ...], int] = {}
        self.row_day: dict[int, tuple[str, str]] = {}  # rows of one therapist-day only
        self.day_length = self._day_lengths()
        sites = sorted(
            {t.base_site_id for t in problem.therapists}
            | {o.site_id for c in candidates.values() for o in c.options}
        )
        self.drive = shortest_drives(problem, sites)
        # Minutes to arrive: every leg into a site other than the one left carries them (the
        # final return to the base does not), so T_t counts them for a site other than the base.
        self.arrival = {s: problem.arrival_minutes(s) for s in sites}
        self.nearest_in = {
            s: min((self.drive[(x, s)] for x in sites if x != s), default=0) for s in sites
        }
        self.nearest_out = {
            s: min((self.drive[(s, x)] for x in sites if x != s), default=0) for s in sites
        }
        self.base = {t.therapist_id: t.base_site_id for t in problem.therapists}
        self.room_minutes = _room_minutes(problem)
        self.visit: dict[tuple[str, str, str], _Column] = {}
        self.travel: dict[tuple[str, str], _Column] = {}
        for rid, cand in candidates.items():
            self._referral(rid, cand)

    def _day_lengths(self) -> dict[tuple[str, str], int]:
        lunch = self.problem.settings.lunch_minutes
        return {
            (t.therapist_id, day): shape.end - shape.start - (lunch if shape.lunch else 0)
            for t in self.problem.therapists
            for day, shape in day_shapes(self.problem, t).items()
        }

    def row(
        self,
        key: tuple[str, ...],
        rhs: float,
        equality: bool = False,
        day: tuple[str, str] | None = None,
    ) -> int:
        """The row named ``key``, added on first use; ``day`` marks a row of one therapist-day."""
        if key not in self.row_of:
            self.row_of[key] = len(self.rhs)
            self.rhs.append(rhs)
            self.equality.append(equality)
            if day is not None:
                self.row_day[self.row_of[key]] = day
        return self.row_of[key]

    def _referral(self, rid: str, cand: Candidates) -> None:
        ref, w = cand.referral, self.weights
        unscheduled = w.unscheduled * PRIORITY_WEIGHT[ref.priority]
        continuity = w.continuity if ref.current_therapist_id else 0
        self.constant += continuity
        if not cand.feasible:
            self.unplaceable += unscheduled + continuity
            self.constant += unscheduled
            return
        needed = ref.therapists_needed
        own = self.row(("referral", rid), needed, equality=True)
        self.referral_rows.append(own)
        self.columns.append(_Column(1.0, {"unscheduled": unscheduled}, [(own, needed)]))
        busy = ref.minutes + self.problem.settings.admin_minutes
        for o in cand.options:
            length = self.day_length[(o.therapist_id, o.day)]
            base = self.base[o.therapist_id]
            rt = self.drive[(base, o.site_id)] + self.drive[(o.site_id, base)]
            rt += self.arrival[o.site_id] if o.site_id != base else 0
            if rt + busy > length:
                continue  # the drive there and back and the session do not fit the day
            parts = {
                "day span minutes": float(w.idle * busy),
                "continuity lost": -float(continuity)
                if o.therapist_id == ref.current_therapist_id
                else 0.0,
                "preferred times missed": 0.0
                if _preferred_possible(self.problem, rid, o, ref.minutes)
                else w.preferred / needed,
            }
            col = _Column(1.0, parts, [(own, 1.0)], (o.therapist_id, o.day), rid, o.site_id)
            if needed > 1:
                col.rows.append((self.row(("team", rid, o.therapist_id), 1.0), 1.0))
            col.rows += self._limits(o, ref.minutes, needed)
            col.rows += self._day_rows(rid, o, busy, rt, length)
            self.columns.append(col)

    def _limits(self, o: Option, minutes: int, needed: int) -> list[tuple[int, float]]:
        t = self.problem.therapist_by_id[o.therapist_id]
        out = [
            (
                self.row(("room", o.site_id, o.day), self.room_minutes.get((o.site_id, o.day), 0)),
                minutes / needed,
            )
        ]
        if t.max_sessions_per_day is not None:
            limit = t.max_sessions_per_day
            key = (t.therapist_id, o.day)
            out.append((self.row(("sessions", *key), limit, day=key), 1))
        if t.max_contact_minutes is not None:
            out.append((self.row(("contact", t.therapist_id), t.max_contact_minutes), minutes))
        return out

    def _day_rows(
        self, rid: str, o: Option, busy: int, rt: int, length: int
    ) -> list[tuple[int, float]]:
        """Rows (e), (f) and (g) of the option's therapist-day, with the day's travel column
        T_t and its visit column z_ts made on first use."""
        tid, day, site = o.therapist_id, o.day, o.site_id
        key = (tid, day)
        fits = self.row(("fits", *key), length, day=key)
        shares = self.row(("shares", *key), 0.0, day=key)
        if (tid, day) not in self.travel:
            self.travel[(tid, day)] = _Column(
                float(length), {"travel minutes": float(self.weights.travel)}, [(fits, 1.0)], key
            )
            self.travel[(tid, day)].rows.append((shares, -1.0))
            self.columns.append(self.travel[(tid, day)])
        visited = self.row(("visited", rid, tid, day, site), 0.0, day=key)
        if (tid, day, site) not in self.visit:
            farthest = self.row(("farthest", tid, day, site), 0.0, day=key)
            legs = self.row(("legs", tid, day), 0.0, day=key)
            if len(self.travel[(tid, day)].rows) == 2:
                self.travel[(tid, day)].rows.append((legs, -1.0))
            base = self.base[tid]
            arrive = min(self.drive[(base, site)], self.nearest_in[site])
            arrive += self.arrival[site] if site != base else 0
            leave = min(self.drive[(site, base)], self.nearest_out[site])
            self.visit[(tid, day, site)] = _Column(
                1.0, {}, [(farthest, float(rt)), (legs, (arrive + leave) / 2)], key, site=site
            )
            self.travel[(tid, day)].rows.append((farthest, -1.0))
            self.columns.append(self.visit[(tid, day, site)])
        self.visit[(tid, day, site)].rows.append((visited, -1.0))
        capacity = self.row(("capacity", tid, day), 1.0, day=key)
        return [
            (fits, float(busy)),
            (shares, busy * rt / (length - rt)),
            (capacity, busy / (length - rt)),
            (visited, 1.0),
        ]


def _solve(relax: Relaxation, time_limit: float) -> tuple[str, list[float], list[float]]:
    """GLOP on the relaxation: (status, row duals, column values); empty lists if it failed."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    solver.SetTimeLimit(int(time_limit * 1000))
    # Measured on the county demo: 26 s with the dual simplex, 139 s with the primal.
    solver.SetSolverSpecificParametersAsString("use_dual_simplex: true")
    inf = solver.infinity()
    cons = [
        solver.Constraint(b if eq else -inf, b)
        for b, eq in zip(relax.rhs, relax.equality, strict=True)
    ]
    objective = solver.Objective()
    xs = []
    for col in relax.columns:
        x = solver.NumVar(0.0, col.upper, "")
        xs.append(x)
        objective.SetCoefficient(x, col.cost)
        for i, a in col.rows:
            cons[i].SetCoefficient(x, a)
    objective.SetMinimization()
    code = solver.Solve()
    names = {pywraplp.Solver.OPTIMAL: "OPTIMAL", pywraplp.Solver.FEASIBLE: "FEASIBLE"}
    if code not in names:
        return "NOT SOLVED", [], []
    return names[code], [c.dual_value() for c in cons], [x.solution_value() for x in xs]


def certificate(relax: Relaxation, duals: list[float]) -> float:
    """Weak duality: a lower bound on the relaxation's cost beyond its constant (so, with the
    constant, on every rota) from any duals after clipping them to their valid signs (<= 0 on
    the ``<=`` rows)."""
    y = _clip(relax, duals)
    total = [yi * b for yi, b in zip(y, relax.rhs, strict=True)]
    for col in relax.columns:
        reduced = col.cost - math.fsum(y[i] * a for i, a in col.rows)
        total.append(min(0.0, reduced) * col.upper)
    return math.fsum(total)


def _clip(relax: Relaxation, duals: list[float]) -> list[float]:
    return [d if eq else min(0.0, d) for d, eq in zip(duals, relax.equality, strict=True)]


def day_bound(relax: Relaxation, duals: list[float], seconds_per_day: float) -> float:
    """Like ``certificate`` but stronger: only the rows that link days are priced by ``duals``;
    each therapist-day keeps its own rows, whole numbers (a referral is in the day or not, a
    site visited or not) and a tour through the sites it visits, and CP-SAT bounds its least
    reduced cost. By weak duality for the rows priced, the sum is a lower bound on every rota
    (beyond the constant) for any duals. A day counts the better of CP-SAT's bound and its share
    of ``certificate`` (weak duality inside the day), so the sum is never below
    ``certificate``, whether or not CP-SAT finishes a day."""
    y = _clip(relax, duals)
    total = [y[i] * relax.rhs[i] for i in range(len(y)) if i not in relax.row_day]
    own_rows: dict[tuple[str, str], list[float]] = defaultdict(list)
    for i, key in relax.row_day.items():
        own_rows[key].append(y[i] * relax.rhs[i])
    by_day: dict[tuple[str, str], list[tuple[_Column, float]]] = defaultdict(list)
    for col in relax.columns:
        linking = math.fsum(y[i] * a for i, a in col.rows if i not in relax.row_day)
        if col.day is None:
            total.append(min(0.0, col.cost - linking) * col.upper)
            continue
        by_day[col.day].append((col, col.cost - linking))
        inside = math.fsum(y[i] * a for i, a in col.rows if i in relax.row_day)
        own_rows[col.day].append(min(0.0, col.cost - linking - inside) * col.upper)
    for key, cols in sorted(by_day.items()):
        lp_share = math.fsum(own_rows[key])
        total.append(max(lp_share, _day_minimum(relax, key, cols, seconds_per_day)))
    return math.fsum(total)


#: Day models work in whole numbers: costs and row coefficients times this, rounded so that the
#: day's model stays a relaxation (coefficients down, limits up) and its costs never rise.
SCALE = 1000


def _day_minimum(
    relax: Relaxation,
    key: tuple[str, str],
    cols: list[tuple[_Column, float]],
    seconds: float,
) -> float:
    """A lower bound on the least reduced cost of one therapist-day in whole numbers."""
    useful = [(c, r) for c, r in cols if c.referral and r < 0]
    if not useful:
        return 0.0  # nothing pays for itself: the empty day (cost 0) is the best
    model = cp_model.CpModel()
    sites = {c.site for c, _ in useful}
    kept = useful + [(c, r) for c, r in cols if not c.referral and (c.site in sites or not c.site)]
    var: dict[int, cp_model.IntVar] = {}
    for c, _ in kept:
        upper = math.floor(c.upper)
        var[id(c)] = model.new_bool_var("") if upper == 1 else model.new_int_var(0, upper, "")
    rows: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for c, _ in kept:
        for i, a in c.rows:
            if i in relax.row_day:
                rows[i].append((math.floor(a * SCALE), var[id(c)]))
    for i, terms in rows.items():
        model.add(sum(a * x for a, x in terms) <= math.ceil(relax.rhs[i] * SCALE))
    by_referral: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for c, _ in useful:
        by_referral[c.referral].append(var[id(c)])
    for xs in by_referral.values():
        if len(xs) > 1:
            model.add(sum(xs) <= 1)  # a referral is in a day at most once
    travel = next(var[id(c)] for c, _ in kept if c.day == key and "travel minutes" in c.parts)
    visits = {c.site: var[id(c)] for c, _ in kept if not c.referral and c.site}
    _add_tour(model, relax, key, visits, travel)
    model.minimize(sum(math.floor(r * SCALE) * var[id(c)] for c, r in kept))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    solver.solve(model)
    return solver.best_objective_bound / SCALE


def _add_tour(
    model: cp_model.CpModel,
    relax: Relaxation,
    key: tuple[str, str],
    visits: dict[str, cp_model.IntVar],
    travel: cp_model.IntVar,
) -> None:
    """Travel is at least a tour from the base through every site visited (shortest drives)."""
    base = relax.base[key[0]]
    nodes = [base] + [s for s in sorted(visits) if s != base]
    if len(nodes) == 1:
        return
    arcs: list[tuple[int, int, cp_model.LiteralT]] = [(0, 0, model.new_bool_var(""))]
    legs = []
    for i, a in enumerate(nodes):
        if i:
            arcs.append((i, i, ~visits[a]))
        for j, b in enumerate(nodes):
            if i != j:
                lit = model.new_bool_var("")
                arcs.append((i, j, lit))
                arriving = relax.arrival[b] if j else 0  # not on the return to the base
                legs.append((relax.drive[(a, b)] + arriving) * lit)
    model.add_circuit(arcs)
    model.add(travel >= sum(legs))


def own_duals(relax: Relaxation) -> list[float]:
    """Duals with every coupling row at zero and each referral's row at its cheapest way, per
    therapist needed (the bound of each referral placed on its own, travel not counted)."""
    y = [0.0] * len(relax.rhs)
    ways: dict[int, list[float]] = defaultdict(list)
    for col in relax.columns:
        for i, a in col.rows:
            if relax.equality[i]:
                ways[i].append(col.cost / a)
    for i in relax.referral_rows:
        y[i] = min(ways[i])
    return y


def lower_bound(
    problem: Problem,
    weights: Weights | None = None,
    *,
    time_limit: float = 300.0,
    day_seconds: float = 0.5,
    candidates: dict[str, Candidates] | None = None,
) -> LowerBound:
    """A proven lower bound on every valid rota's cost (module docstring). ``candidates``
    must be ``build_candidates(problem, 0)``'s (every therapist), or the bound is not proven."""
    t0 = time.perf_counter()
    weights = weights or Weights()
    if candidates is None:
        candidates = build_candidates(problem, 0)
    relax = Relaxation(problem, candidates, weights)
    status, duals, values = _solve(relax, time_limit)
    own = certificate(relax, own_duals(relax))
    value = certificate(relax, duals) if duals else own
    if own > value + ROUNDING_MARGIN * max(1.0, abs(value)):
        value, status = own, status + " (each referral alone)"
    if duals and day_seconds > 0:
        days = day_bound(relax, duals, day_seconds)
        if days > value + ROUNDING_MARGIN * max(1.0, abs(value)):
            value, status = days, status + " + whole days"
    # The constant is a whole number; only the LP's part needs the margin against rounding.
    value -= ROUNDING_MARGIN * max(1.0, abs(value))
    terms: dict[str, float] = defaultdict(float)
    terms["unplaceable"] = float(relax.unplaceable)
    terms["continuity lost"] += relax.constant - relax.unplaceable
    for col, v in zip(relax.columns, values, strict=False):
        for label, cost in col.parts.items():
            terms[label] += cost * v
    return LowerBound(
        value=round(relax.constant) + math.ceil(value),
        unplaceable=relax.unplaceable,
        relaxation=relax.constant
        + math.fsum(c.cost * v for c, v in zip(relax.columns, values, strict=False)),
        terms=dict(terms),
        seconds=time.perf_counter() - t0,
        columns=len(relax.columns),
        rows=len(relax.rhs),
        status=status,
    )


__all__ = [
    "LowerBound",
    "Relaxation",
    "certificate",
    "day_bound",
    "lower_bound",
    "own_duals",
    "shortest_drives",
]
