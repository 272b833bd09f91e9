"""rota explain: every suggestion is a rota the checker accepts, at exactly the cost it states;
an unplaced referral with no free place gets the session to move."""

from __future__ import annotations

import json
import random
from pathlib import Path

from click.testing import CliRunner

from rota.cli import main
from rota.demo import generate_problem
from rota.evaluate.check import check
from rota.evaluate.costs import total_cost
from rota.evaluate.weights import Weights
from rota.io.write import write_problem
from rota.models import Problem, Rota, Session
from rota.models.result import Result
from rota.scheduler.candidates import build_candidates
from rota.scheduler.explain import apply, explain
from rota.scheduler.greedy import greedy_rota
from tests.scheduler.helpers import service

W = Weights()


def test_twenty_suggestions_applied_keep_every_rule_and_cost_what_they_say() -> None:
    problem = generate_problem("small", 1)
    candidates = build_candidates(problem, 0)
    rota = greedy_rota(problem, candidates)
    before = total_cost(problem, rota, W)
    rng = random.Random(3)
    ids = [r.referral_id for r in problem.referrals]
    rng.shuffle(ids)
    seen = 0
    for rid in ids:
        e = explain(problem, rota, rid, top=3, candidates=candidates)
        costs = [c.cost_change for c in e.alternatives]
        assert costs == sorted(costs)
        for change in [*e.alternatives, *e.displacements]:
            after = apply(rota, change.sessions)
            assert check(problem, after) == []
            assert total_cost(problem, after, W) - before == change.cost_change
            assert sum(change.terms.values()) == change.cost_change
            seen += 1
        if seen >= 20:
            break
    assert seen >= 20


def test_a_placed_referral_says_what_its_place_costs() -> None:
    problem = generate_problem("small", 1)
    rota = greedy_rota(problem, build_candidates(problem))
    placed = rota.sessions[0]
    e = explain(problem, rota, placed.referral_id)
    assert e.current == placed
    assert "travel minutes" in e.current_terms or "day span minutes" in e.current_terms
    assert all(c.sessions[0] != placed for c in e.alternatives)


def _blocked() -> tuple[Problem, Rota]:
    """R2 needs the piano room A1, free 09:00-10:00 only; R1 sits there at 09:00 though it
    could use A2 at any time: R2 fits only if R1 moves."""
    problem = service(
        [
            {"referral_id": "R1"},
            {"referral_id": "R2", "needs_features": "piano"},
        ],
        rooms=[
            {
                "room_id": "A1",
                "site_id": "A",
                "capacity": 6,
                "features": "piano",
                "available": "Mon 09:00-10:00",
            },
            {"room_id": "A2", "site_id": "A", "capacity": 6},
        ],  # fmt: skip
    )
    r1 = Session(referral_id="R1", therapist_ids=("T1",), site_id="A", room_id="A1",
                 day="Mon", start=9 * 60, end=9 * 60 + 30)  # fmt: skip
    return problem, Rota(sessions=(r1,))


def test_an_unplaced_referral_gets_the_session_to_move() -> None:
    problem, rota = _blocked()
    assert check(problem, rota) == []
    e = explain(problem, rota, "R2")
    assert e.current is None and e.alternatives == []
    assert e.displacements, e.note
    plan = e.displacements[0]
    assert plan.moved == ("R1",)
    assert plan.sessions[0].referral_id == "R2" and plan.sessions[0].room_id == "A1"
    after = apply(rota, plan.sessions)
    assert check(problem, after) == [] and len(after.sessions) == 2
    assert total_cost(problem, after, W) - total_cost(problem, rota, W) == plan.cost_change < 0


def test_the_command_prints_and_gives_json(tmp_path: Path) -> None:
    problem, rota = _blocked()
    src, res = tmp_path / "in.xlsx", tmp_path / "rota.json"
    write_problem(problem, src)
    res.write_text(Result(status="FEASIBLE", rota=rota).model_dump_json())
    out = CliRunner().invoke(main, ["explain", str(src), str(res), "--unplaced"])
    assert out.exit_code == 0, out.output
    assert "R2: not placed" in out.output and "if you move R1 to T1" in out.output
    out = CliRunner().invoke(main, ["explain", str(src), str(res), "R1", "R2", "--json"])
    assert out.exit_code == 0, out.output
    answers = json.loads(out.output)
    assert [a["referral_id"] for a in answers] == ["R1", "R2"]
    assert answers[1]["displacements"][0]["moved"] == ["R1"]
    bad = CliRunner().invoke(main, ["explain", str(src), str(res), "R9"])
    assert bad.exit_code == 1 and "no referral R9" in bad.output
