"""Schools' workbooks: one per site, only that site's sessions, dates and cost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from rota.demo import generate_problem
from rota.evaluate.check import check
from rota.evaluate.term_costs import session_dates
from rota.models.entities import Rate
from rota.models.problem import Problem
from rota.models.result import Result
from rota.models.rota import Rota, Session
from rota.reports.atomic import OutputError
from rota.reports.schools import (
    SchoolOptions,
    safe_file_name,
    school_file_name,
    write_school_workbooks,
)
from rota.reports.summary import rates_text
from rota.scheduler.candidates import build_candidates
from rota.scheduler.greedy import greedy_rota
from tests.reports.export_service import (
    SESSIONS,
    make_mid_term_rota,
    make_problem,
    make_result,
    with_referral,
)

# Each therapist works at one site only, so a leaked therapist would show.
SEPARATE = Rota(
    sessions=(
        Session(referral_id="R001", therapist_ids=("T01",), site_id="FEN", room_id="FEN-MUS",
                day="Mon", start="09:05", end="09:35"),
        Session(referral_id="R003", therapist_ids=("T01",), site_id="FEN", room_id="FEN-QR",
                day="Tue", start="11:30", end="12:10"),
        Session(referral_id="R002", therapist_ids=("T02",), site_id="HUN", room_id="HUN-1",
                day="Fri", start="10:00", end="10:45"),
    )
)  # fmt: skip


def _all_text(path: Path) -> list[str]:
    """Every non-empty cell of every sheet, as text."""
    wb = load_workbook(path)
    return [
        str(cell.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def _belongs(problem: Problem, rota: Rota, site_id: str) -> tuple[set[str], set[str]]:
    """Words of the site's own sessions, and the words of everyone else's."""
    own_refs = {s.referral_id for s in rota.sessions if s.site_id == site_id}
    own_ther = {t for s in rota.sessions if s.site_id == site_id for t in s.therapist_ids}
    own: set[str] = set()
    foreign: set[str] = set()
    for ref in problem.referrals:
        (own if ref.referral_id in own_refs else foreign).update({ref.referral_id, ref.client})
    for t in problem.therapists:
        (own if t.therapist_id in own_ther else foreign).update({t.therapist_id, t.name})
    return own, foreign


@pytest.mark.parametrize("rota", [SEPARATE, Rota(sessions=SESSIONS)], ids=["separate", "shared"])
def test_no_workbook_holds_another_sites_clients_or_therapists(tmp_path: Path, rota: Rota) -> None:
    problem = make_problem()
    paths = write_school_workbooks(problem, Result(status="OPTIMAL", rota=rota), tmp_path)
    assert len(paths) == 2
    for path, site_id in zip(paths, ("FEN", "HUN"), strict=True):
        texts = _all_text(path)
        own, foreign = _belongs(problem, rota, site_id)
        leaks = sorted({w for w in foreign for t in texts if w in t})
        assert leaks == [], f"{path.name} mentions {leaks}"
        # The scan is not vacuous: the site's own clients are there.
        own_clients = {problem.referral_by_id[s.referral_id].client for s in rota.sessions
                       if s.site_id == site_id}  # fmt: skip
        assert all(any(c in t for t in texts) for c in own_clients)
        assert foreign  # there is always someone else to leak
    # pandas sees the same: only the site's own referral ids in its Sessions sheet.
    fen = pd.read_excel(paths[0], sheet_name=None)
    assert set(fen["Sessions"]["Referral ID"].dropna()) == {"R001", "R003"}


def test_one_workbook_per_site_with_sessions(tmp_path: Path) -> None:
    paths = write_school_workbooks(make_problem(), make_result(), tmp_path / "schools")
    assert [p.name for p in paths] == ["Fenland Primary (FEN).xlsx", "Huntingdon Clinic (HUN).xlsx"]
    assert sorted(p.name for p in (tmp_path / "schools").iterdir()) == [p.name for p in paths]
    assert load_workbook(paths[0]).sheetnames == [
        "For the school",
        "Sessions",
        "Dates",
        "Week grid",
    ]


def test_sessions_dates_and_cost(tmp_path: Path) -> None:
    problem = make_problem()
    fen = write_school_workbooks(problem, make_result(), tmp_path)[0]
    df = pd.read_excel(fen, sheet_name="Sessions")
    rows = df[df.Day.isin(["Mon", "Fri"])]
    assert list(rows.Client) == ["A.B.", "D.E."]
    assert list(rows.Therapist) == ["Alex M", "Sam K"]
    assert list(rows.Discipline) == ["music therapy", "drama therapy"]
    assert list(rows.Room) == ["Music room", "Quiet room"]
    assert list(rows.Start) == [dt.time(9, 5), dt.time(11, 30)]
    assert list(rows["Sessions in term"]) == [7, 5]
    assert rows.iloc[0].Dates == "01 Feb, 08 Feb, 22 Feb, 01 Mar, 08 Mar, 15 Mar, 22 Mar"
    assert "12 Mar (INSET day" in rows.iloc[1]["No session on"]
    # 40 billed minutes (30 + 10 admin) at 49.00 until 28 Feb, then at 51.00.
    assert rows.iloc[0]["Cost per session"] == "£32.67; £34.00 from 01 Mar"
    assert list(rows["Term cost"]) == pytest.approx([234.00, 207.50])
    total = df[df.Day == "Total"].iloc[0]
    assert total["Term cost"] == pytest.approx(441.50)
    dates = pd.read_excel(fen, sheet_name="Dates")
    expected = sorted(session_dates(problem, SESSIONS[0]) + session_dates(problem, SESSIONS[2]))
    assert [d.date() for d in dates.Date] == expected
    assert dt.date(2027, 3, 12) not in expected  # Fenland's INSET day
    assert list(dates.Discipline.unique()) == ["music therapy", "drama therapy"]


def test_one_rate_gives_a_number_per_session(tmp_path: Path) -> None:
    problem = make_problem().model_copy(update={"rates": make_problem().rates[:1]})
    hun = write_school_workbooks(problem, make_result(), tmp_path)[1]
    df = pd.read_excel(hun, sheet_name="Sessions")
    # Two therapists, each billed 45 + 10 minutes at 49.00.
    assert df["Cost per session"].iloc[0] == pytest.approx(2 * 55 / 60 * 49.0, abs=0.01)


def _funding_values(problem: Problem) -> set[str]:
    return {r.funding for r in problem.referrals if r.funding}


def _cells(path: Path) -> list[str]:
    return _all_text(path)


@pytest.mark.parametrize("size", ["export", "small"])
def test_no_school_file_holds_a_funding_value_by_default(tmp_path: Path, size: str) -> None:
    if size == "export":
        problem, rota = make_problem(), make_result().rota
    else:
        problem = generate_problem("small", 5)
        rota = greedy_rota(problem, build_candidates(problem))
        assert check(problem, rota) == []
    funding = _funding_values(problem)
    assert len(funding) >= 2
    paths = write_school_workbooks(problem, Result(status="FEASIBLE", rota=rota), tmp_path)
    for path in paths:
        cells = _cells(path)
        found = sorted({f for f in funding for c in cells if f.lower() in c.lower()})
        assert found == [], f"{path.name} shows {found}"
        # Each shows its term cost, on the cover and as the Sessions total.
        cover = load_workbook(path)["For the school"]
        values = {r[0].value: r[1].value for r in cover.iter_rows(max_col=2) if r[0].value}
        sessions = pd.read_excel(path, sheet_name="Sessions")
        total = sessions[sessions.Day == "Total"]["Term cost"].iloc[0]
        assert values["Cost of the term"] == pytest.approx(total) and total > 0


def test_an_option_puts_funding_back(tmp_path: Path) -> None:
    paths = write_school_workbooks(
        make_problem(), make_result(), tmp_path, school=SchoolOptions(funding=True)
    )
    df = pd.read_excel(paths[0], sheet_name="Sessions")
    assert list(df.Funding.dropna()) == ["Pupil Premium", "unspecified"]


def test_covering_sheet(tmp_path: Path) -> None:
    fen = write_school_workbooks(make_problem(), make_result(), tmp_path)[0]
    ws = load_workbook(fen)["For the school"]
    values = {r[0].value: r[1].value for r in ws.iter_rows(max_col=2) if r[0].value}
    assert values["For"] == "SENCo, 01354 000000"
    assert values["Cost of the term"] == pytest.approx(441.50)
    assert values["Sessions this term"] == 12
    assert values["Service contact"] == "arts.therapies@example.org, 01223 000000"
    text = " ".join(_all_text(fen))
    for words in ("undisturbed", "same time each week", "piano", "guitar", "percussion"):
        assert words in text


def test_school_grid_shows_initials_and_names_only(tmp_path: Path) -> None:
    fen = write_school_workbooks(make_problem(), make_result(), tmp_path)[0]
    ws = load_workbook(fen)["Week grid"]
    blocks = [str(c.value) for row in ws.iter_rows(min_row=5, min_col=2) for c in row if c.value]
    blocks = [b for b in blocks if b[:1].isdigit()]
    assert blocks == ["09:05-09:35\nA.B.\nAlex M", "11:30-12:10\nD.E.\nSam K"]


def test_refuses_to_overwrite_any_without_force(tmp_path: Path) -> None:
    (tmp_path / "Huntingdon Clinic (HUN).xlsx").write_bytes(b"old")
    with pytest.raises(OutputError, match="already exists"):
        write_school_workbooks(make_problem(), make_result(), tmp_path)
    # Nothing was written: the check comes before the first workbook.
    assert [p.name for p in tmp_path.iterdir()] == ["Huntingdon Clinic (HUN).xlsx"]
    paths = write_school_workbooks(make_problem(), make_result(), tmp_path, force=True)
    assert load_workbook(paths[1]).sheetnames[0] == "For the school"


def test_safe_file_name() -> None:
    assert safe_file_name("St Mary's C of E / Junior: Ely?") == "St Marys C of E - Junior Ely"
    assert safe_file_name("...") == "site"


def test_no_leak_across_a_demo_services_schools(tmp_path: Path) -> None:
    problem = generate_problem("small", 5)
    rota = greedy_rota(problem, build_candidates(problem))
    assert check(problem, rota) == []
    paths = write_school_workbooks(problem, Result(status="FEASIBLE", rota=rota), tmp_path)
    by_name = {p.name: p for p in paths}
    sites = [s for s in problem.sites if any(x.site_id == s.site_id for x in rota.sessions)]
    assert len(paths) == len(sites) > 5
    for site in sites:
        texts = _all_text(by_name[school_file_name(site)])
        own, foreign = _belongs(problem, rota, site.site_id)
        # A group name two schools share ("Year 6 group") is not a leak: only what is foreign.
        leaks = sorted({w for w in foreign - own for t in texts if w in t})
        assert leaks == [], f"{site.site_id}: {leaks}"


def test_rates_named_are_those_the_term_is_billed_at() -> None:
    base = make_problem()
    extra = (
        Rate(effective_from=dt.date(2025, 9, 1), hourly_rate=45.0),  # replaced before the term
        Rate(effective_from=dt.date(2027, 9, 1), hourly_rate=55.0),  # after the term
    )
    problem = base.model_copy(update={"rates": base.rates + extra})
    assert rates_text(problem) == (
        "£49.00 an hour from 01 September 2026; £51.00 an hour from 01 March 2027"
    )
    assert rates_text(base.model_copy(update={"rates": ()})) == "none given"


def _rows(path: Path, sheet: str) -> list[dict[str, object]]:
    """A table sheet's rows as {heading: value}, opened with openpyxl."""
    ws = load_workbook(path, data_only=True)[sheet]
    values = list(ws.iter_rows(values_only=True))
    head = [str(h) for h in values[0]]
    return [dict(zip(head, row, strict=True)) for row in values[1:]]


def test_a_referral_starting_after_half_term_lists_and_costs_its_dates_from_then(
    tmp_path: Path,
) -> None:
    problem = with_referral(make_problem(), "R001", start_date=dt.date(2027, 2, 22))
    fen = write_school_workbooks(problem, make_result(), tmp_path)[0]
    dates = [r["Date"] for r in _rows(fen, "Dates") if r["Client"] == "A.B."]
    assert [d.date() for d in dates] == [  # type: ignore[union-attr]
        dt.date(2027, 2, 22), dt.date(2027, 3, 1), dt.date(2027, 3, 8),
        dt.date(2027, 3, 15), dt.date(2027, 3, 22),
    ]  # fmt: skip
    r001 = next(r for r in _rows(fen, "Sessions") if r["Referral ID"] == "R001")
    assert r001["Sessions in term"] == 5
    assert r001["Term cost"] == pytest.approx(40 / 60 * (49 + 4 * 51), abs=0.01)
    assert "01 Feb-08 Feb (starts 2027-02-22)" in str(r001["No session on"])


def test_a_mid_term_change_lists_the_old_slots_dates_before_it_and_the_new_ones_from_it(
    tmp_path: Path,
) -> None:
    result = Result(status="FEASIBLE", rota=make_mid_term_rota())
    fen = write_school_workbooks(make_problem(), result, tmp_path)[0]
    ab = [(r["Date"].date(), r["Day"]) for r in _rows(fen, "Dates") if r["Client"] == "A.B."]  # type: ignore[union-attr]
    assert ab == [
        (dt.date(2027, 2, 1), "Mon"), (dt.date(2027, 2, 8), "Mon"), (dt.date(2027, 2, 22), "Mon"),
        (dt.date(2027, 3, 2), "Tue"), (dt.date(2027, 3, 9), "Tue"), (dt.date(2027, 3, 16), "Tue"),
        (dt.date(2027, 3, 23), "Tue"), (dt.date(2027, 3, 30), "Tue"),
    ]  # fmt: skip
    de = [r["Date"].date() for r in _rows(fen, "Dates") if r["Client"] == "D.E."]  # type: ignore[union-attr]
    assert de == [dt.date(2027, 2, 5), dt.date(2027, 2, 12), dt.date(2027, 2, 26)]  # then ended
    sessions = _rows(fen, "Sessions")
    total = next(r for r in sessions if r["Day"] == "Total")
    assert total["Term cost"] == pytest.approx(170.00 + 98.00 + 122.50)
    cover = load_workbook(fen)["For the school"]
    pairs = {row[0]: row[1] for row in cover.iter_rows(values_only=True) if row[0]}
    assert pairs["Sessions each week"] == 1 and pairs["Sessions this term"] == 11
