"""Contact moved from families to delivery by state alone (families 0002, delivery 0005): no
database operation touches its table `families_contact`, and its content type (which the audit
log's entries and the permissions hang on) is renamed rather than replaced, both ways.

The round trip through the migration executor (back to families 0001 and forward again, rows
and content type checked) takes 20 s of CPU to render the project's states, so the suite checks
the two migrations' parts instead."""

from datetime import date
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, migrations

from familyreach.delivery.models import Contact, ContactKind
from familyreach.families.models import Family
from familyreach.geo.models import Area

families_0002 = import_module("familyreach.families.migrations.0002_contact_moves_to_delivery")
delivery_0005 = import_module("familyreach.delivery.migrations.0005_contact_from_families")


@pytest.mark.django_db
def test_the_move_changes_state_only_and_keeps_the_table_name() -> None:
    for migration in (families_0002.Migration, delivery_0005.Migration):
        moves = [
            operation
            for operation in migration.operations
            if isinstance(operation, migrations.SeparateDatabaseAndState)
        ]
        assert len(moves) == 1
        assert moves[0].database_operations == []
        others = [operation for operation in migration.operations if operation not in moves]
        assert all(isinstance(operation, migrations.RunPython) for operation in others)
    assert Contact._meta.db_table == "families_contact"
    assert "families_contact" in connection.introspection.table_names()
    assert not any(model._meta.label == "families.Contact" for model in apps.get_models())


@pytest.mark.django_db
def test_content_type_renamed_both_ways_with_its_rows(
    yarmouth_area: Area, yarmouth_family: Family
) -> None:
    contact = Contact.objects.create(
        family=yarmouth_family, date=date(2026, 11, 2), kind=ContactKind.PHONE, area=yarmouth_area
    )
    content_type = ContentType.objects.get_for_model(Contact)
    assert (content_type.app_label, content_type.model) == ("delivery", "contact")

    delivery_0005._content_type_to_families(apps, None)
    content_type.refresh_from_db()
    assert content_type.app_label == "families"

    delivery_0005._content_type_to_delivery(apps, None)
    content_type.refresh_from_db()
    assert content_type.app_label == "delivery"
    assert yarmouth_family.contacts.get().pk == contact.pk


@pytest.mark.django_db
def test_content_type_not_duplicated_when_delivery_already_has_one() -> None:
    # A database where post_migrate already made delivery's row keeps it; families' stays stale.
    ContentType.objects.get_for_model(Contact)
    stale = ContentType.objects.create(app_label="families", model="contact")
    delivery_0005._content_type_to_delivery(apps, None)
    stale.refresh_from_db()
    assert stale.app_label == "families"
    assert ContentType.objects.filter(app_label="delivery", model="contact").count() == 1
