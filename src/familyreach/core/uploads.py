"""Files the public may upload (a group's insurance certificate, its safeguarding policy):
PDF or an image, told by the file's first bytes, never by its name or the browser's word.

A name ending .pdf and a Content-Type of application/pdf are whatever the sender says; the first
bytes are what a viewer will open. Anything else (an executable, an HTML page that would run in
our origin if served back, an office document with macros) is refused with a clear message.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024

# (kind, the bytes a file of that kind starts with, where they sit)
_SIGNATURES: tuple[tuple[str, bytes, int], ...] = (
    ("PDF", b"%PDF-", 0),
    ("PNG", b"\x89PNG\r\n\x1a\n", 0),
    ("JPEG", b"\xff\xd8\xff", 0),
    ("GIF", b"GIF87a", 0),
    ("GIF", b"GIF89a", 0),
    ("WebP", b"WEBP", 8),  # RIFF....WEBP
)


def document_kind(upload: UploadedFile) -> str | None:
    """ "PDF", "PNG", "JPEG", "GIF" or "WebP" from the file's first bytes; None for anything else."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for kind, signature, offset in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            if kind == "WebP" and not head.startswith(b"RIFF"):
                continue
            return kind
    return None


def validate_document(upload: UploadedFile, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> str:
    """The kind of an acceptable upload, or a ValidationError saying what is wrong."""
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(f"The file must be smaller than {max_bytes // (1024 * 1024)}MB")
    if upload.size == 0:
        raise ValidationError("The file is empty")
    kind = document_kind(upload)
    if kind is None:
        raise ValidationError("The file must be a PDF or a picture (JPG, PNG, GIF or WebP)")
    return kind
