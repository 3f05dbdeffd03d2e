"""Delivery takes over `Contact` from families (families' 0002 drops it from its state).

State only for the model: the table keeps its name `families_contact` (`db_table`), so no row,
index or constraint is touched. The content type is renamed rather than recreated, so the audit
log's entries and the permissions for contacts stay attached to the model.
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _rename_content_type(apps: Any, *, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label=new, model="contact").exists():
        content_type.objects.filter(app_label=old, model="contact").update(app_label=new)


def _content_type_to_delivery(apps: Any, schema_editor: Any) -> None:
    _rename_content_type(apps, old="families", new="delivery")


def _content_type_to_families(apps: Any, schema_editor: Any) -> None:
    _rename_content_type(apps, old="delivery", new="families")


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0004_online_booking_holds_confirmed_by_parent"),
        ("families", "0002_contact_moves_to_delivery"),
        ("geo", "0004_area_under_fives_label"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Contact",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("modified_at", models.DateTimeField(auto_now=True)),
                        ("date", models.DateField()),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("session_attendance", "Session attendance"),
                                    ("home_visit", "Home visit"),
                                    ("one_to_one", "One-to-one"),
                                    ("phone", "Phone call"),
                                ],
                                max_length=30,
                            ),
                        ),
                        ("adults", models.PositiveSmallIntegerField(default=0)),
                        ("children", models.PositiveSmallIntegerField(default=0)),
                        ("is_simulated", models.BooleanField(default=False)),
                        (
                            "area",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="contacts",
                                to="geo.area",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "district",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="contacts",
                                to="geo.district",
                            ),
                        ),
                        (
                            "family",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="contacts",
                                to="families.family",
                            ),
                        ),
                        (
                            "modified_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "occurrence",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="contacts",
                                to="delivery.occurrence",
                            ),
                        ),
                        (
                            "venue",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="contacts",
                                to="geo.venue",
                            ),
                        ),
                        (
                            "visit",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="contacts",
                                to="delivery.visit",
                            ),
                        ),
                        (
                            "worker",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "families_contact",
                        "ordering": ["-date", "id"],
                        "indexes": [
                            models.Index(
                                fields=["date", "area"], name="families_co_date_69d44e_idx"
                            ),
                            models.Index(
                                fields=["kind", "date"], name="families_co_kind_7319e0_idx"
                            ),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("occurrence__isnull", False)),
                                fields=("family", "occurrence"),
                                name="families_contact_one_per_family_per_occurrence",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("visit__isnull", False)),
                                fields=("family", "visit"),
                                name="families_contact_one_per_visit",
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(_content_type_to_delivery, _content_type_to_families),
    ]
