from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Scheduled jobs, their history and the worker that runs them (infrastructure, like core:
    domains import it, it imports no domain)."""

    name = "familyreach.operations"
    label = "operations"
    verbose_name = "Operations: scheduled jobs and workers"
