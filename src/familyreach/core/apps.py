from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "familyreach.core"
    label = "core"
    verbose_name = "Shared building blocks"

    def ready(self) -> None:
        from django.apps import apps

        from familyreach.core.personal_data import exempt

        # Tables of the frameworks we build on that match the personal-data name check (see
        # `personal_data.unregistered_models`), and why erasure and subject access pass them.
        reasons = {
            "auth.Permission": "Names of permissions, not people.",
            "auth.Group": "Names of staff roles, not people.",
            "auditlog.LogEntry": "Scrubbed by every erasure for each row a holding found (the "
            "entry, who and when, stays); shown in the family's copy as who saw or changed "
            "their records.",
            "axes.AccessAttempt": "Staff sign-in attempts: usernames and addresses of staff.",
            "axes.AccessLog": "Staff sign-ins: usernames and addresses of staff.",
            "axes.AccessFailureLog": "Failed staff sign-ins: usernames and addresses of staff.",
            "otp_totp.TOTPDevice": "Staff two-factor devices, named by staff.",
            "otp_static.StaticDevice": "Staff two-factor backup codes.",
            "django_tasks_database.DBTaskResult": "Background tasks: queue and backend names; "
            "tasks are enqueued with ids and dates, never personal data.",
        }
        for label, reason in reasons.items():
            app_label, _dot, model_name = label.partition(".")
            try:
                model = apps.get_model(app_label, model_name)
            except LookupError:  # an optional framework app not installed here
                continue
            exempt(model, reason=reason)
