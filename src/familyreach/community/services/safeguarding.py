"""Writes for safeguarding concerns: raised by anyone working with a match, decided by a coordinator."""

import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.community.models import (
    CommunityGroup,
    Concern,
    ConcernDecision,
    Match,
)
from familyreach.community.selectors import (
    user_may_raise_concern,
)
from familyreach.outbox import notify


@transaction.atomic
def concern_raise(
    *,
    user: User,
    urgency: str,
    about: str,
    what_happened: str,
    where: str = "",
    match: Match | None = None,
    group: CommunityGroup | None = None,
) -> Concern:
    """Record a concern and store its message to the duty safeguarding lead for sending.

    The concern is fixed once saved (see `AppendOnlyModel`). Its message is written to the
    outbox in this same transaction, so the concern is never kept without its message; it is
    sent at once after commit (urgent: ahead of every other message) and tried again until it
    goes. If it cannot be sent, managers and coordinators see a warning on every staff page,
    and the concern's own page says it has not gone."""
    if not user_may_raise_concern(user):
        raise PermissionDenied("You cannot raise a concern here; call the safeguarding team.")
    concern = Concern(
        raised_by=user,
        raised_at=timezone.now(),
        urgency=urgency,
        about=about,
        what_happened=what_happened,
        where=where,
        match=match,
        group=group,
        sent_to=settings.COMMUNITY_DUTY_SAFEGUARDING_EMAIL,
        reference="SG-" + secrets.token_hex(4).upper(),
    )
    concern.full_clean()
    concern.save()
    notify.send_email(
        to=concern.sent_to,
        subject=f"Safeguarding concern {concern.reference} ({concern.get_urgency_display()})",
        body=(
            f"Raised by {user} at {timezone.localtime(concern.raised_at):%-d %B %Y %H:%M}.\n"
            f"Urgency: {concern.get_urgency_display()}\n"
            f"About: {concern.about}\n"
            f"Where: {concern.where or 'not given'}\n"
            + (f"Group: {group}\n" if group else "")
            + (f"Peer support match: {match.pk}\n" if match else "")
            + f"\nWhat happened:\n{concern.what_happened}\n\n"
            "Record your decision in familyreach under Community > Concerns."
        ),
        reference=concern.reference,
        kind=notify.Kind.SAFEGUARDING,
    )
    return concern


@transaction.atomic
def concern_decide(*, concern: Concern, decision: str, notes: str, user: User) -> ConcernDecision:
    """Append the lead's decision; earlier decisions stay as they were."""
    if not user.has_perm("community.review_concerns"):
        raise PermissionDenied("Only safeguarding leads and coordinators record decisions.")
    record = ConcernDecision(
        concern=concern,
        decided_by=user,
        decided_at=timezone.now(),
        decision=decision,
        notes=notes,
    )
    record.full_clean()
    record.save()
    return record
