from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "familyreach.community"
    label = "community"
    verbose_name = "Peer-led community support"

    def ready(self) -> None:
        from familyreach.community import audit  # noqa: F401  (registers models for write audit)

        # Where this app holds a family's personal data, for subject access and erasure.
        from familyreach.community import personal_data

        personal_data.register()
