"""Attribute audit entries to the user a service acts for: see `familyreach.core.audit`."""

from familyreach.core.audit import acting_as

__all__ = ["acting_as"]
