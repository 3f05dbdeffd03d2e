"""Audit of reads: every look at a family record leaves a trace.

Writes are recorded by django-auditlog for every registered model. Reads are not automatic, so
the `*_get_for_user` selectors call `record_access` once they have authorised the user.
"""

from typing import Any

from auditlog.context import auditlog_value, set_actor
from auditlog.signals import accessed
from django.db.models import Model
from django.db.models.signals import pre_save


def actor_context_is_live(context: Any) -> bool:
    """True when `context` (auditlog's current actor context) still names who writes the log.

    `set_actor` leaves its context in place after its block ends but disconnects the receiver
    that copies the actor onto entries; such a stale context must not be trusted, or entries
    are written with no actor (or, in a later test or task, the wrong one).
    """
    if not context or context.get("actor") is None:
        return False
    duid = context.get("signal_duid")
    return any(entry[0][0] == duid for entry in pre_save.receivers)


def record_access(*, instance: Model, user: Any, remote_addr: str | None = None) -> None:
    """Write an ACCESS entry for `instance` attributed to `user` (who, when, what, from where).

    Inside a web request the auditlog middleware has already named the actor and the address;
    outside one (a command, a task) we name the actor ourselves and put the context back after.
    """
    current = auditlog_value.get(None)
    if actor_context_is_live(current):
        accessed.send(sender=instance.__class__, instance=instance)
        return
    try:
        with set_actor(user, remote_addr=remote_addr):
            accessed.send(sender=instance.__class__, instance=instance)
    finally:
        # Put back exactly what was there (even nothing), so no stale actor outlives us.
        auditlog_value.set(current)
