from collections.abc import Iterator
from typing import Any

import pytest

from tests.outbox.notify_server import FakeNotify, fake_notify


@pytest.fixture
def notify_api(settings: Any) -> Iterator[FakeNotify]:
    """A local GOV.UK Notify, and settings that send to it with a key it accepts."""
    with fake_notify() as notify:
        settings.NOTIFY_API_KEY = notify.api_key
        settings.NOTIFY_BASE_URL = notify.url
        settings.NOTIFY_TIMEOUT_SECONDS = 5.0
        settings.NOTIFY_EMAIL_TEMPLATE_ID = next(
            t for t, k in notify.templates.items() if k == "email"
        )
        settings.NOTIFY_SMS_TEMPLATE_ID = next(t for t, k in notify.templates.items() if k == "sms")
        yield notify
