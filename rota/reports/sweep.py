"""The sweep workbook: Runs (one row per run), Summary and By-axis pivots, Plots, About.

``Runs`` has the axes as columns, then the figures: placed (in all and by priority), travel,
continuity, term cost, cost per placed referral, gap, sessions changed against the base rota,
and the reason of any run that failed. ``Summary`` groups the runs over the seeds; each
``By <axis>`` sheet is a pivot of that axis against the combinations of the others. The plots
are embedded in ``Plots`` and saved beside the workbook as PNG files.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.drawing.image import Image
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rota.reports.atomic import write_atomic
from rota.reports.cells import fit_columns, put, sheet_title, write_table
from rota.reports.sheets import print_workbook
from rota.reports.sweep_plots import Plot
from rota.scenarios.sweep.runner import RunRecord, SweepOutcome
from rota.scenarios.sweep.summary import METRICS, group_by, has_metric, varied_axes

PLAN_TEXT = {"from-base": "from the base rota", "fresh": "from scratch"}
COST_LEFT_OUT = (
    "Term cost is left out: the base input gives no term dates or no hourly rates "
    "(Settings term_start/term_end, Rates sheet)."
)


def _put(ws: Worksheet, row: int, col: int, value: Any, number_format: str | None = None) -> Cell:
    """One cell through the one cell writer (text stays text), with a number format for a
    number."""
    cell = put(ws, row, col, value)
    if number_format and value is not None and not isinstance(value, str):
        cell.number_format = number_format
    return cell


def _header(ws: Worksheet, row: int, headers: Sequence[str]) -> None:
    write_table(ws, row, headers, [])


def _axis_value(record: RunRecord, axis_name: str) -> Any:
    assert record.run is not None
    value = record.run.value(axis_name)
    if value.number is not None:
        return int(value.number) if value.number.is_integer() else value.number
    if value.seed is not None:
        return value.seed
    return value.label


def _priorities(outcome: SweepOutcome) -> list[int]:
    found: set[int] = set()
    for r in outcome.records:
        if r.result is not None:
            found |= {p for p, n in r.result.figures.referrals_by_priority.items() if n}
    return sorted(found)


def run_columns(outcome: SweepOutcome) -> list[tuple[str, str | None]]:
    """The Runs sheet's columns: (heading, number format)."""
    axes = [(a.name, None) for a in outcome.sweep.axes]
    return [
        ("run", None),
        *axes,
        ("planned", None),
        ("status", None),
        ("placed", "0"),
        ("referrals", "0"),
        *((f"placed priority {p}", "0") for p in _priorities(outcome)),
        ("travel minutes", "#,##0"),
        ("continuity kept", "0"),
        ("continuity possible", "0"),
        ("term cost", '"£"#,##0.00'),
        ("cost per placed referral", '"£"#,##0.00'),
        ("gap", "0.0%"),
        ("changed vs base rota", "0"),
        ("solve seconds", "0.0"),
        ("from cache", None),
        ("worker", None),
        ("problem", None),
    ]


def run_row(outcome: SweepOutcome, record: RunRecord) -> list[Any]:
    """One run's cells, in run_columns' order."""
    assert record.run is not None
    f = record.result.figures if record.result is not None else None
    axes = [_axis_value(record, a.name) for a in outcome.sweep.axes]
    priorities = [f.placed_by_priority.get(p, 0) if f else None for p in _priorities(outcome)]
    problem = record.error
    if record.result is not None and record.result.violations:
        problem = f"the rota breaks {len(record.result.violations)} hard rule(s): " + "; ".join(
            record.result.violations[:3]
        )
    return [
        record.run.number,
        *axes,
        PLAN_TEXT[record.run.plan],
        f.status if f else ("TIMED OUT" if record.timed_out else "FAILED"),
        f.placed if f else None,
        f.referrals if f else None,
        *priorities,
        f.travel_minutes if f else None,
        f.continuity_kept if f else None,
        f.continuity_possible if f else None,
        f.term_cost if f else None,
        f.cost_per_placed if f else None,
        f.gap if f else None,
        record.changed,
        f.solve_seconds if f else None,
        ("yes" if record.cached else "no") if f else None,
        record.result.worker if record.result is not None else None,
        problem or None,
    ]


def _write_runs(ws: Worksheet, outcome: SweepOutcome) -> None:
    columns = run_columns(outcome)
    _header(ws, 1, [c for c, _ in columns])
    for i, record in enumerate(outcome.records, start=2):
        for j, (value, (_, fmt)) in enumerate(zip(run_row(outcome, record), columns, strict=True)):
            if value is not None:
                _put(ws, i, j + 1, value, fmt)
    ws.freeze_panes = f"{get_column_letter(2 + len(outcome.sweep.axes))}2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(2, len(outcome.records) + 1)}"
    fit_columns(ws, maximum=40)
    ws.column_dimensions[get_column_letter(len(columns))].width = 80


def _shown_metrics(outcome: SweepOutcome) -> list[str]:
    return [m for m in METRICS if has_metric(outcome, m)]


def _write_summary(ws: Worksheet, outcome: SweepOutcome) -> None:
    """One row per combination of the axes other than the seed: runs, failed, and each figure's
    mean, least and most over the seeds."""
    axes = varied_axes(outcome)
    metrics = _shown_metrics(outcome)
    heads = [a.name for a in axes] + ["runs", "failed"]
    for m in metrics:
        label = METRICS[m].label
        heads += [f"{label}: mean", f"{label}: least", f"{label}: most"]
    _header(ws, 1, heads)
    for i, group in enumerate(group_by(outcome, axes), start=2):
        cells: list[tuple[Any, str | None]] = [(v, None) for _, v in group.values]
        cells += [(len(group.records), "0"), (group.failed, "0")]
        for m in metrics:
            s = group.stats(m)
            fmt = METRICS[m].number_format
            cells += [(s.mean, fmt), (s.low, fmt), (s.high, fmt)] if s else [(None, None)] * 3
        for j, (value, number_format) in enumerate(cells, start=1):
            if value is not None:
                _put(ws, i, j, _number(value), number_format)
    ws.freeze_panes = f"{get_column_letter(len(axes) + 1)}2"
    fit_columns(ws, maximum=24)


def _number(value: Any) -> Any:
    """An axis value that reads as a number is written as one (so that it sorts)."""
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    return value


def _write_pivot(ws: Worksheet, outcome: SweepOutcome, axis_name: str) -> None:
    """Each figure's mean as a grid: the axis's values down, the other axes' combinations
    across."""
    axes = varied_axes(outcome)
    axis = next(a for a in axes if a.name == axis_name)
    others = [a for a in axes if a.name != axis_name]
    columns = group_by(outcome, others)
    top = 1
    for m in _shown_metrics(outcome):
        metric = METRICS[m]
        put(ws, top, 1, f"{metric.label}, mean of the runs").font = Font(bold=True)
        _header(ws, top + 1, [axis.name, *(c.label for c in columns)])
        for i, value in enumerate(axis.values, start=top + 2):
            put(ws, i, 1, _number(value.label))
            for j, column in enumerate(columns, start=2):
                runs = [r for r in column.records if r.run and r.run.value(axis_name) is value]
                s = METRICS[m].of
                present = [x for x in (s(r) for r in runs) if x is not None]
                if present:
                    _put(ws, i, j, sum(present) / len(present), metric.number_format)
        top += len(axis.values) + 3
    fit_columns(ws, maximum=30)


def _write_plots(ws: Worksheet, plots: Sequence[Plot]) -> None:
    row = 1
    for plot in plots:
        put(ws, row, 1, plot.title).font = Font(bold=True)
        image = Image(io.BytesIO(plot.png))
        ws.add_image(image, f"A{row + 1}")
        row += 2 + int(image.height / 20) + 1
    if not plots:
        put(ws, 1, 1, "No plot: no numeric axis (hires, minutes, ...) with two values or more.")


def about_rows(outcome: SweepOutcome) -> list[tuple[str, Any]]:
    """The About sheet: what was run, how, and what to know when reading it."""
    sweep, settings = outcome.sweep, outcome.settings
    done = sum(1 for r in outcome.records if r.ok)
    cached = sum(1 for r in outcome.records if r.ok and r.cached)
    rows: list[tuple[str, Any]] = [
        ("Sweep", sweep.name),
        ("What it asks", sweep.file.description),
        ("Sweep file", sweep.path.name),
        ("Base input", sweep.base_path.name),
        (
            "Axes",
            "; ".join(f"{a.name}: {', '.join(v.label for v in a.values)}" for a in sweep.axes),
        ),
        ("Runs", len(outcome.records)),
        ("Finished", done),
        ("Taken from the cache", cached),
        ("Failed or timed out", len(outcome.records) - done),
        ("Time limit per run (s)", settings.time_limit),
        ("Solver workers per run", settings.workers),
        ("Repeatable", "yes" if settings.repeatable else "no"),
        ("Solved on", outcome.executor),
        ("Wall time (s)", round(outcome.wall_seconds, 1)),
    ]
    base = outcome.base
    if base is not None:
        f = base.result.figures if base.result is not None else None
        text = (
            f"{f.placed}/{f.referrals} placed, travel {f.travel_minutes} min"
            if f
            else f"failed: {base.error}"
        )
        rows.append(("Base rota (runs re-plan from it)", text))
    rows += [("Note", n) for n in notes(outcome)]
    return rows


def notes(outcome: SweepOutcome) -> list[str]:
    """What a reader should know: plans, missing cost, stopped sweeps."""
    out = [
        "Planned 'from the base rota': the run starts from the base input's solved rota and "
        "moves sessions only where its changes need it (a timetable people can live with). "
        "'From scratch': the run plans the week anew (a capacity question).",
    ]
    if not has_metric(outcome, "term_cost"):
        out.append(COST_LEFT_OUT)
    if not outcome.settings.repeatable:
        out.append(
            "Not repeatable: each run searched for its time limit on the clock, so results "
            "depend on the machine's speed and load (use --repeatable for reusable results)."
        )
    if outcome.stopped:
        out.append("The sweep was stopped before every run finished.")
    return out


def _write_about(ws: Worksheet, outcome: SweepOutcome) -> None:
    for i, (label, value) in enumerate(about_rows(outcome), start=1):
        put(ws, i, 1, label).font = Font(bold=True)
        put(ws, i, 2, value)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 110


def build_sweep_workbook(outcome: SweepOutcome, plots: Sequence[Plot]) -> Workbook:
    """The sweep workbook in memory."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Runs"
    taken = {"Runs"}
    _write_runs(ws, outcome)
    _write_summary(wb.create_sheet(sheet_title("Summary", taken)), outcome)
    taken.add("Summary")
    for axis in varied_axes(outcome):
        title = sheet_title(f"By {axis.name}", taken)
        taken.add(title)
        _write_pivot(wb.create_sheet(title), outcome, axis.name)
    _write_plots(wb.create_sheet(sheet_title("Plots", taken)), plots)
    taken.add("Plots")
    _write_about(wb.create_sheet(sheet_title("About", taken)), outcome)
    term = outcome.sweep.base.settings.term_name
    name = outcome.sweep.file.name or outcome.sweep.path.stem
    print_workbook(wb, f"Sweep {name}: {term}")
    return wb


def plot_path(output: Path, plot: Plot) -> Path:
    """Where a plot is saved: ``<workbook name>-<axis>.png`` beside the workbook."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in plot.axis)
    return output.with_name(f"{output.stem}-{safe}.png")


def write_sweep_workbook(
    outcome: SweepOutcome, plots: Sequence[Plot], path: Path, *, force: bool = False
) -> list[Path]:
    """Write the workbook and its PNG plots atomically; returns every path written."""
    wb = build_sweep_workbook(outcome, plots)
    written = [write_atomic(path, lambda tmp: wb.save(tmp), force=force)]
    for plot in plots:
        written.append(write_atomic(plot_path(path, plot), _png_writer(plot.png)))
    return written


def _png_writer(png: bytes) -> Callable[[Path], int]:
    return lambda tmp: tmp.write_bytes(png)
