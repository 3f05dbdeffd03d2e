"""The public annual report: the dashboard's figures as at each 31 March, for the last two
complete financial years, suppressed as on staff pages, and its open data CSV."""

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from familyreach.insight import tables
from familyreach.insight.annual_report import (
    MEASURES,
    annual_report,
    financial_years,
    improved_outcomes_published,
)
from familyreach.insight.disclosure import MARK
from familyreach.insight.models import ReachSnapshot
from familyreach.insight.selectors import dashboard_report
from familyreach.insight.services import reach_year_end_snapshots_ensure
from familyreach.outcomes.models import OutcomeGoal
from familyreach.outcomes.services import plan_review_record, plan_start
from tests.fixtures.insight import ReachWorld

pytestmark = pytest.mark.django_db

# In May 2026 the last complete financial year is April 2025 to March 2026.
IN_MAY_2026 = datetime(2026, 5, 4, 10, tzinfo=UTC)
FAMILY_WORDS = "Quillonby wants calmer bedtimes"


def test_the_last_complete_year_ends_on_the_31_march_already_passed() -> None:
    def ends(today: date) -> list[date]:
        return [year.end for year in financial_years(today=today)]

    assert ends(date(2026, 3, 31)) == [date(2025, 3, 31), date(2024, 3, 31)]
    assert ends(date(2026, 4, 1)) == [date(2026, 3, 31), date(2025, 3, 31)]
    assert ends(date(2026, 12, 6)) == [date(2026, 3, 31), date(2025, 3, 31)]
    assert financial_years(today=date(2026, 4, 1))[0].label == "April 2025 to March 2026"


@pytest.fixture
def year_ends(reach_world: ReachWorld) -> ReachWorld:
    made = reach_year_end_snapshots_ensure(today=date(2026, 5, 4))
    assert sorted(snapshot.as_of for snapshot in made) == [date(2025, 3, 31), date(2026, 3, 31)]
    # Already worked out: the scheduled job makes no more.
    assert reach_year_end_snapshots_ensure(today=date(2026, 5, 4)) == []
    return reach_world


def _closed_plan(family: Any, goals: list[OutcomeGoal], start: int, end: int, on: date) -> None:
    plan = plan_start(
        user=None,
        family=family,
        family_words=FAMILY_WORDS,
        goals=goals[:2],
        started_on=date(on.year - 1, on.month, 1),
    )
    plan_review_record(
        user=None,
        plan=plan,
        stage="start",
        held_on=plan.started_on,
        scores={goal.pk: start for goal in goals[:2]},
    )
    plan_review_record(
        user=None,
        plan=plan,
        stage="closure",
        held_on=on,
        scores={goal.pk: end for goal in goals[:2]},
    )


def test_the_page_shows_the_dashboards_figures_of_each_31_march(year_ends: ReachWorld) -> None:
    with time_machine.travel(IN_MAY_2026, tick=False):
        response = Client().get("/annual-report/")
    assert response.status_code == 200
    page = response.content.decode()
    for year_end in (date(2026, 3, 31), date(2025, 3, 31)):
        snapshot = ReachSnapshot.objects.get(as_of=year_end)
        county = dashboard_report(snapshot=snapshot).report
        for key in ("registered_reach", "seen_reach", "sustained_reach", "seen_families"):
            expected = tables.shown(county.total, key)
            assert f'data-figure="{key}-{year_end.year - 1}">{expected}<' in page, key
        for district in year_ends.districts:
            report = dashboard_report(snapshot=snapshot, district_code=district.code).report
            table = page.split('data-testid="district-seen_reach"')[1].split("</table>")[0]
            row = table.split(f">{district.name}</th>")[1].split("</tr>")[0]
            assert f">{tables.shown(report.total, 'seen_reach')}<" in row
    assert "(estimate)" in page  # under-fives here are estimates: labelled
    assert "No network has been adopted" in page
    assert reverse("insight_public:annual-report-csv") in page


def test_reach_in_greatest_need_areas_is_the_complement_of_the_dashboards_gap(
    year_ends: ReachWorld,
) -> None:
    with time_machine.travel(IN_MAY_2026, tick=False):
        report = annual_report(today=date(2026, 5, 4))
    snapshot = ReachSnapshot.objects.get(as_of=date(2026, 3, 31))
    gap = dashboard_report(snapshot=snapshot).report.greatest_need
    value = report.years[0].rows[0].values["greatest_need_reach"]
    if "seen_under_fives" in gap.hidden:
        assert value.text == MARK
    else:
        assert value.value is not None
        assert gap.not_seen_share is not None
        assert value.value == pytest.approx(1 - gap.not_seen_share)


def test_hidden_cells_are_hidden_on_the_page_as_on_the_dashboard(year_ends: ReachWorld) -> None:
    """With a threshold above every count, each count is "[c]" on the staff page and here."""
    from django.test import override_settings

    with override_settings(INSIGHT_SUPPRESSION_THRESHOLD=1000):
        snapshot = ReachSnapshot.objects.get(as_of=date(2026, 3, 31))
        county = dashboard_report(snapshot=snapshot).report
        assert tables.shown(county.total, "seen_reach") == MARK
        report = annual_report(today=date(2026, 5, 4))
    for row in report.years[0].rows:
        for key in ("registered_families", "seen_families", "seen_reach", "sustained_reach"):
            assert row.values[key].text == MARK, (row.name, key)


def test_closed_plans_count_in_the_year_they_closed_with_small_numbers_hidden(
    year_ends: ReachWorld, outcome_goals: list[OutcomeGoal]
) -> None:
    yarmouth = year_ends.districts[0]
    families = [f for f in year_ends.families if f.district_id == yarmouth.pk and not f.archived_at]
    # Six plans closed in 2025–26 in Great Yarmouth: five improved, one not; one in 2024–25.
    for family in families[:5]:
        _closed_plan(family, outcome_goals, 3, 6, date(2025, 11, 3))
    _closed_plan(families[5], outcome_goals, 5, 4, date(2026, 1, 10))
    _closed_plan(families[6], outcome_goals, 3, 6, date(2024, 12, 1))
    report = annual_report(today=date(2026, 5, 4))
    latest, before = report.years
    # One plan did not improve: fewer than 5, so the share is hidden, in the district and, as
    # the other district has none, in the county (its total would give it away).
    assert latest.row(yarmouth.code).values["improved_outcomes"].text == MARK  # type: ignore[union-attr]
    assert latest.rows[0].values["improved_outcomes"].text == MARK
    assert before.row(yarmouth.code).values["improved_outcomes"].text == MARK  # type: ignore[union-attr]
    with pytest.MonkeyPatch.context() as patch:
        from django.conf import settings

        patch.setattr(settings, "INSIGHT_SUPPRESSION_THRESHOLD", 1)
        shown = annual_report(today=date(2026, 5, 4))
    assert shown.years[0].rows[0].values["improved_outcomes"].text == tables.percent(5 / 6)
    assert shown.years[1].rows[0].values["improved_outcomes"].text == "100.0 %"
    # The family's words never reach the public page.
    with time_machine.travel(IN_MAY_2026, tick=False):
        page = Client().get("/annual-report/").content.decode()
    assert FAMILY_WORDS not in page


def test_improved_outcomes_protect_a_district_from_the_county_total() -> None:
    values, by_district = improved_outcomes_published(
        {1: (10, 7), 2: (6, 2)}, [1, 2, 3], threshold=5
    )
    # District 2's improved (2) and not improved (4) are small: hidden; district 1 is hidden
    # too, or the county's total less district 1 would give district 2 away.
    assert by_district[2].text == MARK
    assert by_district[1].text == MARK
    assert values.text == tables.percent(9 / 16)
    assert by_district[3].text == "–"  # no plans closed there
    values, by_district = improved_outcomes_published({1: (10, 5), 2: (12, 6)}, [1, 2], threshold=5)
    assert by_district[1].text == "50.0 %"
    assert by_district[2].text == "50.0 %"


def test_the_csv_is_the_pages_table_with_the_licence(year_ends: ReachWorld) -> None:
    with time_machine.travel(IN_MAY_2026, tick=False):
        response = Client().get("/annual-report.csv")
        report = annual_report(today=date(2026, 5, 4))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    heading, body = rows[0], rows[1:]
    assert heading[5 : 5 + len(MEASURES)] == [measure.csv_heading for measure in MEASURES]
    assert "Seen reach (%)" in heading
    assert len(body) == 2 * (1 + len(year_ends.districts))
    assert "Open Government Licence v3.0" in body[0][-1]
    for line in body:
        year = next(y for y in report.years if y.year.short_label == line[0])
        scope = year.rows[0] if not line[3] else year.row(line[3])
        assert scope is not None
        for measure, cell in zip(MEASURES, line[5 : 5 + len(MEASURES)], strict=True):
            value = scope.values[measure.key]
            # The page's figure as a plain number: 62.1 for "62.1 %", 1234 for "1,234".
            if value.text in (MARK, "–"):
                assert cell == ("" if value.text == "–" else MARK)
            else:
                plain = value.text.replace(",", "").replace("£", "").replace(" %", "")
                assert float(cell) == pytest.approx(float(plain)), (measure.key, cell, value)


def test_before_any_year_end_figures_the_page_says_so() -> None:
    response = Client().get("/annual-report/")
    assert response.status_code == 200
    assert 'data-testid="year-not-ready"' in response.content.decode()
    assert Client().get("/annual-report.csv").status_code == 200


def test_the_footer_of_every_public_page_links_to_it() -> None:
    page = Client().get("/").content.decode()
    assert 'href="/annual-report/"' in page
