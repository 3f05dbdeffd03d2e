"""Every staff page of the directory renders for a manager (GET), with a fixed query count."""

from datetime import date
from typing import Any

import pytest
from django.test import Client

from familyreach.accounts.models import User
from familyreach.directory import services
from familyreach.directory.models import AdviceArticle
from tests.fixtures.directory import DirectoryWorld

pytestmark = pytest.mark.django_db


def test_staff_pages_render(client: Client, directory_world: DirectoryWorld, manager: User) -> None:
    article = services.advice_article_save(
        user=manager,
        article=None,
        slug="a",
        title="An article",
        summary="s",
        body="b",
        topic="feeding",
        status="draft",
        review_by=date(2027, 1, 1),
    )
    client.force_login(manager)
    pages = {
        "/staff/directory/": "Directory listings",
        f"/staff/directory/services/{directory_world.stay_and_play.pk}/edit": "Stay and play at Great Yarmouth Library",
        f"/staff/directory/services/new?organization={directory_world.council.pk}": "New listing",
        "/staff/directory/changes/": "Nothing is waiting",
        "/staff/directory/advice/": "An article",
        f"/staff/directory/advice/{article.pk}/edit": "Edit article",
        "/staff/directory/advice/new": "New article",
        "/staff/requests/": "Requests for support",
    }
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url
    assert AdviceArticle.objects.count() == 1


def test_listing_page_query_count_does_not_grow_with_listings(
    client: Client, directory_world: DirectoryWorld, manager: User, django_assert_num_queries: Any
) -> None:
    client.force_login(manager)
    client.get("/staff/directory/")
    # Eleven, plus one on every staff page for a manager: is any safeguarding message unsent?
    with django_assert_num_queries(12):
        assert client.get("/staff/directory/").status_code == 200
    for number in range(3):
        services.service_upsert(
            source="test",
            source_reference=f"extra-{number}",
            organization=directory_world.charity,
            name=f"Extra {number}",
        )
    with django_assert_num_queries(12):
        assert "Extra 2" in client.get("/staff/directory/").content.decode()
