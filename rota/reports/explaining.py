"""``rota explain``'s answers in plain words and as JSON, for the command line and the page.

The answers themselves come from :func:`rota.scheduler.explain.explain`; this module only says
them, so the terminal, the web page and scripts read the same thing.
"""

from __future__ import annotations

from typing import Any

from rota.models import Problem, Session
from rota.models.timeutil import format_time
from rota.scheduler.explain import Change, Explanation


def where_text(problem: Problem, s: Session) -> str:
    """Therapists, day, time, site and room of a session, e.g. 'T003, Tue 09:30-10:15, ...'."""
    who = " and ".join(s.therapist_ids)
    site = problem.site_by_id[s.site_id].name if s.site_id in problem.site_by_id else s.site_id
    return f"{who}, {s.day} {format_time(s.start)}-{format_time(s.end)}, {site}, room {s.room_id}"


def terms_text(terms: dict[str, int]) -> str:
    """The change in each labelled cost term, e.g. 'travel minutes +120; day span minutes -15'."""
    return "; ".join(f"{label} {value:+,}" for label, value in terms.items()) or "no change"


def moves_text(problem: Problem, change: Change) -> list[str]:
    """The other sessions a displacement moves, one line each."""
    return [f"move {s.referral_id} to {where_text(problem, s)}" for s in change.sessions[1:]]


def explanation_json(e: Explanation) -> dict[str, Any]:
    """The answer for one referral as plain JSON (sessions as the result file writes them)."""

    def change(c: Change) -> dict[str, Any]:
        return {
            "sessions": [s.model_dump(mode="json") for s in c.sessions],
            "cost_change": c.cost_change,
            "terms": c.terms,
            "moved": list(c.moved),
        }

    return {
        "referral_id": e.referral_id,
        "current": e.current.model_dump(mode="json") if e.current else None,
        "current_terms": e.current_terms,
        "alternatives": [change(c) for c in e.alternatives],
        "displacements": [change(c) for c in e.displacements],
        "note": e.note,
    }


def explanation_lines(problem: Problem, e: Explanation) -> list[str]:
    """The answer for one referral as the lines the command line prints."""
    lines: list[str] = []
    if e.current is not None:
        lines.append(f"{e.referral_id}: now {where_text(problem, e.current)}")
        if e.current_terms:
            lines.append(f"  what this place costs: {terms_text(e.current_terms)}")
    else:
        lines.append(f"{e.referral_id}: not placed")
    for i, c in enumerate(e.alternatives, 1):
        lines.append(f"  {i}. {where_text(problem, c.sessions[0])}: cost {c.cost_change:+,}")
        lines.append(f"     {terms_text(c.terms)}")
    for i, c in enumerate(e.displacements, 1):
        moves = "; ".join(moves_text(problem, c))
        lines.append(
            f"  {i}. {where_text(problem, c.sessions[0])} if you {moves}: cost {c.cost_change:+,}"
        )
        lines.append(f"     {terms_text(c.terms)}")
    if e.current is not None and not e.alternatives:
        lines.append("  no other place is free")
    if e.note:
        lines.append(f"  {e.note}")
    return lines
