"""Input checking and the internal shapes every model shares.

Nothing here keeps state between calls: each model validates its own inputs into these small
frozen structures and passes them down.
"""

from __future__ import annotations

import sys
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import scipy.sparse as sp

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

QuotaSpec = int | Mapping[Any, int] | None


@dataclass(frozen=True)
class Costs:
    """A validated cost matrix: demand rows × candidate columns.

    Exactly one of ``dense`` and ``sparse`` is set. In a sparse matrix a stored entry (zero
    included) is an allowed assignment and a missing entry is not allowed.
    """

    n: int
    m: int
    dense: FloatArray | None
    sparse: sp.csr_array | None

    @property
    def is_sparse(self) -> bool:
        return self.sparse is not None

    def max_cost(self) -> float:
        if self.dense is not None:
            return float(self.dense.max(initial=0.0))
        assert self.sparse is not None
        return float(self.sparse.data.max(initial=0.0))

    def neighbour_lists(self, columns: BoolArray | None = None) -> tuple[IntArray, FloatArray]:
        """Each row's allowed candidates sorted by cost, padded to one width.

        Returns ``(index, cost)`` of shape (n, K + 2). Padding and the two trailing entries of
        every row point at a dummy column ``m`` with a cost far above any real cost, so that every
        row always has a "nearest" and "second nearest" open site during local search; a demand
        served by the dummy is unassigned.
        """
        big = dummy_cost(self)
        if self.dense is not None:
            matrix = self.dense if columns is None else self.dense[:, columns]
            column_ids = (
                np.arange(self.m, dtype=np.int64)
                if columns is None
                else np.flatnonzero(columns).astype(np.int64)
            )
            order = np.argsort(matrix, axis=1, kind="stable")
            index = column_ids[order]
            cost = np.take_along_axis(matrix, order, axis=1)
        else:
            assert self.sparse is not None
            csr = self.sparse
            if columns is not None:
                import scipy.sparse as sp

                keep = columns[csr.indices]
                csr = sp.csr_array(
                    (csr.data[keep], csr.indices[keep], _indptr_after_mask(csr.indptr, keep)),
                    shape=csr.shape,
                )
            counts = np.diff(csr.indptr)
            width = int(counts.max(initial=0))
            index = np.full((self.n, width), self.m, dtype=np.int64)
            cost = np.full((self.n, width), big)
            rows = np.repeat(np.arange(self.n), counts)
            position = np.arange(csr.indices.size) - np.repeat(csr.indptr[:-1], counts)
            index[rows, position] = csr.indices
            cost[rows, position] = csr.data
            order = np.argsort(cost, axis=1, kind="stable")
            index = np.take_along_axis(index, order, axis=1)
            cost = np.take_along_axis(cost, order, axis=1)
        pad_index = np.full((self.n, 2), self.m, dtype=np.int64)
        pad_cost = np.full((self.n, 2), big)
        return (
            np.ascontiguousarray(np.hstack([index, pad_index])),
            np.ascontiguousarray(np.hstack([cost, pad_cost])),
        )

    def within(self, threshold: float) -> sp.csr_array:
        """Boolean cover matrix: entry (i, j) when column j serves row i within ``threshold``."""
        import scipy.sparse as sp

        if self.dense is not None:
            return sp.csr_array(self.dense <= threshold)
        assert self.sparse is not None
        keep = self.sparse.data <= threshold
        return sp.csr_array(
            (
                np.ones(int(keep.sum()), dtype=bool),
                self.sparse.indices[keep],
                _indptr_after_mask(self.sparse.indptr, keep),
            ),
            shape=(self.n, self.m),
        )


def _indptr_after_mask(indptr: npt.NDArray[np.integer[Any]], keep: BoolArray) -> IntArray:
    kept_before = np.concatenate([[0], np.cumsum(keep, dtype=np.int64)])
    return kept_before[indptr]


def dummy_cost(costs: Costs) -> float:
    """A cost no real assignment reaches: makes "unassigned" the last resort in heuristics."""
    return 1e3 * (costs.max_cost() + 1.0) * max(costs.n, 1)


@dataclass(frozen=True)
class SiteRules:
    """Which candidates may or must open, and how many per group.

    ``group`` maps each column to a group number (0..G-1); without groups every column is in
    group 0 with no quota. ``group_min``/``group_max`` are per group.
    """

    m: int
    allowed: BoolArray
    forced: BoolArray
    group: IntArray
    group_min: IntArray
    group_max: IntArray
    group_labels: tuple[Hashable, ...]
    has_quotas: bool

    def counts(self, open_mask: BoolArray) -> IntArray:
        return np.bincount(self.group[open_mask[: self.m]], minlength=self.group_min.size)


def is_sparse(value: Any) -> bool:
    """Whether ``value`` is a scipy sparse matrix or array, without importing scipy: a process
    that never imported scipy.sparse cannot hold one (importing it costs a command-line run
    more than its whole p-median solve; docs/decisions/0010-compiled-kernels.md)."""
    module = sys.modules.get("scipy.sparse")
    return module is not None and bool(module.issparse(value))


def check_costs(costs: Any, name: str = "costs") -> Costs:
    """Validate a dense array or scipy sparse matrix of non-negative finite costs."""
    if is_sparse(costs):
        import scipy.sparse as sp

        csr = sp.csr_array(costs.tocsr().astype(np.float64))
        csr.sum_duplicates()
        csr.sort_indices()
        if csr.ndim != 2:
            raise ValueError(f"{name} must be a 2-D matrix (demand rows × candidate columns)")
        data = csr.data
        if np.isnan(data).any():
            raise ValueError(f"{name} contains NaN")
        if np.isinf(data).any():
            raise ValueError(f"{name} contains infinite values; leave the entry out instead")
        if (data < 0).any():
            raise ValueError(f"{name} contains negative values")
        n, m = csr.shape
        result = Costs(n=int(n), m=int(m), dense=None, sparse=csr)
    else:
        dense = np.asarray(costs, dtype=np.float64)
        if dense.ndim != 2:
            raise ValueError(
                f"{name} must be a 2-D matrix (demand rows × candidate columns), got {dense.ndim}-D"
            )
        if np.isnan(dense).any():
            raise ValueError(f"{name} contains NaN")
        if np.isinf(dense).any():
            raise ValueError(f"{name} contains infinite values")
        if (dense < 0).any():
            raise ValueError(f"{name} contains negative values")
        n, m = dense.shape
        result = Costs(n=int(n), m=int(m), dense=np.ascontiguousarray(dense), sparse=None)
    if result.n == 0 or result.m == 0:
        raise ValueError(f"{name} is empty: shape ({result.n}, {result.m})")
    return result


def check_weights(weights: Any, n: int) -> FloatArray:
    """Validate one non-negative finite weight per demand row (None means all ones)."""
    if weights is None:
        return np.ones(n)
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or w.size != n:
        raise ValueError(
            f"weights must have one value per demand row: expected {n}, got shape {w.shape}"
        )
    if np.isnan(w).any():
        raise ValueError("weights contain NaN")
    if np.isinf(w).any():
        raise ValueError("weights contain infinite values")
    if (w < 0).any():
        raise ValueError("weights contain negative values")
    return w


def _index_mask(values: Iterable[int] | None, m: int, name: str) -> BoolArray:
    mask = np.zeros(m, dtype=bool)
    if values is None:
        return mask
    array = np.asarray(list(values) if not isinstance(values, np.ndarray) else values)
    if array.size == 0:
        return mask
    if array.dtype == bool:
        if array.size != m:
            raise ValueError(f"{name} as a boolean mask must have one value per candidate ({m})")
        return array.astype(bool).copy()
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must be candidate column indices (integers)")
    bad = array[(array < 0) | (array >= m)]
    if bad.size:
        raise ValueError(f"{name} has column indices outside 0..{m - 1}: {sorted(bad.tolist())}")
    mask[array] = True
    return mask


def _quota_array(
    spec: QuotaSpec, labels: tuple[Hashable, ...], default: int, name: str
) -> IntArray:
    values = np.full(len(labels), default, dtype=np.int64)
    if spec is None:
        return values
    if isinstance(spec, Mapping):
        known = set(labels)
        unknown = [key for key in spec if key not in known]
        if unknown:
            raise ValueError(f"{name} names groups that no candidate belongs to: {unknown}")
        position = {label: k for k, label in enumerate(labels)}
        for key, value in spec.items():
            values[position[key]] = _non_negative_int(value, f"{name}[{key!r}]")
        return values
    values[:] = _non_negative_int(spec, name)
    return values


def _non_negative_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return int(value)


def check_p(p: Any, m: int) -> int:
    if isinstance(p, bool) or not isinstance(p, int | np.integer):
        raise ValueError(f"p must be an integer, got {p!r}")
    if p < 1:
        raise ValueError(f"p must be at least 1, got {p}")
    if p > m:
        raise ValueError(f"p={p} is larger than the number of candidate columns ({m})")
    return int(p)


def check_rules(
    *,
    m: int,
    p: int | None,
    forced_open: Iterable[int] | None,
    excluded: Iterable[int] | None,
    groups: Any,
    group_min: QuotaSpec,
    group_max: QuotaSpec,
) -> SiteRules:
    """Validate forced/excluded sites and group quotas, and that some choice of ``p`` sites
    satisfies them all (``p=None`` when the number of sites is free)."""
    forced = _index_mask(forced_open, m, "forced_open")
    closed = _index_mask(excluded, m, "excluded")
    both = np.flatnonzero(forced & closed)
    if both.size:
        raise ValueError(f"sites both forced open and excluded: {both.tolist()}")
    allowed = ~closed
    if p is not None:
        if forced.sum() > p:
            raise ValueError(f"{int(forced.sum())} sites are forced open but p={p}")
        if allowed.sum() < p:
            raise ValueError(f"p={p} but only {int(allowed.sum())} candidates are not excluded")
    if groups is None:
        if group_min is not None or group_max is not None:
            raise ValueError("group_min/group_max need groups (one group label per candidate)")
        return SiteRules(
            m=m,
            allowed=allowed,
            forced=forced,
            group=np.zeros(m, dtype=np.int64),
            group_min=np.zeros(1, dtype=np.int64),
            group_max=np.full(1, m, dtype=np.int64),
            group_labels=("all",),
            has_quotas=False,
        )
    label_array = np.asarray(groups, dtype=object)
    if label_array.ndim != 1 or label_array.size != m:
        raise ValueError(
            f"groups must have one label per candidate column: expected {m}, got {label_array.size}"
        )
    labels_seen: dict[Hashable, int] = {}
    group = np.empty(m, dtype=np.int64)
    for column, label in enumerate(label_array.tolist()):
        group[column] = labels_seen.setdefault(label, len(labels_seen))
    labels = tuple(labels_seen)
    gmin = _quota_array(group_min, labels, 0, "group_min")
    gmax = _quota_array(group_max, labels, m, "group_max")
    available = np.bincount(group[allowed], minlength=len(labels))
    forced_count = np.bincount(group[forced], minlength=len(labels))
    problems = []
    for k, label in enumerate(labels):
        if gmin[k] > gmax[k]:
            problems.append(f"group {label!r}: minimum {gmin[k]} is above maximum {gmax[k]}")
        if gmin[k] > available[k]:
            problems.append(
                f"group {label!r}: minimum {gmin[k]} is above its {available[k]} available sites"
            )
        if forced_count[k] > gmax[k]:
            problems.append(
                f"group {label!r}: {forced_count[k]} sites forced open but maximum is {gmax[k]}"
            )
    if problems:
        raise ValueError("infeasible group quotas: " + "; ".join(problems))
    if p is not None:
        least = int(np.maximum(gmin, forced_count).sum())
        most = int(np.minimum(gmax, available).sum())
        if least > p:
            raise ValueError(
                f"infeasible group quotas: the group minimums (with forced sites) need {least} sites but p={p}"
            )
        if most < p:
            raise ValueError(
                f"infeasible group quotas: the group maximums allow at most {most} sites but p={p}"
            )
    return SiteRules(
        m=m,
        allowed=allowed,
        forced=forced,
        group=group,
        group_min=gmin,
        group_max=gmax,
        group_labels=labels,
        has_quotas=True,
    )


def check_problem(
    costs: Any,
    weights: Any,
    p: Any,
    *,
    forced_open: Iterable[int] | None,
    excluded: Iterable[int] | None,
    groups: Any,
    group_min: QuotaSpec,
    group_max: QuotaSpec,
    time_limit: float | None = None,
    p_may_be_none: bool = False,
) -> tuple[Costs, FloatArray, int | None, SiteRules]:
    """The checks every model starts with, in one order (so the first error reported is the
    same whichever model is called): costs, weights, ``p`` (None, when ``p_may_be_none``: the
    number of sites is free), site rules, and the time limit when given. Returns the checked costs, weights, p and rules."""
    checked = check_costs(costs)
    w = check_weights(weights, checked.n)
    if p is not None or not p_may_be_none:
        p = check_p(p, checked.m)
    rules = check_rules(
        m=checked.m,
        p=p,
        forced_open=forced_open,
        excluded=excluded,
        groups=groups,
        group_min=group_min,
        group_max=group_max,
    )
    if time_limit is not None and time_limit <= 0:
        raise ValueError(f"time_limit must be positive, got {time_limit}")
    return checked, w, p, rules


def select_cheapest(score: FloatArray, rules: SiteRules, p: int) -> BoolArray:
    """The ``p`` sites of least total ``score`` that satisfy the rules.

    Forced sites first, then each group's minimum from its cheapest sites, then the cheapest of
    the rest while groups have room. This greedy order is optimal because the feasible sets are
    the bases of a matroid (a laminar/partition structure with lower bounds), see docs/locate.md.
    """
    m = rules.m
    chosen = rules.forced.copy()
    free = rules.allowed & ~chosen
    order = np.flatnonzero(free)[np.argsort(score[:m][free], kind="stable")]
    if not rules.has_quotas:
        need = p - int(chosen.sum())
        chosen[order[:need]] = True
        return chosen
    groups = rules.group_min.size
    counts = np.bincount(rules.group[chosen], minlength=groups)
    # Rank of each free site within its group, cheapest first.
    by_group = order[np.argsort(rules.group[order], kind="stable")]
    group_of = rules.group[by_group]
    starts = np.searchsorted(group_of, np.arange(groups))
    rank = np.arange(by_group.size) - starts[group_of]
    # Each group's shortfall from its minimum, from its cheapest free sites.
    shortfall = np.maximum(rules.group_min - counts, 0)
    mandatory = by_group[rank < shortfall[group_of]]
    chosen[mandatory] = True
    counts += shortfall
    need = p - int(chosen.sum())
    if need > 0:
        # Then the cheapest of the rest while groups have room: within a group only its next
        # (max - count) cheapest can ever be taken, so filter those and take the global cheapest.
        room = np.maximum(rules.group_max - counts, 0)
        eligible = by_group[(rank >= shortfall[group_of]) & (rank < (shortfall + room)[group_of])]
        eligible = eligible[np.argsort(score[eligible], kind="stable")]
        chosen[eligible[:need]] = True
    return chosen
