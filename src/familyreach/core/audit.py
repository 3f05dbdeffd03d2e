"""Audit of reads: every look at a family record leaves a trace.

Writes are recorded by django-auditlog for every registered model. Reads are not automatic, so
the `*_get_for_user` selectors call `record_access` once they have authorised the user.
"""

from typing import Any

from auditlog.context import auditlog_value, set_actor
from auditlog.signals import accessed
from django.db.models import Model


def record_access(*, instance: Model, user: Any, remote_addr: str | None = None) -> None:
    """Write an ACCESS entry for `instance` attributed to `user` (who, when, what, from where).

    Inside a web request the auditlog middleware has already named the actor and the address;
    outside one (a command, a task) we name the actor ourselves and put the context back after.
    """
    current = auditlog_value.get(None)
    if current and current.get("actor") is not None:
        accessed.send(sender=instance.__class__, instance=instance)
        return
    try:
        with set_actor(user, remote_addr=remote_addr):
            accessed.send(sender=instance.__class__, instance=instance)
    finally:
        if current is not None:
            auditlog_value.set(current)
