"""Production: every secret comes from the environment, and nothing insecure is defaulted.

A missing required variable stops start-up with a message naming it, so a bad deploy fails
at once rather than running with a guessable key or the wrong database.
"""

import re

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import REPLICA_DATABASES, env

REQUIRED_VARIABLES = (
    "SECRET_KEY",
    "DATABASE_URL",
    "ALLOWED_HOSTS",
    # Messages: without a Notify key and its templates nothing can be sent, and
    # without the two addresses safeguarding concerns and expiry warnings would go to the
    # example addresses in base.py. docs/runbooks/messages.md.
    "NOTIFY_API_KEY",
    "NOTIFY_EMAIL_TEMPLATE_ID",
    "NOTIFY_SMS_TEMPLATE_ID",
    "FAMILYREACH_DUTY_SAFEGUARDING_EMAIL",
    "FAMILYREACH_VOLUNTEER_COORDINATOR_EMAIL",
)
_missing = [name for name in REQUIRED_VARIABLES if not env.str(name, default="")]
if _missing:
    raise ImproperlyConfigured(
        "familyreach production settings need these environment variables: "
        + ", ".join(_missing)
        + ". See sample.env and docs/runbooks/deploy-postgresql.md."
    )

DEBUG = False
DEMO_MODE = False
SECRET_KEY = env.str("SECRET_KEY")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure"):
    raise ImproperlyConfigured("SECRET_KEY must be a random value of at least 50 characters.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": env.db_url("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# The read replica (DATABASE_REPLICA_URL), when there is one: base.py adds the router.
DATABASES.update({alias: dict(replica) for alias, replica in REPLICA_DATABASES.items()})
for _replica in REPLICA_DATABASES:
    DATABASES[_replica]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A Notify key is "{key name}-{service id}-{secret}", both ids UUIDs; the client reads them
# from the end of the key, so a truncated or pasted-wrong key fails here, not at the first send.
_notify_key = env.str("NOTIFY_API_KEY")
if not re.fullmatch(r".+-[0-9a-f-]{36}-[0-9a-f-]{36}", _notify_key):
    raise ImproperlyConfigured(
        "NOTIFY_API_KEY is not a GOV.UK Notify API key (name-serviceid-secret). "
        "See docs/runbooks/messages.md."
    )
REQUIRE_TWO_FACTOR = env.bool("FAMILYREACH_REQUIRE_TWO_FACTOR", default=True)
# A production service runs `familyreach worker`: without its heartbeat /healthz answers 503.
FAMILYREACH_SCHEDULER_REQUIRED = env.bool("FAMILYREACH_SCHEDULER_REQUIRED", default=True)

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
