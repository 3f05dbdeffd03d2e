from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "familyreach.referrals"
    label = "referrals"
    verbose_name = "Referrals between organisations"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from familyreach.referrals import models

        # Every write to a referral is audited, as for family records; reads are recorded by
        # the selectors.
        auditlog.register(models.Referral)

        # Where this app holds a family's personal data, for subject access and erasure.
        from familyreach.referrals import personal_data

        personal_data.register()
