"""Solve parameters and objective weights (solver-neutral names, documented in the README)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rota.evaluate.weights import Weights

# Named constants of the search (each with why). SolveParams holds what a user may change;
# these are the engine's own choices, measured on the demo services.

#: Therapists (nearest by base) the insertion start weighs for each referral: farther ones never
#: add less travel on a county-sized service, and each costs exact feasibility checks.
INSERTION_NEAREST = 8
#: Insertion start's ranking, in travel-minute equivalents: keeping the current therapist is
#: worth 50 minutes, opening a therapist's empty day costs 20, a slot outside the preferred
#: times costs 10 (the real objective decides later; this only orders the tries).
INSERTION_CONTINUITY = 50
INSERTION_NEW_DAY = 20
INSERTION_NOT_PREFERRED = 10
#: Seconds the hint completion may spend on a copy of the model with the hint fixed.
HINT_COMPLETION_SECONDS = 10.0
#: ... and at most this inside one LNS neighbourhood (it must not eat the neighbourhood's time).
LNS_HINT_COMPLETION_SECONDS = 2.0
#: Shortest sub-solve worth starting (CP-SAT needs some time for presolve).
MIN_SOLVE_SECONDS = 0.5
#: Stop LNS this long before the deadline: building the next model would overrun it.
LNS_DEADLINE_MARGIN = 0.2
#: Sites (itself included) that make one site neighbourhood: a school and its nearest three.
LNS_SITE_NEIGHBOURS = 4
#: Neighbourhood kinds in turn: nearby therapists, sites, placement of a waiting referral.
LNS_KINDS = 3
#: Every this many neighbourhoods without improvement, one more therapist joins (at most two).
LNS_GROW_EVERY = 8
LNS_GROW_MAX = 2
#: LNS ends once this many neighbourhoods in a row were proven optimal or empty (at least, or
#: three per therapist): the search has settled.
LNS_SETTLED_MIN = 12
LNS_SETTLED_PER_THERAPIST = 3
#: Repeatable runs read no clock: their budget is charged with work, converted to seconds at
#: rates measured on the project's 2-core machine: CP-SAT's deterministic time per second and
#: worker on the whole week's model (the small demo: 1.9 units in 10 s with 2 workers) ...
REPEATABLE_DTIME_PER_WORKER_SECOND = 0.1
#: ... and on an LNS neighbourhood's small model, where presolve weighs more (the county demo:
#: 1.75 units in 17.6 s with 2 workers);
REPEATABLE_LNS_DTIME_PER_WORKER_SECOND = 0.05
#: ... building a model, completing its hint and reading the solution back, per variable and
#: constraint of the model;
REPEATABLE_SECONDS_PER_MODEL_ITEM = 4e-5
#: ... evaluating and checking a whole rota after an LNS neighbourhood, per session;
REPEATABLE_SECONDS_PER_SESSION = 2e-4
#: ... and a pass that places the referrals one by one (candidates and the greedy rota, or the
#: LNS insertion start), per referral.
REPEATABLE_SECONDS_PER_REFERRAL = 2e-3
#: A solve that used this share of its time limit is reported as stopped by the limit.
TIME_LIMIT_SHARE = 0.98
#: How often a running CP-SAT search looks at the stop signal (a stop takes effect within it).
STOP_POLL_SECONDS = 0.05
#: The LNS insertion start runs only if at least this many seconds remain.
INSERTION_MIN_SECONDS = 1.0
#: --bound: seconds CP-SAT may spend on each therapist-day's whole-number step of the
#: relaxation bound (scheduler/bound.py).
RELAXATION_DAY_SECONDS = 0.5
#: Full strategy: its phases in turn, each from the best rota so far and until the given share
#: of the time limit has passed (a local search also ends after the given number of ruins in a
#: row found nothing better); a CP-SAT phase that proves its model's optimum ends the solve.
#: A short local search (a small service's first local optimum comes in a moment), CP-SAT on the
#: model cut around its rota (it reaches the optimum of bench/vrp's clustered services, C101 and
#: C201, in its first 15 s), a longer local search from CP-SAT's rota (it finds what CP-SAT's
#: search misses on the random ones, R102, R105 and RC102, where the routes must change), and
#: CP-SAT again to settle the times and order of the routes it leaves.
FULL_PHASES: tuple[tuple[Literal["local", "cp-sat"], float, int | None], ...] = (
    ("local", 0.25, 300),
    ("cp-sat", 0.5, None),
    ("local", 0.8, 1000),
    ("cp-sat", 1.0, None),
)
#: ... with a time limit of at least this many seconds; a shorter one has no time to build and
#: presolve the model twice, and keeps the first local search and one CP-SAT phase to the end.
FULL_PHASES_MIN_SECONDS = 10.0
#: Repeatable runs: ruin-and-recreate iterations charged as one second of the budget (measured
#: on the county demo on the project's 2-core machine, where one iteration takes ~25 ms).
LOCAL_ITERATIONS_PER_SECOND = 40
#: How often (seconds) the local search reports an improvement (it finds many a second).
LOCAL_REPORT_SECONDS = 1.0


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
        description="Repeatable runs: the search's budget in seconds of work, measured by "
        "CP-SAT's deterministic time and model sizes instead of the clock (see "
        "scheduler/budget.py), so the same input, seed and workers give the same rota",
    )
    strategy: Literal["auto", "full", "local", "lns"] = Field(
        "auto",
        description="full: a short local search, then one CP-SAT model of the whole week "
        "started from it (proves a bound), then a longer local search and CP-SAT again; local: "
        "ruin and recreate with annealing for the whole time; lns: CP-SAT re-optimises a few "
        "nearby therapists at a time; auto: full when the model is small, else local",
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
    prove_bound: bool = Field(
        False,
        description="After the search, prove a lower bound on every rota's cost by the "
        "relaxation in scheduler/bound.py (it takes extra time: ~30 s to minutes for a county "
        "service); small services solved by the full model get its quick form anyway",
    )
    therapists_per_referral: int = Field(
        4,
        ge=0,
        description="Therapists offered to each referral in the CP-SAT model besides its current, "
        "previous and greedy ones: the nearest by base (0 = all)",
    )
