"""Every sheet of every workbook the tool writes prints on A4: one page wide, header rows on
every page (or one grid a page), a footer with the term and the page number."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from rota.io.template import write_template
from rota.io.write import write_xlsx
from rota.models.result import Result
from rota.reports.comparison import build_comparison, write_compare_workbook
from rota.reports.coordinator import write_rota_workbook
from rota.reports.schools import write_school_workbooks
from rota.reports.therapists import write_therapist_files
from rota.scenarios.run import RunOutcome
from tests.reports.export_service import make_problem, make_result
from tests.reports.printing import workbook_print_problems


def _workbooks(out: Path) -> list[tuple[Path, str]]:
    """Every kind of workbook, each with the text its footer must hold."""
    problem, result = make_problem(), make_result()
    term = problem.settings.term_name
    written = [
        (write_rota_workbook(problem, result, out / "rota.xlsx"), term),
        (write_template(out / "template.xlsx"), "Input template"),
        (write_xlsx(problem, out / "input.xlsx"), term),
    ]
    written += [(p, term) for p in write_school_workbooks(problem, result, out / "schools")]
    files, _ = write_therapist_files(
        problem, result, out / "therapists", now=dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    )
    written += [(f.workbook, term) for f in files if f.workbook is not None]
    other = Result(status="OPTIMAL", rota=result.rota.model_copy(update={"sessions": ()}))
    comparison = build_comparison(
        [
            RunOutcome("base", "", problem, result),
            RunOutcome("empty", "no sessions", problem, other),
        ]
    )
    written.append((write_compare_workbook(comparison, out / "compare.xlsx"), term))
    return written


def test_every_sheet_of_every_workbook_prints(tmp_path: Path) -> None:
    workbooks = _workbooks(tmp_path)
    assert len(workbooks) == 8  # coordinator, template, input, 2 schools, 2 therapists, compare
    problems = {p.name: workbook_print_problems(p, term) for p, term in workbooks}
    assert {name: found for name, found in problems.items() if found} == {}


@pytest.mark.parametrize("sheet", ["Therapist weeks", "Site weeks"])
def test_grids_sheets_break_before_every_grid(tmp_path: Path, sheet: str) -> None:
    path = write_rota_workbook(make_problem(), make_result(), tmp_path / "rota.xlsx")
    ws = load_workbook(path)[sheet]
    ends = ("week rota", "sessions by room and day")
    titles = [r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value).endswith(ends)]
    assert len(titles) == 2
    assert [b.id + 1 for b in ws.row_breaks.brk] == titles[1:]
    assert 10 <= (ws.page_setup.scale or 0) <= 100
