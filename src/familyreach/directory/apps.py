from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "familyreach.directory"
    label = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        # Imported for their side effects: auditlog registration, and signal receivers that
        # keep the caches and the denormalised search columns in step.
        from familyreach.directory import audit, caches, search_columns  # noqa: F401
