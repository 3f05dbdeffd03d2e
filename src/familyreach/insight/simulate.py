"""The reach simulator: simulated families over the real areas' populations, and the effect of a
set of service points on reach. Pure functions over numpy arrays; no database.

The take-up model (every number is an ASSUMPTION, printed beside every figure it produces):

    P(family in area a is seen in the window) = logistic(intercept
                                                       + deprivation_slope × IDACI score of a
                                                       − ln 2 / halving_minutes × minutes_a)

where minutes_a is the travel time from area a to its nearest session venue. Take-up falls with
deprivation (the odds of being seen in the most deprived areas are `deprivation_odds_ratio` of
those in the least deprived, across `deprivation_score_span` of IDACI score) and with travel time
(the odds halve every `travel_halving_minutes`). The intercept is fitted by bisection so that the
baseline leaves `target_unreached_greatest_need` (about a quarter) of greatest-need families
unseen, the figure the service redesign starts from.

Families per area are proportional to the area's (ESTIMATED) under-fives; `simulate_population`
draws them with a seeded generator, so the same seed gives the same families.
"""

import math
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from familyreach.insight.measures import TARGET_GROUP_NAMES

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class SimulationArea:
    area_id: int
    district_id: int
    under_fives: float
    idaci_score: float | None
    greatest_need: bool
    latitude: float
    longitude: float


@dataclass(frozen=True)
class ServicePoint:
    name: str
    latitude: float
    longitude: float
    venue_id: int | None = None


@dataclass(frozen=True)
class Assumptions:
    """The simulator's assumptions. None of these is a measured Norfolk figure."""

    target_unreached_greatest_need: float = 0.25
    deprivation_odds_ratio: float = 0.6
    deprivation_score_span: float = 0.4
    travel_halving_minutes: float = 15.0
    # Straight-line distance × detour factor at this speed, when no travel model is given.
    travel_speed_kmh: float = 30.0
    travel_detour_factor: float = 1.3
    travel_minimum_minutes: float = 3.0
    # Share of families not seen in the window who are still registered (seen before it).
    lapsed_registered_share: float = 0.2
    # Under-fives per family: 1, plus one more with this probability.
    second_under_five_share: float = 0.25
    # Counted contacts in the window for a seen family: 1 + Poisson(mean − 1).
    contacts_per_seen_family: float = 5.0
    # Kinds of contact (share of the total); session attendance goes to the nearest venue.
    contact_kind_shares: tuple[tuple[str, float], ...] = (
        ("session_attendance", 0.8),
        ("home_visit", 0.15),
        ("one_to_one", 0.05),
    )
    # Share of families in each target group (illustrative, not measured).
    target_group_shares: tuple[tuple[str, float], ...] = (
        ("lone_parent", 0.2),
        ("young_parent", 0.05),
        ("disability_or_send", 0.1),
        ("english_additional_language", 0.1),
        ("workless_household", 0.15),
    )
    mean_under_fives_per_family: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        if not 0 < self.target_unreached_greatest_need < 1:
            raise ValueError("target_unreached_greatest_need must be between 0 and 1")
        if not self.deprivation_odds_ratio > 0:
            raise ValueError("deprivation_odds_ratio must be positive")
        if self.travel_halving_minutes <= 0:
            raise ValueError("travel_halving_minutes must be positive")
        if self.contacts_per_seen_family < 1:
            raise ValueError("contacts_per_seen_family must be at least 1")
        unknown = {name for name, _ in self.target_group_shares} - set(TARGET_GROUP_NAMES)
        if unknown:
            raise ValueError(f"unknown target groups: {', '.join(sorted(unknown))}")
        object.__setattr__(self, "mean_under_fives_per_family", 1 + self.second_under_five_share)

    @property
    def deprivation_slope(self) -> float:
        return math.log(self.deprivation_odds_ratio) / self.deprivation_score_span

    @property
    def travel_slope(self) -> float:
        return -math.log(2) / self.travel_halving_minutes

    def lines(self) -> list[str]:
        """The assumptions in words, to print beside every simulated figure."""
        return [
            "Simulated, not measured: families are drawn in proportion to each area's ESTIMATED "
            "under-fives (estimated from the 0–15 population).",
            f"Take-up falls with deprivation: odds of being seen × {self.deprivation_odds_ratio:g} "
            f"across {self.deprivation_score_span:g} of IDACI score.",
            f"Take-up falls with travel time to the nearest session: odds halve every "
            f"{self.travel_halving_minutes:g} minutes.",
            f"Travel time = straight-line distance × {self.travel_detour_factor:g} at "
            f"{self.travel_speed_kmh:g} km/h (minimum {self.travel_minimum_minutes:g} minutes), "
            "unless a travel-time matrix is given.",
            f"Calibrated so that {self.target_unreached_greatest_need:.0%} of families in "
            "greatest-need areas are not seen in a year with today's service points.",
            "The effect of a plan is the change in this model's prediction; it is an estimate "
            "for comparing options, not a forecast.",
        ]


def straight_line_minutes(
    areas: list[SimulationArea], points: list[ServicePoint], assumptions: Assumptions
) -> NDArray[np.float64]:
    """Minutes from each area to each point (areas × points), from straight-line distance."""
    if not points:
        raise ValueError("At least one service point is needed to estimate travel times.")
    latitude_1 = np.radians([area.latitude for area in areas])[:, None]
    longitude_1 = np.radians([area.longitude for area in areas])[:, None]
    latitude_2 = np.radians([point.latitude for point in points])[None, :]
    longitude_2 = np.radians([point.longitude for point in points])[None, :]
    a = (
        np.sin((latitude_2 - latitude_1) / 2) ** 2
        + np.cos(latitude_1) * np.cos(latitude_2) * np.sin((longitude_2 - longitude_1) / 2) ** 2
    )
    kilometres = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    minutes = kilometres * assumptions.travel_detour_factor / assumptions.travel_speed_kmh * 60
    return np.maximum(minutes, assumptions.travel_minimum_minutes)


def _deprivation(areas: list[SimulationArea]) -> NDArray[np.float64]:
    known = [area.idaci_score for area in areas if area.idaci_score is not None]
    fallback = float(np.median(known)) if known else 0.0
    return np.array(
        [area.idaci_score if area.idaci_score is not None else fallback for area in areas]
    )


def _logistic(values: NDArray[np.float64]) -> NDArray[np.float64]:
    return 1.0 / (1.0 + np.exp(-values))


def take_up_linear_part(
    areas: list[SimulationArea], minutes: NDArray[np.float64], assumptions: Assumptions
) -> NDArray[np.float64]:
    """Everything in the logit except the intercept, per area."""
    return assumptions.deprivation_slope * _deprivation(areas) + assumptions.travel_slope * minutes


def fit_intercept(
    areas: list[SimulationArea],
    minutes: NDArray[np.float64],
    assumptions: Assumptions,
    *,
    tolerance: float = 1e-10,
) -> float:
    """The intercept at which the expected share of greatest-need families NOT seen equals the
    target, found by bisection (the share falls steadily as the intercept rises)."""
    weights = np.array([area.under_fives if area.greatest_need else 0.0 for area in areas])
    if weights.sum() <= 0:
        raise ValueError("No greatest-need area has any under-fives: nothing to calibrate on.")
    linear = take_up_linear_part(areas, minutes, assumptions)
    target_seen = 1.0 - assumptions.target_unreached_greatest_need

    def seen_share(intercept: float) -> float:
        return float((weights * _logistic(intercept + linear)).sum() / weights.sum())

    low, high = -30.0, 30.0
    while high - low > tolerance:
        middle = (low + high) / 2
        if seen_share(middle) < target_seen:
            low = middle
        else:
            high = middle
    return (low + high) / 2


@dataclass(frozen=True)
class ReachPrediction:
    """Expected share of families seen, by the take-up model, for one set of service points."""

    probabilities: NDArray[np.float64]  # per area
    greatest_need_reach: float
    overall_reach: float
    mean_minutes_greatest_need: float


def predict_reach(
    areas: list[SimulationArea],
    minutes: NDArray[np.float64],
    intercept: float,
    assumptions: Assumptions,
) -> ReachPrediction:
    probabilities = _logistic(intercept + take_up_linear_part(areas, minutes, assumptions))
    under_fives = np.array([area.under_fives for area in areas])
    greatest = np.array([area.greatest_need for area in areas])
    return ReachPrediction(
        probabilities=probabilities,
        greatest_need_reach=float(
            (under_fives[greatest] * probabilities[greatest]).sum() / under_fives[greatest].sum()
        ),
        overall_reach=float((under_fives * probabilities).sum() / under_fives.sum()),
        mean_minutes_greatest_need=float(
            (under_fives[greatest] * minutes[greatest]).sum() / under_fives[greatest].sum()
        ),
    )


@dataclass(frozen=True)
class ScenarioEffect:
    label: str
    baseline: ReachPrediction
    scenario: ReachPrediction
    intercept: float
    assumptions: Assumptions

    @property
    def sentence(self) -> str:
        before = round(self.baseline.greatest_need_reach * 100)
        after = round(self.scenario.greatest_need_reach * 100)
        verb = "rises" if after > before else "falls" if after < before else "stays"
        # Named apart from the dashboard's measured figures (docs/figures.md): this is the
        # model's share of greatest-need under-fives whose families it predicts are seen.
        measure = "the simulated share of greatest-need under-fives in families seen"
        if verb == "stays":
            return f"With {self.label}, {measure} stays at {before} %."
        return f"With {self.label}, {measure} {verb} from {before} % to {after} %."

    def as_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "sentence": self.sentence,
            "baseline_greatest_need_reach": self.baseline.greatest_need_reach,
            "scenario_greatest_need_reach": self.scenario.greatest_need_reach,
            "baseline_overall_reach": self.baseline.overall_reach,
            "scenario_overall_reach": self.scenario.overall_reach,
            "baseline_mean_minutes_greatest_need": self.baseline.mean_minutes_greatest_need,
            "scenario_mean_minutes_greatest_need": self.scenario.mean_minutes_greatest_need,
            "intercept": self.intercept,
            "assumptions": self.assumptions.lines(),
            "simulated": True,
        }


def nearest_minutes(matrix: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(matrix, dtype=np.float64).min(axis=1)


def scenario_effect(
    areas: list[SimulationArea],
    *,
    baseline_minutes: NDArray[np.float64],
    scenario_minutes: NDArray[np.float64],
    label: str,
    assumptions: Assumptions | None = None,
) -> ScenarioEffect:
    """Calibrate on today's service points, then predict reach with the scenario's points.

    `*_minutes` are per-area minutes to the nearest service point (see `nearest_minutes`).
    """
    assumptions = assumptions or Assumptions()
    intercept = fit_intercept(areas, baseline_minutes, assumptions)
    return ScenarioEffect(
        label=label,
        baseline=predict_reach(areas, baseline_minutes, intercept, assumptions),
        scenario=predict_reach(areas, scenario_minutes, intercept, assumptions),
        intercept=intercept,
        assumptions=assumptions,
    )


# --- Simulated families ------------------------------------------------------------------------


@dataclass
class SimulatedPopulation:
    """Every simulated family (registered or not), as parallel arrays, plus their contacts.

    Only registered families would exist in the service's records; the unregistered ones are
    the unreached, kept here so the calibration can be checked against them.
    """

    seed: int
    as_of: date
    months: int
    intercept: float
    assumptions: Assumptions
    area_index: NDArray[np.int64]  # index into the areas list, per family
    registered: NDArray[np.bool_]
    seen: NDArray[np.bool_]
    greatest_need: NDArray[np.bool_]
    child_birth_days: list[list[date]]
    target_groups: list[frozenset[str]]
    contact_family: NDArray[np.int64]  # family index, per contact
    contact_days: list[date]
    contact_kinds: list[str]
    contact_point: NDArray[np.int64]  # index into service points, or -1 (home visit)

    @property
    def families(self) -> int:
        return len(self.area_index)

    def unseen_share_greatest_need(self) -> float:
        in_need = self.greatest_need
        return float(1.0 - self.seen[in_need].mean()) if in_need.any() else float("nan")

    def summary(self) -> dict[str, object]:
        return {
            "seed": self.seed,
            "as_of": self.as_of.isoformat(),
            "months": self.months,
            "families_simulated": self.families,
            "families_registered": int(self.registered.sum()),
            "families_seen": int(self.seen.sum()),
            "contacts": len(self.contact_days),
            "unseen_share_greatest_need": self.unseen_share_greatest_need(),
            "intercept": self.intercept,
            "assumptions": asdict(self.assumptions),
        }


def default_family_count(areas: list[SimulationArea], assumptions: Assumptions) -> int:
    """Families with under-fives implied by the estimated under-fives: the whole population."""
    total = sum(area.under_fives for area in areas)
    return round(total / assumptions.mean_under_fives_per_family)


def simulate_population(
    areas: list[SimulationArea],
    points: list[ServicePoint],
    *,
    families: int,
    months: int,
    seed: int,
    as_of: date,
    minutes_matrix: NDArray[np.float64] | None = None,
    window_months: int = 12,
    assumptions: Assumptions | None = None,
) -> SimulatedPopulation:
    """Draw `families` families over the areas and `months` months of contacts up to `as_of`.

    Deterministic for a given seed and inputs. `minutes_matrix` (areas × points) is the travel
    model's; without it, straight-line minutes are used.
    """
    assumptions = assumptions or Assumptions()
    if families < 1:
        raise ValueError("families must be at least 1")
    if months < 1:
        raise ValueError("months must be at least 1")
    if not areas:
        raise ValueError("There are no areas to simulate families in: load the geography first.")
    rng = np.random.default_rng(seed)
    matrix = (
        straight_line_minutes(areas, points, assumptions)
        if minutes_matrix is None
        else np.asarray(minutes_matrix, dtype=np.float64)
    )
    minutes = nearest_minutes(matrix)
    nearest_point = matrix.argmin(axis=1)
    intercept = fit_intercept(areas, minutes, assumptions)
    probabilities = _logistic(intercept + take_up_linear_part(areas, minutes, assumptions))

    weights = np.array([max(area.under_fives, 0.0) for area in areas])
    per_area = rng.multinomial(families, weights / weights.sum())
    area_index = np.repeat(np.arange(len(areas)), per_area)
    seen = rng.random(families) < probabilities[area_index]
    registered = seen | (rng.random(families) < assumptions.lapsed_registered_share)
    greatest = np.array([area.greatest_need for area in areas])[area_index]

    # Children: born up to five years (1,825 days) before the reference date.
    second_child = rng.random(families) < assumptions.second_under_five_share
    ages_in_days = rng.integers(0, 5 * 365, size=(families, 2))
    child_birth_days = [
        [as_of - timedelta(days=int(ages_in_days[i, 0]))]
        + ([as_of - timedelta(days=int(ages_in_days[i, 1]))] if second_child[i] else [])
        for i in range(families)
    ]
    group_draws = rng.random((families, len(assumptions.target_group_shares)))
    target_groups = [
        frozenset(
            name
            for column, (name, share) in enumerate(assumptions.target_group_shares)
            if group_draws[i, column] < share
        )
        for i in range(families)
    ]

    # Contacts: seen families have 1 + Poisson(mean − 1) in the window; registered families
    # (seen or lapsed) have as many again spread over earlier simulated months, if any.
    # Months are taken as 30 days inside the window and 31 outside it, so that no contact
    # meant for before the window falls inside it.
    window_days = min(months, window_months) * 30
    outside_window_from = window_months * 31
    in_window = np.where(
        seen, 1 + rng.poisson(assumptions.contacts_per_seen_family - 1, families), 0
    )
    earlier_days = max(months * 31 - outside_window_from, 0)
    before_window = (
        np.where(registered, rng.poisson(assumptions.contacts_per_seen_family, families), 0)
        if earlier_days
        else np.zeros(families, dtype=np.int64)
    )
    contact_family = np.concatenate(
        [np.repeat(np.arange(families), in_window), np.repeat(np.arange(families), before_window)]
    )
    offsets = np.concatenate(
        [
            rng.integers(0, max(window_days, 1), size=int(in_window.sum())),
            outside_window_from
            + rng.integers(0, max(earlier_days, 1), size=int(before_window.sum())),
        ]
    )
    kinds, shares = zip(*assumptions.contact_kind_shares, strict=True)
    kind_index = rng.choice(len(kinds), size=len(contact_family), p=np.array(shares) / sum(shares))
    contact_kinds = [kinds[i] for i in kind_index]
    contact_point = np.where(
        np.array(kinds)[kind_index] == "home_visit", -1, nearest_point[area_index[contact_family]]
    )
    order = np.lexsort((offsets, contact_family))
    contact_family = contact_family[order]
    offsets = offsets[order]
    contact_kinds = [contact_kinds[i] for i in order]
    contact_point = contact_point[order]
    contact_days = [as_of - timedelta(days=int(offset)) for offset in offsets]

    return SimulatedPopulation(
        seed=seed,
        as_of=as_of,
        months=months,
        intercept=intercept,
        assumptions=assumptions,
        area_index=area_index,
        registered=registered,
        seen=seen,
        greatest_need=greatest,
        child_birth_days=child_birth_days,
        target_groups=target_groups,
        contact_family=contact_family,
        contact_days=contact_days,
        contact_kinds=contact_kinds,
        contact_point=contact_point,
    )
