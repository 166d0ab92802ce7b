"""The association's FAQ on the IZA: topics and their questions with answers."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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


class Status(models.TextChoices):
    DRAFT = "draft", _("concept")
    PUBLISHED = "published", _("gepubliceerd")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("openbaar")
    MEMBERS = "members", _("alleen leden")


class QuestionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "QuestionQuerySet":
        published = self.filter(status=Status.PUBLISHED)
        if user.is_authenticated:
            return published
        return published.filter(visibility=Visibility.PUBLIC)


class Question(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="questions")
    label = models.CharField(
        _("label"), max_length=8, help_text=_("Letter of nummer in de lijst, bijv. A of 12.")
    )
    question = models.CharField(_("vraag"), max_length=300)
    answer = models.TextField(_("antwoord (Markdown)"))
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT)
    visibility = models.CharField(
        _("zichtbaarheid"), max_length=12, choices=Visibility, default=Visibility.PUBLIC
    )
    order = models.PositiveIntegerField(_("volgorde"), default=0)
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("laatst bijgewerkt"), auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("vraag")
        verbose_name_plural = _("vragen")
        ordering = ["topic__order", "order", "label"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "label"], name="faq_label_unique_per_topic"),
        ]

    def __str__(self) -> str:
        return f"{self.label}. {self.question}"
