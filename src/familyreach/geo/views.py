"""The planner's view of the county's areas: a map and a sortable table of the same data."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from familyreach.accounts.roles import Role
from familyreach.geo.models import District
from familyreach.geo.population import under_fives_totals
from familyreach.geo.selectors import (
    AREA_SORTS,
    area_table,
    areas_geojson,
    normalise_area_sort,
)

AREA_VIEWER_ROLES = (Role.PLANNER, Role.MANAGER)
COLUMNS = (
    ("name", "Area"),
    ("district", "District"),
    ("imd_rank", "IMD 2019 rank"),
    ("idaci_decile", "IDACI decile"),
    ("population", "Population (mid-2019)"),
    ("under_fives", "Under-fives"),
)


def _require_area_viewer(request: HttpRequest) -> None:
    user = request.user
    if getattr(user, "is_superuser", False):
        return  # as on the planning and insight pages
    if not getattr(user, "has_role", None) or not user.has_role(*AREA_VIEWER_ROLES):  # type: ignore[union-attr]
        raise PermissionDenied("Only planners and service managers can see the areas page.")


def _district_from(request: HttpRequest) -> District | None:
    code = request.GET.get("district", "").strip()
    return District.objects.filter(code=code).first() if code else None


def _sort_in_words(sort: str) -> str:
    labels = dict(COLUMNS)
    key = sort.removeprefix("-")
    direction = "descending" if sort.startswith("-") else "ascending"
    if key == "imd_rank":
        # Rank 1 is the most deprived area in England.
        direction = "least deprived first" if sort.startswith("-") else "most deprived first"
    return f"{labels.get(key, key)}, {direction}"


@login_required
def areas(request: HttpRequest) -> HttpResponse:
    _require_area_viewer(request)
    district = _district_from(request)
    sort = normalise_area_sort(request.GET.get("sort"))
    rows = area_table(district=district, sort=sort)
    query_district = f"&district={district.code}" if district else ""
    headers = []
    for key, label in COLUMNS:
        current = sort.removeprefix("-") == key
        descending = sort.startswith("-")
        next_sort = f"-{key}" if current and not descending else key
        headers.append(
            {
                "key": key,
                "label": label,
                "href": f"?sort={next_sort}{query_district}",
                "aria_sort": ("descending" if descending else "ascending") if current else "none",
            }
        )
    geojson_url = reverse("geo:areas-geojson") + (f"?district={district.code}" if district else "")
    return render(
        request,
        "geo/areas.html",
        {
            "rows": rows,
            "headers": headers,
            "districts": District.objects.order_by("name"),
            "district": district,
            "sort": sort,
            # The caption in words ("deprivation rank, most deprived first"), not the key.
            "sort_label": _sort_in_words(sort),
            "sorts": AREA_SORTS,
            "geojson_url": geojson_url,
            "greatest_need_count": sum(1 for row in rows if row.greatest_need),
            "estimated": any(row.area.under_fives_is_estimate for row in rows),
            "under_fives": under_fives_totals(row.area for row in rows),
        },
    )


@login_required
def areas_geojson_view(request: HttpRequest) -> JsonResponse:
    _require_area_viewer(request)
    return JsonResponse(areas_geojson(district=_district_from(request)))
