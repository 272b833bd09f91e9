"""Interrupted runs: Ctrl-C once keeps the best rota, twice while writing still finishes it, three
times abandons it (nothing written), and a killed run leaves no temporary a later run keeps."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from rota.demo import generate_problem
from rota.evaluate.check import check
from rota.io.write import write_problem
from rota.models.result import Result
from rota.reports.atomic import TEMP_DIR_NAME


class Run:
    """``rota solve`` in a child process, its stderr collected line by line."""

    def __init__(self, *args: str | Path) -> None:
        cmd = [sys.executable, "-m", "rota.cli", "solve", *map(str, args)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.err: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.err.append(line)

    def wait_for(self, text: str, timeout: float = 120) -> None:
        end = time.monotonic() + timeout
        while not any(text in line for line in self.err):
            assert self.proc.poll() is None, "".join(self.err)
            assert time.monotonic() < end, f"no {text!r} in:\n{''.join(self.err)}"
            time.sleep(0.05)

    def wait_for_path(self, path: Path, timeout: float = 120) -> None:
        end = time.monotonic() + timeout
        while not path.exists():
            assert self.proc.poll() is None, "".join(self.err)
            assert time.monotonic() < end, "".join(self.err)
            time.sleep(0.01)

    def interrupt(self) -> None:
        self.proc.send_signal(signal.SIGINT)

    def finish(self) -> tuple[int, str, str]:
        out = self.proc.stdout.read() if self.proc.stdout else ""
        self.proc.wait(timeout=300)
        self.reader.join(timeout=30)
        return self.proc.returncode, out, "".join(self.err)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The county demo: its 120 schools' workbooks take seconds to write, a window to press in."""
    path = tmp_path_factory.mktemp("county") / "county.xlsx"
    write_problem(generate_problem("county", 1), path)
    return path


def hidden_or_temporary(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.startswith(".") or TEMP_DIR_NAME in p.parts]


@pytest.mark.parametrize("strategy", ["full", "lns"])
def test_ctrl_c_keeps_the_best_rota(tmp_path: Path, strategy: str) -> None:
    problem = generate_problem("small", 1)
    src = tmp_path / "small.xlsx"
    write_problem(problem, src)
    out = tmp_path / "rota.json"
    run = Run(src, "-o", out, "--time-limit", "120", "--strategy", strategy)
    run.wait_for("solving ")
    time.sleep(2)
    run.interrupt()
    code, output, err = run.finish()
    assert code == 0, err
    # (CP-SAT catches a Ctrl-C that comes during its search itself, keeping its best rota, so
    # rota's own "stopping" line shows only for a Ctrl-C between searches.)
    result = Result.model_validate_json(out.read_text())
    assert len(result.rota.sessions) >= 70
    assert check(problem, result.rota) == []


def test_ctrl_c_while_writing_says_so_and_finishes_every_file(tmp_path: Path, county: Path) -> None:
    out, schools = tmp_path / "rota.xlsx", tmp_path / "schools"
    run = Run(county, "-o", out, "--schools", schools, "--time-limit", "60")
    run.wait_for("scheduled ")  # the first rota exists (a stop before it writes nothing)
    run.interrupt()  # the first stops the search
    run.wait_for_path(tmp_path / TEMP_DIR_NAME)
    run.interrupt()  # the second, while the rota is written
    code, output, err = run.finish()
    assert code == 0, err
    assert "the rota is being written: it will be finished" in err
    assert out.is_file()
    written = sorted(schools.glob("*.xlsx"))
    assert f"wrote {len(written)} school workbooks" in output and len(written) > 50
    assert hidden_or_temporary(tmp_path) == []


def test_ctrl_c_three_times_abandons_and_writes_nothing(tmp_path: Path, county: Path) -> None:
    out, schools = tmp_path / "rota.xlsx", tmp_path / "schools"
    run = Run(county, "-o", out, "--schools", schools, "--time-limit", "60")
    run.wait_for("scheduled ")  # the first rota exists (a stop before it writes nothing)
    run.interrupt()
    run.wait_for_path(tmp_path / TEMP_DIR_NAME)
    run.interrupt()
    run.wait_for("the rota is being written")
    run.interrupt()
    code, _output, err = run.finish()
    assert code == 130, err
    assert "abandoned: nothing was written" in err
    assert not out.exists()
    assert list(schools.glob("*.xlsx")) if schools.exists() else [] == []
    assert hidden_or_temporary(tmp_path) == []


def test_a_killed_run_leaves_temporaries_only_where_the_next_run_removes_them(
    tmp_path: Path, county: Path
) -> None:
    out, schools = tmp_path / "rota.xlsx", tmp_path / "schools"
    run = Run(county, "-o", out, "--schools", schools, "--time-limit", "60")
    run.wait_for("scheduled ")  # the first rota exists (a stop before it writes nothing)
    run.interrupt()
    run.wait_for_path(schools / TEMP_DIR_NAME)
    os.kill(run.proc.pid, signal.SIGKILL)
    run.finish()
    assert not out.exists() and list(schools.glob("*.xlsx")) == []  # none of the set is in place
    # No hidden workbook sits next to the outputs: what is left is in the .rota-tmp folders.
    assert [p for p in tmp_path.rglob(".*.xlsx")] == []
    left = [p for p in tmp_path.rglob("*") if p.is_file() and TEMP_DIR_NAME in p.parts]
    assert left, "the kill came too late to leave a temporary"
    again = Run(county, "-o", out, "--schools", schools, "--time-limit", "1", "--quiet")
    code, _output, err = again.finish()
    assert code == 0, err
    assert hidden_or_temporary(tmp_path) == []
