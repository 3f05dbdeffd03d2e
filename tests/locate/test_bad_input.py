"""Bad input raises a ValueError that names the problem."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from familyreach.locate import evaluate, max_coverage, p_centre, p_median, set_cover
from tests.locate.conftest import euclidean

COSTS, WEIGHTS = euclidean(1, 10, 6)
GROUPS = ["a", "a", "b", "b", "c", "c"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: p_median(np.where(COSTS > 5, np.nan, COSTS), WEIGHTS, 2), "costs contains NaN"),
        (lambda: p_median(-COSTS, WEIGHTS, 2), "costs contains negative"),
        (lambda: p_median(COSTS, np.full(10, np.nan), 2), "weights contain NaN"),
        (lambda: p_median(COSTS, -WEIGHTS, 2), "weights contain negative"),
        (lambda: p_median(COSTS, WEIGHTS[:7], 2), "one value per demand row: expected 10"),
        (lambda: p_median(COSTS[0], WEIGHTS, 2), "must be a 2-D matrix"),
        (lambda: p_median(COSTS, WEIGHTS, 7), "p=7 is larger than the number of candidate"),
        (lambda: p_median(COSTS, WEIGHTS, 0), "p must be at least 1"),
        (
            lambda: p_median(COSTS, WEIGHTS, 2, forced_open=[0, 1, 2]),
            "3 sites are forced open but p=2",
        ),
        (
            lambda: p_median(COSTS, WEIGHTS, 2, forced_open=[1], excluded=[1]),
            "both forced open and excluded",
        ),
        (lambda: p_median(COSTS, WEIGHTS, 2, excluded=[9]), "outside 0..5"),
        (
            lambda: p_median(COSTS, WEIGHTS, 2, groups=GROUPS, group_min={"a": 3}),
            "group 'a': minimum 3 is above its 2 available sites",
        ),
        (
            lambda: p_median(COSTS, WEIGHTS, 2, groups=GROUPS, group_min=1),
            "group minimums (with forced sites) need 3 sites but p=2",
        ),
        (
            lambda: p_median(COSTS, WEIGHTS, 4, groups=GROUPS, group_max=1),
            "group maximums allow at most 3 sites but p=4",
        ),
        (
            lambda: p_median(COSTS, WEIGHTS, 2, groups=GROUPS, group_min={"z": 1}),
            "names groups that no candidate belongs to",
        ),
        (lambda: p_median(COSTS, WEIGHTS, 2, groups=GROUPS[:3]), "one label per candidate"),
        (
            lambda: p_median(COSTS, WEIGHTS, 2, groups=GROUPS, forced_open=[0, 1], group_max=1),
            "group 'a': 2 sites forced open but maximum is 1",
        ),
        (lambda: p_median(COSTS, WEIGHTS, 2, capacities=np.ones(6)), "capacities cannot serve"),
        (
            lambda: p_median(sp.csr_array(([1.0], ([0], [0])), shape=(3, 4)), None, 1),
            "no allowed candidate in the sparse cost matrix: 1, 2",
        ),
        (
            lambda: max_coverage(COSTS, WEIGHTS, 2, radius=-1),
            "radius must be a finite non-negative",
        ),
        (lambda: max_coverage(COSTS, WEIGHTS, radius=3.0), "needs p"),
        (lambda: max_coverage(COSTS, WEIGHTS, radius=3.0, budget=5.0), "budget needs site_costs"),
        (
            lambda: set_cover(COSTS, WEIGHTS, radius=0.01),
            "no allowed candidate within radius 0.01 of demand rows 0, 1",
        ),
        (lambda: p_centre(COSTS, WEIGHTS, 9), "larger than the number of candidate"),
        (lambda: evaluate(COSTS, WEIGHTS, [8]), "sites must be column indices"),
        (lambda: p_median(COSTS, WEIGHTS, 2, time_limit=0), "time_limit must be positive"),
    ],
)
def test_bad_input_is_named(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()  # type: ignore[operator]
