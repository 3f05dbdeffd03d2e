"""The managers' messages page: what has not gone, why, and a way to send it again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from familyreach.core.audit import record_access
from familyreach.outbox import selectors, services
from familyreach.outbox.models import OutboundMessage


@login_required
@require_GET
def message_list(request: HttpRequest) -> HttpResponse:
    if not selectors.user_may_manage_messages(request.user):
        raise PermissionDenied("Only service managers see messages: they hold family data.")
    problems = list(selectors.messages_needing_attention())
    # Each message shown (to whom, what it says) is a read of family data: logged.
    for message in problems:
        record_access(instance=message, user=request.user)
    return render(
        request,
        "outbox/message_list.html",
        {"problems": problems, "counts": selectors.message_counts()},
    )


@login_required
@require_POST
def message_retry(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        message = services.message_retry(message_id=message_id, user=request.user)
    except OutboundMessage.DoesNotExist as missing:
        raise Http404("No such message.") from missing
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Message to {message.to} will be sent again now.")
    return HttpResponseRedirect(reverse("outbox:list"))
