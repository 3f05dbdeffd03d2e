"""What /find and the ORUK API read on every request but which changes rarely, kept in
Django's cache.

With the default cache (local memory, one per worker process) each worker keeps its own
copy: a change made through one worker clears that worker's copy at once (the receivers
below) and the others' within the timeout. Set CACHES to a shared cache (Redis, Memcached)
to clear every worker at once.
"""

import dataclasses
import hashlib
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from familyreach.core import public_cache
from familyreach.directory.models import Language
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


@receiver(post_save, sender=Language, dispatch_uid="directory_languages_cache_save")
@receiver(post_delete, sender=Language, dispatch_uid="directory_languages_cache_delete")
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


# --- Whole public pages (core.public_cache) -------------------------------------------------

PUBLIC_PAGES = "directory"


def public_pages_changed() -> None:
    """Forget the kept /find and API pages: now, so this process's next page is fresh, and
    again when the transaction commits, so a page built by another request from the data as it
    was before the commit is not kept under the new generation."""
    public_cache.public_pages_changed(PUBLIC_PAGES)
    transaction.on_commit(lambda: public_cache.public_pages_changed(PUBLIC_PAGES))


def _directory_changed(**kwargs: Any) -> None:
    public_pages_changed()


# Every directory model: a listing's page and API record draw on all of them. Queryset
# deletes send post_delete per row; bulk_create and update() send nothing, and the code that
# uses them (bulk loads, search_columns) calls public_pages_changed() itself.
for _model in apps.get_app_config("directory").get_models():
    post_save.connect(
        _directory_changed, sender=_model, dispatch_uid=f"public_pages_save_{_model._meta.label}"
    )
    post_delete.connect(
        _directory_changed, sender=_model, dispatch_uid=f"public_pages_delete_{_model._meta.label}"
    )
