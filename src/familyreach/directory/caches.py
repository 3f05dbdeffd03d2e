"""What /find and the ORUK API read on every request but which changes rarely, kept in
Django's cache.

With the default cache (local memory, one per worker process) each worker keeps its own
copy: a change made through one worker clears that worker's copy at once (the receivers
below, connected by `connect_receivers()` from `DirectoryConfig.ready()`) and the others'
within the timeout. Set CACHES to a shared cache (Redis, Memcached) to clear every worker at
once.

Selectors use this module, never the reverse: they pass their card builders in, so the cache
knows nothing of how a card is built.
"""

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from familyreach.core import public_cache
from familyreach.directory.models import AdviceArticle, Language, ListingChange, SupportRequest
from familyreach.geo.selectors import Place, place_lookup

LANGUAGES_KEY = "directory:languages-offered"
LANGUAGES_SECONDS = 5 * 60
# Postcodes and places change only when the geography is reloaded.
PLACE_SECONDS = 60 * 60


def languages_offered() -> list[str]:
    """The languages any listing is offered in, for the filter's choices."""
    languages: list[str] | None = cache.get(LANGUAGES_KEY)
    if languages is None:
        languages = sorted(set(Language.objects.values_list("name", flat=True)))
        cache.set(LANGUAGES_KEY, languages, LANGUAGES_SECONDS)
    return languages


def _languages_changed(**kwargs: Any) -> None:
    cache.delete(LANGUAGES_KEY)


def place_lookup_cached(query: str) -> Place:
    """`geo.selectors.place_lookup`, remembered by the normalised text. Problems (an invalid
    or unknown postcode) are not cached: they raise every time, with their message."""
    normalised = " ".join((query or "").split()).upper()
    # Hashed: a cache key must be short and without spaces, whatever was typed.
    key = "directory:place:" + hashlib.sha256(normalised.encode()).hexdigest()
    place: Place | None = cache.get(key)
    if place is None:
        place = place_lookup(query)
        cache.set(key, place, PLACE_SECONDS)
    return dataclasses.replace(place, query=query)


# --- Whole public pages (core.public_cache) and the listing cards on them --------------------

# Cards are forgotten with the pages (same generation); the timeout only bounds memory.
CARD_SECONDS = 10 * 60
# Part of the key: change it when ListingCard changes, so a shared cache never hands a new
# release a card of the old shape.
CARD_VERSION = 3


def listing_cards[Card](
    ids: Sequence[UUID], *, build: Callable[[Sequence[UUID]], dict[UUID, Card]], kind: str = "place"
) -> dict[UUID, Card]:
    """Result cards, kept while the page cache is on (FAMILYREACH_PUBLIC_CACHE_SECONDS): a
    search not seen before still finds most of its rows already built, since nearby
    postcodes share them. `build` makes the cards not kept; `kind` keeps the two kinds apart:
    "place", by service-at-location id (`selectors.listing_cards_build`); "service", services
    with no venue, by service id (`selectors.service_cards_build`)."""
    if not settings.FAMILYREACH_PUBLIC_CACHE_SECONDS or not ids:
        return build(ids)
    generation = public_cache.generation()
    today = timezone.localdate().isoformat()
    keys = {i: f"directory:card:v{CARD_VERSION}:{kind}:{generation}:{today}:{i}" for i in ids}
    store = caches["public"]
    kept: dict[str, Card] = store.get_many(list(keys.values()))
    cards = {i: kept[key] for i, key in keys.items() if key in kept}
    missing = [i for i in ids if i not in cards]
    if missing:
        built = build(missing)
        store.set_many({keys[i]: card for i, card in built.items()}, CARD_SECONDS)
        cards.update(built)
    return cards


def kept_ids(name: str, key: object, build: Callable[[], list[UUID]]) -> list[UUID]:
    """A list of ids a search reads from the directory that does not depend on the postcode
    itself (the services with no venue covering a district, for these filters), kept like the
    cards: under the page cache's generation and today's date, so any directory change or a
    new day builds it again. `key` must have a stable repr (frozen dataclasses, strings)."""
    if not settings.FAMILYREACH_PUBLIC_CACHE_SECONDS:
        return build()
    digest = hashlib.sha256(repr(key).encode()).hexdigest()
    today = timezone.localdate().isoformat()
    cache_key = f"directory:ids:{name}:{public_cache.generation()}:{today}:{digest}"
    store = caches["public"]
    ids: list[UUID] | None = store.get(cache_key)
    if ids is None:
        ids = build()
        store.set(cache_key, ids, CARD_SECONDS)
    return ids


def public_pages_changed() -> None:
    """Forget the kept /find and API pages: now, so this process's next page is fresh, and
    again when the transaction commits, so a page built by another request from the data as it
    was before the commit is not kept under the new generation."""
    public_cache.public_pages_changed()
    transaction.on_commit(lambda: public_cache.public_pages_changed())


def _directory_changed(**kwargs: Any) -> None:
    public_pages_changed()


# Every directory model a listing's search result or API record draws on (not requests for
# support, proposed changes or advice, which no kept page shows). Queryset deletes send
# post_delete per row; bulk_create and update() send nothing, and the code that uses them
# (bulk loads, search_columns) calls public_pages_changed() itself.
NOT_ON_PUBLIC_PAGES = {SupportRequest, ListingChange, AdviceArticle}


def connect_receivers() -> None:
    """Clear the caches when what they hold changes (from `DirectoryConfig.ready()`)."""
    from django.apps import apps

    post_save.connect(
        _languages_changed, sender=Language, dispatch_uid="directory_languages_cache_save"
    )
    post_delete.connect(
        _languages_changed, sender=Language, dispatch_uid="directory_languages_cache_delete"
    )
    for model in apps.get_app_config("directory").get_models():
        if model in NOT_ON_PUBLIC_PAGES:
            continue
        post_save.connect(
            _directory_changed, sender=model, dispatch_uid=f"public_pages_save_{model._meta.label}"
        )
        post_delete.connect(
            _directory_changed,
            sender=model,
            dispatch_uid=f"public_pages_delete_{model._meta.label}",
        )
