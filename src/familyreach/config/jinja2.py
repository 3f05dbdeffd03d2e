"""The Jinja2 environment for our pages: GOV.UK Frontend macros plus Django's helpers."""

from typing import Any

from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader

from familyreach.core.formats import localtime
from familyreach.web.maps import map_attributes


def url(viewname: str, *args: Any, **kwargs: Any) -> str:
    """`url("geo:areas")` in a template, like Django's `{% url %}`."""
    return reverse(viewname, args=args or None, kwargs=kwargs or None)


def field_error(form: Any, name: str) -> dict[str, str] | None:
    """The GOV.UK `errorMessage` for one field of a bound Django form, or None."""
    if not form or name not in form.fields or not form[name].errors:
        return None
    return {"text": str(form[name].errors[0])}


def error_items(form: Any) -> list[dict[str, str]]:
    """The GOV.UK error summary list for a bound Django form, each linking to its field."""
    anchor = getattr(form, "error_anchor", "main-content")
    items = [{"text": str(error), "href": f"#{anchor}"} for error in form.non_field_errors()]
    for field in form:
        items.extend(
            {"text": str(error), "href": f"#{field.id_for_label}"} for error in field.errors
        )
    return items


def referral_can_refer(user: Any, service: Any) -> bool:
    """Whether the signed-in user may refer a family to `service` (the "Refer a family" action
    on a service page). Wired here so that the directory never imports referrals."""
    from familyreach.referrals.selectors import user_can_refer_to_service

    return user_can_refer_to_service(user=user, service=service)


def service_booking_dates(service: Any) -> list[Any]:
    """The next dates to book of a directory listing that is one of our sessions, for the
    service page's "Book a place" block. Wired here, not imported by the directory, because
    delivery publishes into the directory and never the other way round."""
    from familyreach.delivery.selectors import service_bookable_occurrences

    return service_bookable_occurrences(
        source=service.source, source_reference=service.source_reference
    )


def services_with_booking(service_ids: list[Any]) -> dict[str, int]:
    """{service id: session id} for /find cards whose listing has dates to book online."""
    from familyreach.delivery.selectors import services_with_booking as bookable

    return bookable(service_ids=list(service_ids))


def environment(**options: Any) -> Environment:
    # Django passes a FileSystemLoader over every app's `jinja2/` folder; we put the GOV.UK
    # Frontend macros beside it under their documented prefix.
    app_loader = options.pop("loader", None) or FileSystemLoader(options.pop("searchpath", []))
    options["loader"] = ChoiceLoader(
        [
            app_loader,
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    options.setdefault("extensions", []).append("jinja2.ext.do")
    env = Environment(**options)  # noqa: S701 (autoescape is on in settings.TEMPLATES)
    env.globals.update(
        {
            "static": static,
            "url": url,
            "get_messages": messages.get_messages,
            "field_error": field_error,
            "error_items": error_items,
            "referral_can_refer": referral_can_refer,
            "service_booking_dates": service_booking_dates,
            "services_with_booking": services_with_booking,
            "map_attributes": map_attributes,
        }
    )
    env.filters.update({"intcomma": intcomma, "localtime": localtime})
    # How listings read wherever they are shown (directory/presentation.py).
    from familyreach.directory import presentation

    env.filters.update(
        {
            "description_paragraphs": presentation.description_paragraphs,
            "address_lines": presentation.address_lines,
        }
    )
    return env
