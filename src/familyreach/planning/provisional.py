"""PROVISIONAL stand-ins used only until `familyreach.geo` (travel times, need) and
`familyreach.locate` (the optimiser) land on this branch. Each is replaced by the real function
as soon as it exists; `inputs.py` and `engine.py` prefer the real ones when importable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt


def travel_time_matrix(
    areas: Sequence[Any], venues: Sequence[Any], mode: str = "car"
) -> npt.NDArray[np.float32]:
    """Straight line x 1.3 at 40 km/h by car, 15 km/h otherwise (a placeholder, not a model)."""
    speed = 40.0 if mode == "car" else 15.0
    matrix = np.zeros((len(areas), len(venues)), dtype=np.float32)
    for i, area in enumerate(areas):
        for j, venue in enumerate(venues):
            dlat = math.radians(venue.latitude - area.latitude)
            dlon = math.radians(venue.longitude - area.longitude)
            a = (
                math.sin(dlat / 2) ** 2
                + math.cos(math.radians(area.latitude))
                * math.cos(math.radians(venue.latitude))
                * math.sin(dlon / 2) ** 2
            )
            km = 2 * 6371.0 * math.asin(math.sqrt(a))
            matrix[i, j] = km * 1.3 / speed * 60
    return matrix


def greatest_need(areas: Sequence[Any]) -> npt.NDArray[np.bool_]:
    """Placeholder: IDACI decile 1 or 2 (the 20% most deprived for children nationally)."""
    return np.array([(area.idaci_decile or 99) <= 2 for area in areas], dtype=bool)


def need_weight(areas: Sequence[Any]) -> npt.NDArray[np.float64]:
    """Placeholder: 2 for greatest-need areas, 1 otherwise."""
    return np.where(greatest_need(areas), 2.0, 1.0)


def p_median(costs: Any, weights: Any, p: int, **options: Any) -> Any:
    """Placeholder greedy (no bound) so pages and tests work before `locate` lands."""
    from types import SimpleNamespace

    matrix = np.asarray(costs, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    m = matrix.shape[1]
    forced = [int(c) for c in (options.get("forced_open") or [])]
    excluded = {int(c) for c in (options.get("excluded") or [])}
    groups = options.get("groups")
    group_max = options.get("group_max")
    group_min = options.get("group_min")
    chosen = list(forced)
    counts: dict[Any, int] = {}
    for column in chosen:
        if groups is not None:
            counts[groups[column]] = counts.get(groups[column], 0) + 1

    def best_for(allowed: list[int]) -> int:
        current = matrix[:, chosen].min(axis=1) if chosen else np.full(matrix.shape[0], 1e9)
        gains = [float(np.dot(w, np.minimum(current, matrix[:, c]))) for c in allowed]
        return allowed[int(np.argmin(gains))]

    if groups is not None and group_min is not None:
        for label in dict.fromkeys(groups):
            minimum = group_min if isinstance(group_min, int) else group_min.get(label, 0)
            while counts.get(label, 0) < minimum:
                allowed = [
                    c
                    for c in range(m)
                    if groups[c] == label and c not in excluded and c not in chosen
                ]
                column = best_for(allowed)
                chosen.append(column)
                counts[label] = counts.get(label, 0) + 1
    while len(chosen) < p:
        allowed = [
            c
            for c in range(m)
            if c not in excluded
            and c not in chosen
            and (
                groups is None
                or group_max is None
                or counts.get(groups[c], 0)
                < (group_max if isinstance(group_max, int) else group_max.get(groups[c], m))
            )
        ]
        column = best_for(allowed)
        chosen.append(column)
        if groups is not None:
            counts[groups[column]] = counts.get(groups[column], 0) + 1
    sites = np.array(sorted(chosen), dtype=np.int64)
    objective = float(np.dot(w, matrix[:, sites].min(axis=1)))
    return SimpleNamespace(
        sites=sites,
        objective=objective,
        bound=float("nan"),
        gap=float("nan"),
        status="feasible",
        proven_optimal=False,
        seconds=0.0,
        method="provisional greedy (no bound)",
        time_limit_hit=False,
    )
