"""Public consultation pages and the staff analysis. Views validate, call one service or
selector, and render; the rules live in services.py and selectors.py."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familyreach.consult import exports, journey, selectors, services
from familyreach.consult.equality import EQUALITY_QUESTIONS
from familyreach.consult.forms import (
    CodeForm,
    DecisionForm,
    PaperReceivedForm,
    ResponseForm,
    ReturnLinkForm,
)
from familyreach.consult.models import (
    Answer,
    Code,
    Consultation,
    ConsultationStatus,
    Question,
    QuestionKind,
    Response,
    ResponseFlag,
)
from familyreach.consult.redaction import redact_personal_details
from familyreach.consult.services import ResponseData
from familyreach.core.audit import BULK_EXPORT, record_action
from familyreach.core.input import get_object_or_404
from familyreach.core.ratelimit import rate_limited
from familyreach.planning.outputs import run_geojson

CONFIRMATION_SESSION_KEY = "consult_confirmed_reference"


def _client_address(request: HttpRequest) -> str:
    # Behind the council's proxy the deployment sets REMOTE_ADDR correctly (see the runbook);
    # we never trust X-Forwarded-For ourselves, since a sender could forge it to dodge the flags.
    return str(request.META.get("REMOTE_ADDR", ""))


# --- Public ------------------------------------------------------------------------------


@require_GET
def consultation_list(request: HttpRequest) -> HttpResponse:
    consultations = list(selectors.consultation_list_public())
    now = timezone.now()
    return render(
        request,
        "consult/list.html",
        {
            "open_consultations": [c for c in consultations if c.is_open(now)],
            "upcoming": [c for c in consultations if c.opens_at > now and not c.is_open(now)],
            "closed": [c for c in consultations if c.has_closed(now)],
        },
    )


def _form_context(
    consultation: Consultation, questions: list[Question], form: ResponseForm
) -> dict[str, Any]:
    sections: list[tuple[str, list[tuple[Question, str]]]] = []
    for question in questions:
        entry = (question, form.field_name_for(question))
        if sections and sections[-1][0] == question.section:
            sections[-1][1].append(entry)
        else:
            sections.append((question.section, [entry]))
    return {
        "consultation": consultation,
        "form": form,
        "sections": sections,
        "equality_questions": EQUALITY_QUESTIONS,
        "QuestionKind": QuestionKind,
        "options": selectors.option_results(consultation=consultation),
    }


# --- The response journey: start page, question pages, check answers, save and return ----
#
# Progress lives server-side in a draft Response; the respondent's session holds only its id
# (and, until the response is sent, the equality answers, which never go on a draft: see
# EqualityMonitoring). A return link puts a draft back into whichever session opens it.


def _draft_key(consultation: Consultation) -> str:
    return f"consult_draft:{consultation.pk}"


def _equality_key(consultation: Consultation) -> str:
    return f"consult_equality:{consultation.pk}"


def _session_draft(request: HttpRequest, consultation: Consultation) -> Response | None:
    draft_id = request.session.get(_draft_key(consultation))
    if not isinstance(draft_id, int):
        return None
    return selectors.draft_for_session(consultation=consultation, response_id=draft_id)


def _session_data(
    request: HttpRequest, consultation: Consultation, draft: Response | None
) -> ResponseData:
    """Everything given so far: the draft's answers and the session's equality answers."""
    data = journey.draft_data(draft) if draft else ResponseData()
    equality = request.session.get(_equality_key(consultation))
    data.equality = dict(equality) if isinstance(equality, dict) else {}
    return data


def _closed(request: HttpRequest, consultation: Consultation) -> HttpResponse | None:
    """The start page with the reason, when the consultation takes no responses now."""
    try:
        services.consultation_check_open(consultation=consultation)
    except services.ConsultationNotOpen as closed:
        return render(
            request,
            "consult/detail.html",
            {
                "consultation": consultation,
                "options": selectors.option_results(consultation=consultation),
                "closed_message": closed.message,
            },
            status=403 if request.method == "POST" else 200,
        )
    return None


def _page_url(consultation: Consultation, page: journey.QuestionPage, *, change: bool) -> str:
    url = reverse("consult:respond", args=[consultation.slug, page.slug])
    return f"{url}?return=check" if change else url


@never_cache
@require_http_methods(["GET", "POST"])
def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The start page: the proposal, its options and "Start now" into the question pages.

    This address used to hold the whole form on one page. A POST from that old form (a page
    left open in a browser) comes back here as a GET: the questions now start from here.
    """
    consultation = selectors.consultation_get_public(slug=slug)
    if request.method == "POST":
        return HttpResponseRedirect(reverse("consult:detail", args=[slug]), status=303)
    closed = _closed(request, consultation)
    if closed is not None:
        return closed
    pages = journey.journey_pages(selectors.questions_for(consultation))
    draft = _session_draft(request, consultation)
    return render(
        request,
        "consult/detail.html",
        {
            "consultation": consultation,
            "options": selectors.option_results(consultation=consultation),
            "start_url": reverse("consult:respond", args=[slug, pages[0].slug]),
            "continue_url": reverse("consult:check", args=[slug]) if draft else "",
        },
    )


def _page_form(
    consultation: Consultation,
    page: journey.QuestionPage,
    *,
    data: Any = None,
    initial: dict[str, Any] | None = None,
    for_draft: bool = False,
) -> ResponseForm:
    return ResponseForm(
        data,
        initial=initial,
        consultation=consultation,
        questions=list(page.questions),
        for_draft=for_draft,
        include_consent=page.has_consent,
        include_equality=page.has_equality,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def respond_page(request: HttpRequest, slug: str, page_slug: str) -> HttpResponse:
    """One question page. "Continue" checks this page's answers and saves them to the draft;
    "Save and come back later" saves what is valid so far and offers a return link."""
    consultation = selectors.consultation_get_public(slug=slug)
    closed = _closed(request, consultation)
    if closed is not None:
        return closed
    questions = selectors.questions_for(consultation)
    pages = journey.journey_pages(questions)
    page = journey.page_find(pages, page_slug)
    if page is None:
        raise Http404("No such question page")
    changing = (request.POST if request.method == "POST" else request.GET).get("return") == "check"
    if request.method == "POST":
        saving = request.POST.get("action") == "save"
        form = _page_form(consultation, page, data=request.POST, for_draft=saving)
        if form.is_valid():
            draft = _session_draft(request, consultation)
            data = journey.data_merge(
                saved=_session_data(request, consultation, draft),
                page=page,
                given=form.to_response_data(),
            )
            if page.has_equality:
                request.session[_equality_key(consultation)] = data.equality
            if not page.has_equality or (saving and draft is None):
                try:
                    draft = services.response_save_draft(
                        consultation=consultation, data=data, response=draft
                    )
                except services.ConsultationNotOpen:
                    return _closed(request, consultation) or HttpResponse(status=403)
                request.session[_draft_key(consultation)] = draft.pk
            if saving:
                save_url = reverse("consult:save", args=[slug])
                return HttpResponseRedirect(f"{save_url}?page={page.slug}")
            following = None if changing else journey.page_after(pages, page)
            if following is None:
                return HttpResponseRedirect(reverse("consult:check", args=[slug]))
            return HttpResponseRedirect(_page_url(consultation, following, change=False))
    else:
        data = _session_data(request, consultation, _session_draft(request, consultation))
        form = _page_form(consultation, page, initial=journey.form_data(data, questions))
    previous = journey.page_before(pages, page)
    if changing:
        back_url = reverse("consult:check", args=[slug])
    elif previous is None:
        back_url = reverse("consult:detail", args=[slug])
    else:
        back_url = _page_url(consultation, previous, change=False)
    return render(
        request,
        "consult/question_page.html",
        {
            "consultation": consultation,
            "page": page,
            "form": form,
            "fields": [(question, journey.field_name(question)) for question in page.questions],
            "back_url": back_url,
            "changing": changing,
            "equality_questions": EQUALITY_QUESTIONS,
            "QuestionKind": QuestionKind,
            "options": journey.options_asked_about(page, list(consultation.options.all())),
        },
        status=400 if form.errors else 200,
    )


def _answer_rows(
    consultation: Consultation, pages: list[journey.QuestionPage], data: ResponseData
) -> list[tuple[journey.QuestionPage, list[dict[str, Any]]]]:
    """For "Check your answers": each page with its questions, answers and Change links."""
    sections = []
    for page in pages:
        change_url = _page_url(consultation, page, change=True)
        rows: list[dict[str, Any]] = []
        for question in page.questions:
            rows.append(
                {
                    "key": question.text,
                    "values": journey.answer_labels(question, data),
                    "href": f"{change_url}#{journey.field_name(question)}",
                }
            )
        if page.has_consent:
            rows.append(
                {
                    "key": "Can we publish your response, without personal details?",
                    "values": ["Yes" if data.consent_to_publish else "No"],
                    "href": f"{change_url}#consent_to_publish",
                }
            )
            rows.append(
                {
                    "key": "Can we quote you, without naming you, in the council’s report?",
                    "values": ["Yes" if data.consent_to_quote else "No"],
                    "href": f"{change_url}#consent_to_publish",
                }
            )
        if page.has_equality:
            for key, text, choices in EQUALITY_QUESTIONS:
                value = data.equality.get(key, "")
                rows.append(
                    {
                        "key": text,
                        "values": [dict(choices).get(value, value)] if value else [],
                        "href": f"{change_url}#equality_{key}",
                    }
                )
        sections.append((page, rows))
    return sections


@never_cache
@require_http_methods(["GET", "POST"])
def respond_check(request: HttpRequest, slug: str) -> HttpResponse:
    """Check your answers, with a Change link for each, then send. Sending checks the whole
    response again (a page may have been skipped) and names any page still to answer."""
    consultation = selectors.consultation_get_public(slug=slug)
    closed = _closed(request, consultation)
    if closed is not None:
        return closed
    questions = selectors.questions_for(consultation)
    pages = journey.journey_pages(questions)
    draft = _session_draft(request, consultation)
    if draft is None:
        return HttpResponseRedirect(_page_url(consultation, pages[0], change=False))
    data = _session_data(request, consultation, draft)
    form = ResponseForm(
        journey.form_data(data, questions), consultation=consultation, questions=questions
    )
    problems: list[dict[str, str]] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                response = services.response_submit(
                    consultation=consultation,
                    data=form.to_response_data(),
                    response=draft,
                    source_address=_client_address(request),
                )
            except services.ConsultationNotOpen:
                return _closed(request, consultation) or HttpResponse(status=403)
            request.session.pop(_draft_key(consultation), None)
            request.session.pop(_equality_key(consultation), None)
            request.session[CONFIRMATION_SESSION_KEY] = response.reference
            return HttpResponseRedirect(reverse("consult:confirmation", args=[slug]))
        for name, errors in form.errors.items():
            page = journey.page_for_field(pages, name)
            for error in errors:
                problems.append(
                    {
                        "text": str(error),
                        "href": (_page_url(consultation, page, change=True) + f"#{name}")
                        if page
                        else "#main-content",
                    }
                )
    return render(
        request,
        "consult/check_answers.html",
        {
            "consultation": consultation,
            "sections": _answer_rows(consultation, pages, data),
            "problems": problems,
            "back_url": _page_url(consultation, pages[-1], change=False),
        },
        status=400 if problems else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("consult-return-link")
def respond_save(request: HttpRequest, slug: str) -> HttpResponse:
    """After "Save and come back later": the answers are saved; ask for a return link, to be
    shown and, if the respondent gives an email address, emailed (the address is not kept)."""
    consultation = selectors.consultation_get_public(slug=slug)
    closed = _closed(request, consultation)
    if closed is not None:
        return closed
    pages = journey.journey_pages(selectors.questions_for(consultation))
    source = request.POST if request.method == "POST" else request.GET
    page = journey.page_find(pages, source.get("page", "")) or pages[0]
    draft = _session_draft(request, consultation)
    if draft is None:
        return HttpResponseRedirect(_page_url(consultation, page, change=False))
    form = ReturnLinkForm(request.POST or None)
    context: dict[str, Any] = {
        "consultation": consultation,
        "form": form,
        "page": page,
        "continue_url": _page_url(consultation, page, change=False),
        "link_days": services.return_link_days(),
    }
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            token = services.response_return_link_issue(response=draft, page=page.slug, email=email)
        except services.ConsultationNotOpen:
            return _closed(request, consultation) or HttpResponse(status=403)
        draft.refresh_from_db(fields=["resume_token_expires_at"])
        context.update(
            {
                "resume_url": request.build_absolute_uri(
                    reverse("consult:resume", args=[slug, token])
                ),
                "emailed": bool(email),
                "expires_at": draft.resume_token_expires_at,
            }
        )
        return render(request, "consult/saved.html", context)
    return render(request, "consult/save.html", context, status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def resume(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """A return link: the draft goes into this browser's session and the respondent goes back
    to the page they saved on. The token leaves the address bar at once (redirect), so it is
    not kept in the history of a shared computer beyond this request. (A POST here comes from
    the old one-page form left open in a browser: it is answered as the link itself.)"""
    if request.method == "POST":
        return HttpResponseRedirect(request.path, status=303)
    consultation = selectors.consultation_get_public(slug=slug)
    closed = _closed(request, consultation)
    if closed is not None:
        return closed
    draft = services.response_get_draft(consultation=consultation, token=token)
    if draft is None:
        return render(
            request, "consult/resume_not_found.html", {"consultation": consultation}, status=404
        )
    request.session.cycle_key()  # a new session id for a session that now holds answers
    request.session[_draft_key(consultation)] = draft.pk
    request.session.pop(_equality_key(consultation), None)
    pages = journey.journey_pages(selectors.questions_for(consultation))
    page = journey.page_find(pages, draft.resume_page) or pages[0]
    return HttpResponseRedirect(_page_url(consultation, page, change=False))


@require_GET
def option_map(request: HttpRequest, slug: str, option_id: int) -> JsonResponse:
    """The public map of an option: the same GeoJSON the planners see (areas, bases, venues)."""
    consultation = selectors.consultation_get_public(slug=slug)
    run = selectors.option_run_for_public(consultation=consultation, option_id=option_id)
    return JsonResponse(run_geojson(run))


@never_cache
@require_GET
def confirmation(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_get_public(slug=slug)
    reference = request.session.get(CONFIRMATION_SESSION_KEY)
    if not reference:
        return HttpResponseRedirect(reverse("consult:detail", args=[slug]))
    return render(
        request, "consult/confirmation.html", {"consultation": consultation, "reference": reference}
    )


@require_GET
def published(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_get_public(slug=slug)
    paginator = Paginator(selectors.published_responses(consultation=consultation), 25)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "consult/published.html", {"consultation": consultation, "page": page})


@require_GET
def summary(request: HttpRequest, slug: str) -> HttpResponse:
    """We asked, you said, we did: public once the decision is recorded."""
    consultation = selectors.consultation_get_public(slug=slug)
    if consultation.status != ConsultationStatus.DECIDED:
        return render(
            request, "consult/summary_pending.html", {"consultation": consultation}, status=404
        )
    analysis = selectors.analysis_build(consultation=consultation)
    return render(
        request,
        "consult/summary.html",
        {
            "consultation": consultation,
            "analysis": analysis,
            "quotes": selectors.quotes_for(consultation=consultation, public_only=True),
        },
    )


# --- Staff ---------------------------------------------------------------------------------


@login_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    consultations = selectors.consultation_list_for_analyst(user=request.user)
    return render(request, "consult/staff/list.html", {"consultations": consultations})


def _exclude_flagged(request: HttpRequest) -> bool:
    return request.GET.get("flagged") == "exclude"


@login_required
@require_GET
def staff_analysis(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_get_for_analyst(user=request.user, slug=slug)
    exclude_flagged = _exclude_flagged(request)
    analysis = selectors.analysis_build(consultation=consultation, exclude_flagged=exclude_flagged)
    dimension = request.GET.get("by", "district")
    if dimension not in selectors.DIMENSIONS:
        dimension = "district"
    responses = selectors.responses_for_analysis(
        consultation=consultation, exclude_flagged=exclude_flagged
    )
    cross_tables = [
        selectors.question_cross_table(question, responses, dimension)
        for question, _table in analysis.question_tables
    ]
    return render(
        request,
        "consult/staff/analysis.html",
        {
            "consultation": consultation,
            "analysis": analysis,
            "cross_tables": cross_tables,
            "dimension": dimension,
            "dimensions": selectors.DIMENSIONS,
            "exclude_flagged": exclude_flagged,
            "equality_tables": selectors.equality_tables(consultation=consultation),
            "small_number": selectors.EQUALITY_SMALL_NUMBER,
        },
    )


@login_required
@require_GET
def staff_chart_data(request: HttpRequest, slug: str) -> JsonResponse:
    consultation = selectors.consultation_get_for_analyst(user=request.user, slug=slug)
    analysis = selectors.analysis_build(
        consultation=consultation, exclude_flagged=_exclude_flagged(request)
    )
    return JsonResponse({"charts": analysis.chart_data()})


@login_required
@require_GET
def staff_report(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_get_for_analyst(user=request.user, slug=slug)
    responses = selectors.responses_for_analysis(consultation=consultation)
    analysis = selectors.analysis_build(consultation=consultation, responses=responses)
    return render(
        request,
        "consult/staff/report.html",
        {
            "consultation": consultation,
            "analysis": analysis,
            "district_tables": [
                selectors.question_cross_table(question, responses, "district")
                for question, _t in analysis.question_tables
            ],
            "deprivation_tables": [
                selectors.question_cross_table(question, responses, "imd_decile")
                for question, _t in analysis.question_tables
            ],
            "quotes": selectors.quotes_for(consultation=consultation),
            "equality_tables": selectors.equality_tables(consultation=consultation),
            "small_number": selectors.EQUALITY_SMALL_NUMBER,
            "generated_at": timezone.now(),
        },
    )


@login_required
@require_GET
def staff_export_csv(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_get_for_analyst(user=request.user, slug=slug)
    record_action(
        instance=consultation,
        user=request.user,
        action=BULK_EXPORT,
        detail={"what": "responses, CSV"},
    )
    response = HttpResponse(exports.export_csv(consultation), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{consultation.slug}-responses.csv"'
    return response


@login_required
@require_GET
def staff_export_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_get_for_analyst(user=request.user, slug=slug)
    analysis = selectors.analysis_build(consultation=consultation)
    record_action(
        instance=consultation,
        user=request.user,
        action=BULK_EXPORT,
        detail={"what": "responses, Excel"},
    )
    response = HttpResponse(
        exports.export_xlsx(consultation, analysis),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{consultation.slug}-responses.xlsx"'
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def staff_paper(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff type in a paper response through the same questions, marked as paper."""
    consultation = selectors.consultation_get_for_analyst(user=request.user, slug=slug)
    questions = selectors.questions_for(consultation)
    received = PaperReceivedForm(request.POST or None)
    form = ResponseForm(request.POST or None, consultation=consultation, questions=questions)
    refusal = ""
    if request.method == "POST":
        form_ok = form.is_valid()
        received_ok = received.is_valid()
        if form_ok and received_ok:
            try:
                response = services.response_submit(
                    consultation=consultation,
                    data=form.to_response_data(),
                    entered_by=request.user,
                    received_on=received.cleaned_data["received_on"],
                )
            except services.ConsultationNotOpen as closed:
                refusal = closed.message
            except ValidationError as error:
                received.add_error("received_on_day", "; ".join(error.messages))
            else:
                messages.success(
                    request, f"Paper response saved with reference {response.reference}"
                )
                return HttpResponseRedirect(reverse("consult:staff-paper", args=[slug]))
    context = _form_context(consultation, questions, form)
    context.update({"received": received, "refusal": refusal, "paper": True})
    error_items = received.errors and [
        {"text": str(error), "href": "#received_on_day"}
        for error in received.errors.get("received_on_day", [])
    ]
    context["extra_errors"] = error_items or []
    status = 400 if (form.errors or received.errors or refusal) else 200
    return render(request, "consult/staff/paper.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def staff_coding(request: HttpRequest, slug: str) -> HttpResponse:
    """Define codes and tag free-text answers, with keyword suggestions."""
    consultation = selectors.consultation_get_for_analyst(user=request.user, slug=slug)
    code_form = CodeForm(request.POST or None)
    if request.method == "POST" and code_form.is_valid():
        try:
            services.code_create(
                consultation=consultation, user=request.user, **code_form.cleaned_data
            )
        except ValidationError as error:
            code_form.add_error("name", "; ".join(error.messages))
        else:
            messages.success(request, f"Code “{code_form.cleaned_data['name']}” added")
            return HttpResponseRedirect(request.get_full_path())
    free_text_questions = [
        question
        for question in selectors.questions_for(consultation)
        if question.kind == QuestionKind.FREE_TEXT
    ]
    question = None
    question_id = request.GET.get("question")
    if free_text_questions:
        question = next(
            (q for q in free_text_questions if str(q.pk) == question_id), free_text_questions[0]
        )
    codes = list(Code.objects.filter(consultation=consultation))
    page = None
    rows = []
    uncoded_only = request.GET.get("show") == "uncoded"
    if question is not None:
        paginator = Paginator(
            selectors.free_text_answers(
                consultation=consultation, question=question, uncoded_only=uncoded_only
            ),
            20,
        )
        page = paginator.get_page(request.GET.get("page"))
        rows = [(answer, selectors.suggested_codes(answer, codes)) for answer in page]
    return render(
        request,
        "consult/staff/coding.html",
        {
            "consultation": consultation,
            "form": code_form,
            "codes": codes,
            "questions": free_text_questions,
            "question": question,
            "page": page,
            "rows": rows,
            "uncoded_only": uncoded_only,
        },
        status=400 if code_form.errors else 200,
    )


def _answer_for(consultation: Consultation, answer_id: Any) -> Answer:
    return get_object_or_404(
        Answer.objects.select_related("response", "question"),
        pk=answer_id,
        response__consultation=consultation,
    )


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    # Only our own staff pages: never an address given by someone else.
    if target.startswith("/staff/consultations/"):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


@login_required
@require_POST
def staff_tag(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_get_for_analyst(user=request.user, slug=slug)
    answer = _answer_for(consultation, request.POST.get("answer"))
    code = get_object_or_404(Code, pk=request.POST.get("code"), consultation=consultation)
    if request.POST.get("remove"):
        services.answer_code_remove(answer=answer, code=code, user=request.user)
    else:
        services.answer_code_add(answer=answer, code=code, user=request.user)
    return _back(request, reverse("consult:staff-coding", args=[slug]))


@login_required
@require_http_methods(["GET", "POST"])
def staff_quotes(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_get_for_analyst(user=request.user, slug=slug)
    if request.method == "POST":
        answer = _answer_for(consultation, request.POST.get("answer"))
        try:
            services.quote_create(
                answer=answer,
                text=request.POST.get("text", ""),
                user=request.user,
                is_public=request.POST.get("is_public") == "yes",
            )
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(request, f"Quotation added from response {answer.response.reference}")
        return _back(request, reverse("consult:staff-quotes", args=[slug]))
    return render(
        request,
        "consult/staff/quotes.html",
        {"consultation": consultation, "quotes": selectors.quotes_for(consultation=consultation)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_moderation(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_get_for_analyst(user=request.user, slug=slug)
    if request.method == "POST":
        response = get_object_or_404(
            Response, pk=request.POST.get("response"), consultation=consultation
        )
        decision = request.POST.get("decision")
        if decision not in ("publish", "reject"):
            messages.error(request, "Choose whether to publish the response or not")
        else:
            try:
                services.response_moderate(
                    response=response, user=request.user, publish=decision == "publish"
                )
            except ValidationError as error:
                messages.error(request, "; ".join(error.messages))
            else:
                messages.success(
                    request,
                    f"Response {response.reference} "
                    + ("published" if decision == "publish" else "will not be published"),
                )
        return HttpResponseRedirect(reverse("consult:staff-moderation", args=[slug]))
    paginator = Paginator(selectors.moderation_queue(consultation=consultation), 20)
    page = paginator.get_page(request.GET.get("page"))
    rows = [
        (
            response,
            [
                (answer, redact_personal_details(answer.text))
                for answer in response.answers.all()
                if answer.question.kind == QuestionKind.FREE_TEXT
            ],
        )
        for response in page
    ]
    return render(
        request,
        "consult/staff/moderation.html",
        {"consultation": consultation, "page": page, "rows": rows},
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_flags(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_get_for_analyst(user=request.user, slug=slug)
    if request.method == "POST":
        flag = get_object_or_404(
            ResponseFlag, pk=request.POST.get("flag"), response__consultation=consultation
        )
        services.flag_clear(flag=flag, user=request.user)
        messages.success(request, f"Flag cleared on response {flag.response.reference}")
        return HttpResponseRedirect(reverse("consult:staff-flags", args=[slug]))
    paginator = Paginator(selectors.flagged_responses(consultation=consultation), 50)
    return render(
        request,
        "consult/staff/flags.html",
        {"consultation": consultation, "page": paginator.get_page(request.GET.get("page"))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_decision(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_get_for_analyst(user=request.user, slug=slug)
    form = DecisionForm(
        request.POST or None,
        initial={"you_said": consultation.you_said, "decision": consultation.decision},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_record_decision(
                consultation=consultation, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, "; ".join(error.messages))
        else:
            messages.success(request, "Decision recorded and the summary published")
            return HttpResponseRedirect(reverse("consult:summary", args=[slug]))
    return render(
        request,
        "consult/staff/decision.html",
        {"consultation": consultation, "form": form},
        status=400 if form.errors else 200,
    )
