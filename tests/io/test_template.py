"""The empty template: headers with help, dropdowns, one example row, and it validates."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from rota.io import read_problem_with_warnings
from rota.io.parse import RECORD_SHEETS, SETTING_KINDS
from rota.io.template import example_problem, write_template
from rota.models import Settings
from rota.reports.atomic import OutputError


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.xlsx"
    write_template(path)
    return path


def test_template_validates_without_warnings(template: Path) -> None:
    problem, warnings = read_problem_with_warnings(template)
    assert warnings == []
    assert problem == example_problem()


def test_every_header_has_the_models_help(template: Path) -> None:
    wb = load_workbook(template)
    for spec in RECORD_SHEETS:
        ws = wb[spec.name]
        assert ws.freeze_panes == "A2"
        for idx, column in enumerate(spec.columns, start=1):
            cell = ws.cell(row=1, column=idx)
            assert cell.value == column.name
            assert cell.comment is not None, (spec.name, column.name)
            description = spec.model.model_fields[column.field].description
            assert description and description in cell.comment.text
            assert ("Required." in cell.comment.text) == spec.required(column)
            assert ws.column_dimensions[cell.column_letter].width >= 10
        # Exactly one example row, pseudonymous (initials, codes).
        assert ws.max_row == (3 if spec.name == "Sites" else 2)
    client = wb["Referrals"]["B2"].value
    assert client == "A.B."


def test_settings_are_prefilled_with_defaults(template: Path) -> None:
    ws = load_workbook(template)["Settings"]
    values = {row[0]: row[1] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert list(values) == list(SETTING_KINDS)
    defaults = Settings()
    assert values["slot_minutes"] == defaults.slot_minutes
    assert values["working_day"] == "08:30-17:00"
    assert values["days"] == "Mon-Fri"
    assert values["lunch_window"] == "11:30-14:00"
    assert values["road_factor"] == defaults.road_factor


def test_dropdowns(template: Path) -> None:
    wb = load_workbook(template)

    def validations(sheet: str) -> dict[str, tuple[str, str | None]]:
        out = {}
        for dv in wb[sheet].data_validations.dataValidation:
            first = str(dv.sqref).split(":")[0]
            out[first] = (dv.type, dv.formula1)
        return out

    assert validations("Sites")["C2"] == (
        "list",
        '"school,special_school,unit,childrens_centre,clinic"',
    )
    refs = validations("Referrals")
    assert refs["D2"] == ("list", '"music,drama,dance"')
    assert refs["H2"] == ("whole", "1")
    prev = validations("Previous")
    assert prev["C2"] == ("list", '"Mon,Tue,Wed,Thu,Fri,Sat,Sun"')
    assert prev["F2"] == ("list", '"yes,no"')


def test_template_refuses_to_overwrite(template: Path, tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"mine")
    with pytest.raises(OutputError, match="already exists"):
        write_template(path)
    assert path.read_bytes() == b"mine"
    write_template(path, force=True)
    assert read_problem_with_warnings(path)[0] == example_problem()
