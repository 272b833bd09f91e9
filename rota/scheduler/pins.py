"""Pinned sessions (Previous rows marked pinned): checked before solving, completed, kept.

A referral with a pinned row keeps the day, start, room and therapists of its Previous rows.
Pins are checked together by the independent checker before any search, so a pin that breaks a
hard rule (a therapist who does not work that day, two pins in one room, a week over its limit)
is an input error naming its Previous row, column and rule, never a rota that fails the check.
A co-facilitated group pinned with fewer therapists than it needs keeps those therapists and is
given a partner here, the nearest who can join it then; if nobody can, that is the error.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rota.evaluate.check import RULES, Violation, check
from rota.models import Issue, PreviousSession, Problem, Rota, Session
from rota.models.timeutil import format_time
from rota.scheduler.candidates import make_session, therapist_can

SHEET = "Previous"
#: The Previous column a broken rule points at (the start time for the rest).
COLUMN_OF_RULE = {
    "service-day": "day",
    "unknown-therapist": "therapist_id",
    "therapist-count": "therapist_id",
    "discipline": "therapist_id",
    "skills": "therapist_id",
    "unknown-room": "room_id",
    "referral-site": "room_id",
    "room-site": "room_id",
    "room-hours": "room_id",
    "room-features": "room_id",
    "room-capacity": "room_id",
    "room-overlap": "room_id",
}


@dataclass(frozen=True)
class PinPlan:
    """The pinned sessions that keep every rule together (teams completed), and an Issue for
    each Previous row whose pin cannot be kept."""

    sessions: tuple[Session, ...]
    issues: tuple[Issue, ...]

    @property
    def broken(self) -> set[str]:
        """Referrals whose pin cannot be kept."""
        return {i.record for i in self.issues}


def pinned_rows(problem: Problem) -> dict[str, list[tuple[int, PreviousSession]]]:
    """Every Previous row (with its position) of each referral that has a pinned row."""
    rows: dict[str, list[tuple[int, PreviousSession]]] = defaultdict(list)
    for index, p in enumerate(problem.previous):
        rows[p.referral_id].append((index, p))
    return {rid: items for rid, items in rows.items() if any(p.pinned for _, p in items)}


def pin_plan(problem: Problem) -> PinPlan:
    """Check every pin against the hard rules (together with the other pins) and complete
    partly pinned co-facilitated groups; see the module docstring."""
    rows = pinned_rows(problem)
    issues: list[Issue] = []
    drafts: dict[str, Session] = {}
    for rid, items in sorted(rows.items()):
        draft = _draft(problem, rid, items, issues)
        if draft is not None:
            drafts[rid] = draft
    whole = {
        rid: s
        for rid, s in drafts.items()
        if len(s.therapist_ids) >= problem.referral_by_id[rid].therapists_needed
    }
    kept = _keep_clean(problem, whole, rows, issues)
    for rid, draft in drafts.items():
        if rid in whole:
            continue
        # A partly pinned group: its own therapists first, then a partner.
        broken = _breaks(problem, draft, kept)
        if broken:
            issues += [_broken(rid, v, rows[rid]) for v in broken]
            continue
        done = _complete(problem, draft, kept)
        if done is None:
            issues.append(_no_partner(problem, draft, rows[rid]))
        else:
            kept[rid] = done
    return PinPlan(tuple(kept[rid] for rid in sorted(kept)), tuple(issues))


def _breaks(problem: Problem, session: Session, kept: dict[str, Session]) -> list[Violation]:
    """The rules ``session`` breaks with the kept pins, its team's size aside."""
    violations = check(problem, Rota(sessions=(*kept.values(), session)))
    return [
        v
        for v in violations
        if session.referral_id in v.referral_ids and v.rule != "therapist-count"
    ]


def unpin(problem: Problem, referral_ids: Iterable[str]) -> Problem:
    """The Problem with the pins of ``referral_ids`` dropped (their rows stay as a previous
    rota to keep where possible)."""
    drop = set(referral_ids)
    previous = tuple(
        p.model_copy(update={"pinned": False}) if p.referral_id in drop else p
        for p in problem.previous
    )
    return problem.model_copy(update={"previous": previous})


def _issue(rid: str, index: int, column: str, message: str) -> Issue:
    return Issue(
        level="error", sheet=SHEET, index=index, column=column, record=rid, message=message
    )


def _draft(
    problem: Problem, rid: str, items: list[tuple[int, PreviousSession]], issues: list[Issue]
) -> Session | None:
    """The session the rows pin, or None (with an issue) when they cannot make one."""
    index, first = items[0]
    ref = problem.referral_by_id.get(rid)
    room = problem.room_by_id.get(first.room_id)
    if ref is None or room is None:
        return None  # an unknown referral or room is an input error of its own
    for i, p in items[1:]:
        if (p.day, p.start, p.room_id) != (first.day, first.start, first.room_id):
            issues.append(
                _issue(
                    rid,
                    i,
                    "start",
                    f"{rid} is pinned, but its Previous rows disagree on the day, start or room "
                    f"({first.day} {format_time(first.start)} in {first.room_id} on one, "
                    f"{p.day} {format_time(p.start)} in {p.room_id} on another): a referral "
                    f"has one weekly session (rule 'duplicate-referral')",
                )
            )
            return None
    if first.start + ref.minutes > 24 * 60:
        msg = f"{rid} is pinned at {format_time(first.start)}, which runs past midnight"
        issues.append(_issue(rid, index, "start", msg))
        return None
    team = tuple(dict.fromkeys(p.therapist_id for _, p in items))
    return make_session(ref, team, room, first.day, first.start)


def _keep_clean(
    problem: Problem,
    drafts: dict[str, Session],
    rows: dict[str, list[tuple[int, PreviousSession]]],
    issues: list[Issue],
) -> dict[str, Session]:
    """The drafts that break no rule together; an issue for each rule a dropped one breaks.
    (Removing sessions never breaks a rule, so one check finds every pin to drop.)"""
    violations = check(problem, Rota(sessions=tuple(drafts.values())))
    dropped: set[str] = set()
    for v in violations:
        for rid in v.referral_ids:
            if rid in drafts:
                issues.append(_broken(rid, v, rows[rid]))
                dropped.add(rid)
    return {rid: s for rid, s in drafts.items() if rid not in dropped}


def _broken(rid: str, v: Violation, items: list[tuple[int, PreviousSession]]) -> Issue:
    """The issue of one pin breaking one rule, on the row of the therapist concerned."""
    index = next((i for i, p in items if p.therapist_id == v.therapist_id), items[0][0])
    column = COLUMN_OF_RULE.get(v.rule, "start")
    return _issue(
        rid,
        index,
        column,
        f"{rid} is pinned but breaks the rule '{v.rule}' ({RULES[v.rule]}): {v.message}",
    )


def _complete(problem: Problem, draft: Session, kept: dict[str, Session]) -> Session | None:
    """The draft with partners added (nearest by base first) so that it and the kept pins
    break no rule, or None."""
    ref = problem.referral_by_id[draft.referral_id]
    travel = problem.travel_minutes
    able = sorted(
        (
            t
            for t in problem.therapists
            if therapist_can(t, ref.discipline, ref.needs_skills)
            and t.therapist_id not in draft.therapist_ids
        ),
        key=lambda t: (travel(t.base_site_id, draft.site_id), t.therapist_id),
    )
    team = list(draft.therapist_ids)
    for t in able:
        if len(team) == ref.therapists_needed:
            break
        trial = draft.model_copy(update={"therapist_ids": (*team, t.therapist_id)})
        if not _breaks(problem, trial, kept):
            team.append(t.therapist_id)
    if len(team) < ref.therapists_needed:
        return None
    return draft.model_copy(update={"therapist_ids": tuple(team)})


def _no_partner(
    problem: Problem, draft: Session, items: list[tuple[int, PreviousSession]]
) -> Issue:
    ref = problem.referral_by_id[draft.referral_id]
    who = " and ".join(draft.therapist_ids)
    skills = f" with {', '.join(ref.needs_skills)}" if ref.needs_skills else ""
    return _issue(
        ref.referral_id,
        items[0][0],
        "therapist_id",
        f"{ref.referral_id} is pinned with {who} but needs {ref.therapists_needed} "
        f"therapists, and no other {ref.discipline} therapist{skills} can join them on "
        f"{draft.day} at {format_time(draft.start)} in {draft.room_id} "
        f"(rule 'therapist-count': {RULES['therapist-count']})",
    )
