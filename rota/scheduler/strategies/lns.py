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
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from rota.evaluate.check import check
from rota.evaluate.costs import total_cost
from rota.models import Problem, Rota
from rota.scheduler.candidates import (
    Candidates,
    Option,
    intersect_starts,
    union_starts,
)
from rota.scheduler.cpsat.build import build_model, extract_sessions, make_solver, run_solver
from rota.scheduler.cpsat.hint import complete_hint
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
    REPEATABLE_ATTEMPTS,
    REPEATABLE_LNS_SAFETY,
    REPEATABLE_SAFETY,
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
        sub = Candidates(cand.referral, cand.rooms, room_starts, options, cand.reason)
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
    seconds: float,
    stop: StopSignal | None = None,
) -> tuple[Rota | None, bool]:
    """Best placement of the freed referrals (None if CP-SAT found nothing), and whether it
    is proven optimal for the neighbourhood."""
    freed = set(sub)
    current = Rota(sessions=tuple(s for s in rota.sessions if s.referral_id in freed))
    built = build_model(problem, sub, params, current)
    complete_hint(built.model, seconds=min(LNS_HINT_COMPLETION_SECONDS, seconds))
    deterministic = None
    if params.deterministic_time is not None:
        # Repeatable: the work done, not the clock, ends each neighbourhood.
        seconds = REPEATABLE_LNS_SAFETY * params.lns_seconds
        deterministic = params.lns_seconds
    # Ctrl-C must reach Python (and end the whole search), not just this neighbourhood.
    solver = make_solver(params, seconds, deterministic, catch_sigint=False)
    status = run_solver(solver, built.model, stop)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, False
    sessions = [s for s in rota.sessions if s.referral_id not in freed]
    sessions += extract_sessions(problem, built.v, solver.value, solver.boolean_value)
    return Rota(sessions=tuple(sessions)), status == cp_model.OPTIMAL


def _therapists_neighbourhood(
    rng: random.Random, members: list[str], days: list[str], num_days: int
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


def improve(
    problem: Problem,
    candidates: dict[str, Candidates],
    rota: Rota,
    params: SolveParams,
    deadline: float,
    on_improve: Callable[[Rota, int], None] | None = None,
    stop: StopSignal | None = None,
) -> tuple[Rota, LnsStats]:
    """Improve ``rota`` neighbourhood by neighbourhood until ``deadline`` (perf_counter)."""
    t0 = time.perf_counter()
    stats = LnsStats()
    rng = random.Random(params.seed)
    therapists = [t.therapist_id for t in problem.therapists]
    if not therapists:
        return rota, stats
    base = {t.therapist_id: t.base_site_id for t in problem.therapists}
    near = {
        t: sorted(therapists, key=lambda u: (problem.travel_minutes(base[t], base[u]), u))
        for t in therapists
    }
    site_ids = [x.site_id for x in problem.sites]
    site_near = {
        a: sorted(site_ids, key=lambda b: (problem.travel_minutes(a, b), b))[:LNS_SITE_NEIGHBOURS]
        for a in site_ids
    }
    cost = total_cost(problem, rota, params.weights)
    service_days: list[str] = list(problem.settings.days)
    order: list[str] = []
    size = max(1, params.lns_therapists)
    stale = settled = attempts = 0
    settled_limit = max(LNS_SETTLED_MIN, LNS_SETTLED_PER_THERAPIST * len(therapists))
    skip: set[str] = set()  # unscheduled referrals tried since the last full round
    budget = None
    if params.deterministic_time is not None:
        budget = max(1, int(params.time_limit / params.lns_seconds))
        deadline = time.perf_counter() + REPEATABLE_SAFETY * params.time_limit
    try:
        while time.perf_counter() < deadline - LNS_DEADLINE_MARGIN:
            if budget is not None and stats.iterations >= budget:
                break
            if stopped(stop):
                stats.interrupted = True
                break
            if not order:
                order = therapists[:]
                rng.shuffle(order)
            seed_t = order.pop()
            kind = attempts % LNS_KINDS
            waiting = [r for r in _waiting(candidates, rota) if r not in skip] if kind == 2 else []
            if kind == 2 and not waiting:
                skip.clear()
            if waiting:
                group = _placement_neighbourhood(rng, candidates[waiting[0]], params.lns_pairs)
                # Next time, try the next referral in line.
                skip.add(waiting[0])
            elif kind == 0:
                group = _therapists_neighbourhood(
                    rng,
                    near[seed_t][: size + min(LNS_GROW_MAX, stale // LNS_GROW_EVERY)],
                    service_days,
                    params.lns_days,
                )
            else:
                group = _sites_neighbourhood(problem, rng, rota, site_near, params.lns_pairs)
            # A co-facilitated session frees all of its therapists together.
            for s in rota.sessions:
                if len(s.therapist_ids) > 1 and any((t, s.day) in group for t in s.therapist_ids):
                    group |= {(t, s.day) for t in s.therapist_ids}
            sub = neighbourhood_candidates(problem, candidates, rota, group, params.lns_new)
            attempts += 1
            if not sub:
                # Nothing to move here; an empty neighbourhood counts as settled.
                settled += 1
                if settled >= settled_limit or (
                    budget is not None and attempts >= REPEATABLE_ATTEMPTS * budget
                ):
                    break
                continue
            remaining = deadline - time.perf_counter()
            new, proven = solve_neighbourhood(
                problem,
                sub,
                rota,
                params,
                max(MIN_SOLVE_SECONDS, min(params.lns_seconds, remaining)),
            )
            stats.iterations += 1
            if new is None:
                settled = 0
                continue
            new_cost = total_cost(problem, new, params.weights)
            if new_cost < cost and not check(problem, new):
                rota, cost = new, new_cost
                stats.improvements += 1
                stale = settled = 0
                if on_improve:
                    on_improve(rota, cost)
            else:
                stale += 1
                settled = settled + 1 if proven else 0
            # Every recent neighbourhood was already optimal: nothing more to find this way.
            if settled >= settled_limit:
                break
    except KeyboardInterrupt:
        stats.interrupted = True  # Ctrl-C: keep the best rota found so far
    stats.seconds = time.perf_counter() - t0
    return rota, stats
