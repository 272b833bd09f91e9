"""The objective's weights: what one unit of each labelled cost term is worth (README)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# One more urgent referral outweighs three of the next priority down.
PRIORITY_WEIGHT: dict[int, int] = {1: 81, 2: 27, 3: 9, 4: 3, 5: 1}
#: A point of load spread (1% of a contract: 15 minutes of a 25-hour week) is worth 200 minutes
#: of driving or four referrals kept with their therapist, and a fifth of the least urgent
#: referral: on the county demo (generator 2, 60 s) it more than halves the spread at no placed
#: referral's cost (46 -> 18 points; 1,000 left 23 of 42, 3,000 16; on generator 1's county
#: 1,000 gave 42 -> 20 and 60 s probes 200 26, 500 20).
FAIRNESS_WEIGHT = 2_000


class Weights(BaseModel):
    """Objective weights; the objective is minimised and every term is a labelled cost."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    unscheduled: int = Field(
        10_000, ge=0, description="Per unit of priority weight of an unscheduled referral"
    )
    continuity: int = Field(
        500, ge=0, description="Per referral not kept with its current therapist"
    )
    travel: int = Field(10, ge=0, description="Per driving minute")
    long_drive: int = Field(
        10,
        ge=0,
        description="Per driving minute of one leg beyond Settings long_drive_minutes (on top "
        "of travel)",
    )
    preferred: int = Field(100, ge=0, description="Per scheduled referral outside preferred times")
    idle: int = Field(1, ge=0, description="Per minute of a therapist's day span (idle gaps)")
    stability: int = Field(
        2_000, ge=0, description="Per session moved from the previous rota (with --previous)"
    )
    fairness: int = Field(
        FAIRNESS_WEIGHT,
        ge=0,
        description="Per percentage point between the busiest and the least busy therapist's "
        "load (with the Settings' balance_loads)",
    )
    # A therapist's wishes: an avoided day is 50 minutes of driving (as much as continuity),
    # a day outside her preferred days or a session away from her preferred sites 20; none
    # outweighs placing a referral.
    avoided_day: int = Field(500, ge=0, description="Per day a therapist works of her avoid_days")
    unpreferred_day: int = Field(
        200, ge=0, description="Per day a therapist works outside her preferred_days"
    )
    unpreferred_site: int = Field(
        200, ge=0, description="Per session of a therapist away from her preferred_sites"
    )
