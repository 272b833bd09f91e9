"""Scenario sweeps: the product of axes (hires, settings, scenario files, seeds) as runs, solved
on local processes or a Dask cluster, with a cache of finished runs.

``spec`` reads and checks sweep files and expands the runs, ``task`` is one run as a worker's
task (and its cache key), ``cache`` stores finished runs, ``executors`` is where runs are solved
and ``runner`` drives a sweep from the first run to the last.
"""

from rota.scenarios.sweep.spec import Axis, AxisValue, Run, Sweep, SweepError, load_sweep

__all__ = ["Axis", "AxisValue", "Run", "Sweep", "SweepError", "load_sweep"]
