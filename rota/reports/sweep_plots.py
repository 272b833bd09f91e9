"""The sweep's plots (PNG): placed referrals, term cost per placed referral and travel against
each numeric axis (hires, admin minutes, ...), one line per combination of the other axes, the
seeds' spread (least to most) as error bars."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from rota.scenarios.sweep.runner import RunRecord, SweepOutcome
from rota.scenarios.sweep.spec import Axis
from rota.scenarios.sweep.summary import METRICS, group_by, has_metric, stats, varied_axes

#: More lines than this in one panel are unreadable: the other axes are then averaged over.
MAX_LINES = 8
PANEL_METRICS = ("placed", "cost_per_placed", "travel")


@dataclass(frozen=True)
class Plot:
    """One PNG: the axis it is drawn against, and the image's bytes."""

    axis: str
    title: str
    png: bytes


def _x_label(axis: Axis) -> str:
    if axis.kind == "hire":
        return f"Therapists hired ({axis.detail})"
    return axis.name.replace("_", " ")


def plot_axis(outcome: SweepOutcome, axis: Axis) -> Plot | None:
    """The panels against one numeric axis (None when no run finished)."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    metrics = [m for m in PANEL_METRICS if has_metric(outcome, m)]
    if not metrics:
        return None
    others = [a for a in varied_axes(outcome) if a.name != axis.name]
    lines = group_by(outcome, others)
    averaged = len(lines) > MAX_LINES
    if averaged:
        others, lines = [], group_by(outcome, [])
    fig, panels = plt.subplots(
        1, len(metrics), figsize=(4.6 * len(metrics), 3.9), constrained_layout=True, squeeze=False
    )
    for ax, name in zip(panels[0], metrics, strict=True):
        metric = METRICS[name]
        for line in lines:
            xs, ys, low, high = [], [], [], []
            for value in axis.values:
                runs = [r for r in line.records if r.run and r.run.value(axis.name) is value]
                s = group_stats(runs, name)
                if s is None or value.number is None:
                    continue
                xs.append(value.number)
                ys.append(s[0])
                low.append(s[0] - s[1])
                high.append(s[2] - s[0])
            if xs:
                ax.errorbar(
                    xs,
                    ys,
                    yerr=[low, high],
                    marker="o",
                    capsize=4,
                    label=line.label if others else None,
                )
        ax.set_xlabel(_x_label(axis))
        ax.set_title(metric.label, fontsize=10)
        ax.set_xticks([v.number for v in axis.values if v.number is not None])
        ax.grid(True, alpha=0.3)
    if others:
        panels[0][0].legend(fontsize=7)
    seeds = next((a for a in outcome.sweep.axes if a.kind == "seed" and len(a.values) > 1), None)
    spread = f"; bars: least to most over {len(seeds.values)} seeds" if seeds else ""
    mean = " (mean over the other axes)" if averaged else ""
    title = f"{outcome.sweep.name}: against {axis.name}{mean}{spread}"
    fig.suptitle(title, fontsize=11)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return Plot(axis.name, title, buffer.getvalue())


def group_stats(records: Sequence[RunRecord], metric: str) -> tuple[float, float, float] | None:
    """(mean, least, most) of a figure over some runs, None when none has it."""
    s = stats([METRICS[metric].of(r) for r in records])
    return None if s is None else (s.mean, s.low, s.high)


def sweep_plots(outcome: SweepOutcome) -> list[Plot]:
    """A plot for each numeric axis with more than one value (the seed axis is the spread)."""
    out = []
    for axis in varied_axes(outcome):
        if axis.numeric:
            plot = plot_axis(outcome, axis)
            if plot is not None:
                out.append(plot)
    return out
