"""Audit context: a read or a service's write inside a request must not lose the request's actor."""

from collections.abc import Callable, Iterator

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.auth.models import Group

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.core.audit import acting_as, record_access


@pytest.fixture
def audited_group_model() -> Iterator[None]:
    auditlog.register(Group)
    yield
    auditlog.unregister(Group)


@pytest.mark.django_db
@pytest.mark.usefixtures("audited_group_model")
def test_writes_after_a_read_keep_the_request_actor_and_address(
    make_user: Callable[..., User],
) -> None:
    worker = make_user(Role.FAMILY_WORKER)
    reader = make_user(Role.MANAGER)
    with set_actor(worker, remote_addr="203.0.113.7"):  # what the middleware does
        group = Group.objects.create(name="first")
        record_access(instance=group, user=reader)
        Group.objects.create(name="second")

    created = LogEntry.objects.filter(action=LogEntry.Action.CREATE).order_by("id")
    assert [entry.actor for entry in created] == [worker, worker]
    assert [entry.remote_addr for entry in created] == ["203.0.113.7", "203.0.113.7"]
    access = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert access.actor == reader
    assert access.remote_addr == "203.0.113.7"


@pytest.mark.django_db
@pytest.mark.usefixtures("audited_group_model")
def test_acting_as_outside_a_request_names_the_user_and_leaves_no_actor_behind(
    make_user: Callable[..., User],
) -> None:
    planner = make_user(Role.PLANNER)
    with acting_as(planner):
        Group.objects.create(name="by the planner")
    Group.objects.create(name="by nobody")

    entries = {
        entry.object_repr: entry.actor
        for entry in LogEntry.objects.filter(action=LogEntry.Action.CREATE)
    }
    assert entries == {"by the planner": planner, "by nobody": None}
