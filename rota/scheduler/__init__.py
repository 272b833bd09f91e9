"""The scheduler: candidates, the greedy baseline, CP-SAT strategies and reasons.

The package itself loads no solver: ``from rota.scheduler.solve import solve`` does, so modules
that need only the parameters or the day-feasibility rules start quickly.
"""

from rota.scheduler.params import SolveParams
from rota.scheduler.progress import Progress, ProgressFn

__all__ = ["Progress", "ProgressFn", "SolveParams"]
