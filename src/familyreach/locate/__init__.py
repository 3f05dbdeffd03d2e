"""familyreach.locate: exact and large-scale facility location over cost matrices.

A library with no Django imports: plain functions over numpy arrays and scipy sparse matrices.
See docs/locate.md for the formulations and how bounds are proved.
"""

from typing import TYPE_CHECKING, Any

from familyreach.locate.evaluate import evaluate
from familyreach.locate.pmedian import p_median
from familyreach.locate.result import Evaluation, LocateResult

if TYPE_CHECKING:
    from familyreach.locate.coverage import max_coverage, p_centre, set_cover


def __getattr__(name: str) -> Any:
    # The coverage models load scipy.sparse; a command line that only solves a p-median over a
    # dense matrix should not pay for it (docs/decisions/0010-compiled-kernels.md).
    if name in ("max_coverage", "p_centre", "set_cover"):
        from familyreach.locate import coverage

        return getattr(coverage, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Evaluation",
    "LocateResult",
    "evaluate",
    "max_coverage",
    "p_centre",
    "p_median",
    "set_cover",
]
