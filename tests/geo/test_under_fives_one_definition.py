"""Under-fives have one definition: planning's inputs, insight's reach measures and simulator,
geo's need weight and selector all give the same figures for the same areas."""

from datetime import date

import pytest

from familyreach.geo.models import Area
from familyreach.geo.need import need_weight_array, need_weights
from familyreach.geo.population import under_fives_of
from familyreach.geo.selectors import under_fives_summary
from familyreach.insight.measures import Cells, MeasureConfig, roll_up
from familyreach.insight.selectors import area_rows
from familyreach.insight.simulation_database import simulation_areas
from familyreach.planning import inputs
from tests.fixtures.geo import NorfolkWorld


def test_every_consumer_sees_the_same_under_fives(norfolk: NorfolkWorld) -> None:
    # One area on the labelled fallback, as in a council whose file lacks an area.
    Area.objects.filter(code="E01026419").update(
        under_fives=100.5,
        under_fives_is_estimate=True,
        under_fives_label="Estimate: 0–15 (mid-2015) × 0.335",
    )
    expected_total = 45_540 - 14 - 11 - 14 - 16 - 18 + 100.5  # Breckland 010A counted 73
    summary = under_fives_summary()
    assert summary.total == pytest.approx(expected_total)
    assert (summary.areas_counted, summary.areas_estimated) == (537, 1)

    planning = inputs.load_areas()
    assert planning.under_fives.sum() == pytest.approx(expected_total)
    assert planning.under_fives_is_estimate is True
    assert planning.under_fives_totals.source == summary.source

    report = roll_up(Cells(as_of=date(2026, 6, 30), config=MeasureConfig()), area_rows())
    assert report.total.estimated_under_fives == pytest.approx(expected_total)
    assert report.under_fives_source == summary.source
    assert report.any_estimate is True

    simulated = simulation_areas(list(Area.objects.order_by("code")))
    assert sum(area.under_fives for area in simulated) == pytest.approx(expected_total)

    areas = list(Area.objects.order_by("code"))
    weights = need_weights()
    assert need_weight_array(areas).sum() == pytest.approx(
        sum(under_fives_of(a) * weights.get(a.idaci_decile or 0, 1.0) for a in areas)
    )
    assert summary.source == (
        "ONS mid-2019 single year of age in 537 areas; estimate: 0–15 (mid-2015) × 0.335 in "
        "1 area with no count (marked “est.”)."
    )
