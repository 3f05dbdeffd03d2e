"""Compiled inner loops (numba) for the Lagrangian steps, which visit each row's sorted list
only up to the first cost at or above its multiplier."""

from __future__ import annotations

import numba
import numpy as np

from familyreach.locate._problem import BoolArray, FloatArray, IntArray


@numba.njit(cache=True, nogil=True)
def _site_scores(
    index: IntArray, cost: FloatArray, weights: FloatArray, lam: FloatArray, m: int
) -> FloatArray:  # pragma: no cover - compiled
    rho = np.zeros(m + 1)
    n, width = index.shape
    for i in range(n):
        limit = lam[i]
        wi = weights[i]
        for k in range(width):
            c = cost[i, k]
            if c >= limit:
                break
            rho[index[i, k]] += wi * (c - limit)
    return rho


@numba.njit(cache=True, nogil=True)
def _served(
    index: IntArray, cost: FloatArray, lam: FloatArray, chosen: BoolArray
) -> IntArray:  # pragma: no cover - compiled
    n, width = index.shape
    served = np.zeros(n, dtype=np.int64)
    for i in range(n):
        limit = lam[i]
        count = 0
        for k in range(width):
            if cost[i, k] >= limit:
                break
            if chosen[index[i, k]]:
                count += 1
        served[i] = count
    return served


def site_scores(
    index: IntArray, cost: FloatArray, weights: FloatArray, lam: FloatArray, m: int
) -> FloatArray:
    """``ρ_j = Σ_i w_i min(0, c_ij - λ_i)`` for every column (index ``m`` is the dummy)."""
    result: FloatArray = _site_scores(index, cost, weights, lam, m)
    return result


def served(index: IntArray, cost: FloatArray, lam: FloatArray, chosen: BoolArray) -> IntArray:
    """For each row, how many chosen columns cost less than its multiplier."""
    result: IntArray = _served(index, cost, lam, chosen)
    return result
