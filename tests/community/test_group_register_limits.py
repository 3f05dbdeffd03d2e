"""The public group registration form: uploads are PDFs or pictures by their content, at most
5MB each, and one address (and all addresses together) can send only so many."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from familyreach.community.models import CommunityGroup
from familyreach.core.uploads import document_kind
from tests.fixtures.community import GROUP_REGISTRATION

pytestmark = pytest.mark.django_db

VALID = GROUP_REGISTRATION
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PDF, "PDF"),
        (PNG, "PNG"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "JPEG"),
        (b"GIF89a" + b"\x00" * 20, "GIF"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "WebP"),
        (b"MZ\x90\x00" + b"\x00" * 20, None),  # a Windows program
        (b"<html><script>alert(1)</script>", None),
        (b"PK\x03\x04" + b"\x00" * 20, None),  # an office document or a zip
    ],
)
def test_the_kind_is_told_by_the_first_bytes(content: bytes, kind: str | None) -> None:
    assert document_kind(SimpleUploadedFile("x.pdf", content, "application/pdf")) == kind


def _post(client: Client, **files: Any) -> Any:
    return client.post("/community-groups/register", {**VALID, **files})


def test_a_program_named_pdf_is_refused_and_nothing_saved(
    client: Client, community_geography: Any
) -> None:
    program = SimpleUploadedFile("policy.pdf", b"MZ\x90\x00" + b"\x00" * 100, "application/pdf")
    response = _post(client, policy_file=program)
    assert response.status_code == 400
    assert "The file must be a PDF or a picture" in response.content.decode()
    assert not CommunityGroup.objects.exists()


def test_a_real_pdf_and_picture_are_taken(client: Client, community_geography: Any) -> None:
    response = _post(
        client,
        policy_file=SimpleUploadedFile("policy.pdf", PDF, "application/pdf"),
        insurance_file=SimpleUploadedFile("insurance.png", PNG, "image/png"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    group = CommunityGroup.objects.get()
    assert group.policy_file.read().startswith(b"%PDF-")


def test_an_oversized_file_is_refused(client: Client, community_geography: Any) -> None:
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (5 * 1024 * 1024), "application/pdf")
    response = _post(client, policy_file=big)
    assert response.status_code == 400
    assert "smaller than 5MB" in response.content.decode()


def test_a_body_larger_than_two_documents_is_refused_before_reading(
    client: Client, community_geography: Any
) -> None:
    response = client.generic(
        "POST",
        "/community-groups/register",
        data=b"x" * 100,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(12 * 1024 * 1024),
    )
    assert response.status_code == 400
    assert not CommunityGroup.objects.exists()


@override_settings(FAMILYREACH_RATE_LIMITS={"group-register": (2, 3600)})
def test_one_address_may_register_only_so_many(client: Client, community_geography: Any) -> None:
    for _ in range(2):
        client.post("/community-groups/register", {"name": "x"})
    response = client.post("/community-groups/register", {"name": "x"})
    assert response.status_code == 429


@override_settings(
    FAMILYREACH_RATE_LIMITS={"group-register": (100, 3600)},
    FAMILYREACH_RATE_LIMITS_ALL_ADDRESSES={"group-register": 3},
)
def test_many_addresses_together_meet_a_ceiling(community_geography: Any) -> None:
    statuses = [
        Client(REMOTE_ADDR=f"203.0.113.{n}")
        .post("/community-groups/register", {"name": "x"})
        .status_code
        for n in range(1, 6)
    ]
    assert statuses == [400, 400, 400, 429, 429]
