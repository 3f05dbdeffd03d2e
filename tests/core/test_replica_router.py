"""The read-replica router (core/db_routers.py) against a real PostgreSQL streaming replica:
`make test-replica` (scripts/with-postgres-replica.sh) starts a primary and a hot standby on
loopback. Reads of public pages and dashboards go to the standby, proven on the server that
answered (pg_is_in_recovery(), and a standby whose replay is paused still showing the old
name); writes go to the primary; a replica that is behind or unreachable sends reads to the
primary; whoever just wrote reads from the primary.

The test database is created (and migrated) on the primary, and reaches the standby by
replication: the `replica` alias mirrors `default` while Django creates it (TEST MIRROR), then
`standby` below points the alias at the standby's copy.
"""

import os
import socket
import time
from collections.abc import Iterator
from typing import Any

import environ
import pytest
from django.conf import settings
from django.db import OperationalError, connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from familyreach.accounts.models import User
from familyreach.core import db_routers
from familyreach.core.db_routers import PIN_COOKIE, ReplicaRouter, replica_reads
from familyreach.directory.models import Service
from tests.fixtures.directory import DirectoryWorld

pytestmark = [
    pytest.mark.replica,
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


def _ask(alias: str, sql: str, params: list[Any] | None = None) -> Any:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def _wait_for_standby(*, replayed: bool = True) -> None:
    """Until the standby has received (or replayed) everything the primary has written so far.
    Bounded: a standby that does not follow in 30 s fails the test."""
    # The insert position: with synchronous_commit off a commit record may be inserted but not
    # yet written, and pg_current_wal_lsn() (the write position) would stop short of it.
    target = _ask("default", "SELECT pg_current_wal_insert_lsn()")
    function = "pg_last_wal_replay_lsn" if replayed else "pg_last_wal_receive_lsn"
    for _ in range(600):
        if _ask("replica", f"SELECT {function}() >= %s::pg_lsn", [target]):
            return
        time.sleep(0.05)
    pytest.fail(f"the standby did not reach {target} in 30 s")


@pytest.fixture(scope="module")
def standby(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    if "replica" not in settings.DATABASES or not os.environ.get("DATABASE_REPLICA_URL"):
        pytest.fail(
            "These tests need a streaming replica: run them with `make test-replica` "
            "(scripts/with-postgres-replica.sh sets DATABASE_REPLICA_URL)."
        )
    real = environ.Env.db_url_config(os.environ["DATABASE_REPLICA_URL"])
    replica = connections["replica"]
    replica.close()
    # The primary's test database (same name), on the standby's server.
    replica.settings_dict = {
        **connections["default"].settings_dict,
        "HOST": real["HOST"],
        "PORT": real["PORT"],
    }
    with django_db_blocker.unblock():
        for _ in range(600):  # the test database's creation must have replicated
            try:
                _ask("replica", "SELECT 1")
                break
            except OperationalError:  # "database does not exist" until it replicates
                replica.close()
                time.sleep(0.05)
        _wait_for_standby()
    yield
    replica.close()


@pytest.fixture(autouse=True)
def _fresh_health(standby: None) -> Iterator[None]:
    # Ask the replica on every read, and start each test without a remembered answer.
    with override_settings(FAMILYREACH_REPLICA_CHECK_SECONDS=0):
        db_routers.forget_replica_health()
        yield
    db_routers.forget_replica_health()


@pytest.fixture
def world(directory_world: DirectoryWorld) -> DirectoryWorld:
    _wait_for_standby()
    return directory_world


@pytest.fixture
def paused_standby() -> Iterator[None]:
    """The standby keeps receiving the primary's changes but stops applying them."""
    _ask("replica", "SELECT pg_wal_replay_pause()::text")
    try:
        yield
    finally:
        _ask("replica", "SELECT pg_wal_replay_resume()::text")
        _wait_for_standby()


def test_the_two_aliases_are_a_primary_and_a_standby(world: DirectoryWorld) -> None:
    assert _ask("default", "SELECT pg_is_in_recovery()") is False
    assert _ask("replica", "SELECT pg_is_in_recovery()") is True
    # The standby is read-only: nothing can be written there by mistake.
    with pytest.raises(Exception, match="read-only"):
        _ask("replica", "CREATE TABLE nothing_here (id int)")


def test_public_reads_go_to_the_standby_and_the_rest_to_the_primary(
    world: DirectoryWorld,
) -> None:
    with replica_reads():
        services = Service.objects.all()
        assert services.db == "replica"
        assert world.stay_and_play.name in {service.name for service in services}
        # Sessions and users stay on the primary: signing in is never "forgotten".
        assert User.objects.all().db == "default"
    assert Service.objects.all().db == "default"  # outside a replica_reads() block


def test_a_write_goes_to_the_primary_and_the_block_then_reads_its_own_writes(
    world: DirectoryWorld,
) -> None:
    with replica_reads():
        assert Service.objects.all().db == "replica"
        world.stay_and_play.name = "Saturday Splash"
        world.stay_and_play.save()  # would fail on the standby: it is read-only
        assert Service.objects.all().db == "default"
        assert Service.objects.get(pk=world.stay_and_play.pk).name == "Saturday Splash"
    assert ReplicaRouter().db_for_write(Service) == "default"
    assert ReplicaRouter().allow_migrate("replica", "directory") is False
    assert ReplicaRouter().allow_migrate("default", "directory") is True


def test_pages_read_from_the_standby_unless_it_is_behind_or_the_visitor_just_wrote(
    world: DirectoryWorld, paused_standby: None, manager: User
) -> None:
    address = f"/openreferral/services/{world.stay_and_play.pk}"
    Service.objects.filter(pk=world.stay_and_play.pk).update(name="Renamed on the primary")
    _wait_for_standby(replayed=False)  # received, not applied

    # A replica allowed to be far behind answers: the old name proves the standby answered.
    with override_settings(FAMILYREACH_REPLICA_MAX_LAG_SECONDS=10**6):
        assert Client().get(address).json()["name"] == world.stay_and_play.name
        # Whoever just sent a form reads from the primary for a while.
        pinned = Client()
        pinned.cookies[PIN_COOKIE] = "1"
        assert pinned.get(address).json()["name"] == "Renamed on the primary"

    # Behind by more than allowed (here: at all): the primary answers.
    with override_settings(FAMILYREACH_REPLICA_MAX_LAG_SECONDS=0):
        db_routers.forget_replica_health()
        assert Client().get(address).json()["name"] == "Renamed on the primary"
        lag = db_routers.replica_lag_seconds()
        assert lag is not None
        assert lag > 0


def test_a_caught_up_replica_is_used_even_when_no_lag_is_allowed(world: DirectoryWorld) -> None:
    Service.objects.filter(pk=world.stay_and_play.pk).update(name="Renamed and replicated")
    _wait_for_standby()
    assert db_routers.replica_lag_seconds() == 0
    with override_settings(FAMILYREACH_REPLICA_MAX_LAG_SECONDS=0):
        replica = connections["replica"]
        with CaptureQueriesContext(replica) as on_replica:
            response = Client().get(f"/openreferral/services/{world.stay_and_play.pk}")
        assert response.json()["name"] == "Renamed and replicated"
        assert any("directory_service" in query["sql"] for query in on_replica.captured_queries)


def test_a_post_pins_the_visitor_to_the_primary(world: DirectoryWorld) -> None:
    response = Client().post("/request-support", {})
    cookie = response.cookies[PIN_COOKIE]
    assert int(cookie["max-age"]) == settings.FAMILYREACH_REPLICA_PIN_SECONDS
    assert cookie["httponly"]
    assert not Client().get("/find").cookies  # a GET sets nothing (public pages stay public)


def test_an_unreachable_replica_sends_reads_to_the_primary(world: DirectoryWorld) -> None:
    replica = connections["replica"]
    saved = replica.settings_dict
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        unused = probe.getsockname()[1]
    replica.close()
    replica.settings_dict = {**saved, "PORT": unused}
    try:
        assert db_routers.replica_lag_seconds() is None
        with replica_reads():
            assert Service.objects.all().db == "default"
        response = Client().get(f"/openreferral/services/{world.stay_and_play.pk}")
        assert response.status_code == 200  # the page still works, from the primary
    finally:
        replica.close()
        replica.settings_dict = saved


@pytest.mark.parametrize(
    ("address", "on_replica"),
    [
        ("/openreferral/services", True),
        ("/find?postcode=NR30+2SH", True),
        ("/staff/insight/", True),
        ("/staff/directory/", False),  # staff pages stay on the primary
    ],
)
def test_which_pages_read_from_the_replica(
    world: DirectoryWorld, manager: User, address: str, on_replica: bool
) -> None:
    client = Client()
    if address.startswith("/staff/"):
        client.force_login(manager)
    with CaptureQueriesContext(connections["replica"]) as replica_queries:
        response = client.get(address)
    assert response.status_code == 200, address
    # Not counting the lag check itself.
    reads = [q for q in replica_queries.captured_queries if "pg_is_in_recovery" not in q["sql"]]
    assert bool(reads) is on_replica, [q["sql"][:80] for q in reads]
