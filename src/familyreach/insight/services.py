"""Writes for insight: refreshing the reach snapshot; writing a simulated population."""

import logging
import time
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from itertools import batched
from typing import TYPE_CHECKING, Any

import numpy as np
from auditlog.context import disable_auditlog
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Model
from django.db.models.functions import Coalesce
from django.utils import timezone

from familyreach.core import background
from familyreach.insight.measures import TARGET_GROUP_NAMES, MeasureConfig
from familyreach.insight.models import (
    ReachRefresh,
    ReachSnapshot,
    RefreshStatus,
    SimulatedFamily,
    SimulationRun,
)
from familyreach.insight.selectors import reach_cells_sql, today_in_london

if TYPE_CHECKING:
    from familyreach.insight.simulate import SimulatedPopulation
    from familyreach.insight.simulation_database import SimulationInputs

logger = logging.getLogger(__name__)


@transaction.atomic
def reach_snapshot_refresh(*, user: Any = None, as_of: date | None = None) -> ReachSnapshot:
    """Reduce every family and contact to reach counts as of a date (default today) and store
    them, so dashboards read counts instead of millions of rows. Older snapshots are kept for
    comparison; run nightly and after imports or simulations."""
    from familyreach.families.models import Family

    as_of = as_of or today_in_london()
    config = MeasureConfig.from_settings()
    started = time.perf_counter()
    cells = reach_cells_sql(as_of=as_of, config=config)
    snapshot = ReachSnapshot(
        as_of=as_of,
        computed_by=user if getattr(user, "is_authenticated", False) else None,
        config=config.as_dict(),
        cells=cells.to_json(),
        includes_simulated=Family.objects.filter(
            is_simulated=True, archived_at__isnull=True
        ).exists(),
        seconds=time.perf_counter() - started,
    )
    snapshot.full_clean()
    snapshot.save()
    return snapshot


def reach_year_end_snapshots_ensure(*, today: date | None = None) -> list[ReachSnapshot]:
    """Work out the reach figures as at each 31 March the public annual report shows, where
    none has been worked out yet: the nightly refresh works out today's figures only, and a
    public page never starts the reduction itself. Returns the snapshots made."""
    from familyreach.insight.annual_report import financial_years

    made = []
    for year in financial_years(today=today or today_in_london()):
        if not ReachSnapshot.objects.filter(as_of=year.end).exists():
            made.append(reach_snapshot_refresh(as_of=year.end))
    return made


# --- Refreshes asked for from the dashboard (or the nightly schedule), run by a worker --------


def reach_refresh_request(
    *, user: Any = None, as_of: date | None = None
) -> tuple[ReachRefresh, bool]:
    """Ask for the reach figures to be worked out again by a background worker. Returns the
    refresh and whether this call queued it: while one is queued or running, a second request
    joins it instead of queueing another (a unique constraint decides, so two clicks at the
    same moment still queue one). The refresh and its task are committed together."""
    requested_by = user if getattr(user, "is_authenticated", False) else None
    for _ in range(3):
        try:
            with transaction.atomic():
                refresh = ReachRefresh(
                    requested_by=requested_by, as_of=as_of, queued_at=timezone.now()
                )
                refresh.full_clean(validate_constraints=False)
                refresh.save()
                _enqueue_refresh(refresh.pk)
        except IntegrityError:
            active = ReachRefresh.objects.active().first()
            if active is not None:
                return active, False
            continue  # it finished between our insert and our look: ask again
        refresh.refresh_from_db()
        return refresh, True
    raise RuntimeError("Could not queue a reach refresh")  # pragma: no cover - three races lost


def _enqueue_refresh(refresh_id: int) -> None:
    from familyreach.insight.tasks import refresh_reach

    def record(task_id: str) -> None:
        ReachRefresh.objects.filter(pk=refresh_id).update(task_id=task_id[:64])

    background.enqueue_with_row(refresh_reach, refresh_id, on_enqueued=record)


class RefreshSuperseded(Exception):
    """This attempt no longer holds the refresh (recovery took it back): nothing is kept."""


def reach_refresh_execute(*, refresh_id: int) -> ReachRefresh:
    """Work out a queued refresh: the snapshot and the refresh's success are written in one
    transaction, and only by the attempt that holds it. A heartbeat thread says it is alive."""
    now = timezone.now()
    taken = ReachRefresh.objects.filter(pk=refresh_id, status=RefreshStatus.QUEUED).update(
        status=RefreshStatus.RUNNING, started_at=now, heartbeat_at=now, attempt=F("attempt") + 1
    )
    refresh = ReachRefresh.objects.select_related("requested_by").get(pk=refresh_id)
    if not taken:
        return refresh  # delivered twice, or already recovered
    attempt = refresh.attempt
    holds = ReachRefresh.objects.filter(
        pk=refresh_id, status=RefreshStatus.RUNNING, attempt=attempt
    )
    with background.heartbeat(lambda: holds.update(heartbeat_at=timezone.now())):
        try:
            with transaction.atomic():
                snapshot = reach_snapshot_refresh(user=refresh.requested_by, as_of=refresh.as_of)
                if not holds.update(
                    status=RefreshStatus.SUCCEEDED, snapshot=snapshot, finished_at=timezone.now()
                ):
                    raise RefreshSuperseded
        except RefreshSuperseded:
            logger.warning("Reach refresh %s attempt %s was taken back", refresh_id, attempt)
        except Exception as error:
            logger.exception("Reach refresh %s failed", refresh_id)
            holds.update(
                status=RefreshStatus.FAILED,
                error=f"{error.__class__.__name__}: {error}"[:2000],
                finished_at=timezone.now(),
            )
    return ReachRefresh.objects.get(pk=refresh_id)


STOPPED_REFRESH_MESSAGE = (
    "Working out the figures stopped {times} without finishing (its worker was stopped, "
    "restarted or ran out of memory). Try again, or ask for the worker to be checked."
)
NO_WORKER_REFRESH_MESSAGE = (
    "No worker started working out the figures within {minutes} minutes, so it was stopped: "
    "check that the worker (`familyreach worker`) is running, then try again."
)


def reach_refreshes_recover(*, now: datetime | None = None) -> list[ReachRefresh]:
    """Take back the refreshes whose worker is gone, as `scenario_runs_recover` does for runs
    (same settings): queue them again, or fail them with a message. Idempotent. Returns the
    refreshes it changed, as they are now."""
    now = now or timezone.now()
    gone = now - timedelta(seconds=settings.BACKGROUND_WORKER_GONE_SECONDS)
    candidates = list(
        ReachRefresh.objects.filter(status=RefreshStatus.RUNNING)
        .annotate(sign=Coalesce("heartbeat_at", "started_at", "queued_at"))
        .filter(sign__lt=gone)
        .values_list("pk", flat=True)
    ) + list(
        ReachRefresh.objects.filter(status=RefreshStatus.QUEUED, queued_at__lt=gone).values_list(
            "pk", flat=True
        )
    )
    recovered = []
    for refresh_id in candidates:
        refresh = _recover_refresh(refresh_id=refresh_id, now=now)
        if refresh is not None:
            recovered.append(refresh)
    return recovered


@transaction.atomic
def _recover_refresh(*, refresh_id: int, now: datetime) -> ReachRefresh | None:
    from familyreach.insight.tasks import refresh_reach

    refresh = ReachRefresh.objects.select_for_update().get(pk=refresh_id)
    if refresh.status not in (RefreshStatus.RUNNING, RefreshStatus.QUEUED):
        return None
    action = background.recovery_decide(
        refresh_reach,
        task_id=refresh.task_id,
        running=refresh.status == RefreshStatus.RUNNING,
        last_sign_of_life=refresh.heartbeat_at or refresh.started_at or refresh.queued_at,
        queued_at=refresh.queued_at,
        attempt=refresh.attempt,
        now=now,
        taken_back_by="reach_refreshes_recover",
    )
    if action == background.Recovery.LEAVE:
        return None
    if action == background.Recovery.FAIL_NO_WORKER:
        refresh.error = NO_WORKER_REFRESH_MESSAGE.format(
            minutes=round(settings.BACKGROUND_QUEUE_WAIT_SECONDS / 60)
        )
        refresh.status = RefreshStatus.FAILED
        refresh.finished_at = now
    elif action == background.Recovery.FAIL_STOPPED:
        refresh.error = STOPPED_REFRESH_MESSAGE.format(
            times=background.attempts_in_words(refresh.attempt)
        )
        refresh.status = RefreshStatus.FAILED
        refresh.finished_at = now
    else:
        if refresh.status == RefreshStatus.RUNNING:
            refresh.queued_at = now
        refresh.status = RefreshStatus.QUEUED
        refresh.started_at = None
        refresh.heartbeat_at = None
        refresh.task_id = ""
    refresh.save()
    if refresh.status == RefreshStatus.QUEUED:
        logger.warning("Reach refresh %s queued again", refresh.pk)
        _enqueue_refresh(refresh.pk)
    return ReachRefresh.objects.get(pk=refresh.pk)


def _insert_rows(
    model: type[Model], columns: list[str], rows: Iterable[tuple[Any, ...]], *, batch_size: int
) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    with connection.cursor() as cursor:
        for batch in batched(rows, batch_size, strict=False):
            cursor.executemany(sql, list(batch))


@transaction.atomic
def simulated_population_write(
    *, population: "SimulatedPopulation", inputs: "SimulationInputs", batch_size: int = 5000
) -> SimulationRun:
    """Replace the simulator's families with this population's registered families, their
    children and contacts, in bulk, all marked simulated (`is_simulated`, source "demo", and a
    `SimulatedFamily` marker). Families the simulator did not write are never touched.

    Bulk writes skip the per-record audit entries: these are not real people.
    """
    from familyreach.delivery.models import Contact
    from familyreach.families.models import Child, Family, FamilySource

    # The previous simulation's rows go in a few set-based statements: going through the ORM
    # row by row (with an audit signal each) takes minutes for a county's worth of families.
    marker_table = SimulatedFamily._meta.db_table
    with connection.cursor() as cursor:
        for model in (Contact, Child):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE family_id IN "  # noqa: S608
                f"(SELECT family_id FROM {marker_table})"
            )
    with disable_auditlog():
        # Anything else hanging off a simulated family (carers, consents; or a booking, which
        # protects it and stops the run with an error) goes through the ORM's rules. Selected
        # by a join, not a list of ids, which could pass SQLite's limit on parameters.
        Family.objects.filter(simulation_marker__isnull=False, is_simulated=True).delete()
    SimulatedFamily.objects.all().delete()
    SimulationRun.objects.all().delete()

    run = SimulationRun.objects.create(
        seed=population.seed,
        families=population.families,
        months=population.months,
        as_of=population.as_of,
        summary=population.summary(),
    )
    registered = np.flatnonzero(population.registered)
    families = []
    for index in registered:
        area = inputs.areas[int(population.area_index[index])]
        groups = population.target_groups[index]
        families.append(
            Family(
                area=area,
                district_id=area.district_id,
                area_is_exact=False,
                source=FamilySource.DEMO,
                is_simulated=True,
                **{name: name in groups for name in TARGET_GROUP_NAMES},
            )
        )
    Family.objects.bulk_create(families, batch_size=batch_size)
    family_by_index = {
        int(index): family for index, family in zip(registered, families, strict=True)
    }
    SimulatedFamily.objects.bulk_create(
        [SimulatedFamily(run=run, family=family) for family in families], batch_size=batch_size
    )
    # Children and contacts are the bulk of the rows: plain multi-row INSERTs, not model
    # instances, so a county's worth (hundreds of thousands) is written in seconds.
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    _insert_rows(
        Child,
        ["created_at", "modified_at", "first_name", "last_name", "date_of_birth", "family_id"],
        (
            (now, now, "Simulated child", "", connection.ops.adapt_datefield_value(born), family.pk)
            for index, family in family_by_index.items()
            for born in population.child_birth_days[index]
        ),
        batch_size=batch_size,
    )
    contact_rows = []
    for position, family_index in enumerate(population.contact_family):
        family = family_by_index.get(int(family_index))
        if family is None:
            continue
        point = int(population.contact_point[position])
        contact_rows.append(
            (
                now,
                now,
                connection.ops.adapt_datefield_value(population.contact_days[position]),
                population.contact_kinds[position],
                1,
                1,
                True,
                family.area_id,
                family.district_id,
                inputs.venues[point].pk if point >= 0 else None,
                family.pk,
            )
        )
    _insert_rows(
        Contact,
        [
            "created_at",
            "modified_at",
            "date",
            "kind",
            "adults",
            "children",
            "is_simulated",
            "area_id",
            "district_id",
            "venue_id",
            "family_id",
        ],
        contact_rows,
        batch_size=batch_size,
    )
    return run
