"""Applying a scenario: a pure function from the base Problem to a new, validated Problem.

Changes are applied in order, each to the result of the one before, and the Problem is
re-validated after every change so that a cross-reference error is blamed on the change that
caused it. Every error of every change is collected before anything is raised.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rota.io.errors import plain_pydantic_message
from rota.models.entities import Closure, PreviousSession, Rate, Referral, Settings
from rota.models.problem import Problem, ProblemError, did_you_mean
from rota.models.timeutil import Availability, Day
from rota.scenarios.spec import (
    AddReferrals,
    AddTherapist,
    Change,
    CloseRoom,
    CloseSite,
    Pin,
    RemoveReferrals,
    RemoveTherapist,
    Scenario,
    ScenarioError,
    SetAvailability,
    SetRate,
    SetSetting,
    load_scenario,
)

# Fields of Problem, in order: the pieces a change rebuilds.
_PROBLEM_FIELDS = tuple(Problem.model_fields)
# Settings a scenario may not change: they describe the service, not a what-if.
_FIXED_SETTINGS = frozenset({"service_name", "service_contact"})


class ChangeError(Exception):
    """One change cannot be applied; carries (field, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))


def rebuild(problem: Problem, **update: Any) -> Problem:
    """A new Problem with some records replaced, cross-checked again (raises ProblemError)."""
    data = {name: getattr(problem, name) for name in _PROBLEM_FIELDS}
    data.update(update)
    try:
        return Problem.model_validate(data)
    except ValidationError as exc:
        # pydantic wraps the validator's ProblemError; hand on its located issues.
        issues = [
            issue
            for err in exc.errors()
            if isinstance(cause := (err.get("ctx") or {}).get("error"), ProblemError)
            for issue in cause.issues
        ]
        if issues:
            raise ProblemError(issues) from None
        raise


def _unknown(kind: str, ident: str, known: Iterable[str]) -> str:
    return f"unknown {kind} '{ident}'" + did_you_mean(ident, known)


# ------------------------------------------------------------------------------ the changes
def _remove_therapist(problem: Problem, change: RemoveTherapist, base_dir: Path | None) -> Problem:
    tid = change.therapist_id
    if tid not in problem.therapist_by_id:
        raise ChangeError([("therapist_id", _unknown("therapist", tid, problem.therapist_by_id))])
    referrals = tuple(
        r.model_copy(update={"current_therapist_id": None}) if r.current_therapist_id == tid else r
        for r in problem.referrals
    )
    return rebuild(
        problem,
        therapists=tuple(t for t in problem.therapists if t.therapist_id != tid),
        referrals=referrals,
        previous=tuple(p for p in problem.previous if p.therapist_id != tid),
    )


def _add_therapist(problem: Problem, change: AddTherapist, base_dir: Path | None) -> Problem:
    tid = change.therapist.therapist_id
    if tid in problem.therapist_by_id:
        raise ChangeError([("therapist.therapist_id", f"therapist '{tid}' already exists")])
    return rebuild(problem, therapists=(*problem.therapists, change.therapist))


def _set_availability(problem: Problem, change: SetAvailability, base_dir: Path | None) -> Problem:
    av = change.availability
    if change.which == "therapist":
        t = problem.therapist_by_id.get(change.id)
        if t is None:
            raise ChangeError([("id", _unknown("therapist", change.id, problem.therapist_by_id))])
        if av is None:
            raise ChangeError([("availability", "a therapist needs working hours")])
        therapists = tuple(
            x.model_copy(update={"works": av}) if x is t else x for x in problem.therapists
        )
        return rebuild(problem, therapists=therapists)
    if change.which == "room":
        room = problem.room_by_id.get(change.id)
        if room is None:
            raise ChangeError([("id", _unknown("room", change.id, problem.room_by_id))])
        rooms = tuple(
            x.model_copy(update={"available": av}) if x is room else x for x in problem.rooms
        )
        return rebuild(problem, rooms=rooms)
    site = problem.site_by_id.get(change.id)
    if site is None:
        raise ChangeError([("id", _unknown("site", change.id, problem.site_by_id))])
    column = change.column or "hours"
    sites = tuple(x.model_copy(update={column: av}) if x is site else x for x in problem.sites)
    return rebuild(problem, sites=sites)


def _without_days(av: Availability, days: Iterable[Day]) -> Availability:
    closed = set(days)
    return Availability(days={d: r for d, r in av.days.items() if d not in closed})


def _close_room(problem: Problem, change: CloseRoom, base_dir: Path | None) -> Problem:
    room = problem.room_by_id.get(change.room_id)
    if room is None:
        raise ChangeError([("room_id", _unknown("room", change.room_id, problem.room_by_id))])
    if change.days is None:
        # Closed for good: the room goes, and so do previous sessions held in it.
        return rebuild(
            problem,
            rooms=tuple(r for r in problem.rooms if r is not room),
            previous=tuple(p for p in problem.previous if p.room_id != room.room_id),
        )
    # A day without times means "the site's hours", so a blank room becomes every day but these.
    own = room.available or Availability(days={d: () for d in problem.settings.days})
    closed = set(change.days)
    return rebuild(
        problem,
        rooms=tuple(
            r.model_copy(update={"available": _without_days(own, closed)}) if r is room else r
            for r in problem.rooms
        ),
        previous=tuple(
            p for p in problem.previous if not (p.room_id == room.room_id and p.day in closed)
        ),
    )


def _close_site(problem: Problem, change: CloseSite, base_dir: Path | None) -> Problem:
    site = problem.site_by_id.get(change.site_id)
    if site is None:
        raise ChangeError([("site_id", _unknown("site", change.site_id, problem.site_by_id))])
    update: dict[str, Any] = {}
    if change.days:
        closed = set(change.days)
        hours = site.hours or Availability.model_validate("Mon-Fri")
        update["sites"] = tuple(
            s.model_copy(update={"hours": _without_days(hours, closed)}) if s is site else s
            for s in problem.sites
        )
        site_rooms = {r.room_id for r in problem.rooms_by_site.get(site.site_id, ())}
        update["previous"] = tuple(
            p for p in problem.previous if not (p.room_id in site_rooms and p.day in closed)
        )
    if change.dates:
        label = change.label or "Site closed (scenario)"
        update["closures"] = (
            *problem.closures,
            *(
                Closure(
                    date_from=span.date_from,
                    date_to=span.date_to,
                    label=label,
                    site_id=site.site_id,
                )
                for span in change.dates
            ),
        )
    return rebuild(problem, **update)


def read_referral_rows(path: Path, sheet: str) -> tuple[Referral, ...]:
    """Referrals from a sheet of another workbook (headers as in the input workbook)."""
    from rota.scenarios.sheets import read_referrals

    return read_referrals(path, sheet)


def _add_referrals(problem: Problem, change: AddReferrals, base_dir: Path | None) -> Problem:
    if change.rows is not None:
        rows = change.rows
    else:
        assert change.from_ is not None  # the model insists on one source
        path = Path(change.from_)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        try:
            rows = read_referral_rows(path, change.sheet)
        except ScenarioError as exc:
            raise ChangeError([("from", m) for m in exc.messages]) from None
    existing = problem.referral_by_id
    clashes = [r.referral_id for r in rows if r.referral_id in existing]
    if clashes:
        field = "rows" if change.rows is not None else "from"
        raise ChangeError([(field, f"referral '{rid}' already exists") for rid in clashes])
    return rebuild(problem, referrals=(*problem.referrals, *rows))


def _remove_referrals(problem: Problem, change: RemoveReferrals, base_dir: Path | None) -> Problem:
    known = problem.referral_by_id
    missing = [rid for rid in change.referral_ids if rid not in known]
    if missing:
        raise ChangeError([("referral_ids", _unknown("referral", rid, known)) for rid in missing])
    gone = set(change.referral_ids)
    return rebuild(
        problem,
        referrals=tuple(r for r in problem.referrals if r.referral_id not in gone),
        previous=tuple(p for p in problem.previous if p.referral_id not in gone),
    )


def _set_setting(problem: Problem, change: SetSetting, base_dir: Path | None) -> Problem:
    names = [n for n in Settings.model_fields if n not in _FIXED_SETTINGS]
    if change.name in _FIXED_SETTINGS:
        msg = f"'{change.name}' describes the service: a scenario cannot change it"
        raise ChangeError([("name", msg)])
    if change.name not in names:
        raise ChangeError(
            [("name", f"unknown setting '{change.name}'" + did_you_mean(change.name, names))]
        )
    s = problem.settings
    data = {n: getattr(s, n) for n in Settings.model_fields}
    data[change.name] = change.value
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ChangeError([("value", plain_pydantic_message(e)) for e in exc.errors()]) from None
    return rebuild(problem, settings=settings)


def _set_rate(problem: Problem, change: SetRate, base_dir: Path | None) -> Problem:
    rates = [r for r in problem.rates if r.effective_from != change.effective_from]
    rates.append(Rate(effective_from=change.effective_from, hourly_rate=change.hourly_rate))
    return rebuild(problem, rates=tuple(sorted(rates, key=lambda r: r.effective_from)))


def _pin(problem: Problem, change: Pin, base_dir: Path | None) -> Problem:
    errors: list[tuple[str, str]] = []
    for idx, s in enumerate(change.sessions):
        where = f"sessions[{idx}]"
        if s.referral_id not in problem.referral_by_id:
            errors.append(
                (
                    f"{where}.referral_id",
                    _unknown("referral", s.referral_id, problem.referral_by_id),
                )
            )
        if s.therapist_id not in problem.therapist_by_id:
            errors.append(
                (
                    f"{where}.therapist_id",
                    _unknown("therapist", s.therapist_id, problem.therapist_by_id),
                )
            )
        if s.room_id not in problem.room_by_id:
            errors.append((f"{where}.room_id", _unknown("room", s.room_id, problem.room_by_id)))
    if errors:
        raise ChangeError(errors)
    pinned_referrals = {s.referral_id for s in change.sessions}
    kept = tuple(p for p in problem.previous if p.referral_id not in pinned_referrals)
    pins = tuple(
        PreviousSession(
            referral_id=s.referral_id,
            therapist_id=s.therapist_id,
            day=s.day,
            start=s.start,
            room_id=s.room_id,
            pinned=True,
        )
        for s in change.sessions
    )
    return rebuild(problem, previous=(*kept, *pins))


_APPLY: dict[type, Callable[[Problem, Any, Path | None], Problem]] = {
    RemoveTherapist: _remove_therapist,
    AddTherapist: _add_therapist,
    SetAvailability: _set_availability,
    CloseRoom: _close_room,
    CloseSite: _close_site,
    AddReferrals: _add_referrals,
    RemoveReferrals: _remove_referrals,
    SetSetting: _set_setting,
    SetRate: _set_rate,
    Pin: _pin,
}


def apply_change(problem: Problem, change: Change, base_dir: Path | None = None) -> Problem:
    """Apply one change (raises ChangeError or ProblemError)."""
    return _APPLY[type(change)](problem, change, base_dir)


def apply_scenario(base: Problem, scenario: Scenario) -> Problem:
    """The base Problem with the scenario's changes applied in order; the base is not changed.

    Raises ScenarioError with every located message, e.g.
    ``s1.yaml: changes[2] (remove_therapist) therapist_id: unknown therapist 'T99'``.
    """
    base_dir = scenario.source.parent if scenario.source is not None else None
    label = scenario.label
    problem = base
    messages: list[str] = []
    numbers = scenario.change_numbers or range(len(scenario.changes))
    for idx, change in zip(numbers, scenario.changes, strict=True):
        where = f"{label}: changes[{idx}] ({change.op})"
        try:
            problem = apply_change(problem, change, base_dir)
        except ChangeError as exc:
            messages.extend(f"{where} {field}: {msg}" for field, msg in exc.problems)
        except ProblemError as exc:
            # The change broke a cross-reference: say which record, as the workbook would.
            messages.extend(f"{where}: {issue}" for issue in exc.issues)
    if messages:
        raise ScenarioError(messages)
    return _as_validate_reads_it(problem, label)


def _as_validate_reads_it(problem: Problem, label: str) -> Problem:
    """The changed Problem must pass ``rota validate`` once written (what ``scenario apply``
    writes), so that check, apply and run accept exactly the same scenarios."""
    from rota.io.errors import InputError
    from rota.io.write import read_back

    try:
        read_back(problem)
    except InputError as exc:
        raise ScenarioError(
            [f"{label}: the changed input would not pass validate: {line}" for line in exc.lines]
        ) from None
    return problem


def _change_number(message: str) -> int:
    m = re.search(r": changes\[(\d+)\]", message)
    return int(m.group(1)) if m else -1


def load_and_apply(base: Problem, path: Path | str) -> tuple[Scenario, Problem]:
    """Read a scenario file and apply it to ``base``.

    Raises ScenarioError with every message: the file's own and, when some changes are
    malformed, what applying the well-formed ones finds, in the order of the changes."""
    try:
        scenario = load_scenario(path)
    except ScenarioError as exc:
        messages = list(exc.messages)
        if exc.partial is not None:
            try:
                apply_scenario(base, exc.partial)
            except ScenarioError as more:
                messages.extend(more.messages)
        raise ScenarioError(sorted(messages, key=_change_number)) from None
    return scenario, apply_scenario(base, scenario)
