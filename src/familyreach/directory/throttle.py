"""A simple limit on how often one client address may send the request-for-support form, so
a script cannot flood the triage queue. Counted in Django's cache: with the default
local-memory cache each worker process counts on its own (so the effective limit is the limit
times the number of workers); a shared cache makes it exact.

The address is the one django-axes uses (its proxy settings apply), not a raw header.
"""

import hashlib

from axes.helpers import get_client_ip_address
from django.core.cache import cache
from django.http import HttpRequest

REQUEST_SUPPORT_LIMIT = 10
REQUEST_SUPPORT_WINDOW_SECONDS = 60 * 60


def request_support_post_allowed(request: HttpRequest) -> bool:
    """Count this POST; False once the address has sent more than the limit in the window."""
    address = get_client_ip_address(request) or "unknown"
    key = "directory:request-support-posts:" + hashlib.sha256(address.encode()).hexdigest()
    cache.add(key, 0, REQUEST_SUPPORT_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, REQUEST_SUPPORT_WINDOW_SECONDS)
        count = 1
    return count <= REQUEST_SUPPORT_LIMIT
