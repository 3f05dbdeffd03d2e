"""Audit: every write to a registered model and every read of a family record leaves a trace.

Writes are recorded by django-auditlog for every registered model; services wrap them in
`acting_as(user)` so the entry names the user even outside a web request (a command, a task).
Reads are not automatic, so the `*_get_for_user` selectors call `record_access` once they have
authorised the user.

Why not auditlog's `set_actor` directly: it replaces the request's audit context (the address
the request came from) and never puts it back, so every write after it in the same request
would lose its actor. `acting_as` keeps the address and restores the context on the way out.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from auditlog.context import auditlog_value, set_actor
from auditlog.signals import accessed
from django.db.models import Model


@contextmanager
def acting_as(user: Any, *, remote_addr: str | None = None) -> Iterator[None]:
    """Attribute audit entries written inside the block to `user`."""
    if user is None or not getattr(user, "is_authenticated", False):
        yield
        return
    current = auditlog_value.get(None)
    if remote_addr is None and current:
        remote_addr = current.get("remote_addr")
    try:
        with set_actor(user, remote_addr=remote_addr):
            yield
    finally:
        if current is not None:
            auditlog_value.set(current)


def record_access(*, instance: Model, user: Any, remote_addr: str | None = None) -> None:
    """Write an ACCESS entry for `instance` attributed to `user` (who, when, what, from where)."""
    with acting_as(user, remote_addr=remote_addr):
        accessed.send(sender=instance.__class__, instance=instance)


# What `record_action` entries say they were, as shown on the audit trail page.
EXPORT_SUBJECT_ACCESS = "subject-access export"
ERASURE = "erasure"
BULK_EXPORT = "bulk export"


def record_action(
    *,
    instance: Model,
    user: Any,
    action: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record an action that is more than a read (a subject-access export, an erasure, a bulk
    export) as its own audit entry: an access entry whose `additional_data` names the action,
    so the audit trail can be searched for exports and erasures apart from everyday views."""
    from auditlog.models import LogEntry

    current = auditlog_value.get(None) or {}
    LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=user if getattr(user, "is_authenticated", False) else None,
        remote_addr=current.get("remote_addr"),
        additional_data={"action": action, **(detail or {})},
    )
