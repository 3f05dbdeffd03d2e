from typing import Any

from django.apps import AppConfig, apps


def _sync_roles_after_last_app(sender: AppConfig, **kwargs: Any) -> None:
    # post_migrate fires once per app, in INSTALLED_APPS order, and each app's permissions are
    # created on its own turn; so wait for the last app, when every permission exists.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    from familyreach.accounts.services import roles_sync

    roles_sync(using=kwargs.get("using", "default"))


class AccountsConfig(AppConfig):
    name = "familyreach.accounts"
    label = "accounts"
    verbose_name = "Staff accounts and roles"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # Roles are groups whose permissions follow `roles.ROLE_PERMISSIONS`; keeping them in
        # step after every migrate means a new app's permissions reach the right roles at once.
        post_migrate.connect(_sync_roles_after_last_app, dispatch_uid="familyreach-roles-sync")

        from django.contrib.auth.signals import user_logged_in

        from familyreach.accounts.middleware import note_activity_at_sign_in

        user_logged_in.connect(note_activity_at_sign_in, dispatch_uid="familyreach-session-idle")

        from familyreach.accounts.models import User
        from familyreach.core.personal_data import exempt

        exempt(User, reason="Staff and volunteers' sign-ins: staff data, not a family's.")
