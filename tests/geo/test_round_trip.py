from io import StringIO

import pytest
from django.core.management import call_command

from familyreach.geo.models import Area, District, Postcode, Venue, VenueKind, VenueStatus
from familyreach.geo.norfolk import norfolk_data_dir
from tests.geo.test_population_import import norfolk_population_import

NORFOLK_DISTRICTS = "E07000143,E07000144,E07000145,E07000146,E07000147,E07000148,E07000149"


def test_the_generic_importers_rebuild_norfolk_with_the_same_counts(db: object) -> None:
    data = norfolk_data_dir()
    out = StringIO()
    call_command(
        "geo_import_deprivation",
        str(data / "lsoa_deprivation_iod2019.csv"),
        "--centroids",
        str(data / "lsoa_centroids.csv"),
        "--council",
        "E10000020",
        "--council-name",
        "Norfolk",
        "--districts",
        NORFOLK_DISTRICTS,
        stdout=out,
    )
    # Later imports need only the council: its districts are now recorded.
    call_command(
        "geo_import_deprivation",
        str(data / "lsoa_population.csv"),
        "--council",
        "E10000020",
        stdout=out,
    )
    call_command(
        "geo_import_codepoint",
        str(data / "postcodes_codepoint_open_2014.csv"),
        "--council",
        "E10000020",
        stdout=out,
    )
    call_command(
        "geo_import_libraries", str(data / "libraries.csv"), "--council", "E10000020", stdout=out
    )
    call_command(
        "geo_import_gias", str(data / "schools_gias_2025.csv"), "--council", "E10000020", stdout=out
    )

    assert District.objects.count() == 7
    assert Area.objects.count() == 538
    assert Postcode.objects.count() == 27_648
    assert Venue.objects.filter(kind=VenueKind.LIBRARY).count() == 48
    assert Venue.objects.filter(kind=VenueKind.SCHOOL).count() == 465
    assert Venue.objects.filter(status=VenueStatus.CLOSED).count() == 1
    most_deprived = Area.objects.order_by("imd_rank").first()
    assert most_deprived is not None
    assert (most_deprived.code, most_deprived.imd_rank) == ("E01026625", 39)
    assert most_deprived.imd_score == pytest.approx(78.389)
    assert most_deprived.under_fives_is_estimate is True
    assert most_deprived.under_fives_label == "Estimate: 0–15 (mid-2015) × 0.335"
    assert sum(a.population_0_15 or 0 for a in Area.objects.all()) == 148_600
    # The ONS single-year file then gives the counts `load-norfolk` loads.
    norfolk_population_import(
        str(data / "lsoa_population_single_year_0_15_mid2019.csv"), stdout=out
    )
    assert "538 areas now have counted under-fives (45,540 aged 0 to 4, mid-2019)" in (
        out.getvalue()
    )
    assert not Area.objects.filter(under_fives_is_estimate=True).exists()
    assert sum(a.under_fives or 0 for a in Area.objects.all()) == 45_540
    assert sum(a.population_0_15 or 0 for a in Area.objects.all()) == 154_108
    # Schools placed from eastings/northings land where the published lat/lon put them.
    school = Venue.objects.get(source_reference="120765")
    assert (school.latitude, school.longitude) == pytest.approx((52.639721, 0.21035), abs=2e-6)

    # Running an import again changes nothing.
    call_command(
        "geo_import_gias", str(data / "schools_gias_2025.csv"), "--council", "E10000020", stdout=out
    )
    assert "0 new, 0 updated, 465 unchanged" in out.getvalue()
