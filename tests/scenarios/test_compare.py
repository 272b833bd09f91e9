"""diff_rotas and the comparison figures, against hand-computed answers (no solver)."""

from __future__ import annotations

from rota.models import Rota, Session, Unscheduled
from rota.models.result import Kpis, Result
from rota.scenarios.compare import Change, compare_rows, count_changes, diff_rotas, figures_of
from tests.conftest import make_two_therapists_service


def _s(rid: str, who: str, room: str, day: str, start: str, end: str) -> Session:
    return Session(
        referral_id=rid,
        therapist_ids=who,
        site_id=room.split("-")[0],
        room_id=room,
        day=day,
        start=start,
        end=end,
    )


BASE = Rota(
    sessions=(
        _s("R1", "T1", "ELY-1", "Mon", "09:00", "09:30"),
        _s("R2", "T2", "CAM-1", "Mon", "13:00", "13:45"),
        _s("R3", "T1,T2", "HUN-1", "Mon", "15:00", "15:45"),
    ),
    unscheduled=(
        Unscheduled(referral_id="R4", reason="a"),
        Unscheduled(referral_id="R5", reason="b"),
    ),
)
OTHER = Rota(
    sessions=(
        _s("R1", "T1", "ELY-1", "Tue", "09:00", "09:30"),
        _s("R2", "T1", "CAM-1", "Mon", "13:00", "13:45"),
        _s("R4", "T2", "HUN-1", "Thu", "09:00", "09:30"),
    ),
    unscheduled=(
        Unscheduled(referral_id="R3", reason="no two therapists free together"),
        Unscheduled(referral_id="R5", reason="b"),
    ),
)


def test_diff_rotas_names_each_kind_of_change() -> None:
    assert diff_rotas(BASE, OTHER) == [
        Change("R1", "moved", "Mon 09:00-09:30", "Tue 09:00-09:30"),
        Change("R2", "therapist", "T2", "T1"),
        Change(
            "R3", "unscheduled", "Mon 15:00-15:45, T1+T2, HUN-1", "no two therapists free together"
        ),
        Change("R4", "scheduled", "", "Thu 09:00-09:30, T2, HUN-1"),
    ]


def test_diff_rotas_of_a_rota_with_itself_is_empty() -> None:
    assert diff_rotas(BASE, BASE) == []


def test_diff_rotas_room_change_time_change_and_co_therapist_order() -> None:
    base = Rota(sessions=(_s("R1", "T1,T2", "HUN-1", "Mon", "09:00", "09:30"),))
    other = Rota(sessions=(_s("R1", "T2,T1", "HUN-2", "Mon", "09:05", "09:35"),))
    # The same pair of therapists in another order is not a change of therapist.
    assert diff_rotas(base, other) == [
        Change("R1", "moved", "Mon 09:00-09:30", "Mon 09:05-09:35"),
        Change("R1", "room", "HUN-1", "HUN-2"),
    ]


def test_diff_rotas_removed_and_added_referrals() -> None:
    base = Rota(sessions=(_s("R1", "T1", "HUN-1", "Mon", "09:00", "09:30"),))
    other = Rota(sessions=(_s("N1", "T1", "HUN-1", "Mon", "09:00", "09:30"),))
    assert diff_rotas(base, other) == [
        Change("N1", "added", "", "Mon 09:00-09:30, T1, HUN-1"),
        Change("R1", "removed", "Mon 09:00-09:30, T1, HUN-1", ""),
    ]
    counts = count_changes(diff_rotas(base, other))
    assert counts["added"] == 1 and counts["removed"] == 1 and sum(counts.values()) == 2


def _kpis(travel: int, utilisation: float) -> Kpis:
    """Kpis with only the figures the comparison reads from them set meaningfully."""
    return Kpis(
        referrals=0,
        scheduled=0,
        unscheduled=0,
        scheduled_minutes=0,
        unscheduled_minutes=0,
        scheduled_by_priority={},
        unscheduled_by_priority={},
        scheduled_by_discipline={},
        unscheduled_by_discipline={},
        minutes_by_discipline={},
        weighted_scheduled=0,
        weighted_total=0,
        travel_minutes=travel,
        continuity_kept=0,
        continuity_possible=0,
        preferred_met=0,
        preferred_possible=0,
        utilisation=utilisation,
        therapists=(),
        room_sessions={},
    )


def test_figures_and_compare_rows_match_hand_computed_values() -> None:
    problem = make_two_therapists_service()
    base = figures_of(
        "base",
        problem,
        Result(status="OPTIMAL", rota=BASE, gap=0.0, wall_seconds=2.0),
        kpis=_kpis(100, 0.25),
        term_cost=1000.0,
    )
    other = figures_of(
        "leave",
        problem,
        Result(status="FEASIBLE", rota=OTHER, gap=0.1, wall_seconds=9.0),
        kpis=_kpis(70, 0.2),
        term_cost=900.5,
        wall_seconds=3.5,
        changes=diff_rotas(BASE, OTHER),
    )
    # Priorities: R1 1, R2 2, R3 3, R4 3, R5 5; current therapists R1 T1, R2 T2.
    assert base.scheduled_by_priority == {1: 1, 2: 1, 3: 1, 4: 0, 5: 0}
    assert base.unscheduled_by_priority == {1: 0, 2: 0, 3: 1, 4: 0, 5: 1}
    assert (base.continuity_kept, base.continuity_possible) == (2, 2)
    assert (other.continuity_kept, other.continuity_possible) == (1, 2)
    rows = {r.label: (r.values, r.diffs) for r in compare_rows([base, other])}
    assert rows["Referrals"] == ((5, 5), (0,))
    assert rows["Scheduled"] == ((3, 3), (0,))
    assert rows["Unscheduled"] == ((2, 2), (0,))
    assert rows["Scheduled priority 1"] == ((1, 1), (0,))
    assert rows["Scheduled priority 2"] == ((1, 1), (0,))
    assert rows["Scheduled priority 3"] == ((1, 1), (0,))
    assert rows["Scheduled priority 5"] == ((0, 0), (0,))
    assert rows["Unscheduled priority 1"] == ((0, 0), (0,))
    assert rows["Unscheduled priority 3"] == ((1, 1), (0,))
    assert rows["Unscheduled priority 5"] == ((1, 1), (0,))
    # No referral of priority 4 anywhere: no rows for it.
    assert "Unscheduled priority 4" not in rows and "Scheduled priority 4" not in rows
    assert rows["Travel minutes per week"] == ((100, 70), (-30,))
    assert rows["Utilisation (contact / working)"] == ((0.25, 0.2), (-0.05,))
    assert rows["Continuity kept"] == ((2, 1), (-1,))
    assert rows["Term cost (£)"] == ((1000.0, 900.5), (-99.5,))
    assert rows["Sessions moved (day or time)"] == ((None, 1), (None,))
    assert rows["Sessions with another therapist"] == ((None, 1), (None,))
    assert rows["Referrals no longer scheduled"] == ((None, 1), (None,))
    assert rows["Referrals newly scheduled"] == ((None, 1), (None,))
    assert "Sessions in another room" not in rows
    assert rows["Solver status"] == (("OPTIMAL", "FEASIBLE"), (None,))
    assert rows["Gap"] == ((0.0, 0.1), (0.1,))
    assert rows["Wall time (s)"] == ((2.0, 3.5), (1.5,))


def test_compare_rows_without_cost_or_kpis() -> None:
    problem = make_two_therapists_service()
    runs = [
        figures_of("base", problem, Result(status="OPTIMAL", rota=BASE)),
        figures_of("x", problem, Result(status="INFEASIBLE", rota=Rota())),
    ]
    rows = {r.label: (r.values, r.diffs) for r in compare_rows(runs, with_cost=False)}
    assert "Term cost (£)" not in rows
    # Without KPIs there is no travel or utilisation figure, and no gap was proven.
    assert "Travel minutes per week" not in rows and "Utilisation (contact / working)" not in rows
    assert "Gap" not in rows
    assert rows["Scheduled"] == ((3, 0), (-3,))
    assert rows["Unscheduled"] == ((2, 5), (3,))
    assert rows["Scheduled priority 1"] == ((1, 0), (-1,))
    assert rows["Unscheduled priority 3"] == ((1, 2), (1,))
