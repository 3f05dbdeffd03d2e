"""Fixtures every test can use: a named world of staff users, and the browser set-up.

Browser tests (marked `browser`, or any test using Playwright's `page`) drive Debian's Chromium
against a live server; `make test-browser` runs them, `make test` runs everything.
"""

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from tests.factories.accounts import STAFF_PASSWORD, UserFactory

# Each domain's shared fixtures (its part of the named test world) live in tests/fixtures/<app>.py.
pytest_plugins: list[str] = [
    "tests.fixtures.geo",
    "tests.fixtures.planning",
    "tests.fixtures.consult",
    "tests.fixtures.directory",
    "tests.fixtures.families",
    "tests.fixtures.community",
    "tests.fixtures.insight",
    "tests.fixtures.referrals",
    "tests.fixtures.outcomes",
]

CHROMIUM = os.environ.get("FAMILYREACH_CHROMIUM", "/usr/bin/chromium")
AXE_SCRIPT = Path(__file__).parent / "browser_assets" / "axe.min.js"


def pytest_configure(config: pytest.Config) -> None:
    # Playwright's sync API runs an event loop in the test thread, and Django then refuses ORM
    # calls made by the test itself (fixtures, assertions). We write no async code, so the
    # check protects nothing here. Set before any fixture starts the loop.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def pytest_runtest_setup(item: pytest.Item) -> None:
    # PostgreSQL-only tests (real row locks under concurrency) are deselected by the SQLite
    # targets (`-m "not postgres_only"`); one that is selected anyway fails, never skips.
    if item.get_closest_marker("postgres_only") and not os.environ.get(
        "DATABASE_URL", ""
    ).startswith("postgres"):
        pytest.fail("needs PostgreSQL: run it with `make test-postgres`", pytrace=False)


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    """`make_user(Role.PLANNER, district_code="E07000145")` gives a saved user in that role."""

    def _make(role: Role | None = None, *, username: str | None = None, **fields: Any) -> User:
        count = User.objects.count() + 1
        return UserFactory(
            username=username or f"{role.value if role else 'user'}-{count}", role=role, **fields
        )

    return _make


@pytest.fixture
def signed_in(db: Any) -> Callable[[User], Client]:
    """`signed_in(user)` gives a test client signed in as `user`: a new client on each call, so
    two people can be signed in side by side. (Browser tests sign in through the form: see
    `sign_in` below; the authorisation matrix signs in with two-factor codes.)"""

    def _signed_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _signed_in


@pytest.fixture
def planner(make_user: Callable[..., User]) -> User:
    return make_user(Role.PLANNER, username="priya-planner")


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    """A county-wide service manager (every district, set on purpose: no district would mean
    no family access)."""
    return make_user(Role.MANAGER, username="dana-manager", all_districts=True)


@pytest.fixture
def family_worker(make_user: Callable[..., User]) -> User:
    """A family worker in Great Yarmouth (E07000145), where the shared world's families live."""
    return make_user(Role.FAMILY_WORKER, username="will-worker", district_code="E07000145")


# --- Browser tests -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Browser tests need Debian's Chromium at {CHROMIUM}: run `make test-browser`, "
            "which installs it (apt-get install chromium)."
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # axe-core is injected as a script: the page's own CSP would otherwise (rightly) block it.
    return {**browser_context_args, "bypass_csp": True, "locale": "en-GB"}


@pytest.fixture
def axe() -> Callable[..., list[dict[str, Any]]]:
    """`axe(page)` runs axe-core (WCAG 2.2 AA rules) and returns serious or critical violations."""

    def _run(page: Any, *, include_moderate: bool = False) -> list[dict[str, Any]]:
        page.add_script_tag(path=str(AXE_SCRIPT))
        result = page.evaluate(
            """async () => await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}
            })"""
        )
        impacts = {"serious", "critical"} | ({"moderate"} if include_moderate else set())
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
            if v["impact"] in impacts
        ]

    return _run


@pytest.fixture
def sign_in(live_server: Any) -> Callable[..., None]:
    """`sign_in(page, user)` signs a user in through the real sign-in form."""

    def _sign_in(page: Any, user: User, password: str = STAFF_PASSWORD) -> None:
        page.goto(f"{live_server.url}/staff/sign-in")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return _sign_in


@pytest.fixture(autouse=True)
def _empty_caches() -> None:
    """Each test starts with empty caches: rate-limit counts and cached lookups from one test
    must not decide another's outcome."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        cache.clear()


@pytest.fixture(autouse=True)
def _run_on_another_day() -> Any:
    """FAMILYREACH_TEST_DATE=2027-06-01 runs every test as if it were that day (the clock
    ticking from its start), to find tests that pass today and fail later because they hold a
    fixed date. Unset (as in `make test`), tests run on the real date."""
    day = os.environ.get("FAMILYREACH_TEST_DATE")
    if not day:
        yield
        return
    import time_machine

    with time_machine.travel(f"{day}T10:00:00+00:00", tick=True):
        yield
