from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "familyreach.geo"
    label = "geo"
    verbose_name = "Geography and need"

    def ready(self) -> None:
        from familyreach.core.personal_data import exempt
        from familyreach.geo import models

        exempt(
            models.District,
            models.Area,
            models.Postcode,
            models.Venue,
            reason="Places from open data (districts, areas, postcodes, public venues); homes "
            "are never venues.",
        )
