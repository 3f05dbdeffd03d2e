"""Cost per family seen: spend ÷ families seen, per district and for the county."""

from datetime import date

import pytest

from familyreach.insight.measures import AreaRow, Cells, Counts, MeasureConfig, roll_up
from familyreach.insight.money import DistrictSpend, money_by_district


def test_cost_per_family_seen_by_district() -> None:
    areas = [
        AreaRow(1, "A", "A", 1, "North", 1, 100.0, True, True),
        AreaRow(2, "B", "B", 2, "South", 5, 100.0, True, False),
    ]
    cells = Cells(as_of=date(2026, 6, 30), config=MeasureConfig())
    cells.reach[(1, 0)] = Counts(50, 60, 40, 48, 20, 24)
    cells.reach[(2, 0)] = Counts(30, 30, 10, 10, 5, 5)
    report = roll_up(cells, areas)
    spend = [
        DistrictSpend(1, "North", buildings=60000.0, frontline=140000.0),
        DistrictSpend(2, "South", buildings=0.0, frontline=50000.0),
    ]
    districts, county = money_by_district(spend, report)
    by_name = {row.label: row for row in districts}
    assert by_name["North"].cost_per_family_seen == pytest.approx(200000 / 40)
    assert by_name["North"].buildings_share == pytest.approx(0.3)
    assert by_name["South"].cost_per_family_seen == pytest.approx(5000.0)
    assert county.total == 250000.0
    assert county.cost_per_family_seen == pytest.approx(250000 / 50)
