"""What the web page reads from an upload: the same drive report as ``rota validate``."""

from __future__ import annotations

from pathlib import Path

from rota.io.template import example_problem
from rota.io.write import write_problem
from rota.web.service import read_input


def test_an_upload_carries_the_drive_report_and_its_warnings(tmp_path: Path) -> None:
    problem = example_problem()
    cam, hun = problem.sites
    twin = cam.model_copy(update={"site_id": "CAM-TWIN", "name": "Annexe", "latitude": 52.2058})
    path = tmp_path / "drives.xlsx"
    write_problem(problem.model_copy(update={"sites": (cam, hun, twin)}), path)
    read, warnings, errors, drive_lines = read_input(path)
    assert read is not None and errors == []
    assert drive_lines[0].startswith("Drives between sites")
    assert "  sites closer than 200 m to another site: 1 (see the warnings)" in drive_lines
    assert [w for w in warnings if "probably one place" in w] == [
        "Sites row 4, latitude: Annexe (CAM-TWIN) is 56 m from Cambridge clinic (CAM-CLINIC, "
        "Sites row 2): probably one place entered twice; if so, keep one site, otherwise check "
        "the coordinates"
    ]
