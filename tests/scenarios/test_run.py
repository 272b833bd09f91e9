"""Running the base and scenarios: real solves of a tiny service, in-process and in parallel."""

from __future__ import annotations

import pytest

from rota.evaluate.check import check
from rota.evaluate.kpis import compute_kpis
from rota.models import PreviousSession, Problem, Rota, Session
from rota.models.result import Result
from rota.scenarios.apply import apply_scenario
from rota.scenarios.compare import diff_rotas
from rota.scenarios.run import (
    Job,
    build_jobs,
    default_solver,
    parse_sweep,
    run_jobs,
    sweep_scenarios,
    with_base_rota,
)
from rota.scenarios.spec import Scenario, scenario_from_data
from rota.scheduler.params import SolveParams
from tests.conftest import make_two_sites_one_therapist, make_two_therapists_service

PARAMS = SolveParams(time_limit=5, workers=1)


def failing_solver(problem: Problem, params: SolveParams) -> Result:
    """Fails for a service without therapist T2, solves every other (for the failure path)."""
    if "T2" not in problem.therapist_by_id:
        raise RuntimeError("solver crashed")
    return default_solver(problem, params)


def _scenario(name: str, *changes: dict[str, object]) -> Scenario:
    return scenario_from_data({"name": name, "changes": list(changes)}, f"{name}.yaml")


def test_build_jobs_base_first_unique_names_and_bad_scenarios_kept() -> None:
    base = make_two_therapists_service()
    jobs = build_jobs(
        base,
        [
            scenario_from_data({"name": "base", "changes": []}, "a.yaml"),
            scenario_from_data(
                {"name": "x", "changes": [{"op": "remove_therapist", "therapist_id": "T9"}]},
                "b.yaml",
            ),
            Job("broken", "could not be read", None, ("broken.yaml: not valid YAML",)),
        ],
    )
    assert [j.name for j in jobs] == ["base", "base (2)", "x", "broken"]
    assert jobs[0].problem is base and jobs[1].problem == base
    assert jobs[2].problem is None
    assert jobs[2].errors == (
        "b.yaml: changes[0] (remove_therapist) therapist_id: unknown therapist 'T9'",
    )


def test_sweep_makes_one_scenario_per_value() -> None:
    scenarios = sweep_scenarios("admin_minutes=5, 10,15")
    assert [s.name for s in scenarios] == [
        "admin_minutes=5",
        "admin_minutes=10",
        "admin_minutes=15",
    ]
    jobs = build_jobs(make_two_therapists_service(), scenarios)
    assert [j.problem.settings.admin_minutes for j in jobs if j.problem] == [10, 5, 10, 15]


@pytest.mark.parametrize(
    "text, message",
    [
        ("admin_minutes", "use NAME=V1,V2"),
        ("admin_minutes=", "use NAME=V1,V2"),
        ("admin_minute=5", "unknown setting 'admin_minute' (did you mean 'admin_minutes'?)"),
    ],
)
def test_bad_sweeps(text: str, message: str) -> None:
    with pytest.raises(
        ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")
    ):
        parse_sweep(text)


def test_run_in_process_solves_each_and_the_rotas_pass_the_checker() -> None:
    base = make_two_therapists_service()
    jobs = build_jobs(
        base,
        [
            _scenario("fewer", {"op": "remove_referrals", "referral_ids": ["R5"]}),
            _scenario("bad", {"op": "close_room", "room_id": "NOPE"}),
        ],
    )
    messages: list[str] = []
    outcomes = run_jobs(jobs, PARAMS, max_parallel=1, progress=messages.append)
    assert [o.name for o in outcomes] == ["base", "fewer", "bad"]
    assert [o.ok for o in outcomes] == [True, True, False]
    for o in outcomes[:2]:
        assert o.problem is not None and o.result is not None
        assert check(o.problem, o.result.rota) == []
        assert o.violations == ()
        assert o.kpis == compute_kpis(o.problem, o.result.rota)
    base_rota = outcomes[0].result.rota  # type: ignore[union-attr]
    fewer_rota = outcomes[1].result.rota  # type: ignore[union-attr]
    # R5 left the scenario: it is either 'removed' (was scheduled) or absent from the diff.
    r5 = [c for c in diff_rotas(base_rota, fewer_rota) if c.referral_id == "R5"]
    assert [c.kind for c in r5] == (["removed"] if base_rota.session_of("R5") else [])
    assert outcomes[2].errors and "unknown room 'NOPE'" in outcomes[2].errors[0]
    assert messages[0] == "[bad] not run: 1 error(s) in the scenario"
    assert "[base] started" in messages and "[fewer] started" in messages
    finished = [m for m in messages if m.startswith("[fewer] finished: ")]
    assert len(finished) == 1 and "/4 scheduled, travel " in finished[0]


def test_run_in_parallel_processes_with_a_failing_solve() -> None:
    two = make_two_therapists_service()
    one = make_two_sites_one_therapist()  # has no T2: the failing solver crashes on it
    jobs = [Job("base", "", two), Job("one", "", one)]
    messages: list[str] = []
    outcomes = run_jobs(
        jobs, PARAMS, max_parallel=2, solver=failing_solver, progress=messages.append
    )
    assert outcomes[0].ok and outcomes[0].result is not None
    assert check(two, outcomes[0].result.rota) == []
    assert not outcomes[1].ok
    assert outcomes[1].errors == ("the solve failed: RuntimeError: solver crashed",)
    assert "[one] failed: RuntimeError: solver crashed" in messages


def test_with_base_rota_keeps_what_the_scenario_still_has() -> None:
    base = make_two_therapists_service()
    rota = Rota(
        sessions=(
            Session(
                referral_id="R1",
                therapist_ids="T1",
                site_id="ELY",
                room_id="ELY-1",
                day="Mon",
                start="09:00",
                end="09:30",
            ),
            Session(
                referral_id="R2",
                therapist_ids="T2",
                site_id="CAM",
                room_id="CAM-1",
                day="Mon",
                start="13:00",
                end="13:45",
            ),
            Session(
                referral_id="R3",
                therapist_ids="T1,T2",
                site_id="HUN",
                room_id="HUN-1",
                day="Mon",
                start="15:00",
                end="15:45",
            ),
        )
    )
    assert [(p.referral_id, p.therapist_id) for p in with_base_rota(base, rota).previous] == [
        ("R1", "T1"),
        ("R2", "T2"),
        ("R3", "T1"),
        ("R3", "T2"),
    ]
    leave = apply_scenario(
        base, _scenario("leave", {"op": "remove_therapist", "therapist_id": "T2"})
    )
    out = with_base_rota(leave, rota)
    assert out.previous == (
        PreviousSession(referral_id="R1", therapist_id="T1", day="Mon", start=540, room_id="ELY-1"),
    )
    # A referral with previous rows of its own keeps them; the base is not changed.
    own = PreviousSession(
        referral_id="R1", therapist_id="T1", day="Tue", start=600, room_id="ELY-1", pinned=True
    )
    pinned = base.model_copy(update={"previous": (own,)})
    assert [p.referral_id for p in with_base_rota(pinned, rota).previous] == [
        "R1",
        "R2",
        "R3",
        "R3",
    ]
    assert with_base_rota(pinned, rota).previous[0] == own
    assert base.previous == ()
