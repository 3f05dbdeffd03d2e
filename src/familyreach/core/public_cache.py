"""Whole public pages kept for a minute, so a busy front door answers from memory.

The family front door (/find, the Open Referral API) is read far more than it changes, and most
of a page's cost is building it (queries, the ORM, GOV.UK macros: 15–30 ms of one core for
/find) while answering with a kept copy costs well under a millisecond. A view marked with
`@public_page` has its 200 responses to anonymous GETs kept by `PublicPageCacheMiddleware`
for `FAMILYREACH_PUBLIC_CACHE_SECONDS` (60 by default; 0 turns it off, as the test settings
do so that tests see every write at once).

The middleware sits just inside SecurityMiddleware and WhiteNoise: a kept page is answered
before sessions, authentication, CSRF and the view run, with the complete headers the page
was first sent with (the inner middleware's CSP, X-Frame-Options and so on).

What makes a kept page safe to give to someone else:
- Only anonymous GETs are kept or served: a request carrying a session or messages cookie
  (someone signed in, or a form's message waiting) always gets a fresh page, and a response
  that sets a cookie, or says `private`/`no-store`, is never kept. Public pages never show
  personal data, and this keeps it so even if one did.
- Only views marked `@public_page` are kept, so no other page can be answered from here (a
  kept page's key is its exact path and query string).
- The key also holds today's date (pages say "next on Tuesday") and the generation.
- Every page carries a CSP nonce for its inline scripts; a nonce must not be reused, so on every
  hit the kept page's nonce is replaced, in the page and in the CSP header, by a fresh one.
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
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.utils import timezone
from django.utils.csp import generate_nonce

GENERATION_KEY = "public-cache:generation"
CSP_HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")
# Set on a response by @public_page: the nonce its page carries ("" when none).
MARK = "_public_page_nonce"

KeptPage = tuple[bytes, str, list[tuple[str, str]]]  # content, nonce, headers


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
    """Let PublicPageCacheMiddleware keep this view's answers to anonymous visitors."""

    @wraps(view)
    def marked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = view(request, *args, **kwargs)
        nonce = get_nonce(request)
        setattr(response, MARK, str(nonce) if nonce else "")
        return response

    return marked


def _anonymous(request: HttpRequest) -> bool:
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and getattr(settings, "MESSAGES_COOKIE_NAME", "messages") not in request.COOKIES
    )


def _keepable(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        hasattr(response, MARK)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def _key(request: HttpRequest) -> str:
    address = f"{request.path}?{request.META.get('QUERY_STRING', '')}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"public-cache:{generation()}:{timezone.localdate().isoformat()}:{digest}"


class PublicPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        seconds = settings.FAMILYREACH_PUBLIC_CACHE_SECONDS
        if not seconds or request.method != "GET" or not _anonymous(request):
            return self.get_response(request)
        key = _key(request)
        kept: KeptPage | None = caches["public"].get(key)
        if kept is not None:
            return _replay(*kept)
        response = self.get_response(request)
        if _keepable(response):
            page: KeptPage = (response.content, getattr(response, MARK), list(response.items()))
            caches["public"].set(key, page, seconds)
        return response


def _replay(content: bytes, nonce: str, headers: list[tuple[str, str]]) -> HttpResponse:
    fresh = generate_nonce() if nonce else ""
    if nonce:
        content = content.replace(nonce.encode(), fresh.encode())
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value.replace(nonce, fresh) if nonce and name in CSP_HEADERS else value
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    response["X-Familyreach-Cache"] = "hit"
    return response
