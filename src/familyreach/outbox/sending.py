"""Sending the messages that are due, and deleting old sent ones: what the worker and the
once-a-minute schedule run (`tasks`). `messages_send_due` is safe to run at any time, as often as
wanted, on many workers.

Delivery is at least once with one narrow edge, and the edge is watched: a sender claims a
message (status "sending", `claimed_at`) before it calls the provider and records the outcome
after. If the process dies between the provider accepting the message and the outcome being
recorded, the claim goes stale; the next run asks Notify for a notification with this message's
own reference and, if Notify has one, records it as sent without sending again. Only if Notify
cannot find it (it never arrived, or Notify's records lag) is it sent again.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from familyreach.outbox.backends import (
    Backend,
    PermanentSendError,
    SendResult,
    TemporarySendError,
    backend_for_settings,
)
from familyreach.outbox.models import MessageKind, MessageStatus, OutboundMessage

logger = logging.getLogger(__name__)


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    recovered: int = 0


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the `attempts`-th failed try: 1, 2, 4, 8 … minutes, capped."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    return timedelta(
        seconds=min(base * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_MAX_SECONDS)
    )


def _claim_next(*, now: datetime) -> OutboundMessage | None:
    """Take the next due pending message for this sender: status "sending", claimed now.

    One at a time, so a claim's lease only ever has to cover one request to the provider."""
    with transaction.atomic():
        due = OutboundMessage.objects.filter(
            status=MessageStatus.PENDING, next_attempt_at__lte=now
        ).order_by("-urgent", "next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            # Many workers: each takes a row no other has locked, never waiting on one another.
            due = due.select_for_update(skip_locked=True)
        # (SQLite has no row locks: its IMMEDIATE transactions let one claim run at a time, and
        # the status condition below refuses a row another sender took first.)
        message = due.first()
        if message is None:
            return None
        claimed_at = timezone.now()
        taken = OutboundMessage.objects.filter(pk=message.pk, status=MessageStatus.PENDING).update(
            status=MessageStatus.SENDING, claimed_at=claimed_at, attempts=F("attempts") + 1
        )
        if not taken:
            return None
    message.refresh_from_db()
    return message


def _record(message: OutboundMessage, held_claim: datetime | None, **fields: Any) -> bool:
    """Record an outcome only while this sender still holds the claim it took."""
    return bool(
        OutboundMessage.objects.filter(
            pk=message.pk, status=MessageStatus.SENDING, claimed_at=held_claim
        ).update(**fields)
    )


def _record_sent(
    message: OutboundMessage, claimed_at: datetime | None, result: SendResult, sent_by: str
) -> bool:
    return _record(
        message,
        claimed_at,
        status=MessageStatus.SENT,
        notify_id=result.provider_id,
        sent_by=sent_by,
        sent_at=timezone.now(),
        claimed_at=None,
    )


def _record_failure(
    message: OutboundMessage, claimed_at: datetime | None, error: str, *, permanent: bool
) -> str:
    now = timezone.now()
    gave_up = permanent or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    if gave_up:
        _record(
            message,
            claimed_at,
            status=MessageStatus.FAILED,
            last_error=error,
            failed_at=now,
            claimed_at=None,
        )
    else:
        _record(
            message,
            claimed_at,
            status=MessageStatus.PENDING,
            last_error=error,
            next_attempt_at=now + retry_delay(message.attempts),
            claimed_at=None,
        )
    log = logger.error if gave_up or message.kind == MessageKind.SAFEGUARDING else logger.warning
    log(
        "outbox: message %s (%s, attempt %s) %s: %s",
        message.pk,
        message.kind,
        message.attempts,
        "failed for good" if gave_up else "will be tried again",
        error,
    )
    return "failed" if gave_up else "retrying"


def _send_one(backend: Backend, message: OutboundMessage) -> str:
    claimed_at = message.claimed_at
    try:
        result = backend.send(message)
    except PermanentSendError as error:
        return _record_failure(message, claimed_at, str(error), permanent=True)
    except TemporarySendError as error:
        return _record_failure(message, claimed_at, str(error), permanent=False)
    except Exception as error:  # one bad message must not stop the others
        logger.exception("outbox: unexpected error sending message %s", message.pk)
        return _record_failure(
            message, claimed_at, f"{type(error).__name__}: {error}", permanent=False
        )
    if not _record_sent(message, claimed_at, result, backend.name):
        logger.error("outbox: message %s was sent but its claim had been taken over", message.pk)
    return "sent"


def _recover_stale(backend: Backend, *, now: datetime) -> int:
    """Claims older than the lease belong to a sender that died mid-send. Ask the provider
    whether the message arrived before sending it again."""
    lease = timedelta(seconds=settings.OUTBOX_SENDING_LEASE_SECONDS)
    recovered = 0
    stale = OutboundMessage.objects.filter(
        status=MessageStatus.SENDING, claimed_at__lt=now - lease
    ).order_by("id")
    for message in stale:
        try:
            found = backend.find_sent(message)
        except TemporarySendError as error:
            logger.warning("outbox: cannot check message %s at the provider: %s", message.pk, error)
            continue  # ask again on the next run; sending now could send it twice
        if found is not None:
            done = _record_sent(message, message.claimed_at, found, backend.name)
        elif message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            done = _record(
                message,
                message.claimed_at,
                status=MessageStatus.FAILED,
                last_error="The sender stopped while sending, and no attempts are left.",
                failed_at=now,
                claimed_at=None,
            )
        else:
            done = _record(
                message,
                message.claimed_at,
                status=MessageStatus.PENDING,
                next_attempt_at=now,
                last_error="The sender stopped while sending and the provider has no record "
                "of it: sending again.",
                claimed_at=None,
            )
        recovered += int(done)
    return recovered


def messages_send_due(*, backend: Backend | None = None, limit: int | None = None) -> SendReport:
    """Send every message that is due, once. Safe to run at any time on any number of workers:
    each message is claimed by one sender, and a message already sent is never claimed again."""
    backend = backend or backend_for_settings()
    now = timezone.now()
    report = SendReport(recovered=_recover_stale(backend, now=now))
    # Messages that come due while this run works (a retry's backoff ending) wait for the next
    # run: `now` is fixed, so one run cannot loop on a message that keeps failing.
    for _ in range(limit or settings.OUTBOX_BATCH_SIZE):
        message = _claim_next(now=now)
        if message is None:
            break
        outcome = _send_one(backend, message)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


@transaction.atomic
def messages_delete_old() -> int:
    """Delete sent messages older than `OUTBOX_KEEP_SENT_DAYS`: their bodies are family data,
    and what was sent stays on the record that caused it (the concern, the booking). Failed and
    waiting messages are kept until they are sent. Idempotent; run daily by the scheduler."""
    cutoff = timezone.now() - timedelta(days=settings.OUTBOX_KEEP_SENT_DAYS)
    deleted, _ = OutboundMessage.objects.filter(
        status=MessageStatus.SENT, sent_at__lt=cutoff
    ).delete()
    return deleted
