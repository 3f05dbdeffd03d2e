from django.apps import AppConfig


class ConsultConfig(AppConfig):
    name = "familyreach.consult"
    label = "consult"
    verbose_name = "Public consultation"

    def ready(self) -> None:
        from familyreach.consult import audit  # noqa: F401 (registers models with auditlog)
