"""Reading what people type and send, so that no input turns into a server error.

`str.isdigit()` is true for "²" and "①", which `int()` refuses; ids in query strings and forms
can be anything; PostgreSQL refuses text holding NUL. These helpers turn such input into
"not found" or "not a number" instead of an exception deep in the ORM.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404 as django_get_object_or_404

# A whole number people might mean: ASCII digits only, and short enough for any integer column
# (PostgreSQL's bigint holds 19 digits).
MAX_DIGITS = 18


def whole_number(text: object) -> int | None:
    """`text` as a non-negative whole number, or None when it is not one (Unicode digits such
    as "²", signs, blanks, or more digits than any column holds)."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text or len(text) > MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def uk_phone(text: str) -> str:
    """A UK phone number as typed (a landline or a mobile; spaces and +44 allowed), stripped;
    blank stays blank. Anything else is a ValidationError with the message forms show."""
    phone = text.strip()
    digits = phone.replace(" ", "").replace("+44", "0")
    if phone and (not digits.isdigit() or not 10 <= len(digits) <= 11):
        raise ValidationError("Enter a UK phone number, like 01603 223000 or 07700 900982")
    return phone


def get_object_or_404(klass: Any, *args: Any, **kwargs: Any) -> Any:
    """Django's `get_object_or_404`, with a malformed key ("abc" for a number or a UUID, a number
    too large for the column) answered as not found rather than a server error."""
    try:
        return django_get_object_or_404(klass, *args, **kwargs)
    except (ValueError, ValidationError, OverflowError, TypeError) as error:
        raise Http404("No such record.") from error


def has_nul(request: HttpRequest) -> bool:
    """Whether any query or form value or name carries a NUL character.

    Multipart bodies (file uploads) are left to the view: reading them here would store every
    upload before the view can refuse an oversized one, and Django's form fields refuse NUL."""
    sources = [request.GET]
    if request.content_type == "application/x-www-form-urlencoded":
        sources.append(request.POST)
    for data in sources:
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    return "\x00" in request.path


API_PREFIX = "/openreferral"


class RejectNulMiddleware:
    """Answers 400 to a request whose parameters hold NUL: no person types one, PostgreSQL
    cannot store or compare one, and refusing it here spares every view from checking."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The Open Referral API validates its own parameters and answers in JSON, naming the
        # parameter, as its OpenAPI document promises.
        if not request.path.startswith(API_PREFIX) and has_nul(request):
            # BadRequest is answered by the project's 400 page (handler400).
            raise BadRequest("The request held a character that is not allowed (NUL).")
        response: HttpResponse = self.get_response(request)
        return response


# The largest value PostgreSQL's bigint (and SQLite's integer) holds. Django's `int` path
# converter takes any run of digits, and a lookup with a larger one fails in the database driver
# (OverflowError) rather than finding nothing.
LARGEST_ID = 2**63 - 1


class OutOfRangeIdMiddleware:
    """Answers 404 to a URL whose whole-number part is larger than any id can be: no record has
    it, and the view's query would fail before it could say so."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Any,
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not -LARGEST_ID <= value <= LARGEST_ID:
                raise Http404("No such record.")
