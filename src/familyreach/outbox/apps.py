from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "familyreach.outbox"
    label = "outbox"
    verbose_name = "Outbound messages"
