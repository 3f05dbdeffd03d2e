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

        # The family record page lists the family's referrals: referrals builds on families,
        # so it answers the page's signal rather than families importing it.
        from familyreach.families.signals import family_page_sections
        from familyreach.referrals.receivers import family_page_section

        family_page_sections.connect(family_page_section, dispatch_uid="referrals.family_page")

        # Insight's time from a request for support to first contact counts referrals too.
        from familyreach.directory.signals import requests_for_support_made
        from familyreach.referrals.receivers import requests_for_support

        requests_for_support_made.connect(
            requests_for_support, dispatch_uid="referrals.requests_for_support"
        )
