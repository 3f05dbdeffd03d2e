"""Small random instances and brute-force optima for the locate tests."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from hypothesis import strategies as st

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Instance:
    costs: Matrix
    weights: Matrix
    p: int
    groups: list[str] | None = None
    group_min: dict[str, int] = field(default_factory=dict)
    group_max: dict[str, int] = field(default_factory=dict)
    forced: list[int] = field(default_factory=list)
    excluded: list[int] = field(default_factory=list)

    def options(self) -> dict[str, object]:
        return {
            "forced_open": self.forced or None,
            "excluded": self.excluded or None,
            "groups": self.groups,
            "group_min": self.group_min or None if self.groups else None,
            "group_max": self.group_max or None if self.groups else None,
        }


def euclidean(seed: int, n: int, m: int) -> tuple[Matrix, Matrix]:
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 20, (n, 2))
    sites = rng.uniform(0, 20, (m, 2))
    costs = np.sqrt(((demand[:, None, :] - sites[None, :, :]) ** 2).sum(-1))
    weights = rng.integers(1, 100, n).astype(float)
    return costs, weights


@st.composite
def instances(draw: Callable[..., object], with_rules: bool = True) -> Instance:
    seed = draw(st.integers(0, 10_000))
    n = draw(st.integers(4, 14))
    m = draw(st.integers(6, 9))
    p = draw(st.integers(1, 3))
    costs, weights = euclidean(seed, n, m)
    if not with_rules or not draw(st.booleans()):
        return Instance(costs=costs, weights=weights, p=p)
    rng = np.random.default_rng(seed + 1)
    labels = ["north", "south", "west"]
    groups = [labels[k] for k in rng.integers(0, 3, m)]
    instance = Instance(costs=costs, weights=weights, p=p, groups=groups)
    # Draw rules, then keep them only if some choice of p sites satisfies them (the solvers
    # must raise otherwise, which other tests check).
    excluded = sorted(rng.choice(m, size=int(rng.integers(0, 3)), replace=False).tolist())
    free = [j for j in range(m) if j not in excluded]
    forced = sorted(
        rng.choice(free, size=int(rng.integers(0, min(p, 2) + 1)), replace=False).tolist()
    )
    group_min = {label: int(rng.integers(0, 2)) for label in set(groups)}
    group_max = {label: int(rng.integers(1, 3)) for label in set(groups)}
    instance = Instance(
        costs=costs,
        weights=weights,
        p=p,
        groups=groups,
        group_min=group_min,
        group_max=group_max,
        forced=forced,
        excluded=excluded,
    )
    if any(True for _ in feasible_sets(instance)):
        return instance
    return Instance(costs=costs, weights=weights, p=p, forced=forced[:1], excluded=excluded)


def satisfies(instance: Instance, sites: tuple[int, ...] | list[int]) -> bool:
    chosen = {int(j) for j in sites}
    if not set(instance.forced) <= chosen or chosen & set(instance.excluded):
        return False
    if instance.groups is None:
        return True
    for label in set(instance.groups):
        count = sum(1 for j in chosen if instance.groups[j] == label)
        if count < instance.group_min.get(label, 0) or count > instance.group_max.get(label, 10**9):
            return False
    return True


def feasible_sets(instance: Instance, size: int | None = None) -> Iterator[tuple[int, ...]]:
    m = instance.costs.shape[1]
    for sites in itertools.combinations(range(m), instance.p if size is None else size):
        if satisfies(instance, sites):
            yield sites


def brute_p_median(instance: Instance) -> float:
    return min(
        float(instance.weights @ instance.costs[:, list(s)].min(axis=1))
        for s in feasible_sets(instance)
    )
