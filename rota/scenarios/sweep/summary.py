"""A sweep's figures grouped by axis values: means, least and most over the runs of a group
(over the seeds, most often). Pure data for the workbook's summary sheets and the plots."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rota.scenarios.sweep.runner import RunRecord, SweepOutcome
from rota.scenarios.sweep.spec import Axis


@dataclass(frozen=True)
class Metric:
    """A figure of a run, with how the workbook and the plots name and show it."""

    name: str
    label: str
    number_format: str
    of: Callable[[RunRecord], float | None]


def _figure(attr: str) -> Callable[[RunRecord], float | None]:
    def get(record: RunRecord) -> float | None:
        if not record.ok or record.result is None:
            return None
        value = getattr(record.result.figures, attr)
        return None if value is None else float(value)

    return get


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("placed", "Referrals placed", "0.0", _figure("placed")),
        Metric("travel", "Travel minutes per week", "#,##0", _figure("travel_minutes")),
        Metric("term_cost", "Term cost (£)", '"£"#,##0', _figure("term_cost")),
        Metric(
            "cost_per_placed",
            "Term cost per placed referral (£)",
            '"£"#,##0.00',
            _figure("cost_per_placed"),
        ),
        Metric("gap", "Gap to the proven bound", "0.0%", _figure("gap")),
    )
}


@dataclass(frozen=True)
class Stats:
    """Mean, least and most of a figure over the runs that have it."""

    mean: float
    low: float
    high: float
    count: int


def stats(values: Sequence[float | None]) -> Stats | None:
    """Stats of the values that are there (None when none is)."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    return Stats(sum(present) / len(present), min(present), max(present), len(present))


@dataclass(frozen=True)
class Group:
    """The runs sharing a value on each of some axes."""

    values: tuple[tuple[str, str], ...]  # (axis name, value label)
    records: tuple[RunRecord, ...]

    @property
    def failed(self) -> int:
        return sum(1 for r in self.records if not r.ok)

    def stats(self, metric: str) -> Stats | None:
        return stats([METRICS[metric].of(r) for r in self.records])

    @property
    def label(self) -> str:
        return ", ".join(f"{name}={value}" for name, value in self.values) or "all runs"


def varied_axes(outcome: SweepOutcome, *, seeds: bool = False) -> list[Axis]:
    """Axes with more than one value (the seed axis only when ``seeds``)."""
    return [a for a in outcome.sweep.axes if len(a.values) > 1 and (seeds or a.kind != "seed")]


def group_by(outcome: SweepOutcome, axes: Sequence[Axis]) -> list[Group]:
    """Groups of runs by their values on ``axes``, in the axes' own value order."""
    by_key: dict[tuple[str, ...], list[RunRecord]] = {}
    for record in outcome.records:
        assert record.run is not None
        key = tuple(record.run.value(a.name).label for a in axes)
        by_key.setdefault(key, []).append(record)
    order = {a.name: {v.label: i for i, v in enumerate(a.values)} for a in axes}
    keys = sorted(by_key, key=lambda k: [order[a.name][v] for a, v in zip(axes, k, strict=True)])
    return [
        Group(tuple(zip([a.name for a in axes], key, strict=True)), tuple(by_key[key]))
        for key in keys
    ]


def has_metric(outcome: SweepOutcome, metric: str) -> bool:
    """Whether any finished run has the figure (term cost needs term dates and rates)."""
    return any(METRICS[metric].of(r) is not None for r in outcome.records)
