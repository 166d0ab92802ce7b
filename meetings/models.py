"""Assemblies: the meeting, its ordered agenda, attendance, stand-ins and paper proxies.

A meeting sits above ballots: an agenda item holds zero or more ballots of the ballots app
(each ballot belongs to at most one agenda item, so it is always clear whose attendance,
stand-ins and paper proxies apply to it). What these rows mean for a ballot is applied by
meetings.sync, when the ballot opens and whenever attendance, a stand-in or a paper proxy
changes while it is open.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ballots.models import Ballot
from members.models import Region


class MeetingKind(models.TextChoices):
    MEMBERS = "members", _("algemene ledenvergadering")
    AMBASSADORS = "ambassadors", _("ambassadeursvergadering")


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", _("in de zaal")
    ONLINE = "online", _("online")
    HYBRID = "hybrid", _("hybride: in de zaal en online")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("gepland")
    IN_PROGRESS = "in_progress", _("bezig")
    ENDED = "ended", _("afgelopen")
    CERTIFIED = "certified", _("vastgesteld")


class Meeting(models.Model):
    kind = models.CharField(
        _("soort vergadering"), max_length=12, choices=MeetingKind, default=MeetingKind.MEMBERS
    )
    title = models.CharField(_("titel"), max_length=200)
    starts_at = models.DateTimeField(_("begint"))
    place = models.CharField(_("plaats"), max_length=200, blank=True)
    mode = models.CharField(
        _("vorm"), max_length=10, choices=MeetingMode, default=MeetingMode.HYBRID
    )
    status = models.CharField(
        _("status"), max_length=12, choices=MeetingStatus, default=MeetingStatus.PLANNED
    )
    current_item = models.ForeignKey(
        "AgendaItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("huidig agendapunt"),
    )
    # Written paper proxies: how many one person may hold at this meeting (the online
    # proxies' rule; each ballot's own maximum applies as well).
    max_proxies_held = models.PositiveSmallIntegerField(
        _("max. schriftelijke volmachten per persoon"), default=1
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vergadering")
        verbose_name_plural = _("vergaderingen")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_proxies_held__gte=1), name="meeting_proxies_held_min_1"
            ),
        ]
        permissions = [
            ("run_meeting", _("Vergaderingen voorzitten en de aanwezigheid bijhouden")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    @property
    def is_ambassadors(self) -> bool:
        return self.kind == MeetingKind.AMBASSADORS

    @property
    def online_possible(self) -> bool:
        return self.mode in (MeetingMode.ONLINE, MeetingMode.HYBRID)

    @property
    def hall_possible(self) -> bool:
        return self.mode in (MeetingMode.IN_PERSON, MeetingMode.HYBRID)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("volgorde"))
    title = models.CharField(_("titel"), max_length=200)
    text = models.TextField(_("toelichting (Markdown)"), blank=True)
    questions = models.ManyToManyField(
        "faq.Question", blank=True, related_name="agenda_items", verbose_name=_("FAQ-vragen")
    )
    papers = models.ManyToManyField(
        "faq.PositionPaper",
        blank=True,
        related_name="agenda_items",
        verbose_name=_("standpunten"),
    )
    ballots = models.ManyToManyField(
        Ballot,
        through="AgendaBallot",
        blank=True,
        related_name="agenda_items",
        verbose_name=_("stemmingen"),
    )

    class Meta:
        verbose_name = _("agendapunt")
        verbose_name_plural = _("agendapunten")
        ordering = ["meeting", "order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="agenda_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class AgendaBallot(models.Model):
    """A ballot on an agenda item; a ballot is on one item of one meeting at most."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="ballot_links")
    ballot = models.OneToOneField(Ballot, on_delete=models.PROTECT, related_name="agenda_link")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["item", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.item}: {self.ballot}"


class Presence(models.TextChoices):
    HALL = "hall", _("in de zaal")
    ONLINE = "online", _("online")
    ABSENT = "absent", _("afwezig")


PRESENT = (Presence.HALL, Presence.ONLINE)


class MeetingAttendance(models.Model):
    """One person's attendance at one meeting, as the desk (or the person online) last set
    it, with who set it and when. No row means absent."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    presence = models.CharField(_("aanwezigheid"), max_length=8, choices=Presence)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("aanwezigheid")
        verbose_name_plural = _("aanwezigheid")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="one_attendance_per_person"),
        ]
        indexes = [models.Index(fields=["meeting", "presence"])]

    def __str__(self) -> str:
        return f"{self.user} {self.presence} at {self.meeting_id}"

    @property
    def is_present(self) -> bool:
        return self.presence in PRESENT


class StandIn(models.Model):
    """A region's deputy stands in for its absent ambassador at this meeting: the seat's
    weight passes to the deputy for the meeting's ballots (never both: meetings.standins)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="stand_ins")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    ambassador = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    deputy = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField()
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("vervanging")
        verbose_name_plural = _("vervangingen")
        ordering = ["meeting", "region__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "ambassador"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_stand_in_per_ambassador",
            ),
            models.UniqueConstraint(
                fields=["meeting", "deputy"],
                condition=Q(withdrawn_at__isnull=True),
                name="deputy_stands_in_once",
            ),
            models.CheckConstraint(
                condition=~Q(ambassador=models.F("deputy")), name="stand_in_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} for {self.ambassador} at {self.meeting_id}"


class PaperProxy(models.Model):
    """A written proxy handed in on paper, recorded by a board member (meetings.proxies):
    the online proxies' limits, and the name of who recorded it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="paper_proxies")
    grantor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("schriftelijke volmacht")
        verbose_name_plural = _("schriftelijke volmachten")
        ordering = ["meeting", "recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "grantor"],
                condition=Q(revoked_at__isnull=True),
                name="one_paper_proxy_per_grantor",
            ),
            models.CheckConstraint(
                condition=~Q(grantor=models.F("holder")), name="paper_proxy_not_to_self"
            ),
        ]

    def __str__(self) -> str:
        return f"paper proxy {self.grantor} -> {self.holder} at {self.meeting_id}"


class MeetingApproval(models.Model):
    """A board member's approval of the meeting's record; two different ones certify it
    (meetings.certification). A withdrawn approval stays, marked."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="approvals")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "approver"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_active_record_approval",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.approver} keurt het verslag van {self.meeting_id} goed"


class MeetingDocument(models.Model):
    """The signed record of a meeting: stored once, never overwritten."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="document")
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64, unique=True)
    record_sha256 = models.CharField(max_length=64)  # of the record's data (vergadering.json)
    signed_at = models.DateTimeField()
    development_certificate = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("verslag van de vergadering")
        verbose_name_plural = _("verslagen van vergaderingen")

    def __str__(self) -> str:
        return f"verslag {self.meeting_id} ({self.sha256[:12]})"
