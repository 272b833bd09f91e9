"""The coordinator's Summary sheet: what a coordinator asks first, in plain words.

In order: referrals placed (by priority and discipline), who is not placed and why, the term's
cost and who pays, therapists and driving, what changed from the previous rota; last, a small
"How the search ended" section that says in words what the solver's status and gap mean.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from rota.evaluate.term_costs import CostOptions, TermCosts
from rota.models.problem import Problem
from rota.models.result import Kpis, Result
from rota.models.rota import Rota, Session
from rota.reports.cells import INT_FORMAT, MONEY_FORMAT, PERCENT_FORMAT, put
from rota.reports.sheets import Table, note, print_setup, title, write_rows
from rota.scenarios.compare import count_changes, diff_rotas

LABEL_WIDTH = 34
VALUE_WIDTHS = (12, 12, 12, 12, 12, 12)
NOT_PLACED_SHOWN = 25
LOAD_FORMAT = "0%"
#: The load chart: as wide as the Summary's columns (A-G), a bar's height per therapist, at
#: most a page (it starts on a page of its own); a row is 15 points (0.53 cm) high.
CHART_WIDTH_CM, CHART_BAR_CM, CHART_MAX_CM, ROW_CM = 25, 0.55, 30.0, 0.53
PRIORITY_WORDS = {1: "1 (most urgent)", 5: "5 (least urgent)"}
STATUS_WORDS = {
    "OPTIMAL": "finished: this is the best rota possible (proven)",
    "FEASIBLE": "stopped before it could prove this the best rota; best rota found",
    "TIME_LIMIT": "stopped at the time limit; best rota found",
    "INFEASIBLE": "no rota can keep every rule: check the input's warnings",
    "UNKNOWN": "no search: the figures are those of the rota as given",
    "MODEL_INVALID": "the search could not run (please report this)",
}
CHANGE_WORDS = (
    ("moved", "Moved to another day or time"),
    ("therapist", "With another therapist"),
    ("room", "In another room"),
    ("unscheduled", "No longer placed"),
    ("scheduled", "Placed now, not in the previous rota"),
)


CO_FACILITATED_NOTE = (
    "A co-facilitated session is billed once per therapist running it "
    "(each therapist's row in the Rota sheet carries its share)."
)


def unscheduled_rows(problem: Problem, rota: Rota) -> list[list[Any]]:
    """Every referral without a session (id, client, sites, discipline, priority, reason), most
    urgent first, with the solver's reason where it gave one."""
    placed = {s.referral_id for s in rota.sessions}
    reasons = {u.referral_id: u.reason for u in rota.unscheduled}
    rows: list[list[Any]] = [
        [
            ref.referral_id,
            ref.client,
            "|".join(ref.site_ids),
            ref.discipline,
            ref.priority,
            reasons.get(ref.referral_id, "not scheduled"),
        ]
        for ref in problem.referrals
        if ref.referral_id not in placed
    ]
    rows.sort(key=lambda r: (r[4], r[0]))
    return rows


def rates_text(problem: Problem) -> str:
    """The hourly rates the term is billed at, in words: the one in force on its first day and
    each change before its last ('none given' without rates; every rate without term dates)."""
    s = problem.settings
    rates = sorted(problem.rates, key=lambda r: r.effective_from)
    if s.term_start is not None and s.term_end is not None:
        start, end = s.term_start, s.term_end
        before = [r for r in rates if r.effective_from <= start][-1:]
        rates = before + [r for r in rates if start < r.effective_from <= end]
    text = "; ".join(
        f"£{r.hourly_rate:.2f} an hour from {r.effective_from:%d %B %Y}" for r in rates
    )
    return text or "none given"


def billing_basis(options: CostOptions) -> str:
    """How the term's cost is worked out, in words."""
    admin = "session + admin minutes" if options.bill_admin else "session minutes only"
    bank = "bank holidays skipped" if options.bank_holidays else "bank holidays not skipped"
    return f"billed {admin}; {bank}; closures skipped; rate in force on each date"


def write_summary(
    ws: Worksheet,
    problem: Problem,
    result: Result,
    kpis: Kpis,
    costs: TermCosts,
    options: CostOptions,
) -> None:
    """The Summary sheet, section by section (see the module docstring)."""
    s = problem.settings
    ws.column_dimensions["A"].width = LABEL_WIDTH
    for j, width in enumerate(VALUE_WIDTHS):
        ws.column_dimensions[chr(ord("B") + j)].width = width
    row = title(ws, 1, f"{s.service_name}: rota for {s.term_name}")
    when = (
        f"{s.term_start:%A %d %B %Y} to {s.term_end:%A %d %B %Y}"
        if s.term_start and s.term_end
        else "Term dates not set"
    )
    row = note(ws, row, f"{when}; sessions on {', '.join(s.days)}.", 7)
    row = _placed(ws, row + 1, problem, kpis)
    row = _not_placed(ws, row + 1, problem, result.rota)
    row = _cost(ws, row + 1, costs, options)
    row = _therapists(ws, row + 1, problem, result.rota, kpis)
    row = _changes(ws, row + 1, problem, result.rota)
    _solver(ws, row + 1, result, kpis)
    print_setup(ws, f"{s.service_name}: {s.term_name}", landscape=False)


def _section(ws: Worksheet, row: int, text: str) -> int:
    put(ws, row, 1, text).font = Font(bold=True, size=12)
    return row + 1


def _pairs(ws: Worksheet, row: int, items: Sequence[tuple[str, Any, str | None]]) -> int:
    """Label in column A, value in B (right-aligned numbers, left-aligned words)."""
    for label, value, fmt in items:
        put(ws, row, 1, label)
        cell = put(ws, row, 2, value)
        if fmt and value is not None and not isinstance(value, str):
            cell.number_format = fmt
        if isinstance(value, str):
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=7)
        if isinstance(value, str) and len(value) > 66:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.cell(row, 1).alignment = Alignment(vertical="top")
            ws.row_dimensions[row].height = 13 * -(-len(value) // 66)
        row += 1
    return row


def _placed(ws: Worksheet, row: int, problem: Problem, kpis: Kpis) -> int:
    row = _section(ws, row, "Referrals placed")
    share = kpis.scheduled / kpis.referrals if kpis.referrals else 1.0
    row = _pairs(
        ws,
        row,
        [
            ("Referrals", kpis.referrals, INT_FORMAT),
            ("Placed", kpis.scheduled, INT_FORMAT),
            ("Share placed", share, PERCENT_FORMAT),
            ("Not placed", kpis.unscheduled, INT_FORMAT),
            ("Session minutes a week placed", kpis.scheduled_minutes, "#,##0"),
            (
                "Kept with their current therapist",
                f"{kpis.continuity_kept} of {kpis.continuity_possible}",
                None,
            ),
            ("At a time they prefer", f"{kpis.preferred_met} of {kpis.preferred_possible}", None),
        ],
    )
    counts = ("referrals", "placed", "not_placed")
    by_priority = [
        [
            PRIORITY_WORDS.get(p, str(p)),
            kpis.scheduled_by_priority.get(p, 0) + kpis.unscheduled_by_priority.get(p, 0),
            kpis.scheduled_by_priority.get(p, 0),
            kpis.unscheduled_by_priority.get(p, 0),
        ]
        for p in sorted(kpis.scheduled_by_priority)
    ]
    row = write_rows(ws, row + 1, Table(("priority", *counts), by_priority, {}, {}))
    by_discipline = [
        [
            d,
            kpis.scheduled_by_discipline[d] + kpis.unscheduled_by_discipline.get(d, 0),
            kpis.scheduled_by_discipline[d],
            kpis.unscheduled_by_discipline.get(d, 0),
            kpis.minutes_by_discipline.get(d, 0),
        ]
        for d in kpis.scheduled_by_discipline
    ]
    table = Table(("discipline", *counts, "minutes_a_week"), by_discipline, {}, {})
    return write_rows(ws, row + 2, table) + 1


def _not_placed(ws: Worksheet, row: int, problem: Problem, rota: Rota) -> int:
    rows = unscheduled_rows(problem, rota)
    row = _section(ws, row, "Not placed, and why")
    if not rows:
        return note(ws, row, "Every referral is placed.", 7) + 1
    shown = [[r[0], r[1], r[4], r[3], r[5]] for r in rows[:NOT_PLACED_SHOWN]]
    top = row
    last = write_rows(
        ws, top, Table(("referral_id", "client", "priority", "discipline", "why"), shown, {}, {})
    )
    for r in range(top + 1, last + 1):
        ws.merge_cells(start_row=r, start_column=5, end_row=r, end_column=7)
        for c, horizontal in zip(
            range(1, 6), ("left", "left", "center", "left", "left"), strict=True
        ):
            ws.cell(r, c).alignment = Alignment(
                wrap_text=True, vertical="top", horizontal=horizontal
            )
        lines = max(
            -(-len(str(ws.cell(r, 5).value or "")) // 36),
            -(-len(str(ws.cell(r, 2).value or "")) // 11),
        )
        ws.row_dimensions[r].height = 13 * max(1, lines)
    ws.merge_cells(start_row=top, start_column=5, end_row=top, end_column=7)
    row = last + 1
    if len(rows) > NOT_PLACED_SHOWN:
        more = len(rows) - NOT_PLACED_SHOWN
        row = note(ws, row, f"... and {more} more: see the Unscheduled sheet.", 7)
    return row


def _cost(ws: Worksheet, row: int, costs: TermCosts, options: CostOptions) -> int:
    row = _section(ws, row, "Cost of the term, and who pays")
    row = _pairs(
        ws,
        row,
        [
            ("Cost of the term", costs.total_cost, MONEY_FORMAT),
            ("Sessions in the term", costs.total_occurrences, "#,##0"),
            ("Billed hours", costs.total_billed_hours, "#,##0.0"),
        ],
    )
    row = _mileage(ws, row, costs)
    for text in (
        f"How: {billing_basis(options)}.",
        CO_FACILITATED_NOTE,
        *(f"Warning: {w}" for w in costs.warnings),
    ):
        row = note(ws, row, text, 7)
    rows = [
        [g.key, g.cost, g.cost / costs.total_cost if costs.total_cost else None, g.sessions]
        for g in sorted(costs.by_funding, key=lambda g: -g.cost)
    ]
    table = Table(
        ("funding", "cost", "share", "sessions_a_week"),
        rows,
        {"cost": MONEY_FORMAT, "share": PERCENT_FORMAT},
        {},
    )
    top = row + 1
    last = write_rows(ws, top, table)
    _wide_first_column(ws, top, last)
    return last + 1


def _mileage(ws: Worksheet, row: int, costs: TermCosts) -> int:
    """Driving priced at the mileage rate, beside the therapy hours (when a rate is set)."""
    m = costs.mileage
    if m is None:
        return row
    return _pairs(
        ws,
        row,
        [
            ("Cost of therapy hours", costs.total_cost, MONEY_FORMAT),
            (f"Mileage: {m.miles:,.0f} miles at £{m.rate:.2f} a mile", m.cost, MONEY_FORMAT),
            ("Therapy hours and mileage", costs.total_cost + m.cost, MONEY_FORMAT),
        ],
    )


def _wide_first_column(ws: Worksheet, top: int, last: int) -> None:
    """Table labels in column A stay left-aligned (numbers are right-aligned by Excel)."""
    for r in range(top + 1, last + 1):
        ws.cell(r, 1).alignment = Alignment(horizontal="left")


def _therapists(ws: Worksheet, row: int, problem: Problem, rota: Rota, kpis: Kpis) -> int:
    row = _section(ws, row, "Therapists and driving")
    working = [t for t in kpis.therapists if t.days_worked]
    most = max(kpis.therapists, key=lambda t: t.travel_minutes, default=None)
    row = _pairs(
        ws,
        row,
        [
            ("Driving minutes a week, everyone", kpis.travel_minutes, "#,##0"),
            (
                "Driving minutes a week, on average",
                round(kpis.travel_minutes / len(working)) if working else 0,
                "#,##0",
            ),
            (
                "Most driving",
                f"{most.therapist_id} {problem.therapist_by_id[most.therapist_id].name}: "
                f"{most.travel_minutes} minutes a week"
                if most
                else "",
                None,
            ),
            ("Share of working time in sessions", kpis.utilisation, PERCENT_FORMAT),
            ("Spread of loads, busiest to least busy", load_spread(problem, kpis), LOAD_FORMAT),
        ],
    )
    top = row + 1
    last = write_rows(ws, top, load_table(problem, rota, kpis))
    return load_chart(ws, top, last) + 1


def load_spread(problem: Problem, kpis: Kpis) -> float | None:
    """The busiest minus the least busy therapist's load (None without contracts)."""
    loads = [
        t.contact_minutes / contract
        for t in kpis.therapists
        if (contract := problem.contract_minutes(t.therapist_id)) > 0
    ]
    return max(loads) - min(loads) if loads else None


def load_table(problem: Problem, rota: Rota, kpis: Kpis) -> Table:
    """Each therapist's week side by side: sessions, contact against contract (her load),
    sites visited and driving minutes."""
    sites: dict[str, set[str]] = {}
    for session in rota.sessions:
        for tid in session.therapist_ids:
            sites.setdefault(tid, set()).add(session.site_id)
    rows = []
    for t in kpis.therapists:
        contract = problem.contract_minutes(t.therapist_id)
        rows.append(
            [
                f"{t.therapist_id} {problem.therapist_by_id[t.therapist_id].name}".strip(),
                t.sessions,
                t.contact_minutes,
                contract,
                t.contact_minutes / contract if contract else None,
                len(sites.get(t.therapist_id, ())),
                t.travel_minutes,
            ]
        )
    columns = (
        "therapist",
        "sessions",
        "contact_minutes",
        "contract_minutes",
        "load",
        "sites",
        "driving_minutes",
    )
    return Table(columns, rows, {"load": LOAD_FORMAT}, {})


def load_chart(ws: Worksheet, top: int, last: int) -> int:
    """A bar per therapist of her load (the load table's column E, headings at ``top``),
    below the table and as wide as a portrait A4 page; the last row it covers."""
    count = last - top
    if count <= 0:
        return last
    chart = BarChart()
    chart.type = "bar"  # horizontal bars: a therapist's name is read along its bar
    chart.style = 10
    chart.title = "Load: session minutes as a share of contract"
    chart.y_axis.title = "load"
    chart.y_axis.number_format = "0%"
    chart.y_axis.majorGridlines = None
    chart.x_axis.scaling.orientation = "maxMin"  # first therapist at the top, as in the table
    chart.x_axis.tickLblSkip = 1  # every therapist named
    chart.legend = None
    data = Reference(ws, min_col=5, min_row=top, max_row=last)
    names = Reference(ws, min_col=1, min_row=top + 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(names)
    chart.width = CHART_WIDTH_CM
    chart.height = min(CHART_MAX_CM, 3 + CHART_BAR_CM * count)
    anchor = last + 2
    ws.row_breaks.append(Break(id=anchor - 1))  # the chart is printed whole, on its own page
    ws.add_chart(chart, f"A{anchor}")
    return anchor + math.ceil(chart.height / ROW_CM)


def previous_rota(problem: Problem) -> Rota:
    """The Problem's Previous rows as a Rota (one session per referral; rows of a referral or
    room the service no longer has are left out)."""
    by_ref: dict[str, list[Any]] = {}
    for p in problem.previous:
        if p.referral_id in problem.referral_by_id and p.room_id in problem.room_by_id:
            by_ref.setdefault(p.referral_id, []).append(p)
    sessions = []
    for rid, rows in by_ref.items():
        first = rows[0]
        minutes = problem.referral_by_id[rid].minutes
        sessions.append(
            Session(
                referral_id=rid,
                therapist_ids=tuple(dict.fromkeys(p.therapist_id for p in rows)),
                site_id=problem.room_by_id[first.room_id].site_id,
                room_id=first.room_id,
                day=first.day,
                start=first.start,
                end=min(24 * 60, first.start + minutes),
            )
        )
    placed = {x.referral_id for x in sessions}
    unscheduled = tuple(
        {"referral_id": r.referral_id, "reason": "not in the previous rota"}
        for r in problem.referrals
        if r.referral_id not in placed
    )
    return Rota.model_validate({"sessions": sessions, "unscheduled": unscheduled})


def _changes(ws: Worksheet, row: int, problem: Problem, rota: Rota) -> int:
    row = _section(ws, row, "What changed from the previous rota")
    if not problem.previous:
        text = (
            "No previous rota was given. Solve with --previous and the published rota "
            "workbook to keep sessions where they were and see here what moved."
        )
        return note(ws, row, text, 7)
    before = previous_rota(problem)
    changes = diff_rotas(before, rota)
    counts = count_changes(changes)
    changed = {c.referral_id for c in changes}
    kept = sum(1 for x in before.sessions if x.referral_id not in changed)
    items: list[tuple[str, Any, str | None]] = []
    if rota.effective_from is not None:
        when = f"{rota.effective_from:%d %b %Y}"
        text = (
            f"from {when}: the previous rota's sessions ran before it, this rota's from it "
            f"(each change is listed in 'Changes from {when}'; the cost counts both)"
        )
        items.append(("The changes take effect", text, None))
    items += [
        ("Sessions in the previous rota", len(before.sessions), INT_FORMAT),
        ("Kept as they were", kept, INT_FORMAT),
    ]
    items += [(label, counts[kind], INT_FORMAT) for kind, label in CHANGE_WORDS]
    return _pairs(ws, row, items)


def _solver(ws: Worksheet, row: int, result: Result, kpis: Kpis) -> int:
    row = _section(ws, row, "How the search ended")
    items: list[tuple[str, Any, str | None]] = [
        ("Search", STATUS_WORDS.get(result.status, result.status), None)
    ]
    gap = result.net_gap if result.net_gap is not None else result.gap
    if gap is not None:
        closeness = (
            "this is the best rota possible"
            if gap <= 0
            else f"at most {gap:.1%} from the best possible"
            + (
                " (counting only what a rota can change)"
                if result.net_gap is not None and result.unplaceable
                else ""
            )
        )
        items.append(("How close to the best", closeness, None))
    elif result.weighted_upper_bound:
        share = kpis.weighted_scheduled / result.weighted_upper_bound
        items.append(
            (
                "How close to the best",
                f"placed {share:.1%} of the most any rota could place "
                "(urgent referrals counting more)",
                None,
            )
        )
    if result.objective is not None:
        items.append(("Score (lower is better)", round(result.objective), INT_FORMAT))
    if result.unplaceable:
        items.append(
            (
                "Of which no rota can change",
                f"{result.unplaceable:,.0f}: the referrals no therapist, room or day can take "
                "(see Unscheduled for why)",
                None,
            )
        )
    if result.wall_seconds:
        first = result.first_solution_seconds
        after = f" (first complete rota after {first:.1f} s)" if first is not None else ""
        items.append(("Time searching", f"{result.wall_seconds:.0f} seconds{after}", None))
    if result.message:
        items.append(("Details", result.message, None))
    row = _pairs(ws, row, items)
    return row
