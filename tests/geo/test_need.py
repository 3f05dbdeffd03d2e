import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from familyreach.geo.models import Area
from familyreach.geo.need import (
    deprivation_weight,
    greatest_need_area_ids,
    greatest_need_areas,
    need_weight,
    need_weight_array,
)
from tests.fixtures.geo import NorfolkWorld


def test_need_weight_is_under_fives_times_the_idaci_decile_weight(norfolk: NorfolkWorld) -> None:
    area = norfolk.most_deprived_area
    assert area.idaci_decile == 1
    assert deprivation_weight(area) == 2.0
    assert need_weight(area) == pytest.approx(area.under_fives * 2.0)
    average = Area.objects.filter(idaci_decile=6).first()
    assert average is not None
    assert need_weight(average) == pytest.approx(average.under_fives)


def test_need_weights_are_configurable(norfolk: NorfolkWorld) -> None:
    area = norfolk.most_deprived_area
    with override_settings(FAMILYREACH_NEED_WEIGHTS={1: 3.0}):
        assert need_weight(area) == pytest.approx(area.under_fives * 3.0)
        areas = list(Area.objects.filter(idaci_decile__in=[1, 2]))
        weights = need_weight_array(areas)
        assert weights.tolist() == pytest.approx(
            [a.under_fives * (3.0 if a.idaci_decile == 1 else 1.0) for a in areas]
        )


def test_greatest_need_defaults_to_idaci_national_deciles_1_and_2(norfolk: NorfolkWorld) -> None:
    ids = greatest_need_area_ids()
    expected = set(Area.objects.filter(idaci_decile__lte=2).values_list("pk", flat=True))
    assert ids == expected
    assert norfolk.most_deprived_area.pk in ids
    in_yarmouth = greatest_need_areas(Area.objects.filter(district=norfolk.great_yarmouth))
    assert all(a.district_id == norfolk.great_yarmouth.pk for a in in_yarmouth)
    assert in_yarmouth.count() == len(
        ids & set(Area.objects.filter(district=norfolk.great_yarmouth).values_list("pk", flat=True))
    )


def test_greatest_need_as_a_local_share(norfolk: NorfolkWorld) -> None:
    rule = {"method": "local_share", "index": "idaci", "share": 0.2}
    with override_settings(FAMILYREACH_GREATEST_NEED=rule):
        ids = greatest_need_area_ids()
    assert len(ids) == 108  # ceil(0.2 × 538)
    chosen = Area.objects.filter(pk__in=ids)
    others = Area.objects.exclude(pk__in=ids)
    assert min(a.idaci_score for a in chosen) >= max(a.idaci_score for a in others)


def test_a_bad_rule_is_refused(norfolk: NorfolkWorld) -> None:
    with (
        override_settings(FAMILYREACH_GREATEST_NEED={"method": "vibes"}),
        pytest.raises(ImproperlyConfigured),
    ):
        greatest_need_area_ids()
