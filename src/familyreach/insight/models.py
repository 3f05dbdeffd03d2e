"""What insight stores: pre-aggregated reach counts (the heavy reduction, done once and read by
every dashboard load), simulation runs, and the seeds of "plan outreach here" scenarios.

No family-level data is stored here: only counts per area, target-group combination and month.
"""

from django.conf import settings
from django.db import models


class ReachSnapshot(models.Model):
    """The reach counts (`measures.Cells` as JSON) as of a date, computed from families and
    contacts by `services.reach_snapshot_refresh`. Dashboards read the latest one."""

    as_of = models.DateField(help_text="The reference date of every measure in it")
    computed_at = models.DateTimeField(auto_now_add=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    config = models.JSONField(help_text="The measure settings used (window, threshold, kinds)")
    cells = models.JSONField(help_text="Counts per area and target-group mask, and per month")
    includes_simulated = models.BooleanField(
        default=False, help_text="True when any counted family is simulated (demo data)"
    )
    seconds = models.FloatField(default=0, help_text="How long the reduction took")

    class Meta:
        ordering = ["-as_of", "-computed_at"]
        indexes = [models.Index(fields=["as_of", "computed_at"])]
        permissions = [("view_reach", "Can see reach dashboards and exports")]

    def __str__(self) -> str:
        return f"Reach as of {self.as_of:%d %b %Y}"


class SimulationRun(models.Model):
    """One `familyreach demo simulate` run: its parameters, assumptions and outcome."""

    created_at = models.DateTimeField(auto_now_add=True)
    seed = models.PositiveIntegerField()
    families = models.PositiveIntegerField(help_text="Families simulated (registered or not)")
    months = models.PositiveSmallIntegerField()
    as_of = models.DateField()
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Simulation {self.pk} (seed {self.seed})"


class SimulatedFamily(models.Model):
    """Marks a family record written by the simulator, so a re-run can replace exactly those."""

    run = models.ForeignKey(
        SimulationRun, on_delete=models.CASCADE, related_name="families_written"
    )
    family = models.OneToOneField(
        "families.Family", on_delete=models.CASCADE, related_name="simulation_marker"
    )

    def __str__(self) -> str:
        return f"Simulated family {self.family_id}"


class OutreachSeed(models.Model):
    """The unreached need a "plan outreach here" scenario was seeded with, per area."""

    scenario = models.ForeignKey(
        "planning.Scenario", on_delete=models.CASCADE, related_name="insight_seeds"
    )
    area = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    unreached_under_fives = models.FloatField()
    demand_weight = models.FloatField()
    as_of = models.DateField()

    class Meta:
        ordering = ["-demand_weight"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "area"], name="insight_seed_unique")
        ]

    def __str__(self) -> str:
        return f"{self.area_id}: {self.demand_weight:.1f}"


class RefreshStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Being worked out"
    SUCCEEDED = "succeeded", "Worked out"
    FAILED = "failed", "Failed"


class ReachRefreshQuerySet(models.QuerySet["ReachRefresh"]):
    def active(self) -> "ReachRefreshQuerySet":
        return self.filter(status__in=[RefreshStatus.QUEUED, RefreshStatus.RUNNING])


class ReachRefresh(models.Model):
    """One request to work out the reach figures again, and how it went: the dashboard shows
    "being worked out since …" or "failed: …" from it. At most one is queued or running at a
    time (a database constraint), so a second click joins the first instead of queueing
    another. Liveness fields as for planning runs (docs/planning.md "Runs that stop")."""

    # What is refreshed: the whole snapshot. The one-active constraint is per scope.
    scope = models.CharField(max_length=16, default="all", editable=False)
    status = models.CharField(
        max_length=16, choices=RefreshStatus.choices, default=RefreshStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    as_of = models.DateField(null=True, blank=True, help_text="Blank: the day it runs")
    queued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempt = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    snapshot = models.ForeignKey(
        ReachSnapshot, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ReachRefreshQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope"],
                condition=models.Q(status__in=["queued", "running"]),
                name="insight_one_active_refresh",
            )
        ]

    def __str__(self) -> str:
        return f"Reach refresh {self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (RefreshStatus.QUEUED, RefreshStatus.RUNNING)
