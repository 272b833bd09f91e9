"""Demo sites around the towns, and their rooms with equipment and availability."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial

from rota.demo.catalogue import (
    CLINIC_ROOMS,
    CONTACT_ROLES,
    NAME_ENDS,
    NAME_STARTS,
    ROOM_COUNT,
    ROOMS,
    SCHOOL_SUFFIXES,
    SPECIAL_SUFFIXES,
    UNIT_SUFFIXES,
    WEEKDAYS,
    DemoSize,
)
from rota.demo.towns import MARKET_TOWNS, NEIGHBOUR_TOWNS, TOWN_BY_NAME, TOWNS, VILLAGES, Town
from rota.models import (
    Availability,
    Room,
    Site,
    SiteKind,
    format_availability,
    haversine_km,
)
from rota.models.timeutil import Interval


# ------------------------------------------------------------------------------------ sites
def jitter(rng: random.Random, town: Town) -> tuple[float, float]:
    """A point within the town's radius, uniform over the disc."""
    r = town.radius_km * math.sqrt(rng.random())
    angle = rng.uniform(0, 2 * math.pi)
    dlat = r * math.cos(angle) / 111.32
    dlon = r * math.sin(angle) / (111.32 * math.cos(math.radians(town.latitude)))
    return round(town.latitude + dlat, 5), round(town.longitude + dlon, 5)


def weighted(rng: random.Random, options: Sequence[tuple[str, float]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def hours_text(rng: random.Random, kind: str) -> str:
    if kind == "school":
        return rng.choices(
            ["Mon-Fri 08:45-15:15", "Mon-Fri 08:30-15:30", "Mon-Fri 08:50-15:20"], [70, 25, 5]
        )[0]
    if kind == "special_school":
        return rng.choice(["Mon-Fri 09:00-15:30", "Mon-Fri 08:45-15:15"])
    if kind == "unit":
        return rng.choice(["Mon-Fri 09:00-15:00", "Mon-Thu 09:00-15:00; Fri 09:00-12:30"])
    if kind == "childrens_centre":
        return rng.choice(["Mon-Fri 09:00-16:00", "Mon-Fri 09:00-16:00", "Mon-Thu 09:00-16:00"])
    return "Mon-Fri 08:30-17:00"


def blocked_text(rng: random.Random, kind: str) -> str | None:
    if kind not in ("school", "special_school"):
        return None
    parts: list[str] = []
    if rng.random() < 0.25:
        parts.append(rng.choice(["Mon 09:00-09:30", "Fri 14:30-15:15", "Wed 09:00-09:20"]))
    if rng.random() < 0.65:
        parts.append(
            rng.choice(["Mon-Fri 12:00-12:45", "Mon-Fri 12:15-13:00", "Mon-Fri 11:55-12:40"])
        )
    return "; ".join(parts) or None


def site_name(rng: random.Random, kind: str, town: Town, word: str) -> str:
    if kind == "school":
        suffix = weighted(rng, SCHOOL_SUFFIXES)
        return f"{town.name} {word} {suffix}" if rng.random() < 0.5 else f"{word} {suffix}"
    if kind == "special_school":
        return f"{word} {weighted(rng, SPECIAL_SUFFIXES)}"
    if kind == "unit":
        return f"{word} {weighted(rng, UNIT_SUFFIXES)}"
    return f"{town.name} {word} Children's Centre"


def make_clinics(rng: random.Random, where: Callable[[Town], tuple[float, float]]) -> list[Site]:
    """The service's two clinics, in Huntingdon and Cambridge, each at ``where(town)``."""
    sites: list[Site] = []
    for site_id, name, town in (
        ("HUN", "Huntingdon Clinic", TOWN_BY_NAME["Huntingdon"]),
        ("CAM", "Cambridge Clinic", TOWN_BY_NAME["Cambridge"]),
    ):
        lat, lon = where(town)
        sites.append(
            Site(
                site_id=site_id,
                name=name,
                kind="clinic",
                town=town.name,
                latitude=lat,
                longitude=lon,
                hours=Availability.model_validate(hours_text(rng, "clinic")),
                contact=f"Clinic administrator, {town.area_code} 000{rng.randint(0, 999):03d}",
            )
        )
    return sites


def make_sites(rng: random.Random, spec: DemoSize, num_sites: int) -> list[Site]:
    """The two clinics, then schools, special schools, units and children's centres spread
    over the towns by weight."""
    hun, cam = TOWN_BY_NAME["Huntingdon"], TOWN_BY_NAME["Cambridge"]
    sites = make_clinics(rng, lambda town: jitter(rng, town))
    towns = site_towns(spec, (hun, cam))
    town_weights = [t.weight for t in towns]
    kinds: list[SiteKind] = ["school", "special_school", "unit", "childrens_centre"]
    used_ids = {"HUN", "CAM"}
    for _ in range(num_sites - 2):
        town = rng.choices(towns, town_weights)[0]
        kind = rng.choices(kinds, [62, 12, 11, 15])[0]
        sites.append(make_site(rng, town, kind, used_ids))
    return sites


def site_towns(spec: DemoSize, clinics: Sequence[Town]) -> list[Town]:
    """The towns a size's sites are drawn from: near enough to a clinic (and the neighbouring
    counties' towns only for a region)."""
    return [
        t
        for t in TOWNS
        if (spec.neighbours or not t.neighbour)
        and (
            spec.max_km_from_clinic is None
            or min(haversine_km(t.latitude, t.longitude, c.latitude, c.longitude) for c in clinics)
            <= spec.max_km_from_clinic
        )
    ]


def make_site(
    rng: random.Random,
    town: Town,
    kind: SiteKind,
    used_ids: set[str],
    where: Callable[[], tuple[float, float]] | None = None,
) -> Site:
    """One school-like site in ``town`` with an id not in ``used_ids`` (which it joins), at
    ``where()`` (default: anywhere within the town's radius)."""
    site_id, word = "", ""
    for attempt in range(50):
        # A plain word first ("Kingfisher"), a compound when the town has used it up.
        word = rng.choice(NAME_STARTS)
        if attempt > 0 or rng.random() < 0.5:
            word += rng.choice(NAME_ENDS)
        site_id = f"{town.code}-{word.upper()}"
        if attempt >= 40:
            site_id = f"{site_id}-{attempt}"
        if site_id not in used_ids:
            break
    used_ids.add(site_id)
    lat, lon = where() if where is not None else jitter(rng, town)
    blocked = blocked_text(rng, kind)
    role = rng.choice(CONTACT_ROLES[kind])
    return Site(
        site_id=site_id,
        name=site_name(rng, kind, town, word),
        kind=kind,
        town=town.name,
        latitude=lat,
        longitude=lon,
        hours=Availability.model_validate(hours_text(rng, kind)),
        blocked=Availability.model_validate(blocked) if blocked else None,
        contact=f"{role}, {town.area_code} 000{rng.randint(0, 999):03d}",
    )


# ------------------------------------------------------------------------ sites, generator 2
#: Generator 2 keeps every two sites at least this far apart: closer, ``rota validate`` would
#: rightly ask whether they are one place entered twice.
MIN_SITE_GAP_KM = 0.25
#: Each miss widens the circle a site is drawn in by this share of the town's radius (a town
#: full of sites spreads outwards, as a growing town's schools do).
SPREAD_PER_MISS = 0.02


class Spacing:
    """Where sites already stand, on a grid of about 1 km cells, to keep new ones apart."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[tuple[float, float]]] = {}

    @staticmethod
    def _cell(lat: float, lon: float) -> tuple[int, int]:
        return math.floor(lat * 100), math.floor(lon * 100)

    def free(self, lat: float, lon: float) -> bool:
        """True when no site stands within ``MIN_SITE_GAP_KM`` of (lat, lon)."""
        row, col = self._cell(lat, lon)
        return all(
            haversine_km(lat, lon, a, b) >= MIN_SITE_GAP_KM
            for dr in (-1, 0, 1)
            for dc in (-1, 0, 1)
            for a, b in self.cells.get((row + dr, col + dc), ())
        )

    def add(self, lat: float, lon: float) -> None:
        self.cells.setdefault(self._cell(lat, lon), []).append((lat, lon))

    def place(self, rng: random.Random, town: Town) -> tuple[float, float]:
        """A free point around ``town`` (the circle widens after each miss); it is taken."""
        for miss in range(1000):
            radius = town.radius_km * (1 + SPREAD_PER_MISS * miss)
            lat, lon = jitter(rng, replace(town, radius_km=radius))
            if self.free(lat, lon):
                break
        self.add(lat, lon)
        return lat, lon


def towns_v2(spec: DemoSize, clinics: Sequence[Town]) -> list[Town]:
    """Generator 2's places for a size: the market towns and villages near enough to a clinic,
    and the neighbouring towns for a region."""
    places = [*MARKET_TOWNS, *VILLAGES, *(NEIGHBOUR_TOWNS if spec.neighbours else ())]
    return [
        t
        for t in places
        if spec.max_km_from_clinic is None
        or min(haversine_km(t.latitude, t.longitude, c.latitude, c.longitude) for c in clinics)
        <= spec.max_km_from_clinic
    ]


#: Generator 2's site kinds: school, special school, unit, children's centre. Special schools
#: and units are in the towns; a village has a primary school and perhaps a children's centre.
KINDS: tuple[SiteKind, ...] = ("school", "special_school", "unit", "childrens_centre")
TOWN_KIND_WEIGHTS = (60, 13, 12, 15)
VILLAGE_KIND_WEIGHTS = (85, 0, 0, 15)
#: Sites each market town has at least (when the service has that many).
CLUSTER_AT_LEAST = 2


def make_sites_v2(rng: random.Random, spec: DemoSize, num_sites: int) -> list[Site]:
    """Generator 2's sites: the clinics in Huntingdon and Cambridge, then clusters of schools,
    special schools, units and children's centres in the market towns and schools in the
    villages, every two sites at least ``MIN_SITE_GAP_KM`` apart."""
    hun, cam = TOWN_BY_NAME["Huntingdon"], TOWN_BY_NAME["Cambridge"]
    spacing = Spacing()
    sites = make_clinics(rng, lambda town: spacing.place(rng, replace(town, radius_km=0.5)))
    places = towns_v2(spec, (hun, cam))
    weights = [t.weight for t in places]
    villages = {t.name for t in VILLAGES}
    used_ids = {"HUN", "CAM"}
    # Every market town of the size has a cluster: two sites first, then the rest by weight.
    markets = [t for t in places if t.name in {m.name for m in MARKET_TOWNS}]
    first = [t for t in markets for _ in range(CLUSTER_AT_LEAST)]
    if len(first) > num_sites - 2:
        first = []  # (a tiny service: its few sites go where the weights say)
    for k in range(num_sites - 2):
        town = first[k] if k < len(first) else rng.choices(places, weights)[0]
        kind_weights = VILLAGE_KIND_WEIGHTS if town.name in villages else TOWN_KIND_WEIGHTS
        kind = rng.choices(KINDS, kind_weights)[0]
        sites.append(make_site(rng, town, kind, used_ids, where=partial(spacing.place, rng, town)))
    return sites


# ------------------------------------------------------------------------------------ rooms
def site_day_hours(site: Site) -> dict[str, Interval]:
    """Each open weekday's single opening range (the demo's sites have one range a day)."""
    assert site.hours is not None
    resolved = site.hours.resolve(((8 * 60 + 45, 15 * 60 + 15),))
    return {d: r[0] for d, r in resolved.items() if d in WEEKDAYS}


def half_days(site: Site) -> list[tuple[str, Interval]]:
    """Mornings (opening to 12:00) and afternoons (13:00 to closing) of the site's days."""
    out: list[tuple[str, Interval]] = []
    for day, (start, end) in site_day_hours(site).items():
        if start < 12 * 60:
            out.append((day, (start, min(end, 12 * 60))))
        if end > 13 * 60:
            out.append((day, (max(start, 13 * 60), end)))
    return out


def availability_text(slots: Sequence[tuple[str, Interval]]) -> str:
    days: dict[str, list[Interval]] = {}
    for day, interval in slots:
        days.setdefault(day, []).append(interval)
    return format_availability({d: tuple(sorted(r)) for d, r in days.items()})


def room_availability(rng: random.Random, site: Site, sparse: bool) -> Availability | None:
    """Blank (the site's hours) for many rooms; others free some half-days or whole days."""
    halves = half_days(site)
    if sparse:
        chosen = sorted(rng.sample(range(len(halves)), min(len(halves), rng.choice((1, 2)))))
        return Availability.model_validate(availability_text([halves[i] for i in chosen]))
    if site.kind == "clinic":
        return None
    roll = rng.random()
    if roll < 0.45:
        return None
    if roll < 0.75:
        # Now and then a room is free one half-day only: its referrals are hard to place.
        count = 1 if rng.random() < 0.15 else rng.randint(2, min(6, len(halves)))
        chosen = sorted(rng.sample(range(len(halves)), count))
        return Availability.model_validate(availability_text([halves[i] for i in chosen]))
    open_days = list(site_day_hours(site))
    days = sorted(rng.sample(range(len(open_days)), rng.randint(2, min(4, len(open_days)))))
    return Availability.model_validate(format_availability({open_days[i]: () for i in days}))


def make_rooms(rng: random.Random, sites: Sequence[Site], sparse: bool) -> list[Room]:
    rooms: list[Room] = []
    for site in sites:
        if site.kind == "clinic":
            for name, code, capacity, features in CLINIC_ROOMS:
                rooms.append(
                    Room(
                        room_id=f"{site.site_id}-{code}",
                        site_id=site.site_id,
                        name=name,
                        capacity=capacity,
                        features=tuple(f.strip() for f in features.split(",")),
                        available=room_availability(rng, site, sparse),
                    )
                )
            continue
        counts, weights = ROOM_COUNT[site.kind]
        count = rng.choices(counts, weights)[0]
        kinds = rng.sample(ROOMS[site.kind], count)
        for kind in kinds:
            equipment = tuple(f for f, p in kind.features.items() if rng.random() < p)
            rooms.append(
                Room(
                    room_id=f"{site.site_id}-{kind.code}",
                    site_id=site.site_id,
                    name=kind.name,
                    capacity=rng.randint(*kind.capacity),
                    features=equipment,
                    available=room_availability(rng, site, sparse),
                )
            )
    return rooms
