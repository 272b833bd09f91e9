"""The example scenarios in examples/ fit the county demo (seed 1) that the README runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from rota.demo import generate_problem
from rota.models import Problem
from rota.scenarios.apply import apply_scenario
from rota.scenarios.spec import load_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FILES = sorted(EXAMPLES.glob("*.yaml"))


@pytest.fixture(scope="module")
def county() -> Problem:
    return generate_problem("county", 1, version=1)


def test_the_five_examples_are_there() -> None:
    assert [f.name for f in FILES] == [
        "admin-15.yaml",
        "cam-fridays.yaml",
        "extra-drama.yaml",
        "leave.yaml",
        "new-referrals.yaml",
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_example_applies_to_the_county_demo(county: Problem, path: Path) -> None:
    out = apply_scenario(county, load_scenario(path))
    assert out != county


def test_examples_change_what_they_say(county: Problem) -> None:
    leave = apply_scenario(county, load_scenario(EXAMPLES / "leave.yaml"))
    # The therapist on leave had clients of their own, who now have no current therapist.
    had = [r.referral_id for r in county.referrals if r.current_therapist_id == "T004"]
    assert had and all(leave.referral_by_id[rid].current_therapist_id is None for rid in had)

    new = apply_scenario(county, load_scenario(EXAMPLES / "new-referrals.yaml"))
    added = new.referrals[len(county.referrals) :]
    assert len(added) == 30
    assert {r.site_ids for r in added} == {("CAMB-BRAMBLE",)}
    assert county.site_by_id["CAMB-BRAMBLE"].kind == "special_school"

    fridays = apply_scenario(county, load_scenario(EXAMPLES / "cam-fridays.yaml"))
    assert "Fri" in county.site_hours("CAM") and "Fri" not in fridays.site_hours("CAM")

    admin = apply_scenario(county, load_scenario(EXAMPLES / "admin-15.yaml"))
    assert admin.settings.admin_minutes == 15 != county.settings.admin_minutes

    extra = apply_scenario(county, load_scenario(EXAMPLES / "extra-drama.yaml"))
    assert len(extra.therapists) == len(county.therapists) + 1
    assert extra.therapists[-1].disciplines == ("drama",)
