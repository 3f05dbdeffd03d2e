"""What the scheduler and the workers leave behind: one row per run of a scheduled job, and the
last sign of life of the scheduler and of a worker."""

from django.db import models


class Outcome(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", "On schedule"
    MANUAL = "manual", "Run now by a manager"


class JobRun(models.Model):
    """One run of a scheduled job for one slot (the time the schedule said it was due).

    The unique (job, slot) pair is what makes two schedulers harmless: both may enqueue the
    02:15 roll-forward, but only the first task to insert its row does the work."""

    job = models.CharField(max_length=100)
    slot = models.DateTimeField(help_text="When the schedule said this run was due (UTC).")
    trigger = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.SCHEDULE)
    requested_by = models.CharField(max_length=150, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="operations_jobrun_once_per_slot")
        ]
        indexes = [models.Index(fields=["job", "-started_at"], name="operations_jobrun_latest")]
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.job} {self.slot:%Y-%m-%d %H:%M} {self.outcome}"

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class HeartbeatKind(models.TextChoices):
    SCHEDULER = "scheduler", "Scheduler"
    WORKER = "worker", "Worker"


class Heartbeat(models.Model):
    """The last sign of life: the scheduler writes one each time it enqueues a job, a worker
    each time it runs the minute heartbeat job. One row per kind, overwritten."""

    kind = models.CharField(max_length=20, choices=HeartbeatKind.choices, unique=True)
    seen_at = models.DateTimeField()
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} seen {self.seen_at:%Y-%m-%d %H:%M:%S} on {self.hostname}:{self.pid}"
