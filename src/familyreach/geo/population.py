"""Under-fives: true counts where a single-year-of-age file was loaded, otherwise an estimate.

No LSOA-level count of children aged 0–4 is in the Norfolk data (see data/norfolk/SOURCES.md,
"What is missing"). We estimate it from the IDACI denominator, children aged 0–15 (mid-2015),
times the national share of 0–4 year olds among 0–15 year olds in England at mid-2015.

Derivation of the default ratio (docs/geo.md, "Under-fives"): ONS mid-2015 population estimates
for England give about 3.43 million children aged 0–4 and about 10.24 million aged 0–15, so
3.43 / 10.24 = 0.335. A check from births: 0–4 year olds at mid-2015 are the five birth cohorts
of mid-2010 to mid-2015 (about 680,000 births a year in England), 0–15 year olds the sixteen
cohorts from mid-1999 (about 570,000–690,000 a year), which gives a share of 0.33–0.34.
The ratio is a setting (FAMILYREACH_UNDER_FIVES_RATIO) so a council can replace it with its own
figure, and loading true 0–4 counts (`familyreach geo import-population`) replaces the estimate.
"""

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
