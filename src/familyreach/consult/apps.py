from django.apps import AppConfig


class ConsultConfig(AppConfig):
    name = "familyreach.consult"
    label = "consult"
    verbose_name = "Public consultation"

    def ready(self) -> None:
        from familyreach.consult import audit  # noqa: F401 (registers models with auditlog)
        from familyreach.consult.models import Code, Response
        from familyreach.core.personal_data import exempt

        exempt(
            Response,
            reason="Consultation responses are anonymous and never linked to a family record "
            "(the postcode only places the response in an area and is never shown or exported).",
        )
        exempt(Code, reason="Names of analysis codes (themes), not people.")
