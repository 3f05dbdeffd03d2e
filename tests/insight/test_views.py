"""Reach dashboards: who may see them, what they show, and a fixed number of queries."""

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.insight.disclosure import roll_up_published
from familyreach.insight.measures import MeasureConfig, family_cells
from familyreach.insight.selectors import area_rows, raw_rows
from familyreach.insight.services import reach_snapshot_refresh
from familyreach.insight.tables import percent
from tests.fixtures.insight import ReachWorld


@pytest.fixture
def snapshot_world(reach_world: ReachWorld) -> ReachWorld:
    reach_snapshot_refresh(as_of=reach_world.as_of)
    return reach_world


def expected_report(world: ReachWorld, **scope: Any) -> Any:
    families, contacts = raw_rows()
    cells = family_cells(
        families, contacts, as_of=world.as_of, config=MeasureConfig.from_settings()
    )
    return roll_up_published(
        cells,
        area_rows(),
        threshold=settings.INSIGHT_SUPPRESSION_THRESHOLD,
        **scope,
    )


@pytest.mark.parametrize(
    "url",
    [
        reverse("insight:dashboard"),
        reverse("insight:data"),
        reverse("insight:export-csv"),
        reverse("insight:export-xlsx"),
    ],
)
def test_family_workers_and_volunteers_are_refused(
    snapshot_world: ReachWorld, make_user: Any, url: str, signed_in: Callable[[User], Client]
) -> None:
    for role in (Role.FAMILY_WORKER, Role.VOLUNTEER):
        assert signed_in(make_user(role)).get(url).status_code == 403


def test_signed_out_people_are_sent_to_sign_in(snapshot_world: ReachWorld) -> None:
    response = Client().get(reverse("insight:dashboard"))
    assert response.status_code == 302
    assert "/staff/sign-in" in response["Location"]


def test_dashboard_figures_match_a_recount_from_raw_rows(
    snapshot_world: ReachWorld, manager: Any, signed_in: Callable[[User], Client]
) -> None:
    expected = expected_report(snapshot_world)
    response = signed_in(manager).get(reverse("insight:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert percent(expected.total.registered_reach) in page
    assert percent(expected.total.seen_reach) in page
    assert percent(expected.greatest_need.not_seen_share) in page
    assert 'data-testid="estimate-label"' in page  # the under-fives are estimates
    assert 'data-testid="simulated-label"' not in page  # nothing simulated in this world
    for district in snapshot_world.districts:
        assert reverse("insight:district", args=[district.code]) in page


def test_the_dashboard_says_where_its_under_fives_come_from(
    snapshot_world: ReachWorld, manager: Any, signed_in: Callable[[User], Client]
) -> None:
    from familyreach.geo.models import Area

    Area.objects.filter(code="E01026633").update(
        under_fives_is_estimate=False, under_fives_label="ONS mid-2019 single year of age"
    )
    page = signed_in(manager).get(reverse("insight:dashboard")).content.decode()
    others = Area.objects.exclude(code="E01026633").count()
    assert (
        "Source of under-five figures: ONS mid-2019 single year of age in 1 area; estimate: "
        f"0–15 (mid-2015) × 0.335 in {others} areas with no count (marked “est.”)." in page
    )
    assert 'data-testid="estimate-label"' in page  # some are still estimates
    Area.objects.update(
        under_fives_is_estimate=False, under_fives_label="ONS mid-2019 single year of age"
    )
    page = signed_in(manager).get(reverse("insight:dashboard")).content.decode()
    assert (
        "Source of under-five figures: ONS mid-2019 single year of age (counted in every area)."
        in page
    )
    assert 'data-testid="estimate-label"' not in page
    assert "(on estimated under-fives)" not in page


def test_drill_down_to_district_and_area(
    snapshot_world: ReachWorld, planner: Any, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(planner)
    yarmouth = snapshot_world.districts[0]
    response = client.get(reverse("insight:district", args=[yarmouth.code]))
    expected = expected_report(snapshot_world, district_id=yarmouth.pk)
    page = response.content.decode()
    assert percent(expected.total.seen_reach) in page
    assert reverse("insight:area", args=["E01026633"]) in page
    assert "Norwich 010A" not in page
    response = client.get(reverse("insight:area", args=["E01026633"]))
    assert response.status_code == 200
    assert "Great Yarmouth 009A" in response.content.decode()
    assert client.get(reverse("insight:area", args=["E0NOTREAL"])).status_code == 404


def test_the_dashboard_does_a_fixed_number_of_queries(
    snapshot_world: ReachWorld,
    manager: Any,
    django_assert_num_queries: Any,
    signed_in: Callable[[User], Client],
) -> None:
    client = signed_in(manager)
    # Session, user, snapshot, the latest refresh (its status), areas, greatest-need areas,
    # the user's groups three times (access check, the "plan outreach" button, navigation),
    # and for a manager whether any safeguarding message is unsent; then the quarter's contact
    # and peer-led sessions: requests for support, referrals, sessions held and groups'
    # meetings (and, where there are any, the requests' contacts, families and the venues'
    # areas: one query each, however many).
    with django_assert_num_queries(14):
        assert client.get(reverse("insight:dashboard")).status_code == 200
    # Doubling the families does not change the number of queries.
    from familyreach.families.models import Family

    for family in Family.objects.all()[:10]:
        family.pk = None
        family.save()
    reach_snapshot_refresh(as_of=snapshot_world.as_of)
    with django_assert_num_queries(14):
        assert client.get(reverse("insight:dashboard")).status_code == 200
    with django_assert_num_queries(15):  # plus the district
        assert client.get(reverse("insight:district", args=["E07000145"])).status_code == 200


def test_chart_data_has_the_tables_figures(
    snapshot_world: ReachWorld, manager: Any, signed_in: Callable[[User], Client]
) -> None:
    data = signed_in(manager).get(reverse("insight:data")).json()
    expected = expected_report(snapshot_world)
    assert [row["month"] for row in data["months"]] == [month.month for month in expected.months]
    # Suppressed months are null in the chart data, as "[c]" in the table.
    assert [row["families_seen"] for row in data["months"]] == [
        None if "families_seen" in month.hidden else month.families_seen
        for month in expected.months
    ]
    assert {area["code"] for area in data["areas"]} == {"E01026633", "E01026640", "E01026800"}
    assert data["under_fives_are_estimated"] is True
    assert data["under_fives_source"] == "estimated: 0–15 (mid-2015) × 0.335 in every area."
    assert data["simulated"] is False
    assert any("ESTIMATED" in note for note in data["notes"])


def test_csv_export(
    snapshot_world: ReachWorld, manager: Any, signed_in: Callable[[User], Client]
) -> None:
    response = signed_in(manager).get(reverse("insight:export-csv") + "?table=districts")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="reach-county-2026-06-30-districts.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    expected = {figures.label: figures for figures in expected_report(snapshot_world).districts}
    assert {row["Name"] for row in rows} == set(expected)
    for row in rows:
        figures = expected[row["Name"]]
        if "seen_families" in figures.hidden:
            assert row["Families seen"] == "[c]"
        else:
            assert int(row["Families seen"]) == figures.counts.seen_families
        assert row["Under-fives are estimated"] == "True"
    bad = signed_in(manager).get(reverse("insight:export-csv") + "?table=nope")
    assert bad.status_code == 400
    assert "choose one of" in bad.content.decode()


def test_excel_export(
    snapshot_world: ReachWorld, manager: Any, signed_in: Callable[[User], Client]
) -> None:
    response = signed_in(manager).get(reverse("insight:export-xlsx"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:3] == ["Notes", "Summary", "Districts"]
    notes = [row[0] for row in workbook["Notes"].iter_rows(values_only=True)]
    assert any("ESTIMATED" in str(note) for note in notes)
    summary = list(workbook["Summary"].iter_rows(values_only=True))
    expected = expected_report(snapshot_world)
    assert summary[1][2] == expected.total.counts.registered_families


def test_no_figures_yet_offers_to_work_them_out(
    reach_world: ReachWorld, manager: Any, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(manager)
    page = client.get(reverse("insight:dashboard")).content.decode()
    assert "No reach figures have been worked out yet" in page
    response = client.post(reverse("insight:refresh"))
    assert response.status_code == 302
    assert "Headline figures" in client.get(reverse("insight:dashboard")).content.decode()


def test_trend_exports_rolling_and_by_target_group(
    snapshot_world: ReachWorld, manager: Any, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(manager)
    expected = expected_report(snapshot_world)
    response = client.get(reverse("insight:export-csv") + "?table=months")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    rolling = "Families seen in the 12 months to the month's end"
    assert [row[rolling] for row in rows] == [
        "[c]" if "seen_in_window" in month.hidden else str(month.seen_in_window)
        for month in expected.months
    ]
    assert any(month.seen_in_window for month in expected.months)
    response = client.get(reverse("insight:export-csv") + "?table=months_by_group")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == expected.config.trend_months
    assert expected.month_groups is not None
    lone = {point.month: point for point in expected.month_groups["lone_parent"]}
    for row in rows:
        point = lone[row["Month"]]
        assert row["Lone parent"] == ("[c]" if point.hidden else str(point.families_seen))
