"""Days, clock times and weekly availability text.

Times are whole minutes after midnight. Availability text is the format coordinators type in
the workbook, e.g. ``Mon-Wed 09:00-12:00, 13:00-15:00; Fri``. A day written without times
means "that day's default", which depends on the column (a site's school day, a therapist's
working day, ...), so it is kept as an empty tuple and resolved by :meth:`Availability.resolve`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer, model_validator

Day = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
DAYS: tuple[Day, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_INDEX: dict[str, int] = {d: i for i, d in enumerate(DAYS)}
MINUTES_PER_DAY = 24 * 60

_DAY_NAMES: dict[str, Day] = {}
for _d, _full in zip(
    DAYS,
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    strict=True,
):
    _DAY_NAMES[_d.lower()] = _d
    _DAY_NAMES[_full] = _d
    _DAY_NAMES[_full[:4]] = _d  # "tues", "thur", "weds" style abbreviations below too
_DAY_NAMES.update({"tues": "Tue", "thur": "Thu", "thurs": "Thu", "weds": "Wed", "wednes": "Wed"})

Interval = tuple[int, int]


def parse_day(text: str) -> Day:
    """Parse a day name (``Mon``, ``monday``, ``Tues``) or raise ValueError."""
    key = text.strip().lower().rstrip(".")
    if key in _DAY_NAMES:
        return _DAY_NAMES[key]
    raise ValueError(f"'{text.strip()}' is not a day (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)")


_TIME_RE = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?(?::(\d{2}))?\s*$")


def parse_time(text: str) -> int:
    """Parse ``9:00``, ``09:00``, ``14.30`` or ``24:00`` into minutes after midnight."""
    m = _TIME_RE.match(text)
    if not m:
        raise ValueError(f"'{text.strip()}' is not a time (use HH:MM, e.g. 09:00)")
    hours, minutes = int(m.group(1)), int(m.group(2) or 0)
    if minutes >= 60 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"'{text.strip()}' is not a time of day")
    return hours * 60 + minutes


def format_time(minutes: int) -> str:
    """Format minutes after midnight as ``HH:MM``."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def merge_intervals(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Union of intervals: overlapping or touching ranges merge into one."""
    out: list[list[int]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return tuple((s, e) for s, e in out)


def intersect_intervals(a: Iterable[Interval], b: Iterable[Interval]) -> tuple[Interval, ...]:
    """Intersection of two unions of intervals."""
    a_m, b_m = merge_intervals(a), merge_intervals(b)
    out: list[Interval] = []
    i = j = 0
    while i < len(a_m) and j < len(b_m):
        s, e = max(a_m[i][0], b_m[j][0]), min(a_m[i][1], b_m[j][1])
        if s < e:
            out.append((s, e))
        if a_m[i][1] < b_m[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def subtract_intervals(a: Iterable[Interval], b: Iterable[Interval]) -> tuple[Interval, ...]:
    """The parts of ``a`` not covered by ``b``."""
    out: list[Interval] = []
    b_m = merge_intervals(b)
    for s, e in merge_intervals(a):
        cur = s
        for bs, be in b_m:
            if be <= cur or bs >= e:
                continue
            if bs > cur:
                out.append((cur, bs))
            cur = max(cur, be)
        if cur < e:
            out.append((cur, e))
    return tuple(out)


def covers(intervals: Iterable[Interval], start: int, end: int) -> bool:
    """True when ``[start, end)`` lies inside one interval of the (merged) union."""
    return any(s <= start and end <= e for s, e in merge_intervals(intervals))


class TimeRange(BaseModel):
    """A clock-time range such as ``08:30-17:00``; text in and out."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: int = Field(ge=0, le=MINUTES_PER_DAY, description="Start, minutes after midnight")
    end: int = Field(ge=0, le=MINUTES_PER_DAY, description="End, minutes after midnight")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return dict(zip(("start", "end"), _parse_range(value), strict=True))
        if isinstance(value, list | tuple) and len(value) == 2:
            return {"start": value[0], "end": value[1]}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.end <= self.start:
            raise ValueError(
                f"range {format_time(self.start)}-{format_time(self.end)} ends before it starts"
            )
        return self

    @model_serializer
    def _to_text(self) -> str:
        return f"{format_time(self.start)}-{format_time(self.end)}"

    @property
    def interval(self) -> Interval:
        return (self.start, self.end)

    @property
    def minutes(self) -> int:
        return self.end - self.start

    def __str__(self) -> str:
        return self._to_text()


def _parse_range(text: str) -> Interval:
    parts = text.split("-")
    if len(parts) != 2:
        raise ValueError(f"'{text.strip()}' is not a time range (use HH:MM-HH:MM)")
    start, end = parse_time(parts[0]), parse_time(parts[1])
    if end <= start:
        raise ValueError(f"range '{text.strip()}' ends before it starts")
    return start, end


def _parse_day_span(text: str) -> list[Day]:
    parts = [p for p in text.split("-")]
    if len(parts) == 1:
        return [parse_day(parts[0])]
    if len(parts) == 2:
        first, last = parse_day(parts[0]), parse_day(parts[1])
        i, j = DAY_INDEX[first], DAY_INDEX[last]
        if j < i:
            raise ValueError(f"day range '{text.strip()}' runs backwards")
        return list(DAYS[i : j + 1])
    raise ValueError(f"'{text.strip()}' is not a day or day range")


_ENTRY_RE = re.compile(r"^\s*([A-Za-z]+\.?(?:\s*-\s*[A-Za-z]+\.?)?)\s*(.*)$")


def parse_days(text: str) -> tuple[Day, ...]:
    """Parse a set of days such as ``Mon-Fri`` or ``Mon, Wed; Fri`` in week order."""
    found: set[Day] = set()
    for chunk in re.split(r"[;,]", text):
        if chunk.strip():
            found.update(_parse_day_span(chunk.strip()))
    if not found:
        raise ValueError("no days given")
    return tuple(d for d in DAYS if d in found)


def format_days(days: Iterable[str]) -> str:
    """Format a set of days compactly: ``Mon-Fri``, ``Mon, Wed-Thu``."""
    idx = sorted({DAY_INDEX[d] for d in days})
    runs: list[list[int]] = []
    for i in idx:
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return ", ".join(DAYS[a] if a == b else f"{DAYS[a]}-{DAYS[b]}" for a, b in runs)


class Availability(BaseModel):
    """Weekly availability: for each day listed, the time ranges (a union).

    A day with an empty tuple means "that day's default" (the column decides what that is).
    Days not listed are unavailable. Reads and writes the workbook's availability text.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    days: dict[Day, tuple[tuple[int, int], ...]] = Field(
        default_factory=dict, description="Time ranges per day; empty = the day's default"
    )

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"days": parse_availability(value)}
        return value

    @model_validator(mode="after")
    def _check(self) -> Availability:
        for day, ranges in self.days.items():
            for s, e in ranges:
                if not (0 <= s < e <= MINUTES_PER_DAY):
                    raise ValueError(
                        f"{day} range {format_time(s)}-{format_time(e)} ends before it starts"
                    )
        return self

    @model_serializer
    def _to_text(self) -> str:
        return format_availability(self.days)

    def __str__(self) -> str:
        return format_availability(self.days)

    def resolve(
        self, default: Mapping[Any, Iterable[Interval]] | Iterable[Interval]
    ) -> dict[Day, tuple[Interval, ...]]:
        """Concrete merged ranges per day, with a day's default filled in where no times given.

        ``default`` is either ranges used for every day or a mapping day -> ranges.
        """
        out: dict[Day, tuple[Interval, ...]] = {}
        for day, ranges in self.days.items():
            if ranges:
                merged = merge_intervals(ranges)
            elif isinstance(default, Mapping):
                merged = merge_intervals(default.get(day, ()))
            else:
                merged = merge_intervals(default)
            if merged:
                out[day] = merged
        return out

    def all_times(self) -> list[int]:
        """Every explicit boundary time (for slot-grid checks)."""
        return [t for ranges in self.days.values() for r in ranges for t in r]


def parse_availability(text: str) -> dict[Day, tuple[Interval, ...]]:
    """Parse availability text into ranges per day (see the module docstring)."""
    out: dict[Day, list[Interval]] = {}
    for raw in text.split(";"):
        entry = raw.strip()
        if not entry:
            continue
        m = _ENTRY_RE.match(entry)
        if not m:
            raise ValueError(f"'{entry}' does not start with a day")
        days = _parse_day_span(m.group(1))
        rest = m.group(2).strip()
        # A list of days before the times, as the field descriptions show: "Mon, Wed 09:00-12:00".
        while rest.startswith(",") and (more := _ENTRY_RE.match(rest[1:])):
            days += _parse_day_span(more.group(1))
            rest = more.group(2).strip()
        ranges: list[Interval] = []
        if rest:
            for piece in rest.split(","):
                if piece.strip():
                    ranges.append(_parse_range(piece))
        for day in days:
            if day in out and (not out[day] or not ranges):
                # A whole-day default combined with explicit ranges stays the whole default.
                out[day] = []
            else:
                out.setdefault(day, []).extend(ranges)
    return {d: merge_intervals(out[d]) for d in DAYS if d in out}


def format_availability(days: Mapping[Any, Iterable[Interval]]) -> str:
    """Format ranges per day as availability text, grouping days with equal ranges."""
    items = [(d, tuple(days[d])) for d in DAYS if d in days]
    parts: list[str] = []
    i = 0
    while i < len(items):
        j = i
        while (
            j + 1 < len(items)
            and items[j + 1][1] == items[i][1]
            and DAY_INDEX[items[j + 1][0]] == DAY_INDEX[items[j][0]] + 1
        ):
            j += 1
        span = items[i][0] if i == j else f"{items[i][0]}-{items[j][0]}"
        ranges = ", ".join(f"{format_time(s)}-{format_time(e)}" for s, e in items[i][1])
        parts.append(f"{span} {ranges}".strip())
        i = j + 1
    return "; ".join(parts)
