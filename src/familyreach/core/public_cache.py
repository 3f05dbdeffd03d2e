"""Whole public pages kept for a minute, so a busy front door answers from memory.

The family front door (/find, the Open Referral API) is read far more than it changes, and most
of a page's cost is building it (queries, the ORM, GOV.UK macros: about 25 ms of one core for
/find) while serving a kept copy costs about 1 ms. `public_page_cached` keeps a view's 200
responses for `FAMILYREACH_PUBLIC_CACHE_SECONDS` (60 by default; 0 turns it off, as the test
settings do so that tests see every write at once).

What makes a kept page safe to give to someone else:
- Only anonymous GETs are kept or served: a request carrying a session or messages cookie
  (someone signed in, or a form's message waiting) always gets a fresh page, and a response
  that sets a cookie, or says `private`/`no-store`, is never kept. Public pages never show
  personal data, and this keeps it so even if one did.
- The key is the exact path and query string (links on the page repeat the query in the order
  given), today's date (pages say "next on Tuesday"), and the namespace's generation.
- Every page carries a CSP nonce for its inline scripts; a nonce must not be reused, so the
  kept page's nonce is replaced with this request's own on every hit.
- Writes change the namespace's generation (`public_pages_changed`): the directory's models
  call it on save and delete, and its bulk updates call it directly. The generation is a random
  token, not a counter, so a cache that drops it can never bring an old page back.
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

# Headers the view set that belong to the page (content type, CORS); everything else is
# added per request by the middleware after the view (security headers, CSP, cookies).
KEPT_HEADERS = ("Content-Type", "Access-Control-Allow-Origin", "Content-Language")


def _generation_key(namespace: str) -> str:
    return f"public-cache:{namespace}:generation"


def public_pages_changed(namespace: str) -> None:
    """Forget every kept page of `namespace` (a new generation makes their keys unreachable;
    they expire on their own)."""
    cache.set(_generation_key(namespace), secrets.token_hex(8), None)


def generation(namespace: str) -> str:
    """The namespace's current generation: part of every key of what it keeps."""
    key = _generation_key(namespace)
    generation: str | None = cache.get(key)
    if generation is None:
        generation = secrets.token_hex(8)
        # add(), not set(): two workers starting at once agree on one generation.
        if not cache.add(key, generation, None):
            generation = cache.get(key) or generation
    return generation


def _anonymous(request: HttpRequest) -> bool:
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and getattr(settings, "MESSAGES_COOKIE_NAME", "messages") not in request.COOKIES
    )


def _keepable(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def public_page_cached(namespace: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Keep this view's anonymous GET responses (see the module's notes)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            seconds = settings.FAMILYREACH_PUBLIC_CACHE_SECONDS
            if not seconds or request.method != "GET" or not _anonymous(request):
                return view(request, *args, **kwargs)
            address = f"{request.path}?{request.META.get('QUERY_STRING', '')}"
            digest = hashlib.sha256(address.encode()).hexdigest()
            today = timezone.localdate().isoformat()
            key = f"public-cache:{namespace}:{generation(namespace)}:{today}:{digest}"
            kept: tuple[bytes, str, dict[str, str]] | None = caches["public"].get(key)
            if kept is not None:
                return _replay(request, *kept)
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()  # a TemplateResponse or DRF Response
            if _keepable(response):
                nonce = get_nonce(request)
                headers = {name: response[name] for name in KEPT_HEADERS if name in response}
                kept = (response.content, str(nonce) if nonce else "", headers)
                caches["public"].set(key, kept, seconds)
            return response

        return wrapped

    return decorate


def _replay(request: HttpRequest, content: bytes, nonce: str, headers: dict[str, str]) -> Any:
    if nonce:
        # str() generates this request's nonce, which the CSP middleware then puts in the
        # header; the page must name the same one.
        fresh = str(get_nonce(request))
        content = content.replace(nonce.encode(), fresh.encode())
    response = HttpResponse(content, headers=headers)
    response["X-Familyreach-Cache"] = "hit"
    return response
