"""The comparison workbook: Compare (figures side by side), Therapists, Changes and Rota sheets.

Sheets: ``Compare`` (one column per run, base first, then each scenario's difference from the
base, and notes); ``Therapists`` (each one's sessions and travel in every run);
``Changes <name>`` for each scenario (every session that moved, changed therapist or room,
became unscheduled or newly scheduled); ``Rota <name>`` for every run, laid out like the
coordinator's Rota sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rota.evaluate.term_costs import term_costs
from rota.models.problem import Problem
from rota.reports.atomic import write_atomic
from rota.reports.cells import fit_columns, put, sheet_title, write_table
from rota.reports.coordinator import rota_table
from rota.reports.sheets import Table, print_setup, table_sheet
from rota.scenarios.compare import (
    KIND_ORDER,
    KIND_TEXT,
    Change,
    CompareRow,
    Figures,
    compare_rows,
    diff_rotas,
    figures_of,
)
from rota.scenarios.run import RunOutcome

_WRAP_CHARS = 30
CHANGE_COLUMNS = ("referral_id", "client", "change", "before", "after")
COST_LEFT_OUT = (
    "Term cost is left out: the base workbook gives no term dates or no hourly rates "
    "(Settings term_start/term_end, Rates sheet)."
)


@dataclass(frozen=True)
class Comparison:
    """Everything the workbook shows, worked out before anything is written."""

    outcomes: tuple[RunOutcome, ...]
    figures: tuple[Figures, ...]  # of the runs that finished, base first
    rows: tuple[CompareRow, ...]
    changes: dict[str, list[Change]]  # by scenario name, for scenarios that finished
    notes: tuple[str, ...]


def build_comparison(outcomes: Sequence[RunOutcome]) -> Comparison:
    """Figures, rows, changes and notes of the runs; the first outcome is the base.

    A run that failed has no column; it is named in the notes with its errors. The term's cost
    is shown only when every finished run could be priced."""
    finished = [o for o in outcomes if o.ok]
    base = outcomes[0] if outcomes and outcomes[0].ok else None
    changes: dict[str, list[Change]] = {}
    figures: list[Figures] = []
    for o in finished:
        assert o.result is not None and o.problem is not None
        diff: list[Change] = []
        if base is not None and o is not base:
            assert base.result is not None
            diff = diff_rotas(base.result.rota, o.result.rota)
            changes[o.name] = diff
        figures.append(
            figures_of(
                o.name,
                o.problem,
                o.result,
                kpis=o.kpis,
                term_cost=o.term_cost,
                wall_seconds=o.wall_seconds,
                changes=diff,
            )
        )
    with_cost = bool(figures) and all(f.term_cost is not None for f in figures)
    notes: list[str] = []
    if not with_cost:
        notes.append(COST_LEFT_OUT)
    if base is None:
        notes.append("The base run did not finish: no differences can be shown.")
    for o in outcomes:
        if not o.ok:
            notes.append(f"{o.name}: not compared:")
            notes.extend(f"  {e}" for e in o.errors)
        elif o.violations:
            notes.append(f"{o.name}: the rota breaks {len(o.violations)} hard rule(s):")
            notes.extend(f"  {v}" for v in o.violations)
    rows = compare_rows(figures, with_cost=with_cost) if base is not None else []
    return Comparison(tuple(outcomes), tuple(figures), tuple(rows), changes, tuple(notes))


def footer_of(comparison: Comparison) -> str:
    """The footer of every page: 'Scenario comparison' and the base's term."""
    base = comparison.outcomes[0].problem if comparison.outcomes else None
    term = f": {base.settings.term_name}" if base is not None else ""
    return f"Scenario comparison{term}"


def _write_compare(ws: Worksheet, comparison: Comparison) -> None:
    figures = comparison.figures
    names = [f.name for f in figures]
    descriptions = {o.name: o.description for o in comparison.outcomes}
    headers = ["Figure", *names, *(f"{n} vs base" for n in names[1:])]
    bold = Font(bold=True)
    for j, h in enumerate(headers, start=1):
        put(ws, 1, j, h).font = bold
    put(ws, 2, 1, "What it asks").font = Font(italic=True)
    for j, name in enumerate(names, start=2):
        cell = put(ws, 2, j, descriptions.get(name, ""))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    put(ws, 3, 1, "Changes").font = Font(italic=True)
    summaries = {o.name: o.summary for o in comparison.outcomes}
    for j, name in enumerate(names, start=2):
        cell = put(ws, 3, j, summaries.get(name, ""))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    lines = max((summaries.get(n, "").count("\n") + 1 for n in names), default=1)
    ws.row_dimensions[3].height = 15 * max(1, min(8, lines))
    # Wrapped descriptions need a taller row (Excel does not grow it for a file it did not save).
    longest = max((len(descriptions.get(n, "")) for n in names), default=0)
    ws.row_dimensions[2].height = 15 * max(1, min(6, -(-longest // _WRAP_CHARS)))
    r = 3
    for row in comparison.rows:
        r += 1
        put(ws, r, 1, row.label)
        for j, value in enumerate((*row.values, *row.diffs), start=2):
            if value is None:
                continue
            cell = put(ws, r, j, value)
            if not isinstance(value, str):
                cell.number_format = (
                    _diff_format(row.number_format) if j > len(names) + 1 else (row.number_format)
                )
    if comparison.notes:
        r += 2
        put(ws, r, 1, "Notes").font = bold
        for note in comparison.notes:
            r += 1
            put(ws, r, 1, note)
    ws.freeze_panes = "B2"
    fit_columns(ws, maximum=_WRAP_CHARS)
    for j in range(2, len(names) + 2):
        # Descriptions wrap instead of widening their column.
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = min(ws.column_dimensions[letter].width, _WRAP_CHARS)
    ws.column_dimensions["A"].width = 34
    # One page wide, the labels' column on every page: labels and figures never part.
    print_setup(ws, footer_of(comparison), repeat_rows=(1, 1))
    ws.print_title_cols = "A:A"


def _diff_format(fmt: str) -> str:
    """Differences show their sign: +3, -1.5%."""
    return f"+{fmt};-{fmt};0" if fmt else fmt


def _write_changes(ws: Worksheet, problem: Problem, changes: Sequence[Change], footer: str) -> None:
    ordered = sorted(changes, key=lambda c: (KIND_ORDER[c.kind], c.referral_id))
    rows: list[list[Any]] = []
    for c in ordered:
        ref = problem.referral_by_id.get(c.referral_id)
        rows.append(
            [c.referral_id, ref.client if ref else "", KIND_TEXT[c.kind], c.before, c.after]
        )
    table_sheet(ws, Table(CHANGE_COLUMNS, rows, {}, {"before": 40, "after": 40}), footer)
    if not rows:
        put(ws, 2, 1, "No session changed.")


def _write_rota(ws: Worksheet, outcome: RunOutcome, footer: str) -> None:
    assert outcome.problem is not None and outcome.result is not None
    rota = outcome.result.rota
    table_sheet(ws, rota_table(outcome.problem, rota, term_costs(outcome.problem, rota)), footer)


def therapist_table(
    outcomes: Sequence[RunOutcome],
) -> tuple[list[str], list[list[Any]]] | None:
    """Each therapist's sessions and driving minutes per week in every finished run (blank
    where a run does not have the therapist); None when no run has therapist figures."""
    runs = [o for o in outcomes if o.ok and o.kpis is not None]
    if not runs:
        return None
    names: dict[str, str] = {}
    for o in runs:
        assert o.problem is not None
        for t in o.problem.therapists:
            names.setdefault(t.therapist_id, t.name)
    by_run = [{t.therapist_id: t for t in o.kpis.therapists} for o in runs if o.kpis]
    heads = [
        "Therapist ID",
        "Therapist",
        *(f"{o.name} sessions" for o in runs),
        *(f"{o.name} travel minutes" for o in runs),
    ]
    rows: list[list[Any]] = []
    for tid, name in names.items():
        figures = [k.get(tid) for k in by_run]
        rows.append(
            [
                tid,
                name,
                *(f.sessions if f else None for f in figures),
                *(f.travel_minutes if f else None for f in figures),
            ]
        )
    return heads, rows


def build_compare_workbook(comparison: Comparison) -> Workbook:
    """The comparison workbook in memory."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Compare"
    taken = {"Compare"}
    _write_compare(ws, comparison)
    footer = footer_of(comparison)
    table = therapist_table(comparison.outcomes)
    if table is not None:
        heads, rows = table
        sheet = wb.create_sheet(sheet_title("Therapists", taken))
        write_table(sheet, 1, heads, rows)
        sheet.freeze_panes = "C2"
        fit_columns(sheet)
        print_setup(sheet, footer)
    by_name = {o.name: o for o in comparison.outcomes}
    for name, changes in comparison.changes.items():
        problem = by_name[name].problem
        assert problem is not None
        sheet = wb.create_sheet(sheet_title(f"Changes {name}", taken))
        _write_changes(sheet, problem, changes, footer)
    for o in comparison.outcomes:
        if o.ok:
            _write_rota(wb.create_sheet(sheet_title(f"Rota {o.name}", taken)), o, footer)
    return wb


def write_compare_workbook(
    comparison: Comparison, path: Path | str, *, force: bool = False
) -> Path:
    """Write the comparison workbook atomically; refuses to replace a file unless ``force``."""
    wb = build_compare_workbook(comparison)
    return write_atomic(path, lambda tmp: wb.save(tmp), force=force)
