from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "familyreach.community"
    label = "community"
    verbose_name = "Peer-led community support"

    def ready(self) -> None:
        # Where this app holds a family's personal data, for subject access and erasure.
        from familyreach.community import (
            audit,  # noqa: F401  (registers models for write audit)
            personal_data,
        )

        personal_data.register()

        from familyreach.community.selectors import proposer_mobile
        from familyreach.directory.signals import proposer_mobile_wanted

        # A group admin's listing change: the outcome goes by text too, to their own mobile.
        proposer_mobile_wanted.connect(proposer_mobile, dispatch_uid="community-proposer-mobile")

        from familyreach.community.selectors import peer_led_meetings
        from familyreach.directory.signals import peer_led_meetings_held

        # Insight's peer-led share of sessions counts the groups' meetings.
        peer_led_meetings_held.connect(peer_led_meetings, dispatch_uid="community-peer-led")
