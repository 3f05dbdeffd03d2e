"""Reads that may be a moment old go to a PostgreSQL streaming replica, when there is one.

With DATABASE_REPLICA_URL set, the settings add a `replica` database alias and this router.
Reads go to the replica only when all of these hold, and to the primary (`default`) otherwise:
- the code runs inside `replica_reads()` (a context manager and view decorator): public pages
  marked `@public_page` (/find and the ORUK API, which any HTTP cache may keep for a minute
  anyway) and the insight dashboards. Staff pages, forms, workers and commands never do;
- the model belongs to one of FAMILYREACH_REPLICA_APPS (the directory, geography and insight
  tables those pages read; not sessions or users, so signing in is never "forgotten");
- nothing has been written in this `replica_reads()` block (read your own writes), and the
  request does not carry the cookie `ReplicaPinMiddleware` sets for
  FAMILYREACH_REPLICA_PIN_SECONDS after any unsafe request (POST...), so whoever just changed
  something sees it on the next page too;
- the replica answered its last check, at most FAMILYREACH_REPLICA_CHECK_SECONDS ago (per
  process), and was then no more than FAMILYREACH_REPLICA_MAX_LAG_SECONDS behind. A replica
  that is down or lagging costs nothing but the primary's load: every read goes there.

Writes always go to the primary, and migrations run only there (the replica follows by
streaming replication). docs/scaling.md says when a deployment needs this.
"""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "familyreach_primary"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

# How far the replica is behind, in seconds: 0 when it has replayed everything it received
# (an idle primary sends nothing, so "time since the last replayed transaction" alone would
# call an up-to-date replica late), else the age of the last transaction it replayed. A server
# that is not in recovery (the alias pointed at a primary) is never behind.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)
END
"""


@dataclass
class _ReadScope:
    wrote: bool = False


_scope: ContextVar[_ReadScope | None] = ContextVar("familyreach_replica_scope", default=None)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Let reads inside this block go to the replica (see the module's rules)."""
    token = _scope.set(_ReadScope())
    try:
        yield
    finally:
        _scope.reset(token)


def reads_from_replica(view: Callable[..., Any]) -> Callable[..., Any]:
    """A view whose safe requests read from the replica, unless the visitor just wrote."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.method not in SAFE_METHODS or PIN_COOKIE in request.COOKIES:
            return view(request, *args, **kwargs)
        with replica_reads():
            return view(request, *args, **kwargs)

    return wrapped


@dataclass
class _Health:
    checked_at: float = -1e18
    usable: bool = False
    lag_seconds: float | None = None


_health = _Health()
_health_lock = threading.Lock()


def replica_lag_seconds() -> float | None:
    """How far the replica is behind now (None when it cannot be asked)."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            row = cursor.fetchone()
    except DatabaseError:
        return None
    return float(row[0]) if row else None


def replica_usable() -> bool:
    """Whether reads may go to the replica: asked at most once per check interval per process."""
    now = time.monotonic()
    if now - _health.checked_at < settings.FAMILYREACH_REPLICA_CHECK_SECONDS:
        return _health.usable
    with _health_lock:
        if now - _health.checked_at >= settings.FAMILYREACH_REPLICA_CHECK_SECONDS:
            lag = replica_lag_seconds()
            _health.lag_seconds = lag
            _health.usable = lag is not None and lag <= settings.FAMILYREACH_REPLICA_MAX_LAG_SECONDS
            _health.checked_at = now
        return _health.usable


def forget_replica_health() -> None:
    """Ask the replica again on the next read (tests; after a failover)."""
    _health.checked_at = -1e18


class ReplicaRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        scope = _scope.get()
        if (
            scope is None
            or scope.wrote
            or REPLICA not in connections.settings
            or model._meta.app_label not in settings.FAMILYREACH_REPLICA_APPS
        ):
            return None
        return REPLICA if replica_usable() else None

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        scope = _scope.get()
        if scope is not None:
            scope.wrote = True  # from here on this block reads its own writes from the primary
        return PRIMARY

    def allow_relation(self, first: Model, second: Model, **hints: Any) -> bool | None:
        # Both aliases hold the same data: an object read from one may point at the other's.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA  # the replica follows the primary's migrations by replication


class ReplicaPinMiddleware:
    """After an unsafe request (POST, PUT, DELETE...), read from the primary for a few seconds,
    so whoever changed something sees it on the next pages even when the replica is behind."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.FAMILYREACH_REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
