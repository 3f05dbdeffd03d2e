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
