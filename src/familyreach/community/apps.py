from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "familyreach.community"
    label = "community"
    verbose_name = "Peer-led community support"

    def ready(self) -> None:
        from familyreach.community import audit  # noqa: F401  (registers models for write audit)
        from familyreach.community.services import peer_support_requests_erase_for_family
        from familyreach.families.signals import family_anonymising

        family_anonymising.connect(
            peer_support_requests_erase_for_family, dispatch_uid="community-erase-requests"
        )
        from familyreach.community.selectors import proposer_mobile
        from familyreach.directory.signals import proposer_mobile_wanted

        # A group admin's listing change: the outcome goes by text too, to their own mobile.
        proposer_mobile_wanted.connect(proposer_mobile, dispatch_uid="community-proposer-mobile")
