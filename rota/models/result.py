"""Solver-neutral results: status, bound and gap, the Rota, and the figures people read."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rota.models.rota import Rota

Status = Literal["OPTIMAL", "FEASIBLE", "INFEASIBLE", "TIME_LIMIT", "UNKNOWN", "MODEL_INVALID"]


class TherapistKpis(BaseModel):
    """One therapist's week in figures."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    therapist_id: str = Field(description="Therapist")
    sessions: int = Field(description="Sessions in the week")
    contact_minutes: int = Field(description="Session minutes in the week")
    working_minutes: int = Field(description="Working minutes in the week (service days)")
    utilisation: float = Field(description="contact_minutes / working_minutes (0 if none)")
    travel_minutes: int = Field(description="Driving minutes in the week, base to base")
    days_worked: int = Field(description="Days with at least one session")


class Kpis(BaseModel):
    """What a rota achieves, computed from the Problem and the Rota alone."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    referrals: int = Field(description="Referrals in the problem")
    scheduled: int = Field(description="Referrals scheduled")
    unscheduled: int = Field(description="Referrals left unscheduled")
    scheduled_minutes: int = Field(description="Session minutes scheduled per week")
    unscheduled_minutes: int = Field(description="Session minutes left unscheduled per week")
    scheduled_by_priority: dict[int, int] = Field(description="Scheduled count by priority")
    unscheduled_by_priority: dict[int, int] = Field(description="Unscheduled count by priority")
    scheduled_by_discipline: dict[str, int] = Field(description="Scheduled count by discipline")
    unscheduled_by_discipline: dict[str, int] = Field(description="Unscheduled by discipline")
    minutes_by_discipline: dict[str, int] = Field(description="Scheduled minutes by discipline")
    weighted_scheduled: int = Field(description="Priority-weighted referrals scheduled")
    weighted_total: int = Field(description="Priority-weighted referrals in all")
    travel_minutes: int = Field(description="Driving minutes per week, all therapists")
    continuity_kept: int = Field(description="Referrals kept with their current therapist")
    continuity_possible: int = Field(description="Referrals that have a current therapist")
    preferred_met: int = Field(description="Scheduled referrals inside their preferred times")
    preferred_possible: int = Field(description="Scheduled referrals that state a preference")
    utilisation: float = Field(description="All contact minutes / all working minutes")
    therapists: tuple[TherapistKpis, ...] = Field(description="Per-therapist figures")
    room_sessions: dict[str, int] = Field(description="Sessions per room in the week")


class CostTerm(BaseModel):
    """One labelled term of the objective and what it cost in the returned rota."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str = Field(description="e.g. 'unscheduled priority 1', 'travel minutes'")
    weight: int = Field(description="Weight per unit in the objective")
    units: int = Field(description="Units in the rota (referrals, minutes, ...)")
    cost: int = Field(description="weight x units")


class Result(BaseModel):
    """What ``solve()`` returns: never raised, always a status and the best rota found."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: Status = Field(description="Solver status")
    objective: float | None = Field(None, description="Objective of the rota (lower is better)")
    bound: float | None = Field(None, description="Best proven bound on the objective")
    gap: float | None = Field(None, description="(objective - bound) / max(1, |objective|)")
    wall_seconds: float = Field(0.0, description="Wall time of the solve")
    first_solution_seconds: float | None = Field(None, description="Time to the first rota")
    rota: Rota = Field(default_factory=Rota, description="The rota")
    kpis: Kpis | None = Field(None, description="Figures of the rota")
    costs: tuple[CostTerm, ...] = Field((), description="Objective terms by label")
    weighted_upper_bound: int | None = Field(
        None, description="Proven upper bound on priority-weighted referrals scheduled"
    )
    violations: tuple[str, ...] = Field(
        (), description="Check violations of the returned rota (should always be empty)"
    )
    message: str = Field("", description="Anything the coordinator should know about the run")
    unplaceable: float | None = Field(
        None,
        description="Cost, in the objective, of the referrals no rota can place (no therapist, "
        "room or day can take them): a constant every rota pays",
    )
    bound_source: str = Field(
        "", description="What proved the bound (the full model, or the relaxation in bound.py)"
    )

    def _net(self, value: float | None) -> float | None:
        if value is None or self.unplaceable is None:
            return None
        return value - self.unplaceable

    @property
    def net_objective(self) -> float | None:
        """The objective less the constant of referrals no rota can place: what can move."""
        return self._net(self.objective)

    @property
    def net_bound(self) -> float | None:
        """The proven bound less the same constant."""
        return self._net(self.bound)

    @property
    def net_gap(self) -> float | None:
        """(net objective - net bound) / net objective: how far from the best possible."""
        obj, bound = self.net_objective, self.net_bound
        if obj is None or bound is None:
            return None
        return max(0.0, obj - bound) / max(1.0, abs(obj))
