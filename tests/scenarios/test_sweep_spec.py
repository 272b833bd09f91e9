"""Sweep files: reading, checking against the base, the product of the axes, plans, dry run."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from rota.cli import main
from rota.io.write import write_problem
from rota.scenarios.spec import AddReferrals, AddTherapist, SetSetting
from rota.scenarios.sweep.spec import Sweep, SweepError, check_size, load_sweep
from rota.scenarios.sweep.task import cache_key, digest, run_problem
from rota.scheduler.params import SolveParams
from tests.conftest import make_two_therapists_service

LEAVE = """\
name: leave
changes:
  - op: remove_therapist
    therapist_id: T2
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write_problem(make_two_therapists_service(), tmp_path / "base.yaml")
    (tmp_path / "leave.yaml").write_text(LEAVE)
    return tmp_path


def _sweep(folder: Path, text: str) -> Sweep:
    path = folder / "sweep.yaml"
    path.write_text(text)
    return load_sweep(path)


def _errors(folder: Path, text: str) -> list[str]:
    with pytest.raises(SweepError) as info:
        _sweep(folder, text)
    return info.value.messages


def test_product_of_axes_first_axis_slowest(folder: Path) -> None:
    sweep = _sweep(
        folder,
        "base: base.yaml\ntime_limit: 5\naxes:\n"
        "  hire: {like: T1, base: HUN, count: [0, 2]}\n"
        "  admin_minutes: [10, 15]\n"
        "  scenario: [none, leave.yaml]\n"
        "  seed: [0, 1, 2]\n",
    )
    runs = sweep.runs()
    assert sweep.num_runs == len(runs) == 24
    assert [r.number for r in runs] == list(range(1, 25))
    assert runs[0].label == "hire=0 admin_minutes=10 scenario=none seed=0"
    assert runs[1].label == "hire=0 admin_minutes=10 scenario=none seed=1"
    assert runs[-1].label == "hire=2 admin_minutes=15 scenario=leave seed=2"
    assert [r.seed for r in runs[:3]] == [0, 1, 2]
    assert {r.plan for r in runs} == {"from-base"}
    # Scenario file first, then hires, then the setting (an axis's setting wins).
    last = runs[-1].scenario.changes
    assert [c.op for c in last] == [
        "remove_therapist",
        "add_therapist",
        "add_therapist",
        "set_setting",
    ]


def test_hires_copy_the_named_therapist_at_the_given_base(folder: Path) -> None:
    sweep = _sweep(folder, "base: base.yaml\naxes:\n  hire: {like: T1, base: HUN, count: [0, 2]}\n")
    two = sweep.runs()[1]
    problem = run_problem(sweep.base, two.scenario, None)
    model = sweep.base.therapist_by_id["T1"]
    hired = [t for t in problem.therapists if t.therapist_id.startswith("H")]
    assert [t.therapist_id for t in hired] == ["H1-T1-HUN", "H2-T1-HUN"]
    for t in hired:
        assert t.base_site_id == "HUN"
        assert (t.disciplines, t.works, t.skills) == (model.disciplines, model.works, model.skills)
        assert "T1" in t.name
    assert len(problem.therapists) == len(sweep.base.therapists) + 2
    assert sweep.axes[0].detail == "like T1, based at HUN"


def test_every_error_of_the_file_at_once_with_did_you_mean(folder: Path) -> None:
    messages = _errors(
        folder,
        "base: base.yaml\naxes:\n"
        "  hire: {like: TT1, base: HUNT, count: [1]}\n"
        "  admin_minute: [5]\n"
        "  admin_minutes: [-5]\n"
        "  scenario: [missing.yaml]\n"
        "  seed: [a]\n",
    )
    assert (
        messages[0] == "sweep.yaml: axes.hire: like: unknown therapist 'TT1' (did you mean 'T1'?)"
    )
    assert messages[1] == "sweep.yaml: axes.hire: base: unknown site 'HUNT' (did you mean 'HUN'?)"
    assert messages[2].startswith(
        "sweep.yaml: axes.admin_minute: unknown axis 'admin_minute' (did you mean 'admin_minutes'?)"
    )
    assert messages[3].startswith("sweep.yaml: axes.admin_minutes: -5: ")
    assert (
        messages[4]
        == "sweep.yaml: axes.scenario: missing.yaml: cannot read: No such file or directory"
    )
    assert messages[5] == "sweep.yaml: axes.seed: give whole numbers, e.g. seed: [0, 1, 2]"
    assert len(messages) == 6


def test_bad_file_fields_are_located(folder: Path) -> None:
    messages = _errors(folder, "base: base.yaml\ntime_limit: -1\ncolour: red\naxes: {}\n")
    assert "sweep.yaml: time_limit: Input should be greater than 0" in messages
    assert "sweep.yaml: colour: Extra inputs are not permitted" in messages
    assert any(m.startswith("sweep.yaml: axes: ") for m in messages)


def test_a_value_given_twice_is_refused(folder: Path) -> None:
    messages = _errors(folder, "base: base.yaml\naxes:\n  seed: [1, 1]\n")
    assert messages == ["sweep.yaml: axes.seed: a value is given twice"]


def test_max_runs_guard(folder: Path) -> None:
    sweep = _sweep(
        folder,
        "base: base.yaml\nmax_runs: 5\naxes:\n  seed: [0, 1, 2]\n  admin_minutes: [10, 15]\n",
    )
    with pytest.raises(SweepError) as info:
        check_size(sweep)
    assert info.value.messages == [
        "sweep.yaml: the axes make 6 runs (3 seed x 2 admin_minutes), more than max_runs 5: "
        "remove values or raise max_runs in the sweep file"
    ]
    check_size(sweep, max_runs=6)


def test_plans_per_sweep_axis_and_value(folder: Path) -> None:
    fresh_axis = _sweep(
        folder,
        "base: base.yaml\naxes:\n  hire: {like: T1, count: [0, 1], plan: fresh}\n  seed: [0, 1]\n",
    )
    assert {r.plan for r in fresh_axis.runs()} == {"fresh"}
    per_value = _sweep(
        folder,
        "base: base.yaml\nplan: fresh\naxes:\n"
        "  scenario: [none, {file: leave.yaml, plan: from-base}]\n",
    )
    assert [r.plan for r in per_value.runs()] == ["fresh", "from-base"]


def test_add_referrals_from_a_workbook_are_read_in_the_parent(folder: Path) -> None:
    extra = make_two_therapists_service()
    ref = extra.referrals[0].model_copy(update={"referral_id": "R-NEW"})
    write_problem(
        extra.model_copy(update={"referrals": (ref,), "previous": ()}), folder / "more.xlsx"
    )
    (folder / "new.yaml").write_text(
        "name: new\nchanges:\n  - op: add_referrals\n    from: more.xlsx\n"
    )
    sweep = _sweep(folder, "base: base.yaml\naxes:\n  scenario: [new.yaml]\n")
    (change,) = sweep.runs()[0].scenario.changes
    assert isinstance(change, AddReferrals)
    assert change.from_ is None and change.rows is not None
    assert [r.referral_id for r in change.rows] == ["R-NEW"]


def test_cache_key_changes_with_every_input(folder: Path) -> None:
    sweep = _sweep(folder, "base: base.yaml\naxes:\n  admin_minutes: [10, 15]\n")
    a, b = sweep.runs()
    problem = digest(sweep.base.model_dump_json())
    params = SolveParams(time_limit=5, workers=1, seed=0, deterministic_time=5)
    key = cache_key(problem, a.scenario, None, params)
    assert key == cache_key(problem, a.scenario, None, params)
    others = {
        cache_key(problem, b.scenario, None, params),
        cache_key(digest("another problem"), a.scenario, None, params),
        cache_key(problem, a.scenario, None, params.model_copy(update={"time_limit": 6})),
        cache_key(problem, a.scenario, None, params.model_copy(update={"workers": 2})),
        cache_key(problem, a.scenario, None, params.model_copy(update={"seed": 1})),
    }
    assert key not in others and len(others) == 5


def test_changes_made_by_axes(folder: Path) -> None:
    sweep = _sweep(
        folder, "base: base.yaml\naxes:\n  hire: {like: T2, count: [1]}\n  travel_speed_kmh: [30]\n"
    )
    changes = sweep.runs()[0].scenario.changes
    assert isinstance(changes[0], AddTherapist)
    assert changes[0].therapist.base_site_id == sweep.base.therapist_by_id["T2"].base_site_id
    assert changes[1] == SetSetting(op="set_setting", name="travel_speed_kmh", value=30)


def test_dry_run_lists_the_runs(folder: Path) -> None:
    (folder / "sweep.yaml").write_text(
        "base: base.yaml\ntime_limit: 30\naxes:\n  hire: {like: T1, count: [0, 1], plan: fresh}\n"
        "  seed: [0, 1]\n"
    )
    result = CliRunner().invoke(
        main, ["sweep", str(folder / "sweep.yaml"), "--dry-run", "--parallel", "2"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "run   hire  seed  planned",
        "   1  0     0     from scratch",
        "   2  0     1     from scratch",
        "   3  1     0     from scratch",
        "   4  1     1     from scratch",
        "4 runs: about 1 min with 2 at a time at 30 s each",
    ]


def test_cli_reports_sweep_and_base_errors_without_traceback(folder: Path) -> None:
    (folder / "sweep.yaml").write_text("base: base.yaml\naxes:\n  seed: [x]\n")
    result = CliRunner().invoke(
        main, ["sweep", str(folder / "sweep.yaml"), "-o", str(folder / "o.xlsx")]
    )
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "1 error in the sweep:",
        "sweep.yaml: axes.seed: give whole numbers, e.g. seed: [0, 1, 2]",
    ]
    (folder / "sweep.yaml").write_text("base: nowhere.xlsx\naxes:\n  seed: [1]\n")
    result = CliRunner().invoke(
        main, ["sweep", str(folder / "sweep.yaml"), "-o", str(folder / "o.xlsx")]
    )
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "1 error in the base input:"
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_two_hire_axes_add_distinct_therapists(folder: Path) -> None:
    sweep = _sweep(
        folder,
        "base: base.yaml\naxes:\n  hire: {like: T1, count: [1]}\n"
        "  hire_elsewhere: {like: T1, base: HUN, count: [0, 1]}\n",
    )
    last = sweep.runs()[-1]
    problem = run_problem(sweep.base, last.scenario, None)
    new = sorted(t.therapist_id for t in problem.therapists if t.therapist_id.startswith("H"))
    model_base = sweep.base.therapist_by_id["T1"].base_site_id
    assert new == [f"H1-T1-{model_base}", "H1-T1-HUN"]


def test_the_example_sweep_fits_the_county_demo() -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "sweeps" / "hiring.yaml"
    sweep = load_sweep(example)
    check_size(sweep)
    runs = sweep.runs()
    assert len(runs) == 24 and {r.plan for r in runs} == {"fresh"}
    assert [a.name for a in sweep.axes] == ["hire", "admin_minutes", "seed"]
    assert len(sweep.base.referrals) == 600
