"""No output cell is ever a formula: a solve whose every text field starts with =, +, -, @, a tab
or a carriage return writes every workbook with 0 formula cells, and reads its own outputs back.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from itertools import cycle
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from rota.cli import main
from rota.io import read_problem
from rota.io.write import write_problem
from rota.models import Closure, Problem, Rate, Settings
from tests.conftest import make_two_therapists_service

ID_PREFIXES = ("=", "+", "-", "@")  # ids are stripped of spaces when read, so no tab or CR here
TEXT_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def hostile_service() -> Problem:
    """The two-therapist service with every id and free-text field made to look like a formula."""
    base = make_two_therapists_service()
    ids = cycle(ID_PREFIXES)
    texts = cycle(TEXT_PREFIXES)
    site = {s.site_id: f"{next(ids)}{s.site_id}" for s in base.sites}
    room = {r.room_id: f"{next(ids)}{r.room_id}" for r in base.rooms}
    therapist = {t.therapist_id: f"{next(ids)}{t.therapist_id}" for t in base.therapists}
    referral = {r.referral_id: f"{next(ids)}{r.referral_id}" for r in base.referrals}
    referral["R1"] = "=1+1"
    referral["R2"] = "=cmd|' /C calc'!A0"

    def text(value: str) -> str:
        return f"{next(texts)}{value or 'x'}"

    def tag(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(f"={v}" for v in values)

    sites = tuple(
        s.model_copy(
            update={
                "site_id": site[s.site_id],
                "name": text(s.name),
                "town": text(s.town),
                "contact": text(s.contact),
            }
        )
        for s in base.sites
    )
    rooms = tuple(
        r.model_copy(
            update={
                "room_id": room[r.room_id],
                "site_id": site[r.site_id],
                "name": text(r.name),
                "features": tag(r.features),
            }
        )
        for r in base.rooms
    )
    therapists = tuple(
        t.model_copy(
            update={
                "therapist_id": therapist[t.therapist_id],
                "name": text(t.therapist_id),
                "base_site_id": site[t.base_site_id],
                "skills": tag(t.skills),
            }
        )
        for t in base.therapists
    )
    referrals = tuple(
        r.model_copy(
            update={
                "referral_id": referral[r.referral_id],
                "client": text(r.client),
                "site_ids": tuple(site[s] for s in r.site_ids),
                "current_therapist_id": therapist.get(r.current_therapist_id or ""),
                "needs_features": tag(r.needs_features),
                "needs_skills": tag(r.needs_skills),
                "funding": text("EHC plan"),
            }
        )
        for r in base.referrals
    )
    travel = tuple(
        t.model_copy(
            update={"from_site_id": site[t.from_site_id], "to_site_id": site[t.to_site_id]}
        )
        for t in base.travel
    )
    settings = Settings(
        term_name="=Spring 2027",
        term_start=dt.date(2027, 1, 5),
        term_end=dt.date(2027, 3, 26),
        service_name="@Arts Therapies",
        service_contact="+44 1234 567890",
    )
    return Problem(
        settings=settings,
        sites=sites,
        rooms=rooms,
        therapists=therapists,
        referrals=referrals,
        travel=travel,
        rates=(Rate(effective_from=dt.date(2026, 9, 1), hourly_rate=51.0),),
        closures=(
            Closure(
                date_from=dt.date(2027, 2, 15),
                date_to=dt.date(2027, 2, 19),
                label="-Half term",
                site_id=site["CAM"],
            ),
        ),
    )


def formula_cells(path: Path) -> int:
    """Formula elements in every worksheet of an .xlsx file, read from its XML."""
    with zipfile.ZipFile(path) as zf:
        return sum(
            len(FORMULA_TAG.findall(zf.read(name)))
            for name in zf.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        )


def stripped(value: Any) -> Any:
    """A model dump with text stripped, as the reader strips every cell (a leading tab or CR
    is not something a coordinator can see)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {k: stripped(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [stripped(v) for v in value]
    return value


def _run(*args: Any) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def test_every_output_of_a_hostile_solve_has_no_formula_and_reads_back(tmp_path: Path) -> None:
    problem = hostile_service()
    src = tmp_path / "service.xlsx"
    write_problem(problem, src)
    # The input writer's text reads back unchanged (ids exactly, text up to outer spaces).
    back = read_problem(src)
    assert stripped(back.model_dump()) == stripped(problem.model_dump())
    assert [r.referral_id for r in back.referrals][:2] == ["=1+1", "=cmd|' /C calc'!A0"]

    rota_file = tmp_path / "rota.xlsx"
    _run("solve", src, "-o", rota_file, "--schools", tmp_path / "schools",
         "--time-limit", "5", "--workers", "1")  # fmt: skip
    out = _run("check", src, rota_file)
    assert out.startswith("OK: 5 sessions"), out  # '=1+1' and friends read back as ids
    _run("export", "rota", src, rota_file, "-o", tmp_path / "exported.xlsx")
    _run("export", "schools", src, rota_file, "--out", tmp_path / "exported-schools")
    _run("template", tmp_path / "template.xlsx")

    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: \"=HYPERLINK('http://example.invalid','x')\"\n"
        "description: '=1+1 @SUM(A1) -2 +3'\n"
        "changes:\n  - op: set_setting\n    name: admin_minutes\n    value: 15\n"
    )
    _run("scenario", "apply", src, scenario, "-o", tmp_path / "applied.xlsx")
    assert read_problem(tmp_path / "applied.xlsx").referrals == back.referrals
    _run("scenario", "run", src, scenario, "-o", tmp_path / "compare.xlsx",
         "--out-dir", tmp_path / "runs", "--time-limit", "3", "--jobs", "1")  # fmt: skip

    workbooks = sorted(tmp_path.rglob("*.xlsx"))
    names = {p.relative_to(tmp_path).parts[0] for p in workbooks}
    assert {"rota.xlsx", "schools", "exported.xlsx", "exported-schools", "template.xlsx",
            "applied.xlsx", "compare.xlsx", "runs"} <= names  # fmt: skip
    assert len(list((tmp_path / "schools").glob("*.xlsx"))) == 3
    found = {str(p.relative_to(tmp_path)): formula_cells(p) for p in workbooks}
    assert {k: v for k, v in found.items() if v} == {}
