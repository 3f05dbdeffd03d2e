"""Demo data for geo: the real Norfolk open data (nothing simulated)."""

from familyreach.core.output import Output
from familyreach.geo.norfolk import load_norfolk


def load(stdout: Output) -> None:
    load_norfolk(stdout=stdout)
