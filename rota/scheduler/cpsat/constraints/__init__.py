"""Constraint families, one module each. Order matters: travel creates the lunch variables that
the therapist family puts into each therapist's NoOverlap, and the arcs the day limits bound."""

from rota.scheduler.cpsat.constraints.days import add_day_limit_rules
from rota.scheduler.cpsat.constraints.previous import add_previous_rules
from rota.scheduler.cpsat.constraints.referrals import add_referral_rules
from rota.scheduler.cpsat.constraints.rooms import add_room_rules
from rota.scheduler.cpsat.constraints.symmetry import add_symmetry_rules, relabel
from rota.scheduler.cpsat.constraints.therapists import add_limit_rules, add_therapist_rules
from rota.scheduler.cpsat.constraints.travel import add_travel_rules

__all__ = [
    "add_day_limit_rules",
    "add_limit_rules",
    "add_previous_rules",
    "add_referral_rules",
    "add_room_rules",
    "add_symmetry_rules",
    "add_therapist_rules",
    "add_travel_rules",
    "relabel",
]
