from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from familyreach.geo.norfolk import norfolk_data_dir
from familyreach.geo.travel import (
    CALIBRATED_ROAD_MODEL,
    CALIBRATION_MAX_KM,
    ROAD_DETOUR_FACTOR,
    URBAN_POSTCODES_WITHIN_1KM,
    calibrate,
)


class Command(BaseCommand):
    help = (
        "Refit the road travel-time model. Fits it to the OSM-routed LSOA → hospital times in "
        "data/norfolk/ and prints the fitted parameters and errors (docs/benchmarks.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", type=Path, default=None)
        parser.add_argument("--max-km", type=float, default=CALIBRATION_MAX_KM)

    def handle(self, *args: Any, **options: Any) -> None:
        result = calibrate(options["data_dir"] or norfolk_data_dir(), options["max_km"])
        model = result.model
        write = self.stdout.write
        write(
            f"Pairs: {result.pairs} (fitted on {result.pairs_fitted} up to {options['max_km']:g} km)"
        )
        write(
            f"Origins urban (≥ {URBAN_POSTCODES_WITHIN_1KM} postcodes within 1 km): "
            f"{result.urban_origins} of {result.origins}"
        )
        write(
            f"Fitted: access urban {model.access_urban_minutes} min, rural "
            f"{model.access_rural_minutes} min; pace urban {model.pace_urban_minutes_per_km} "
            f"min/km, rural {model.pace_rural_minutes_per_km} min/km"
        )
        write(
            f"Implied road speeds (detour factor {ROAD_DETOUR_FACTOR}): urban "
            f"{model.road_speed_kmh(True):.0f} km/h, rural {model.road_speed_kmh(False):.0f} km/h"
        )
        write(
            f"Absolute percentage error, pairs ≤ {options['max_km']:g} km: median "
            f"{result.median_ape_within_limit:.1%}, 90th percentile {result.p90_ape_within_limit:.1%}"
        )
        write(
            f"Absolute percentage error, all pairs: median {result.median_ape:.1%}, mean "
            f"{result.mean_ape:.1%}, 90th percentile {result.p90_ape:.1%}"
        )
        write(
            "Constants in familyreach/geo/travel.py "
            f"({CALIBRATED_ROAD_MODEL}): median error ≤ {options['max_km']:g} km "
            f"{result.median_ape_calibrated_constants:.1%}"
        )
