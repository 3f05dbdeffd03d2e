"""Attribute audit entries to the user a service acts for, inside or outside a web request."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from auditlog.context import auditlog_value, set_actor

from familyreach.core.audit import actor_context_is_live


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Inside a request the auditlog middleware has named the actor and the address already;
    a command or task has not, so the service names its user (and restores the context after)."""
    current = auditlog_value.get(None)
    if actor_context_is_live(current) or user is None:
        yield
        return
    try:
        with set_actor(user):
            yield
    finally:
        auditlog_value.set(current)
