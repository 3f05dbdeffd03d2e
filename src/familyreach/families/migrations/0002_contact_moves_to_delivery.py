"""`Contact` moves to the delivery app, which records every contact (registers, visits); families
then holds no key into delivery (docs/decisions/0014-signals-between-apps.md).

State only: the table `families_contact` stays where it is, with its rows, indexes and
constraints; delivery's 0005 takes the model over under the same table name.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("families", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Contact")],
            database_operations=[],
        ),
    ]
