"""Production settings served over plain http on 127.0.0.1: `make test-stack` only.

Everything else is production's (required variables, DEBUG off, the shared cache from
CACHE_URL). A loopback stack has no TLS in front of it, so cookies must travel over http and
nothing may redirect to https; never use this module for a real deployment.
"""

from .production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
