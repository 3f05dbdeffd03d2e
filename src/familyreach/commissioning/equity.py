"""The concentration index of contacts against deprivation, with its confidence interval (the
equity measure of the consistent offer, issue 22). Pure functions: no Django.

Formula followed: O'Donnell, van Doorslaer, Wagstaff & Lindelow (2008), *Analyzing Health Equity
Using Household Survey Data*, World Bank, chapter 8:

    C = (2 / (n μ)) Σ h_i R_i − 1        (equivalently C = 2 cov(h, R) / μ)

where people are ranked from the MOST deprived to the least, R_i is the fractional rank
((i − ½) / n, tied people sharing their group's mean rank), h_i the contacts of person i and μ
their mean. C lies in [−1, 1]; a negative C means contacts are concentrated among the more
deprived (what a service "in proportion to need" aims for), 0 means no gradient.

Its variance is Kakwani, Wagstaff & van Doorslaer (1997), "Socioeconomic inequalities in health:
measurement, computation and statistical inference", Journal of Econometrics 77(1), eq. for
individual data (O'Donnell et al. 2008, eq. 8.8):

    var(C) = (1/n) [ (1/n) Σ a_i² − (1 + C)² ],
    a_i = (h_i / μ)(2 R_i − 1 − C) + 2 − q_{i−1} − q_i,

with q_i the cumulative share of contacts up to person i (the concentration curve's ordinate).
The interval is C ± z·√var (z = 1.96 for 95 %).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ConcentrationIndex:
    value: float
    standard_error: float
    lower: float
    upper: float
    people: int


def fractional_ranks(deprivation_order: Sequence[float]) -> list[float]:
    """Fractional ranks of people already sorted from most to least deprived by a score
    (`deprivation_order`, ascending = more deprived first, e.g. IDACI decile 1..10); tied people
    share the mean of their ranks."""
    n = len(deprivation_order)
    ranks = [0.0] * n
    start = 0
    while start < n:
        end = start
        while end + 1 < n and deprivation_order[end + 1] == deprivation_order[start]:
            end += 1
        # Mean of (i + 0.5) / n over the tied positions start..end.
        shared = ((start + end) / 2 + 0.5) / n
        for position in range(start, end + 1):
            ranks[position] = shared
        start = end + 1
    return ranks


def concentration_index(
    contacts: Sequence[float], deprivation: Sequence[float], *, z: float = 1.96
) -> ConcentrationIndex | None:
    """The concentration index of `contacts` (one value per person) against `deprivation` (the
    person's deprivation order: lower = more deprived, e.g. their area's IDACI decile), with a
    confidence interval. None when there are fewer than two people or no contacts at all."""
    if len(contacts) != len(deprivation):
        raise ValueError("contacts and deprivation must have one value per person")
    n = len(contacts)
    if n < 2:
        return None
    order = sorted(range(n), key=lambda index: deprivation[index])
    h = [float(contacts[index]) for index in order]
    ranks = fractional_ranks([deprivation[index] for index in order])
    total = sum(h)
    if total <= 0:
        return None
    mean = total / n
    value = 2.0 / (n * mean) * sum(hi * ri for hi, ri in zip(h, ranks, strict=True)) - 1.0
    squares = 0.0
    previous_share = 0.0
    running = 0.0
    for hi, ri in zip(h, ranks, strict=True):
        running += hi
        share = running / total
        a = (hi / mean) * (2 * ri - 1 - value) + 2 - previous_share - share
        squares += a * a
        previous_share = share
    variance = max(0.0, (squares / n - (1 + value) ** 2) / n)
    error = math.sqrt(variance)
    return ConcentrationIndex(
        value=value,
        standard_error=error,
        lower=value - z * error,
        upper=value + z * error,
        people=n,
    )
