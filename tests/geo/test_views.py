from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.geo.models import Area
from tests.fixtures.geo import NorfolkWorld


def test_planners_see_every_area(
    norfolk: NorfolkWorld, planner: Any, signed_in: Callable[[User], Client]
) -> None:
    response = signed_in(planner).get(reverse("geo:areas"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Great Yarmouth 006D" in html
    assert html.count('<tr class="govuk-table__row">') == 538 + 1
    assert ">Under-fives<" in html
    assert (
        "Source of under-five figures: ONS mid-2019 single year of age (counted in every area)."
        in html
    )
    assert "est.</span>" not in html
    assert "<script>" not in html  # no inline scripts (strict CSP)
    assert 'style="' not in html


def test_the_default_order_is_most_deprived_first(
    norfolk: NorfolkWorld, manager: Any, signed_in: Callable[[User], Client]
) -> None:
    html = signed_in(manager).get(reverse("geo:areas")).content.decode()
    assert html.index("E01026625") < html.index("E01026419")


@pytest.mark.parametrize(
    ("sort", "first", "last"),
    [("under_fives", "least", "most"), ("-under_fives", "most", "least")],
)
def test_sorting_works_without_javascript(
    norfolk: NorfolkWorld,
    planner: Any,
    sort: str,
    first: str,
    last: str,
    signed_in: Callable[[User], Client],
) -> None:
    district = norfolk.great_yarmouth
    response = signed_in(planner).get(
        reverse("geo:areas"), {"sort": sort, "district": district.code}
    )
    html = response.content.decode()
    areas = Area.objects.filter(district=district).order_by("under_fives", "code")
    smallest, largest = areas.first(), areas.last()
    assert smallest is not None
    assert largest is not None
    top, bottom = (smallest, largest) if first == "least" else (largest, smallest)
    assert html.index(top.code) < html.index(bottom.code)
    assert (
        'aria-sort="ascending"' in html
        if not sort.startswith("-")
        else 'aria-sort="descending"' in html
    )
    # The column heading links to the reverse order, keeping the district filter.
    reverse_sort = "-under_fives" if sort == "under_fives" else "under_fives"
    assert f"?sort={reverse_sort}&amp;district={district.code}" in html


def test_filter_by_district(
    norfolk: NorfolkWorld, planner: Any, signed_in: Callable[[User], Client]
) -> None:
    response = signed_in(planner).get(
        reverse("geo:areas"), {"district": norfolk.great_yarmouth.code}
    )
    html = response.content.decode()
    assert html.count('<tr class="govuk-table__row">') == 61 + 1
    assert "Breckland 010A" not in html


def test_an_unknown_sort_falls_back_to_the_default(
    norfolk: NorfolkWorld, planner: Any, signed_in: Callable[[User], Client]
) -> None:
    response = signed_in(planner).get(reverse("geo:areas"), {"sort": "drop table"})
    assert response.status_code == 200


def test_the_page_takes_a_fixed_number_of_queries(
    norfolk: NorfolkWorld,
    planner: Any,
    django_assert_max_num_queries: Any,
    signed_in: Callable[[User], Client],
) -> None:
    client = signed_in(planner)
    with django_assert_max_num_queries(12):
        client.get(reverse("geo:areas"))


def test_geojson_has_every_area(
    norfolk: NorfolkWorld, planner: Any, signed_in: Callable[[User], Client]
) -> None:
    data = signed_in(planner).get(reverse("geo:areas-geojson")).json()
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 538
    feature = next(f for f in data["features"] if f["properties"]["code"] == "E01026625")
    assert feature["properties"]["idaci_decile"] == 1
    assert feature["properties"]["under_fives_is_estimate"] is False
    assert feature["properties"]["under_fives"] == 199
    assert feature["properties"]["under_fives_label"] == "ONS mid-2019 single year of age"
    area = norfolk.most_deprived_area
    assert feature["geometry"]["coordinates"] == pytest.approx(
        [area.longitude, area.latitude], abs=1e-6
    )


@pytest.mark.parametrize("name", ["geo:areas", "geo:areas-geojson"])
def test_other_roles_are_refused(
    norfolk: NorfolkWorld,
    family_worker: Any,
    name: str,
    signed_in: Callable[[User], Client],
) -> None:
    assert signed_in(family_worker).get(reverse(name)).status_code == 403


def test_signed_out_people_are_sent_to_sign_in(db: object, client: Client) -> None:
    response = client.get(reverse("geo:areas"))
    assert response.status_code == 302
    assert "/staff/sign-in" in response["Location"]


def test_role_permissions_list_geo(db: object) -> None:
    from familyreach.accounts.roles import role_permissions

    assert "geo.view_area" in role_permissions(Role.PLANNER)
    assert "geo.view_area" not in role_permissions(Role.FAMILY_WORKER)
