import re

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def label_existing_areas(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Give areas loaded before the label existed the label their method already implies."""
    area_model = apps.get_model("geo", "Area")
    for area in area_model.objects.all().only("under_fives_is_estimate", "under_fives_method"):
        if area.under_fives_is_estimate:
            ratio = re.search(r"× ([0-9.]+)", area.under_fives_method)
            area.under_fives_label = (
                f"Estimate: 0–15 (mid-2015) × {ratio.group(1).rstrip(',.')}"
                if ratio
                else "Estimate"
            )
        else:
            year = re.search(r"mid-([0-9]{4})", area.under_fives_method)
            area.under_fives_label = (
                f"ONS mid-{year.group(1)} single year of age" if year else "ONS single year of age"
            )
        area.save(update_fields=["under_fives_label"])


class Migration(migrations.Migration):
    dependencies = [("geo", "0003_travel_time")]

    operations = [
        migrations.AddField(
            model_name="area",
            name="under_fives_label",
            field=models.CharField(
                blank=True,
                help_text="Where the figure comes from, in a few words, shown beside it: "
                "'ONS mid-2019 single year of age' or 'Estimate: 0–15 (mid-2015) × 0.335'.",
                max_length=80,
            ),
        ),
        migrations.RunPython(label_existing_areas, migrations.RunPython.noop),
    ]
