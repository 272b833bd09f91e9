"""`rota solve --repeatable`: the same input, seed and workers give the same result in any
process, whatever its hash seed, with no clock deciding anything."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from rota.demo import generate_problem
from rota.io.write import write_problem

#: Figures that say how long a run took: the only ones two repeatable runs may differ in.
TIMING_FIELDS = ("wall_seconds", "first_solution_seconds")
TIMING_ROWS = ("Time searching",)  # the Summary row with the wall time


def _run(hash_seed: str, *args: str) -> None:
    """``rota ARGS`` in a fresh process with the given hash seed."""
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    cmd = [sys.executable, "-m", "rota.cli", *args]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def _result(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text())
    for name in TIMING_FIELDS:
        data.pop(name)
    return data


def _cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    out = {}
    for ws in wb.worksheets:
        rows = [tuple(c.value for c in row) for row in ws.iter_rows()]
        out[ws.title] = [r for r in rows if not (r and r[0] in TIMING_ROWS)]
    # The timing row is there (a renamed row would otherwise be compared, and differ by chance).
    assert any(r and r[0] in TIMING_ROWS for r in rows_of(wb, "Summary"))
    return out


def rows_of(wb: openpyxl.Workbook, sheet: str) -> list[tuple[object, ...]]:
    return [tuple(c.value for c in row) for row in wb[sheet].iter_rows()]


@pytest.mark.parametrize("strategy", ["full", "local", "lns"])
def test_three_hash_seeds_give_the_same_result_and_workbook(tmp_path: Path, strategy: str) -> None:
    src = tmp_path / "small.xlsx"
    write_problem(generate_problem("small", 1), src)
    results, books = [], []
    for seed in ("1", "2", "3"):
        out, book = tmp_path / f"r{seed}.json", tmp_path / f"r{seed}.xlsx"
        _run(seed, "solve", str(src), "-o", str(out), "--repeatable", "--time-limit", "1",
             "--workers", "2", "--strategy", strategy, "--quiet")  # fmt: skip
        results.append(_result(out))
        if strategy == "full":
            # The coordinator's workbook, written in a process with the same hash seed.
            _run(seed, "export", "rota", str(src), str(out), "-o", str(book))
            books.append(_cells(book))
    assert results[0]["rota"]["sessions"]
    assert results[1] == results[0] and results[2] == results[0]
    assert books[1:] == books[:1] * (len(books) - 1)
