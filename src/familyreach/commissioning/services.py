"""Writes to returns: one function per step, each recorded as a ReturnEvent and audited.
A signed-off return is refused every change."""

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from familyreach.commissioning.models import (
    Contract,
    QuarterlyReturn,
    Rating,
    ReturnEvent,
    ReturnMeasure,
    ReturnStatus,
    Review,
)
from familyreach.commissioning.quarters import (
    is_quarter_end,
    previous_quarter_ends,
    quarter_ends_before,
    quarter_start_for,
)
from familyreach.commissioning.selectors import can_commission, can_prepare, return_figures
from familyreach.core.audit import acting_as
from familyreach.insight.selectors import latest_snapshot
from familyreach.insight.services import reach_snapshot_refresh
from familyreach.outbox.notify import send_email


def last_quarter_end(today: date) -> date:
    """The last day of the most recent quarter that has ended before `today`."""
    return quarter_ends_before(today, 1)[0]


def quarter_label(quarter_end: date) -> str:
    """ "April to June 2026"."""
    return f"{quarter_start_for(quarter_end):%B} to {quarter_end:%B %Y}"


def _trends(contract: Contract, quarter_end: date) -> dict[str, list[dict[str, Any]]]:
    """Each measure's figures in this contract's returns for the three quarters before, as those
    returns reported them (frozen, so the trend never changes once shown)."""
    ends = previous_quarter_ends(quarter_end)
    reported = {
        (measure.quarterly_return.quarter_end, measure.code): measure
        for measure in ReturnMeasure.objects.filter(
            quarterly_return__contract=contract, quarterly_return__quarter_end__in=ends
        ).select_related("quarterly_return")
    }
    trends: dict[str, list[dict[str, Any]]] = {}
    for item in contract.measures.all():
        trends[item.code] = [
            {
                "quarter_end": end.isoformat(),
                "label": quarter_label(end),
                "value": reported[(end, item.code)].value if (end, item.code) in reported else None,
                "text": reported[(end, item.code)].text
                if (end, item.code) in reported
                else "no return",
            }
            for end in ends
        ]
    return trends


def _event(quarterly_return: QuarterlyReturn, user: Any, action: str, comment: str = "") -> None:
    ReturnEvent.objects.create(
        quarterly_return=quarterly_return,
        by=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        comment=comment,
    )


def _locked(quarterly_return: QuarterlyReturn, *allowed: str) -> QuarterlyReturn:
    """The return, locked for this change, refused unless it is in one of `allowed` states."""
    current = QuarterlyReturn.objects.select_for_update().get(pk=quarterly_return.pk)
    if current.status == ReturnStatus.SIGNED_OFF:
        raise ValidationError("This return is signed off and cannot be changed.")
    if current.status not in allowed:
        raise ValidationError(f"This return is {current.get_status_display().lower()}.")
    return current


@transaction.atomic
def return_draft(*, user: Any, contract: Contract, quarter_end: date) -> QuarterlyReturn:
    """Draft a quarter's return from the service's own records. The system drafts; either side
    may ask for it (the provider's manager, or a commissioner)."""
    if user is not None and not (
        can_prepare(user=user, contract=contract) or can_commission(user=user)
    ):
        raise PermissionDenied("You cannot draft this contract's returns.")
    if not is_quarter_end(quarter_end):
        raise ValidationError("A quarter ends on 31 March, 30 June, 30 September or 31 December.")
    if quarter_end > timezone.localdate():
        raise ValidationError("That quarter has not ended yet.")
    quarter_start = quarter_start_for(quarter_end)
    if quarter_end < contract.starts_on or quarter_start > contract.ends_on:
        raise ValidationError("That quarter is outside the contract's period.")
    if QuarterlyReturn.objects.filter(contract=contract, quarter_end=quarter_end).exists():
        raise ValidationError("That quarter's return is already drafted.")
    # Insight's figures as at the quarter's last day: the snapshot of that date (worked out
    # now if there is none), so the return shows what the dashboard shows for that date.
    snapshot = latest_snapshot(as_of=quarter_end) or reach_snapshot_refresh(
        user=user, as_of=quarter_end
    )
    drafted = return_figures(
        contract=contract, snapshot=snapshot, quarter_start=quarter_start, quarter_end=quarter_end
    )
    trends = _trends(contract, quarter_end)
    notes = []
    if snapshot.includes_simulated:
        notes.append("Families, children and contacts in these figures are SIMULATED (demo data).")
    with acting_as(user):
        quarterly_return = QuarterlyReturn(
            contract=contract,
            quarter_start=quarter_start,
            quarter_end=quarter_end,
            figures_as_of=snapshot.as_of,
            notes=notes,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        quarterly_return.full_clean()
        quarterly_return.save()
        ReturnMeasure.objects.bulk_create(
            ReturnMeasure(
                quarterly_return=quarterly_return,
                position=position,
                code=item.code,
                title=item.title,
                definition=item.definition,
                value=item.value,
                text=item.text,
                target=item.target,
                target_text=item.target_text,
                tolerance=item.tolerance,
                rating=item.rating,
                by_district=item.by_district,
                by_decile=item.by_decile,
                trend=trends.get(item.code, []),
            )
            for position, item in enumerate(drafted)
        )
        _event(quarterly_return, user, "Drafted from the service's records")
    return quarterly_return


@transaction.atomic
def return_update(
    *,
    user: Any,
    quarterly_return: QuarterlyReturn,
    narrative: str,
    case_studies: str,
    case_studies_consented: bool,
    explanations: dict[str, str],
) -> QuarterlyReturn:
    """The provider's words: narrative, case studies (with consent) and explanations."""
    if not can_prepare(user=user, contract=quarterly_return.contract):
        raise PermissionDenied("Only the provider's manager prepares this return.")
    current = _locked(quarterly_return, ReturnStatus.DRAFT, ReturnStatus.QUERIED)
    if case_studies.strip() and not case_studies_consented:
        raise ValidationError("Case studies need the families' consent: confirm you have it.")
    with acting_as(user):
        current.narrative = narrative.strip()
        current.case_studies = case_studies.strip()
        current.case_studies_consented = case_studies_consented
        current.modified_by = user
        current.full_clean()
        current.save()
        for measure in current.measures.all():
            explanation = explanations.get(measure.code, "").strip()
            if explanation != measure.explanation:
                measure.explanation = explanation
                measure.save(update_fields=["explanation"])
        _event(current, user, "Narrative and explanations saved")
    return current


@transaction.atomic
def return_submit(*, user: Any, quarterly_return: QuarterlyReturn) -> QuarterlyReturn:
    if not can_prepare(user=user, contract=quarterly_return.contract):
        raise PermissionDenied("Only the provider's manager submits this return.")
    current = _locked(quarterly_return, ReturnStatus.DRAFT, ReturnStatus.QUERIED)
    unexplained = [
        measure.title
        for measure in current.measures.all()
        if not measure.explanation
        and (measure.rating == Rating.RED or measure.review == Review.QUERIED)
    ]
    if unexplained:
        raise ValidationError(f"Explain these measures before submitting: {', '.join(unexplained)}")
    with acting_as(user):
        current.status = ReturnStatus.SUBMITTED
        current.submitted_at = timezone.now()
        current.modified_by = user
        current.save()
        # A resubmission is reviewed afresh where it was queried.
        current.measures.filter(review=Review.QUERIED).update(review="")
        _event(current, user, "Submitted")
    return current


@transaction.atomic
def return_measure_review(
    *, user: Any, quarterly_return: QuarterlyReturn, measure_id: int, decision: str, comment: str
) -> ReturnMeasure:
    if not can_commission(user=user):
        raise PermissionDenied("Only a commissioner reviews returns.")
    current = _locked(quarterly_return, ReturnStatus.SUBMITTED)
    measure = current.measures.filter(pk=measure_id).first()
    if measure is None:
        raise ValidationError("No such measure in this return.")
    if decision not in Review.values:
        raise ValidationError("Agree or query the measure.")
    if decision == Review.QUERIED and not comment.strip():
        raise ValidationError("Say what the query is.")
    with acting_as(user):
        measure.review = decision
        measure.review_comment = comment.strip()
        measure.save(update_fields=["review", "review_comment"])
        _event(current, user, f"{measure.title}: {Review(decision).label.lower()}", comment.strip())
    return measure


@transaction.atomic
def return_send_back(*, user: Any, quarterly_return: QuarterlyReturn) -> QuarterlyReturn:
    if not can_commission(user=user):
        raise PermissionDenied("Only a commissioner reviews returns.")
    current = _locked(quarterly_return, ReturnStatus.SUBMITTED)
    if not current.measures.filter(review=Review.QUERIED).exists():
        raise ValidationError("Query at least one measure to send the return back.")
    with acting_as(user):
        current.status = ReturnStatus.QUERIED
        current.modified_by = user
        current.save()
        _event(current, user, "Sent back to the provider with queries")
    return current


@transaction.atomic
def return_sign_off(*, user: Any, quarterly_return: QuarterlyReturn) -> QuarterlyReturn:
    if not can_commission(user=user):
        raise PermissionDenied("Only a commissioner signs returns off.")
    current = _locked(quarterly_return, ReturnStatus.SUBMITTED)
    pending = [m.title for m in current.measures.all() if m.review != Review.AGREED]
    if pending:
        raise ValidationError(f"Agree every measure before signing off: {', '.join(pending)}")
    with acting_as(user):
        current.status = ReturnStatus.SIGNED_OFF
        current.signed_off_at = timezone.now()
        current.signed_off_by = user
        current.modified_by = user
        current.save()
        _event(current, user, "Signed off")
    return current


def returns_draft_due(*, today: date) -> list[QuarterlyReturn]:
    """Draft, for every contract running in the quarter that ended last before `today`, its
    return for that quarter, unless it has one already (so running twice, or after a manager
    drafted it with the button, drafts nothing more), and tell the provider's managers.

    Each contract in its own transaction: one contract's failure does not undo the others'."""
    quarter_end = last_quarter_end(today)
    quarter_start = quarter_start_for(quarter_end)
    due = (
        Contract.objects.filter(starts_on__lte=quarter_end, ends_on__gte=quarter_start)
        .exclude(returns__quarter_end=quarter_end)
        .prefetch_related("provider_managers")
        .order_by("pk")
    )
    drafted = []
    for contract in due:
        try:
            with transaction.atomic():
                quarterly_return = return_draft(
                    user=None, contract=contract, quarter_end=quarter_end
                )
                _tell_provider(quarterly_return)
        except (ValidationError, IntegrityError):
            # Drafted meanwhile (by the button, or a second run of the job): nothing to do.
            continue
        drafted.append(quarterly_return)
    return drafted


def _tell_provider(quarterly_return: QuarterlyReturn) -> None:
    link = settings.PUBLIC_BASE_URL.rstrip("/") + reverse(
        "commissioning:return", args=[quarterly_return.pk]
    )
    for manager in quarterly_return.contract.provider_managers.all():
        if not manager.email:
            continue
        send_email(
            to=manager.email,
            subject=f"Quarterly return drafted: {quarter_label(quarterly_return.quarter_end)}",
            body=(
                f"The return for {quarterly_return.contract.name}, {quarterly_return.label}, "
                "has been drafted from the service's records.\n\n"
                "Please add your narrative and explain any red measure, then submit it:\n"
                f"{link}\n"
            ),
            reference=f"commissioning-return-{quarterly_return.pk}",
        )
