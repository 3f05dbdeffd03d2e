"""Need: how much each area counts when planning, and which areas are of "greatest need".

Need weight (default): an area's under-fives (estimated where no true count was loaded) times a
deprivation weight from its IDACI 2019 national decile, set in `FAMILYREACH_NEED_WEIGHTS`
(default {1: 2.0, 2: 1.75, 3: 1.5, 4: 1.25}; other deciles, or none, weigh 1). So a child in
the most income-deprived 10 % of English areas counts twice a child in an average area.

Greatest need (default): IDACI national deciles 1–2, set in `FAMILYREACH_GREATEST_NEED`:
- `{"method": "national_deciles", "index": "idaci" | "imd", "deciles": [1, 2]}`, or
- `{"method": "local_share", "index": "idaci" | "imd", "share": 0.2}`: the most deprived 20 %
  of each council's own areas, ranked by score (ties broken by national rank).
"""

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from numpy.typing import NDArray

from familyreach.geo.models import Area
from familyreach.geo.population import under_fives_of

DEFAULT_NEED_WEIGHTS: dict[int, float] = {1: 2.0, 2: 1.75, 3: 1.5, 4: 1.25}
DEFAULT_GREATEST_NEED: dict[str, object] = {
    "method": "national_deciles",
    "index": "idaci",
    "deciles": [1, 2],
}


def need_weights() -> Mapping[int, float]:
    weights = getattr(settings, "FAMILYREACH_NEED_WEIGHTS", DEFAULT_NEED_WEIGHTS)
    return {int(decile): float(weight) for decile, weight in weights.items()}


def deprivation_weight(area: Area) -> float:
    """The multiplier for the area's IDACI decile (1 where the decile is unknown or not listed)."""
    if area.idaci_decile is None:
        return 1.0
    return need_weights().get(area.idaci_decile, 1.0)


def need_weight(area: Area) -> float:
    """Under-fives × deprivation weight. 0 when the area has no under-fives figure."""
    return under_fives_of(area) * deprivation_weight(area)


def need_weight_array(areas: Iterable[Area]) -> NDArray[np.float64]:
    """Need weights in the order given: the demand weights for the location engine."""
    weights = need_weights()
    return np.array(
        [under_fives_of(area) * weights.get(area.idaci_decile or 0, 1.0) for area in areas],
        dtype=np.float64,
    )


def greatest_need_rule() -> dict[str, object]:
    rule = dict(getattr(settings, "FAMILYREACH_GREATEST_NEED", DEFAULT_GREATEST_NEED))
    if rule.get("method") not in {"national_deciles", "local_share"}:
        raise ImproperlyConfigured(
            'FAMILYREACH_GREATEST_NEED["method"] must be "national_deciles" or "local_share"'
        )
    if rule.get("index", "idaci") not in {"idaci", "imd"}:
        raise ImproperlyConfigured('FAMILYREACH_GREATEST_NEED["index"] must be "idaci" or "imd"')
    return rule


def greatest_need_area_ids(queryset: QuerySet[Area] | None = None) -> set[int]:
    """Ids of the areas of greatest need (among `queryset`, default all areas)."""
    rule = greatest_need_rule()
    index = str(rule.get("index", "idaci"))
    areas = queryset if queryset is not None else Area.objects.all()
    if rule["method"] == "national_deciles":
        deciles = [int(decile) for decile in rule.get("deciles", [1, 2])]  # type: ignore[attr-defined]
        return set(areas.filter(**{f"{index}_decile__in": deciles}).values_list("pk", flat=True))
    share = float(rule.get("share", 0.2))  # type: ignore[arg-type]
    if not 0 < share <= 1:
        raise ImproperlyConfigured('FAMILYREACH_GREATEST_NEED["share"] must be in (0, 1]')
    by_council: dict[str, list[tuple[float, int, int]]] = defaultdict(list)
    rows = Area.objects.filter(pk__in=areas.values("pk")).values_list(
        "pk", "district__council_code", f"{index}_score", f"{index}_rank"
    )
    for pk, council, score, rank in rows:
        if score is not None:
            by_council[council].append((-score, rank or 0, pk))
    chosen: set[int] = set()
    for members in by_council.values():
        members.sort()
        count = math.ceil(share * len(members))
        chosen.update(pk for _, _, pk in members[:count])
    return chosen


def greatest_need_areas(queryset: QuerySet[Area] | None = None) -> QuerySet[Area]:
    """The areas of greatest need, as a queryset (filterable, e.g. by district)."""
    areas = queryset if queryset is not None else Area.objects.all()
    return areas.filter(pk__in=greatest_need_area_ids(areas))


# --- Unreached need: published here by insight, read by planning --------------------------------
# Planning's "unreached need" demand is the unreached under-fives of each greatest-need area in
# the latest reach figures. Insight works those figures out; planning takes need from geo and
# never imports insight (docs/decisions/0016-layers-and-import-linter.md), so insight publishes
# its reader here when the app is ready (`InsightConfig.ready()`).
_unreached_need_source: Callable[[], dict[int, float]] | None = None


def unreached_need_source_set(source: Callable[[], dict[int, float]]) -> None:
    """Publish the reader of unreached need: a function returning area id -> unreached
    under-fives (0 or absent for other areas), raising ValueError when there are no figures."""
    global _unreached_need_source
    _unreached_need_source = source


def unreached_need_by_area() -> dict[int, float]:
    """Unreached under-fives per greatest-need area (area id -> count) in the latest reach
    figures. Raises ValueError when no figures have been worked out, or nothing publishes them."""
    if _unreached_need_source is None:
        raise ValueError(
            "Unreached need needs the reach figures, and the insight app is not installed"
        )
    return _unreached_need_source()
