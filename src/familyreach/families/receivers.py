"""Signals from other apps that create family records."""

from typing import Any


def support_request_became_family(
    sender: Any, support_request: Any, user: Any, **kwargs: Any
) -> None:
    """An accepted request for support (directory) becomes a family and a case, in the same
    transaction as the acceptance."""
    from familyreach.families.services import family_register_from_support_request

    family_register_from_support_request(support_request=support_request, user=user)
