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
