"""What-if scenarios: small, validated changes to a base Problem, their runs and comparison.

``spec`` reads scenario files, ``apply`` applies them (pure: the base is never changed),
``compare`` diffs rotas and lines figures up, ``run`` solves the runs in parallel processes;
``sweep`` runs grids of them (axes of hires, settings, scenarios and seeds), locally or on Dask.
"""

from rota.scenarios.apply import apply_scenario, load_and_apply
from rota.scenarios.compare import Change, CompareRow, Figures, compare_rows, diff_rotas, figures_of
from rota.scenarios.spec import Scenario, ScenarioError, load_scenario

__all__ = [
    "Change",
    "CompareRow",
    "Figures",
    "Scenario",
    "ScenarioError",
    "apply_scenario",
    "compare_rows",
    "diff_rotas",
    "figures_of",
    "load_and_apply",
    "load_scenario",
]
