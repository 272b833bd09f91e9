"""Hypothesis fuzzing of the readers: whatever the cells, bytes or text, a reader returns records
or raises InputError with located lines, never another exception."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rota.io import InputError, read_problem_with_warnings
from rota.io.parse import build_problem, parse_records, parse_settings
from rota.io.schema import RECORD_SHEETS
from rota.io.textfile import load_json, load_yaml
from rota.io.xlsx import FormulaCell, RawSheet, rows_of

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
BASE_BYTES = (BAD / "valid_base.xlsx").read_bytes()

cell_values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["Mon", "Mon-Fri 09:00-12:00", "yes", "music", "3,5", "inf", "nan", "=1+1"]),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.booleans(),
    st.builds(FormulaCell, st.text(min_size=1, max_size=10)),
)


@settings(max_examples=150, deadline=None)
@given(
    spec_idx=st.integers(0, len(RECORD_SHEETS) - 1),
    rows=st.lists(st.lists(cell_values, max_size=16), max_size=6),
)
def test_any_cells_give_records_or_located_issues(spec_idx: int, rows: list[list[Any]]) -> None:
    spec = RECORD_SHEETS[spec_idx]
    header = [c.name for c in spec.columns]
    parsed = parse_records(spec, rows_of([header, *rows]))
    assert all(i.sheet == spec.name and i.row is not None for i in parsed.issues)


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["slot_minutes", "term_end", "days", "road_factor",
                                                "travel_speed_kmh", "x"]), cell_values),
                     max_size=8))  # fmt: skip
def test_any_settings_give_settings_or_located_issues(rows: list[tuple[str, Any]]) -> None:
    parsed = parse_settings(rows_of([["setting", "value"], *[list(r) for r in rows]]))
    assert all(i.sheet == "Settings" for i in parsed.issues)


def _base_sheets() -> dict[str, RawSheet]:
    from rota.io.xlsx import read_workbook_rows

    return read_workbook_rows(BAD / "valid_base.xlsx")


BASE_SHEETS = _base_sheets()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_workbook_with_any_cells_changed_reads_or_lists_errors(data: st.DataObject) -> None:
    sheets = {}
    for title, raw in BASE_SHEETS.items():
        rows = [list(cells) for _, cells in raw.rows]
        for _ in range(data.draw(st.integers(0, 2))):
            r = data.draw(st.integers(0, len(rows) - 1))
            c = data.draw(st.integers(0, max(0, len(rows[r]) - 1)))
            if rows[r]:
                rows[r][c] = data.draw(cell_values)
        sheets[title] = RawSheet(title, rows_of(rows))
    try:
        build_problem(sheets)
    except InputError as exc:
        assert exc.lines and all(line.strip() for line in exc.lines)


@settings(max_examples=60, deadline=None)
@given(
    flips=st.lists(
        st.tuples(st.integers(0, len(BASE_BYTES) - 1), st.integers(1, 255)), min_size=1, max_size=8
    ),
    cut=st.one_of(st.none(), st.integers(0, len(BASE_BYTES))),
)
def test_damaged_workbook_bytes_give_an_input_error(
    flips: list[tuple[int, int]], cut: int | None
) -> None:
    data = bytearray(BASE_BYTES)
    for pos, mask in flips:
        data[pos] ^= mask
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "damaged.xlsx"
        path.write_bytes(bytes(data[:cut]))
        try:
            read_problem_with_warnings(path)
        except InputError as exc:
            assert exc.lines


yaml_texts = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(["a: &x [1, 2]\n", "b: *x\n", "- [", "]\n", "{", "}\n", "  - ",
                              "c: !!python/object:os.system ls\n", "d: *nope\n", "\t", ":"]),
             max_size=30).map("".join),
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(text=yaml_texts)
def test_any_yaml_or_json_text_parses_or_gives_an_input_error(text: str) -> None:
    for load in (load_yaml, load_json):
        try:
            load(text, "fuzz.yaml")
        except InputError as exc:
            assert exc.lines[0].startswith("fuzz.yaml: ")


@settings(max_examples=40, deadline=None)
@given(value=st.recursive(
    st.one_of(st.none(), st.integers(), st.text(max_size=5), st.floats()),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=20,
))  # fmt: skip
def test_any_yaml_shaped_data_in_a_problem_file_gives_an_input_error(value: Any) -> None:
    import yaml

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(yaml.safe_dump({"settings": value, "sites": value, "referrals": value}))
        try:
            read_problem_with_warnings(path)
        except InputError as exc:
            assert exc.lines


def test_dates_far_away_are_errors_not_overflows() -> None:
    sheets = dict(BASE_SHEETS)
    rows = [list(c) for _, c in BASE_SHEETS["Settings"].rows]
    rows[3][1] = dt.date(9999, 12, 31)
    sheets["Settings"] = RawSheet("Settings", rows_of(rows))
    try:
        build_problem(sheets)
    except InputError as exc:
        assert exc.lines == [
            "Settings row 4, term_end: 9999-12-31 is not a plausible date "
            "(use a year from 2000 to 2100)"
        ]
    else:
        raise AssertionError("term_end 9999-12-31 was accepted")
