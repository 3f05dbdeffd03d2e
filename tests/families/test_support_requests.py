"""A request for support accepted at the front door becomes a family on a worker's caseload."""

from familyreach.accounts.models import User
from familyreach.directory.services import support_request_accept
from familyreach.families.models import Family
from familyreach.geo.models import Area
from tests.fixtures.directory import support_request_make


def test_accepted_request_becomes_a_family_and_a_case(
    family_worker: User, yarmouth_area: Area
) -> None:
    request = support_request_make(
        name="Rosa Request",
        children_ages=[2, -1],
        expecting_baby=True,
        help_with=["infant-feeding"],
        details="Struggling with feeding",
        contact_method="phone",
        phone="07700 900555",
        best_times="Mornings",
    )
    assert not Family.objects.exists()
    support_request_accept(support_request=request, user=family_worker)
    family = Family.objects.get()
    assert family.source == "support_request"
    assert family.area == yarmouth_area
    assert family.carers.get().first_name == "Rosa"
    assert family.carers.get().phone == "07700 900555"
    assert family.children.count() == 0  # ages only: the worker records dates of birth
    case = family.cases.get()
    assert case.worker == family_worker
    assert request.reference in case.reason
    assert "dates of birth" in case.next_action
    assert family.consents.get().purpose == "keep_record"
