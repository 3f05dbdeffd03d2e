"""Public consultation on proposals: the questionnaire, responses online and on paper, and the
staff's analysis of them (codes, quotes, moderation, flags).

Privacy by structure:
- the postcode is kept on the response only to place it (district, area, deprivation decile,
  copied at submission); it is never shown on a public page nor exported;
- equality monitoring lives in its own table with no link to the response and no time of day,
  so it can only ever be counted, never joined back to what someone said;
- drafts are reached only from the respondent's own session, or through an unguessable return
  token whose hash is stored and which expires; drafts never count in any figure or export.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.safestring import SafeString

from familyreach.consult.markdown import render_markdown
from familyreach.core.models import TrackedModel
from familyreach.geo.models import Area, District


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", "Draft (not public)"
    PUBLISHED = "published", "Published"
    DECIDED = "decided", "Decision made"


class Consultation(TrackedModel):
    """A public consultation with opening and closing times (stored in UTC, shown in London)."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.TextField(help_text="One or two sentences for the list of consultations.")
    proposal = models.TextField(help_text="The proposal, in Markdown (rendered safely).")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=ConsultationStatus.choices, default=ConsultationStatus.DRAFT
    )
    alternative_formats = models.TextField(
        blank=True,
        help_text="How to get paper, easy read, large print or other languages, and where to post.",
    )
    decision = models.TextField(
        blank=True, help_text="What was decided and why (Markdown): the 'we did' of the summary."
    )
    you_said = models.TextField(
        blank=True, help_text="A summary of what people told us (Markdown): the 'you said'."
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    is_simulated = models.BooleanField(
        default=False, help_text="Demo data: its responses are simulated and labelled so."
    )

    class Meta:
        ordering = ["-opens_at"]
        permissions = [
            ("analyse_consultation", "Can analyse, code, moderate and export responses"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="consult_consultation_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, at: Any = None) -> bool:
        moment = at or timezone.now()
        return (
            self.status == ConsultationStatus.PUBLISHED and self.opens_at <= moment < self.closes_at
        )

    def has_closed(self, at: Any = None) -> bool:
        return (at or timezone.now()) >= self.closes_at

    @property
    def proposal_html(self) -> SafeString:
        return render_markdown(self.proposal)

    @property
    def decision_html(self) -> SafeString:
        return render_markdown(self.decision)

    @property
    def you_said_html(self) -> SafeString:
        return render_markdown(self.you_said)


class ConsultationOption(models.Model):
    """One of the options put to the public (e.g. '7 bases (one per district) + outreach')."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    text = models.TextField(blank=True, help_text="The full description, in Markdown.")
    scenario = models.ForeignKey(
        "planning.Scenario",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation_options",
        help_text="The planning scenario behind this option: its latest finished run's map "
        "and measures are shown to the public (areas, bases and venues only: no personal data).",
    )

    class Meta:
        ordering = ["consultation", "position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def text_html(self) -> SafeString:
        return render_markdown(self.text)


class QuestionKind(models.TextChoices):
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    AGREE_SCALE = "agree_scale", "Agree–disagree scale"
    FREE_TEXT = "free_text", "Free text"
    POSTCODE = "postcode", "Postcode"
    RESPONDENT_TYPE = "respondent_type", "Respondent type"


# The five-point scale every agree–disagree question uses, in the order it is shown and counted.
AGREE_SCALE = (
    ("strongly_agree", "Strongly agree"),
    ("agree", "Agree"),
    ("neither", "Neither agree nor disagree"),
    ("disagree", "Disagree"),
    ("strongly_disagree", "Strongly disagree"),
)


class RespondentType(models.TextChoices):
    PARENT = "parent", "A parent or carer"
    PROFESSIONAL = "professional", "A professional who works with families"
    ORGANISATION = "organisation", "Responding on behalf of an organisation"


class Question(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(default=0)
    section = models.CharField(
        max_length=200, help_text="Questions with the same section are shown under one heading."
    )
    kind = models.CharField(max_length=32, choices=QuestionKind.choices)
    text = models.CharField(max_length=500)
    hint = models.TextField(blank=True)
    required = models.BooleanField(default=False)
    choices = models.JSONField(
        default=list,
        blank=True,
        help_text="For single and multiple choice: the answers offered, as a list of strings.",
    )
    option = models.ForeignKey(
        ConsultationOption,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        help_text="The option this question asks about, if any.",
    )

    class Meta:
        ordering = ["consultation", "position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def field_name(self) -> str:
        return f"q{self.pk}"

    @property
    def is_counted(self) -> bool:
        """Closed questions are counted; free text is coded instead."""
        return self.kind in {
            QuestionKind.SINGLE_CHOICE,
            QuestionKind.MULTIPLE_CHOICE,
            QuestionKind.AGREE_SCALE,
        }

    def choice_pairs(self) -> list[tuple[str, str]]:
        """(stored value, label) in display order."""
        if self.kind == QuestionKind.AGREE_SCALE:
            return list(AGREE_SCALE)
        if self.kind == QuestionKind.RESPONDENT_TYPE:
            return list(RespondentType.choices)
        return [(str(choice), str(choice)) for choice in self.choices]


class Channel(models.TextChoices):
    ONLINE = "online", "Online"
    PAPER = "paper", "Paper"


class ResponseState(models.TextChoices):
    DRAFT = "draft", "Draft (saved to come back to)"
    SUBMITTED = "submitted", "Submitted"


class Moderation(models.TextChoices):
    NOT_FOR_PUBLICATION = "not_for_publication", "Not for publication (no consent)"
    PENDING = "pending", "Waiting for moderation"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Not published after moderation"


class Response(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="responses"
    )
    reference = models.CharField(max_length=12, unique=True, help_text="e.g. FR-7K3M-Q9")
    state = models.CharField(
        max_length=16, choices=ResponseState.choices, default=ResponseState.DRAFT
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.ONLINE)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member of staff who typed in a paper response.",
    )
    received_on = models.DateField(
        null=True, blank=True, help_text="Paper: the date the form reached us (Europe/London)."
    )
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    resume_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    resume_token_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="The return link stops working at this time."
    )
    resume_page = models.CharField(
        max_length=100,
        blank=True,
        help_text="The question page the return link goes back to (the page it was saved on).",
    )
    saved_at = models.DateTimeField(
        null=True, blank=True, help_text="Draft: the last time answers were saved."
    )

    respondent_type = models.CharField(max_length=16, choices=RespondentType.choices, blank=True)
    postcode = models.CharField(
        max_length=8, blank=True, help_text="Private: used to place the response, never shown."
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imd_decile = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Of the area, at submission: 1 = most deprived 10%."
    )

    consent_to_publish = models.BooleanField(default=False)
    consent_to_quote = models.BooleanField(default=False)
    moderation = models.CharField(
        max_length=24, choices=Moderation.choices, default=Moderation.NOT_FOR_PUBLICATION
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    source_hash = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="Keyed hash of the sender's address, to spot bulk submissions; never the address.",
    )
    is_simulated = models.BooleanField(default=False)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["consultation", "state"]),
            models.Index(fields=["consultation", "source_hash", "submitted_at"]),
        ]

    def __str__(self) -> str:
        return self.reference


class Answer(models.Model):
    """One answer. Postcode and respondent type are held on the response, not here."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    choice = models.CharField(max_length=200, blank=True, help_text="Single choice or scale.")
    choices = models.JSONField(default=list, blank=True, help_text="Multiple choice.")
    text = models.TextField(blank=True, help_text="Free text, as written.")
    published_text = models.TextField(
        blank=True, help_text="Free text with personal details removed, set at moderation."
    )

    class Meta:
        ordering = ["response", "question__position", "question_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="consult_answer_one_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.response} – {self.question_id}"

    @property
    def values(self) -> list[str]:
        if self.choices:
            return [str(value) for value in self.choices]
        return [self.choice] if self.choice else []


class Code(TrackedModel):
    """A code staff tag free-text answers with, grouped under a theme."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="codes")
    theme = models.CharField(max_length=100, help_text="e.g. Travel and access")
    name = models.CharField(max_length=100, help_text="e.g. Bus routes to the nearest base")
    keywords = models.TextField(
        blank=True,
        help_text="Comma-separated words or phrases; answers containing them are suggested.",
    )

    class Meta:
        ordering = ["theme", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "theme", "name"], name="consult_code_unique_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.theme}: {self.name}"

    def keyword_list(self) -> list[str]:
        return [word.strip().lower() for word in self.keywords.split(",") if word.strip()]


class AnswerCode(TrackedModel):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="codings")
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="codings")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["answer", "code"], name="consult_answer_code_once")
        ]

    def __str__(self) -> str:
        return f"{self.code} on {self.answer}"


class Quote(TrackedModel):
    """A quotation pulled out for the report, only from respondents who agreed to be quoted."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="quotes")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="quotes")
    text = models.TextField(help_text="The quotation, with personal details removed.")
    is_public = models.BooleanField(
        default=False, help_text="Shown on the public summary as well as in the staff report."
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class FlagKind(models.TextChoices):
    RATE = "rate", "Many responses from the same source in a short time"
    SAME_TEXT = "same_text", "Same text as another response from the same source"
    DUPLICATE_PAPER = "duplicate_paper", "Paper response matching another one (same postcode)"


class ResponseFlag(models.Model):
    """A reason to look again at a response. Flags never delete or exclude on their own."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=24, choices=FlagKind.choices)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    cleared = models.BooleanField(default=False)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.response})"


class EqualityMonitoring(models.Model):
    """Optional equality answers, kept apart: no link to a response, no time, no source.

    Only counted (never exported with responses, never shown one by one). The key is random
    so that not even the order of rows follows the order of responses.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="equality_returns"
    )
    age_band = models.CharField(max_length=32, blank=True)
    sex = models.CharField(max_length=32, blank=True)
    disability = models.CharField(max_length=32, blank=True)
    ethnic_group = models.CharField(max_length=32, blank=True)
    is_simulated = models.BooleanField(default=False)

    class Meta:
        # No ordering by id in public: the order of arrival could pair returns with responses.
        ordering = ["age_band", "sex", "disability", "ethnic_group"]

    def __str__(self) -> str:
        return f"Equality return for {self.consultation_id}"
