"""Demo: the Norfolk consultation on the four options, with SIMULATED responses.

The options and the proposal describe the real 2018 Norfolk proposals for its 53 children's
centres, which were appraised in public and put to an eight-week consultation. The responses
are simulated: invented answers, seeded so every demo is the same, spread over real postcodes
from the loaded geography. They are marked `is_simulated` and labelled "simulated"
on every page that shows them. They are not real people's views and must never be read as such.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.consult import services
from familyreach.consult.equality import EQUALITY_QUESTIONS
from familyreach.consult.models import (
    AGREE_SCALE,
    Answer,
    Consultation,
    ConsultationStatus,
    Question,
    QuestionKind,
    RespondentType,
)
from familyreach.core.output import Output
from familyreach.geo.models import Postcode
from familyreach.planning.models import Scenario, ScenarioStatus
from familyreach.planning.selectors import latest_finished_runs
from familyreach.planning.services import scenario_run_now

SLUG = "early-childhood-and-family-services"
SIMULATED_RESPONSES = 240
SEED = 20180

PROPOSAL = """\
Norfolk County Council has to run its early childhood and family service on half the money:
the budget falls from £10 million to £5 million a year.

We want to reach the families who need help most — about a quarter of families in the areas of
greatest need do not use any service today — and to offer the same support everywhere in the
county.

## What we propose

- Keep **7 early childhood and family bases**, one in each district: a base for staff who work
  out in the community, and a place for activities for families in need.
- Move most support **out to the community**: sessions in libraries, village halls, schools and
  community venues, and one-to-one work in families' homes.
- Support **peer-led groups** run by local people, helped by others who have been through the
  same things.
- Offer the buildings no longer needed for **community use** that benefits families with
  under-fives.
- Make information and advice easier to find **online**.

We appraised four options. We would like your views on all of them.
"""

OPTIONS = (
    (
        "Current network: 53 centres",
        "Keep all 53 children's centres open.",
        "This keeps every building but costs more than the budget allows, so services inside the "
        "centres would have to be cut back sharply.",
    ),
    (
        "50% of centres in the highest-need areas",
        "Keep about half of the centres, in the areas of highest need.",
        "This concentrates buildings where need is greatest but leaves large rural areas with no "
        "nearby centre and little outreach.",
    ),
    (
        "7 bases (one per district) + outreach",
        "Keep one base in each district and take most support out to communities and homes.",
        "This is the proposed option. Staff work from 7 bases and deliver sessions in local "
        "venues and visits at home, so support follows need rather than buildings.",
    ),
    (
        "15 bases + outreach",
        "Keep 15 bases and take the rest of the support out to communities and homes.",
        "More bases than the proposal, with outreach from each. It costs more in buildings and "
        "leaves less for staff working with families.",
    ),
)

FREE_TEXT_IMPACT = (
    "There is no bus from our village to the nearest base, so we could not get there without a car.",
    "The centre near us is where I met other mums. Closing it would leave us isolated.",
    "Home visits would help us more than a centre: with twins it is hard to get anywhere.",
    "I work with families in Great Yarmouth and outreach in local venues reaches people who never came to the centre.",
    "Please keep the baby groups at the library. Travel to a base would cost us too much.",
    "Our children's centre is a lifeline. Closing it would hurt families who rely on it.",
    "Peer support groups helped me when I had postnatal depression. Please fund them properly.",
    "The money should go on staff working with families rather than buildings.",
    "Rural families will lose out: the transport links are poor and buses are infrequent.",
    "Online information is fine but some parents do not have data or a laptop.",
)
FREE_TEXT_OTHER = (
    "Please make sure sessions are at times working parents can attend.",
    "Talk to health visitors and schools before closing anything.",
    "Community use of the buildings is a good idea if it stays for families.",
    "Consider the cost of travel for families on low incomes.",
    "Keep a base in Thetford; it has high need.",
    "",
)

CODES = (
    ("Travel and access", "Public transport to bases", "bus, transport, travel, car"),
    ("Travel and access", "Rural areas", "rural, village"),
    ("Buildings", "Opposes closing centres", "closing, close, lifeline"),
    ("Outreach", "Supports outreach and home visits", "outreach, home visits, local venues"),
    ("Peer support", "Peer-led groups", "peer, groups"),
    ("Digital", "Online access", "online, data, laptop"),
)


def load(stdout: Output) -> None:
    _run_linked_scenarios(stdout)
    if Consultation.objects.filter(slug=SLUG).exists():
        stdout.write("Consultation already loaded.\n")
        return
    with transaction.atomic():
        consultation = _create_consultation()
        count = _simulate_responses(consultation)
        _code_and_moderate(consultation)
    stdout.write(
        f"Consultation '{consultation.title}' with {count} SIMULATED responses "
        f"at /consultations/{SLUG}/\n"
    )


def _run_linked_scenarios(stdout: Output) -> None:
    """The public should see the planners' maps and measures: run any of the four scenarios
    that has no finished run yet (a few seconds each). A failure is reported, not fatal: the
    option then says its map will follow."""
    scenarios = list(Scenario.objects.filter(name__in=[title for title, _s, _t in OPTIONS]))
    finished = latest_finished_runs(scenarios)
    for scenario in scenarios:
        if scenario.pk in finished:
            continue
        run = scenario_run_now(scenario=scenario, user=None)
        if run.status == ScenarioStatus.FINISHED:
            stdout.write(f"  ran '{scenario.name}' for its public map and measures\n")
        else:
            stdout.write(f"  could not run '{scenario.name}': {run.error[:200]}\n")


def _create_consultation() -> Consultation:
    now = timezone.now()
    consultation = services.consultation_create(
        title="Changes to early childhood and family services in Norfolk",
        slug=SLUG,
        summary="How we propose to reach families with young children on half the budget: "
        "7 bases, support in local venues and at home, and peer-led groups.",
        proposal=PROPOSAL,
        # An eight-week consultation, three weeks in, so the demo can take responses.
        opens_at=now - timedelta(weeks=3),
        closes_at=now + timedelta(weeks=5),
        status=ConsultationStatus.PUBLISHED,
        alternative_formats="Ask for a paper copy, easy read or another language by phoning "
        "0344 800 8020 or at any Norfolk library. Post paper responses to Freepost Early "
        "Childhood Consultation (demo address).",
        is_simulated=True,
    )
    # Each option is the planning scenario of the same name (planning's demo runs first), so
    # the public sees the planners' own map and measures once a run has finished.
    options = [
        services.option_create(
            consultation=consultation,
            title=title,
            summary=summary,
            text=text,
            position=index,
            scenario=Scenario.objects.filter(name=title).first(),
        )
        for index, (title, summary, text) in enumerate(OPTIONS)
    ]
    position = iter(range(100))
    about = "About you"
    services.question_create(
        consultation=consultation,
        kind=QuestionKind.RESPONDENT_TYPE,
        text="Are you responding as…",
        section=about,
        position=next(position),
        required=True,
    )
    services.question_create(
        consultation=consultation,
        kind=QuestionKind.POSTCODE,
        text="What is your postcode?",
        hint="We use it to see which areas responses come from. We never publish it.",
        section=about,
        position=next(position),
    )
    services.question_create(
        consultation=consultation,
        kind=QuestionKind.MULTIPLE_CHOICE,
        text="Which of these have you or your family used in the last year?",
        section=about,
        position=next(position),
        choices=[
            "A children's centre",
            "Sessions in a library or village hall",
            "A health visitor",
            "A peer-led or community group",
            "None of these",
        ],
    )
    section = "The options"
    services.question_create(
        consultation=consultation,
        kind=QuestionKind.SINGLE_CHOICE,
        text="Which option do you prefer?",
        section=section,
        position=next(position),
        required=True,
        choices=[option.title for option in options],
    )
    for option, statement in (
        (options[2], "Keeping 7 bases, one per district, with outreach"),
        (None, "Moving most support out to community venues and families' homes"),
        (None, "Supporting peer-led groups run by local people"),
    ):
        services.question_create(
            consultation=consultation,
            kind=QuestionKind.AGREE_SCALE,
            text=f"How far do you agree with: {statement}?",
            section=section,
            position=next(position),
            option=option,
        )
    your_views = "Your views"
    services.question_create(
        consultation=consultation,
        kind=QuestionKind.FREE_TEXT,
        text="How would the proposals affect you or your family?",
        section=your_views,
        position=next(position),
    )
    services.question_create(
        consultation=consultation,
        kind=QuestionKind.FREE_TEXT,
        text="Is there anything else we should consider?",
        section=your_views,
        position=next(position),
    )
    return consultation


def _simulate_responses(consultation: Consultation) -> int:
    generator = random.Random(SEED)
    questions = list(consultation.questions.order_by("position"))
    # Real postcodes from the loaded geography, drawn with a fixed seed so the demo is the
    # same every time (every postcode equally likely: the spread is simulated, not modelled).
    postcodes = list(
        Postcode.objects.filter(area__isnull=False)
        .order_by("compact")
        .values_list("postcode", flat=True)
    )
    paper_user = User.objects.filter(username="demo-planner").first()
    start = consultation.opens_at
    span = (timezone.now() - start).total_seconds()
    count = 0
    for index in range(SIMULATED_RESPONSES):
        data = services.ResponseData(
            respondent_type=generator.choices(
                [RespondentType.PARENT, RespondentType.PROFESSIONAL, RespondentType.ORGANISATION],
                weights=[70, 25, 5],
            )[0],
            postcode=generator.choice(postcodes) if postcodes and generator.random() < 0.9 else "",
            consent_to_publish=generator.random() < 0.5,
        )
        data.consent_to_quote = data.consent_to_publish and generator.random() < 0.7
        for question in questions:
            value = _simulated_answer(question, generator)
            if value:
                data.answers[question.pk] = value
        if generator.random() < 0.6:
            data.equality = {
                key: generator.choice(choices)[0] for key, _text, choices in EQUALITY_QUESTIONS
            }
        at = start + timedelta(seconds=span * (index + 0.5) / SIMULATED_RESPONSES)
        paper = paper_user is not None and generator.random() < 0.2
        services.response_submit(
            consultation=consultation,
            data=data,
            entered_by=paper_user if paper else None,
            received_on=timezone.localtime(at).date() if paper else None,
            source_address="" if paper else f"192.0.2.{index % 250}",  # documentation range
            is_simulated=True,
            at=at,
        )
        count += 1
    # A simulated burst of copies from one source, so the demo shows the flags at work.
    question = next(q for q in questions if q.kind == QuestionKind.SINGLE_CHOICE)
    free_text = next(q for q in questions if q.kind == QuestionKind.FREE_TEXT)
    for copy in range(3):
        services.response_submit(
            consultation=consultation,
            data=services.ResponseData(
                respondent_type=RespondentType.PARENT,
                answers={
                    question.pk: str(question.choices[0]),
                    free_text.pk: "Keep every children's centre open, whatever it costs.",
                },
            ),
            source_address="192.0.2.254",
            is_simulated=True,
            at=timezone.now() - timedelta(minutes=10 - copy),
        )
        count += 1
    return count


def _simulated_answer(question: Question, generator: random.Random) -> str | list[str]:
    if question.kind == QuestionKind.SINGLE_CHOICE:
        return str(generator.choices(question.choices, weights=[35, 20, 30, 15])[0])
    if question.kind == QuestionKind.AGREE_SCALE:
        if generator.random() < 0.05:
            return ""
        return generator.choices([value for value, _ in AGREE_SCALE], weights=[15, 25, 20, 20, 20])[
            0
        ]
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        chosen = [str(choice) for choice in question.choices[:-1] if generator.random() < 0.35]
        return chosen or [str(question.choices[-1])]
    if question.kind == QuestionKind.FREE_TEXT:
        pool = FREE_TEXT_IMPACT if question.text.startswith("How would") else FREE_TEXT_OTHER
        return generator.choice(pool) if generator.random() < 0.8 else ""
    return ""


def _code_and_moderate(consultation: Consultation) -> None:
    planner = User.objects.filter(username="demo-planner").first()
    codes = [
        services.code_create(
            consultation=consultation, theme=theme, name=name, keywords=keywords, user=planner
        )
        for theme, name, keywords in CODES
    ]
    # Code the first 60 free-text answers by their keyword suggestions, as an analyst would.
    answers = (
        Answer.objects.filter(
            response__consultation=consultation, question__kind=QuestionKind.FREE_TEXT
        )
        .exclude(text="")
        .select_related("response", "question")
        .order_by("pk")[:60]
    )
    quoted = 0
    for answer in answers:
        text = answer.text.lower()
        for code in codes:
            if any(keyword in text for keyword in code.keyword_list()):
                services.answer_code_add(answer=answer, code=code, user=planner)
        if answer.response.consent_to_quote and quoted < 4:
            services.quote_create(answer=answer, text="", user=planner, is_public=True)
            quoted += 1
    for response in consultation.responses.filter(consent_to_publish=True).order_by("pk")[:20]:
        services.response_moderate(response=response, user=planner, publish=True)
