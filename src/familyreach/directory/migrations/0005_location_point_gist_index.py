"""A GiST index on each location's position as a PostgreSQL point, for /find and the ORUK API's
distance searches (docs/decisions/0012-search-index.md).

PostgreSQL only: its built-in `point` type and GiST need no extension. SQLite keeps the
(latitude, longitude) B-tree, which is enough for the demo's few thousand listings."""

from typing import Any

from django.db import migrations

INDEX = "directory_location_point_gist"


def create_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON directory_location "
            "USING gist (point(longitude, latitude))"
        )


def drop_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("directory", "0004_support_request_taken_on")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
