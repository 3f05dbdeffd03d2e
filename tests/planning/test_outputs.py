"""Words and figures people read: the optimiser's account and the measures."""

import numpy as np
import pytest

from familyreach.planning.measures import AreaResults, compute_measures, weighted_percentile
from familyreach.planning.models import ScenarioRun
from familyreach.planning.outputs import optimiser_text


def test_an_unproven_answer_is_never_called_optimal() -> None:
    run = ScenarioRun(
        proven_optimal=False, optimiser_status="time_limit", gap=0.0312, time_limit_hit=True
    )
    text = optimiser_text(run)
    assert text.startswith("Bases: not proven optimal (status: time_limit).")
    assert "within 3.12% of the best possible" in text
    assert "The time limit stopped the search." in text
    assert "proven optimal for" not in text


def test_no_bound_says_the_distance_from_the_best_is_unknown() -> None:
    text = optimiser_text(ScenarioRun(proven_optimal=False, optimiser_status="feasible", gap=None))
    assert "how far it is from the best is unknown" in text


def test_weighted_percentile_is_a_time_some_area_has() -> None:
    minutes = np.array([10.0, 20.0, 30.0, 40.0])
    weights = np.array([50.0, 30.0, 15.0, 5.0])
    assert weighted_percentile(minutes, weights, 0.9) == 30.0  # 95% at or below 30
    assert weighted_percentile(minutes, weights, 0.5) == 10.0  # exactly half at 10


def test_measures_count_greatest_need_areas_beyond_a_threshold() -> None:
    results = AreaResults(
        codes=["A", "B", "C"],
        names=["A", "B", "C"],
        district_codes=["D1", "D1", "D2"],
        district_names=["One", "One", "Two"],
        under_fives=np.array([100.0, 50.0, 25.0]),
        greatest_need=np.array([True, True, False]),
        base_minutes=np.array([10.0, 40.0, np.inf]),
        service_minutes=np.array([10.0, 35.0, 20.0]),
    )
    summary = compute_measures(results, [15.0, 30.0])
    service30 = summary["measures"]["service"]["30"]
    assert service30["share"] == pytest.approx(125 / 175)
    assert service30["greatest_need_share"] == pytest.approx(100 / 150)
    assert service30["greatest_need_areas_beyond"] == 1
    assert service30["greatest_need_beyond_under_fives"] == 50
    assert summary["measures"]["base_mean_minutes"] is None  # an area reaches no base
    assert summary["worst_served"][0]["code"] == "B"
    assert [row["code"] for row in summary["districts"]] == ["D1", "D2"]
