"""The member register: people (User), regions, memberships and ambassador mandates."""

import datetime

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields) -> "User":
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who can log in; the login is the email address (never a username)."""

    email = models.EmailField(_("e-mailadres"), max_length=254, unique=True)
    full_name = models.CharField(_("naam"), max_length=200, blank=True)
    is_active = models.BooleanField(_("actief"), default=True)
    is_staff = models.BooleanField(
        _("toegang tot beheer"),
        default=False,
        help_text=_("Mag inloggen op de beheeromgeving (admin)."),
    )
    date_joined = models.DateTimeField(_("aangemaakt op"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Region(models.Model):
    """A regional branch ("afdeling"); ambassadors vote for their region."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("naam"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("regio")
        verbose_name_plural = _("regio's")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("actief")
    SUSPENDED = "suspended", _("geschorst")
    ENDED = "ended", _("beëindigd")


class Membership(models.Model):
    """One person's membership of the association, as the register says."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="membership")
    membership_number = models.CharField(_("lidnummer"), max_length=32, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField(
        _("status"), max_length=16, choices=MembershipStatus, default=MembershipStatus.ACTIVE
    )
    joined_on = models.DateField(_("lid sinds"), default=datetime.date.today)
    ended_on = models.DateField(_("lid tot"), null=True, blank=True)
    updated_at = models.DateTimeField(_("bijgewerkt"), auto_now=True)

    class Meta:
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")
        ordering = ["membership_number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("joined_on")),
                name="membership_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["region", "status"])]

    def __str__(self) -> str:
        return f"{self.membership_number} {self.user}"

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE


class MandateQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date) -> "MandateQuerySet":
        """Mandates in force on `day`: started on or before it, not yet ended (valid_to is
        the first day the mandate no longer holds)."""
        return self.filter(valid_from__lte=day).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=day)
        )

    def current(self) -> "MandateQuerySet":
        return self.valid_on(timezone.localdate())


class Mandate(models.Model):
    """An ambassador's seat for a region (or the deputy's), with its voting weight."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="mandates")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="mandates")
    weight = models.PositiveIntegerField(
        _("stemgewicht"),
        null=True,
        blank=True,
        help_text=_("Leeg: het aantal actieve leden van de regio op het moment van stemmen."),
    )
    is_deputy = models.BooleanField(_("plaatsvervanger"), default=False)
    valid_from = models.DateField(_("geldig vanaf"), default=datetime.date.today)
    valid_to = models.DateField(
        _("geldig tot"),
        null=True,
        blank=True,
        help_text=_("Eerste dag waarop het mandaat niet meer geldt; leeg: onbepaald."),
    )

    objects = MandateQuerySet.as_manager()

    class Meta:
        verbose_name = _("mandaat")
        verbose_name_plural = _("mandaten")
        ordering = ["region__name", "is_deputy", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="mandate_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(weight__isnull=True) | models.Q(weight__gt=0),
                name="mandate_weight_positive",
            ),
            # One open-ended ambassador seat and one open-ended deputy seat per region.
            models.UniqueConstraint(
                fields=["region", "is_deputy"],
                condition=models.Q(valid_to__isnull=True),
                name="one_open_mandate_per_region_and_kind",
            ),
        ]

    def __str__(self) -> str:
        kind = _("plaatsvervanger") if self.is_deputy else _("ambassadeur")
        return f"{self.region}: {self.user} ({kind})"


class BoardAccess(models.Model):
    """Holds the board's custom permissions; no rows are ever stored."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("access_board", _("Bestuurspagina's openen")),
            ("import_register", _("Ledenregister importeren")),
        ]

    def __str__(self) -> str:
        return "board access"


class RoleChange(models.Model):
    """A role given or taken by the register import: who, which change, by whom, when.

    The register import is the only way a board member changes roles (the admin's user,
    group and mandate forms are a superuser's, and its own log records those)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="role_changes")
    role = models.CharField(_("nieuwe rol"), max_length=16)
    change = models.CharField(_("wijziging"), max_length=200)
    changed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("door"),
        help_text=_("Leeg: geïmporteerd op de opdrachtregel (import_members)."),
    )
    changed_at = models.DateTimeField(_("op"), default=timezone.now)

    class Meta:
        verbose_name = _("rolwijziging")
        verbose_name_plural = _("rolwijzigingen")
        ordering = ["-changed_at", "-pk"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.user}: {self.change}"
