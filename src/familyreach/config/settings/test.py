"""The test suite: SQLite in memory unless DATABASE_URL points at PostgreSQL."""

from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = False
DEMO_MODE = False
SECRET_KEY = "test-only-secret-key-not-for-any-deployment-0123456789"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run where they are enqueued, so tests see their results at once.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
if not env.str("DATABASE_URL", default=""):
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
# Static files come from the app folders (finders); there is no collected STATIC_ROOT.
STATIC_ROOT = None
# Tests see every write at once; the page cache tests turn it on themselves
# (tests/core/test_http_caching.py, tests/directory/test_public_page_cache.py).
FAMILYREACH_PUBLIC_CACHE_SECONDS = 0
