"""Pinned sessions: checked before solving, each broken pin an issue naming its row, column and
rule; a partly pinned co-facilitated group completed with a partner; solve() never returns a
rota that breaks a rule because of a pin."""

from __future__ import annotations

from pathlib import Path

from rota.evaluate.check import check
from rota.io.load import locate_issues
from rota.io.write import write_problem
from rota.models import PreviousSession, Problem
from rota.scheduler.candidates import build_candidates
from rota.scheduler.greedy import greedy_rota
from rota.scheduler.pins import pin_plan
from tests.conftest import make_two_therapists_service
from tests.scheduler.helpers import placed, solved

H = 60


def pin(
    rid: str, tid: str, day: str, start: int, room: str, pinned: bool = True
) -> PreviousSession:
    return PreviousSession(
        referral_id=rid, therapist_id=tid, day=day, start=start, room_id=room, pinned=pinned
    )


def with_previous(*rows: PreviousSession) -> Problem:
    return make_two_therapists_service().model_copy(update={"previous": rows})


def test_a_pin_on_a_day_its_therapist_does_not_work_is_an_issue_and_never_kept() -> None:
    # T1 works Mon-Wed; R5 (music, ELY) pinned to Friday.
    problem = with_previous(pin("R5", "T1", "Fri", 10 * H, "ELY-1"))
    plan = pin_plan(problem)
    assert plan.sessions == ()
    [issue] = plan.issues
    assert (issue.sheet, issue.index, issue.column, issue.record) == ("Previous", 0, "start", "R5")
    assert "breaks the rule 'therapist-hours'" in issue.message
    # solve() does not keep it (before, the greedy placed it unchecked), says so, and the
    # rota keeps every rule.
    result = solved(problem, strategy="full", time_limit=10)
    assert placed(result).get("R5") is None or placed(result)["R5"].day != "Fri"
    assert "pins not kept" in result.message


def test_two_pins_in_one_room_at_once_are_both_reported_on_their_own_rows() -> None:
    # R1 and R5 both pinned to ELY-1 on Monday at 10:00, with different therapists.
    t2_music = make_two_therapists_service()
    problem = t2_music.model_copy(
        update={
            "previous": (
                pin("R2", "T2", "Mon", 9 * H, "CAM-1", pinned=False),
                pin("R1", "T1", "Mon", 10 * H, "ELY-1"),
                pin("R5", "T2", "Mon", 10 * H, "ELY-1"),
            )
        }
    )
    plan = pin_plan(problem)
    rules = {(i.record, i.index, i.column) for i in plan.issues if "'room-overlap'" in i.message}
    assert rules == {("R1", 1, "room_id"), ("R5", 2, "room_id")}
    assert solved(problem, strategy="full", time_limit=10).violations == ()


def test_a_partly_pinned_co_facilitated_group_gets_a_partner() -> None:
    # R3 needs two therapists; only T1 is pinned (Mon 14:00 at HUN). T2 works Mon afternoon.
    problem = with_previous(pin("R3", "T1", "Mon", 14 * H, "HUN-1"))
    plan = pin_plan(problem)
    assert plan.issues == ()
    [session] = plan.sessions
    assert session.therapist_ids == ("T1", "T2")
    result = solved(problem, strategy="full", time_limit=10)
    kept = placed(result)["R3"]
    assert (kept.day, kept.start, kept.room_id) == ("Mon", 14 * H, "HUN-1")
    assert set(kept.therapist_ids) == {"T1", "T2"}


def test_a_partly_pinned_group_nobody_can_join_is_an_issue() -> None:
    # Mon 12:15: T2 has a break 12:00-13:00, so only T1 could run R3 then.
    problem = with_previous(pin("R3", "T1", "Mon", 12 * H + 15, "HUN-1"))
    [issue] = pin_plan(problem).issues
    assert issue.column == "therapist_id"
    assert "needs 2 therapists, and no other music therapist can join them" in issue.message
    assert "'therapist-count'" in issue.message
    assert check(problem, solved(problem, strategy="lns", time_limit=5).rota) == []


def test_rows_of_one_pinned_referral_that_disagree_are_an_issue() -> None:
    problem = with_previous(
        pin("R3", "T1", "Mon", 14 * H, "HUN-1"), pin("R3", "T2", "Mon", 15 * H, "HUN-1")
    )
    [issue] = pin_plan(problem).issues
    assert issue.index == 1 and "disagree on the day, start or room" in issue.message


def test_pin_issues_are_located_on_the_previous_sheets_excel_row(tmp_path: Path) -> None:
    problem = with_previous(
        pin("R2", "T2", "Mon", 9 * H, "CAM-1", pinned=False),
        pin("R5", "T1", "Fri", 10 * H, "ELY-1"),
    )
    path = tmp_path / "service.xlsx"
    write_problem(problem, path)
    [located] = locate_issues(path, pin_plan(problem).issues)
    assert (located.sheet, located.row, located.column) == ("Previous", 3, "start")
    yaml_path = tmp_path / "service.yaml"
    [in_yaml] = locate_issues(yaml_path, pin_plan(problem).issues)
    assert in_yaml.column == "previous[1].start" and in_yaml.source == "service.yaml"


def test_the_greedy_rota_keeps_every_rule_whatever_the_pins() -> None:
    # The greedy used to place pinned sessions unchecked: a pin on a day off, or a group
    # pinned with one of its two therapists, made the warm start (and a stopped solve's rota)
    # break a rule.
    for rows in (
        (pin("R5", "T1", "Fri", 10 * H, "ELY-1"),),
        (pin("R3", "T1", "Mon", 14 * H, "HUN-1"),),
    ):
        problem = with_previous(*rows)
        greedy = greedy_rota(problem, build_candidates(problem))
        assert check(problem, greedy) == []
