"""The knowledge side: FAQ topics and questions, position papers, revisions, member questions."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import FileExtensionValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from faq.validators import validate_pdf_attachment


class Status(models.TextChoices):
    DRAFT = "draft", _("concept")
    PUBLISHED = "published", _("gepubliceerd")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("openbaar")
    MEMBERS = "members", _("alleen leden")


class PublishedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Published items; members-only ones only for logged-in users."""
        published = self.filter(status=Status.PUBLISHED)
        if user.is_authenticated:
            return published
        return published.filter(visibility=Visibility.PUBLIC)


class Topic(models.Model):
    name = models.CharField(_("naam"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    order = models.PositiveIntegerField(_("volgorde"), default=0)

    class Meta:
        verbose_name = _("onderwerp")
        verbose_name_plural = _("onderwerpen")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("naam"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Stance(models.TextChoices):
    FOR = "for", _("voor ondertekening")
    CONDITIONAL = "conditional", _("voor, onder voorwaarden")
    AGAINST = "against", _("tegen ondertekening")
    INFORMATIVE = "informative", _("informatief")


class PositionPaper(models.Model):
    title = models.CharField(_("titel"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    organisation = models.CharField(_("organisatie"), max_length=200)
    organisation_code = models.SlugField(
        _("organisatiecode"), max_length=20, help_text=_("Korte code, bijv. lhv of vph.")
    )
    stance = models.CharField(_("standpunt"), max_length=16, choices=Stance)
    published_on = models.DateField(_("publicatiedatum"))
    summary = models.TextField(_("samenvatting"), max_length=1200)
    body = models.TextField(_("tekst (Markdown, met ## kopjes voor secties)"))
    pdf = models.FileField(
        _("PDF-bijlage"),
        upload_to="positions/",
        blank=True,
        validators=[validate_pdf_attachment, FileExtensionValidator(["pdf"])],
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="papers", verbose_name=_("labels"))
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT)
    visibility = models.CharField(
        _("zichtbaarheid"), max_length=12, choices=Visibility, default=Visibility.PUBLIC
    )
    updated_at = models.DateTimeField(_("laatst bijgewerkt"), auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        verbose_name = _("standpunt")
        verbose_name_plural = _("standpunten")
        ordering = ["-published_on", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.organisation})"

    def get_absolute_url(self) -> str:
        return reverse("faq:paper", args=[self.slug])


class Question(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="questions")
    label = models.CharField(
        _("label"), max_length=8, help_text=_("Letter of nummer in de lijst, bijv. A of 12.")
    )
    question = models.CharField(_("vraag"), max_length=400)
    answer = models.TextField(_("antwoord (Markdown; voetnootverwijzingen als [^1])"))
    footnotes = models.TextField(
        _("voetnoten en bronnen"),
        blank=True,
        help_text=_("Eén per regel; de eerste regel is voetnoot [^1], de tweede [^2], enz."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT)
    visibility = models.CharField(
        _("zichtbaarheid"), max_length=12, choices=Visibility, default=Visibility.PUBLIC
    )
    order = models.PositiveIntegerField(_("volgorde"), default=0)
    related_papers = models.ManyToManyField(
        PositionPaper,
        blank=True,
        related_name="questions",
        verbose_name=_("gerelateerde standpunten"),
    )
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("laatst bijgewerkt"), auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        verbose_name = _("vraag")
        verbose_name_plural = _("vragen")
        ordering = ["topic__order", "topic__name", "order", "label"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "label"], name="faq_label_unique_per_topic"),
        ]

    def __str__(self) -> str:
        return f"{self.label}. {self.question}"

    def get_absolute_url(self) -> str:
        return reverse("faq:question", args=[self.pk])

    @property
    def footnote_list(self) -> list[str]:
        return [line.strip() for line in self.footnotes.splitlines() if line.strip()]

    @property
    def anchor(self) -> str:
        return f"vraag-{self.topic_id}-{self.label}"


class Revision(models.Model):
    """The previous version of a published FAQ answer or position paper, kept on each change."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    snapshot = models.JSONField(_("vorige versie"))
    changed_fields = models.JSONField(_("gewijzigde velden"), default=list)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("gewijzigd door"),
    )
    changed_at = models.DateTimeField(_("gewijzigd op"), auto_now_add=True)
    note = models.CharField(_("toelichting"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("revisie")
        verbose_name_plural = _("revisies")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.content_type.model} {self.object_id} @ {self.changed_at:%Y-%m-%d %H:%M}"


class MemberQuestionStatus(models.TextChoices):
    NEW = "new", _("nieuw")
    ANSWERED = "answered", _("beantwoord")
    MERGED = "merged", _("samengevoegd met een bestaande vraag")
    DECLINED = "declined", _("afgewezen")


class MemberQuestion(models.Model):
    """A question a member asks; the board answers it, links it to the FAQ or declines it."""

    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="faq_questions"
    )
    text = models.TextField(_("vraag"), max_length=2000)
    asked_at = models.DateTimeField(_("gesteld op"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=12, choices=MemberQuestionStatus, default=MemberQuestionStatus.NEW
    )
    response = models.TextField(_("antwoord of reden"), blank=True)
    faq_question = models.ForeignKey(
        Question,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member_questions",
        verbose_name=_("FAQ-vraag"),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("afgehandeld op"), null=True, blank=True)

    class Meta:
        verbose_name = _("ledenvraag")
        verbose_name_plural = _("ledenvragen")
        ordering = ["-asked_at"]
        indexes = [models.Index(fields=["status", "asked_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(response=""),
                name="declined_question_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="merged") | models.Q(faq_question__isnull=False),
                name="merged_question_has_target",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]
