"""The files a finished solve offers: the coordinator's workbook, the result, and zips of the
schools' and the therapists' files, each written by rota.reports into the solve's folder."""

from __future__ import annotations

import zipfile
from pathlib import Path

from rota.models.problem import Problem
from rota.models.result import Result
from rota.reports.atomic import write_atomic
from rota.reports.coordinator import write_rota_workbook
from rota.reports.schools import write_school_workbooks
from rota.reports.therapists import write_therapist_files

#: Download name -> what it holds, in the order the page lists them.
DOWNLOADS: dict[str, str] = {
    "rota.xlsx": "The coordinator's workbook: summary, rota, not placed, costs, travel, weeks",
    "schools.zip": "One workbook per school, holding only that school's sessions",
    "therapists.zip": "Each therapist's own week: a workbook and a calendar (.ics) each",
    "result.json": "The rota as data, for scripts (rota check and rota export read it)",
}


def therapist_files(problem: Problem, result: Result, folder: Path) -> list[Path]:
    """Each therapist's workbook and calendar (rota.reports.therapists) in ``folder``."""
    files, _warnings = write_therapist_files(problem, result, folder, force=True)
    return [p for f in files for p in (f.workbook, f.calendar) if p is not None]


def zip_files(paths: list[Path], target: Path) -> Path:
    """The files in one zip (flat, by name), written atomically."""

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for p in sorted(paths):
                zf.write(p, arcname=p.name)

    return write_atomic(target, write)


def write_downloads(problem: Problem, result: Result, folder: Path) -> dict[str, Path]:
    """Every download of a finished solve, written into ``folder``; name -> path."""
    files = {
        "rota.xlsx": write_rota_workbook(problem, result, folder / "rota.xlsx", force=True),
        "result.json": write_atomic(
            folder / "result.json", lambda tmp: tmp.write_text(result.model_dump_json(indent=1))
        ),
    }
    schools = write_school_workbooks(problem, result, folder / "schools", force=True)
    files["schools.zip"] = zip_files(schools, folder / "schools.zip")
    therapists = therapist_files(problem, result, folder / "therapists")
    files["therapists.zip"] = zip_files(therapists, folder / "therapists.zip")
    return files
