from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "familyreach.referrals"
    label = "referrals"
    verbose_name = "Referrals between organisations"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from familyreach.families.signals import family_anonymising
        from familyreach.referrals import models
        from familyreach.referrals.services import referrals_erase_for_family

        # Every write to a referral is audited, as for family records; reads are recorded by
        # the selectors.
        auditlog.register(models.Referral)
        family_anonymising.connect(
            referrals_erase_for_family, dispatch_uid="referrals-erase-for-family"
        )
