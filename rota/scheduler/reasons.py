"""A specific reason for every unscheduled referral, from its own candidate set."""

from __future__ import annotations

from collections import defaultdict

from rota.models import Problem, Rota, Unscheduled
from rota.scheduler.candidates import Candidates


def explain_unscheduled(problem: Problem, candidates: dict[str, Candidates], rota: Rota) -> Rota:
    """The rota with every referral not in it listed as unscheduled, each with its reason."""
    placed = {s.referral_id for s in rota.sessions}
    by_therapist_day: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_room_day: dict[tuple[str, str], list[str]] = defaultdict(list)
    for s in rota.sessions:
        for tid in s.therapist_ids:
            by_therapist_day[(tid, s.day)].append(s.referral_id)
        by_room_day[(s.room_id, s.day)].append(s.referral_id)
    out: list[Unscheduled] = []
    for ref in problem.referrals:
        rid = ref.referral_id
        if rid in placed:
            continue
        cand = candidates[rid]
        if not cand.feasible:
            out.append(Unscheduled(referral_id=rid, reason=cand.reason))
            continue
        rivals: set[str] = set()
        for o in cand.options:
            rivals.update(by_therapist_day.get((o.therapist_id, o.day), []))
        for room_id, day in cand.room_starts:
            rivals.update(by_room_day.get((room_id, day), []))
        ranked = sorted(rivals, key=lambda r: (problem.referral_by_id[r].priority, r))
        higher = [r for r in ranked if problem.referral_by_id[r].priority < ref.priority]
        names = ", ".join((higher or ranked)[:3])
        therapists = sorted({o.therapist_id for o in cand.options})
        who = ", ".join(therapists[:4]) + (" and others" if len(therapists) > 4 else "")
        if higher:
            reason = (
                f"every feasible slot (therapists {who}) is taken by referrals of higher "
                f"priority (competes with {names})"
            )
        elif ranked:
            reason = (
                f"every feasible slot (therapists {who}) is taken by referrals of the same "
                f"or lower priority placed to save more of the rota (competes with {names})"
            )
        else:
            reason = (
                f"its only feasible slots (therapists {who}) cannot be combined with travel "
                f"and lunch in their days"
            )
        out.append(Unscheduled(referral_id=rid, reason=reason))
    return Rota(sessions=rota.sessions, unscheduled=tuple(out)).sorted()
