"""The personal-data register is whole: every model with a link to a family, or a field named
like personal data, is registered (found, shown and erased) or exempt with a reason; and the
check really fails when one is missing."""

import pytest
from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from familyreach.community.models import Match
from familyreach.core import personal_data
from familyreach.families.models import Family


def test_every_model_holding_family_data_is_registered_or_exempt() -> None:
    problems = personal_data.unregistered_models(apps.get_models(), family_model=Family)
    assert problems == [], "\n".join(
        ["Register these in their app's personal_data.py (hold or exempt):", *problems]
    )


def test_the_check_names_a_registered_model_once_it_is_left_out() -> None:
    registered = [h.model for h in personal_data.holdings() if h.model is not Match]
    problems = personal_data.unregistered_models(
        apps.get_models(), family_model=Family, registered=registered
    )
    assert problems == [
        "community.Match: links to a family and has fields named like personal data (outcome_notes)"
    ]


@isolate_apps("familyreach.families")
def test_the_check_finds_new_models_linked_directly_or_through_others_or_named_personal() -> None:
    class Diary(models.Model):  # noqa: DJ008
        family = models.ForeignKey(Family, on_delete=models.CASCADE)

        class Meta:
            app_label = "families"

    # Linked through the diary, with no personal-looking field.
    class DiaryEntry(models.Model):  # noqa: DJ008
        diary = models.ForeignKey(Diary, on_delete=models.CASCADE)
        written_on = models.DateField()

        class Meta:
            app_label = "families"

    # No link, but fields named like personal data.
    class Caller(models.Model):  # noqa: DJ008
        mobile = models.CharField(max_length=20)
        caller_name = models.CharField(max_length=20)

        class Meta:
            app_label = "families"

    # Neither: never asked about.
    class Tally(models.Model):  # noqa: DJ008
        count = models.IntegerField()

        class Meta:
            app_label = "families"

    fake = [Family, Diary, DiaryEntry, Caller, Tally]
    problems = personal_data.unregistered_models(
        fake, family_model=Family, registered=[Family], exempted=[]
    )
    assert problems == [
        "families.Diary: links to a family",
        "families.DiaryEntry: links to a family",
        "families.Caller: has fields named like personal data (mobile, caller_name)",
    ]
    assert (
        personal_data.unregistered_models(
            fake, family_model=Family, registered=[Family, Diary, DiaryEntry], exempted=[Caller]
        )
        == []
    )


def test_an_exemption_needs_a_reason() -> None:
    with pytest.raises(ValueError, match="needs a reason"):
        personal_data.exempt(Family, reason="  ")


@pytest.mark.parametrize("holding", personal_data.holdings(), ids=lambda h: h.model._meta.label)
def test_every_field_shown_to_the_family_exists(holding: personal_data.Holding) -> None:
    """A misspelt field would silently drop out of the family's copy."""
    names = {field.name for field in holding.model._meta.get_fields()} | {
        field.attname for field in holding.model._meta.concrete_fields
    }
    for path, label in holding.fields:
        first = path.split(".")[0]
        assert first in names or isinstance(getattr(holding.model, first, None), property), (
            path,
            label,
        )


def test_rows_found_through_others_come_after_them_and_messages_last() -> None:
    order = [holding.model for holding in personal_data.holdings()]
    for holding in personal_data.holdings():
        for earlier in holding.after:
            assert order.index(earlier) < order.index(holding.model), holding.model
    assert personal_data.holdings()[-1].reads_references
