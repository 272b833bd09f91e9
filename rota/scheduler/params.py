"""Solve parameters and objective weights (solver-neutral names, documented in the README)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rota.evaluate.weights import Weights


class SolveParams(BaseModel):
    """How to solve: time limit, workers, seed, weights, previous rota handling."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    time_limit: float = Field(60.0, gt=0, description="Seconds")
    workers: int = Field(2, ge=1, description="CP-SAT search workers")
    seed: int = Field(0, description="Random seed")
    weights: Weights = Field(default_factory=Weights)
    use_previous: bool = Field(
        True, description="Keep sessions of the Problem's previous rota where possible"
    )
    log: bool = Field(False, description="Print CP-SAT's own search log")
    deterministic_time: float | None = Field(
        None,
        gt=0,
        description="Repeatable runs: limit CP-SAT by deterministic time instead of the clock "
        "(the full model gets this much; LNS runs time_limit / lns_seconds neighbourhoods of "
        "lns_seconds deterministic time each)",
    )
    strategy: Literal["auto", "full", "lns"] = Field(
        "auto",
        description="full: one CP-SAT model of the whole week (proves a bound); lns: "
        "re-optimise a few nearby therapists at a time; auto: full when the model is small",
    )
    full_model_limit: int = Field(
        1_500, ge=0, description="auto uses the full model up to this many placement options"
    )
    lns_therapists: int = Field(3, ge=1, description="Therapists re-optimised together in LNS")
    lns_days: int = Field(2, ge=1, le=7, description="Days re-optimised together in LNS")
    lns_pairs: int = Field(
        8, ge=1, description="Therapist-days re-optimised together around a site"
    )
    lns_new: int = Field(10, ge=0, description="Unscheduled referrals offered to a neighbourhood")
    lns_seconds: float = Field(0.5, gt=0, description="Time limit of one neighbourhood's solve")
    nearest_therapists: int = Field(
        50,
        ge=0,
        description="Therapists considered for each referral: its current and previous ones "
        "and the nearest (by base) who can take it (0 = every therapist)",
    )
    therapists_per_referral: int = Field(
        4,
        ge=0,
        description="Therapists offered to each referral in the CP-SAT model besides its current, "
        "previous and greedy ones: the nearest by base (0 = all)",
    )
