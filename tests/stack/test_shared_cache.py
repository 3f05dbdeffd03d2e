"""Two app instances sharing Redis (CACHE_URL): what one instance learns, the other knows.

Kept public pages live in each process's own memory (PUBLIC_CACHE_URL), but the generation that
names them is in the shared cache: a listing edited through instance A must be gone from
instance B's kept /find page at once. The public forms' rate limit counts in the shared cache
too: requests spread over A and B meet the configured limit, not twice it.
"""

import time

import pytest
from django.core.cache import cache

from familyreach.directory.models import ListingStatus, Service

from .conftest import FIND_PATH, MANAGER_PASSWORD, Browser, Stack, World, shows, wait_until

pytestmark = pytest.mark.stack

# Each instance runs two gunicorn processes, each with its own kept pages: enough requests
# that both of B's processes answer (the kernel hands connections to either).
REQUESTS_TO_REACH_EVERY_PROCESS = 12
WEEKLY_TIME = {"day_1": "MO", "opens_1": "10:00", "closes_1": "11:00"}


def test_a_listing_edited_through_a_leaves_b_kept_find_page_at_once(
    stack: Stack, world: World
) -> None:
    a, b = stack.apps["a"].url, stack.apps["b"].url
    name = world.listing.name
    visitor = Browser()

    # B keeps its /find page: a repeat visit is answered from the kept copy.
    first = visitor.get(f"{b}{FIND_PATH}")
    assert first.status == 200
    assert shows(first.text, name), "the listing is not on B's /find page to begin with"
    kept = wait_until(
        lambda: (
            (page := visitor.get(f"{b}{FIND_PATH}")).header("X-Familyreach-Cache") == "hit" and page
        ),
        seconds=30,
        what="B to answer /find from its kept page",
    )
    assert shows(kept.text, name)

    # A manager closes the listing through instance A's staff pages.
    manager = Browser()
    manager.sign_in(a, world.manager.username, MANAGER_PASSWORD)
    edit = f"{a}/staff/directory/services/{world.listing.pk}/edit"
    saved = manager.post_form(
        edit,
        {
            "name": name,
            "status": ListingStatus.INACTIVE.value,
            "minimum_age": "0",
            "maximum_age": "4",
            "categories": ["stay-and-play"],
            "delivery_methods": ["in-person"],
            "location": str(world.location.pk),
            **WEEKLY_TIME,
        },
    )
    assert saved.status == 200
    assert saved.url.endswith("/staff/directory/"), f"the edit was not saved: {saved.url}"
    assert Service.objects.get(pk=world.listing.pk).status == ListingStatus.INACTIVE

    # Every one of B's processes answers without the listing on the very next requests.
    for _ in range(REQUESTS_TO_REACH_EVERY_PROCESS):
        page = visitor.get(f"{b}{FIND_PATH}")
        assert page.status == 200
        assert not shows(page.text, name), (
            f"B still shows the closed listing (X-Familyreach-Cache: "
            f"{page.header('X-Familyreach-Cache') or 'miss'})"
        )

    # Opened again through A, it is back on B at once as well.
    manager.post_form(
        edit,
        {
            "name": name,
            "status": ListingStatus.ACTIVE.value,
            "minimum_age": "0",
            "maximum_age": "4",
            "categories": ["stay-and-play"],
            "delivery_methods": ["in-person"],
            "location": str(world.location.pk),
            **WEEKLY_TIME,
        },
    )
    for _ in range(REQUESTS_TO_REACH_EVERY_PROCESS):
        assert shows(visitor.get(f"{b}{FIND_PATH}").text, name)


def test_the_public_form_rate_limit_is_shared_between_instances(stack: Stack) -> None:
    urls = [f"{stack.apps[name].url}/request-support" for name in ("a", "b")]
    limit = stack.rate_limit
    window = 3600  # FAMILYREACH_RATE_LIMITS["request-support"]

    for _attempt in range(2):
        family = Browser()
        window_at_start = int(time.time() // window)
        # limit + 2 empty forms, alternately to A and B: each counts, valid or not.
        statuses = [
            ("AB"[number % 2], family.post_form(urls[number % 2], {}).status)
            for number in range(limit + 2)
        ]
        if int(time.time() // window) == window_at_start:
            break
        cache.clear()  # the hour's window turned over in the middle: counts began again
    else:
        pytest.fail("the rate-limit window turned over twice during the test")

    allowed, refused = statuses[:limit], statuses[limit:]
    assert all(status != 429 for _name, status in allowed), statuses
    # Each instance saw only about half the limit, yet the next ones are refused by both.
    assert {name for name, _status in allowed} == {"A", "B"}
    assert refused == [("A", 429), ("B", 429)], statuses
