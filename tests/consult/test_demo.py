"""The demo consultation: simulated responses, labelled so, and safe to load twice."""

import io
from typing import Any

import pytest
from django.test import Client

from familyreach.consult import demo
from familyreach.consult.models import Consultation, Response

pytestmark = pytest.mark.django_db


def test_demo_loads_once_with_simulated_labelled_responses(
    monkeypatch: pytest.MonkeyPatch, consult_places: dict[str, Any], manager: Any
) -> None:
    monkeypatch.setattr(demo, "SIMULATED_RESPONSES", 12)
    out = io.StringIO()
    demo.load(out)
    demo.load(out)
    assert "already loaded" in out.getvalue()
    consultation = Consultation.objects.get(slug=demo.SLUG)
    assert consultation.is_simulated
    assert [option.title for option in consultation.options.all()] == [
        title for title, _summary, _text in demo.OPTIONS
    ]
    responses = Response.objects.filter(consultation=consultation)
    assert responses.count() == 12 + 3  # plus the burst of copies that shows the flags
    assert all(response.is_simulated for response in responses)
    assert responses.filter(flags__isnull=False).exists()
    client = Client()
    assert "Simulated" in client.get(f"/consultations/{demo.SLUG}/").content.decode()
    client.force_login(manager)
    analysis = client.get(f"/staff/consultations/{demo.SLUG}/").content.decode()
    assert "are simulated demo data" in analysis
