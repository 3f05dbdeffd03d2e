"""Scenarios (options for the network of bases and outreach venues) and their runs.

A `Scenario` says what the planner wants: which venues may be bases, which must or must not be,
how many bases or what budget, quotas per district, outreach venues, the travel mode and the
thresholds that matter, and the costs. A `ScenarioRun` is one optimisation of it: the chosen sites,
each area's nearest service point and travel time, and the measures. A run is written in one
transaction when it finishes, so a failure never leaves half a result.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from familyreach.core.models import TrackedModel
from familyreach.geo.models import Area, Venue, VenueKind


class ScenarioStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"


class Objective(models.TextChoices):
    # Labels in plain words: planners and councillors read them. The technical names (p-median,
    # maximal coverage) are in the "How this was worked out" details of the scenario page.
    MIN_TRAVEL = "min_travel", "Shortest travel on average"
    MAX_COVERAGE = "max_coverage", "Most families within the first travel time"


class TravelMode(models.TextChoices):
    CAR = "car", "Car"
    PUBLIC_TRANSPORT = "public_transport", "Public transport or walking"


class DemandMeasure(models.TextChoices):
    UNDER_FIVES = "under_fives", "Under-fives"
    NEED_WEIGHTED = "need_weighted", "Under-fives weighted by need (estimated)"
    # Closing the loop with insight: demand is the latest reach figures' unreached under-fives
    # in greatest-need areas (published by insight through geo.need; 0 elsewhere).
    UNREACHED_NEED = (
        "unreached_need",
        "Unreached under-fives in greatest-need areas (latest reach figures, estimated)",
    )


class PublishingStatus(models.TextChoices):
    NOT_ADOPTED = "", "Not adopted"
    PENDING = "pending", "Adopted: publishing to the directory is pending"
    PUBLISHED = "published", "Adopted and published to the directory"


def _default_thresholds() -> list[int]:
    return [15, 30]


def _default_candidate_kinds() -> list[str]:
    return ["childrens_centre", "family_base", "library"]


def _default_outreach_kinds() -> list[str]:
    return ["library", "village_hall", "community_centre"]


class Scenario(TrackedModel):
    """One option for the network: the planner's inputs, and where it is in its life."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    objective = models.CharField(
        max_length=16, choices=Objective.choices, default=Objective.MIN_TRAVEL
    )

    # Where bases may go: venues of these kinds, plus any listed venue.
    candidate_kinds = models.JSONField(default=_default_candidate_kinds, blank=True)
    candidate_venues = models.ManyToManyField(Venue, blank=True, related_name="+")
    forced_open = models.ManyToManyField(Venue, blank=True, related_name="+")
    excluded = models.ManyToManyField(Venue, blank=True, related_name="+")

    number_of_bases = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    budget = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="£ per year for buildings and frontline staff together",
    )
    district_minimum = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="At least this many bases in every district"
    )
    district_maximum = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="At most this many bases in any district"
    )

    # Outreach: listed venues (ScenarioOutreachVenue) plus `outreach_count` chosen by the
    # optimiser from venues of `outreach_kinds`, each hosting `outreach_sessions_per_week`.
    outreach_kinds = models.JSONField(default=_default_outreach_kinds, blank=True)
    outreach_count = models.PositiveIntegerField(default=0)
    outreach_sessions_per_week = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )

    travel_mode = models.CharField(
        max_length=32, choices=TravelMode.choices, default=TravelMode.CAR
    )
    thresholds = models.JSONField(default=_default_thresholds, help_text="Minutes, e.g. [15, 30]")
    demand_measure = models.CharField(
        max_length=16, choices=DemandMeasure.choices, default=DemandMeasure.UNDER_FIVES
    )

    # Costs. Blank means the default in settings (see docs/planning.md for where each comes from).
    building_cost_default = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="£ per building per year where the venue has no figure; blank: default by kind",
    )
    staff_cost_per_fte = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(1))],
    )
    sessions_per_fte = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text="Sessions a week one full-time frontline worker runs",
    )
    hours_per_fte = models.PositiveIntegerField(
        null=True, blank=True, help_text="Working hours a year of one full-time worker"
    )

    time_limit_seconds = models.PositiveIntegerField(
        default=20, validators=[MinValueValidator(1), MaxValueValidator(3600)]
    )
    seed = models.PositiveIntegerField(default=1)

    status = models.CharField(
        max_length=16, choices=ScenarioStatus.choices, default=ScenarioStatus.DRAFT
    )
    status_error = models.TextField(blank=True)

    adopted_at = models.DateTimeField(null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    publishing_status = models.CharField(
        max_length=16, choices=PublishingStatus.choices, default="", blank=True
    )
    publishing_note = models.TextField(blank=True)

    # Shown on the page: what in this scenario is approximate or assumed (e.g. demo positions).
    caveats = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.number_of_bases is None and self.budget is None:
            errors["number_of_bases"] = "Enter a number of bases, a budget, or both"
        if (
            self.district_minimum is not None
            and self.district_maximum is not None
            and self.district_minimum > self.district_maximum
        ):
            errors["district_maximum"] = (
                "The most bases in a district must be at least the fewest bases in a district"
            )
        thresholds = self.thresholds
        if (
            not isinstance(thresholds, list)
            or not thresholds
            or not all(
                isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 240
                for value in thresholds
            )
        ):
            errors["thresholds"] = "Enter one or more travel times in minutes between 1 and 240"
        kinds = set(VenueKind.values)
        for field in ("candidate_kinds", "outreach_kinds"):
            value = getattr(self, field)
            if not isinstance(value, list) or any(kind not in kinds for kind in value):
                errors[field] = f"Choose venue kinds from: {', '.join(sorted(kinds))}"
        if errors:
            raise ValidationError(errors)

    @property
    def sorted_thresholds(self) -> list[float]:
        return sorted(float(value) for value in self.thresholds)

    @property
    def latest_run(self) -> "ScenarioRun | None":
        return self.runs.order_by("-created_at", "-id").first()

    @property
    def latest_finished_run(self) -> "ScenarioRun | None":
        return (
            self.runs.filter(status=ScenarioStatus.FINISHED).order_by("-created_at", "-id").first()
        )


class ScenarioOutreachVenue(models.Model):
    """A venue the planner names for outreach, and how many sessions a week it hosts."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="outreach_venues")
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="+")
    sessions_per_week = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "venue"], name="planning_outreach_venue_once_per_scenario"
            )
        ]

    def __str__(self) -> str:
        return f"{self.venue} ({self.sessions_per_week} a week)"


class ScenarioRun(TrackedModel):
    """One optimisation of a scenario and everything it found.

    `bases` and `outreach` hold venue ids (outreach as {"venue": id, "sessions_per_week": n,
    "chosen_by": "planner"|"optimiser"}); `measures` the county figures; `districts` one row per
    district; `worst_served` the areas furthest from any service point. Area-level results are
    `ScenarioRunArea` rows.
    """

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(
        max_length=16, choices=ScenarioStatus.choices, default=ScenarioStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent")
    progress_message = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    # Liveness (docs/planning.md "Runs that stop"): when it was (last) queued, which attempt is
    # running (each start takes the next number; only that attempt may write the results), and
    # the worker's last sign of life. `planning.services.scenario_runs_recover` reads them.
    queued_at = models.DateTimeField(null=True, blank=True)
    attempt = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    # A copy of the inputs the run used, so later edits to the scenario do not rewrite history.
    inputs = models.JSONField(default=dict, blank=True)

    bases = models.JSONField(default=list, blank=True)
    outreach = models.JSONField(default=list, blank=True)
    measures = models.JSONField(default=dict, blank=True)
    districts = models.JSONField(default=list, blank=True)
    worst_served = models.JSONField(default=list, blank=True)

    # The optimiser's own account of the answer: never call an unproven answer optimal.
    method = models.CharField(max_length=200, blank=True)
    optimiser_status = models.CharField(max_length=32, blank=True)
    objective = models.FloatField(null=True, blank=True)
    bound = models.FloatField(null=True, blank=True)
    gap = models.FloatField(null=True, blank=True)
    proven_optimal = models.BooleanField(default=False)
    optimiser_seconds = models.FloatField(null=True, blank=True)
    time_limit_hit = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.scenario} run {self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (ScenarioStatus.QUEUED, ScenarioStatus.RUNNING)


class ScenarioRunArea(models.Model):
    """One area's result in a run: its nearest base and nearest service point, and the times."""

    run = models.ForeignKey(ScenarioRun, on_delete=models.CASCADE, related_name="areas")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    nearest_base = models.ForeignKey(
        Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    base_minutes = models.FloatField(null=True, blank=True)
    nearest_service_point = models.ForeignKey(
        Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service_minutes = models.FloatField(null=True, blank=True)
    under_fives = models.FloatField(default=0)
    greatest_need = models.BooleanField(default=False)

    class Meta:
        ordering = ["area__code"]
        constraints = [
            models.UniqueConstraint(fields=["run", "area"], name="planning_run_area_once")
        ]

    def __str__(self) -> str:
        return f"{self.area_id} in run {self.run_id}"
