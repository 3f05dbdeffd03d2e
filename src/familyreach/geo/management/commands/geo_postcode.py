import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from familyreach.geo.exceptions import LookupProblem
from familyreach.geo.selectors import postcode_lookup


class Command(BaseCommand):
    help = (
        "Look up a full postcode. Prints its position, district and small area (exact or inferred)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("postcode", help='A full postcode, any case or spacing: "nr30 1ne"')
        parser.add_argument("--json", action="store_true", help="Print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            postcode = postcode_lookup(options["postcode"])
        except LookupProblem as problem:
            # The suggestion, where there is one, repeats the message and says what to try.
            raise CommandError(getattr(problem, "suggestion", "") or problem.message) from None
        result = {
            "postcode": postcode.postcode,
            "latitude": postcode.latitude,
            "longitude": postcode.longitude,
            "district_code": postcode.district.code if postcode.district else None,
            "district_name": postcode.district.name if postcode.district else None,
            "area_code": postcode.area.code if postcode.area else None,
            "area_name": postcode.area.name if postcode.area else None,
            "area_is_exact": postcode.area_is_exact,
            "area_method": (
                "postcode directory"
                if postcode.area_is_exact
                else "inferred: nearest area centroid in the district"
            ),
            "source": postcode.source,
        }
        # Short names too, for scripts that expect the usual "lat"/"lon" keys.
        result["lat"], result["lon"] = postcode.latitude, postcode.longitude
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        for key, value in result.items():
            self.stdout.write(f"{key}: {value}")
