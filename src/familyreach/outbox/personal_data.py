"""Messages sent about a family's records, for subject access and erasure (registered with
`familyreach.core.personal_data` from `OutboxConfig.ready`).

A message is linked to the record it is about by the reference its sender gave (a booking's
`booking-<id>`, a request's or referral's reference): the holdings that send messages list
those references, and this one, found after them, follows them."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from familyreach.core.personal_data import ERASED, Holding, hold
from familyreach.outbox.models import MessageKind, MessageStatus, OutboundMessage


def _erase(rows: QuerySet[Any], user: Any) -> None:
    # A message not yet sent is never sent to someone whose data is erased.
    rows.filter(status__in=[MessageStatus.PENDING, MessageStatus.SENDING]).update(
        status=MessageStatus.FAILED,
        failed_at=timezone.now(),
        last_error="Not sent: the family's personal data was erased.",
    )
    rows.update(to=ERASED, subject="", body=ERASED)


def register() -> None:
    hold(
        Holding(
            model=OutboundMessage,
            section="Messages we sent about your records",
            find=lambda found: OutboundMessage.objects.filter(reference__in=found.references),
            fields=(
                ("created_at", "Written on"),
                ("channel", "By"),
                ("subject", "Subject"),
                ("body", "Message"),
                ("status", "Status"),
            ),
            erase=_erase,
            # Messages to the safeguarding lead are withheld with the concerns they carry.
            in_copy=lambda rows: rows.exclude(kind=MessageKind.SAFEGUARDING),
            withheld="Messages about safeguarding concerns are withheld with the concerns.",
            # After every holding that lists the references its messages were sent under.
            reads_references=True,
        )
    )
