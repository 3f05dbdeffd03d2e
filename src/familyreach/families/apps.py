from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "familyreach.families"
    label = "families"
    verbose_name = "Families"

    def ready(self) -> None:
        # Every write to a family record is audited (who, when, what, from where).
        from auditlog.registry import auditlog

        from familyreach.families import models

        for model in (
            models.Family,
            models.Carer,
            models.Child,
            models.Consent,
            models.Case,
        ):
            auditlog.register(model)

        # An accepted request for support (directory, which families builds on) becomes a family.
        from familyreach.directory.models import SupportRequest
        from familyreach.directory.signals import support_request_accepted
        from familyreach.families.receivers import support_request_became_family

        support_request_accepted.connect(
            support_request_became_family,
            sender=SupportRequest,
            dispatch_uid="families.support_request_became_family",
        )

        # Where this app holds a family's personal data, for subject access and erasure.
        from familyreach.families import personal_data

        personal_data.register()
