"""Solomon's VRPTW instances as rota services shaped like the classic vehicle-routing test.

One service day (Mon). The depot is a clinic that is every therapist's base; the first N
customers (25 by default) are each a site with one room and one referral, whose session
length is the customer's service time and whose client availability makes the session start
fall inside the customer's [ready, due] window (availability [ready, due + service]). The
fleet (25 vehicles) becomes 25 interchangeable music therapists who work from the depot's
ready time to its due date, with no admin time, no lunch rule, a 1-minute slot grid and a
Travel sheet holding every pair of sites. Demands and capacities play no part.

Travel minutes are the Euclidean distance rounded **up** (ceil), not to the nearest minute:
rounding up never makes a drive shorter than the instance's own travel time, so every rota of
the converted service is also a feasible schedule of the original; it keeps the triangle
inequality (ceil(a) + ceil(b) >= a + b >= c, an integer, so >= ceil(c)), which rota's
candidates rely on when they take the drive from the base as the quickest way to a site; and it
is how rota rounds its own estimates. The published optima (real-valued or truncated
distances) are therefore only a guide: ``bench/vrp/exact.py`` proves the optimum of each
converted service.

A day has 1,440 minutes. An instance whose horizon is longer (C201: 3,390) is scaled: one
service minute stands for ``k = ceil(horizon / 1440)`` of the instance's time units (k = 3 for
C201). Ready times are divided by k and rounded up, due dates and the horizon rounded down,
service and travel times rounded up, so that multiplying a rota of the scaled service by k
again gives a feasible schedule of the original instance; the scaled service is a close
relative of the instance, not the instance itself, and is named with its factor (C201/3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import click

from rota.models import (
    Problem,
    Referral,
    Room,
    Settings,
    Site,
    Therapist,
    TimeRange,
    TravelOverride,
    format_time,
)

INSTANCES_DIR = Path(__file__).resolve().parent / "instances"
INSTANCE_NAMES: tuple[str, ...] = (
    "C101",
    "C201",
    "R101",
    "R102",
    "R105",
    "R201",
    "RC101",
    "RC102",
    "RC105",
)
DEFAULT_CUSTOMERS = 25
DAY_MINUTES = 24 * 60
DEPOT_ID = "DEPOT"
DISCIPLINE = "music"


class InstanceError(ValueError):
    """A Solomon file that does not have the published layout (names the file and line)."""


@dataclass(frozen=True)
class Node:
    """One row of an instance: the depot (number 0) or a customer."""

    number: int
    x: int
    y: int
    demand: int
    ready: int
    due: int
    service: int


@dataclass(frozen=True)
class Instance:
    """A parsed instance: its name, fleet and nodes (the depot first)."""

    name: str
    vehicles: int
    capacity: int
    nodes: tuple[Node, ...]

    @property
    def depot(self) -> Node:
        return self.nodes[0]

    @property
    def customers(self) -> tuple[Node, ...]:
        return self.nodes[1:]

    @property
    def horizon(self) -> int:
        """The depot's due date: the latest return of every vehicle."""
        return self.depot.due


def parse_instance(text: str, source: str = "instance") -> Instance:
    """An instance from the text of a Solomon file: name, VEHICLE block, CUSTOMER rows."""
    lines = [line.strip() for line in text.splitlines()]
    rows = [(i + 1, line) for i, line in enumerate(lines) if line]
    if not rows:
        raise InstanceError(f"{source}: empty file")
    name = rows[0][1]
    words = [line.upper() for _, line in rows]
    try:
        vehicle_at = words.index("VEHICLE")
        customer_at = words.index("CUSTOMER")
    except ValueError:
        raise InstanceError(f"{source}: no VEHICLE or CUSTOMER heading") from None
    vehicles, capacity = _ints(rows[vehicle_at + 2], 2, source)
    nodes = tuple(Node(*_ints(row, 7, source)) for row in rows[customer_at + 2 :])
    if not nodes or nodes[0].number != 0:
        raise InstanceError(f"{source}: the first customer row must be the depot (number 0)")
    for expected, node in enumerate(nodes):
        if node.number != expected:
            raise InstanceError(f"{source}: customer {node.number} where {expected} was expected")
    return Instance(name, vehicles, capacity, nodes)


def _ints(row: tuple[int, str], count: int, source: str) -> list[int]:
    line_no, line = row
    try:
        values = [int(v) for v in line.split()]
    except ValueError:
        raise InstanceError(f"{source}, line {line_no}: not {count} integers: {line!r}") from None
    if len(values) != count:
        raise InstanceError(f"{source}, line {line_no}: {len(values)} values, not {count}")
    return values


def read_instance(name_or_path: str | Path) -> Instance:
    """An instance by name (``R101``, from ``INSTANCES_DIR``) or by file path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = INSTANCES_DIR / f"{path.name.upper()}.txt"
    return parse_instance(path.read_text(encoding="ascii"), path.name)


def time_scale(instance: Instance) -> int:
    """Instance time units per service minute: 1 when the horizon fits in one day."""
    return max(1, math.ceil(instance.horizon / DAY_MINUTES))


def service_name(instance: Instance, customers: int = DEFAULT_CUSTOMERS) -> str:
    """``R101-25``, or ``C201-25`` with its scale shown elsewhere (file names stay plain)."""
    return f"{instance.name}-{customers}"


def travel_minutes(a: Node, b: Node, scale: int = 1) -> int:
    """Driving minutes between two nodes: Euclidean distance / scale, rounded up.

    The distance is rounded to 9 decimals first so that an exact integer distance (3-4-5)
    computed as 5.000000000000001 does not become 6."""
    return math.ceil(round(math.hypot(a.x - b.x, a.y - b.y) / scale, 9))


def site_id(node: Node) -> str:
    return DEPOT_ID if node.number == 0 else f"C{node.number:03d}"


def _site(instance: Instance, node: Node, hours: str) -> Site:
    # Coordinates only place the sites on a map (about 0.1 km per unit near Cambridge);
    # every drive comes from the Travel sheet.
    return Site(
        site_id=site_id(node),
        name=f"{instance.name} depot" if node.number == 0 else f"Customer {node.number}",
        kind="clinic" if node.number == 0 else "school",
        latitude=round(52.0 + node.y * 0.001, 6),
        longitude=round(node.x * 0.0015, 6),
        hours=hours,
    )


def build_problem(instance: Instance, customers: int = DEFAULT_CUSTOMERS) -> Problem:
    """The VRP-shaped service of the instance's depot and first ``customers`` customers."""
    if not 1 <= customers <= len(instance.customers):
        raise ValueError(
            f"{instance.name} has {len(instance.customers)} customers, not {customers}"
        )
    k = time_scale(instance)
    depot = instance.depot
    day_start, day_end = math.ceil(depot.ready / k), depot.due // k
    hours = f"Mon {format_time(day_start)}-{format_time(day_end)}"
    chosen = instance.customers[:customers]
    nodes = (depot, *chosen)
    referrals = []
    for c in chosen:
        ready, due, service = math.ceil(c.ready / k), c.due // k, math.ceil(c.service / k)
        until = min(due + service, day_end)
        referrals.append(
            Referral(
                referral_id=f"R{c.number:03d}",
                client=f"C{c.number}",
                site_ids=site_id(c),
                discipline=DISCIPLINE,
                minutes=service,
                available=f"Mon {format_time(ready)}-{format_time(until)}",
            )
        )
    scaled = f", time scaled 1:{k}" if k > 1 else ""
    return Problem(
        settings=Settings(
            term_name=f"Solomon {instance.name}, first {customers} customers{scaled}",
            days=("Mon",),
            working_day=TimeRange(start=day_start, end=day_end),
            slot_minutes=1,
            admin_minutes=0,
            lunch_minutes=0,
            service_name=f"Solomon {instance.name} ({customers} customers{scaled})",
        ),
        sites=tuple(_site(instance, n, hours) for n in nodes),
        rooms=tuple(
            Room(room_id=f"{site_id(c)}-1", site_id=site_id(c), name="Room", capacity=1)
            for c in chosen
        ),
        therapists=tuple(
            Therapist(
                therapist_id=f"V{v:02d}",
                name=f"Vehicle {v}",
                disciplines=DISCIPLINE,
                base_site_id=DEPOT_ID,
                works=hours,
            )
            for v in range(1, instance.vehicles + 1)
        ),
        referrals=tuple(referrals),
        travel=tuple(
            TravelOverride(
                from_site_id=site_id(a), to_site_id=site_id(b), minutes=travel_minutes(a, b, k)
            )
            for i, a in enumerate(nodes)
            for b in nodes[i + 1 :]
        ),
    )


def write_service(
    instance: Instance, out_dir: Path, customers: int = DEFAULT_CUSTOMERS
) -> tuple[Problem, Path]:
    """Build the service and write it as an input workbook with rota's own writer."""
    from rota.io.write import write_problem

    problem = build_problem(instance, customers)
    path = write_problem(problem, out_dir / f"{service_name(instance, customers)}.xlsx")
    return problem, path


@click.command()
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--customers", type=int, default=DEFAULT_CUSTOMERS, show_default=True)
@click.option("--only", multiple=True, help="Instance names (default: all nine).")
def main(out_dir: Path, customers: int, only: tuple[str, ...]) -> None:
    """Write each Solomon instance as a rota input workbook into OUT_DIR."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in only or INSTANCE_NAMES:
        instance = read_instance(name)
        _, path = write_service(instance, out_dir, customers)
        click.echo(f"{path} (time scale 1:{time_scale(instance)})")


if __name__ == "__main__":
    main()
