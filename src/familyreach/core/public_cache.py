"""Whole public pages kept for a minute, and HTTP caching headers, so a busy front door answers
from memory here or from any HTTP cache or CDN in front.

The family front door (/find, the Open Referral API) is read far more than it changes, and most
of a page's cost is building it (queries, the ORM, GOV.UK macros: 15–30 ms of one core for
/find) while answering with a kept copy costs well under a millisecond. A view marked with
`@public_page` has its 200 responses to anonymous GETs kept by `PublicPageCacheMiddleware`
for `FAMILYREACH_PUBLIC_CACHE_SECONDS` (60 by default; 0 turns it off, as the test settings
do so that tests see every write at once).

The middleware sits just inside SecurityMiddleware, WhiteNoise and ConditionalGetMiddleware
(`ConditionalGetKeepingAgeMiddleware` below): a
kept page is answered before sessions, authentication, CSRF and the view run, with the complete
headers the page was first sent with (the inner middleware's CSP, X-Frame-Options and so on),
and ConditionalGetMiddleware turns it into a 304 when the visitor's copy is still good.

HTTP caching (docs/scaling.md says how a CDN uses it):
- An anonymous 200 from a `@public_page` view is `Cache-Control: public, max-age=N,
  s-maxage=N` (N = FAMILYREACH_PUBLIC_CACHE_SECONDS; `public, no-cache` when N is 0: caches may
  keep it but must ask first), `Vary: Cookie, Accept-Encoding` (a signed-in visitor gets another
  page at the same address), an `ETag` over the body and a `Last-Modified` of when the page was
  built. A kept page also says its `Age`, so a cache in front keeps it only for what is left of
  the minute.
- The ETag is stable: public pages carry no CSP nonce (their only inline script, GOV.UK's
  "js-enabled" line, is allowed by its hash in SECURE_CSP), so the same data gives the same
  bytes, in any process. A fresh render whose bytes match the visitor's ETag is a 304 too.
- Last-Modified is when the page was built, not when the directory last changed: with the
  default per-process cache a process does not hear of another's writes, and a "last change"
  it believed could answer 304 to an out-of-date copy for ever. A build time is always true.
- Everything else (staff pages, any page for someone signed in or with a message waiting, a
  response that sets a cookie, errors) is `Cache-Control: private, no-store`, unless its view
  said otherwise.

What makes a kept page safe to give to someone else:
- Only anonymous GETs are kept or served: a request carrying a session or messages cookie
  (someone signed in, or a form's message waiting) always gets a fresh page, and a response
  that sets a cookie, or says `private`/`no-store`, is never kept. Public pages never show
  personal data, and this keeps it so even if one did.
- Only views marked `@public_page` are kept, so no other page can be answered from here (a
  kept page's key is its exact path and query string).
- The key also holds today's date (pages say "next on Tuesday") and the generation.
- Writes change the generation (`public_pages_changed`): the directory's models call it on
  save and delete, and its bulk updates call it directly. The generation is a random token,
  not a counter, so a cache that drops it can never bring an old page back.
- Pages live in the "public" cache (PUBLIC_CACHE_URL: local memory per process by default),
  the generation in the default cache (CACHE_URL). With the default local-memory cache each
  worker process learns of a write made in another only when its copy expires (at most the
  timeout); with a shared CACHE_URL every worker sees the new generation at once, even while
  each keeps its pages in its own memory.
"""

import hashlib
import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.http import ConditionalGetMiddleware
from django.utils import timezone
from django.utils.cache import patch_vary_headers, set_response_etag
from django.utils.http import http_date

from familyreach.core.db_routers import reads_from_replica

GENERATION_KEY = "public-cache:generation"
# Set on a response by @public_page, and on its request (so the page is built without a nonce).
MARK = "_familyreach_public_page"
# Part of every kept page's key: change it when KeptPage changes shape, so a shared cache
# never hands a new release a page of the old shape.
PAGE_VERSION = 2
PRIVATE = "private, no-store"

KeptPage = tuple[bytes, float, list[tuple[str, str]]]  # content, built at (epoch), headers


def public_pages_changed() -> None:
    """Forget every kept page (a new generation makes their keys unreachable; they expire on
    their own)."""
    cache.set(GENERATION_KEY, secrets.token_hex(8), None)


def generation() -> str:
    """The current generation: part of the key of everything kept for public pages."""
    current: str | None = cache.get(GENERATION_KEY)
    if current is None:
        current = secrets.token_hex(8)
        # add(), not set(): two workers starting at once agree on one generation.
        if not cache.add(GENERATION_KEY, current, None):
            current = cache.get(GENERATION_KEY) or current
    return current


def public_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let PublicPageCacheMiddleware keep this view's answers to anonymous visitors, and any
    HTTP cache in front keep them too. The page is built without a CSP nonce, and reads from
    the read replica when there is one (a page any cache may keep for a minute may be read
    from a copy of the database a moment behind; core/db_routers.py)."""
    reading = reads_from_replica(view)

    @wraps(view)
    def marked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        setattr(request, MARK, True)
        response = reading(request, *args, **kwargs)
        setattr(response, MARK, True)
        return response

    return marked


def is_public_page(request: HttpRequest) -> bool:
    """Whether this request is for a `@public_page` view (its page must carry no nonce)."""
    return bool(getattr(request, MARK, False))


def _anonymous(request: HttpRequest) -> bool:
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and getattr(settings, "MESSAGES_COOKIE_NAME", "messages") not in request.COOKIES
    )


def _shareable(request: HttpRequest, response: HttpResponse) -> bool:
    """A public page anyone may be given: the same for every anonymous visitor."""
    user = getattr(request, "user", None)
    cache_control = response.get("Cache-Control", "")
    return (
        getattr(response, MARK, False)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and _anonymous(request)
        and not (user is not None and user.is_authenticated)
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def _set_caching_headers(request: HttpRequest, response: HttpResponse, seconds: int) -> bool:
    """Say who may keep this response and for how long; True when it is a shareable page."""
    if not _shareable(request, response):
        if getattr(response, MARK, False) or not response.has_header("Cache-Control"):
            response["Cache-Control"] = PRIVATE
        return False
    response["Cache-Control"] = (
        f"public, max-age={seconds}, s-maxage={seconds}" if seconds else "public, no-cache"
    )
    patch_vary_headers(response, ("Cookie", "Accept-Encoding"))
    set_response_etag(response)
    response["Last-Modified"] = http_date(time.time())
    return True


def _key(request: HttpRequest) -> str:
    address = f"{request.path}?{request.META.get('QUERY_STRING', '')}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return (
        f"public-cache:v{PAGE_VERSION}:{generation()}:{timezone.localdate().isoformat()}:{digest}"
    )


class PublicPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        seconds = settings.FAMILYREACH_PUBLIC_CACHE_SECONDS
        keeping = bool(seconds) and request.method in ("GET", "HEAD") and _anonymous(request)
        key = _key(request) if keeping else ""
        if keeping:
            kept: KeptPage | None = caches["public"].get(key)
            if kept is not None:
                return _replay(*kept)
        response = self.get_response(request)
        shareable = _set_caching_headers(request, response, seconds)
        if shareable and keeping and request.method == "GET":
            page: KeptPage = (response.content, time.time(), list(response.items()))
            caches["public"].set(key, page, seconds)
        return response


def _replay(content: bytes, built_at: float, headers: list[tuple[str, str]]) -> HttpResponse:
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    # How long the copy has been kept: a cache in front counts it against max-age.
    response["Age"] = str(max(0, int(time.time() - built_at)))
    response["X-Familyreach-Cache"] = "hit"
    return response


class ConditionalGetKeepingAgeMiddleware(ConditionalGetMiddleware):
    """Django's ConditionalGetMiddleware (304s for If-None-Match / If-Modified-Since), whose
    304 also says the kept page's Age: a cache that revalidates updates its copy's headers from
    the 304, and without Age would count a minute's freshness again from now."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        answer = super().process_response(request, response)
        if answer is not response and answer.status_code == 304 and response.has_header("Age"):
            answer["Age"] = response["Age"]
        return answer
