from pathlib import Path

import pytest

from familyreach.geo.models import Area, District, Postcode, Venue, VenueKind, VenueStatus
from familyreach.geo.norfolk import SINGLE_YEAR_FILE, load_norfolk
from familyreach.geo.population import DEFAULT_UNDER_FIVES_RATIO, under_fives_of, under_fives_totals
from tests.fixtures.geo import NorfolkWorld


def test_the_real_norfolk_files_give_the_published_counts(norfolk: NorfolkWorld) -> None:
    assert District.objects.count() == 7
    assert Area.objects.count() == 538
    assert Postcode.objects.count() == 27_648
    assert Venue.objects.filter(kind=VenueKind.LIBRARY).count() == 48
    assert Venue.objects.filter(kind=VenueKind.SCHOOL).count() == 465
    assert set(District.objects.values_list("council_code", flat=True)) == {"E10000020"}
    counts = {d.name: d.areas.count() for d in District.objects.all()}
    assert counts == {
        "Breckland": 78,
        "Broadland": 84,
        "Great Yarmouth": 61,
        "King's Lynn and West Norfolk": 89,
        "North Norfolk": 62,
        "Norwich": 83,
        "South Norfolk": 81,
    }


def test_the_most_deprived_area_is_great_yarmouth_006d(norfolk: NorfolkWorld) -> None:
    most_deprived = Area.objects.order_by("imd_rank").first()
    assert most_deprived is not None
    assert most_deprived.code == "E01026625"
    assert most_deprived.name == "Great Yarmouth 006D"
    assert most_deprived.imd_rank == 39
    assert most_deprived.imd_score == pytest.approx(78.389)
    assert most_deprived.imd_decile == 1
    assert most_deprived.idaci_rank == 320
    assert most_deprived.district == norfolk.great_yarmouth
    assert Area.objects.filter(imd_decile=1).count() == 40


def test_population_totals_match_the_sources(norfolk: NorfolkWorld) -> None:
    areas = Area.objects.all()
    assert sum(a.population_total or 0 for a in areas) == 907_760
    # The 0–15 counts are the ONS mid-2019 single years (SOURCES.md file 11), which replace the
    # mid-2015 IoD denominators (148,600) along with the under-fives.
    assert sum(a.population_0_15 or 0 for a in areas) == 154_108
    assert set(areas.values_list("population_0_15_year", flat=True)) == {2019}
    breckland = sum(a.population_total or 0 for a in areas.filter(district=norfolk.breckland))
    assert breckland == 139_968


def test_under_fives_are_the_ons_mid_2019_counts(norfolk: NorfolkWorld) -> None:
    areas = Area.objects.all()
    assert sum(under_fives_of(area) for area in areas) == 45_540
    totals = under_fives_totals(areas)
    assert (totals.total, totals.areas_counted, totals.areas_estimated) == (45_540, 538, 0)
    assert totals.source == "ONS mid-2019 single year of age (counted in every area)."
    # Great Yarmouth 006D: 36 + 44 + 39 + 44 + 36 aged 0 to 4 (the estimate was 522 × 0.335).
    area = Area.objects.get(pk=norfolk.most_deprived_area.pk)
    assert area.under_fives == 199
    assert area.under_fives_is_estimate is False
    assert area.under_fives_label == "ONS mid-2019 single year of age"
    assert "SAPE22DT2" in area.under_fives_source
    assert "OGL" in area.under_fives_source


def test_without_the_single_year_file_the_estimate_is_used_and_labelled(
    db: object, tmp_path: Path
) -> None:
    source = Path(__file__).resolve().parents[2] / "data" / "norfolk"
    for file in source.glob("*.csv"):
        if file.name != SINGLE_YEAR_FILE:
            (tmp_path / file.name).write_bytes(file.read_bytes())
    load_norfolk(tmp_path)
    area = Area.objects.get(code="E01026625")
    assert area.under_fives_is_estimate is True
    assert area.population_0_15 == 522
    assert area.under_fives == pytest.approx(522 * DEFAULT_UNDER_FIVES_RATIO, abs=0.1)
    assert area.under_fives_label == "Estimate: 0–15 (mid-2015) × 0.335"
    assert "ESTIMATE" in area.under_fives_method
    assert "mid-2015" in area.under_fives_source
    assert not Area.objects.filter(under_fives_is_estimate=False).exists()
    totals = under_fives_totals(Area.objects.all())
    assert totals.total == pytest.approx(49_783.3, abs=0.05)  # the figure before real counts
    assert totals.source == "estimated: 0–15 (mid-2015) × 0.335 in every area."


def test_postcode_areas_are_inferred_within_the_postcodes_district(norfolk: NorfolkWorld) -> None:
    assert not Postcode.objects.filter(area_is_exact=True).exists()
    assert not Postcode.objects.filter(area__isnull=True).exists()
    mismatched = Postcode.objects.exclude(area__district=models_f("district"))
    assert mismatched.count() == 0


def models_f(name: str) -> object:
    from django.db.models import F

    return F(name)


def test_libraries_are_placed_at_postcode_centroids(norfolk: NorfolkWorld) -> None:
    libraries = norfolk.libraries
    assert libraries.filter(status=VenueStatus.OPEN).count() == 47
    closed = libraries.get(status=VenueStatus.CLOSED)
    assert closed.name == "Attleborough Library"
    assert closed.postcode == "NR17 2BW"
    assert not libraries.filter(position_is_exact=True).exists()
    assert all("Postcode centroid" in v.position_source for v in libraries)
    assert norfolk.thetford_library.town == "Thetford"
    assert norfolk.thetford_library.district == norfolk.breckland


def test_schools_use_gias_positions_and_2011_areas(norfolk: NorfolkWorld) -> None:
    schools = norfolk.schools
    assert not schools.filter(position_is_exact=False).exists()
    assert not schools.filter(area__isnull=True).exists()
    inferred = [s for s in schools if not s.details["area_is_exact"]]
    assert len(inferred) == 18
    # For the 447 schools whose LSOA code is a 2011 code, the area is that code.
    exact = [s for s in schools.select_related("area") if s.details["area_is_exact"]]
    assert all(s.area is not None and s.area.code == s.details["lsoa21_code"] for s in exact)
    assert all(
        s.district_id == s.area.district_id for s in schools.select_related("area") if s.area
    )


def test_loading_again_updates_and_never_duplicates(norfolk: NorfolkWorld) -> None:
    library = norfolk.thetford_library
    library.name = "Changed by hand"
    library.save()
    area = norfolk.most_deprived_area
    area.imd_rank = 1
    area.save()
    summary = load_norfolk()
    assert summary.venues_created == 0
    assert summary.venues_updated == 1
    assert Venue.objects.count() == 513
    assert Postcode.objects.count() == 27_648
    assert Area.objects.count() == 538
    library.refresh_from_db()
    area.refresh_from_db()
    assert library.name == "Thetford Library"
    assert area.imd_rank == 39
    # The venue kept its id, so anything pointing at it still does.
    assert Venue.objects.get(name="Thetford Library").pk == library.pk
