"""Booking references (filled in for existing bookings, then unique) and one place per child
per occurrence."""

from typing import Any

from django.db import migrations, models
from django.db.models import Q

import familyreach.delivery.references


def fill_references(apps: Any, schema_editor: Any) -> None:
    Booking = apps.get_model("delivery", "Booking")
    used: set[str] = set()
    for booking in Booking.objects.filter(reference__isnull=True).only("pk"):
        reference = familyreach.delivery.references.new_booking_reference()
        while reference in used:
            reference = familyreach.delivery.references.new_booking_reference()
        used.add(reference)
        Booking.objects.filter(pk=booking.pk).update(reference=reference)


class Migration(migrations.Migration):
    dependencies = [("delivery", "0002_initial")]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="reference",
            field=models.CharField(editable=False, max_length=8, null=True),
        ),
        migrations.RunPython(fill_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="booking",
            name="reference",
            field=models.CharField(
                default=familyreach.delivery.references.new_booking_reference,
                editable=False,
                help_text="What the family quotes: 8 characters without 0, O, 1, I or L",
                max_length=8,
                unique=True,
            ),
        ),
        migrations.AddField(
            model_name="booking",
            name="child_key",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                help_text="A keyed hash of the booked child's name, date and postcode",
                max_length=64,
            ),
        ),
        migrations.AddConstraint(
            model_name="booking",
            constraint=models.UniqueConstraint(
                condition=~Q(status="cancelled") & ~Q(child_key=""),
                fields=("occurrence", "child_key"),
                name="delivery_booking_one_place_per_child",
            ),
        ),
    ]
