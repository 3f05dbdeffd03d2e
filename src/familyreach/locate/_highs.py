"""A thin, typed wrapper around HiGHS (highspy) for the exact stages."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from familyreach.locate._problem import FloatArray

if TYPE_CHECKING:
    import scipy.sparse as sp


@dataclass(frozen=True)
class MilpOutcome:
    """What HiGHS reported: ``x`` is None when no feasible point was found."""

    x: FloatArray | None
    objective: float
    dual_bound: float
    optimal: bool
    infeasible: bool
    time_limit_hit: bool
    nodes: int
    #: Row duals of an LP (every column continuous), for dual-guided heuristics; else None.
    row_dual: FloatArray | None = None


def solve_milp(
    *,
    cost: FloatArray,
    matrix: sp.csr_array | sp.csc_array,
    row_lower: FloatArray,
    row_upper: FloatArray,
    col_lower: FloatArray,
    col_upper: FloatArray,
    integer: np.ndarray,
    time_limit: float,
    maximise: bool = False,
    start: FloatArray | None = None,
    relax: bool = False,
    mip_rel_gap: float = 1e-7,
    heuristic_effort: float | None = None,
    presolve: bool = True,
) -> MilpOutcome:
    """Solve ``min/max cost·x`` s.t. ``row_lower ≤ A x ≤ row_upper``, bounds and integrality.

    With ``relax=True`` the integrality is dropped and the LP optimum is both objective and bound.
    """
    # Imported here: a p-median that never reaches HiGHS does not pay for loading it.
    import highspy
    import scipy.sparse as sp

    csc = sp.csc_array(matrix, dtype=np.float64)
    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(os.environ.get("FAMILYREACH_LOCATE_HIGHS_LOG")))
    h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    h.setOptionValue("mip_rel_gap", mip_rel_gap)
    h.setOptionValue("random_seed", 0)
    if heuristic_effort is not None:
        h.setOptionValue("mip_heuristic_effort", float(heuristic_effort))
    if not presolve:
        h.setOptionValue("presolve", "off")
    if relax:
        # Interior point is far quicker than simplex on these degenerate covering LPs.
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("run_crossover", "off")
    lp = highspy.HighsLp()
    lp.num_col_ = int(cost.size)
    lp.num_row_ = int(csc.shape[0])
    lp.col_cost_ = np.asarray(cost, dtype=np.float64)
    lp.col_lower_ = np.asarray(col_lower, dtype=np.float64)
    lp.col_upper_ = np.asarray(col_upper, dtype=np.float64)
    lp.row_lower_ = np.asarray(row_lower, dtype=np.float64)
    lp.row_upper_ = np.asarray(row_upper, dtype=np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data
    lp.sense_ = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
    if not relax:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
            for flag in integer
        ]
    h.passModel(lp)
    if start is not None and not relax:
        solution = highspy.HighsSolution()
        solution.col_value = list(np.asarray(start, dtype=np.float64))
        h.setSolution(solution)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    infeasible = status == highspy.HighsModelStatus.kInfeasible
    optimal = status == highspy.HighsModelStatus.kOptimal
    time_limit_hit = status == highspy.HighsModelStatus.kTimeLimit
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value, dtype=np.float64) if has_solution else None
    objective = float(info.objective_function_value) if has_solution else float("nan")
    if relax:
        dual_bound = objective if optimal else (float("inf") if maximise else float("-inf"))
    else:
        dual_bound = float(info.mip_dual_bound)
        if optimal and x is not None and not np.isfinite(dual_bound):
            dual_bound = objective
    if (
        x is not None
        and start is not None
        and abs(float(np.dot(cost, x)) - objective) > 1e-6 * max(1.0, abs(objective))
    ):
        # Seen with HiGHS 1.16: after a MIP start, the reported column values can still be the
        # start while the objective is the better optimum. Solve again without the start.
        return solve_milp(
            cost=cost,
            matrix=matrix,
            row_lower=row_lower,
            row_upper=row_upper,
            col_lower=col_lower,
            col_upper=col_upper,
            integer=integer,
            time_limit=time_limit,
            maximise=maximise,
            start=None,
            relax=relax,
            mip_rel_gap=mip_rel_gap,
            heuristic_effort=heuristic_effort,
            presolve=presolve,
        )
    nodes = int(getattr(info, "mip_node_count", 0)) if not relax else 0
    row_dual = None
    if optimal and x is not None and not np.asarray(integer).any():
        row_dual = np.asarray(h.getSolution().row_dual, dtype=np.float64)
    return MilpOutcome(
        x=x,
        objective=objective,
        dual_bound=dual_bound,
        optimal=optimal,
        infeasible=infeasible,
        time_limit_hit=time_limit_hit,
        nodes=nodes,
        row_dual=row_dual,
    )
