"""Signals from other apps that create family records."""

from typing import Any


def support_request_became_family(
    sender: Any, support_request: Any, user: Any, family_id: int | None = None, **kwargs: Any
) -> None:
    """An accepted request for support (directory) becomes a family and a case (or is linked to
    the family the worker found already registered), in the same transaction as the
    acceptance."""
    from familyreach.families.services import (
        family_link_support_request,
        family_register_from_support_request,
    )

    if family_id is not None:
        family_link_support_request(support_request=support_request, user=user, family_id=family_id)
    else:
        family_register_from_support_request(support_request=support_request, user=user)
