from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from familyreach.geo.basemap import (
    NORFOLK_BASEMAP,
    build_basemap,
    read_district_names,
    read_postcodes,
    write_basemap,
)
from familyreach.geo.norfolk import norfolk_data_dir


class Command(BaseCommand):
    help = "Rebuild the maps' Norfolk basemap."

    def add_arguments(self, parser: CommandParser) -> None:
        data = norfolk_data_dir()
        parser.add_argument(
            "--postcodes", type=Path, default=data / "postcodes_codepoint_open_2014.csv"
        )
        parser.add_argument("--districts", type=Path, default=data / "lsoa_lad_lookup.csv")
        parser.add_argument("--output", type=Path, default=NORFOLK_BASEMAP)

    def handle(self, *args: Any, **options: Any) -> None:
        postcodes = read_postcodes(options["postcodes"])
        basemap = build_basemap(
            postcodes=postcodes, district_names=read_district_names(options["districts"])
        )
        write_basemap(basemap=basemap, path=options["output"])
        borders = sum(
            1 for f in basemap["features"] if f["properties"]["kind"] == "district-border"
        )
        self.stdout.write(
            f"{len(postcodes)} postcodes: {borders} district borders, written to {options['output']}"
        )
