"""Reads of family records. Pages get family data only through the `*_get_for_user` and
`*_for_user` functions here, which authorise (rules.py) and audit every record they return."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from typing import Any, Protocol

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Replace, Upper
from django.http import Http404

from familyreach.core.audit import EXPORT_SUBJECT_ACCESS, record_access, record_action
from familyreach.families.models import Carer, Case, Child, Consent, Family
from familyreach.families.rules import visible_families_filter


class NamedChild(Protocol):
    """What the duplicate check needs of a child: a recorded child or one being registered."""

    @property
    def first_name(self) -> str: ...

    @property
    def date_of_birth(self) -> date | None: ...


def family_list_for_user(*, user: Any, search: str = "") -> QuerySet[Family]:
    """Open families the user may see, newest first, with carers and children loaded."""
    if not rules.test_rule("families.list_families", user):
        raise PermissionDenied("Your role does not give access to family records.")
    condition = visible_families_filter(user)
    if condition is None:
        return Family.objects.none()
    families = Family.objects.filter(condition, archived_at=None, anonymised_at=None)
    search = " ".join(search.split())
    if search:
        families = families.filter(family_search_condition(search))
    return families.select_related("area", "district").prefetch_related("carers", "children")


# Dates as people type them: 14/03/2024, 14-3-2024, 14.03.2024, or ISO 2024-03-14.
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_PHONE_CHARACTERS = re.compile(r"^[+\d\s()-]+$")
# A phone search needs enough digits not to match half the county's numbers.
_PHONE_MINIMUM_DIGITS = 6


def search_date(text: str) -> date | None:
    """The date a search means, or None: day first (as written in the UK) or ISO."""
    day_first = _DAY_FIRST.match(text)
    iso = _ISO_DATE.match(text)
    try:
        if day_first:
            day, month, year = (int(part) for part in day_first.groups())
            return date(year, month, day)
        if iso:
            year, month, day = (int(part) for part in iso.groups())
            return date(year, month, day)
    except (ValueError, OverflowError):
        return None
    return None


def search_phone_digits(text: str) -> str | None:
    """The digits of a phone number in the form it is dialled in the UK (+44 7700 → 07700),
    or None when the search is not a phone number."""
    if not _PHONE_CHARACTERS.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    if text.lstrip().startswith("+44") or (digits.startswith("44") and len(digits) == 12):
        digits = "0" + digits[2:].removeprefix("0")
    return digits if len(digits) >= _PHONE_MINIMUM_DIGITS else None


def _without(expression: Any, *characters: str) -> Any:
    for character in characters:
        expression = Replace(expression, Value(character), Value(""))
    return expression


def _person_matches(model: type[Carer] | type[Child], words: list[str]) -> Q:
    """Families with one person (carer or child) whose name holds every word: "Grace Wilson",
    "gra wil", "Wilson"."""
    people = model.objects.all()
    for word in words:
        people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return Q(pk__in=people.values("family_id"))


def family_search_condition(search: str) -> Q:
    """What a staff search matches: a person's full or partial name, the postcode typed with or
    without its space (NR301AA finds NR30 1AA), a child's or carer's date of birth, a carer's
    phone number (spaces, dashes and +44 ignored) or the family's number. Plain SQL functions
    only (REPLACE, UPPER), so it runs the same on SQLite and PostgreSQL."""
    words = search.split()
    condition = _person_matches(Carer, words) | _person_matches(Child, words)
    compact = re.sub(r"\s", "", search).upper()
    if compact.isalnum() and len(compact) >= 2:
        condition |= Q(
            pk__in=Family.objects.annotate(compact_postcode=Upper(_without(F("postcode"), " ")))
            .filter(compact_postcode__contains=compact)
            .values("pk")
        )
    born = search_date(search)
    if born is not None:
        condition |= Q(pk__in=Child.objects.filter(date_of_birth=born).values("family_id"))
        condition |= Q(pk__in=Carer.objects.filter(date_of_birth=born).values("family_id"))
    phone = search_phone_digits(search)
    if phone is not None:
        dialled = Replace(_without(F("phone"), " ", "-", "(", ")"), Value("+44"), Value("0"))
        condition |= Q(
            pk__in=Carer.objects.annotate(dialled=dialled)
            .filter(dialled__contains=phone)
            .values("family_id")
        )
    if search.isdigit() and len(search) <= 9:  # a family number (a phone number is longer)
        condition |= Q(pk=int(search))
    return condition


def family_get_for_user(*, user: Any, family_id: int) -> Family:
    """One family with everything its record page shows; authorised, and the read audited."""
    family = (
        Family.objects.select_related("area", "district", "merged_into")
        .prefetch_related(
            "carers",
            "children",
            Prefetch("consents", queryset=Consent.objects.select_related("recorded_by")),
            Prefetch("cases", queryset=Case.objects.select_related("worker")),
        )
        .filter(pk=family_id)
        .first()
    )
    if family is None:
        raise Http404("No such family")
    if not rules.test_rule("families.view_family", user, family):
        raise PermissionDenied("You do not have access to this family's record.")
    record_access(instance=family, user=user)
    return family


def family_for_change(*, user: Any, family_id: int) -> Family:
    """A family the user may change (open, and visible to them); the read is audited."""
    family = family_get_for_user(user=user, family_id=family_id)
    if not rules.test_rule("families.change_family", user, family):
        raise PermissionDenied("This family's record is closed.")
    return family


def consent_get_for_user(*, user: Any, consent_id: int) -> Consent:
    consent = Consent.objects.select_related("family").filter(pk=consent_id).first()
    if consent is None:
        raise Http404("No such consent")
    if not rules.test_rule("families.change_family", user, consent.family):
        raise PermissionDenied("You do not have access to this family's record.")
    record_access(instance=consent, user=user)
    return consent


def case_get_for_user(*, user: Any, case_id: int) -> Case:
    case = Case.objects.select_related("family", "worker").filter(pk=case_id).first()
    if case is None:
        raise Http404("No such case")
    if not rules.test_rule("families.change_family", user, case.family):
        raise PermissionDenied("You do not have access to this family's record.")
    record_access(instance=case, user=user)
    return case


def caseload_for_worker(*, worker: Any) -> QuerySet[Case]:
    """A worker's open cases, next actions due first (no audit entry per row: the worker's own
    caseload list shows names only; opening a family records the read)."""
    return (
        Case.objects.filter(worker=worker, closed_on=None, family__anonymised_at=None)
        .select_related("family")
        .prefetch_related(
            Prefetch("family__carers", queryset=Carer.objects.filter(is_main_contact=True))
        )
        .order_by("next_action_due", "id")
    )


def _simplify(name: str) -> str:
    return re.sub(r"[^a-z]", "", (name or "").lower())


def names_are_similar(first: str, second: str) -> bool:
    """Same name allowing for typing slips and short forms (Sam/Samuel, Jayden/Jaden)."""
    a, b = _simplify(first), _simplify(second)
    if not a or not b:
        return False
    if a == b:
        return True
    if min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a)):
        return True
    return SequenceMatcher(None, a, b).ratio() >= 0.8


def family_possible_duplicates(
    *, children: Iterable[NamedChild], postcode: str, exclude_id: int | None = None
) -> list[Family]:
    """Open families with a child of the same date of birth and a similar first name, in the
    same postcode district (outward code: "near the same postcode")."""
    outward = postcode.split(" ")[0] if postcode else ""
    wanted = [(c.date_of_birth, c.first_name) for c in children if c.date_of_birth]
    if not outward or not wanted:
        return []
    candidates = (
        Child.objects.filter(
            date_of_birth__in=[dob for dob, _name in wanted],
            family__postcode__startswith=f"{outward} ",
            family__archived_at=None,
            family__anonymised_at=None,
        )
        .exclude(family_id=exclude_id or 0)
        .select_related("family")
    )
    found: dict[int, Family] = {}
    for child in candidates:
        for dob, name in wanted:
            if child.date_of_birth == dob and names_are_similar(child.first_name, name):
                found[child.family_id] = child.family
    return list(found.values())


def family_duplicates_for_user(*, user: Any, family: Family) -> list[Family]:
    """Possible duplicates of a family that this user may also see (to offer a merge)."""
    duplicates = family_possible_duplicates(
        children=list(family.children.all()), postcode=family.postcode, exclude_id=family.pk
    )
    return [d for d in duplicates if rules.test_rule("families.view_family", user, d)]


def family_retention_candidates() -> QuerySet[Family]:
    return Family.objects.filter(anonymised_at=None).prefetch_related("children")


@dataclass(frozen=True)
class SubjectAccessCopy:
    """A family's copy of the personal data held about them (`data`: labelled sections in plain
    words, the same for the page and the JSON file), and, for the staff member producing it
    only, how many records were withheld (the copy itself neither confirms nor denies)."""

    data: dict[str, Any]
    withheld_records: int


def family_export_for_user(*, user: Any, family_id: int) -> SubjectAccessCopy:
    """Subject-access export: every record held about the family (and any duplicate merged into
    it) in every table of the personal-data register, with who has seen or changed them.

    Authorised like opening the record (and audited as a read); the export itself is recorded
    as its own action ("subject-access export"), so it can be told apart from a view.
    """
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from familyreach.core import personal_data
    from familyreach.families.personal_data import family_and_merged_ids

    family = family_get_for_user(user=user, family_id=family_id)
    if not rules.test_rule("families.export_family", user, family):
        raise PermissionDenied("You may not export this family's record.")
    record_action(instance=family, user=user, action=EXPORT_SUBJECT_ACCESS)
    sections: list[dict[str, Any]] = []
    withheld_records = 0
    shown: list[tuple[str, type[Any], list[Any]]] = []
    for holding, pks in personal_data.collect(family_and_merged_ids(family)):
        rows = personal_data.rows_of(holding, pks)
        if holding.in_copy is not None:
            visible = holding.in_copy(rows)
        elif holding.withheld:
            visible = rows.none()
        else:
            visible = rows
        records = [personal_data.describe(holding, row) for row in visible.order_by("pk")]
        withheld_records += len(pks) - len(records)
        # Holdings may share a section (a concern and the decisions on it): one heading.
        same = next((section for section in sections if section["title"] == holding.section), None)
        if same is None:
            sections.append(
                {"title": holding.section, "records": records, "withheld": holding.withheld}
            )
        else:
            same["records"].extend(records)
            same["withheld"] = same["withheld"] or holding.withheld
        shown.append(
            (
                holding.section,
                holding.model,
                list(visible.values_list("pk", flat=True)),
            )
        )
    # Who has read or changed these records (the audit trail is part of what we hold).
    activity: list[tuple[Any, dict[str, str]]] = []
    for title, model, pks in shown:
        if not pks:
            continue
        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_pk__in=[str(pk) for pk in pks],
        ).select_related("actor")
        for entry in entries:
            named = (
                (entry.additional_data or {}).get("action")
                if isinstance(entry.additional_data, dict)
                else None
            )
            activity.append(
                (
                    entry.timestamp,
                    {
                        "When": f"{timezone.localtime(entry.timestamp):%-d %B %Y at %H:%M}",
                        "Who": str(entry.actor) if entry.actor else "The system",
                        "What": named or _ACTIVITY_WORDS.get(entry.action, "Other"),
                        "Record": title,
                    },
                )
            )
    data = {
        "title": "Personal data we hold about your family",
        "family_record_number": family.pk,
        "produced_on": f"{timezone.localdate():%-d %B %Y}",
        "sections": sections,
        "activity": {
            "title": "Who has seen or changed your records",
            "records": [row for _when, row in sorted(activity, key=lambda item: item[0])],
        },
    }
    return SubjectAccessCopy(data=data, withheld_records=withheld_records)


# auditlog's actions in plain words.
_ACTIVITY_WORDS = {0: "Recorded", 1: "Changed", 2: "Deleted", 3: "Looked at"}
