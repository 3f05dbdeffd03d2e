"""A limit on how often one address may send a public form (booking a place, asking for
support), so a script cannot fill sessions or the triage queue. `client_address` is also the
address django-axes locks out after failed sign-ins (AXES_CLIENT_IP_CALLABLE). GOV.UK services use a limit
like this rather than a CAPTCHA, which many disabled people cannot pass.

Counts live in Django's cache (a fixed window per address and form). The default local-memory
cache counts per process: in production with several worker processes, point
`FAMILYREACH_RATE_LIMIT_CACHE` at a shared cache (the database cache after
`familyreach createcachetable`, or Redis) so the limit holds across them.
"""

import hashlib
import ipaddress
import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)


def client_address_or_none(request: HttpRequest) -> str | None:
    """The sender's address: REMOTE_ADDR, or behind a trusted proxy the address it added to
    X-Forwarded-For (the last `FAMILYREACH_TRUSTED_PROXY_HOPS` entries are our proxies).
    None when the request carries none (a sign-in made in code); django-axes stores it in an
    IP address column, so it must be a real address or nothing."""
    hops = settings.FAMILYREACH_TRUSTED_PROXY_HOPS
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return address_group(chain[-hops])
    address = request.META.get("REMOTE_ADDR")
    return address_group(str(address)) if address else None


def address_group(address: str) -> str | None:
    """An IPv4 address as it is; an IPv6 address as its /64 network; None for anything that is
    not an address (a forged X-Forwarded-For). One home or phone is given a whole /64 and may
    use any address in it, so counting single IPv6 addresses would give each device billions
    of fresh starts."""
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:  # ::ffff:a.b.c.d is an IPv4 sender
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def client_address(request: HttpRequest) -> str:
    return client_address_or_none(request) or "unknown"


def seconds_to_wait(request: HttpRequest, *, scope: str) -> int | None:
    """Count one attempt at `scope`, from this address and from all addresses together; None
    while within both limits, else the seconds until the window resets."""
    count_allowed, window = settings.FAMILYREACH_RATE_LIMITS[scope]
    ceiling = settings.FAMILYREACH_RATE_LIMITS_ALL_ADDRESSES.get(scope)
    now = time.time()
    slot = int(now // window)
    # Hashed: the cache (possibly shared, possibly the database) never holds addresses.
    address = hashlib.sha256(client_address(request).encode()).hexdigest()
    from_address = _count(f"ratelimit:{scope}:{address}:{slot}", window)
    from_everyone = _count(f"ratelimit:{scope}:all:{slot}", window) if ceiling else 0
    if ceiling and from_everyone > ceiling:
        if from_everyone == ceiling + 1:
            logger.error(
                "rate limit: %s reached its ceiling of %s from all addresses in %s seconds",
                scope,
                ceiling,
                window,
            )
        return max(int(window - now % window), 1)
    if from_address > count_allowed:
        return max(int(window - now % window), 1)
    return None


def _count(key: str, window: int) -> int:
    cache = caches[settings.FAMILYREACH_RATE_LIMIT_CACHE]
    cache.add(key, 0, timeout=window)
    try:
        return int(cache.incr(key))
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def rate_limited(
    scope: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit a view's POSTs (reading the form is never limited)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                wait = seconds_to_wait(request, scope=scope)
                if wait is not None:
                    response = render(
                        request,
                        "web/429.html",
                        {"minutes": max(1, -(-wait // 60))},
                        status=429,
                    )
                    response["Retry-After"] = str(wait)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
