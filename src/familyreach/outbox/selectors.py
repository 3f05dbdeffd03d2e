"""Reads of the outbox, for the managers' messages page and the staff warning banner."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from familyreach.accounts.roles import Role
from familyreach.outbox.models import MessageKind, MessageStatus, OutboundMessage


def user_may_manage_messages(user: Any) -> bool:
    """Message bodies carry family data: only service managers see them and send them again."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.has_role(Role.MANAGER))


# Who sees the warning on every staff page when a safeguarding message has not gone: those who
# answer for safeguarding. They see references only; the messages page is for managers.
ROLES_WARNED_OF_SAFEGUARDING_FAILURES = frozenset({Role.MANAGER, Role.VOLUNTEER_COORDINATOR})


# A try that failed and is waiting for the next: not lost yet, but not sent either.
_IN_TROUBLE = Q(status=MessageStatus.FAILED) | Q(status=MessageStatus.PENDING, attempts__gt=0)


def messages_needing_attention() -> QuerySet[OutboundMessage]:
    """Failed messages and those waiting to be tried again, urgent and oldest first."""
    return OutboundMessage.objects.filter(_IN_TROUBLE).order_by("-urgent", "created_at", "id")


def safeguarding_references_not_sent() -> list[str]:
    """References of safeguarding messages that failed or wait for another try (one query)."""
    return list(
        OutboundMessage.objects.filter(_IN_TROUBLE, kind=MessageKind.SAFEGUARDING)
        .order_by("created_at")
        .values_list("reference", flat=True)
    )


def message_for_reference(*, reference: str, kind: str) -> OutboundMessage | None:
    """The latest message sent for a record (a concern's reference), to show its progress."""
    return OutboundMessage.objects.filter(reference=reference, kind=kind).order_by("-id").first()


def message_counts() -> dict[str, int]:
    """How many messages are in each state now (one query)."""
    counts = dict.fromkeys(MessageStatus.values, 0)
    for row in OutboundMessage.objects.values("status").annotate(number=Count("id")):
        counts[row["status"]] = row["number"]
    return counts
