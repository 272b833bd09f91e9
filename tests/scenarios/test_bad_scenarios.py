"""Every scenario file in tests/data/bad_scenarios/ gets exactly its located lines from
``rota scenario check`` (never a traceback), each naming where, which field and what value."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from rota.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
BASE = DATA / "bad" / "valid_base.xlsx"
CASES = sorted((DATA / "bad_scenarios").glob("*.yaml"))


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert all(
        c.with_suffix(".expected").exists() and c.with_suffix(".parts").exists() for c in CASES
    )


@pytest.mark.parametrize("path", CASES, ids=[c.stem for c in CASES])
def test_bad_scenario_reports_exact_located_messages(path: Path) -> None:
    result = CliRunner().invoke(main, ["scenario", "check", str(BASE), str(path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    expected = path.with_suffix(".expected").read_text().splitlines()
    lines = result.output.splitlines()
    assert lines == [f"{len(expected)} error(s) in the scenarios:", *expected]
    where, field, shown = (path.with_suffix(".parts").read_text().splitlines() + ["", "", ""])[:3]
    first = expected[0]
    assert first.startswith(f"{path.name}: ")
    for part in (where, field, shown):
        assert part in first, (part, first)


def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"changes:\n  - op: add_referrals\n    from: {fifo}\n")
    result = CliRunner().invoke(main, ["scenario", "check", str(BASE), str(scenario)])
    assert result.exit_code == 1
    assert "pipe.xlsx: is not a regular file (a pipe or a device): give a file" in result.output
    fifo_scenario = tmp_path / "fifo.yaml"
    os.mkfifo(fifo_scenario)
    result = CliRunner().invoke(main, ["scenario", "check", str(BASE), str(fifo_scenario)])
    assert result.exit_code == 1 and "is not a regular file" in result.output
