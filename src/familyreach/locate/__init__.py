"""familyreach.locate: exact and large-scale facility location over cost matrices.

A library with no Django imports: plain functions over numpy arrays and scipy sparse matrices.
See docs/locate.md for the formulations and how bounds are proved.
"""

from familyreach.locate.coverage import max_coverage, p_centre, set_cover
from familyreach.locate.evaluate import evaluate
from familyreach.locate.pmedian import p_median
from familyreach.locate.result import Evaluation, LocateResult

__all__ = [
    "Evaluation",
    "LocateResult",
    "evaluate",
    "max_coverage",
    "p_centre",
    "p_median",
    "set_cover",
]
