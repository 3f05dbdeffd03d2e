"""Writes for insight: refreshing the reach snapshot."""

import time
from datetime import date
from typing import Any

from django.db import transaction

from familyreach.insight.measures import MeasureConfig
from familyreach.insight.models import ReachSnapshot
from familyreach.insight.selectors import reach_cells_sql, today_in_london


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
