"""The input limits: refused before anything is expanded, with a message naming the limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rota.io import InputError, read_problem_with_warnings
from rota.io import xlsx as xlsx_module

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"


def only_error(path: Path) -> str:
    with pytest.raises(InputError) as info:
        read_problem_with_warnings(path)
    (line,) = info.value.lines
    return line


def test_rows_past_the_limit_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_module, "MAX_ROWS_PER_SHEET", 3)
    line = only_error(BAD / "valid_base.xlsx")
    assert (
        line
        == "valid_base.xlsx: Settings: has more than 3 filled rows: rota reads at most that many"
    )


def test_columns_past_the_limit_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_module, "MAX_COLUMNS", 5)
    line = only_error(BAD / "valid_base.xlsx")
    assert line.startswith("valid_base.xlsx: Sites row 1: has values beyond column 5")


def test_a_fifo_or_device_is_refused_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "input.xlsx"
    os.mkfifo(fifo)
    assert only_error(fifo).endswith("is not a regular file (a pipe or a device): give a file")
    device = tmp_path / "device.yaml"
    device.symlink_to("/dev/zero")  # reading it would never end
    assert only_error(device).endswith("is not a regular file (a pipe or a device): give a file")


def test_non_utf8_yaml_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "service.yaml"
    path.write_bytes(b"settings:\n  term_name: Spring\n  service_name: Caf\xe9\n")
    assert only_error(path) == (
        "service.yaml: line 3, column 20: byte 0xe9 is not UTF-8 text: save the file as UTF-8"
    )


def test_an_alias_bomb_in_an_input_is_refused_before_it_is_built(tmp_path: Path) -> None:
    path = tmp_path / "service.yaml"
    levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdef", "bcdefg", strict=True):
        levels.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 10)}]")
    path.write_text("\n".join(levels) + "\n")
    assert "expands to more than 500,000 values (through its aliases)" in only_error(path)
