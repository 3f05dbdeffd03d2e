"""Load the Norfolk reference data in data/norfolk/ (real open data; see data/norfolk/SOURCES.md).

`load_norfolk()` is all-or-nothing (one transaction) and idempotent: a rerun updates the same
districts, areas, postcodes and venues, keyed on their official codes, and never duplicates.

Under-fives are COUNTED: the ONS mid-2019 single-year-of-age estimates
(lsoa_population_single_year_0_15_mid2019.csv, read by `import_population`). Only if that file
is absent from the data folder are they ESTIMATED from children aged 0–15 (see `population.py`),
and labelled so.

What is inferred, and marked so:
- Code-Point Open has no LSOA, so each postcode's area is the nearest area centroid in the same
  district (`area_is_exact=False`).
- Library positions are their postcode's centroid (`position_is_exact=False`).
- GIAS gives each school's own easting/northing (`position_is_exact=True`); its LSOA codes are
  the 2021 geography, so the 18 codes that are not 2011 codes get the nearest 2011 area centroid.
- The GIAS extract has no address: a school's postcode is the Code-Point Open postcode nearest
  its position, and its town the Royal Mail post town of that postcode's district
  (`details["postcode_is_nearest"]`); no street is invented.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from familyreach.core.output import Output
from familyreach.geo.importers.core import Column, CsvTable
from familyreach.geo.importers.population import import_population
from familyreach.geo.importers.scope import Scope
from familyreach.geo.importers.store import (
    NearestArea,
    areas_upsert,
    assign_nearest_areas,
    districts_upsert,
    postcodes_upsert,
    venues_upsert,
)
from familyreach.geo.importers.venues import (
    SCHOOL_SOURCE,
    library_venue,
)
from familyreach.geo.models import Area, District, Postcode, Venue, VenueKind, VenueStatus
from familyreach.geo.population import (
    UNDER_FIVES_ESTIMATE_SOURCE,
    estimate_label,
    estimate_under_fives,
    under_fives_method,
    under_fives_ratio,
)
from familyreach.geo.postcodes import InvalidPostcode, normalise_postcode

NORFOLK_COUNCIL_CODE = "E10000020"
NORFOLK_COUNCIL_NAME = "Norfolk"

SCHOOL_POSITION_SOURCE = "GIAS establishment easting/northing (DfE, May 2025)"
CODEPOINT_SOURCE = "OS Code-Point Open 2014"
SINGLE_YEAR_FILE = "lsoa_population_single_year_0_15_mid2019.csv"
SINGLE_YEAR_YEAR = 2019
SINGLE_YEAR_SOURCE = (
    "ONS Lower layer Super Output Area population estimates, mid-2019 (SAPE22DT2, Mid-2019 "
    "Persons), single year of age, OGL v3.0 (data/norfolk/" + SINGLE_YEAR_FILE + ")"
)


def norfolk_data_dir() -> Path:
    return Path(settings.DATA_DIR) / "norfolk"


@dataclass
class LoadSummary:
    districts: int = 0
    areas: int = 0
    areas_counted: int = 0
    under_fives_counted: int = 0
    postcodes: int = 0
    venues: dict[str, int] = field(default_factory=dict)
    venues_created: int = 0
    venues_updated: int = 0


MASTER_COLUMNS = [
    Column("code", ("lsoa11_code",)),
    Column("name", ("lsoa11_name",)),
    Column("district_code", ("lad19_code",)),
    Column("district_name", ("lad19_name",)),
    Column("imd_score", ("imd_score",)),
    Column("imd_rank", ("imd_rank",)),
    Column("imd_decile", ("imd_decile",)),
    Column("idaci_score", ("idaci_score",)),
    Column("idaci_rank", ("idaci_rank",)),
    Column("idaci_decile", ("idaci_decile",)),
    Column("latitude", ("pwc_lat",)),
    Column("longitude", ("pwc_lon",)),
    Column("population_0_15", ("pop_0_15_mid2015",)),
    Column("population_total", ("pop_total_mid2019",)),
]
LOOKUP_COLUMNS = [
    Column("district_code", ("lad19_code",)),
    Column("district_name", ("lad19_name",)),
    Column("council_code", ("utla_code",)),
    Column("council_name", ("utla_name",)),
]
CODEPOINT_COLUMNS = [
    Column("postcode", ("postcode",)),
    Column("latitude", ("lat",)),
    Column("longitude", ("lon",)),
    Column("positional_quality", ("positional_quality",)),
    Column("district_code", ("admin_district_code",)),
    Column("ward_code", ("admin_ward_code",)),
]
LIBRARY_COLUMNS = [
    Column("name", ("library_name",)),
    Column("address_1", ("address_1",)),
    Column("address_2", ("address_2",)),
    Column("address_3", ("address_3",)),
    Column("postcode", ("postcode",)),
    Column("uprn", ("uprn",)),
    Column("statutory", ("statutory",)),
    Column("library_type", ("library_type",)),
    Column("year_opened", ("year_opened",)),
    Column("year_closed", ("year_closed",)),
    Column("co_located", ("co_located",)),
    Column("co_located_with", ("co_located_with",)),
    Column("latitude", ("lat",)),
    Column("longitude", ("lon",)),
    Column("district_code", ("admin_district_code",)),
]
SCHOOL_COLUMNS = [
    Column("urn", ("urn",)),
    Column("name", ("establishment_name",)),
    Column("type", ("establishment_type",)),
    Column("group", ("establishment_group",)),
    Column("phase", ("education_phase",)),
    Column("pupils", ("number_of_pupils",)),
    Column("latitude", ("lat",)),
    Column("longitude", ("lon",)),
    Column("area_code", ("lsoa21_code",)),
]


def _districts(data_dir: Path, progress: bool) -> list[District]:
    found: dict[str, District] = {}
    for row in CsvTable(data_dir / "lsoa_lad_lookup.csv", LOOKUP_COLUMNS, progress=progress):
        code = row.district_code("district_code")
        found[code] = District(
            code=code,
            name=row.text("district_name"),
            council_code=row.text("council_code"),
            council_name=row.text("council_name"),
        )
    return list(found.values())


def _areas(data_dir: Path, districts: dict[str, District], progress: bool) -> list[Area]:
    ratio = under_fives_ratio()
    method = under_fives_method(ratio)
    label = estimate_label(ratio)
    areas = []
    for row in CsvTable(data_dir / "lsoa_master.csv", MASTER_COLUMNS, progress=progress):
        district_code = row.district_code("district_code")
        if district_code not in districts:
            raise row.fail("district_code", f'"{district_code}" is not a Norfolk district')
        children = row.integer("population_0_15")
        latitude = row.real("latitude")
        longitude = row.real("longitude")
        row.in_range("latitude", latitude, 49.0, 61.0)
        row.in_range("longitude", longitude, -9.0, 2.5)
        areas.append(
            Area(
                code=row.area_code("code"),
                name=row.text("name"),
                district=districts[district_code],
                latitude=latitude,
                longitude=longitude,
                imd_score=row.number("imd_score"),
                imd_rank=row.integer("imd_rank"),
                imd_decile=row.integer("imd_decile"),
                idaci_score=row.number("idaci_score"),
                idaci_rank=row.integer("idaci_rank"),
                idaci_decile=row.integer("idaci_decile"),
                population_total=row.integer("population_total"),
                population_total_year=2019,
                population_0_15=children,
                population_0_15_year=2015,
                under_fives=estimate_under_fives(children, ratio),
                under_fives_is_estimate=True,
                under_fives_method=method,
                under_fives_source=UNDER_FIVES_ESTIMATE_SOURCE,
                under_fives_label=label,
            )
        )
    return areas


def _postcodes(
    data_dir: Path, districts: dict[str, District], nearest: NearestArea, progress: bool
) -> list[Postcode]:
    postcodes: list[Postcode] = []
    for row in CsvTable(
        data_dir / "postcodes_codepoint_open_2014.csv", CODEPOINT_COLUMNS, progress=progress
    ):
        raw = row.text("postcode")
        try:
            normalised = normalise_postcode(raw)
        except InvalidPostcode:
            raise row.fail("postcode", f'"{raw}" is not a UK postcode') from None
        district = districts.get(row.district_code("district_code"))
        postcodes.append(
            Postcode(
                postcode=normalised,
                compact=normalised.replace(" ", ""),
                outward=normalised.split(" ")[0],
                latitude=row.real("latitude"),
                longitude=row.real("longitude"),
                district=district,
                ward_code=row.text("ward_code", required=False),
                positional_quality=row.integer("positional_quality", required=False),
                area_is_exact=False,
                source=CODEPOINT_SOURCE,
            )
        )
    assign_nearest_areas(postcodes, nearest)
    return postcodes


def _libraries(
    data_dir: Path,
    districts: dict[str, District],
    postcode_areas: dict[str, Area | None],
    nearest: NearestArea,
    progress: bool,
) -> list[Venue]:
    venues = []
    for row in CsvTable(data_dir / "libraries.csv", LIBRARY_COLUMNS, progress=progress):
        postcode = normalise_postcode(row.text("postcode"))
        district = districts.get(row.district_code("district_code"))
        latitude = row.real("latitude")
        longitude = row.real("longitude")
        area = postcode_areas.get(postcode.replace(" ", ""))
        if area is None:
            area = nearest.nearest([latitude], [longitude], district.pk if district else None)[0]
        venues.append(
            library_venue(
                row,
                postcode=postcode,
                latitude=latitude,
                longitude=longitude,
                district=district,
                area=area,
            )
        )
    return venues


# Royal Mail post towns of the postcode districts that cover Norfolk (the "town" line of an
# address); a district not listed falls back to the local authority district's name.
POST_TOWNS: dict[str, str] = {
    **{f"NR{n}": "Norwich" for n in range(1, 17)},
    "NR17": "Attleborough",
    "NR18": "Wymondham",
    "NR19": "Dereham",
    "NR20": "Dereham",
    "NR21": "Fakenham",
    "NR22": "Walsingham",
    "NR23": "Wells-next-the-Sea",
    "NR24": "Melton Constable",
    "NR25": "Holt",
    "NR26": "Sheringham",
    "NR27": "Cromer",
    "NR28": "North Walsham",
    "NR29": "Great Yarmouth",
    "NR30": "Great Yarmouth",
    "NR31": "Great Yarmouth",
    "NR32": "Lowestoft",
    "NR33": "Lowestoft",
    "NR34": "Beccles",
    "NR35": "Bungay",
    **{f"PE{n}": "King's Lynn" for n in range(30, 35)},
    "PE35": "Sandringham",
    "PE36": "Hunstanton",
    "PE37": "Swaffham",
    "PE38": "Downham Market",
    "PE13": "Wisbech",
    "PE14": "Wisbech",
    "IP20": "Harleston",
    "IP21": "Diss",
    "IP22": "Diss",
    "IP24": "Thetford",
    "IP25": "Thetford",
    "IP26": "Thetford",
    "IP27": "Brandon",
}


class NearestPostcode:
    """The postcode whose centroid is nearest a point (equirectangular distance: fine at the
    scale of a county)."""

    def __init__(self, postcodes: list[Postcode]) -> None:
        import numpy as np

        self._np = np
        self.postcodes = postcodes
        self.latitudes = np.array([p.latitude for p in postcodes])
        self.longitudes = np.array([p.longitude for p in postcodes])

    def nearest(self, latitude: float, longitude: float) -> Postcode | None:
        if not self.postcodes:
            return None
        np = self._np
        squeeze = np.cos(np.radians(latitude))
        distances = (self.latitudes - latitude) ** 2 + (
            (self.longitudes - longitude) * squeeze
        ) ** 2
        return self.postcodes[int(np.argmin(distances))]


def post_town(postcode: Postcode, district: District | None) -> str:
    outward = postcode.postcode.split(" ")[0] if " " in postcode.postcode else postcode.outward
    return POST_TOWNS.get(outward, district.name if district else "")


def _schools(
    data_dir: Path,
    areas_by_code: dict[str, Area],
    nearest: NearestArea,
    progress: bool,
    postcodes: list[Postcode] | None = None,
) -> list[Venue]:
    venues = []
    nearest_postcode = NearestPostcode(postcodes or [])
    for row in CsvTable(data_dir / "schools_gias_2025.csv", SCHOOL_COLUMNS, progress=progress):
        latitude = row.real("latitude")
        longitude = row.real("longitude")
        postcode = nearest_postcode.nearest(latitude, longitude)
        area_code = row.area_code("area_code")
        area = areas_by_code.get(area_code)
        area_is_exact = area is not None
        if area is None:
            # A 2021 LSOA code with no 2011 equivalent of the same code: nearest 2011 centroid.
            area = nearest.nearest([latitude], [longitude], None)[0]
        district = area.district if area else None
        venues.append(
            Venue(
                name=row.text("name"),
                kind=VenueKind.SCHOOL,
                postcode=postcode.postcode if postcode else "",
                town=post_town(postcode, district) if postcode else "",
                latitude=latitude,
                longitude=longitude,
                position_is_exact=True,
                position_source=SCHOOL_POSITION_SOURCE,
                district=area.district if area else None,
                area=area,
                status=VenueStatus.OPEN,
                details={
                    "urn": row.text("urn"),
                    "establishment_type": row.text("type", required=False),
                    "establishment_group": row.text("group", required=False),
                    "education_phase": row.text("phase", required=False),
                    "number_of_pupils": row.integer("pupils", required=False),
                    "lsoa21_code": area_code,
                    "area_is_exact": area_is_exact,
                    "postcode_is_nearest": postcode is not None,
                },
                source=SCHOOL_SOURCE,
                source_reference=row.text("urn"),
            )
        )
    return venues


@transaction.atomic
def load_norfolk(
    data_dir: Path | None = None, *, stdout: Output | None = None, progress: bool = False
) -> LoadSummary:
    """Load (or refresh) Norfolk's districts, areas, postcodes, libraries and schools."""
    data_dir = data_dir or norfolk_data_dir()
    summary = LoadSummary()

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text + "\n")

    districts = districts_upsert(_districts(data_dir, progress))
    summary.districts = len(districts)
    say(f"  {summary.districts} districts")

    summary.areas = areas_upsert(_areas(data_dir, districts, progress))
    # Every area starts from the labelled estimate; the ONS counts then replace it wherever the
    # single-year file has the area, so a rerun ends in the same state.
    single_year = data_dir / SINGLE_YEAR_FILE
    if single_year.exists():
        counted = import_population(
            single_year,
            scope=Scope(frozenset(districts), NORFOLK_COUNCIL_CODE, NORFOLK_COUNCIL_NAME),
            year=SINGLE_YEAR_YEAR,
            source=SINGLE_YEAR_SOURCE,
            progress=progress,
        )
        summary.areas_counted = counted.areas_updated
        summary.under_fives_counted = counted.under_fives
    areas = list(Area.objects.filter(district__council_code=NORFOLK_COUNCIL_CODE))
    areas_by_code = {area.code: area for area in areas}
    nearest = NearestArea(areas)
    estimated = summary.areas - summary.areas_counted
    say(
        f"  {summary.areas} areas (under-fives counted, ONS mid-{SINGLE_YEAR_YEAR}: "
        f"{summary.under_fives_counted:,} in {summary.areas_counted} areas"
        + (
            f"; estimated, 0–15 × {under_fives_ratio():.3f}: {estimated} areas)"
            if estimated
            else ")"
        )
    )

    postcodes = _postcodes(data_dir, districts, nearest, progress)
    summary.postcodes = postcodes_upsert(postcodes)
    say(f"  {summary.postcodes} postcodes (areas inferred: nearest centroid in the district)")

    postcode_areas = {postcode.compact: postcode.area for postcode in postcodes}
    venues = _libraries(data_dir, districts, postcode_areas, nearest, progress)
    venues += _schools(data_dir, areas_by_code, nearest, progress, postcodes)
    result = venues_upsert(venues)
    summary.venues_created, summary.venues_updated = result.created, result.updated
    for venue in venues:
        summary.venues[venue.kind] = summary.venues.get(venue.kind, 0) + 1
    say(
        f"  {len(venues)} venues ({', '.join(f'{n} {k}' for k, n in summary.venues.items())}; "
        f"{result.created} new, {result.updated} updated, {result.unchanged} unchanged)"
    )
    return summary
