from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "familyreach.delivery"
    label = "delivery"
    verbose_name = "Delivery"

    def ready(self) -> None:
        # Bookings, attendance and visits are family records: every write is audited.
        from auditlog.registry import auditlog

        from familyreach.delivery import models

        for model in (
            models.Booking,
            models.Attendance,
            models.Visit,
            models.Session,
            models.SchoolHoliday,
        ):
            auditlog.register(model)

        # Where this app holds a family's personal data, for subject access and erasure.
        from familyreach.delivery import personal_data

        personal_data.register()
