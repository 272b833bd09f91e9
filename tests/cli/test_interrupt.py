"""Ctrl-C during `rota solve` stops the search and still writes the best rota found."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rota.demo import generate_problem
from rota.evaluate.check import check
from rota.io.write import write_problem
from rota.models.result import Result


@pytest.mark.parametrize("strategy", ["full", "lns"])
def test_ctrl_c_keeps_the_best_rota(tmp_path: Path, strategy: str) -> None:
    problem = generate_problem("small", 1)
    src = tmp_path / "small.xlsx"
    write_problem(problem, src)
    out = tmp_path / "rota.json"
    cmd = [sys.executable, "-m", "rota.cli", "solve", str(src), "-o", str(out),
           "--time-limit", "120", "--strategy", strategy]  # fmt: skip
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(4)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output
    assert time.monotonic() - started < 60
    result = Result.model_validate_json(out.read_text())
    assert len(result.rota.sessions) >= 70
    assert check(problem, result.rota) == []
