"""The simulator: calibrated, deterministic per seed, and a plan's effect on reach."""

from datetime import date

import numpy as np
import pytest

from familyreach.insight.measures import (
    AreaRow,
    ContactRow,
    FamilyRow,
    MeasureConfig,
    family_cells,
    roll_up,
)
from familyreach.insight.simulate import (
    Assumptions,
    ServicePoint,
    SimulationArea,
    fit_intercept,
    nearest_minutes,
    predict_reach,
    scenario_effect,
    simulate_population,
    straight_line_minutes,
)

AS_OF = date(2026, 6, 30)


def make_areas() -> list[SimulationArea]:
    """A 6 × 6 grid of areas around Norwich; the deprived ones cluster in the east."""
    rng = np.random.default_rng(7)
    areas = []
    for row in range(6):
        for column in range(6):
            score = 0.05 + 0.08 * column + float(rng.random()) * 0.02
            areas.append(
                SimulationArea(
                    area_id=row * 6 + column + 1,
                    district_id=1 + column // 3,
                    under_fives=float(60 + rng.integers(0, 80)),
                    idaci_score=score,
                    greatest_need=column >= 4,
                    latitude=52.5 + row * 0.05,
                    longitude=1.0 + column * 0.08,
                )
            )
    return areas


AREAS = make_areas()
TODAY = [ServicePoint("West base", 52.6, 1.05)]


def test_intercept_hits_the_calibration_target_exactly_in_expectation() -> None:
    assumptions = Assumptions()
    minutes = nearest_minutes(straight_line_minutes(AREAS, TODAY, assumptions))
    intercept = fit_intercept(AREAS, minutes, assumptions)
    prediction = predict_reach(AREAS, minutes, intercept, assumptions)
    assert prediction.greatest_need_reach == pytest.approx(0.75, abs=1e-6)
    # Take-up falls with travel time and deprivation: the far, deprived east is reached less.
    assert prediction.overall_reach > prediction.greatest_need_reach


def test_a_seeded_run_leaves_about_a_quarter_of_greatest_need_families_unseen() -> None:
    population = simulate_population(AREAS, TODAY, families=6000, months=18, seed=11, as_of=AS_OF)
    assert population.families == 6000
    assert population.unseen_share_greatest_need() == pytest.approx(0.25, abs=0.03)
    # Counted through the measures, greatest-need families seen in the window agree.
    families = [
        FamilyRow(i, int(population.area_index[i]), tuple(population.child_birth_days[i]))
        for i in range(population.families)
        if population.registered[i]
    ]
    contacts = [
        ContactRow(int(family), day, kind)
        for family, day, kind in zip(
            population.contact_family,
            population.contact_days,
            population.contact_kinds,
            strict=True,
        )
    ]
    cells = family_cells(families, contacts, as_of=AS_OF, config=MeasureConfig())
    area_rows = [
        AreaRow(
            index,
            str(index),
            str(index),
            area.district_id,
            "d",
            None,
            0.0,
            True,
            area.greatest_need,
        )
        for index, area in enumerate(AREAS)
    ]
    report = roll_up(cells, area_rows)
    in_need = int(population.greatest_need.sum())
    assert report.greatest_need.counts.seen_families == int(
        population.seen[population.greatest_need].sum()
    )
    assert 1 - report.greatest_need.counts.seen_families / in_need == pytest.approx(0.25, abs=0.03)


def test_the_same_seed_gives_the_same_families_and_another_seed_does_not() -> None:
    first = simulate_population(AREAS, TODAY, families=500, months=24, seed=3, as_of=AS_OF)
    again = simulate_population(AREAS, TODAY, families=500, months=24, seed=3, as_of=AS_OF)
    other = simulate_population(AREAS, TODAY, families=500, months=24, seed=4, as_of=AS_OF)
    assert np.array_equal(first.area_index, again.area_index)
    assert first.child_birth_days == again.child_birth_days
    assert first.contact_days == again.contact_days
    assert first.contact_kinds == again.contact_kinds
    assert not np.array_equal(first.area_index, other.area_index)


def test_families_follow_estimated_under_fives() -> None:
    population = simulate_population(AREAS, TODAY, families=20000, months=12, seed=5, as_of=AS_OF)
    counts = np.bincount(population.area_index, minlength=len(AREAS))
    expected = np.array([area.under_fives for area in AREAS])
    expected = expected / expected.sum() * 20000
    assert np.abs(counts - expected).max() < 5 * np.sqrt(expected.max())


def test_lapsed_families_have_no_contact_in_the_window() -> None:
    population = simulate_population(AREAS, TODAY, families=800, months=30, seed=9, as_of=AS_OF)
    window_start = MeasureConfig().window_start(AS_OF)
    seen_in_window = {
        int(family)
        for family, day in zip(population.contact_family, population.contact_days, strict=True)
        if window_start <= day <= AS_OF
    }
    assert seen_in_window == set(np.flatnonzero(population.seen).tolist())
    assert min(population.contact_days) >= AS_OF.replace(year=AS_OF.year - 3)


def test_an_outreach_point_in_the_deprived_east_raises_greatest_need_reach() -> None:
    assumptions = Assumptions()
    today = nearest_minutes(straight_line_minutes(AREAS, TODAY, assumptions))
    with_east = nearest_minutes(
        straight_line_minutes(AREAS, [*TODAY, ServicePoint("East hall", 52.62, 1.36)], assumptions)
    )
    effect = scenario_effect(
        AREAS, baseline_minutes=today, scenario_minutes=with_east, label="option C"
    )
    assert effect.baseline.greatest_need_reach == pytest.approx(0.75, abs=1e-6)
    assert effect.scenario.greatest_need_reach > effect.baseline.greatest_need_reach
    assert effect.sentence.startswith(
        "With option C, the simulated share of greatest-need under-fives in families seen rises "
        "from 75 %"
    )
    assert any("ESTIMATED" in line for line in effect.as_dict()["assumptions"])  # type: ignore[union-attr]


def test_bad_inputs_are_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        Assumptions(target_unreached_greatest_need=1.5)
    with pytest.raises(ValueError, match="service point"):
        straight_line_minutes(AREAS, [], Assumptions())
    with pytest.raises(ValueError, match="families"):
        simulate_population(AREAS, TODAY, families=0, months=12, seed=1, as_of=AS_OF)
