"""The sweep's result cache: one JSON file per finished repeatable run, named by its cache key.

A rerun of the same sweep to the same output reads the runs already done instead of solving
them again. Only repeatable runs are stored: a run limited by the clock depends on the
machine's speed and load, so its result is not the result of its parameters alone.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from rota.reports.atomic import write_atomic
from rota.scenarios.sweep.task import RunResult


class ResultCache:
    """Results by cache key in a folder (created on the first store)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def load(self, key: str) -> RunResult | None:
        """The stored result, or None (also for a file a crash left unreadable)."""
        path = self.path(key)
        try:
            return RunResult.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, ValidationError):
            return None

    def store(self, key: str, result: RunResult) -> None:
        """Store a result atomically (a sweep stopped mid-write leaves no half file)."""
        text = result.model_dump_json()
        write_atomic(self.path(key), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def cache_folder(output: Path) -> Path:
    """Where a sweep writing ``output`` keeps its results: ``<output name>-cache`` beside it."""
    return output.with_name(f"{output.stem}-cache")
