from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "familyreach.directory"
    label = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        from familyreach.directory import audit  # noqa: F401  (registers models with auditlog)
