"""Large-neighbourhood search: re-optimise a few nearby therapists' weeks at a time.

A county or a region is too big for one CP-SAT model to improve quickly, but any few therapists
who share an area form a small exact model: every session of theirs is freed, together with the
unscheduled referrals they could take; everyone else's sessions stay fixed and their rooms'
times are taken. The sub-model (the same constraint families as the full model) starts from the
current rota as a complete hint, so a neighbourhood never makes the rota worse; a change is
kept only when the whole rota's objective improves and the independent checker agrees.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from rota.evaluate.check import check
from rota.evaluate.costs import total_cost
from rota.models import Problem, Rota
from rota.scheduler.budget import Budget
from rota.scheduler.candidates import Candidates, Option
from rota.scheduler.cpsat.build import build_model, extract_sessions
from rota.scheduler.cpsat.hint import complete_hint
from rota.scheduler.cpsat.solver import make_solver, run_solver
from rota.scheduler.day import intersect_starts, union_starts
from rota.scheduler.params import (
    LNS_DEADLINE_MARGIN,
    LNS_GROW_EVERY,
    LNS_GROW_MAX,
    LNS_HINT_COMPLETION_SECONDS,
    LNS_KINDS,
    LNS_SETTLED_MIN,
    LNS_SETTLED_PER_THERAPIST,
    LNS_SITE_NEIGHBOURS,
    MIN_SOLVE_SECONDS,
    SolveParams,
)
from rota.scheduler.progress import StopSignal, stopped


@dataclass
class LnsStats:
    iterations: int = 0
    improvements: int = 0
    seconds: float = 0.0
    interrupted: bool = False


def _free_starts(
    starts: tuple[tuple[int, int], ...], busy: list[tuple[int, int]], minutes: int
) -> tuple[tuple[int, int], ...]:
    """Start intervals left once every [s, e) in ``busy`` is taken (a session of ``minutes``)."""
    out = starts
    for s, e in busy:
        keep: list[tuple[int, int]] = []
        for lo, hi in out:
            # forbidden starts: s - minutes < t < e
            if hi <= s - minutes or lo >= e:
                keep.append((lo, hi))
                continue
            if lo <= s - minutes:
                keep.append((lo, s - minutes))
            if hi >= e:
                keep.append((e, hi))
        out = tuple(keep)
    return out


def neighbourhood_candidates(
    problem: Problem,
    candidates: dict[str, Candidates],
    rota: Rota,
    group: set[tuple[str, str]],
    max_new: int,
) -> dict[str, Candidates]:
    """Candidates of the freed referrals: only the group's (therapist, day) pairs, with the
    rooms' fixed times taken. Empty if a freed session could not even stay where it is."""
    free = {
        s.referral_id for s in rota.sessions if any((t, s.day) in group for t in s.therapist_ids)
    }
    busy: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for s in rota.sessions:
        if s.referral_id not in free:
            busy[(s.room_id, s.day)].append((s.start, s.end))
    placed = {s.referral_id for s in rota.sessions}
    extra = [
        rid
        for rid, c in candidates.items()
        if rid not in placed
        and c.feasible
        and any((o.therapist_id, o.day) in group for o in c.options)
    ]
    extra.sort(key=lambda rid: (candidates[rid].referral.priority, rid))
    out: dict[str, Candidates] = {}
    for rid in sorted(free) + extra[:max_new]:
        cand = candidates[rid]
        minutes = cand.referral.minutes
        room_starts = {
            key: st2
            for key, st in cand.room_starts.items()
            if (st2 := _free_starts(st, busy.get(key, []), minutes))
        }
        options: list[Option] = []
        for o in cand.options:
            if (o.therapist_id, o.day) not in group:
                continue
            parts = [
                st
                for (room_id, day), st in room_starts.items()
                if day == o.day and problem.room_by_id[room_id].site_id == o.site_id
            ]
            st = intersect_starts(o.starts, union_starts(parts)) if parts else ()
            if st:
                options.append(Option(o.therapist_id, o.day, o.site_id, st))
        sub = Candidates(cand.referral, cand.rooms, room_starts, options)
        if sub.feasible:
            out[rid] = sub
        elif rid in free:
            return {}  # its current place must stay possible, or the group is unsound
    return out


def solve_neighbourhood(
    problem: Problem,
    sub: dict[str, Candidates],
    rota: Rota,
    params: SolveParams,
    budget: Budget,
    seconds: float,
    stop: StopSignal | None = None,
) -> tuple[Rota | None, bool]:
    """Best placement of the freed referrals (None if CP-SAT found nothing), and whether it
    is proven optimal for the neighbourhood. The rest of the rota stays fixed and uses up its
    therapists' weekly and daily limits."""
    freed = set(sub)
    current = Rota(sessions=tuple(s for s in rota.sessions if s.referral_id in freed))
    fixed = [s for s in rota.sessions if s.referral_id not in freed]
    built = build_model(problem, sub, params, current, fixed)
    budget.charge_model(sum(built.size))
    hint_seconds = min(LNS_HINT_COMPLETION_SECONDS, seconds)
    complete_hint(built.model, budget, hint_seconds, stop, neighbourhood=True)
    solver = make_solver(params, seconds, budget.deterministic(seconds, neighbourhood=True))
    status = run_solver(solver, built.model, stop)
    budget.charge_solver(solver.deterministic_time, neighbourhood=True)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, False
    sessions = fixed + extract_sessions(problem, built.v, solver.value, solver.boolean_value)
    return Rota(sessions=tuple(sessions)), status == cp_model.OPTIMAL


def _therapists_neighbourhood(
    rng: random.Random, members: list[str], days: Sequence[str], num_days: int
) -> set[tuple[str, str]]:
    """A few nearby therapists on a couple of days: sessions may swap therapist and day."""
    chosen = rng.sample(days, min(len(days), num_days))
    return {(t, d) for t in members for d in chosen}


def _sites_neighbourhood(
    problem: Problem,
    rng: random.Random,
    rota: Rota,
    site_near: dict[str, list[str]],
    max_pairs: int,
) -> set[tuple[str, str]]:
    """The therapist-days that visit a site or its nearest neighbours: their sessions may be
    gathered onto fewer days and therapists, so that a school is visited once, not four times."""
    visits: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for s in rota.sessions:
        for t in s.therapist_ids:
            visits[s.site_id].add((t, s.day))
    crowded = sorted(sid for sid, v in visits.items() if len(v) > 1)
    if not crowded:
        return set()
    seed = rng.choice(crowded)
    group: set[tuple[str, str]] = set()
    for sid in site_near[seed]:
        extra = sorted(visits.get(sid, ()))
        rng.shuffle(extra)
        for pair in extra:
            if len(group) >= max_pairs:
                return group
            group.add(pair)
    return group


def _waiting(candidates: dict[str, Candidates], rota: Rota) -> list[str]:
    """Unscheduled referrals that have candidates, most urgent first."""
    placed = {s.referral_id for s in rota.sessions}
    out = [rid for rid, c in candidates.items() if rid not in placed and c.feasible]
    return sorted(out, key=lambda rid: (candidates[rid].referral.priority, rid))


def _placement_neighbourhood(
    rng: random.Random, cand: Candidates, max_pairs: int
) -> set[tuple[str, str]]:
    """Therapist-days where an unscheduled referral could go: re-arranging them may make room."""
    pairs = sorted({(o.therapist_id, o.day) for o in cand.options})
    rng.shuffle(pairs)
    return set(pairs[:max_pairs])


class _Search:
    """One LNS run: the neighbourhoods it draws from and its bookkeeping."""

    def __init__(
        self,
        problem: Problem,
        candidates: dict[str, Candidates],
        params: SolveParams,
        budget: Budget,
        stop: StopSignal | None,
    ) -> None:
        self.problem, self.candidates, self.params = problem, candidates, params
        self.budget, self.stop = budget, stop
        self.rng = random.Random(params.seed)
        self.therapists = [t.therapist_id for t in problem.therapists]
        base = {t.therapist_id: t.base_site_id for t in problem.therapists}
        travel = problem.travel_minutes
        self.near = {
            t: sorted(self.therapists, key=lambda u: (travel(base[t], base[u]), u))
            for t in self.therapists
        }
        site_ids = [x.site_id for x in problem.sites]
        self.site_near = {
            a: sorted(site_ids, key=lambda b: (travel(a, b), b))[:LNS_SITE_NEIGHBOURS]
            for a in site_ids
        }
        self.settled_limit = max(LNS_SETTLED_MIN, LNS_SETTLED_PER_THERAPIST * len(self.therapists))
        self.order: list[str] = []
        self.skip: set[str] = set()  # unscheduled referrals tried since the last full round
        self.stale = self.settled = self.attempts = 0
        self.stats = LnsStats()

    def group(self, rota: Rota) -> set[tuple[str, str]]:
        """The next neighbourhood: (therapist, day) pairs whose sessions are freed, kinds in
        turn (nearby therapists, sites, a waiting referral's places)."""
        if not self.order:
            self.order = self.therapists[:]
            self.rng.shuffle(self.order)
        seed_t = self.order.pop()
        kind = self.attempts % LNS_KINDS
        self.attempts += 1
        waiting = []
        if kind == 2:
            waiting = [r for r in _waiting(self.candidates, rota) if r not in self.skip]
            if not waiting:
                self.skip.clear()
        if waiting:
            self.skip.add(waiting[0])  # next time, the next referral in line
            return _placement_neighbourhood(
                self.rng, self.candidates[waiting[0]], self.params.lns_pairs
            )
        if kind == 0:
            size = self.params.lns_therapists + min(LNS_GROW_MAX, self.stale // LNS_GROW_EVERY)
            days = list(self.problem.settings.days)
            return _therapists_neighbourhood(
                self.rng, self.near[seed_t][:size], days, self.params.lns_days
            )
        return _sites_neighbourhood(
            self.problem, self.rng, rota, self.site_near, self.params.lns_pairs
        )

    def step(self, rota: Rota, cost: int) -> tuple[Rota, int] | None:
        """Re-optimise one neighbourhood: the better rota and its cost, or None."""
        group = _with_partners(rota, self.group(rota))
        sub = neighbourhood_candidates(
            self.problem, self.candidates, rota, group, self.params.lns_new
        )
        if not sub:
            self.settled += 1  # nothing to move here: nothing better exists
            return None
        seconds = max(MIN_SOLVE_SECONDS, min(self.params.lns_seconds, self.budget.remaining()))
        new, proven = solve_neighbourhood(
            self.problem, sub, rota, self.params, self.budget, seconds, self.stop
        )
        self.stats.iterations += 1
        if new is None:
            self.settled = 0
            return None
        self.budget.charge_rota(len(new.sessions))
        new_cost = total_cost(
            self.problem, new, self.params.weights, previous=self.params.use_previous
        )
        if new_cost < cost and not check(self.problem, new):
            self.stale = self.settled = 0
            self.stats.improvements += 1
            return new, new_cost
        self.stale += 1
        # Settled only when the sub-solve proved that nothing better exists here (a better
        # rota the checker rejected proves nothing).
        self.settled = self.settled + 1 if proven and new_cost >= cost else 0
        return None

    def over(self) -> bool:
        """The budget is used, the stop signal is set, or the search has settled."""
        if stopped(self.stop):
            self.stats.interrupted = True
            return True
        margin = 0.0 if self.budget.repeatable else LNS_DEADLINE_MARGIN
        return self.budget.used_up(margin) or self.settled >= self.settled_limit


def _with_partners(rota: Rota, group: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """A co-facilitated session frees all of its therapists together."""
    for s in rota.sessions:
        if len(s.therapist_ids) > 1 and any((t, s.day) in group for t in s.therapist_ids):
            group |= {(t, s.day) for t in s.therapist_ids}
    return group


def improve(
    problem: Problem,
    candidates: dict[str, Candidates],
    rota: Rota,
    params: SolveParams,
    budget: Budget,
    on_improve: Callable[[Rota, int], None] | None = None,
    stop: StopSignal | None = None,
) -> tuple[Rota, LnsStats]:
    """Improve ``rota`` neighbourhood by neighbourhood until the budget is used, ``stop`` is
    set, or enough neighbourhoods in a row were proven to hold nothing better."""
    t0 = budget.elapsed()
    search = _Search(problem, candidates, params, budget, stop)
    if not search.therapists:
        return rota, search.stats
    cost = total_cost(problem, rota, params.weights, previous=params.use_previous)
    while not search.over():
        better = search.step(rota, cost)
        if better is not None:
            rota, cost = better
            if on_improve:
                on_improve(rota, cost)
    search.stats.seconds = budget.elapsed() - t0
    return rota, search.stats
