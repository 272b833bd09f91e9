"""Comparing rotas: what changed for each referral, and the figures side by side.

Pure functions on Problems, Rotas and Results: no solver and no workbook code here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from rota.models.problem import Problem
from rota.models.result import Kpis, Result
from rota.models.rota import Rota, Session
from rota.models.timeutil import DAY_INDEX, format_time

ChangeKind = Literal["moved", "therapist", "room", "unscheduled", "scheduled", "removed", "added"]
# Order of kinds in a Changes sheet: losses first, then moves.
KIND_ORDER: dict[str, int] = {
    k: i
    for i, k in enumerate(
        ("unscheduled", "removed", "scheduled", "added", "moved", "therapist", "room")
    )
}
KIND_TEXT: dict[str, str] = {
    "moved": "moved (day or time)",
    "therapist": "changed therapist",
    "room": "changed room",
    "unscheduled": "became unscheduled",
    "scheduled": "newly scheduled",
    "removed": "referral removed",
    "added": "new referral scheduled",
}

# Compare rows counting each kind of change, in this order.
ROW_TEXT: dict[str, str] = {
    "moved": "Sessions moved (day or time)",
    "therapist": "Sessions with another therapist",
    "room": "Sessions in another room",
    "unscheduled": "Referrals no longer scheduled",
    "scheduled": "Referrals newly scheduled",
    "removed": "Removed referrals (were scheduled)",
    "added": "New referrals scheduled",
}


@dataclass(frozen=True)
class Change:
    """One difference of a referral's session between the base rota and another."""

    referral_id: str
    kind: ChangeKind
    before: str
    after: str


def _when(s: Session) -> str:
    return f"{s.day} {format_time(s.start)}-{format_time(s.end)}"


def _whole(s: Session) -> str:
    return f"{_when(s)}, {'+'.join(s.therapist_ids)}, {s.room_id}"


def diff_rotas(base: Rota, other: Rota) -> list[Change]:
    """Every change from ``base`` to ``other``, per referral, in referral order.

    A scheduled session may have moved (day or time), changed therapist(s) and changed room, each
    its own Change. A referral scheduled in one rota and not the other became unscheduled or
    newly scheduled when the other rota lists it as unscheduled; otherwise it was removed from,
    or added to, the scenario's referrals.
    """
    before = {s.referral_id: s for s in base.sessions}
    after = {s.referral_id: s for s in other.sessions}
    reason_after = {u.referral_id: u.reason for u in other.unscheduled}
    unscheduled_before = {u.referral_id for u in base.unscheduled}
    out: list[Change] = []
    for rid in sorted(set(before) | set(after)):
        b, a = before.get(rid), after.get(rid)
        if b is not None and a is not None:
            if (b.day, b.start, b.end) != (a.day, a.start, a.end):
                out.append(Change(rid, "moved", _when(b), _when(a)))
            if set(b.therapist_ids) != set(a.therapist_ids):
                out.append(
                    Change(rid, "therapist", "+".join(b.therapist_ids), "+".join(a.therapist_ids))
                )
            if b.room_id != a.room_id:
                out.append(Change(rid, "room", b.room_id, a.room_id))
        elif b is not None:
            if rid in reason_after:
                out.append(Change(rid, "unscheduled", _whole(b), reason_after[rid]))
            else:
                out.append(Change(rid, "removed", _whole(b), ""))
        elif a is not None:
            kind: ChangeKind = "scheduled" if rid in unscheduled_before else "added"
            out.append(Change(rid, kind, "", _whole(a)))
    return out


def count_changes(changes: Sequence[Change]) -> dict[str, int]:
    """Changes per kind, every kind present (0 when none)."""
    counts = dict.fromkeys(KIND_ORDER, 0)
    for c in changes:
        counts[c.kind] += 1
    return counts


# ------------------------------------------------------------------------------ figures
@dataclass(frozen=True)
class Figures:
    """What one run achieved, as the Compare sheet shows it."""

    name: str
    status: str
    referrals: int
    scheduled: int
    unscheduled: int
    scheduled_by_priority: dict[int, int]
    unscheduled_by_priority: dict[int, int]
    travel_minutes: int | None
    utilisation: float | None
    continuity_kept: int
    continuity_possible: int
    term_cost: float | None
    gap: float | None
    wall_seconds: float | None
    changes: dict[str, int] = field(default_factory=dict)


def figures_of(
    name: str,
    problem: Problem,
    result: Result,
    *,
    kpis: Kpis | None = None,
    term_cost: float | None = None,
    wall_seconds: float | None = None,
    changes: Sequence[Change] = (),
) -> Figures:
    """Figures of a solved run. Counts come from the Problem and the Rota; travel and utilisation
    from the Kpis (``kpis``, else the Result's); ``wall_seconds`` defaults to the solve's."""
    rota = result.rota
    scheduled_ids = {s.referral_id for s in rota.sessions}
    sched = dict.fromkeys(range(1, 6), 0)
    unsched = dict.fromkeys(range(1, 6), 0)
    kept = possible = 0
    for ref in problem.referrals:
        if ref.referral_id in scheduled_ids:
            sched[ref.priority] += 1
        else:
            unsched[ref.priority] += 1
        if ref.current_therapist_id:
            possible += 1
            session = rota.session_of(ref.referral_id)
            if session is not None and ref.current_therapist_id in session.therapist_ids:
                kept += 1
    k = kpis or result.kpis
    return Figures(
        name=name,
        status=result.status,
        referrals=len(problem.referrals),
        scheduled=sum(sched.values()),
        unscheduled=sum(unsched.values()),
        scheduled_by_priority=sched,
        unscheduled_by_priority=unsched,
        travel_minutes=k.travel_minutes if k is not None else None,
        utilisation=k.utilisation if k is not None else None,
        continuity_kept=kept,
        continuity_possible=possible,
        term_cost=term_cost,
        gap=result.gap,
        wall_seconds=result.wall_seconds if wall_seconds is None else wall_seconds,
        changes=count_changes(changes) if changes else {},
    )


Value = int | float | str | None


@dataclass(frozen=True)
class CompareRow:
    """One line of the Compare sheet: a figure for each run and its difference from the base."""

    label: str
    values: tuple[Value, ...]
    diffs: tuple[Value, ...]  # one per run after the base; None where no difference applies
    number_format: str = "0"


def _diffs(values: Sequence[Value], digits: int | None) -> tuple[Value, ...]:
    base = values[0]
    out: list[Value] = []
    for v in values[1:]:
        if isinstance(base, int | float) and isinstance(v, int | float):
            d = v - base
            out.append(round(d, digits) if digits is not None else d)
        else:
            out.append(None)
    return tuple(out)


def _row(
    label: str, values: Sequence[Value], fmt: str = "0", digits: int | None = None
) -> CompareRow:
    return CompareRow(label, tuple(values), _diffs(values, digits), fmt)


def compare_rows(runs: Sequence[Figures], *, with_cost: bool = True) -> list[CompareRow]:
    """The Compare sheet's rows, the first run being the base. ``with_cost=False`` leaves out the
    term's cost (when it cannot be priced)."""
    if not runs:
        return []
    rows = [
        _row("Referrals", [r.referrals for r in runs]),
        _row("Scheduled", [r.scheduled for r in runs]),
        _row("Unscheduled", [r.unscheduled for r in runs]),
    ]
    # Only the priorities some referral has (in any run).
    priorities = [
        p
        for p in range(1, 6)
        if any(
            r.unscheduled_by_priority.get(p, 0) or r.scheduled_by_priority.get(p, 0) for r in runs
        )
    ]
    for p in priorities:
        rows.append(
            _row(f"Scheduled priority {p}", [r.scheduled_by_priority.get(p, 0) for r in runs])
        )
    for p in priorities:
        rows.append(
            _row(f"Unscheduled priority {p}", [r.unscheduled_by_priority.get(p, 0) for r in runs])
        )
    rows.append(_row("Travel minutes per week", [r.travel_minutes for r in runs]))
    rows.append(
        _row(
            "Utilisation (contact / working)",
            [r.utilisation for r in runs],
            fmt="0.0%",
            digits=4,
        )
    )
    rows.append(_row("Continuity kept", [r.continuity_kept for r in runs]))
    rows.append(_row("Continuity possible", [r.continuity_possible for r in runs]))
    if with_cost:
        rows.append(_row("Term cost (£)", [r.term_cost for r in runs], fmt="#,##0.00", digits=2))
    for kind, text in ROW_TEXT.items():
        if any(r.changes.get(kind) for r in runs[1:]):
            rows.append(
                CompareRow(
                    text,
                    (None, *(r.changes.get(kind, 0) for r in runs[1:])),
                    tuple(None for _ in runs[1:]),
                )
            )
    rows.append(
        CompareRow("Solver status", tuple(r.status for r in runs), tuple(None for _ in runs[1:]))
    )
    rows.append(_row("Gap", [r.gap for r in runs], fmt="0.0%", digits=4))
    rows.append(_row("Wall time (s)", [r.wall_seconds for r in runs], fmt="0.0", digits=1))
    # A figure no run has (a gap the solver could not prove, travel without KPIs) is left out.
    return [r for r in rows if any(v is not None for v in r.values)]


def sessions_in_order(rota: Rota) -> list[Session]:
    """Sessions by day, start, first therapist: the order a Rota sheet lists them."""
    return sorted(rota.sessions, key=lambda s: (DAY_INDEX[s.day], s.start, s.therapist_ids))
