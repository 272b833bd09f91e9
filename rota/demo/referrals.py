"""Demo referrals: each placeable on its own, except about 1% that are deliberately impossible."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rota.demo.catalogue import (
    FUNDING,
    GROUP_NAMES,
    INITIALS,
    MINUTES,
    MINUTES_WEIGHTS,
    MISSING_FEATURE,
    MISSING_SKILL,
    PRIORITY_WEIGHTS,
    WEEKDAYS,
)
from rota.demo.context import Context, Demand
from rota.demo.sites import weighted
from rota.models import (
    Availability,
    Day,
    Discipline,
    Referral,
    Therapist,
)
from rota.models.timeutil import Interval
from rota.scheduler.candidates import room_day_starts, room_suits, therapist_can
from rota.scheduler.day import intersect_starts


# -------------------------------------------------------------------------------- referrals
@dataclass(frozen=True)
class Draft:
    """A referral's attributes while it is being checked for a possible placement."""

    site_ids: tuple[str, ...]
    discipline: Discipline
    therapists_needed: int
    minutes: int
    group_size: int
    needs_features: tuple[str, ...]
    needs_skills: tuple[str, ...]
    available: str | None


AVAILABLE_PATTERNS: tuple[tuple[str, float], ...] = (
    ("Mon-Fri 09:00-12:00", 30),
    ("Mon-Thu", 25),
    ("Mon-Fri 13:00-15:00", 15),
    ("Tue-Thu", 10),
    ("Mon; Wed; Fri", 10),
    ("narrow", 10),
)
PREFERRED_PATTERNS: tuple[str, ...] = (
    "Mon-Fri 09:00-10:30",
    "Tue; Thu",
    "Mon-Fri 13:30-15:00",
    "Wed",
    "Mon-Fri 10:30-12:00",
)
KIND_WEIGHT: dict[str, float] = {
    "school": 1.0,
    "special_school": 2.5,
    "unit": 1.5,
    "childrens_centre": 1.2,
}


OpenTime = tuple[str, Day, tuple[Interval, ...]]


def open_times(ctx: Context, draft: Draft, therapist: Therapist) -> list[OpenTime]:
    """Where and when ``therapist`` could run the draft on their own: (room, day, starts) for
    each suitable room, with the starts the room, the client and the therapist's day allow
    (the rules of a day are the scheduler's: working ranges with admin, drives from and back
    to the base)."""
    p = ctx.problem
    client = (
        Availability.model_validate(draft.available).resolve(((0, 24 * 60),))
        if draft.available
        else None
    )
    tid = therapist.therapist_id
    out: list[OpenTime] = []
    for site_id in draft.site_ids:
        for room in p.rooms_by_site.get(site_id, ()):
            if not room_suits(room, draft.group_size, draft.needs_features):
                continue
            windows = ctx.room_windows[room.room_id]
            for day, starts in room_day_starts(
                windows, client, draft.minutes, p.settings.slot_minutes
            ).items():
                if day not in ctx.rules.shapes[tid]:
                    continue
                own = ctx.rules.session_starts(tid, day, site_id, draft.minutes)
                both = intersect_starts(starts, own)
                if both:
                    out.append((room.room_id, day, both))
    return out


def share_time(a: list[OpenTime], b: list[OpenTime]) -> bool:
    """True when two therapists' open times share a start in one room."""
    return any(
        room_a == room_b and day_a == day_b and intersect_starts(starts_a, starts_b)
        for room_a, day_a, starts_a in a
        for room_b, day_b, starts_b in b
    )


def able_therapists(ctx: Context, draft: Draft, wanted: int = 6) -> list[Therapist]:
    """Up to ``wanted`` nearest therapists who could run the draft (for a co-facilitated draft:
    the first pair found who share a time, or nothing)."""
    p = ctx.problem
    first = draft.site_ids[0]
    candidates = sorted(
        (t for t in p.therapists if therapist_can(t, draft.discipline, draft.needs_skills)),
        key=lambda t: (ctx.travel_minutes(t.base_site_id, first), t.therapist_id),
    )
    able: list[tuple[Therapist, list[OpenTime]]] = []
    for t in candidates:
        times = open_times(ctx, draft, t)
        if not times:
            continue
        if draft.therapists_needed > 1:
            for other, other_times in able:
                if share_time(other_times, times):
                    return [other, t]
        able.append((t, times))
        if draft.therapists_needed == 1 and len(able) >= wanted:
            break
    if draft.therapists_needed > 1:
        return []
    return [t for t, _ in able]


def relaxations(draft: Draft) -> list[Draft]:
    """The draft, then ever plainer versions of it, for when no one could run it."""
    out = [draft]
    for change in (
        {"available": None},
        {"needs_features": ()},
        {"needs_skills": ()},
        {"group_size": 1},
    ):
        nxt = replace(out[-1], **change)
        if nxt != out[-1]:
            out.append(nxt)
    return out


def initials(rng: random.Random) -> str:
    return f"{rng.choice(INITIALS)}.{rng.choice(INITIALS)}."


class ReferralMaker:
    """Draws referrals one by one, keeping each placeable and current therapists' loads sane."""

    def __init__(self, rng: random.Random, ctx: Context) -> None:
        self.rng = rng
        self.ctx = ctx
        p = ctx.problem
        self.others = [s for s in p.sites if s.kind != "clinic"]
        self.skill_pool: dict[str, list[str]] = {}
        self.site_weights: dict[str, list[float]] = {}
        for d in ("music", "drama", "dance"):
            own = [t for t in p.therapists if d in t.disciplines]
            self.skill_pool[d] = [k for t in own for k in t.skills]
            bases = sorted({t.base_site_id for t in own})
            weights = []
            for s in self.others:
                near = min((ctx.travel_minutes(b, s.site_id) for b in bases), default=60)
                # Referrals come mostly from schools near where the therapists are.
                weights.append(KIND_WEIGHT[s.kind] / (1 + near / 20))
            self.site_weights[d] = weights

    def pick_sites(self, discipline: Discipline) -> tuple[str, ...]:
        rng = self.rng
        if not self.others or rng.random() < 0.08:
            return rng.choices([("HUN",), ("CAM",), ("HUN", "CAM")], [40, 40, 20])[0]
        return (rng.choices(self.others, self.site_weights[discipline])[0].site_id,)

    def draft(self, demand: Demand, site_ids: tuple[str, ...]) -> Draft:
        rng, p = self.rng, self.ctx.problem
        kind = p.site_by_id[site_ids[0]].kind
        rooms = [r for sid in site_ids for r in p.rooms_by_site.get(sid, ())]
        biggest = max((r.capacity for r in rooms), default=1)
        group_chance = {"childrens_centre": 0.35, "clinic": 0.1, "special_school": 0.25}
        group_size = 1
        if rng.random() < group_chance.get(kind, 0.2) and biggest >= 3:
            group_size = rng.randint(3, min(6, biggest))
        if kind == "childrens_centre":
            minutes = rng.choices(MINUTES, [70, 15, 10, 5])[0]
        elif group_size > 1:
            minutes = rng.choice((40, 45))
        else:
            minutes = rng.choices(MINUTES, MINUTES_WEIGHTS)[0]
        features: tuple[str, ...] = ()
        if rng.random() < 0.5:
            wanted = {
                "music": ("piano", "percussion"),
                "drama": ("drama_space",),
                "dance": ("drama_space", "mirrors"),
            }[demand.discipline]
            present = sorted(
                {f for r in rooms if r.capacity >= group_size for f in r.features if f in wanted}
            )
            if present:
                features = (rng.choice(present),)
        skills: tuple[str, ...] = ()
        pool = self.skill_pool[demand.discipline]
        if pool and rng.random() < 0.1:
            typical = {"childrens_centre": "early_years", "special_school": "autism"}.get(kind)
            use_typical = typical is not None and typical in pool and rng.random() < 0.5
            skills = (typical,) if typical is not None and use_typical else (rng.choice(pool),)
        available = None
        if rng.random() < 0.2:
            available = weighted(rng, AVAILABLE_PATTERNS)
            if available == "narrow":
                # One hour on one day: hard to place, but possible.
                hour = rng.choice((9, 10, 11, 13, 14))
                available = f"{rng.choice(WEEKDAYS)} {hour:02d}:00-{hour + 1:02d}:00"
        return Draft(
            site_ids=site_ids,
            discipline=demand.discipline,
            therapists_needed=demand.therapists_needed,
            minutes=minutes,
            group_size=group_size,
            needs_features=features,
            needs_skills=skills,
            available=available,
        )

    def placeable(self, demand: Demand, site_ids: tuple[str, ...]) -> tuple[Draft, list[str]]:
        """A draft someone can run, with the ids of therapists who could (nearest first)."""
        for attempt in range(6):
            sites = site_ids if attempt == 0 else self.pick_sites(demand.discipline)
            if attempt == 5:
                sites = ("HUN", "CAM")
            for draft in relaxations(self.draft(demand, sites)):
                able = able_therapists(self.ctx, draft)
                if able:
                    return draft, [t.therapist_id for t in able]
        raise RuntimeError(
            f"demo generator: no therapist can run a {demand.discipline} referral anywhere"
        )

    def current_therapist(self, draft: Draft, able: list[str]) -> str | None:
        """About half the referrals continue with a therapist who works nearby and has room."""
        ctx, rng = self.ctx, self.rng
        if rng.random() >= 0.5:
            return None
        room = [t for t in able if ctx.load[t] + 1 <= ctx.deliverable[t]]
        if not room:
            return None
        by_id = ctx.problem.therapist_by_id
        weights = [
            1 / (1 + ctx.travel_minutes(by_id[t].base_site_id, draft.site_ids[0]) / 15) ** 2
            for t in room
        ]
        chosen = rng.choices(room, weights)[0]
        ctx.load[chosen] += 1
        return chosen

    def referral(
        self, idx: int, demand: Demand, site_ids: tuple[str, ...], impossible: int | None
    ) -> Referral:
        rng, p = self.rng, self.ctx.problem
        rid = f"R{idx + 1:04d}"
        if impossible is not None:
            return self.impossible(rid, demand, site_ids, impossible)
        draft, able = self.placeable(demand, site_ids)
        kind = p.site_by_id[draft.site_ids[0]].kind
        client = rng.choice(GROUP_NAMES[kind]) if draft.group_size > 1 else initials(rng)
        current = self.current_therapist(draft, able)
        preferred = rng.choice(PREFERRED_PATTERNS) if rng.random() < 0.15 else None
        return Referral(
            referral_id=rid,
            client=client,
            site_ids=draft.site_ids,
            discipline=draft.discipline,
            minutes=draft.minutes,
            group_size=draft.group_size,
            therapists_needed=draft.therapists_needed,
            priority=rng.choices(range(1, 6), PRIORITY_WEIGHTS)[0],
            needs_features=draft.needs_features,
            needs_skills=draft.needs_skills,
            current_therapist_id=current,
            available=Availability.model_validate(draft.available) if draft.available else None,
            preferred=Availability.model_validate(preferred) if preferred else None,
            funding=weighted(rng, FUNDING[kind]),
        )

    def impossible(
        self, rid: str, demand: Demand, site_ids: tuple[str, ...], reason: int
    ) -> Referral:
        """A referral no one can place, for a reason the Problem's warnings name: a skill no
        therapist has, a room feature no room has, or a group too big for every room."""
        rng, p = self.rng, self.ctx.problem
        kind = p.site_by_id[site_ids[0]].kind
        skills: tuple[str, ...] = (MISSING_SKILL,) if reason == 0 else ()
        features: tuple[str, ...] = (MISSING_FEATURE,) if reason == 1 else ()
        group_size = 12 if reason == 2 else 1
        return Referral(
            referral_id=rid,
            client=rng.choice(GROUP_NAMES[kind]) if group_size > 1 else initials(rng),
            site_ids=site_ids,
            discipline=demand.discipline,
            minutes=45 if group_size > 1 else 30,
            group_size=group_size,
            therapists_needed=demand.therapists_needed,
            priority=2,
            needs_features=features,
            needs_skills=skills,
            funding=weighted(rng, FUNDING[kind]),
        )


def make_referrals(rng: random.Random, ctx: Context, demands: Sequence[Demand]) -> list[Referral]:
    """Every non-clinic site gets at least one referral; the rest go mostly to sites near the
    therapists of their discipline; about 1% are deliberately impossible."""
    maker = ReferralMaker(rng, ctx)
    n = len(demands)
    first_sites: dict[int, tuple[str, ...]] = {}
    spots = rng.sample(range(n), min(n, len(maker.others)))
    for spot, site in zip(spots, maker.others, strict=False):
        first_sites[spot] = (site.site_id,)
    num_impossible = round(n * 0.01)
    impossible = {idx: k % 3 for k, idx in enumerate(sorted(rng.sample(range(n), num_impossible)))}
    out: list[Referral] = []
    for idx, demand in enumerate(demands):
        site_ids = first_sites.get(idx) or maker.pick_sites(demand.discipline)
        out.append(maker.referral(idx, demand, site_ids, impossible.get(idx)))
    return out
