"""Signs of life: the scheduler and each worker overwrite one row each time they act, so the
operations page can say when either last ran. Below `schedule` (which records the scheduler's)
and `services`, so neither has to import the other for it."""

import os
import socket
from datetime import datetime

from django.utils import timezone

from familyreach.operations.models import Heartbeat, HeartbeatKind


def heartbeat_record(*, kind: str, now: datetime | None = None) -> Heartbeat:
    """Overwrite the last sign of life of the scheduler or of a worker."""
    heartbeat, _created = Heartbeat.objects.update_or_create(
        kind=HeartbeatKind(kind),
        defaults={
            "seen_at": now or timezone.now(),
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
        },
    )
    return heartbeat
