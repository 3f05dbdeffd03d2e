"""Writes for insight: refreshing the reach snapshot; writing a simulated population."""

import time
from collections.abc import Iterable
from datetime import date
from itertools import batched
from typing import TYPE_CHECKING, Any

import numpy as np
from auditlog.context import disable_auditlog
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from familyreach.insight.measures import TARGET_GROUP_NAMES, MeasureConfig
from familyreach.insight.models import ReachSnapshot, SimulatedFamily, SimulationRun
from familyreach.insight.selectors import reach_cells_sql, today_in_london

if TYPE_CHECKING:
    from familyreach.insight.simulate import SimulatedPopulation
    from familyreach.insight.simulation import SimulationInputs


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
    from familyreach.families.models import Child, Contact, Family, FamilySource

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
