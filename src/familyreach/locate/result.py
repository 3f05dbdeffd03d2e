"""The result objects every `familyreach.locate` model returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: The statuses a result may carry.
#: - ``optimal``: the objective equals the proven bound (within the solver tolerance).
#: - ``feasible``: a solution is known and a bound is proven, but they differ and no limit was hit
#:   (the method stopped at its own tolerance, e.g. a heuristic run without the exact stage).
#: - ``time_limit``: the time limit stopped the search before the gap closed.
#: - ``infeasible``: no solution satisfies the constraints (only for sparse inputs, where a missing
#:   entry means "not allowed", or a p-centre/capacity model whose data admit no solution).
STATUSES = ("optimal", "feasible", "time_limit", "infeasible")


@dataclass(frozen=True, eq=False)
class LocateResult:
    """What a `familyreach.locate` model returns.

    Attributes:
        sites: chosen candidate columns, sorted ascending.
        objective: the model's objective for ``sites`` (weighted travel for p-median, covered
            weight for maximal coverage, number or cost of sites for set cover, worst travel for
            p-centre).
        bound: a proven bound on the optimum: lower bound for minimisation, upper bound for
            maximal coverage.
        gap: relative distance between objective and bound, ``|objective - bound| / |objective|``
            (0 when both are 0).
        assignment: per demand row, the column it is served by (-1 when unassigned/uncovered).
        seconds: wall-clock seconds spent.
        status: one of `STATUSES`.
        proven_optimal: True only when the gap is closed (the bound proves the objective).
        method: which algorithms produced the solution and the bound.
        time_limit_hit: whether a time limit stopped any stage.
        details: figures about the run (reduction sizes, iterations) for reports.
    """

    sites: IntArray
    objective: float
    bound: float
    gap: float
    assignment: IntArray
    seconds: float
    status: str
    proven_optimal: bool
    method: str
    time_limit_hit: bool = False
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Evaluation:
    """What `evaluate` returns for a given set of open sites.

    Attributes:
        objective: sum over demand rows of weight × cost to the nearest open site (inf if some
            demand with positive weight has no allowed open site).
        assignment: per demand row, the nearest open column (-1 if none is allowed).
        assigned_cost: per demand row, the cost to that column (inf if none).
        load: per candidate column, the weight assigned to it (0 for closed sites).
        worst_cost: the largest assigned cost over rows with positive weight.
        coverage: for each threshold asked for, the share (0–1) of total weight whose assigned
            cost is within the threshold.
        covered_weight: for each threshold, the weight within it.
    """

    objective: float
    assignment: IntArray
    assigned_cost: FloatArray
    load: FloatArray
    worst_cost: float
    coverage: dict[float, float]
    covered_weight: dict[float, float]


def relative_gap(objective: float, bound: float) -> float:
    """``|objective - bound| / max(|objective|, |bound|)``; 0 when both are 0, inf when unbounded."""
    if not np.isfinite(objective) or not np.isfinite(bound):
        return float("inf")
    scale = max(abs(objective), abs(bound))
    if scale == 0:
        return 0.0
    return abs(objective - bound) / scale
