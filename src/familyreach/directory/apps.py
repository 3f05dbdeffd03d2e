from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "familyreach.directory"
    label = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        # audit is imported for its side effect (auditlog registration); the receivers keep the
        # caches and the denormalised search columns in step.
        from familyreach.directory import audit, caches, search_columns  # noqa: F401

        caches.connect_receivers()
        search_columns.connect_receivers()

        # Where this app holds a family's personal data, for subject access and erasure.
        from familyreach.directory.personal_data import register

        register()
