"""Volunteers (and group admins) can raise a safeguarding concern from the page they land on
after signing in (issue 17); roles that cannot raise one see no link."""

import pytest
from django.test import Client
from django.urls import reverse

from familyreach.accounts.models import User

pytestmark = pytest.mark.django_db


def _landing(user: User) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/staff/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_volunteers_week_links_to_raising_a_concern(volunteer_user: User) -> None:
    page = _landing(volunteer_user)
    assert "My week from" in page  # the volunteer's landing page
    link = f'href="{reverse("community:concern-raise")}">raise a safeguarding concern</a>'
    assert link in page
    client = Client()
    client.force_login(volunteer_user)
    assert client.get(reverse("community:concern-raise")).status_code == 200


def test_a_group_admins_start_page_links_to_it_too(group_admin: User) -> None:
    assert reverse("community:concern-raise") in _landing(group_admin)


def test_no_link_for_a_role_that_cannot_raise_one(family_worker: User) -> None:
    assert reverse("community:concern-raise") not in _landing(family_worker)
