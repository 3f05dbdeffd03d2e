"""Helpers for posting GOV.UK forms in tests."""

from datetime import date


def date_fields(name: str, day: date) -> dict[str, str]:
    """A GOV.UK date input's three boxes (`<name>-day`, `-month`, `-year`) as a browser posts them."""
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }
