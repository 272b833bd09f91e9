"""Minimal disruption: a therapist leaves, their sessions move, everyone else's stay put."""

from __future__ import annotations

from rota.scenarios import Scenario, apply_scenario, diff_rotas
from rota.scenarios.run import with_base_rota
from tests.scheduler.helpers import placed, service, solved


def test_removed_therapists_sessions_move_and_nothing_else_changes() -> None:
    refs = [{"referral_id": f"R{i}", "site_ids": "A" if i % 2 else "B"} for i in range(1, 10)]
    base = service(
        refs,
        therapists=[
            {"therapist_id": "T1", "disciplines": "music", "base_site_id": "A", "works": "Mon"},
            {"therapist_id": "T2", "disciplines": "music", "base_site_id": "B", "works": "Mon"},
            {"therapist_id": "T3", "disciplines": "music", "base_site_id": "A", "works": "Tue"},
        ],
    )
    first = solved(base)
    assert len(first.rota.sessions) == 9
    leaving = {s.referral_id for s in first.rota.sessions if s.therapist_ids == ("T2",)}
    assert leaving, "the test needs T2 to have sessions"

    scenario = Scenario.model_validate(
        {"name": "leave", "changes": [{"op": "remove_therapist", "therapist_id": "T2"}]}
    )
    changed = with_base_rota(apply_scenario(base, scenario), first.rota)
    second = solved(changed)
    after = placed(second)
    assert set(after) == set(placed(first)), "capacity allows every referral to stay scheduled"
    for rid, session in placed(first).items():
        if rid in leaving:
            assert "T2" not in after[rid].therapist_ids
        else:
            assert after[rid] == session, f"{rid} moved although its therapist stayed"
    kinds = {c.referral_id for c in diff_rotas(first.rota, second.rota)}
    assert kinds == leaving


def test_same_input_with_its_own_rota_as_previous_changes_nothing() -> None:
    refs = [{"referral_id": f"R{i}", "site_ids": "A|B", "priority": 1 + i % 5} for i in range(1, 8)]
    base = service(
        refs,
        therapists=[
            {"therapist_id": "T1", "disciplines": "music", "base_site_id": "A", "works": "Mon-Tue"},
        ],
    )
    first = solved(base)
    again = solved(with_base_rota(base, first.rota))
    assert diff_rotas(first.rota, again.rota) == []
