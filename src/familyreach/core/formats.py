"""How the service writes a time for people: one rule for pages, messages and flash notices."""

from typing import Any

from django.utils import timezone


def localtime(value: Any, fmt: str = "%-d %B %Y, %-I:%M%p") -> str:
    """Times are stored in UTC and shown in Europe/London, GOV.UK style (5:30pm)."""
    if value is None:
        return ""
    return timezone.localtime(value).strftime(fmt).replace("AM", "am").replace("PM", "pm")
