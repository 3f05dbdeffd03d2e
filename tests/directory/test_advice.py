"""Advice: published articles by topic, search, safe Markdown, staff editing with preview."""

from datetime import date
from typing import Any

import pytest
from django.test import Client

from familyreach.accounts.models import User
from familyreach.directory import services
from familyreach.directory.models import AdviceArticle, ArticleStatus
from tests.fixtures.directory import DirectoryWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(directory_world: DirectoryWorld, manager: User) -> list[AdviceArticle]:
    def article(
        slug: str, title: str, topic: str, status: str = ArticleStatus.PUBLISHED, **kw: Any
    ) -> AdviceArticle:
        return services.advice_article_save(
            user=manager,
            article=None,
            slug=slug,
            title=title,
            summary=f"About {title.lower()}",
            body=kw.get("body", f"## {title}\n\nSee [the NHS](https://www.nhs.uk/)."),
            topic=topic,
            status=status,
            review_by=date(2027, 3, 31),
            related_term_codes=kw.get("terms", []),
        )

    return [
        article("feeding-your-baby", "Feeding your baby", "feeding", terms=["infant-feeding"]),
        article("talking-with-toddlers", "Talking with toddlers", "talking"),
        article("draft-piece", "A draft about sleep", "behaviour", status=ArticleStatus.DRAFT),
    ]


def test_articles_are_listed_by_topic_and_drafts_hidden(
    client: Client, articles: list[AdviceArticle]
) -> None:
    html = client.get("/advice").content.decode()
    assert "Feeding your baby" in html
    assert "Talking with toddlers" in html
    assert "A draft about sleep" not in html
    assert html.index("Feeding</h2>") < html.index("Talking, play and learning</h2>")
    assert client.get("/advice/draft-piece").status_code == 404


def test_search_and_topic_filter(client: Client, articles: list[AdviceArticle]) -> None:
    html = client.get("/advice?q=toddlers").content.decode()
    assert "1 article matching" in html
    assert "Feeding your baby" not in html
    html = client.get("/advice?topic=feeding").content.decode()
    assert "Feeding your baby" in html
    assert "Talking with toddlers" not in html


def test_article_renders_markdown_safely_and_links_to_services(
    client: Client, articles: list[AdviceArticle], manager: User
) -> None:
    article = articles[0]
    article.body = "Hello <script>alert(1)</script> [x](javascript:alert(1)) **bold**"
    article.save()
    html = client.get("/advice/feeding-your-baby").content.decode()
    body = html.split('data-testid="article-body">', 1)[1].split("</div>", 1)[0]
    assert "<strong>bold</strong>" in body
    assert "<script>" not in body
    assert "javascript:" not in body
    assert "/find?category=infant-feeding" in html


def test_staff_preview_does_not_save(
    client: Client, articles: list[AdviceArticle], manager: User
) -> None:
    client.force_login(manager)
    form = {
        "title": "Starting solid food",
        "slug": "starting-solid-food",
        "summary": "When and how",
        "body": "## When\n\nAround **6 months**.",
        "topic": "feeding",
        "status": "published",
        "review_by": "31/3/2027",
        "action": "preview",
    }
    html = client.post("/staff/directory/advice/new", form).content.decode()
    assert '<h2 class="govuk-heading-m">When</h2>' in html
    assert not AdviceArticle.objects.filter(slug="starting-solid-food").exists()
    response = client.post("/staff/directory/advice/new", {**form, "action": "save"})
    assert response.status_code == 302
    saved = AdviceArticle.objects.get(slug="starting-solid-food")
    assert saved.owner == manager
    assert saved.review_by == date(2027, 3, 31)


def test_staff_form_errors(client: Client, articles: list[AdviceArticle], manager: User) -> None:
    client.force_login(manager)
    html = client.post(
        "/staff/directory/advice/new",
        {
            "title": "",
            "slug": "feeding-your-baby",
            "summary": "x",
            "body": "x",
            "topic": "feeding",
            "status": "draft",
            "review_by": "31/2/2027",
        },
    ).content.decode()
    assert "govuk-error-summary" in html
    assert "Enter a title" in html
    assert "Another article already uses this web address" in html
    assert "Enter a real date" in html


def test_advice_editing_is_for_council_staff(
    client: Client, articles: list[AdviceArticle], planner: User
) -> None:
    client.force_login(planner)
    assert client.get("/staff/directory/advice/").status_code == 403


def test_a_search_finds_articles_filed_under_a_topic_named_by_the_word(
    client: Client, articles: list[AdviceArticle], manager: User
) -> None:
    services.advice_article_save(
        user=manager,
        article=None,
        slug="bedtime-routines",
        title="Calm evenings",
        summary="A routine that helps at bedtime",
        body="Bath, book, bed.",
        topic="behaviour",  # "Sleep, behaviour and routines"
        status=ArticleStatus.PUBLISHED,
        review_by=date(2027, 3, 31),
        related_term_codes=[],
    )
    html = client.get("/advice?q=sleep").content.decode()
    assert "Calm evenings" in html
    assert "A draft about sleep" not in html  # drafts stay hidden
    assert "Feeding your baby" not in html
