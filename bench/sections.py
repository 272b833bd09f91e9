"""Sections of bench/RESULTS.md that other benchmarks own (between ``<!-- NAME:start -->`` and
``<!-- NAME:end -->``): each benchmark replaces its own, and ``bench.run`` keeps them all."""

from __future__ import annotations

import re
from pathlib import Path

#: The sections bench.run keeps, in order: the side-by-side one's, the sweep benchmark's, the
#: day rules' (bench.days), the fairness one's (bench.fairness) and rota explain's (bench.explain).
OWNED = ("versus", "sweep", "days", "fairness", "explain")


def marks(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def _pattern(name: str) -> re.Pattern[str]:
    start, end = marks(name)
    return re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)


def replace_section(text: str, name: str, section: str) -> str:
    """``text`` with section ``name`` replaced by ``section`` (which holds its marks), or with
    it added at the end."""
    pattern = _pattern(name)
    if pattern.search(text):
        return pattern.sub(lambda _m: section, text)
    return text.rstrip("\n") + "\n\n" + section + "\n"


def kept_sections(path: Path) -> str:
    """The owned sections of an existing RESULTS.md ('' for each one missing)."""
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8")
    found = [m.group(0) for name in OWNED if (m := _pattern(name).search(text))]
    return "".join("\n" + s + "\n" for s in found)
