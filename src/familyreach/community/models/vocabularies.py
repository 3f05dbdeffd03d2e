"""Choices several parts of community support share: lived experiences and availability slots,
stored as plain lists of codes in JSON columns (small, fixed vocabularies compared in Python when
matching), and their validators."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models


class Experience(models.TextChoices):
    """Lived experiences a peer supporter offers and a family may want to share."""

    POSTNATAL_DEPRESSION = "postnatal_depression", "Postnatal depression or anxiety"
    TWINS = "twins", "Twins or more"
    SEND = "send", "A child with special educational needs or disabilities"
    YOUNG_PARENT = "young_parent", "Being a young parent"
    PREMATURE_BABY = "premature_baby", "A premature baby"
    BREASTFEEDING = "breastfeeding", "Breastfeeding difficulties"
    SINGLE_PARENT = "single_parent", "Being a single parent"
    NEW_TO_AREA = "new_to_area", "Being new to the area or the country"
    BEREAVEMENT = "bereavement", "Baby loss or bereavement"


class AvailabilitySlot(models.TextChoices):
    MONDAY_MORNING = "mon_am", "Monday morning"
    MONDAY_AFTERNOON = "mon_pm", "Monday afternoon"
    TUESDAY_MORNING = "tue_am", "Tuesday morning"
    TUESDAY_AFTERNOON = "tue_pm", "Tuesday afternoon"
    WEDNESDAY_MORNING = "wed_am", "Wednesday morning"
    WEDNESDAY_AFTERNOON = "wed_pm", "Wednesday afternoon"
    THURSDAY_MORNING = "thu_am", "Thursday morning"
    THURSDAY_AFTERNOON = "thu_pm", "Thursday afternoon"
    FRIDAY_MORNING = "fri_am", "Friday morning"
    FRIDAY_AFTERNOON = "fri_pm", "Friday afternoon"
    EVENINGS = "evenings", "Evenings"
    WEEKENDS = "weekends", "Weekends"


def experience_labels(codes: list[str]) -> list[str]:
    return [Experience(code).label for code in codes if code in Experience.values]


def availability_labels(codes: list[str]) -> list[str]:
    return [AvailabilitySlot(code).label for code in codes if code in AvailabilitySlot.values]


def _codes_valid(values: Any, allowed: type[models.TextChoices], what: str) -> None:
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise ValidationError(f"{what} must be a list of codes.")
    unknown = set(values) - set(allowed.values)
    if unknown:
        raise ValidationError(f"Unknown {what}: {', '.join(sorted(unknown))}")


def validate_experiences(values: Any) -> None:
    _codes_valid(values, Experience, "lived experiences")


def validate_availability(values: Any) -> None:
    _codes_valid(values, AvailabilitySlot, "availability slots")


def validate_languages(values: Any) -> None:
    if not isinstance(values, list) or not all(
        isinstance(value, str) and value.strip() for value in values
    ):
        raise ValidationError("Languages must be a list of language names.")
