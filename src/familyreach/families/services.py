"""Writes to family records: one function per state change, atomic, validated and audited."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from familyreach.core import audit, personal_data
from familyreach.core.audit import acting_as, record_action
from familyreach.families.models import (
    TARGET_GROUPS,
    Carer,
    Case,
    Child,
    Consent,
    ConsentPurpose,
    Family,
    FamilySource,
    LawfulBasis,
)
from familyreach.families.selectors import (
    family_for_change,
    family_possible_duplicates,
    family_retention_candidates,
)
from familyreach.families.signals import family_merging
from familyreach.geo.selectors import postcode_locate

TARGET_GROUP_FIELDS = tuple(name for name, _label in TARGET_GROUPS)


@dataclass(frozen=True)
class CarerDetails:
    first_name: str
    last_name: str = ""
    relationship: str = ""
    phone: str = ""
    email: str = ""
    date_of_birth: date | None = None


@dataclass(frozen=True)
class ChildDetails:
    first_name: str = ""
    last_name: str = ""
    date_of_birth: date | None = None
    expected_due_date: date | None = None


@dataclass(frozen=True)
class ConsentDetails:
    purpose: str
    lawful_basis: str
    given_by: str
    method: str
    given_at: datetime | None = None


@dataclass(frozen=True)
class TargetGroups:
    lone_parent: bool = False
    young_parent: bool = False
    disability_or_send: bool = False
    english_additional_language: bool = False
    workless_household: bool = False


@dataclass
class RegistrationResult:
    family: Family
    possible_duplicates: list[Family] = field(default_factory=list)


class PossibleDuplicates(Exception):
    """The family may already be registered: staff check `duplicates` and confirm or stop."""

    def __init__(self, duplicates: list[Family]) -> None:
        super().__init__("This family may already be registered.")
        self.duplicates = duplicates


def _apply_location(family: Family, postcode: str) -> None:
    """Normalise the postcode and find its area through geo; a valid postcode outside our data
    has no area (a family over the county border can still be registered). Raises geo's
    InvalidPostcode when the text is not a postcode."""
    location = postcode_locate(postcode)
    family.postcode = location.postcode
    family.area = location.area
    family.district = location.district
    family.area_is_exact = location.area_is_exact


@transaction.atomic
def family_register(
    *,
    user: Any,
    carers: list[CarerDetails],
    children: list[ChildDetails],
    postcode: str,
    address: str = "",
    target_groups: TargetGroups | None = None,
    consents: list[ConsentDetails] | None = None,
    source: str = FamilySource.STAFF,
    confirmed_not_duplicate: bool = False,
    is_simulated: bool = False,
    refuse_possible_duplicates: bool = False,
) -> RegistrationResult:
    """Register a household. Possible duplicates are returned and, unless staff confirmed it is
    a different family, the new record is flagged for review (never silently merged); with
    `refuse_possible_duplicates`, nothing is written and PossibleDuplicates is raised instead."""

    if not carers:
        raise ValidationError("Enter at least one parent or carer.")
    if not children and source != FamilySource.SUPPORT_REQUEST:
        # A request for support gives only children's ages: the worker adds dates later.
        raise ValidationError("Enter at least one child or expected baby.")
    with acting_as(user):
        family = Family(
            address=address,
            source=source,
            is_simulated=is_simulated,
            created_by=user,
            modified_by=user,
        )
        _apply_location(family, postcode)
        for name in TARGET_GROUP_FIELDS:
            setattr(family, name, getattr(target_groups or TargetGroups(), name))
        duplicates = family_possible_duplicates(children=children, postcode=family.postcode)
        if duplicates and refuse_possible_duplicates and not confirmed_not_duplicate:
            raise PossibleDuplicates(duplicates)
        family.needs_duplicate_review = bool(duplicates) and not confirmed_not_duplicate
        family.full_clean()
        family.save()
        for index, details in enumerate(carers):
            carer = Carer(
                family=family,
                is_main_contact=index == 0,
                created_by=user,
                modified_by=user,
                **details.__dict__,
            )
            carer.full_clean()
            carer.save()
        for child_details in children:
            child_add(user=user, family=family, details=child_details)
        for consent in consents or []:
            consent_record(user=user, family=family, details=consent)
    return RegistrationResult(family=family, possible_duplicates=duplicates)


@transaction.atomic
def family_register_by_worker(
    *,
    user: Any,
    carer: CarerDetails,
    child: ChildDetails,
    postcode: str,
    address: str,
    target_groups: TargetGroups,
    consent_method: str,
    consent_to_texts: bool,
    consent_to_emails: bool,
    confirmed_not_duplicate: bool,
) -> Family:
    """A worker registers a family they met, and takes it on to their caseload: one
    transaction, so no family is left on nobody's caseload. Raises PossibleDuplicates (writing
    nothing) when the family may already be registered and the worker has not confirmed it is a
    different one.

    Keeping the record is the council's public task; texts and emails are sent only with the
    family's consent, each recorded as given to the worker in the same way."""
    given_by = f"{carer.first_name} {carer.last_name}"
    consents = [
        ConsentDetails(
            purpose=ConsentPurpose.KEEP_RECORD,
            lawful_basis=LawfulBasis.PUBLIC_TASK,
            given_by=given_by,
            method=consent_method,
        )
    ]
    for purpose, wanted in (
        (ConsentPurpose.CONTACT_BY_TEXT, consent_to_texts),
        (ConsentPurpose.CONTACT_BY_EMAIL, consent_to_emails),
    ):
        if wanted:
            consents.append(
                ConsentDetails(
                    purpose=purpose,
                    lawful_basis=LawfulBasis.CONSENT,
                    given_by=given_by,
                    method=consent_method,
                )
            )
    family = family_register(
        user=user,
        carers=[carer],
        children=[child],
        postcode=postcode,
        address=address,
        target_groups=target_groups,
        consents=consents,
        confirmed_not_duplicate=confirmed_not_duplicate,
        refuse_possible_duplicates=True,
    ).family
    case_open(user=user, family=family, worker=user, reason="Registered the family")
    return family


@transaction.atomic
def family_update(
    *,
    user: Any,
    family: Family,
    postcode: str,
    address: str,
    target_groups: TargetGroups,
) -> Family:
    """Change the address (re-resolving the area through geo) and the target groups."""
    with acting_as(user):
        family = Family.objects.select_for_update().get(pk=family.pk)
        if family.is_anonymised or family.is_archived:
            raise ValidationError("This family record is closed and cannot be changed.")
        family.address = address
        _apply_location(family, postcode)
        for name in TARGET_GROUP_FIELDS:
            setattr(family, name, getattr(target_groups, name))
        family.modified_by = user
        family.full_clean()
        family.save()
    return family


@transaction.atomic
def child_add(*, user: Any, family: Family, details: ChildDetails) -> Child:
    if details.date_of_birth is None and details.expected_due_date is None:
        raise ValidationError("Enter the child's date of birth or the baby's due date.")
    with acting_as(user):
        child = Child(family=family, created_by=user, modified_by=user, **details.__dict__)
        child.full_clean()
        child.save()
    return child


@transaction.atomic
def carer_add(*, user: Any, family: Family, details: CarerDetails) -> Carer:
    with acting_as(user):
        carer = Carer(family=family, created_by=user, modified_by=user, **details.__dict__)
        carer.full_clean()
        carer.save()
    return carer


@transaction.atomic
def consent_record(*, user: Any, family: Family, details: ConsentDetails) -> Consent:
    with acting_as(user):
        consent = Consent(
            family=family,
            purpose=details.purpose,
            lawful_basis=details.lawful_basis,
            given_by=details.given_by,
            method=details.method,
            given_at=details.given_at or timezone.now(),
            recorded_by=user,
            created_by=user,
            modified_by=user,
        )
        consent.full_clean()
        consent.save()
    return consent


@transaction.atomic
def consent_withdraw(*, user: Any, consent: Consent, note: str = "") -> Consent:
    with acting_as(user):
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        if consent.withdrawn_at is not None:
            raise ValidationError("This consent has already been withdrawn.")
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_by = user
        consent.withdrawal_note = note
        consent.modified_by = user
        consent.full_clean()
        consent.save()
    return consent


@transaction.atomic
def case_open(
    *,
    user: Any,
    family: Family,
    worker: Any,
    reason: str = "",
    next_action: str = "",
    next_action_due: date | None = None,
) -> Case:
    """Put a family on a worker's caseload (a no-op returning the open case if already there)."""
    with acting_as(user):
        existing = Case.objects.filter(family=family, worker=worker, closed_on=None).first()
        if existing is not None:
            return existing
        case = Case(
            family=family,
            worker=worker,
            reason=reason,
            opened_on=timezone.localdate(),
            next_action=next_action,
            next_action_due=next_action_due,
            created_by=user,
            modified_by=user,
        )
        case.full_clean()
        case.save()
    return case


@transaction.atomic
def case_update(
    *, user: Any, case: Case, next_action: str, next_action_due: date | None, close: bool = False
) -> Case:
    with acting_as(user):
        case = Case.objects.select_for_update().get(pk=case.pk)
        case.next_action = next_action
        case.next_action_due = next_action_due
        if close:
            case.closed_on = timezone.localdate()
        case.modified_by = user
        case.full_clean()
        case.save()
    return case


# Moved by family_merge itself (some reconciled row by row); every other table with a key to a
# family is moved by _records_about_the_family_moved.
_MOVED_BY_THE_MERGE = frozenset(
    {
        "families.Family",
        "families.Carer",
        "families.Child",
        "families.Consent",
        "families.Case",
        "delivery.Booking",
        "delivery.Attendance",
        "delivery.Visit",
        "delivery.Contact",
    }
)


def _records_about_the_family_moved(*, user: Any, duplicate: Family, keep: Family) -> list[str]:
    """Requests for support, referrals, peer-support requests (and any table another app adds
    with a key to a family) move to the kept family, so its record, its copy and its erasure
    hold them without going through the archived duplicate. Saved row by row, so each move is
    in the audit trail. A one-to-one link (the demo's simulation record) stays with its row."""
    from familyreach.directory.models import SupportRequest

    moved: list[str] = []
    for relation in Family._meta.related_objects:
        if (
            not relation.field.many_to_one
            or relation.related_model._meta.label in _MOVED_BY_THE_MERGE
        ):
            continue
        name = relation.field.name
        for row in relation.related_model._base_manager.filter(**{name: duplicate}):
            setattr(row, name, keep)
            if hasattr(row, "modified_by"):
                row.modified_by = user
            row.save()
            moved.append(f"{row._meta.verbose_name} {row.pk} moved")
    # Linked by id, not by key (the directory knows nothing of families).
    for request in SupportRequest.objects.filter(family_record_id=duplicate.pk):
        request.family_record_id = keep.pk
        request.save()
        moved.append(f"request for support {request.reference} moved")
    return moved


@transaction.atomic
def family_merge(*, user: Any, duplicate: Family, keep: Family) -> Family:
    """Move everything from `duplicate` onto `keep`, then archive `duplicate` pointing at `keep`.

    Nothing is lost: children, carers, consents, cases, contacts, bookings, attendance, visits,
    requests for support, referrals and peer-support requests all move, in this transaction
    (delivery's rows through the `family_merging` signal). Where both records hold the same
    fact (both booked or attended the same occurrence) the kept family's row stays and the
    duplicate's copy is removed, because it records the same event; the merge note lists each.
    """
    if duplicate.pk == keep.pk:
        raise ValidationError("Choose two different families to merge.")
    with acting_as(user):
        locked = {
            f.pk: f
            for f in Family.objects.select_for_update().filter(pk__in=[duplicate.pk, keep.pk])
        }
        duplicate, keep = locked[duplicate.pk], locked[keep.pk]
        for family in (duplicate, keep):
            if family.is_archived or family.is_anonymised:
                raise ValidationError(f"{family} is closed and cannot be merged.")
        notes: list[str] = []
        for model in (Carer, Child, Consent):
            for row in model.objects.filter(family=duplicate):
                row.family = keep
                row.modified_by = user
                row.save()
        for case in Case.objects.filter(family=duplicate):
            if (
                case.closed_on is None
                and Case.objects.filter(family=keep, worker=case.worker, closed_on=None).exists()
            ):
                case.closed_on = timezone.localdate()
                notes.append(f"case {case.pk} closed: the kept family is already on that caseload")
            case.family = keep
            case.save()
        # Contacts, bookings, attendance and visits (delivery) move through the signal, in this
        # transaction: families does not import the apps built on it.
        for _receiver, response in family_merging.send(
            sender=Family, duplicate=duplicate, keep=keep, user=user
        ):
            notes.extend(cast("list[str]", response or []))
        notes.extend(_records_about_the_family_moved(user=user, duplicate=duplicate, keep=keep))
        for name in TARGET_GROUP_FIELDS:
            if getattr(duplicate, name):
                setattr(keep, name, True)
        if not keep.address and duplicate.address:
            keep.address = duplicate.address
        keep.needs_duplicate_review = False
        keep.modified_by = user
        keep.save()
        duplicate.merged_into = keep
        duplicate.archived_at = timezone.now()
        duplicate.archived_by = user
        duplicate.needs_duplicate_review = False
        duplicate.archive_reason = "Merged into family {}. {}".format(
            keep.pk, "; ".join(notes) or "Nothing needed reconciling."
        ).strip()
        duplicate.modified_by = user
        duplicate.save()
    return keep


@transaction.atomic
def family_dismiss_duplicate_warning(*, user: Any, family: Family) -> Family:
    with acting_as(user):
        family.needs_duplicate_review = False
        family.modified_by = user
        family.save(update_fields=["needs_duplicate_review", "modified_by", "modified_at"])
    return family


def retention_date(family: Family) -> date | None:
    """When the record is due for anonymisation: the youngest child's 25th birthday (by
    default), from the date of birth or due date; None when there is no child to count from."""
    dates = [
        child.date_of_birth or child.expected_due_date
        for child in family.children.all()
        if child.date_of_birth or child.expected_due_date
    ]
    if not dates:
        return None
    youngest = max(d for d in dates if d is not None)
    years = settings.FAMILY_RETENTION_YEARS_AFTER_YOUNGEST_BIRTH
    try:
        return youngest.replace(year=youngest.year + years)
    except ValueError:  # 29 February
        return youngest.replace(year=youngest.year + years, day=28)


@transaction.atomic
def family_anonymise(*, user: Any, family: Family, reason: str) -> Family:
    """Erase the personal data of a family, all or nothing, keeping what reach needs.

    Follows the personal-data register (`familyreach.core.personal_data`): every table an app
    registered, for the family and every duplicate merged into it. Kept: the family rows
    (area, district, number of children) and the facts reach counts (contacts, attendance,
    bookings' dates and sessions). Erased: names, contact details, addresses, postcodes,
    circumstances and every note, in each app's tables, in messages sent about the family, and
    in the audit log's change history for all those rows (the entries themselves, who and when,
    stay). Refused while a holding says erasure must wait (an open safeguarding concern).
    """
    from familyreach.families.personal_data import family_and_merged_ids

    with acting_as(user):
        family = Family.objects.select_for_update().get(pk=family.pk)
        if family.is_anonymised:
            raise ValidationError("This family has already been anonymised.")
        family_ids = family_and_merged_ids(family)
        # Lock the merged duplicates too: nothing may change them while they are erased.
        list(Family.objects.select_for_update().filter(pk__in=family_ids).values_list("pk"))
        collected = personal_data.collect(family_ids)
        blockers = personal_data.erasure_blockers(collected)
        if blockers:
            raise ValidationError(blockers)
        children_count = Child.objects.filter(family_id__in=family_ids).count()
        personal_data.erase(collected, user=user)
        family.refresh_from_db()
        family.children_count_at_anonymisation = children_count
        family.anonymised_at = family.anonymised_at or timezone.now()
        family.archived_at = family.archived_at or family.anonymised_at
        family.archived_by = family.archived_by or user
        family.archive_reason = reason
        family.modified_by = user
        family.save()
        erased: list[tuple[type, list[Any]]] = [(holding.model, pks) for holding, pks in collected]
        _scrub_audit_history(erased)
        # After the scrub, so that this entry (who erased, when, why) is kept whole.
        record_action(instance=family, user=user, action=audit.ERASURE, detail={"reason": reason})
    return family


def _scrub_audit_history(erased: list[tuple[type, list[Any]]]) -> None:
    """Auditlog keeps old and new values of every change, and a description of the record:
    blank them for erased records. What stays is the fact: who did what (the action, and a
    named action such as "subject-access export") to which record, when, from where."""
    for model, pks in erased:
        if not pks:
            continue
        content_type = ContentType.objects.get_for_model(model)
        entries = LogEntry.objects.filter(
            content_type=content_type, object_pk__in=[str(pk) for pk in pks]
        )
        entries.update(
            changes={},
            changes_text="",
            serialized_data=None,
            object_repr=f"{model.__name__} (anonymised)",
        )
        for entry in entries.filter(additional_data__isnull=False).only("pk", "additional_data"):
            data = entry.additional_data
            kept = (
                {"action": data["action"]} if isinstance(data, dict) and "action" in data else None
            )
            if kept != data:
                LogEntry.objects.filter(pk=entry.pk).update(additional_data=kept)


def families_due_for_retention(today: date) -> list[Family]:

    due: list[Family] = []
    for family in family_retention_candidates():
        limit = retention_date(family)
        if limit is None:
            years = settings.FAMILY_RETENTION_YEARS_WITHOUT_CHILDREN
            last_change = timezone.localtime(family.modified_at).date()
            limit = last_change.replace(year=last_change.year + years, day=min(last_change.day, 28))
        if limit <= today:
            due.append(family)
    return due


@transaction.atomic
def retention_apply(*, user: Any, today: date) -> list[int]:
    """Anonymise every family past its retention date, in one transaction (all or nothing)."""
    anonymised = []
    for family in families_due_for_retention(today):
        family_anonymise(user=user, family=family, reason="Retention period ended")
        anonymised.append(family.pk)
    return anonymised


@transaction.atomic
def family_register_from_support_request(*, support_request: Any, user: Any) -> Family:
    """An accepted request for support from the front door becomes a family on the accepting
    worker's caseload. The request gives children's ages, not dates of birth, so the case's
    first action is to record them (we never invent a date of birth)."""
    name = (support_request.name or "").strip()
    first_name, _space, last_name = name.partition(" ")
    consents = []
    if support_request.family_consent or support_request.requester == "family":
        consents.append(
            ConsentDetails(
                purpose="keep_record",
                lawful_basis="public_task",
                given_by=name or "The family",
                method="online",
                given_at=support_request.created_at,
            )
        )
    result = family_register(
        user=user,
        carers=[
            CarerDetails(
                first_name=first_name or "Unknown",
                last_name=last_name,
                email=support_request.email,
                phone=support_request.phone,
            )
        ],
        children=[],
        postcode=support_request.postcode,
        source=FamilySource.SUPPORT_REQUEST,
        consents=consents,
    )
    case_open(
        user=user,
        family=result.family,
        worker=user,
        reason=_request_summary(support_request),
        next_action="Contact the family; record the children's dates of birth",
        next_action_due=timezone.localdate(),
    )
    _record_family_on_request(support_request, result.family, user)
    return result.family


def _request_summary(support_request: Any) -> str:
    ages = ", ".join(
        "expected baby" if age == -1 else f"{age}" for age in support_request.children_ages or []
    )
    return (
        f"Request for support {support_request.reference}: "
        f"help with {', '.join(support_request.help_with or []) or 'not stated'}; "
        f"children aged {ages or 'not stated'}. {support_request.details}".strip()
    )


def _record_family_on_request(support_request: Any, family: Family, user: Any) -> None:
    with acting_as(user):
        support_request.family_record_id = family.pk
        support_request.save(update_fields=["family_record_id"])


@transaction.atomic
def family_link_support_request(*, support_request: Any, user: Any, family_id: int) -> Family:
    """An accepted request for support from a family already registered: link it to their
    record (which the user must be allowed to change) and put the family on the user's
    caseload, rather than registering them twice."""

    family = family_for_change(user=user, family_id=family_id)
    next_action = f"Contact the family about their request for support {support_request.reference}"
    case = case_open(
        user=user,
        family=family,
        worker=user,
        reason=_request_summary(support_request),
        next_action=next_action,
        next_action_due=timezone.localdate(),
    )
    if case.next_action != next_action:
        # Already on the user's caseload: the request becomes the case's next action.
        case_update(
            user=user, case=case, next_action=next_action, next_action_due=timezone.localdate()
        )
    _record_family_on_request(support_request, family, user)
    return family
