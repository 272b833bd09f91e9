"""YAML and JSON inputs: errors located by record path, in plain words."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rota.io import InputError, read_problem, read_problem_with_warnings
from rota.io.write import write_problem
from tests.io.test_roundtrip import rich_problem


def dumped(tmp_path: Path, name: str = "demo.yaml") -> tuple[Path, dict]:
    path = tmp_path / name
    write_problem(rich_problem(), path)
    return path, yaml.safe_load(path.read_text())


def errors_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        read_problem(path)
    return info.value.lines


def test_field_errors_are_located_by_path(tmp_path: Path) -> None:
    path, data = dumped(tmp_path)
    data["referrals"][2]["minutes"] = "forty"
    data["rooms"][1]["capacity"] = -1
    data["therapists"][0]["works"] = "Mnday 09:00-12:00"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert errors_of(path) == [
        "demo.yaml: rooms[1].capacity: -1 is too small: it must be at least 1",
        "demo.yaml: therapists[0].works: 'Mnday' is not a day "
        "(use Mon, Tue, Wed, Thu, Fri, Sat, Sun)",
        "demo.yaml: referrals[2].minutes: 'forty' is not a whole number",
    ]


def test_cross_reference_errors_use_model_field_paths(tmp_path: Path) -> None:
    path, data = dumped(tmp_path)
    data["referrals"][0]["site_ids"] = ["HUN-CLINC"]
    data["closures"][0]["date_to"] = "2027-05-01"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert errors_of(path) == [
        "demo.yaml: referrals[0].site_ids: unknown site 'HUN-CLINC' (did you mean 'HUN-CLINIC'?)",
        "demo.yaml: closures[0].date_to: closure ends (2027-05-01) before it starts (2027-05-31)",
    ]


def test_json_syntax_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "demo.json"
    path.write_text('{"sites": [\n  {"site_id": "A",}\n]}')
    (line,) = errors_of(path)
    assert line.startswith("demo.json: not valid JSON at line 2, column")


def test_yaml_syntax_error_and_wrong_shape(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("sites: [\n  - a: b\n")
    assert errors_of(bad)[0].startswith("bad.yaml: line 2, column 3: not valid YAML")
    listy = tmp_path / "list.yml"
    listy.write_text("- 1\n- 2\n")
    assert errors_of(listy) == ["list.yml: must be a mapping of settings, sites, rooms, ..."]
    unknown = tmp_path / "extra.yaml"
    unknown.write_text("sitez: []\n")
    assert errors_of(unknown) == ["extra.yaml: sitez: is not a known field"]


def test_warnings_are_located_too(tmp_path: Path) -> None:
    path, data = dumped(tmp_path, "demo.json")
    data["referrals"][1]["minutes"] = 60
    path.write_text(yaml.safe_dump(data))  # YAML is a superset of JSON; keep it simple
    path = path.rename(tmp_path / "demo.yaml")
    _, warnings = read_problem_with_warnings(path)
    assert "demo.yaml: referrals[1].minutes: 60 minutes is outside the usual 30-45" in warnings


def test_empty_yaml_is_an_empty_problem(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("")
    problem = read_problem(path)
    assert problem.sites == () and problem.referrals == ()
