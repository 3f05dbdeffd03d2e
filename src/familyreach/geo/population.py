"""Under-fives: counted where an ONS single-year-of-age file was loaded, otherwise an estimate.

This module is the one definition of an area's under-fives and of their totals: planning,
insight, the plan-effect page and the exports all read them through `under_fives_of` and
`under_fives_totals`, so a figure cannot differ between two pages for the same areas.

The counts come from the ONS small-area population estimates by single year of age (mid-2019,
SAPE22DT2: data/norfolk/lsoa_population_single_year_0_15_mid2019.csv and, for every LSOA in
England and Wales, data/england/lsoa_population_0_4_mid2019.csv), loaded by `load_norfolk` and
`familyreach geo import-population`. Where an area has no count, the fallback is an ESTIMATE,
labelled so on every page: the IDACI denominator, children aged 0–15 (mid-2015), times the
national share of 0–4 year olds among 0–15 year olds in England at mid-2015. Real shares differ
a lot between areas (0.20 to 0.39 in Norfolk at mid-2019), so the estimate is a last resort.

Derivation of the default ratio (docs/geo.md, "Under-fives"): ONS mid-2015 population estimates
for England give about 3.43 million children aged 0–4 and about 10.24 million aged 0–15, so
3.43 / 10.24 = 0.335. A check from births: 0–4 year olds at mid-2015 are the five birth cohorts
of mid-2010 to mid-2015 (about 680,000 births a year in England), 0–15 year olds the sixteen
cohorts from mid-1999 (about 570,000–690,000 a year), which gives a share of 0.33–0.34.
The ratio is a setting (FAMILYREACH_UNDER_FIVES_RATIO) so a council can replace it with its own
figure, and loading true 0–4 counts (`familyreach geo import-population`) replaces the estimate.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

DEFAULT_UNDER_FIVES_RATIO = 0.335


def under_fives_ratio() -> float:
    return float(getattr(settings, "FAMILYREACH_UNDER_FIVES_RATIO", DEFAULT_UNDER_FIVES_RATIO))


def under_fives_method(ratio: float | None = None) -> str:
    ratio = under_fives_ratio() if ratio is None else ratio
    return (
        f"ESTIMATE: children aged 0–15 (mid-2015, IoD2019 population denominators) × {ratio:.3f}, "
        "the share of 0–4 year olds among 0–15 year olds in England at mid-2015."
    )


UNDER_FIVES_ESTIMATE_SOURCE = (
    "0–15 count: MHCLG English Indices of Deprivation 2019, File 6 population denominators "
    "(ONS mid-2015 small-area estimates), OGL v3.0. Ratio: ONS mid-2015 population estimates "
    "for England (about 3.43 million aged 0–4 of about 10.24 million aged 0–15)."
)


def estimate_under_fives(children_0_15: int | None, ratio: float | None = None) -> float | None:
    if children_0_15 is None:
        return None
    return round(children_0_15 * (under_fives_ratio() if ratio is None else ratio), 1)


def counted_label(year: int) -> str:
    """The short label of a counted figure, shown beside it ("Source: …")."""
    return f"ONS mid-{year} single year of age"


def estimate_label(ratio: float | None = None) -> str:
    """The short label of the fallback estimate, shown beside it ("Source: …")."""
    ratio = under_fives_ratio() if ratio is None else ratio
    return f"Estimate: 0–15 (mid-2015) × {ratio:.3f}"


class HasUnderFives(Protocol):
    """An `Area`, or a row copied from one (insight's `AreaRow`)."""

    @property
    def under_fives(self) -> float | None: ...

    @property
    def under_fives_is_estimate(self) -> bool: ...

    @property
    def under_fives_label(self) -> str: ...


def under_fives_of(area: HasUnderFives) -> float:
    """An area's under-fives: its count, or the estimate, or 0 where neither is known."""
    return float(area.under_fives or 0.0)


@dataclass(frozen=True)
class UnderFivesTotals:
    """Under-fives over a set of areas, with how many areas are counted and how many estimated."""

    total: float
    counted: float
    estimated: float
    areas_counted: int
    areas_estimated: int
    counted_labels: tuple[str, ...]  # the distinct labels of counted areas
    estimated_labels: tuple[str, ...]  # the distinct labels of estimated areas

    @property
    def any_estimate(self) -> bool:
        return self.areas_estimated > 0

    @property
    def source(self) -> str:
        """One plain sentence for a "Source:" line under a figure or table."""
        counted_text = "; ".join(self.counted_labels) or "ONS single year of age"
        estimate_text = "; ".join(self.estimated_labels) or estimate_label()
        if not self.areas_estimated:
            return f"{counted_text} (counted in every area)."
        if not self.areas_counted:
            return f"{estimate_text.replace('Estimate', 'estimated')} in every area."
        return (
            f"{counted_text} in {_areas(self.areas_counted)}; {estimate_text.lower()} in "
            f"{_areas(self.areas_estimated)} with no count (marked “est.”)."
        )


def _areas(count: int) -> str:
    return f"{count:,} area" if count == 1 else f"{count:,} areas"


def under_fives_totals(areas: Iterable[HasUnderFives]) -> UnderFivesTotals:
    """Totals of `under_fives_of` over the areas, split by counted and estimated."""
    counted = estimated = 0.0
    areas_counted = areas_estimated = 0
    counted_labels: dict[str, None] = {}  # dicts keep the first-seen order, without repeats
    estimated_labels: dict[str, None] = {}
    for area in areas:
        value = under_fives_of(area)
        if area.under_fives_is_estimate:
            estimated += value
            areas_estimated += 1
            estimated_labels[area.under_fives_label] = None
        else:
            counted += value
            areas_counted += 1
            counted_labels[area.under_fives_label] = None
    return UnderFivesTotals(
        total=counted + estimated,
        counted=counted,
        estimated=estimated,
        areas_counted=areas_counted,
        areas_estimated=areas_estimated,
        counted_labels=tuple(sorted(label for label in counted_labels if label)),
        estimated_labels=tuple(sorted(label for label in estimated_labels if label)),
    )
