"""The approval screen shows only what a proposed change changes, in words, and the group that
proposed it is told the outcome (and the reason, when it is refused)."""

from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.directory import selectors, services
from familyreach.directory.forms import ServiceForm
from familyreach.directory.models import ChangeStatus, ListingChange, Service
from familyreach.directory.views import _service_initial
from tests.fixtures.directory import DirectoryWorld
from tests.fixtures.outbox import forget_stored_messages, stored_messages

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_outbox() -> Iterator[None]:
    forget_stored_messages()
    yield
    forget_stored_messages()


@pytest.fixture
def group_admin(make_user: Callable[..., User], directory_world: DirectoryWorld) -> User:
    admin = make_user(Role.COMMUNITY_GROUP_ADMIN, username="gail-group", email="gail@example.org")
    directory_world.charity.editors.add(admin)
    return admin


def _form_as_sent(service: Service) -> dict[str, object]:
    """What the edit form posts when nothing is touched: every field, as the page fills it."""
    data: dict[str, object] = {}
    for name, value in _service_initial(service).items():
        if value is None or value is False or value == "":
            continue
        data[name] = "on" if value is True else value
    return data


def test_only_the_changed_field_is_shown_in_words(
    client: Client, directory_world: DirectoryWorld, group_admin: User, manager: User
) -> None:
    service = directory_world.baby_group
    client.force_login(group_admin)
    form = _form_as_sent(service)
    form["for_pregnancy"] = "on"  # the one real change
    assert client.post(f"/staff/directory/services/{service.pk}/edit", form).status_code == 302
    change = ListingChange.objects.get()
    assert len(change.changes) > 10  # the form sends every field...

    rows = selectors.listing_change_rows(change)
    assert [(row.label, row.current, row.proposed) for row in rows] == [
        ("Open to expectant parents", "No", "Yes")  # ...the approver sees the one it changes
    ]

    client.force_login(manager)
    page = client.get("/staff/directory/changes/").content.decode()
    assert "Open to expectant parents" in page
    assert "What changes: 1 field" in page
    for raw in ("None", "False", "True", "baby-groups", "in-person", "Was:"):
        assert raw not in page, raw


def test_choices_categories_and_blanks_are_in_words(
    directory_world: DirectoryWorld, group_admin: User
) -> None:
    service = directory_world.baby_group
    current = selectors.service_current_values(service)
    change = services.service_edit(
        user=group_admin,
        organization=directory_world.charity,
        service=service,
        changes={
            **{k: v for k, v in current.items() if k in services.EDITABLE_FIELDS},
            "status": "temporarily closed",
            "categories": ["stay-and-play", *current["categories"]],
            "email": "",
            "url": "",
        },
    )
    assert isinstance(change, ListingChange)
    words = {
        row.label: (row.current, row.proposed) for row in selectors.listing_change_rows(change)
    }
    assert words["Status"] == ("Active", "Temporarily closed")
    assert "Stay and play" in words["Type of support"][1]
    assert "stay-and-play" not in words["Type of support"][1]
    # Fields sent unchanged (and blanks that were blank) are not listed.
    assert set(words) <= {"Status", "Type of support", "Email address", "Website"}
    for was, now in words.values():
        assert "None" not in (was, now)


def test_a_new_listing_shows_what_it_sets(
    directory_world: DirectoryWorld, group_admin: User
) -> None:
    change = services.service_edit(
        user=group_admin,
        organization=directory_world.charity,
        service=None,
        changes={"name": "Dads' group", "for_pregnancy": False, "email": "", "minimum_age": 0.5},
    )
    assert isinstance(change, ListingChange)
    rows = selectors.listing_change_rows(change)
    assert [(row.label, row.proposed, row.current) for row in rows] == [
        ("Name", "Dads' group", None),
        ("Youngest age", "6 months", None),
        ("Open to expectant parents", "No", None),  # a yes/no is always an answer
    ]


def test_rejection_needs_a_reason_and_the_proposer_is_told_it(
    client: Client, directory_world: DirectoryWorld, group_admin: User, manager: User
) -> None:
    change = services.service_edit(
        user=group_admin,
        organization=directory_world.charity,
        service=directory_world.baby_group,
        changes={"name": "Baby club"},
    )
    assert isinstance(change, ListingChange)
    client.force_login(manager)
    client.post(f"/staff/directory/changes/{change.pk}", {"decision": "reject", "reason": ""})
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING  # no reason, no rejection
    assert stored_messages() == []

    client.post(
        f"/staff/directory/changes/{change.pk}",
        {"decision": "reject", "reason": "The group still meets as Baby group"},
    )
    change.refresh_from_db()
    assert change.status == ChangeStatus.REJECTED
    [email] = stored_messages()
    assert email.to == "gail@example.org"
    assert "not approved" in email.subject
    assert "The group still meets as Baby group" in email.body

    client.force_login(group_admin)
    for page in ("/staff/", "/staff/directory/"):
        html = client.get(page).content.decode()
        assert "Not approved" in html, page
        assert "The group still meets as Baby group" in html, page


def test_approval_tells_the_proposer_too(
    client: Client, directory_world: DirectoryWorld, group_admin: User, manager: User
) -> None:
    change = services.service_edit(
        user=group_admin,
        organization=directory_world.charity,
        service=directory_world.baby_group,
        changes={"name": "Baby club"},
    )
    assert isinstance(change, ListingChange)
    services.listing_change_approve(change=change, user=manager)
    [email] = stored_messages()
    assert email.to == "gail@example.org"
    assert "published" in email.subject


def test_the_form_and_the_labels_agree() -> None:
    # The approver reads the words the proposer saw on the form.
    form = ServiceForm(time_rows=1)
    for name in ("for_pregnancy", "how_to_book", "url", "email", "categories"):
        assert form.fields[name].label == selectors.FIELD_LABELS[name]
