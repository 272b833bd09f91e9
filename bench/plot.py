"""The scaling plot: time to the first rota, quality and peak memory against referrals."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

from rota.reports.atomic import write_atomic  # noqa: E402

Record = dict[str, Any]


def scaling_records(records: Sequence[Record]) -> list[Record]:
    """The scaling series' successful runs, by number of referrals."""
    runs = [r for r in records if r["case"].get("scaling") and "error" not in r]
    return sorted(runs, key=lambda r: r["referrals"])


def plot_scaling(records: Sequence[Record], path: Path) -> Path:
    """Write a PNG of the scaling series to ``path`` (atomically) and return the path."""
    runs = scaling_records(records)
    if not runs:
        raise ValueError("no successful scaling run to plot")
    refs = [r["referrals"] for r in runs]
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2), constrained_layout=True)

    ax = axes[0]
    ax.plot(refs, [r["first_rota_seconds"] for r in runs], "o-", label="first rota (greedy)")
    ax.plot(
        refs,
        [r["within_1pct_seconds"] for r in runs],
        "s--",
        label="within 1% of final objective",
    )
    ax.plot(refs, [r["greedy"]["seconds"] for r in runs], ":", color="grey", label="greedy alone")
    ax.plot(refs, [r["wall_seconds"] for r in runs], "x", color="C3", label="whole solve (wall)")
    for limit in sorted({r["case"]["time_limit"] for r in runs}):
        ax.axhline(limit, color="C3", lw=0.8, ls="-.")
    # A line of slope 1 through the first rota's first point: linear growth for comparison.
    first = runs[0]["first_rota_seconds"] or 0.0
    if first > 0:
        ax.plot(
            [refs[0], refs[-1]],
            [first, first * refs[-1] / refs[0]],
            color="black",
            lw=0.6,
            alpha=0.5,
            label="linear growth",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("referrals")
    ax.set_ylabel("seconds")
    ax.set_title("Time to a rota")
    ax.legend(fontsize=8)

    ax = axes[1]
    ax.plot(refs, [100 * (r["weighted_ratio"] or 0) for r in runs], "o-", label="solver / bound")
    ax.plot(
        refs,
        [100 * (r["greedy"]["weighted_ratio"] or 0) for r in runs],
        "s--",
        label="greedy / bound",
    )
    gaps = [(r["referrals"], 100 * r["gap"]) for r in runs if r.get("gap") is not None]
    if gaps:
        twin = ax.twinx()
        twin.plot([g[0] for g in gaps], [g[1] for g in gaps], "^:", color="C3", label="gap")
        twin.set_ylabel("gap % (full model only)", color="C3")
    ax.set_xscale("log")
    ax.set_xlabel("referrals")
    ax.set_ylabel("% of priority-weighted upper bound")
    ax.set_title("Weighted referrals scheduled")
    ax.legend(fontsize=8, loc="lower left")

    ax = axes[2]
    ax.plot(refs, [r["peak_rss_mb"] for r in runs], "-", color="C0", alpha=0.4)
    for strategy, marker in (("full", "s"), ("lns", "o")):
        pts = [r for r in runs if r.get("strategy") == strategy]
        if pts:
            ax.plot(
                [r["referrals"] for r in pts],
                [r["peak_rss_mb"] for r in pts],
                marker,
                label=f"{strategy} strategy",
            )
    ax.legend(fontsize=8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("referrals")
    ax.set_ylabel("MB")
    ax.set_title("Peak memory (RSS, per run)")

    limits = sorted({r["case"]["time_limit"] for r in runs})
    fig.suptitle(
        "rota scaling, county-shaped services, time limit "
        + ", ".join(f"{t:g}" for t in limits)
        + " s"
    )
    try:
        write_atomic(path, lambda tmp: fig.savefig(tmp, format="png", dpi=110))
    finally:
        plt.close(fig)
    return path


@click.command()
@click.option(
    "--results-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path(__file__).resolve().parent / "results",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path(__file__).resolve().parent / "scaling.png",
)
def main(results_dir: Path, output: Path) -> None:
    """Redraw the scaling plot from the JSON results."""
    records = [
        json.loads(p.read_text(encoding="utf-8")) for p in sorted(results_dir.glob("*.json"))
    ]
    try:
        click.echo(plot_scaling(records, output))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


if __name__ == "__main__":
    main()
