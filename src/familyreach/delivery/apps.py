from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "familyreach.delivery"
    label = "delivery"
    verbose_name = "Delivery"

    def ready(self) -> None:
        # Bookings, attendance, visits and contacts are family records: every write is audited.
        from auditlog.registry import auditlog

        from familyreach.delivery import models

        for model in (
            models.Booking,
            models.Attendance,
            models.Visit,
            models.Session,
            models.SchoolHoliday,
            models.Contact,
        ):
            auditlog.register(model)

        # Where this app holds a family's personal data, for subject access and erasure.
        from familyreach.delivery import personal_data

        personal_data.register()

        # Delivery builds on families: it answers the families app's signals rather than
        # families importing it (docs/decisions/0014-signals-between-apps.md).
        from familyreach.delivery import receivers
        from familyreach.families.signals import (
            family_merging,
            family_page_sections,
            family_worker_links,
        )

        family_worker_links.connect(receivers.worker_links, dispatch_uid="delivery.worker_links")
        family_merging.connect(receivers.merge_family_records, dispatch_uid="delivery.merge")
        family_page_sections.connect(
            receivers.family_page_section, dispatch_uid="delivery.family_page"
        )
