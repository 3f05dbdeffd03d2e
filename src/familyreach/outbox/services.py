"""Writing messages into the outbox, and sending one again by hand.

`message_store` is called inside the caller's transaction: the row commits or rolls back with
what caused it, and sending is arranged only after commit (nothing is ever sent from inside a
transaction that may still roll back). The sending itself is in `sending`, run by the tasks.
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from familyreach.core.audit import acting_as
from familyreach.outbox.models import MessageKind, MessageStatus, OutboundMessage
from familyreach.outbox.selectors import user_may_manage_messages

logger = logging.getLogger(__name__)


def _enqueue_sending() -> None:
    from familyreach.outbox.tasks import send_due_messages

    send_due_messages.enqueue()


def message_store(
    *,
    channel: str,
    to: str,
    body: str,
    subject: str = "",
    reference: str = "",
    kind: str = MessageKind.GENERAL,
    urgent: bool | None = None,
) -> OutboundMessage:
    """Store a message for sending, in the caller's transaction; send it once that commits."""
    with transaction.atomic():
        message = OutboundMessage(
            channel=channel,
            to=to,
            subject=subject,
            body=body,
            reference=reference,
            kind=kind,
            urgent=kind == MessageKind.SAFEGUARDING if urgent is None else urgent,
        )
        # No uniqueness query: the only unique field is a fresh uuid4.
        message.full_clean(validate_unique=False)
        message.save()
        # robust: the message is stored whatever happens to the queue; if queueing fails the
        # once-a-minute schedule sends it. The task sends every due message, so the tasks
        # queued for a hundred reminders in one transaction cost one run and 99 empty ones
        # (deduplicating by inspecting the connection's on-commit list breaks with savepoints
        # and with tests' captured callbacks; not worth it).
        transaction.on_commit(_enqueue_sending, robust=True)
    return message


@transaction.atomic
def message_retry(*, message_id: int, user: Any) -> OutboundMessage:
    """A manager sends a failed (or waiting) message again now, with a fresh set of attempts."""
    if not user_may_manage_messages(user):
        raise PermissionDenied("Only service managers can send messages again.")
    message = OutboundMessage.objects.select_for_update().get(pk=message_id)
    if message.status not in (MessageStatus.FAILED, MessageStatus.PENDING):
        raise ValidationError("This message is already sent or being sent.")
    now = timezone.now()
    message.last_error = (
        f"Tried again by {user} at {timezone.localtime(now):%-d %B %Y %H:%M} after "
        f"{message.attempts} attempts. Last error: {message.last_error}"
    )[:2000]
    message.status = MessageStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = now
    message.failed_at = None
    with acting_as(user):  # named in the audit log from a shell or a task too
        message.save(
            update_fields=["last_error", "status", "attempts", "next_attempt_at", "failed_at"]
        )
    logger.warning("outbox: message %s sent again by %s", message.pk, user)
    transaction.on_commit(_enqueue_sending, robust=True)
    return message
