"""`rota solve --previous ROTA --from DATE` end to end with click's CliRunner: the old slots'
dates before DATE, the new rota's from it, in every workbook; and clear messages for a bad
--from."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from openpyxl import load_workbook

from rota.cli import main
from rota.io.write import write_problem
from rota.models import Problem, Rate, Referral
from tests.conftest import make_two_therapists_service

TERM = {"term_start": dt.date(2027, 1, 4), "term_end": dt.date(2027, 3, 26)}
CHANGE = "2027-02-15"  # a Monday: six weeks of the old rota before it, six of the new from it
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")


def _service() -> Problem:
    problem = make_two_therapists_service()
    settings = problem.settings.model_copy(update=TERM)
    rates = (Rate(effective_from=dt.date(2026, 9, 1), hourly_rate=50.0),)
    return problem.model_copy(update={"settings": settings, "rates": rates})


def _solve(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["solve", *args, "--time-limit", "10", "--workers", "1"])
    return result.exit_code, result.output


def _rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    ws = load_workbook(path, data_only=True)[sheet]
    values = list(ws.iter_rows(values_only=True))
    head = [str(h) for h in values[0]]
    return [dict(zip(head, row, strict=True)) for row in values[1:]]


def _changed(problem: Problem, r2_day: str) -> Problem:
    """After half term: R2's client can no longer come on its day, R5 ended on 5 Feb, and a new
    referral R6 starts on 22 Feb."""
    others = ", ".join(d for d in DAYS if d != r2_day)
    update = {"R2": {"available": others}, "R5": {"end_date": dt.date(2027, 2, 5)}}
    referrals = [
        Referral.model_validate(r.model_dump() | update.get(r.referral_id, {}))
        for r in problem.referrals
    ]
    referrals.append(
        Referral(
            referral_id="R6",
            client="ST",
            site_ids="CAM",
            discipline="music",
            minutes=30,
            priority=1,
            start_date=dt.date(2027, 2, 22),
        )
    )
    data = problem.model_dump() | {"referrals": [r.model_dump() for r in referrals]}
    return Problem.model_validate(data)


def test_from_keeps_the_old_slots_dates_before_the_change(tmp_path: Path) -> None:
    first_input, first = tmp_path / "autumn.xlsx", tmp_path / "first.xlsx"
    write_problem(_service(), first_input)
    code, out = _solve(str(first_input), "-o", str(first))
    assert code == 0, out
    r2_day = next(r["Day"] for r in _rows(first, "Rota") if r["Referral ID"] == "R2")

    changed = tmp_path / "after-half-term.xlsx"
    write_problem(_changed(_service(), r2_day), changed)
    second = tmp_path / "second.xlsx"
    code, out = _solve(str(changed), "-o", str(second), "--previous", str(first),
                       "--from", CHANGE, "--schools", str(tmp_path / "schools"),
                       "--therapists", str(tmp_path / "therapists"))  # fmt: skip
    assert code == 0, out
    assert "applies from 2027-02-15" in out

    wb = load_workbook(second)
    assert "Changes from 15 Feb 2027" in wb.sheetnames
    changes = {r["Referral ID"]: r for r in _rows(second, "Changes from 15 Feb 2027")}
    assert {rid: r["Change"] for rid, r in changes.items()} == {
        "R2": "moved",
        "R5": "ended",
        "R6": "new",
    }
    assert changes["R2"]["Old slot"].startswith(r2_day)
    assert str(changes["R2"]["Old slot dates"]).startswith("6: ")  # 6 weeks before 15 Feb
    assert str(changes["R2"]["New slot dates"]).startswith("6: ")  # 6 weeks from it
    assert str(changes["R5"]["Old slot dates"]).startswith("5: ")  # until it ended on 5 Feb
    assert str(changes["R6"]["New slot dates"]).startswith("5: ")  # from 22 Feb
    unscheduled = {r["Referral ID"]: r["Reason"] for r in _rows(second, "Unscheduled")}
    assert unscheduled["R5"] == "ended 2027-02-05, before the new rota starts on 2027-02-15"

    # The term's cost: the old slots' dates before the change and the new ones' from it.
    costs = _rows(second, "Session costs")
    r2 = sorted(
        (r["Slot applies"], r["Sessions in term"]) for r in costs if r["Referral ID"] == "R2"
    )
    assert r2 == [("from 15 Feb 2027", 6), ("until 14 Feb 2027", 6)]
    rota_sheet = _rows(second, "Rota")
    assert {r["Referral ID"] for r in rota_sheet} >= {"R2", "R6"}
    assert "R5" not in {r["Referral ID"] for r in rota_sheet}  # the new rota only
    index_text = " ".join(str(c) for row in wb["Index"].iter_rows(values_only=True) for c in row)
    assert "This rota applies from 15 Feb 2027" in index_text

    # Cambridge's school file lists R2's old day before the change and its new day from it.
    cam = next((tmp_path / "schools").glob("*(CAM).xlsx"))
    mn = [(r["Date"].date(), r["Day"]) for r in _rows(cam, "Dates") if r["Client"] == "MN"]
    assert len(mn) == 12
    assert all(day == r2_day for d, day in mn if d < dt.date(2027, 2, 15))
    assert all(day != r2_day for d, day in mn if d >= dt.date(2027, 2, 15))
    st = [r["Date"].date() for r in _rows(cam, "Dates") if r["Client"] == "ST"]
    assert len(st) == 5 and min(st) >= dt.date(2027, 2, 22)
    # Someone's calendar holds R2's old slot until 14 Feb as its own event.
    calendars = "".join(p.read_text() for p in (tmp_path / "therapists").glob("*.ics"))
    assert ".R2." in calendars and "until-20270214@rota" in calendars


def test_from_needs_previous_a_date_and_a_day_inside_the_term(tmp_path: Path) -> None:
    src = tmp_path / "service.xlsx"
    write_problem(_service(), src)
    code, out = _solve(str(src), "--from", CHANGE)
    assert code == 1 and "--from needs --previous" in out and "Traceback" not in out
    first = tmp_path / "first.xlsx"
    assert _solve(str(src), "-o", str(first))[0] == 0
    code, out = _solve(str(src), "-o", str(tmp_path / "x.xlsx"), "--previous", str(first),
                       "--from", "2027-05-04")  # fmt: skip
    assert code == 1 and "outside the term (2027-01-04 to 2027-03-26)" in out
    assert "Traceback" not in out and not (tmp_path / "x.xlsx").exists()
    code, out = _solve(str(src), "--previous", str(first), "--from", "after half term")
    assert code == 1 and "'after half term' is not a date" in out and "Traceback" not in out
