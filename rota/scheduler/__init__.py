"""The CP-SAT scheduler, the greedy baseline and the independent checker."""

from rota.scheduler.params import PRIORITY_WEIGHT, SolveParams, Weights
from rota.scheduler.solve import Progress, solve

__all__ = ["PRIORITY_WEIGHT", "Progress", "SolveParams", "Weights", "solve"]
