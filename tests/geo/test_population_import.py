"""The ONS single-year-of-age importer (SAPE mid-2019): counted under-fives for a council's areas,
the labelled estimate where an area has no count, all or nothing on a bad file."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from familyreach.geo.exceptions import ImportFailed
from familyreach.geo.importers.population import import_population
from familyreach.geo.importers.scope import Scope, resolve_scope
from familyreach.geo.models import Area
from familyreach.geo.population import (
    estimate_label,
    estimate_under_fives,
    under_fives_method,
    under_fives_of,
    under_fives_totals,
)
from tests.fixtures.geo import NorfolkWorld
from tests.geo.test_importers import database_state

REPOSITORY = Path(__file__).resolve().parents[2]
# Six rows of data/england/lsoa_population_0_4_mid2019.csv, unchanged: two in the City of
# London, three in Great Yarmouth, one in Wales.
EXTRACT = Path(__file__).parent / "data" / "sape_mid2019_extract.csv"
ENGLAND = REPOSITORY / "data" / "england" / "lsoa_population_0_4_mid2019.csv"
COUNTED = {"E01026625": 36 + 44 + 39 + 44 + 36, "E01026626": 130, "E01026627": 48}


def norfolk_population_import(path: str, *, stdout: StringIO) -> None:
    """`familyreach geo import-population` with mid-2019 figures for Norfolk County Council."""
    call_command(
        "geo_import_population", path, "--year", "2019", "--council", "E10000020", stdout=stdout
    )


def norfolk_scope() -> Scope:
    return resolve_scope(council="E10000020")


def back_to_the_estimate() -> None:
    """Every Norfolk area on the 0–15 × 0.335 estimate, as before real counts were loaded (the
    `norfolk` fixture loads the counts)."""
    areas = list(Area.objects.all())
    for area in areas:
        area.population_0_15 = 300
        area.population_0_15_year = 2015
        area.under_fives = estimate_under_fives(300)
        area.under_fives_is_estimate = True
        area.under_fives_label = estimate_label()
        area.under_fives_method = under_fives_method()
    Area.objects.bulk_update(
        areas,
        [
            "population_0_15",
            "population_0_15_year",
            "under_fives",
            "under_fives_is_estimate",
            "under_fives_label",
            "under_fives_method",
        ],
    )


def spoiled(tmp_path: Path, line: int, column: str, value: str) -> Path:
    """The extract with one value changed (line numbers as a text editor counts them)."""
    lines = EXTRACT.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[line - 1].split(",")
    cells[header.index(column)] = value
    lines[line - 1] = ",".join(cells)
    path = tmp_path / EXTRACT.name
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_extract_counts_its_areas_and_the_rest_keep_the_labelled_estimate(
    norfolk: NorfolkWorld,
) -> None:
    back_to_the_estimate()
    result = import_population(EXTRACT, scope=norfolk_scope(), year=2019, progress=False)
    assert result.areas_updated == 3
    assert result.under_fives == 199 + 130 + 48
    assert result.skipped == 3  # London and Wales: not Norfolk's areas
    assert len(result.areas_without_count) == 538 - 3
    assert "E01026625" not in result.areas_without_count

    for code, count in COUNTED.items():
        area = Area.objects.get(code=code)
        assert area.under_fives == count
        assert area.under_fives_is_estimate is False
        assert area.under_fives_label == "ONS mid-2019 single year of age"
        assert area.population_0_15_year == 2019
    assert Area.objects.get(code="E01026625").population_0_15 == 598
    assert Area.objects.get(code="E01026625").population_total == 1909

    fallback = Area.objects.get(code="E01026419")
    assert fallback.under_fives_is_estimate is True
    assert fallback.under_fives == pytest.approx(300 * 0.335)
    assert fallback.under_fives_label == "Estimate: 0–15 (mid-2015) × 0.335"

    totals = under_fives_totals(Area.objects.all())
    assert totals.areas_counted == 3
    assert totals.areas_estimated == 535
    assert totals.counted == 377
    assert totals.total == pytest.approx(377 + 535 * 100.5)
    assert totals.source == (
        "ONS mid-2019 single year of age in 3 areas; estimate: 0–15 (mid-2015) × 0.335 in 535 "
        "areas with no count (marked “est.”)."
    )


@pytest.mark.parametrize(
    ("line", "column", "value", "message"),
    [
        (7, "age_3", "x", 'line 7, column "age_3": "x" is not a whole number'),
        (7, "age_0", "-1", 'line 7, column "age_0": -1 is outside the range 0 to 100000'),
        (7, "all_ages", "40", 'line 7, column "all_ages": 40 people, fewer than the 65 aged'),
        (4, "age_0_15", "150", 'line 4, column "age_0_15": 150 is not between the 199 aged'),
        (6, "lsoa11_code", "E01026625", 'line 6, column "lsoa11_code": "E01026625" is repeated'),
        (2, "lsoa11_code", "E1000001", 'line 2, column "lsoa11_code": "E1000001" is not an LSOA'),
    ],
)
def test_one_bad_row_anywhere_imports_nothing(
    norfolk: NorfolkWorld, tmp_path: Path, line: int, column: str, value: str, message: str
) -> None:
    back_to_the_estimate()
    before = database_state()
    with pytest.raises(ImportFailed) as caught:
        import_population(spoiled(tmp_path, line, column, value), scope=norfolk_scope(), year=2019)
    assert str(caught.value).startswith(f"{EXTRACT.name} {message}")
    # Even the good Great Yarmouth rows before the bad one were not written.
    assert database_state() == before
    assert not Area.objects.filter(under_fives_is_estimate=False).exists()


def test_a_file_without_any_of_the_councils_areas_is_refused(
    norfolk: NorfolkWorld, tmp_path: Path
) -> None:
    lines = EXTRACT.read_text().splitlines()
    path = tmp_path / "london.csv"
    path.write_text("\n".join(lines[:3]) + "\n")
    with pytest.raises(ImportFailed, match="none of its 2 rows is one of the 538 areas loaded"):
        import_population(path, scope=norfolk_scope(), year=2019)


def test_the_england_file_gives_norfolk_45540_under_fives(norfolk: NorfolkWorld) -> None:
    back_to_the_estimate()
    out = StringIO()
    norfolk_population_import(str(ENGLAND), stdout=out)
    assert "538 areas now have counted under-fives (45,540 aged 0 to 4, mid-2019)" in (
        out.getvalue()
    )
    assert "34,215 rows for other areas skipped" in out.getvalue()
    assert "keep the estimate" not in out.getvalue()
    areas = list(Area.objects.all())
    assert sum(under_fives_of(area) for area in areas) == 45_540
    assert not any(area.under_fives_is_estimate for area in areas)
    # The England file's 0–15 column agrees with the Norfolk single-year file's 16 columns.
    assert sum(area.population_0_15 or 0 for area in areas) == 154_108


def test_the_command_names_areas_left_on_the_estimate_and_says_nothing_was_imported(
    norfolk: NorfolkWorld, tmp_path: Path
) -> None:
    back_to_the_estimate()
    out = StringIO()
    norfolk_population_import(str(EXTRACT), stdout=out)
    assert "3 areas now have counted under-fives (377 aged 0 to 4, mid-2019)" in out.getvalue()
    assert "535 areas are not in the file and keep the estimate (labelled)" in out.getvalue()
    assert "and 525 more" in out.getvalue()
    with pytest.raises(CommandError, match=r"Nothing was imported\. .* is not a whole number"):
        norfolk_population_import(str(spoiled(tmp_path, 5, "age_1", "lots")), stdout=StringIO())
