"""Two exact models of a VRP-shaped service, sharing no code with rota's scheduler.

They read only the Problem (its records and solver-neutral views: windows, travel minutes) and
state the routing problem their own way, so that a slip in rota's model cannot hide here; where
both prove an optimum they must agree.

Shape they accept (``vrp_shape`` says what breaks it): one working day; therapists who are all
alike (base, disciplines, skills, hours, no limits); no lunch rule on that day; every referral a
single-therapist session at one site with exactly one suitable room that no other referral can
use; no current therapists, preferred times or previous rota. Then a rota is a set of routes:
each therapist who works leaves the base, runs sessions one after another and drives back.
Routes are not tied to a named therapist: the therapists are interchangeable, so neither model
has a symmetry between them to break (route k goes to the k-th therapist afterwards).

The objective is rota's (README "The objective", ``rota.evaluate.costs``): 10 per driving
minute plus 1 per minute of each therapist's day span, first session start to last session
end plus admin. A route's span telescopes: its sessions with admin, plus the drives between its
sessions, plus the waiting before each session but the first.

``circuit`` (CP-SAT): one node per referral and the base as node 0, arcs as literals in one
``AddMultipleCircuit`` (node 0 is visited by as many routes as therapists work, at most their
number; every other node exactly once). A start time per session; an arc i -> j forces start_j
>= start_i + busy_i + drive_ij (busy = minutes + admin); an arc from the base, start_j >= day
start + drive; an arc to the base, start_j + busy_j + drive <= day end. With wait_j >= start_j -
(start_i + busy_i + drive_ij) on the arc taken, the span is linear; wait_j is also at least the
arc's unavoidable wait (j's earliest start less i's latest departure plus the drive) times the
arc, which the LP sees. Quick when windows are tight; weak on waiting when they are wide.

``timed`` (a MIP solved by HiGHS): a node (j, t) for each referral j and allowed start t. For a
given order of a route and its first start, starting every later session as early as the drive
and its window allow is feasible whenever any schedule is (a later start only gets nearer the
window's end and the day's end) and gives the least span, so only those starts need arcs: base
-> (j, t) for every t the drive from the base allows (cost 10 x drive), (i, s) -> (j, t) with t
the first allowed start of j at or after s + busy_i + drive_ij (cost 10 x drive + t - s, the
span from one start to the next), (j, t) -> base when the drive home fits (cost 10 x drive +
busy_j). Flow in = flow out at every node, one unit into the nodes of each referral, at most
one unit out of the base per therapist. Time grows along every arc, so the flow splits into
routes from the base and back, and each referral is visited once: an exact model whose LP is
strong when windows are wide.

Every referral is served: the models say so, and ``vrp_shape`` checks why this loses nothing.
Rota charges 10,000 x priority weight (at least 10,000) for an unscheduled referral; with at
most as many referrals as therapists, a rota that leaves one out has a therapist free, who can
take it alone (every referral is checked to fit a route of its own), adding the drives there
and back and its session to the cost. When that is below the referral's weight for every
referral, serving everyone is optimal among all rotas.
"""

from __future__ import annotations

import bisect
import itertools
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from rota.evaluate.weights import PRIORITY_WEIGHT, Weights
from rota.models import Problem, Rota, Session
from rota.models.timeutil import Day, intersect_intervals

BASE = 0


class NotVrpShaped(ValueError):
    """The service is not of the one-day, interchangeable-therapist shape this model solves."""


@dataclass(frozen=True)
class Stop:
    """A referral as a customer: its site and room, busy minutes and allowed starts."""

    referral_id: str
    site_id: str
    room_id: str
    minutes: int
    busy: int  # session + admin
    starts: tuple[int, ...]  # allowed start minutes (slot grid, every window applied)
    penalty: int  # what leaving it out costs


@dataclass(frozen=True)
class VrpShape:
    """A VRP-shaped service: the day, the base, the therapists and the stops."""

    day: Day
    base_site_id: str
    day_start: int
    day_end: int
    therapist_ids: tuple[str, ...]
    stops: tuple[Stop, ...]
    drive: dict[tuple[int, int], int] = field(repr=False)  # node -> node minutes (0 = base)


def vrp_shape(problem: Problem, weights: Weights | None = None) -> VrpShape:
    """The service as a routing problem, or NotVrpShaped saying what does not fit."""
    weights = weights or Weights()
    therapists = problem.therapists
    if not therapists or not problem.referrals:
        raise NotVrpShaped("the service needs therapists and referrals")
    first = therapists[0]
    windows = problem.therapist_windows(first.therapist_id)
    for t in therapists:
        same = (t.base_site_id, t.disciplines, t.skills) == (
            first.base_site_id,
            first.disciplines,
            first.skills,
        ) and problem.therapist_windows(t.therapist_id) == windows
        if not same or t.max_sessions_per_day is not None or t.max_contact_minutes is not None:
            raise NotVrpShaped(f"therapist {t.therapist_id} differs from {first.therapist_id}")
    if len(windows) != 1 or len(next(iter(windows.values()))) != 1:
        raise NotVrpShaped("therapists must work one range on one day")
    ((day, ((day_start, day_end),)),) = windows.items()
    s = problem.settings
    lunch = s.lunch_window
    if s.lunch_minutes and day_start <= lunch.start and lunch.end <= day_end:
        raise NotVrpShaped("the working day covers the lunch window: a lunch rule applies")
    if problem.previous:
        raise NotVrpShaped("a previous rota is given")
    stops = tuple(
        _stop(problem, weights, ref.referral_id, day, day_start, day_end)
        for ref in problem.referrals
    )
    if len({st.room_id for st in stops}) != len(stops):
        raise NotVrpShaped("two referrals share a room")
    sites = [first.base_site_id] + [st.site_id for st in stops]
    drive = {
        (i, j): problem.travel_minutes(a, b)
        for i, a in enumerate(sites)
        for j, b in enumerate(sites)
        if i != j
    }
    shape = VrpShape(
        day,
        first.base_site_id,
        day_start,
        day_end,
        tuple(t.therapist_id for t in therapists),
        stops,
        drive,
    )
    _check_serving_all_is_optimal(shape, weights)
    return shape


def _stop(
    problem: Problem, weights: Weights, rid: str, day: Day, day_start: int, day_end: int
) -> Stop:
    ref = problem.referral_by_id[rid]
    therapist = problem.therapists[0]
    if (
        ref.therapists_needed != 1
        or len(ref.site_ids) != 1
        or ref.current_therapist_id
        or ref.preferred is not None
    ):
        raise NotVrpShaped(
            f"referral {rid} needs several therapists or sites, or has a current therapist or "
            "preferred times"
        )
    if ref.discipline not in therapist.disciplines or not set(ref.needs_skills) <= set(
        therapist.skills
    ):
        raise NotVrpShaped(f"referral {rid}: the therapists cannot take it")
    (site_id,) = ref.site_ids
    rooms = [
        r
        for r in problem.rooms_by_site.get(site_id, ())
        if r.capacity >= ref.group_size and set(ref.needs_features) <= set(r.features)
    ]
    if len(rooms) != 1:
        raise NotVrpShaped(f"referral {rid}: {len(rooms)} suitable rooms at {site_id}, not one")
    room = rooms[0]
    admin, slot = problem.settings.admin_minutes, problem.settings.slot_minutes
    client = problem.referral_windows(rid)
    session_ranges = problem.room_windows(room.room_id).get(day, ())
    if client is not None:
        session_ranges = intersect_intervals(session_ranges, client.get(day, ()))
    starts = tuple(
        t
        for a, b in session_ranges
        for t in range(-(-a // slot) * slot, b - ref.minutes + 1, slot)
        if day_start <= t and t + ref.minutes + admin <= day_end
    )
    return Stop(
        rid,
        site_id,
        room.room_id,
        ref.minutes,
        ref.minutes + admin,
        starts,
        weights.unscheduled * PRIORITY_WEIGHT[ref.priority],
    )


def _check_serving_all_is_optimal(shape: VrpShape, weights: Weights) -> None:
    """Every referral fits a route of its own, there are enough therapists, and taking one
    alone costs less than leaving it out (module docstring)."""
    if len(shape.stops) > len(shape.therapist_ids):
        raise NotVrpShaped("more referrals than therapists")
    for j, st in enumerate(shape.stops, start=1):
        go, back = shape.drive[(BASE, j)], shape.drive[(j, BASE)]
        alone = [
            t
            for t in st.starts
            if t >= shape.day_start + go and t + st.busy + back <= shape.day_end
        ]
        if not alone:
            raise NotVrpShaped(f"referral {st.referral_id} does not fit a route of its own")
        if weights.travel * (go + back) + weights.idle * st.busy >= st.penalty:
            raise NotVrpShaped(f"leaving referral {st.referral_id} out may be cheaper")


Method = Literal["circuit", "timed"]
Route = list[tuple[str, int]]  # (referral id, start) in order
Solved = tuple[str, float | None, float, list[Route]]  # status, objective, bound, routes


@dataclass
class ExactResult:
    """An exact model's answer: status, best objective and proven bound, routes, time."""

    method: str
    status: str  # OPTIMAL (proven), FEASIBLE (time ran out with a solution), or why not
    objective: int | None  # the routes' travel and span, worked out from the routes
    model_objective: float | None  # the model's own value of its objective
    bound: float
    seconds: float
    routes: list[Route]
    travel: int | None
    span: int | None


def _route_figures(shape: VrpShape, routes: list[Route]) -> tuple[int, int]:
    """(travel, span) of routes, from the shape's drives and busy minutes."""
    index = {st.referral_id: j for j, st in enumerate(shape.stops, start=1)}
    travel = span = 0
    for route in routes:
        nodes = [BASE] + [index[rid] for rid, _ in route] + [BASE]
        travel += sum(shape.drive[(a, b)] for a, b in itertools.pairwise(nodes))
        span += route[-1][1] + shape.stops[nodes[-2] - 1].busy - route[0][1]
    return travel, span


class _Circuit:
    """The CP-SAT routing model of one VrpShape (see the module docstring)."""

    def __init__(self, shape: VrpShape, weights: Weights):
        self.shape = shape
        m = self.model = cp_model.CpModel()
        n = len(shape.stops)
        self.start = [
            m.new_int_var_from_domain(cp_model.Domain.from_values(list(st.starts)), f"s{j}")
            for j, st in enumerate(shape.stops, 1)
        ]
        self.arcs: dict[tuple[int, int], cp_model.IntVar] = {}
        self.waits = [m.new_int_var(0, shape.day_end - shape.day_start, f"w{j}") for j in range(n)]
        self.travel_terms: list[tuple[int, cp_model.IntVar]] = []
        self.inner_terms: list[tuple[int, cp_model.IntVar]] = []
        for j in range(1, n + 1):
            self._arc_from_base(j)
            self._arc_to_base(j)
            least_wait = [self._arc_between(i, j) for i in range(1, n + 1) if i != j]
            m.add(self.waits[j - 1] >= sum(w * lit for w, lit in least_wait if w > 0))
        m.add_multiple_circuit([(i, j, lit) for (i, j), lit in self.arcs.items()])
        m.add(
            sum(lit for (i, _), lit in self.arcs.items() if i == BASE) <= len(shape.therapist_ids)
        )
        busy = sum(st.busy for st in shape.stops)
        travel = sum(t * lit for t, lit in self.travel_terms)
        span = busy + sum(t * lit for t, lit in self.inner_terms) + sum(self.waits)
        m.minimize(weights.travel * travel + weights.idle * span)

    def _arc_from_base(self, j: int) -> None:
        go = self.shape.drive[(BASE, j)]
        if max(self.shape.stops[j - 1].starts) >= self.shape.day_start + go:
            lit = self.arcs[(BASE, j)] = self.model.new_bool_var(f"x0_{j}")
            self.model.add(self.start[j - 1] >= self.shape.day_start + go).only_enforce_if(lit)
            self.travel_terms.append((go, lit))

    def _arc_to_base(self, j: int) -> None:
        st, back = self.shape.stops[j - 1], self.shape.drive[(j, BASE)]
        if min(st.starts) + st.busy + back <= self.shape.day_end:
            lit = self.arcs[(j, BASE)] = self.model.new_bool_var(f"x{j}_0")
            self.model.add(
                self.start[j - 1] + st.busy + back <= self.shape.day_end
            ).only_enforce_if(lit)
            self.travel_terms.append((back, lit))

    def _arc_between(self, i: int, j: int) -> tuple[int, cp_model.IntVar | int]:
        """Adds the arc i -> j if j can follow i; returns (its unavoidable wait, literal)."""
        a, b = self.shape.stops[i - 1], self.shape.stops[j - 1]
        t = self.shape.drive[(i, j)]
        if min(a.starts) + a.busy + t > max(b.starts):
            return 0, 0  # j's window closes before the therapist could get there from i
        lit = self.arcs[(i, j)] = self.model.new_bool_var(f"x{i}_{j}")
        gap = self.start[j - 1] - self.start[i - 1] - a.busy - t
        self.model.add(gap >= 0).only_enforce_if(lit)
        self.model.add(self.waits[j - 1] >= gap).only_enforce_if(lit)
        self.travel_terms.append((t, lit))
        self.inner_terms.append((t, lit))
        return min(b.starts) - (max(a.starts) + a.busy + t), lit

    def solve(self, time_limit: float, workers: int, log: bool) -> Solved:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit
        solver.parameters.num_workers = workers
        solver.parameters.log_search_progress = log
        code = solver.solve(self.model)
        status = solver.status_name(code)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return status, None, solver.best_objective_bound, []
        succ = {
            i: j for (i, j), lit in self.arcs.items() if i != BASE and solver.boolean_value(lit)
        }
        firsts = sorted(
            j for (i, j), lit in self.arcs.items() if i == BASE and solver.boolean_value(lit)
        )
        routes = []
        for j in firsts:
            route = []
            while j != BASE:
                route.append((self.shape.stops[j - 1].referral_id, solver.value(self.start[j - 1])))
                j = succ[j]
            routes.append(route)
        return status, solver.objective_value, solver.best_objective_bound, routes


Node = tuple[int, int]  # (referral node, start); (0, 0) is the base


class _Timed:
    """The time-expanded routing MIP of one VrpShape (see the module docstring)."""

    def __init__(self, shape: VrpShape, weights: Weights):
        self.shape = shape
        self.arcs: list[tuple[Node, Node, int]] = []
        depot: Node = (BASE, 0)
        for j, st in enumerate(shape.stops, start=1):
            go, back = shape.drive[(BASE, j)], shape.drive[(j, BASE)]
            for s in st.starts:
                if s >= shape.day_start + go:
                    self.arcs.append((depot, (j, s), weights.travel * go))
                if s + st.busy + back <= shape.day_end:
                    self.arcs.append(
                        ((j, s), depot, weights.travel * back + weights.idle * st.busy)
                    )
            for i, before in enumerate(shape.stops, start=1):
                if i != j:
                    self._arcs_between(i, before, j, st, weights)

    def _arcs_between(self, i: int, a: Stop, j: int, b: Stop, weights: Weights) -> None:
        t = self.shape.drive[(i, j)]
        for s in a.starts:
            k = bisect.bisect_left(b.starts, s + a.busy + t)
            if k == len(b.starts):
                return  # later starts of i reach j later still
            cost = weights.travel * t + weights.idle * (b.starts[k] - s)
            self.arcs.append(((i, s), (j, b.starts[k]), cost))

    def solve(self, time_limit: float, log: bool) -> Solved:
        solver = pywraplp.Solver.CreateSolver("HIGHS")
        solver.SetTimeLimit(int(time_limit * 1000))
        if log:
            solver.EnableOutput()
        x = [solver.BoolVar("") for _ in self.arcs]
        into: dict[Node, list[pywraplp.Variable]] = defaultdict(list)
        out: dict[Node, list[pywraplp.Variable]] = defaultdict(list)
        for var, (u, v, _) in zip(x, self.arcs, strict=True):
            out[u].append(var)
            into[v].append(var)
        for node in set(into) | set(out):
            if node[0] != BASE:
                solver.Add(solver.Sum(into[node]) == solver.Sum(out[node]))
        for j, st in enumerate(self.shape.stops, start=1):
            solver.Add(solver.Sum([v for s in st.starts for v in into[(j, s)]]) == 1)
        solver.Add(solver.Sum(out[(BASE, 0)]) <= len(self.shape.therapist_ids))
        solver.Minimize(solver.Sum([c * var for var, (_, _, c) in zip(x, self.arcs, strict=True)]))
        code = solver.Solve()
        names = {pywraplp.Solver.OPTIMAL: "OPTIMAL", pywraplp.Solver.FEASIBLE: "FEASIBLE"}
        status = names.get(code, "NOT_SOLVED")
        bound = solver.Objective().BestBound() if code in names else -math.inf
        if code not in names:
            return status, None, bound, []
        used = [
            (u, v)
            for var, (u, v, _) in zip(x, self.arcs, strict=True)
            if var.solution_value() > 0.5
        ]
        return status, solver.Objective().Value(), bound, self._routes(used)

    def _routes(self, used: list[tuple[Node, Node]]) -> list[Route]:
        succ = {u: v for u, v in used if u[0] != BASE}
        routes = []
        for node in sorted(v for u, v in used if u[0] == BASE):
            route = []
            while node[0] != BASE:
                route.append((self.shape.stops[node[0] - 1].referral_id, node[1]))
                node = succ[node]
            routes.append(route)
        return routes


def solve_exact(
    problem: Problem,
    *,
    method: Method = "circuit",
    time_limit: float = 600.0,
    workers: int = 2,
    weights: Weights | None = None,
    log: bool = False,
) -> ExactResult:
    """Solve a VRP-shaped service with one of the exact models to a proven optimum (or the
    time limit: then the best solution found and the proven bound)."""
    weights = weights or Weights()
    shape = vrp_shape(problem, weights)
    t0 = time.perf_counter()
    if method == "circuit":
        status, value, bound, routes = _Circuit(shape, weights).solve(time_limit, workers, log)
    else:
        status, value, bound, routes = _Timed(shape, weights).solve(time_limit, log)
    seconds = time.perf_counter() - t0
    if not routes:
        return ExactResult(method, status, None, None, bound, seconds, [], None, None)
    travel, span = _route_figures(shape, routes)
    objective = weights.travel * travel + weights.idle * span
    return ExactResult(method, status, objective, value, bound, seconds, routes, travel, span)


def routes_to_rota(problem: Problem, result: ExactResult) -> Rota:
    """The exact model's routes as a rota: route k to the k-th therapist, in input order."""
    shape = vrp_shape(problem)
    stop_by_id = {st.referral_id: st for st in shape.stops}
    sessions = []
    for tid, route in zip(shape.therapist_ids, result.routes, strict=False):
        for rid, start in route:
            st = stop_by_id[rid]
            sessions.append(
                Session(
                    referral_id=rid,
                    therapist_ids=(tid,),
                    site_id=st.site_id,
                    room_id=st.room_id,
                    day=shape.day,
                    start=start,
                    end=start + st.minutes,
                )
            )
    return Rota(sessions=tuple(sessions))
