"""What the page shows, worked out by the library: the input check, the summary figures, the
week grids (the day as rota.scheduler.day lays it out), who is not placed and why, the sessions,
and a scenario's comparison. Plain data for the templates; nothing here decides a rule."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rota.evaluate.kpis import compute_kpis
from rota.evaluate.term_costs import term_costs
from rota.io.errors import InputIssue
from rota.models import DISCIPLINES, Problem
from rota.models.result import Result
from rota.models.rota import Rota, Session
from rota.models.timeutil import format_time
from rota.reports.comparison import Comparison
from rota.reports.coordinator import ROTA_COLUMNS, rota_rows, unscheduled_rows
from rota.reports.grids import (
    ADMIN_FILL,
    LUNCH_FILL,
    TRAVEL_FILL,
    block_time_text,
    grid_span,
    row_minutes_for,
    session_fill,
)
from rota.scenarios.compare import KIND_ORDER, KIND_TEXT, CompareRow
from rota.scheduler.day import DayRules, Item, Visit

PIXELS_PER_MINUTE = 1.5

STATUS_TEXT: dict[str, str] = {
    "OPTIMAL": "The best possible rota: no better one exists.",
    "FEASIBLE": "The best rota found.",
    "TIME_LIMIT": "The best rota found in the time given.",
    "UNKNOWN": "No rota could be made in the time given.",
    "INFEASIBLE": "No rota can keep every rule.",
    "MODEL_INVALID": "No rota could be made (please report this with the workbook).",
}


# ---------------------------------------------------------------------------------- input
def issue_rows(issues: Sequence[InputIssue]) -> list[dict[str, Any]]:
    """Located input errors as table rows: sheet (or file), row, column, problem."""
    return [
        {
            "sheet": i.sheet or i.source or "",
            "row": i.row if i.row is not None else "",
            "column": i.column or "",
            "message": i.message,
        }
        for i in issues
    ]


# ---------------------------------------------------------------------------------- filters
@dataclass(frozen=True)
class Filters:
    """What the coordinator narrowed the lists to: a discipline, a town, a priority."""

    discipline: str = ""
    town: str = ""
    priority: int | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str], problem: Problem) -> Filters:
        """Known values only: anything else is ignored, never echoed."""
        discipline = query.get("discipline", "")
        town = query.get("town", "")
        priority = query.get("priority", "")
        return cls(
            discipline if discipline in DISCIPLINES else "",
            town if town in towns(problem) else "",
            int(priority) if priority in {"1", "2", "3", "4", "5"} else None,
        )

    @property
    def active(self) -> bool:
        return bool(self.discipline or self.town or self.priority)

    def site(self, problem: Problem, site_id: str) -> bool:
        site = problem.site_by_id.get(site_id)
        return not self.town or (site is not None and site.town == self.town)

    def referral(self, problem: Problem, referral_id: str, site_id: str | None = None) -> bool:
        """Whether a referral (at ``site_id``, else at any of its sites) is in the filter."""
        ref = problem.referral_by_id.get(referral_id)
        if ref is None:
            return not self.active
        if self.discipline and ref.discipline != self.discipline:
            return False
        if self.priority is not None and ref.priority != self.priority:
            return False
        sites = [site_id] if site_id else list(ref.site_ids)
        return any(self.site(problem, s) for s in sites)

    def therapist(self, problem: Problem, therapist_id: str) -> bool:
        t = problem.therapist_by_id.get(therapist_id)
        return not self.discipline or (t is not None and self.discipline in t.disciplines)


def towns(problem: Problem) -> list[str]:
    return sorted({s.town for s in problem.sites if s.town})


def filter_choices(problem: Problem) -> dict[str, list[str]]:
    return {
        "disciplines": [
            d for d in DISCIPLINES if any(r.discipline == d for r in problem.referrals)
        ],
        "towns": towns(problem),
        "priorities": [str(p) for p in range(1, 6)],
    }


# ---------------------------------------------------------------------------------- summary
def summary(problem: Problem, result: Result) -> dict[str, Any]:
    """The Summary figures a coordinator asks for first, in words and small tables."""
    rota = result.rota
    k = result.kpis or compute_kpis(problem, rota)
    costs = term_costs(problem, rota)
    priorities = sorted(set(k.scheduled_by_priority) | set(k.unscheduled_by_priority))
    disciplines = sorted(set(k.scheduled_by_discipline) | set(k.unscheduled_by_discipline))
    therapists = [
        {
            "id": tk.therapist_id,
            "name": problem.therapist_by_id[tk.therapist_id].name
            if tk.therapist_id in problem.therapist_by_id
            else "",
            "sessions": tk.sessions,
            "contact": tk.contact_minutes,
            "travel": tk.travel_minutes,
            "days": tk.days_worked,
            "utilisation": tk.utilisation,
        }
        for tk in k.therapists
    ]
    return {
        "placed": k.scheduled,
        "referrals": k.referrals,
        "not_placed": k.unscheduled,
        "share": k.scheduled / k.referrals if k.referrals else 1.0,
        "minutes": k.scheduled_minutes,
        "travel": k.travel_minutes,
        "continuity": (k.continuity_kept, k.continuity_possible),
        "preferred": (k.preferred_met, k.preferred_possible),
        "utilisation": k.utilisation,
        "by_priority": [
            (p, k.scheduled_by_priority.get(p, 0), k.unscheduled_by_priority.get(p, 0))
            for p in priorities
        ],
        "by_discipline": [
            (d, k.scheduled_by_discipline.get(d, 0), k.unscheduled_by_discipline.get(d, 0))
            for d in disciplines
        ],
        "therapists": therapists,
        "cost": costs.total_cost,
        "cost_sessions": costs.total_occurrences,
        "cost_warnings": list(costs.warnings),
        "status": STATUS_TEXT.get(result.status, result.status),
        "gap": result.gap,
        "seconds": result.wall_seconds,
        "violations": list(result.violations),
        "message": result.message,
    }


# ---------------------------------------------------------------------------------- grids
@dataclass(frozen=True)
class Block:
    """One block of a week grid, placed by its times."""

    column: int
    start: int
    end: int
    kind: str  # session, admin, drive, lunch
    lines: tuple[str, ...]
    fill: str
    dim: bool = False


@dataclass(frozen=True)
class Week:
    """A week grid: columns (day, or day and room), blocks, and the times it spans."""

    title: str
    note: str
    columns: tuple[tuple[str, str], ...]  # heading and second line (a site's room)
    blocks: tuple[Block, ...]
    start: int
    end: int
    open: tuple[tuple[int, int, int], ...] = ()  # (column, start, end) of working time

    @property
    def height(self) -> int:
        return round((self.end - self.start) * PIXELS_PER_MINUTE)

    def top(self, minutes: int) -> int:
        return round((minutes - self.start) * PIXELS_PER_MINUTE)

    @property
    def hours(self) -> list[tuple[int, str]]:
        """Each whole hour's offset and label, for the time ruler."""
        first = -(-self.start // 60) * 60
        return [(self.top(t), format_time(t)) for t in range(first, self.end, 60)]

    def column_blocks(self, column: int) -> list[Block]:
        return [b for b in self.blocks if b.column == column]

    def column_open(self, column: int) -> list[tuple[int, int]]:
        """Where the column's working (or opening) time is drawn, as (top, height) pixels."""
        return [
            (
                self.top(max(s, self.start)),
                self.top(min(e, self.end)) - self.top(max(s, self.start)),
            )
            for c, s, e in self.open
            if c == column and e > self.start and s < self.end
        ]


def _client(problem: Problem, referral_id: str) -> str:
    ref = problem.referral_by_id.get(referral_id)
    return ref.client if ref and ref.client else referral_id


def _site_name(problem: Problem, site_id: str) -> str:
    site = problem.site_by_id.get(site_id)
    return site.name if site else site_id


def _room_name(problem: Problem, room_id: str) -> str:
    room = problem.room_by_id.get(room_id)
    return (room.name or room.room_id) if room else room_id


def _item_block(
    problem: Problem, column: int, item: Item, session: Session | None, filters: Filters
) -> Block:
    """A block of a therapist's day from the day layout's item."""
    times = block_time_text(item.start, item.end)
    dim = bool(item.referral_id) and not filters.referral(problem, item.referral_id, item.site_id)
    if item.kind == "session" and session is not None:
        ref = problem.referral_by_id.get(item.referral_id)
        lines = [
            f"{times} {_client(problem, item.referral_id)} ({item.referral_id})",
            f"{_site_name(problem, item.site_id)}, {_room_name(problem, session.room_id)}",
        ]
        if len(session.therapist_ids) > 1:
            lines.append("with " + ", ".join(session.therapist_ids))
        fill = session_fill(ref.discipline if ref else "")
        return Block(column, item.start, item.end, "session", tuple(lines), fill, dim)
    if item.kind == "admin":
        return Block(column, item.start, item.end, "admin", (f"admin {times}",), ADMIN_FILL, dim)
    if item.kind == "lunch":
        where = _site_name(problem, item.site_id)
        return Block(column, item.start, item.end, "lunch", (f"lunch {times}", where), LUNCH_FILL)
    minutes = item.end - item.start
    drive = (
        f"drive {minutes} min to {_site_name(problem, item.site_id)}",
        f"{times} from {_site_name(problem, item.from_site_id)}",
    )
    return Block(column, item.start, item.end, "drive", drive, TRAVEL_FILL)


def therapist_week(
    problem: Problem, rota: Rota, therapist_id: str, filters: Filters, rules: DayRules
) -> Week:
    """A therapist's week: sessions, admin, lunch and drives where the day's rules put them."""
    s = problem.settings
    therapist = problem.therapist_by_id[therapist_id]
    days = list(s.days)
    by_day: dict[str, list[Session]] = defaultdict(list)
    for session in rota.sessions:
        if therapist_id in session.therapist_ids and session.day in days:
            by_day[session.day].append(session)
    blocks: list[Block] = []
    for column, day in enumerate(days):
        sessions = sorted(by_day[day], key=lambda x: x.start)
        by_ref = {x.referral_id: x for x in sessions}
        visits = [Visit(x.start, x.end, x.site_id, x.referral_id) for x in sessions]
        for item in rules.layout(therapist_id, day, visits):
            block = _item_block(problem, column, item, by_ref.get(item.referral_id), filters)
            blocks.append(block)
    windows = problem.therapist_windows(therapist_id)
    times = [r for ranges in windows.values() for r in ranges] + [(b.start, b.end) for b in blocks]
    start, end = grid_span(times, row_minutes_for(s.slot_minutes), s.working_day.interval)
    name = f"{therapist.name} ({therapist_id})" if therapist.name else therapist_id
    base = _site_name(problem, therapist.base_site_id)
    open_ = tuple(
        (column, lo, hi) for column, day in enumerate(days) for lo, hi in windows.get(day, ())
    )
    return Week(
        title=f"{name}: week",
        note=f"{', '.join(therapist.disciplines)}; based at {base}; white: working hours",
        columns=tuple((d, "") for d in days),
        blocks=tuple(blocks),
        start=start,
        end=end,
        open=open_,
    )


def site_week(problem: Problem, rota: Rota, site_id: str, filters: Filters) -> Week:
    """A site's week: a column per day and room, each session with client and therapist(s)."""
    s = problem.settings
    site = problem.site_by_id[site_id]
    sessions = [x for x in rota.sessions if x.site_id == site_id and x.day in s.days]
    rooms = [r.room_id for r in problem.rooms_by_site.get(site_id, ())]
    rooms += sorted({x.room_id for x in sessions} - set(rooms))
    col_of = {(d, r): i for i, (d, r) in enumerate((d, r) for d in s.days for r in rooms)}
    blocks = []
    for x in sessions:
        ref = problem.referral_by_id.get(x.referral_id)
        names = [
            problem.therapist_by_id[t].name or t if t in problem.therapist_by_id else t
            for t in x.therapist_ids
        ]
        lines = (
            f"{block_time_text(x.start, x.end)} {_client(problem, x.referral_id)} "
            f"({x.referral_id})",
            ", ".join(names),
        )
        dim = not filters.referral(problem, x.referral_id, site_id)
        fill = session_fill(ref.discipline if ref else "")
        blocks.append(
            Block(col_of[(x.day, x.room_id)], x.start, x.end, "session", lines, fill, dim)
        )
    hours = problem.site_hours(site_id)
    times = [r for ranges in hours.values() for r in ranges] + [(b.start, b.end) for b in blocks]
    start, end = grid_span(times, row_minutes_for(s.slot_minutes), s.working_day.interval)
    open_ = tuple(
        (column, lo, hi)
        for (day, room_id), column in col_of.items()
        for lo, hi in problem.room_windows(room_id).get(day, ())
    )
    where = ", ".join(x for x in (site.town, site.kind.replace("_", " ")) if x)
    return Week(
        title=f"{site.name} ({site_id}): week",
        note=f"{where}; white: when the room can be used",
        columns=tuple((d, _room_name(problem, r)) for d in s.days for r in rooms),
        blocks=tuple(blocks),
        start=start,
        end=end,
        open=open_,
    )


def week_choices(
    problem: Problem, rota: Rota, filters: Filters
) -> dict[str, list[tuple[str, str]]]:
    """The therapists and the sites with sessions that the filters leave, as (value, label)."""
    busy_sites = {x.site_id for x in rota.sessions}
    therapists = [
        (f"t:{t.therapist_id}", f"{t.name} ({t.therapist_id})" if t.name else t.therapist_id)
        for t in problem.therapists
        if filters.therapist(problem, t.therapist_id)
    ]
    sites = [
        (f"s:{site.site_id}", f"{site.name} ({site.site_id})")
        for site in problem.sites
        if site.site_id in busy_sites and filters.site(problem, site.site_id)
    ]
    return {"therapists": therapists, "sites": sites}


def chosen_week(
    problem: Problem, rota: Rota, choice: str, filters: Filters, rules: DayRules
) -> tuple[str, Week | None]:
    """The week asked for (``t:ID`` or ``s:ID``), else the first therapist the filters leave."""
    choices = week_choices(problem, rota, filters)
    values = [v for v, _ in choices["therapists"] + choices["sites"]]
    if choice not in values:
        choice = values[0] if values else ""
    kind, _, ident = choice.partition(":")
    if kind == "t":
        return choice, therapist_week(problem, rota, ident, filters, rules)
    if kind == "s":
        return choice, site_week(problem, rota, ident, filters)
    return choice, None


# ---------------------------------------------------------------------------------- lists
def _text(value: Any) -> str:
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return "" if value is None else str(value)


def session_rows(problem: Problem, rota: Rota) -> list[dict[str, str]]:
    """The Rota sheet's rows as text: one per therapist per session."""
    rows = rota_rows(problem, rota, term_costs(problem, rota))
    return [{k: _text(v) for k, v in zip(ROTA_COLUMNS, row, strict=True)} for row in rows]


def unplaced_rows(problem: Problem, rota: Rota) -> list[dict[str, str]]:
    """The Unscheduled sheet's rows as text: each referral not placed, with the reason."""
    heads = ("referral_id", "client", "sites", "discipline", "priority", "reason")
    return [
        {k: _text(v) for k, v in zip(heads, row, strict=True)}
        for row in unscheduled_rows(problem, rota)
    ]


def filtered(
    problem: Problem, rows: Sequence[dict[str, str]], filters: Filters
) -> list[dict[str, str]]:
    """The rows (sessions or not placed) of referrals the filters leave."""
    if not filters.active:
        return list(rows)
    return [
        r for r in rows if filters.referral(problem, r["referral_id"], r.get("site_id") or None)
    ]


# ---------------------------------------------------------------------------------- scenarios
def _number(value: Any, fmt: str, signed: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    sign = "+" if signed and value > 0 else ""
    if fmt.endswith("%"):
        return f"{sign}{value:.1%}"
    if fmt == "#,##0.00":
        return f"{sign}£{value:,.2f}" if not signed or value >= 0 else f"-£{-value:,.2f}"
    if fmt == "0.0":
        return f"{sign}{value:,.1f}"
    return f"{sign}{value:,.0f}"


def comparison_rows(rows: Sequence[CompareRow]) -> list[dict[str, Any]]:
    """The Compare sheet's rows as text: each run's figure and its difference from the base."""
    return [
        {
            "label": r.label,
            "values": [_number(v, r.number_format) for v in r.values],
            "diffs": [_number(v, r.number_format, signed=True) for v in r.diffs],
        }
        for r in rows
    ]


def changes_by_school(comparison: Comparison) -> list[dict[str, Any]]:
    """Each scenario's changes grouped by the school (site) of the session, before or after."""
    outcomes = comparison.outcomes
    base = outcomes[0]
    out = []
    for outcome in outcomes[1:]:
        changes = comparison.changes.get(outcome.name)
        if changes is None or outcome.result is None or base.result is None:
            continue
        problem = outcome.problem or base.problem
        assert problem is not None
        site_of: dict[str, str] = {}
        for rota in (base.result.rota, outcome.result.rota):
            site_of.update({x.referral_id: x.site_id for x in rota.sessions})
        groups: dict[str, list[dict[str, str]]] = defaultdict(list)
        for c in sorted(changes, key=lambda c: (KIND_ORDER[c.kind], c.referral_id)):
            site_id = site_of.get(c.referral_id, "")
            groups[site_id].append(
                {
                    "referral_id": c.referral_id,
                    "client": _client(problem, c.referral_id),
                    "change": KIND_TEXT[c.kind],
                    "before": c.before,
                    "after": c.after,
                }
            )
        schools = [
            {"site": f"{_site_name(problem, sid)} ({sid})" if sid else "No site", "rows": rows}
            for sid, rows in sorted(groups.items(), key=lambda kv: _site_name(problem, kv[0]))
        ]
        out.append({"name": outcome.name, "count": len(changes), "schools": schools})
    return out
