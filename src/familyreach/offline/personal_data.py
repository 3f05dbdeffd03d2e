"""What the offline app holds about a family (registered with `familyreach.core.personal_data`
from `OfflineConfig.ready`)."""

from typing import Any

from django.db.models import QuerySet

from familyreach.core.personal_data import Holding, hold
from familyreach.offline.models import OfflineChange


def _keep(rows: QuerySet[Any], user: Any) -> None:
    """An offline change keeps ids, a kind, a mark and times: no words about the family (the
    names and notes went to the family's and the visit's records, erased there)."""


def register() -> None:
    hold(
        Holding(
            model=OfflineChange,
            section="Changes recorded without signal",
            find=lambda found: OfflineChange.objects.filter(family_id__in=found.family_ids),
            fields=(
                ("kind", "What was recorded"),
                ("made_at", "When it was recorded"),
                ("received_at", "When it reached us"),
                ("outcome", "What came of it"),
            ),
            erase=_keep,
            order=85,
        )
    )
