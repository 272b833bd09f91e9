"""A therapist's day within its limits on sites and driving.

``max_sites_per_day`` (the therapist's, else the Settings') bounds the blocks used in a day, and
``max_drive_minutes_per_day`` the day's driving minutes over the circuit's arcs (arrival not
counted). Both read the blocks and arcs of the travel family, so it runs after it. An LNS
neighbourhood frees whole therapist-days (a day in the model has no fixed session), so nothing
outside the model counts against these limits.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from rota.scheduler.cpsat.variables import Variables


def add_day_limit_rules(model: cp_model.CpModel, v: Variables) -> None:
    problem = v.problem
    for tdv in v.therapist_days():
        tid = tdv.therapist_id
        sites = problem.max_sites_per_day(tid)
        if sites is not None and len(tdv.blocks) > sites:
            model.add(sum(b.used for b in tdv.blocks.values()) <= sites)
        most = problem.therapist_by_id[tid].max_drive_minutes_per_day
        if most is not None:
            legs = [(arc, minutes) for arc, minutes in tdv.drives if minutes]
            if legs:
                model.add(sum(minutes * arc for arc, minutes in legs) <= most)
