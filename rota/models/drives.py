"""Is the drive matrix plausible? What ``rota validate`` tells the coordinator about the drives.

The longest and the shortest drive between two different sites, pairs of sites so close that
they are probably one place entered twice, and Travel rows whose minutes do not fit the
straight-line distance (faster than a car goes, next to nothing for a real distance, or far
longer than the estimate). Solver-free: the minutes are the Problem's own ``travel_minutes``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rota.models.problem import Issue, Problem, haversine_km

#: Two different sites closer than this are probably one place entered twice.
SAME_PLACE_KM = 0.2
#: A measured drive implying a faster average than this (over the straight line) is a typo.
MAX_PLAUSIBLE_KMH = 100.0
#: A drive of at most this many minutes ...
INSTANT_MINUTES = 2
#: ... between sites further apart than this is a typo (a 0 or a missing digit).
INSTANT_KM = 2.0
#: A measured drive more than this many times the estimate ...
SLOW_FACTOR = 4
#: ... and longer than the estimate by more than this (short hops may take a few minutes to
#: park) is probably between the wrong sites or in the wrong unit.
SLOW_MARGIN_MINUTES = 20

#: Says where a record is for a message about another record: (sheet, position) -> text.
Place = Callable[[str, int], str]


def record_number(sheet: str, idx: int) -> str:
    """The default place of a record: its position in its sheet, counting from 1."""
    return f"{sheet} record {idx + 1}"


@dataclass(frozen=True)
class Leg:
    """One drive between two different sites."""

    minutes: int
    from_site_id: str
    to_site_id: str


@dataclass
class DriveReport:
    """What the drive matrix looks like (``lines``, plain words) and what looks wrong
    (``issues``, warnings located on a Sites or Travel row)."""

    lines: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    longest: Leg | None = None
    shortest: Leg | None = None


def drive_report(problem: Problem, place: Place = record_number) -> DriveReport:
    """The longest and shortest drives between different sites, sites closer than
    ``SAME_PLACE_KM``, and implausible Travel rows. ``place`` names the other record of a pair
    (the CLI passes one that says "Sites row 14")."""
    report = DriveReport()
    sites = problem.sites
    if len(sites) < 2:
        report.lines.append("Drives between sites: fewer than two sites, nothing to compare")
        return report
    measured = {(t.from_site_id, t.to_site_id) for t in problem.travel}
    measured |= {(b, a) for a, b in measured}
    longest: Leg | None = None
    shortest: Leg | None = None
    close: list[tuple[int, int, float]] = []
    for i, a in enumerate(sites):
        for j in range(i + 1, len(sites)):
            b = sites[j]
            if a.site_id == b.site_id:
                continue  # a duplicate id is an error of its own
            km = haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)
            if km < SAME_PLACE_KM:
                close.append((i, j, km))
            if (a.site_id, b.site_id) in measured:
                legs = [
                    Leg(problem.travel_minutes(a.site_id, b.site_id), a.site_id, b.site_id),
                    Leg(problem.travel_minutes(b.site_id, a.site_id), b.site_id, a.site_id),
                ]
            else:
                legs = [Leg(problem.estimated_minutes(km), a.site_id, b.site_id)]
            for leg in legs:
                if longest is None or leg.minutes > longest.minutes:
                    longest = leg
                if shortest is None or leg.minutes < shortest.minutes:
                    shortest = leg
    report.longest, report.shortest = longest, shortest
    for i, j, km in close:
        a, b = sites[i], sites[j]
        report.issues.append(
            Issue(
                level="warning",
                sheet="Sites",
                index=j,
                column="latitude",
                record=b.site_id,
                message=(
                    f"{b.name} ({b.site_id}) is {km * 1000:.0f} m from {a.name} ({a.site_id}, "
                    f"{place('Sites', i)}): probably one place entered twice; if so, keep one "
                    "site, otherwise check the coordinates"
                ),
            )
        )
    report.issues.extend(_travel_issues(problem))
    report.lines.extend(_lines(problem, report, len(close)))
    return report


def _travel_issues(problem: Problem) -> list[Issue]:
    """Travel rows whose minutes do not fit the straight-line distance."""
    out: list[Issue] = []
    for idx, tr in enumerate(problem.travel):
        a = problem.site_by_id.get(tr.from_site_id)
        b = problem.site_by_id.get(tr.to_site_id)
        if a is None or b is None or a.site_id == b.site_id:
            continue
        km = haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)
        estimate = problem.estimated_minutes(km)
        msg = ""
        if tr.minutes <= INSTANT_MINUTES and km > INSTANT_KM:
            msg = (
                f"{tr.minutes} minute{'s' if tr.minutes != 1 else ''} between sites {km:.1f} km "
                f"apart in a straight line: check the minutes (the estimate is {estimate})"
            )
        elif tr.minutes and km / (tr.minutes / 60) > MAX_PLAUSIBLE_KMH:
            msg = (
                f"{tr.minutes} minutes for {km:.1f} km in a straight line means driving at over "
                f"{km / (tr.minutes / 60):.0f} km/h: check the minutes (the estimate is "
                f"{estimate})"
            )
        elif tr.minutes > SLOW_FACTOR * estimate and tr.minutes > estimate + SLOW_MARGIN_MINUTES:
            msg = (
                f"{tr.minutes} minutes is more than {SLOW_FACTOR} times the {estimate}-minute "
                f"estimate for {km:.1f} km in a straight line: check the minutes and the sites"
            )
        if msg:
            rec = f"{tr.from_site_id}->{tr.to_site_id}"
            out.append(
                Issue(
                    level="warning",
                    sheet="Travel",
                    index=idx,
                    column="minutes",
                    record=rec,
                    message=msg,
                )
            )
    return out


def _lines(problem: Problem, report: DriveReport, num_close: int) -> list[str]:
    def leg_text(leg: Leg) -> str:
        a, b = problem.site_by_id[leg.from_site_id], problem.site_by_id[leg.to_site_id]
        unit = "minute" if leg.minutes == 1 else "minutes"
        return f"{leg.minutes} {unit}, {a.name} ({a.site_id}) to {b.name} ({b.site_id})"

    num_travel = sum(i.sheet == "Travel" for i in report.issues)
    lines = [
        f"Drives between sites ({len(problem.travel)} measured in Travel, the rest estimated):"
    ]
    if report.longest is not None and report.shortest is not None:
        lines.append(f"  longest: {leg_text(report.longest)}")
        lines.append(f"  shortest: {leg_text(report.shortest)}")
    lines.append(
        f"  sites closer than {SAME_PLACE_KM * 1000:.0f} m to another site: {num_close}"
        + (" (see the warnings)" if num_close else "")
    )
    lines.append(
        f"  Travel rows that do not fit the distance: {num_travel}"
        + (" (see the warnings)" if num_travel else "")
    )
    return lines
