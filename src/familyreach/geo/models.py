"""One geography for the whole service: districts, small areas (LSOA 2011) with need and
population, postcodes, and venues where services can happen.

Positions are WGS84 latitude/longitude columns (no GDAL): distance queries use a bounding-box
prefilter and haversine (see `geo/distance.py`).
"""

from django.db import models

from familyreach.core.models import TrackedModel


class District(models.Model):
    """A lower-tier local authority district (e.g. Great Yarmouth, E07000145)."""

    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=100)
    council_code = models.CharField(
        max_length=9, help_text="Upper-tier council (county) code, e.g. E10000020 for Norfolk."
    )
    council_name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """A Lower layer Super Output Area (2011), the geography of the Indices of Deprivation 2019.

    Under-fives: where ONS single-year-of-age estimates were loaded they are counted
    (`under_fives_is_estimate` False, e.g. `under_fives_label` "ONS mid-2019 single year of
    age"); otherwise they are estimated from the 0–15 count with a stated ratio (label
    "Estimate: 0–15 (mid-2015) × 0.335"), and every page and API that shows them must say so.
    Read them through `familyreach.geo.population.under_fives_of` / `under_fives_totals`.
    """

    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=100)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="areas")
    latitude = models.FloatField(help_text="Population-weighted centroid, WGS84")
    longitude = models.FloatField(help_text="Population-weighted centroid, WGS84")

    imd_score = models.FloatField(null=True, blank=True)
    imd_rank = models.PositiveIntegerField(
        null=True, blank=True, help_text="1 = most deprived in England"
    )
    imd_decile = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1 = most deprived 10%"
    )
    idaci_score = models.FloatField(null=True, blank=True)
    idaci_rank = models.PositiveIntegerField(null=True, blank=True)
    idaci_decile = models.PositiveSmallIntegerField(null=True, blank=True)

    population_total = models.PositiveIntegerField(null=True, blank=True)
    population_total_year = models.PositiveSmallIntegerField(null=True, blank=True)
    population_0_15 = models.PositiveIntegerField(null=True, blank=True)
    population_0_15_year = models.PositiveSmallIntegerField(null=True, blank=True)
    under_fives = models.FloatField(null=True, blank=True)
    under_fives_is_estimate = models.BooleanField(default=True)
    under_fives_method = models.TextField(blank=True)
    under_fives_source = models.TextField(blank=True)
    under_fives_label = models.CharField(
        max_length=80,
        blank=True,
        help_text="Where the figure comes from, in a few words, shown beside it: "
        "'ONS mid-2019 single year of age' or 'Estimate: 0–15 (mid-2015) × 0.335'.",
    )

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["district", "idaci_decile"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Postcode(models.Model):
    """A unit postcode with its position, district, ward and small area."""

    postcode = models.CharField(
        max_length=8, help_text="Normalised: upper case, one space, e.g. NR30 1NE"
    )
    compact = models.CharField(max_length=7, unique=True, help_text="No space, e.g. NR301NE")
    outward = models.CharField(max_length=4, db_index=True, help_text="e.g. NR30")
    latitude = models.FloatField()
    longitude = models.FloatField()
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ward_code = models.CharField(max_length=9, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="postcodes"
    )
    area_is_exact = models.BooleanField(
        default=False,
        help_text="True when the area comes from a postcode directory; False when inferred as the "
        "nearest area centroid in the same district.",
    )
    positional_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["compact"]
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return self.postcode


class VenueKind(models.TextChoices):
    CHILDRENS_CENTRE = "childrens_centre", "Children's centre"
    FAMILY_BASE = "family_base", "Family base"
    LIBRARY = "library", "Library"
    SCHOOL = "school", "School"
    VILLAGE_HALL = "village_hall", "Village hall"
    COMMUNITY_CENTRE = "community_centre", "Community centre"
    OTHER = "other", "Other"


class VenueStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    PROPOSED = "proposed", "Proposed"


class Venue(TrackedModel):
    """A building where services can happen. Families' homes are never stored as venues."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=VenueKind.choices)
    address = models.TextField(blank=True)
    town = models.CharField(
        max_length=100, blank=True, db_index=True, help_text="Post town or village, as published"
    )
    postcode = models.CharField(max_length=8, blank=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    position_is_exact = models.BooleanField(
        default=False,
        help_text="False when the position is a postcode centroid or placed by approximation.",
    )
    position_source = models.CharField(max_length=200, blank=True)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="venues"
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="venues"
    )
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="People in the main room"
    )
    facilities = models.TextField(blank=True)
    accessibility = models.TextField(blank=True)
    annual_running_cost = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="£ per year, where known"
    )
    status = models.CharField(max_length=16, choices=VenueStatus.choices, default=VenueStatus.OPEN)
    details = models.JSONField(
        default=dict,
        blank=True,
        help_text="Other facts from the source, as published (e.g. school phase and type)",
    )
    source = models.CharField(max_length=100, blank=True, help_text="Where the record came from")
    source_reference = models.CharField(
        max_length=100,
        blank=True,
        help_text="The record's key in its source (URN, name), for idempotent imports",
    )

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["kind", "status"]),
            models.Index(fields=["latitude", "longitude"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_reference"],
                condition=~models.Q(source_reference=""),
                name="geo_venue_unique_source_reference",
            )
        ]

    def __str__(self) -> str:
        return self.name


class TravelMode(models.TextChoices):
    CAR = "car", "Car"
    PUBLIC_TRANSPORT = "public_transport", "Public transport or walking"
    WALK = "walk", "Walking"


class TravelTime(models.Model):
    """An imported travel time from an area's centroid to a venue (e.g. from r5py or OSRM).

    Imported times replace the modelled estimate for that pair and mode (see `geo/travel.py`).
    """

    origin = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="travel_times")
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="travel_times")
    mode = models.CharField(max_length=20, choices=TravelMode.choices)
    minutes = models.FloatField()
    source = models.CharField(max_length=200, help_text="File or tool the times came from")
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["origin", "venue", "mode"], name="geo_travel_time_unique_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(minutes__gte=0), name="geo_travel_time_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.origin.code} → {self.venue_id} ({self.mode}): {self.minutes:.1f} min"
