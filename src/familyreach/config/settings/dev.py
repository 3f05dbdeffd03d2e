"""Local development and the demo: SQLite in `var/`, demo accounts on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=False)
DEMO_MODE = env.bool("FAMILYREACH_DEMO_MODE", default=True)
# Serve static files straight from the app folders, so the demo needs no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# The demo serves static files from the app folders; `collectstatic` is for production only.
STATIC_ROOT = None
