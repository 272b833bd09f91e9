"""Sweep files: a base input, axes of values, and the product of the axes as the runs to solve.

A sweep file is YAML; paths in it are relative to it::

    base: county.xlsx
    time_limit: 30
    axes:
      hire: {like: T004, base: HUN, count: [0, 1, 2, 3], plan: fresh}
      admin_minutes: [10, 15]          # any Settings key
      scenario: [none, cam-fridays.yaml]
      seed: [0, 1, 2]

Each axis value becomes scenario changes (hires are ``add_therapist`` changes copying a named
therapist, a setting is ``set_setting``, a scenario file its own changes), applied in the worker
that solves the run, so that only the base Problem and a few small changes travel. Loading
collects every problem of the file at once, each located by file and axis.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rota.models.entities import Settings, Therapist
from rota.models.problem import Problem, did_you_mean
from rota.scenarios.apply import apply_scenario, read_referral_rows
from rota.scenarios.spec import (
    AddReferrals,
    AddTherapist,
    Change,
    Scenario,
    ScenarioError,
    SetSetting,
    load_scenario,
)

Plan = Literal["from-base", "fresh"]
PLANS: tuple[str, ...] = ("from-base", "fresh")
#: Settings a sweep may not vary: they describe the service, not a what-if.
FIXED_SETTINGS = frozenset({"service_name", "service_contact"})
SETTING_AXES: tuple[str, ...] = tuple(n for n in Settings.model_fields if n not in FIXED_SETTINGS)
DEFAULT_MAX_RUNS = 200
NONE_SCENARIO = "none"


class SweepError(Exception):
    """A sweep file could not be read, checked or run; carries every located message."""

    def __init__(self, messages: Sequence[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


class SweepFile(BaseModel):
    """The sweep file's own fields, as written."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field("", description="Short name of the sweep (default: the file's name)")
    description: str = Field("", description="What the sweep asks")
    base: str = Field(min_length=1, description="The base input, relative to the sweep file")
    time_limit: float = Field(60.0, gt=0, description="Seconds of search per run")
    workers: int = Field(1, ge=1, description="CP-SAT workers per run")
    seed: int = Field(0, description="Seed of every run when there is no seed axis")
    plan: Plan = Field("from-base", description="from-base (default) or fresh")
    max_runs: int = Field(DEFAULT_MAX_RUNS, ge=1, description="Refuse a sweep of more runs")
    run_timeout: float | None = Field(
        None, gt=0, description="Seconds after which a run is given up (default 1.5 x limit + 60)"
    )
    repeatable: bool = Field(False, description="Deterministic search, so results can be reused")
    axes: dict[str, Any] = Field(min_length=1, description="Axis name -> values")


@dataclass(frozen=True)
class AxisValue:
    """One value of an axis: its label, the changes it makes and the plan it asks for."""

    label: str
    changes: tuple[Change, ...] = ()
    seed: int | None = None
    number: float | None = None  # the value as a number, for plots (hires, minutes)
    plan: Plan | None = None


@dataclass(frozen=True)
class Axis:
    """One axis of the sweep, in the file's order."""

    name: str
    kind: Literal["hire", "setting", "scenario", "seed"]
    values: tuple[AxisValue, ...]
    plan: Plan | None = None
    detail: str = ""  # e.g. "like T004, based at HUN"

    @property
    def numeric(self) -> bool:
        """Whether every value is a number (so that it can be an x axis)."""
        return all(v.number is not None for v in self.values)


@dataclass(frozen=True)
class Run:
    """One run of the sweep: a value of every axis, the changes they make, seed and plan."""

    number: int
    values: tuple[tuple[str, AxisValue], ...]
    seed: int
    plan: Plan

    @property
    def label(self) -> str:
        """``hire=2 admin_minutes=15 seed=1``: how progress lines and sheets name the run."""
        return " ".join(f"{name}={v.label}" for name, v in self.values) or "base"

    @property
    def scenario(self) -> Scenario:
        """The run's changes as one scenario: scenario files first, then hires, then settings
        (so that an axis's setting wins over a scenario file's)."""
        order = {"scenario": 0, "hire": 1, "setting": 2, "seed": 3}
        kinds = {name: _kind_of(name) for name, _ in self.values}
        ordered = sorted(self.values, key=lambda nv: order[kinds[nv[0]]])
        changes = tuple(c for _, v in ordered for c in v.changes)
        return Scenario(name=self.label, changes=changes, source_label=f"run {self.number}")

    def value(self, axis: str) -> AxisValue:
        """This run's value of ``axis``."""
        return dict(self.values)[axis]


@dataclass(frozen=True)
class Sweep:
    """A loaded sweep file: settings, the base Problem and the axes (checked)."""

    path: Path
    file: SweepFile
    base_path: Path
    base: Problem
    axes: tuple[Axis, ...]

    @property
    def name(self) -> str:
        return self.file.name or self.path.stem

    @property
    def num_runs(self) -> int:
        n = 1
        for axis in self.axes:
            n *= len(axis.values)
        return n

    def runs(self) -> list[Run]:
        """The product of the axes, first axis slowest, numbered from 1."""
        out: list[Run] = []
        names = [a.name for a in self.axes]
        for idx, combo in enumerate(itertools.product(*(a.values for a in self.axes)), start=1):
            values = tuple(zip(names, combo, strict=True))
            seeds = [v.seed for v in combo if v.seed is not None]
            out.append(Run(idx, values, seeds[0] if seeds else self.file.seed, self._plan(values)))
        return out

    def _plan(self, values: Iterable[tuple[str, AxisValue]]) -> Plan:
        """A value's or axis's own plan beats the sweep's; where two disagree, fresh wins (a
        fresh plan is never held to a rota the run's changes may not fit)."""
        by_name = {a.name: a for a in self.axes}
        asked = {v.plan or by_name[name].plan for name, v in values} - {None}
        if not asked:
            return self.file.plan
        return "fresh" if "fresh" in asked else "from-base"


# ------------------------------------------------------------------------------ reading
def _kind_of(name: str) -> Literal["hire", "setting", "scenario", "seed"]:
    if name == "hire" or name.startswith(("hire_", "hire-")):
        return "hire"
    if name in ("scenario", "seed"):
        return name  # type: ignore[return-value]
    return "setting"


def _listed(raw: Any) -> tuple[list[Any], Plan | None, list[str]]:
    """An axis written as a list, a single value, or ``{values: [...], plan: ...}``."""
    if isinstance(raw, dict):
        extra = sorted(set(raw) - {"values", "plan"})
        errors = [f"unknown key '{k}' (use values and plan)" for k in extra]
        plan = raw.get("plan")
        if plan is not None and plan not in PLANS:
            errors.append(f"plan: '{plan}' is not one of {', '.join(PLANS)}")
            plan = None
        if "values" not in raw:
            errors.append("give values, e.g. values: [10, 15]")
        values = raw.get("values")
        return (values if isinstance(values, list) else [values]), plan, errors
    return (raw if isinstance(raw, list) else [raw]), None, []


def _hire_axis(name: str, raw: Any, base: Problem) -> tuple[Axis | None, list[str]]:
    if not isinstance(raw, dict):
        return None, ["expected {like: T004, base: HUN, count: [0, 1, 2]}"]
    extra = sorted(set(raw) - {"like", "base", "count", "plan"})
    errors = [f"unknown key '{k}' (use like, base, count and plan)" for k in extra]
    like = str(raw.get("like", "")).strip()
    model = base.therapist_by_id.get(like)
    if not like:
        errors.append("like: give the therapist the new ones copy, e.g. like: T004")
    elif model is None:
        errors.append(
            f"like: unknown therapist '{like}'" + did_you_mean(like, base.therapist_by_id)
        )
    site = str(raw.get("base") or (model.base_site_id if model else "")).strip()
    if raw.get("base") is not None and site not in base.site_by_id:
        errors.append(f"base: unknown site '{site}'" + did_you_mean(site, base.site_by_id))
    counts = raw.get("count")
    counts = counts if isinstance(counts, list) else [counts]
    if not counts or not all(
        isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in counts
    ):
        errors.append("count: give whole numbers of therapists to add, e.g. count: [0, 1, 2]")
    plan = raw.get("plan")
    if plan is not None and plan not in PLANS:
        errors.append(f"plan: '{plan}' is not one of {', '.join(PLANS)}")
    if errors or model is None:
        return None, errors
    values = tuple(AxisValue(str(c), _hires(model, site, c), number=float(c)) for c in counts)
    most = max(values, key=lambda v: len(v.changes))
    try:
        apply_scenario(base, Scenario(name=name, changes=most.changes))
    except ScenarioError as exc:
        return None, [m.split(") ", 1)[-1] for m in exc.messages]
    return Axis(name, "hire", values, plan, f"like {like}, based at {site}"), []


def _hires(model: Therapist, site: str, count: int) -> tuple[Change, ...]:
    """``count`` copies of ``model`` based at ``site``: ids H1-T004-HUN, H2-T004-HUN, ..."""
    return tuple(
        AddTherapist(
            op="add_therapist",
            therapist=model.model_copy(
                update={
                    "therapist_id": f"H{i}-{model.therapist_id}-{site}",
                    "name": f"New hire {i} (like {model.therapist_id})",
                    "base_site_id": site,
                }
            ),
        )
        for i in range(1, count + 1)
    )


def _setting_axis(name: str, raw: Any, base: Problem) -> tuple[Axis | None, list[str]]:
    values, plan, errors = _listed(raw)
    out = []
    for value in values:
        change = SetSetting(op="set_setting", name=name, value=value)
        try:
            apply_scenario(base, Scenario(name=name, changes=(change,)))
        except ScenarioError as exc:
            errors.extend(f"{value}: {m.split('value: ', 1)[-1]}" for m in exc.messages)
            continue
        number = (
            float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        )
        out.append(AxisValue(_text(value), (change,), number=number))
    return (Axis(name, "setting", tuple(out), plan) if not errors else None), errors


def _seed_axis(raw: Any) -> tuple[Axis | None, list[str]]:
    values, plan, errors = _listed(raw)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        errors.append("give whole numbers, e.g. seed: [0, 1, 2]")
    if errors:
        return None, errors
    return Axis("seed", "seed", tuple(AxisValue(str(v), seed=v) for v in values), plan), []


def _scenario_axis(raw: Any, folder: Path, base: Problem) -> tuple[Axis | None, list[str]]:
    values, plan, errors = _listed(raw)
    out: list[AxisValue] = []
    for item in values:
        entry_plan = None
        if isinstance(item, dict):
            entry_plan = item.get("plan")
            if entry_plan is not None and entry_plan not in PLANS:
                errors.append(
                    f"{item.get('file')}: plan: '{entry_plan}' is not one of " + ", ".join(PLANS)
                )
                entry_plan = None
            item = item.get("file")
        if not isinstance(item, str) or not item.strip():
            errors.append(f"'{item}': give a scenario file or none")
            continue
        if item.strip().lower() == NONE_SCENARIO:
            out.append(AxisValue(NONE_SCENARIO, plan=entry_plan))
            continue
        try:
            scenario = _load_resolved(folder / item, base)
        except ScenarioError as exc:
            errors.extend(exc.messages)
            continue
        out.append(AxisValue(Path(item).stem, scenario.changes, plan=entry_plan))
    return (Axis("scenario", "scenario", tuple(out), plan) if not errors else None), errors


def _load_resolved(path: Path, base: Problem) -> Scenario:
    """A scenario file, checked against the base, with referrals it reads from other workbooks
    taken in as rows (a worker on another machine has no access to the files)."""
    scenario = load_scenario(path)
    changes: list[Change] = []
    for change in scenario.changes:
        if isinstance(change, AddReferrals) and change.from_ is not None:
            source = Path(change.from_)
            source = source if source.is_absolute() else path.parent / source
            rows = read_referral_rows(source, change.sheet)
            change = AddReferrals(op="add_referrals", rows=rows)
        changes.append(change)
    resolved = scenario.model_copy(update={"changes": tuple(changes)})
    apply_scenario(base, resolved)
    return resolved


def _text(value: Any) -> str:
    return str(value) if not isinstance(value, float) or not value.is_integer() else str(int(value))


def _axis(name: str, raw: Any, folder: Path, base: Problem) -> tuple[Axis | None, list[str]]:
    kind = _kind_of(name)
    if kind == "hire":
        return _hire_axis(name, raw, base)
    if kind == "seed":
        return _seed_axis(raw)
    if kind == "scenario":
        return _scenario_axis(raw, folder, base)
    if name not in SETTING_AXES:
        known = ["hire", "scenario", "seed", *SETTING_AXES]
        return None, [
            f"unknown axis '{name}'"
            + did_you_mean(name, known)
            + "; an axis is hire, scenario, seed or a Settings name such as admin_minutes"
        ]
    return _setting_axis(name, raw, base)


def read_sweep_file(path: Path) -> SweepFile:
    """The sweep file's fields (raises SweepError with every located message)."""
    label = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SweepError([f"{label}: cannot read: {exc.strerror or exc}"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark is not None else ""
        problem = getattr(exc, "problem", None) or exc
        raise SweepError([f"{label}:{where} not valid YAML: {problem}"]) from None
    if not isinstance(data, dict):
        raise SweepError([f"{label}: expected a mapping with base, time_limit and axes"])
    try:
        return SweepFile.model_validate(data)
    except ValidationError as exc:
        raise SweepError(
            [
                f"{label}: {'.'.join(str(p) for p in e['loc']) or 'file'}: "
                + str(e["msg"]).removeprefix("Value error, ")
                for e in exc.errors()
            ]
        ) from None


def load_sweep(path: Path | str, read_base: Any = None) -> Sweep:
    """Read a sweep file and its base, and check every axis value against the base.

    ``read_base(path) -> Problem`` reads the base input (rota.io.read_problem by default; it
    raises InputError for a bad workbook). Raises SweepError with every located message."""
    from rota.io import read_problem

    p = Path(path)
    file = read_sweep_file(p)
    base_path = p.parent / file.base
    base = (read_base or read_problem)(base_path)
    axes: list[Axis] = []
    errors: list[str] = []
    for name, raw in file.axes.items():
        axis, problems = _axis(str(name), raw, p.parent, base)
        errors.extend(f"{p.name}: axes.{name}: {m}" for m in problems)
        if axis is not None:
            if len({v.label for v in axis.values}) < len(axis.values):
                errors.append(f"{p.name}: axes.{name}: a value is given twice")
            axes.append(axis)
    if errors:
        raise SweepError(errors)
    return Sweep(p, file, base_path, base, tuple(axes))


def check_size(sweep: Sweep, max_runs: int | None = None) -> None:
    """Refuse a sweep of more runs than ``max_runs`` (the file's unless given)."""
    limit = max_runs or sweep.file.max_runs
    if sweep.num_runs > limit:
        sizes = " x ".join(f"{len(a.values)} {a.name}" for a in sweep.axes)
        raise SweepError(
            [
                f"{sweep.path.name}: the axes make {sweep.num_runs} runs ({sizes}), more than "
                f"max_runs {limit}: remove values or raise max_runs in the sweep file"
            ]
        )


def default_timeout(time_limit: float) -> float:
    """Seconds after which a run is given up: its limit, half again for the start (candidates,
    the greedy rota, figures) and a minute for a busy machine."""
    return 1.5 * time_limit + 60.0
