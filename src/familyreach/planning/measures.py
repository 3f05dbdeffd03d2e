"""The measures an option is judged on, from per-area arrays (no database, no optimiser).

Every figure weights areas by their under-fives (estimated where the data say so), because the
question is "how many young children are within reach", not "how many areas".

Percentile travel time: the weighted 90th percentile is the smallest travel time t such that at
least 90% of under-fives live in areas within t minutes of their nearest point (a lower weighted
quantile, so the figure is always a time some area actually has).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

WORST_SERVED_COUNT = 10


@dataclass(frozen=True)
class AreaResults:
    """Per-area inputs to the measures, all arrays in the same area order."""

    codes: list[str]
    names: list[str]
    district_codes: list[str]
    district_names: list[str]
    under_fives: FloatArray
    greatest_need: BoolArray
    base_minutes: FloatArray  # inf where no base is reachable
    service_minutes: FloatArray  # nearest base or outreach venue


def weighted_share(weights: FloatArray, mask: BoolArray) -> float:
    total = float(weights.sum())
    return float(weights[mask].sum()) / total if total > 0 else 0.0


def weighted_mean(values: FloatArray, weights: FloatArray) -> float | None:
    total = float(weights.sum())
    if total <= 0 or not np.isfinite(values[weights > 0]).all():
        return None
    return float(np.dot(values, weights) / total)


def weighted_percentile(values: FloatArray, weights: FloatArray, share: float) -> float | None:
    """Smallest value v with at least `share` of the weight at or below v (see module docstring)."""
    positive = weights > 0
    if not positive.any():
        return None
    order = np.argsort(values[positive], kind="stable")
    sorted_values = values[positive][order]
    cumulative = np.cumsum(weights[positive][order])
    index = int(np.searchsorted(cumulative, share * cumulative[-1] - 1e-9))
    value = float(sorted_values[min(index, len(sorted_values) - 1)])
    return value if np.isfinite(value) else None


def _threshold_key(threshold: float) -> str:
    return f"{threshold:g}"


def coverage_block(
    minutes: FloatArray, weights: FloatArray, need: BoolArray, thresholds: list[float]
) -> dict[str, Any]:
    """Shares and counts of under-fives (all, and in greatest-need areas) within each threshold."""
    block: dict[str, Any] = {}
    need_weights = np.where(need, weights, 0.0)
    for threshold in thresholds:
        within = minutes <= threshold
        block[_threshold_key(threshold)] = {
            "share": weighted_share(weights, within),
            "under_fives": float(weights[within].sum()),
            "greatest_need_share": weighted_share(need_weights, within),
            "greatest_need_under_fives": float(need_weights[within].sum()),
            "beyond_under_fives": float(weights[~within].sum()),
            "greatest_need_beyond_under_fives": float(need_weights[~within].sum()),
            "greatest_need_areas_beyond": int((need & ~within).sum()),
            "areas_beyond": int((~within).sum()),
        }
    return block


def _finite_or_none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def compute_measures(results: AreaResults, thresholds: list[float]) -> dict[str, Any]:
    """County-wide measures, per-district table and the worst-served areas."""
    weights = results.under_fives
    need = results.greatest_need
    measures: dict[str, Any] = {
        "thresholds": [float(t) for t in thresholds],
        "areas": len(results.codes),
        "under_fives": float(weights.sum()),
        "greatest_need_areas": int(need.sum()),
        "greatest_need_under_fives": float(weights[need].sum()),
        "base": coverage_block(results.base_minutes, weights, need, thresholds),
        "service": coverage_block(results.service_minutes, weights, need, thresholds),
        "base_mean_minutes": weighted_mean(results.base_minutes, weights),
        "base_p90_minutes": weighted_percentile(results.base_minutes, weights, 0.9),
        "service_mean_minutes": weighted_mean(results.service_minutes, weights),
        "service_p90_minutes": weighted_percentile(results.service_minutes, weights, 0.9),
        "greatest_need_service_mean_minutes": weighted_mean(
            results.service_minutes[need], weights[need]
        ),
    }
    districts: list[dict[str, Any]] = []
    codes = np.asarray(results.district_codes)
    for code in sorted(set(results.district_codes)):
        rows = codes == code
        name = results.district_names[int(np.flatnonzero(rows)[0])]
        districts.append(
            {
                "code": code,
                "name": name,
                "areas": int(rows.sum()),
                "under_fives": float(weights[rows].sum()),
                "greatest_need_areas": int(need[rows].sum()),
                "service": coverage_block(
                    results.service_minutes[rows], weights[rows], need[rows], thresholds
                ),
                "base": coverage_block(
                    results.base_minutes[rows], weights[rows], need[rows], thresholds
                ),
                "service_mean_minutes": weighted_mean(results.service_minutes[rows], weights[rows]),
            }
        )
    # Worst served: furthest from any service point; ties broken by more under-fives first.
    order = sorted(
        range(len(results.codes)),
        key=lambda index: (-results.service_minutes[index], -weights[index], results.codes[index]),
    )
    worst = [
        {
            "code": results.codes[index],
            "name": results.names[index],
            "district": results.district_names[index],
            "service_minutes": _finite_or_none(results.service_minutes[index]),
            "base_minutes": _finite_or_none(results.base_minutes[index]),
            "under_fives": float(weights[index]),
            "greatest_need": bool(need[index]),
        }
        for index in order[:WORST_SERVED_COUNT]
    ]
    return {"measures": measures, "districts": districts, "worst_served": worst}
