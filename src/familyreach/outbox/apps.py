from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "familyreach.outbox"
    label = "outbox"
    verbose_name = "Outbound messages"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from familyreach.outbox.models import OutboundMessage

        # Who sent a message again, and who read the messages page (bodies hold family data).
        # The sender's own updates bypass the log (queryset updates): the row is their record.
        # Never the recipient or the words: the audit log must not become a second copy.
        auditlog.register(
            OutboundMessage, include_fields=["status", "attempts", "kind", "reference", "channel"]
        )

        # Where this app holds a family's personal data, for subject access and erasure.
        from familyreach.outbox import personal_data

        personal_data.register()

        # Telling the owner and managers of a sign-in lockout is a message like any other, so it
        # lives here rather than in accounts (which every app, the outbox included, builds on).
        from axes.signals import user_locked_out

        from familyreach.outbox.lockout import on_user_locked_out

        user_locked_out.connect(on_user_locked_out, dispatch_uid="familyreach-lockout-notify")
