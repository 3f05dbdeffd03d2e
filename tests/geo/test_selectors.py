import pytest

from familyreach.geo.exceptions import InvalidPostcode, LookupProblem, PlaceNotFound
from familyreach.geo.selectors import Place, geography_summary, nearest_area, place_lookup
from tests.fixtures.geo import NorfolkWorld


def test_full_postcode_in_any_spelling(norfolk: NorfolkWorld) -> None:
    place = place_lookup(" nr301ne ")
    assert isinstance(place, Place)
    assert place.kind == "postcode"
    assert place.label == "NR30 1NE"
    assert place.query == " nr301ne "
    assert place.district == norfolk.great_yarmouth
    assert place.area is not None
    assert place.area.district == norfolk.great_yarmouth
    assert place.area_is_exact is False
    assert place.latitude == pytest.approx(52.610982)
    assert place.longitude == pytest.approx(1.72652)


def test_outward_code_is_the_mean_of_its_postcodes(norfolk: NorfolkWorld) -> None:
    from django.db.models import Avg

    from familyreach.geo.models import Postcode

    place = place_lookup("nr30")
    mean = Postcode.objects.filter(outward="NR30").aggregate(Avg("latitude"), Avg("longitude"))
    assert place.kind == "outward"
    assert place.label == "NR30"
    assert place.latitude == pytest.approx(mean["latitude__avg"])
    assert place.longitude == pytest.approx(mean["longitude__avg"])
    assert place.district == norfolk.great_yarmouth
    assert place.area_is_exact is False


@pytest.mark.parametrize(
    ("query", "label", "district_code"),
    [
        ("Thetford", "Thetford", "E07000143"),
        ("thetford", "Thetford", "E07000143"),
        ("Gorleston", "Gorleston", "E07000145"),
        ("Wells-next-the-Sea", "Wells-next-the-Sea", "E07000147"),
        ("Breckland", "Breckland", "E07000143"),
        ("Great Yarmouth", "Great Yarmouth", "E07000145"),
    ],
)
def test_place_names(norfolk: NorfolkWorld, query: str, label: str, district_code: str) -> None:
    place = place_lookup(query)
    assert place.kind == "place"
    assert place.label == label
    assert place.district is not None
    assert place.district.code == district_code
    assert place.area is not None


def test_thetford_is_at_its_library(norfolk: NorfolkWorld) -> None:
    place = place_lookup("Thetford")
    assert place.latitude == pytest.approx(norfolk.thetford_library.latitude)
    assert place.longitude == pytest.approx(norfolk.thetford_library.longitude)


def test_area_names_resolve_exactly(norfolk: NorfolkWorld) -> None:
    place = place_lookup("great yarmouth 006d")
    assert place.kind == "place"
    assert place.area == norfolk.most_deprived_area
    assert place.area_is_exact is True


def test_venue_names(norfolk: NorfolkWorld) -> None:
    place = place_lookup("Thetford Library")
    assert place.kind == "venue"
    assert place.label == "Thetford Library"
    assert place.district == norfolk.breckland


def test_ambiguous_venue_names_say_what_to_try(norfolk: NorfolkWorld) -> None:
    with pytest.raises(PlaceNotFound) as caught:
        place_lookup("Academy")
    assert "More than one place" in caught.value.message
    assert "Try the full name" in caught.value.suggestion


@pytest.mark.parametrize("query", ["NR30 1", "N0T 4PC", "123", "NR30 1NEE"])
def test_postcode_like_text_that_is_not_a_postcode(norfolk: NorfolkWorld, query: str) -> None:
    with pytest.raises(InvalidPostcode) as caught:
        place_lookup(query)
    assert caught.value.message == "Enter a real postcode, like NR30 1NE"
    assert isinstance(caught.value, LookupProblem)


def test_unknown_postcode_in_a_known_outward_code(norfolk: NorfolkWorld) -> None:
    with pytest.raises(PlaceNotFound) as caught:
        place_lookup("nr30 9zz")
    assert caught.value.message == "We could not find NR30 9ZZ"
    assert caught.value.suggestion == (
        "We could not find NR30 9ZZ. Try the start of the postcode: NR30"
    )


def test_unknown_outward_code_and_place(norfolk: NorfolkWorld) -> None:
    with pytest.raises(PlaceNotFound) as outward:
        place_lookup("SW1A")
    assert "SW1A" in outward.value.message
    with pytest.raises(PlaceNotFound) as town:
        place_lookup("Atlantis")
    assert town.value.message == "We could not find Atlantis"
    assert "Thetford" in town.value.suggestion
    with pytest.raises(PlaceNotFound):
        place_lookup("   ")


def test_nearest_area_stays_in_the_district(norfolk: NorfolkWorld) -> None:
    area = norfolk.most_deprived_area
    assert nearest_area(area.latitude, area.longitude) == area
    elsewhere = nearest_area(area.latitude, area.longitude, district=norfolk.norwich)
    assert elsewhere is not None
    assert elsewhere.district == norfolk.norwich


def test_summary_counts(norfolk: NorfolkWorld, django_assert_num_queries: object) -> None:
    summary = geography_summary()
    assert summary["districts"] == 7
    assert summary["areas"] == 538
    assert summary["postcodes"] == 27_648
    venues = summary["venues"]
    assert isinstance(venues, dict)
    assert venues["library"] == 48
    assert venues["school"] == 465
    assert venues["childrens_centre"] == 0


def test_postcode_lookup_takes_one_query(norfolk: NorfolkWorld, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(1):
        place_lookup("NR30 1NE")
