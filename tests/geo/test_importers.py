"""Every importer refuses a bad file whole, with a message naming file, line, column and reason."""

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db.models import QuerySet

from familyreach.geo.exceptions import ImportFailed
from familyreach.geo.importers.centroids import import_centroids
from familyreach.geo.importers.deprivation import import_deprivation
from familyreach.geo.importers.population import import_population
from familyreach.geo.importers.postcodes import import_codepoint, import_postcode_directory
from familyreach.geo.importers.scope import Scope, resolve_scope
from familyreach.geo.importers.venues import import_gias, import_libraries, import_venues
from familyreach.geo.models import Area, District, Postcode, Venue
from tests.fixtures.geo import NorfolkWorld

IMD = "Index of Multiple Deprivation (IMD)"
IDACI = "Income Deprivation Affecting Children Index (IDACI)"
FILE7_HEADER = [
    "LSOA code (2011)",
    "LSOA name (2011)",
    "Local Authority District code (2019)",
    "Local Authority District name (2019)",
    f"{IMD} Score",
    f"{IMD} Rank (where 1 is most deprived)",
    f"{IMD} Decile (where 1 is most deprived 10% of LSOAs)",
    f"{IDACI} Score (rate)",
    f"{IDACI} Rank (where 1 is most deprived)",
    f"{IDACI} Decile (where 1 is most deprived 10% of LSOAs)",
]
FILE7_ROW = [
    "E01026625",
    "Great Yarmouth 006D",
    "E07000145",
    "Great Yarmouth",
    "78.389",
    "39",
    "1",
    "0.499",
    "320",
    "1",
]


def database_state() -> str:
    digest = hashlib.sha256()
    for model in (District, Area, Postcode, Venue):
        for row in model.objects.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def csv_text(rows: list[list[str]]) -> str:
    return "\n".join(",".join(f'"{v}"' if "," in v else v for v in row) for row in rows) + "\n"


Importer = Callable[[Path, Scope], object]

# name: (importer, file name, header, a good row)
CASES: dict[str, tuple[Importer, str, list[str], list[str]]] = {
    "deprivation": (
        lambda path, scope: import_deprivation(path, scope=scope),
        "imd.csv",
        FILE7_HEADER,
        FILE7_ROW,
    ),
    "centroids": (
        lambda path, scope: import_centroids(path, scope=scope),
        "pwc.csv",
        ["X", "Y", "objectid", "lsoa11cd", "lsoa11nm"],
        ["1.728594", "52.602025", "1", "E01026625", "Great Yarmouth 006D"],
    ),
    "population": (
        lambda path, scope: import_population(path, scope=scope, year=2019),
        "sape.csv",
        ["LSOA Code", "LSOA Name", "All Ages", "0", "1", "2", "3", "4"],
        ["E01026625", "Great Yarmouth 006D", "1800", "30", "31", "32", "33", "34"],
    ),
    "postcode directory": (
        lambda path, scope: import_postcode_directory(path, scope=scope),
        "onspd.csv",
        ["pcds", "lsoa11", "lat", "long", "oslaua", "osward", "doterm"],
        ["NR30 1NE", "E01026625", "52.610982", "1.72652", "E07000145", "E05005790", ""],
    ),
    "code-point open": (
        lambda path, scope: import_codepoint(path, scope=scope),
        "nr.csv",
        [
            "Postcode",
            "Positional_quality_indicator",
            "Eastings",
            "Northings",
            "Country_code",
            "NHS_regional_HA_code",
            "NHS_HA_code",
            "Admin_county_code",
            "Admin_district_code",
            "Admin_ward_code",
        ],
        [
            "NR301NE",
            "10",
            "652570",
            "307840",
            "E92000001",
            "E19000001",
            "E18000001",
            "E10000020",
            "E07000145",
            "E05005790",
        ],
    ),
    "gias": (
        lambda path, scope: import_gias(path, scope=scope),
        "edubasealldata.csv",
        [
            "URN",
            "EstablishmentName",
            "EstablishmentStatus (name)",
            "Easting",
            "Northing",
            "LSOA (code)",
            "DistrictAdministrative (code)",
        ],
        ["999001", "Test Primary School", "Open", "652570", "307840", "E01026625", "E07000145"],
    ),
    "libraries": (
        lambda path, scope: import_libraries(path, scope=scope),
        "libraries.csv",
        ["library_name", "address_1", "address_2", "address_3", "postcode", "year_closed"],
        ["Test Library", "Tolhouse Street", "Great Yarmouth", "Norfolk", "NR30 2SH", ""],
    ),
    "venues": (
        lambda path, scope: import_venues(path, scope=scope, source="test-halls"),
        "halls.csv",
        ["reference", "name", "kind", "postcode", "latitude", "longitude", "capacity"],
        ["H1", "Test Village Hall", "village_hall", "NR30 2SH", "52.6", "1.72", "80"],
    ),
}
# For each importer: the column to spoil with a wrong code, and one with a figure.
SPOIL: dict[str, tuple[str, str, str, str]] = {
    # name: (code column, wrong code, number column, reason for "abc")
    "deprivation": (
        "LSOA code (2011)",
        "is not an LSOA code",
        f"{IMD} Rank (where 1 is most deprived)",
        "is not a whole number",
    ),
    "centroids": ("lsoa11cd", "is not an LSOA code", "X", "is not a number"),
    "population": ("LSOA Code", "is not an LSOA code", "3", "is not a whole number"),
    "postcode directory": ("pcds", "is not a UK postcode", "lat", "is not a number"),
    "code-point open": ("Postcode", "is not a UK postcode", "Eastings", "is not a number"),
    "gias": ("LSOA (code)", "is not an LSOA code", "Northing", "is not a whole number"),
    "libraries": ("postcode", "is not a UK postcode", None, ""),  # type: ignore[dict-item]
    "venues": ("kind", "is not one of", "capacity", "is not a whole number"),
}


def second_row(name: str, row: list[str]) -> list[str]:
    """A copy of the good row that is a different record (venue references and population
    area codes must be unique)."""
    if name == "venues":
        return ["H9", *row[1:]]
    if name == "population":
        return ["E01026419", *row[1:]]  # Breckland 010A
    return list(row)


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.write_text(csv_text([header, *rows]))
    return path


def norfolk_scope() -> Scope:
    return resolve_scope(council="E10000020")


def read_back(name: str, norfolk: NorfolkWorld) -> tuple["QuerySet[Any]", tuple[object, ...]]:
    """(what the good row of a case left in the database, what the row says)."""
    area = Area.objects.filter(code="E01026625")
    venues = Venue.objects.filter
    postcode = Postcode.objects.filter(compact="NR301NE")
    return {
        "deprivation": (area.values_list("imd_rank", "idaci_decile"), (39, 1)),
        "centroids": (area.values_list("latitude", "longitude"), (52.602025, 1.728594)),
        "population": (area.values_list("under_fives", "population_total"), (160, 1800)),
        "postcode directory": (postcode.values_list("area"), (norfolk.most_deprived_area.pk,)),
        "code-point open": (postcode.values_list("district"), (norfolk.great_yarmouth.pk,)),
        "gias": (venues(source_reference="999001").values_list("name"), ("Test Primary School",)),
        "libraries": (venues(name="Test Library").values_list("postcode"), ("NR30 2SH",)),
        "venues": (venues(source="test-halls").values_list("capacity"), (80,)),
    }[name]


@pytest.mark.parametrize("name", list(CASES))
def test_a_good_file_imports(norfolk: NorfolkWorld, tmp_path: Path, name: str) -> None:
    importer, file_name, header, row = CASES[name]
    # The real Norfolk data already holds these figures: blank them so the import must set them.
    Area.objects.filter(code="E01026625").update(
        imd_rank=None, idaci_decile=None, latitude=0, longitude=0, under_fives=None
    )
    Postcode.objects.filter(compact="NR301NE").delete()
    importer(write(tmp_path / file_name, header, [row]), norfolk_scope())
    stored, expected = read_back(name, norfolk)
    assert stored.get() == expected


@pytest.mark.parametrize("name", list(CASES))
def test_a_missing_column_is_refused(norfolk: NorfolkWorld, tmp_path: Path, name: str) -> None:
    importer, file_name, header, row = CASES[name]
    code_column = SPOIL[name][0]
    index = header.index(code_column)
    before = database_state()
    path = write(
        tmp_path / file_name, header[:index] + header[index + 1 :], [row[:index] + row[index + 1 :]]
    )
    with pytest.raises(ImportFailed) as caught:
        importer(path, norfolk_scope())
    assert str(caught.value).startswith(f"{file_name} line 1: missing column")
    assert database_state() == before


@pytest.mark.parametrize("name", list(CASES))
def test_a_wrong_code_is_refused(norfolk: NorfolkWorld, tmp_path: Path, name: str) -> None:
    importer, file_name, header, row = CASES[name]
    column, reason, _, _ = SPOIL[name]
    bad = second_row(name, row)
    bad[header.index(column)] = "X0102662!"
    before = database_state()
    with pytest.raises(ImportFailed) as caught:
        importer(write(tmp_path / file_name, header, [row, bad]), norfolk_scope())
    assert str(caught.value).startswith(
        f'{file_name} line 3, column "{column}": "X0102662!" {reason}'
    )
    assert database_state() == before


@pytest.mark.parametrize("name", list(CASES))
def test_a_truncated_row_is_refused(norfolk: NorfolkWorld, tmp_path: Path, name: str) -> None:
    importer, file_name, header, row = CASES[name]
    before = database_state()
    with pytest.raises(ImportFailed) as caught:
        importer(write(tmp_path / file_name, header, [row, row[:2]]), norfolk_scope())
    assert str(caught.value) == (
        f"{file_name} line 3: expected {len(header)} values, found 2 (is the row cut short or a comma unquoted?)"
    )
    assert database_state() == before


@pytest.mark.parametrize("name", [name for name in CASES if SPOIL[name][2]])
def test_a_non_numeric_figure_is_refused(norfolk: NorfolkWorld, tmp_path: Path, name: str) -> None:
    importer, file_name, header, row = CASES[name]
    _, _, column, reason = SPOIL[name]
    bad = second_row(name, row)
    bad[header.index(column)] = "abc"
    before = database_state()
    with pytest.raises(ImportFailed) as caught:
        importer(write(tmp_path / file_name, header, [row, bad]), norfolk_scope())
    assert str(caught.value) == f'{file_name} line 3, column "{column}": "abc" {reason}'
    assert database_state() == before


def test_the_deprivation_message_quotes_the_official_header(
    norfolk: NorfolkWorld, tmp_path: Path
) -> None:
    bad = list(FILE7_ROW)
    bad[5] = "abc"
    with pytest.raises(ImportFailed) as caught:
        import_deprivation(
            write(tmp_path / "imd.csv", FILE7_HEADER, [FILE7_ROW, bad]), scope=norfolk_scope()
        )
    assert str(caught.value) == (
        'imd.csv line 3, column "Index of Multiple Deprivation (IMD) Rank (where 1 is most '
        'deprived)": "abc" is not a whole number'
    )


def test_imports_are_idempotent_and_stay_in_scope(norfolk: NorfolkWorld, tmp_path: Path) -> None:
    _, file_name, header, row = CASES["venues"]
    outside = ["H2", "Suffolk Hall", "village_hall", "", "52.05", "1.15", "40"]  # Ipswich
    path = write(tmp_path / file_name, header, [row, outside])
    first = import_venues(path, scope=norfolk_scope(), source="test-halls")
    second = import_venues(path, scope=norfolk_scope(), source="test-halls")
    assert (first.created, first.skipped_outside_scope) == (1, 1)
    assert (second.created, second.unchanged) == (0, 1)
    hall = Venue.objects.get(source="test-halls")
    assert hall.district == norfolk.great_yarmouth
    assert hall.capacity == 80
    assert hall.position_is_exact is True


def test_population_gives_true_under_fives(norfolk: NorfolkWorld, tmp_path: Path) -> None:
    importer, file_name, header, row = CASES["population"]
    importer(write(tmp_path / file_name, header, [row]), norfolk_scope())
    area = Area.objects.get(code="E01026625")
    assert area.under_fives == 30 + 31 + 32 + 33 + 34
    assert area.under_fives_is_estimate is False
    assert "mid-2019" in area.under_fives_method
    assert area.population_total == 1800


def test_postcode_directory_gives_exact_areas(norfolk: NorfolkWorld, tmp_path: Path) -> None:
    importer, file_name, header, row = CASES["postcode directory"]
    terminated = ["NR30 1AA", "E01026625", "52.61", "1.72", "E07000145", "E05005790", "201801"]
    importer(write(tmp_path / file_name, header, [row, terminated]), norfolk_scope())
    postcode = Postcode.objects.get(compact="NR301NE")
    assert postcode.area_is_exact is True
    assert postcode.area == norfolk.most_deprived_area
    assert (
        not Postcode.objects.filter(compact="NR301AA").exists()
        or not Postcode.objects.get(compact="NR301AA").area_is_exact
    )


def test_scope_needs_a_council_or_districts(db: object) -> None:
    with pytest.raises(ImportFailed, match="--council CODE or --districts"):
        resolve_scope()
    with pytest.raises(ImportFailed, match="No districts are recorded for council E10000099"):
        resolve_scope(council="E10000099")
