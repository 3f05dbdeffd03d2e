"""A return from draft to sign-off: the provider explains its red measures and submits; the
commissioner queries one, sends it back, agrees every measure on resubmission and signs off;
then nothing changes it. A provider's manager sees only its own contract's returns."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from familyreach.accounts.roles import Role
from familyreach.commissioning import services
from familyreach.commissioning.measures import BY_CODE, rating
from familyreach.commissioning.models import (
    Contract,
    QuarterlyReturn,
    Rating,
    ReturnStatus,
)
from familyreach.directory import services as directory_services
from tests.commissioning.conftest import CommissioningWorld

pytestmark = pytest.mark.django_db

QUARTER = date(2026, 6, 30)


def test_quarters() -> None:
    assert services.quarter_start_for(date(2026, 6, 30)) == date(2026, 4, 1)
    assert services.quarter_start_for(date(2026, 3, 31)) == date(2026, 1, 1)
    assert services.quarter_start_for(date(2025, 12, 31)) == date(2025, 10, 1)
    assert services.is_quarter_end(date(2026, 9, 30))
    assert not services.is_quarter_end(date(2026, 9, 29))
    assert not services.is_quarter_end(date(2026, 8, 31))


def test_rating_against_target_and_tolerance() -> None:
    higher, lower = BY_CODE["seen_reach"], BY_CODE["greatest_need_gap"]
    assert rating(higher, 0.61, target=0.6, tolerance=0.05) == "green"
    assert rating(higher, 0.56, target=0.6, tolerance=0.05) == "amber"
    assert rating(higher, 0.54, target=0.6, tolerance=0.05) == "red"
    assert rating(lower, 0.10, target=0.2, tolerance=0.05) == "green"
    assert rating(lower, 0.24, target=0.2, tolerance=0.05) == "amber"
    assert rating(lower, 0.30, target=0.2, tolerance=0.05) == "red"
    assert rating(higher, None, target=0.6, tolerance=0.05) == "not_shown"


def test_a_quarterly_return_from_draft_to_sign_off(
    commissioning_world: CommissioningWorld, make_user: object
) -> None:
    world = commissioning_world
    provider = Client()
    provider.force_login(world.provider_manager)
    commissioner = Client()
    commissioner.force_login(world.commissioner)

    contract_url = reverse("commissioning:contract", args=[world.contract.pk])
    assert world.contract.name in provider.get(reverse("commissioning:contracts")).content.decode()
    # Only a quarter's last day drafts a return.
    provider.post(
        reverse("commissioning:return-draft", args=[world.contract.pk]),
        {"quarter_end-day": "15", "quarter_end-month": "6", "quarter_end-year": "2026"},
    )
    assert not QuarterlyReturn.objects.exists()
    drafted_response = provider.post(
        reverse("commissioning:return-draft", args=[world.contract.pk]),
        {"quarter_end-day": "30", "quarter_end-month": "6", "quarter_end-year": "2026"},
    )
    drafted = QuarterlyReturn.objects.get()
    assert drafted_response["Location"] == reverse("commissioning:return", args=[drafted.pk])
    assert contract_url  # the contract page lists it
    reds = [m for m in drafted.measures.all() if m.rating == Rating.RED]
    assert reds, "the world's targets leave at least one measure red"

    # Submitting with a red measure unexplained is refused.
    provider.post(reverse("commissioning:return-submit", args=[drafted.pk]))
    drafted.refresh_from_db()
    assert drafted.status == ReturnStatus.DRAFT
    # The commissioner cannot write the provider's words.
    assert (
        commissioner.get(reverse("commissioning:return-edit", args=[drafted.pk])).status_code == 403
    )
    form = {
        "narrative": "A quarter of new outreach in the villages.",
        **{f"explanation_{m.code}": "Staff vacancies in the spring." for m in reds},
    }
    provider.post(reverse("commissioning:return-edit", args=[drafted.pk]), form)
    provider.post(reverse("commissioning:return-submit", args=[drafted.pk]))
    drafted.refresh_from_db()
    assert drafted.status == ReturnStatus.SUBMITTED

    # The provider cannot agree its own figures; the commissioner queries one and sends it back.
    measures = list(drafted.measures.all())
    # The queried measure is one the provider had not explained (not red).
    queried = next(m for m in measures if m.rating != Rating.RED)
    review_url = reverse("commissioning:measure-review", args=[drafted.pk])
    assert (
        provider.post(review_url, {"measure": measures[0].pk, "decision": "agreed"}).status_code
        == 403
    )
    commissioner.post(
        review_url, {"measure": queried.pk, "decision": "queried", "comment": "Which villages?"}
    )
    commissioner.post(reverse("commissioning:return-send-back", args=[drafted.pk]))
    drafted.refresh_from_db()
    assert drafted.status == ReturnStatus.QUERIED
    # The queried measure needs an answer before resubmitting.
    provider.post(reverse("commissioning:return-submit", args=[drafted.pk]))
    drafted.refresh_from_db()
    assert drafted.status == ReturnStatus.QUERIED
    form[f"explanation_{queried.code}"] = "Acle, Reedham and Loddon."
    provider.post(reverse("commissioning:return-edit", args=[drafted.pk]), form)
    provider.post(reverse("commissioning:return-submit", args=[drafted.pk]))
    drafted.refresh_from_db()
    assert drafted.status == ReturnStatus.SUBMITTED

    # Signing off waits until every measure is agreed.
    commissioner.post(reverse("commissioning:return-sign-off", args=[drafted.pk]))
    drafted.refresh_from_db()
    assert drafted.status == ReturnStatus.SUBMITTED
    for measure in measures:
        commissioner.post(review_url, {"measure": measure.pk, "decision": "agreed"})
    commissioner.post(reverse("commissioning:return-sign-off", args=[drafted.pk]))
    drafted.refresh_from_db()
    assert drafted.status == ReturnStatus.SIGNED_OFF
    assert drafted.signed_off_by == world.commissioner

    # Immutable: every step is refused now.
    with pytest.raises(ValidationError, match="signed off"):
        services.return_update(
            user=world.provider_manager,
            quarterly_return=drafted,
            narrative="Changed",
            case_studies="",
            case_studies_consented=False,
            explanations={},
        )
    with pytest.raises(ValidationError, match="signed off"):
        services.return_measure_review(
            user=world.commissioner,
            quarterly_return=drafted,
            measure_id=measures[0].pk,
            decision="queried",
            comment="Again",
        )
    drafted.refresh_from_db()
    assert drafted.narrative == "A quarter of new outreach in the villages."

    # Every step recorded, in order.
    actions = list(drafted.events.values_list("action", flat=True))
    assert actions[0] == "Drafted from the service's records"
    assert actions[-1] == "Signed off"
    assert "Sent back to the provider with queries" in actions

    # Exports: the CSV and the workbook carry the same headline rows.
    rows = list(
        csv.reader(
            io.StringIO(
                provider.get(
                    reverse("commissioning:return-csv", args=[drafted.pk])
                ).content.decode()
            )
        )
    )
    assert ["Status", "Signed off"] in rows
    sheet = load_workbook(
        io.BytesIO(provider.get(reverse("commissioning:return-xlsx", args=[drafted.pk])).content)
    )["Return"]
    sheet_rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert sheet_rows[:5] == rows[:5]


def test_a_provider_manager_sees_only_its_own_contracts(
    commissioning_world: CommissioningWorld, make_user: object
) -> None:
    world = commissioning_world
    drafted = services.return_draft(
        user=world.commissioner, contract=world.contract, quarter_end=QUARTER
    )
    other_provider = directory_services.organization_upsert(
        source="test", source_reference="other-provider", name="Other provider", description="x"
    )
    other_manager = make_user(Role.PROVIDER_MANAGER, username="oscar-other-provider")  # type: ignore[operator]
    other_contract = Contract.objects.create(
        name="Another contract",
        provider=other_provider,
        starts_on=date(2025, 1, 1),
        ends_on=date(2027, 1, 1),
        annual_value=Decimal("100000"),
    )
    other_contract.provider_managers.add(other_manager)
    client = Client()
    client.force_login(other_manager)
    listing = client.get(reverse("commissioning:contracts")).content.decode()
    assert "Another contract" in listing
    assert world.contract.name not in listing
    assert (
        client.get(reverse("commissioning:contract", args=[world.contract.pk])).status_code == 404
    )
    assert client.get(reverse("commissioning:return", args=[drafted.pk])).status_code == 404
    assert client.get(reverse("commissioning:return-csv", args=[drafted.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.return_submit(user=other_manager, quarterly_return=drafted)
