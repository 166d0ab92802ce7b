"""Ballots: settings, choices, the frozen electorate, participation, votes, proxies, ledger.

Secrecy lives in the shape of these tables (DESIGN.md §4): for a secret ballot, `Participation`
says who voted and `Vote` what was voted, with no key, timestamp or shared ordering between
them. A secret vote first lands in `PendingVote` (in the voter's transaction) as ciphertext
under a key kept outside the database (ballots.vote_keys), and is moved to `Vote` once, at
closing, in one shuffled mix (ballots.counting): the tally table's ids and transaction ids
say nothing about which voter came when, and no batch places a vote in time. A secret vote
carries no region, only its reporting group (at least K electors), and only when that
breakdown may be published.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ledenstem_verify.rules import Base, Majority, Role
from members.models import Region


class ElectorateKind(models.TextChoices):
    MEMBERS = "members", _("leden (één lid, één stem)")
    AMBASSADORS = "ambassadors", _("ambassadeurs (gewogen per regio)")


class Secrecy(models.TextChoices):
    SECRET = "secret", _("geheim")
    NAMED = "named", _("hoofdelijk")


class ResultVisibility(models.TextChoices):
    BOARD = "board", _("alleen het bestuur ziet de tussenstand")
    EVERYONE = "everyone", _("iedereen ziet de tussenstand")
    CLOSED = "closed", _("niemand tot de sluiting")


class BallotKind(models.TextChoices):
    """What the voter does and how it is counted (ballots.kinds, ledenstem_verify.methods)."""

    PROPOSAL = "proposal", _("voorstel: voor / tegen / onthouding")
    SINGLE = "single", _("één van meerdere opties")
    APPROVAL = "approval", _("goedkeuring: kies er ten hoogste k")
    RANKED = "ranked", _("rangschikking: zet de opties op volgorde")
    ELECTION = "election", _("verkiezing van personen")


class BallotStatus(models.TextChoices):
    DRAFT = "draft", _("concept")
    SCHEDULED = "scheduled", _("gepland")
    OPEN = "open", _("open")
    CLOSED = "closed", _("gesloten")
    CERTIFIED = "certified", _("vastgesteld")


class Ballot(models.Model):
    question = models.CharField(_("vraag"), max_length=300)
    description = models.TextField(_("toelichting (Markdown)"), blank=True)
    read_first_questions = models.ManyToManyField(
        "faq.Question", blank=True, related_name="ballots", verbose_name=_("lees eerst: FAQ")
    )
    read_first_papers = models.ManyToManyField(
        "faq.PositionPaper",
        blank=True,
        related_name="ballots",
        verbose_name=_("lees eerst: standpunten"),
    )
    kind = models.CharField(
        _("soort stemming"), max_length=10, choices=BallotKind, default=BallotKind.PROPOSAL
    )
    # single: absolute majority, else a second round between the two leading options
    runoff = models.BooleanField(
        _("tweede ronde als niemand een volstrekte meerderheid heeft"), default=False
    )
    # election: rank the candidates (instant runoff / STV) instead of approving up to k
    ranked_election = models.BooleanField(_("kandidaten rangschikken"), default=False)
    seats = models.PositiveSmallIntegerField(_("aantal zetels of winnaars"), default=1)
    max_choices = models.PositiveSmallIntegerField(
        _("ten hoogste zoveel keuzes"), null=True, blank=True, help_text=_("Leeg: alle opties.")
    )
    runoff_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="second_rounds",
        verbose_name=_("tweede ronde van"),
    )
    # Motions with amendments (ballots.motions): the motion's text; an amendment points at
    # its motion and replaces one passage (empty: adds its text at the end).
    motion_text = models.TextField(_("tekst van de motie"), blank=True)
    amends = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
        verbose_name=_("amendement op de motie"),
    )
    amendment_find = models.TextField(_("te vervangen passage"), blank=True)
    amendment_replace = models.TextField(_("nieuwe tekst"), blank=True)
    # Written when a motion opens: its text with every adopted amendment applied.
    final_text = models.TextField(_("tekst waarover gestemd wordt"), blank=True, editable=False)
    # Lots for ties (ledenstem_verify.methods.lot_order): made at opening, recorded in the ledger.
    lot_seed = models.CharField(max_length=64, blank=True, editable=False)
    electorate = models.CharField(
        _("kiezers"), max_length=16, choices=ElectorateKind, default=ElectorateKind.MEMBERS
    )
    regions = models.ManyToManyField(
        Region,
        blank=True,
        related_name="+",
        verbose_name=_("alleen deze regio's"),
        help_text=_("Leeg: alle regio's."),
    )
    secrecy = models.CharField(
        _("geheimhouding"), max_length=8, choices=Secrecy, default=Secrecy.SECRET
    )
    result_visibility = models.CharField(
        _("tussenstand zichtbaar"),
        max_length=10,
        choices=ResultVisibility,
        default=ResultVisibility.CLOSED,
    )
    majority = models.CharField(
        _("meerderheid"),
        max_length=10,
        choices=[
            (Majority.SIMPLE, _("gewoon: meer voor dan tegen")),
            (Majority.ABSOLUTE, _("volstrekt: meer dan 50% van de basis")),
            (Majority.QUALIFIED, _("gekwalificeerd: ten minste 2/3 van de basis")),
        ],
        default=Majority.SIMPLE,
    )
    base = models.CharField(
        _("basis"),
        max_length=8,
        choices=[
            (Base.VALID, _("geldige stemmen zonder onthoudingen")),
            (Base.CAST, _("alle uitgebrachte stemmen")),
            (Base.PRESENT, _("alle aanwezigen, ook wie niet stemde")),
        ],
        default=Base.VALID,
    )
    quorum_percent = models.DecimalField(
        _("quorum (% van het gewogen electoraat)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Leeg: geen quorum."),
    )
    proxies_allowed = models.BooleanField(_("volmachten toegestaan"), default=False)
    max_proxies_held = models.PositiveSmallIntegerField(_("max. volmachten per persoon"), default=1)
    vote_change_allowed = models.BooleanField(_("stem wijzigen tot sluiting"), default=False)
    vote_splitting = models.BooleanField(_("stemgewicht splitsen toegestaan"), default=False)
    attendance_required = models.BooleanField(_("alleen aanwezigen stemmen"), default=False)
    advises = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultations",
        verbose_name=_("raadpleging bij ambassadeursstemming"),
    )
    opens_at = models.DateTimeField(_("opent"))
    closes_at = models.DateTimeField(_("sluit"))
    status = models.CharField(
        _("status"), max_length=10, choices=BallotStatus, default=BallotStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reminder_sent = models.BooleanField(_("herinnering verstuurd"), default=False)
    # Members can always download the ballot box of a counted ballot; public means anyone
    # can, without an account (an auditor, the press). The board decides per ballot.
    box_public = models.BooleanField(_("stembus openbaar"), default=False)
    # Secret ballots: the id of the key file that encrypts pending votes (never the key).
    vote_key_id = models.CharField(max_length=32, blank=True, editable=False)
    # Written once, when the count after closing is done: the final ledger head and the
    # tally it seals. A closed ballot without them is still being counted.
    final_seal = models.CharField(_("eindzegel"), max_length=64, blank=True)
    final_result = models.JSONField(_("einduitslag"), null=True, blank=True)

    class Meta:
        verbose_name = _("stemming")
        verbose_name_plural = _("stemmingen")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="ballot_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(vote_change_allowed=False) | Q(secrecy="named"),
                name="vote_change_only_named",
            ),
            models.CheckConstraint(
                condition=Q(vote_splitting=False) | Q(electorate="ambassadors"),
                name="splitting_only_weighted",
            ),
            # Counting on those present needs to know who is present: only at a ballot that
            # admits only those present (an assembly's check-in).
            models.CheckConstraint(
                condition=~Q(base="present") | Q(attendance_required=True),
                name="base_present_needs_attendance",
            ),
            models.CheckConstraint(
                condition=Q(quorum_percent__isnull=True)
                | (Q(quorum_percent__gte=0) & Q(quorum_percent__lte=100)),
                name="quorum_is_a_percentage",
            ),
            models.CheckConstraint(condition=Q(max_proxies_held__gte=1), name="proxies_held_min_1"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="seats_min_1"),
            models.CheckConstraint(
                condition=Q(vote_splitting=False) | Q(kind="proposal"),
                name="splitting_only_proposals",
                violation_error_message=_("Stemgewicht splitsen kan alleen bij een voorstel."),
            ),
            # Known weights make per-choice weight totals a subset-sum puzzle with one solution
            # (issue #12): a weighted (ambassador) ballot is always a roll call.
            models.CheckConstraint(
                condition=Q(secrecy="named") | Q(electorate="members"),
                name="secret_only_unweighted",
                violation_error_message=_(
                    "Een stemming van ambassadeurs (gewogen) is altijd hoofdelijk: bij bekende "
                    "gewichten verraden de totalen per keuze wie wat stemde."
                ),
            ),
            # A secret ballot shows no tally before closing: two views at two moments would
            # differ by the votes cast in between.
            models.CheckConstraint(
                condition=Q(secrecy="named") | Q(result_visibility="closed"),
                name="secret_tally_only_after_closing",
                violation_error_message=_(
                    "Bij een geheime stemming ziet niemand een tussenstand: kies 'niemand tot "
                    "de sluiting'."
                ),
            ),
        ]
        permissions = [
            ("manage_ballot", _("Stemmingen plannen, openen en sluiten")),
            ("export_results", _("Uitslagen exporteren")),
        ]

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("ballots:detail", args=[self.pk])

    @property
    def is_secret(self) -> bool:
        return self.secrecy == Secrecy.SECRET

    @property
    def is_weighted(self) -> bool:
        return self.electorate == ElectorateKind.AMBASSADORS

    @property
    def is_proposal(self) -> bool:
        return self.kind == BallotKind.PROPOSAL

    @property
    def input_shape(self) -> str:
        """What a vote is: "one" choice, a set of "many", or an "order" of the options."""
        if self.kind == BallotKind.APPROVAL or (
            self.kind == BallotKind.ELECTION and not self.ranked_election
        ):
            return "many"
        if self.kind == BallotKind.RANKED or self.kind == BallotKind.ELECTION:
            return "order"
        return "one"

    @property
    def is_counted(self) -> bool:
        """Closed and the count after closing is done (the result may be shown)."""
        return self.final_result is not None


OPTION = "option"  # the role of every choice of a kind other than a proposal


class Choice(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(_("keuze"), max_length=100)
    role = models.CharField(
        _("telt als"),
        max_length=8,
        choices=[
            (Role.FOR, _("voor")),
            (Role.AGAINST, _("tegen")),
            (Role.ABSTAIN, _("onthouding")),
            (OPTION, _("optie of kandidaat")),
        ],
    )
    order = models.PositiveSmallIntegerField(default=0)
    statement = models.TextField(_("korte toelichting van de kandidaat"), blank=True)

    class Meta:
        verbose_name = _("keuze")
        verbose_name_plural = _("keuzes")
        ordering = ["ballot", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "label"], name="choice_label_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class ReportingGroup(models.Model):
    """Secret ballots: a set of regions with at least K electors, frozen at opening
    (ledenstem_verify.reporting_groups). The finest breakdown a secret result ever has."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="reporting_groups")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=1000)
    regions = models.ManyToManyField(Region, related_name="+")

    class Meta:
        ordering = ["ballot", "number"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "number"], name="group_number_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Elector(models.Model):
    """One person entitled to vote in one ballot, frozen when the ballot opens."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="electors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    weight = models.PositiveIntegerField()
    present = models.BooleanField(_("aanwezig"), default=False)
    group = models.ForeignKey(
        ReportingGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="electors"
    )

    class Meta:
        verbose_name = _("kiezer")
        verbose_name_plural = _("kiezers")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "user"], name="one_elector_per_user"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="elector_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.region}, {self.weight})"


class Participation(models.Model):
    """That an elector voted (never what). The unique constraint is the one-vote rule."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="participations")
    elector = models.ForeignKey(Elector, on_delete=models.PROTECT, related_name="+")
    cast_by = models.ForeignKey(
        Elector,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("De volmachthouder, als de stem bij volmacht is uitgebracht."),
    )
    # Voted on paper or by show of hands (ballots.paper): such an elector can never vote
    # online afterwards, not even where a vote may be changed.
    on_paper = models.BooleanField(default=False, db_default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "elector"], name="one_vote_per_elector"),
        ]

    def __str__(self) -> str:
        return f"{self.elector} voted in {self.ballot_id}"


class PendingVote(models.Model):
    """A secret vote between its casting and the count at closing: ciphertext only
    (ballots.vote_keys), so a dump taken while voting is open links no voter to a choice."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="+")
    sealed = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["ballot"])]

    def __str__(self) -> str:
        return f"pending vote in {self.ballot_id}"


class Vote(models.Model):
    """A counted vote: choice, weight, receipt hash. Secret ballots: written by the count at
    closing, no elector, no region, a reporting group only when the breakdown is published.
    Named ballots: written by the voter's transaction with the elector and region (the roll
    call is public after closing)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="+")
    choice = models.ForeignKey(Choice, on_delete=models.PROTECT, related_name="+")
    weight = models.PositiveIntegerField()
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        ReportingGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receipt_hash = models.CharField(max_length=64)
    # Ranked kinds: the voter's order of choice ids (`choice` is the first preference).
    ranking = models.JSONField(null=True, blank=True)
    elector = models.ForeignKey(
        Elector, null=True, blank=True, on_delete=models.PROTECT, related_name="votes"
    )
    cast_by_proxy = models.BooleanField(default=False)
    # Named ballots with vote change: a replaced vote stays, marked withdrawn, and the sealer
    # records the withdrawal in the ledger.
    withdrawn = models.BooleanField(default=False)
    withdrawal_entry = models.OneToOneField(
        "LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ledger_entry = models.OneToOneField(
        "LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="vote"
    )

    class Meta:
        indexes = [models.Index(fields=["ballot", "choice"]), models.Index(fields=["receipt_hash"])]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="vote_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"vote {self.pk} in {self.ballot_id}: {self.choice_id} x {self.weight}"


class Proxy(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="proxies")
    grantor = models.ForeignKey(Elector, on_delete=models.PROTECT, related_name="proxies_given")
    holder = models.ForeignKey(Elector, on_delete=models.PROTECT, related_name="proxies_held")
    revoked = models.BooleanField(default=False)
    used = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("volmacht")
        verbose_name_plural = _("volmachten")
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "grantor"],
                condition=Q(revoked=False),
                name="one_active_proxy_per_grantor",
            ),
            models.CheckConstraint(
                condition=~Q(grantor=models.F("holder")), name="no_proxy_to_self"
            ),
        ]

    def __str__(self) -> str:
        return f"proxy {self.grantor_id} -> {self.holder_id} in {self.ballot_id}"


class LedgerEntry(models.Model):
    """One event in a ballot's hash chain: hash = sha256(previous hash + canonical entry)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="ledger")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=24)
    payload = models.JSONField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    recorded_on = models.DateField()

    class Meta:
        ordering = ["ballot", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "seq"], name="ledger_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id}#{self.seq} {self.kind}"


class Approval(models.Model):
    """A board member's approval of a closed ballot's result; two different ones certify it."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="approvals")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("goedkeuring")
        verbose_name_plural = _("goedkeuringen")
        ordering = ["approved_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "approver"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_active_approval_per_board_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.approver} keurt {self.ballot_id} goed"


class ResultDocument(models.Model):
    """The signed proces-verbaal: stored once, never overwritten."""

    ballot = models.OneToOneField(Ballot, on_delete=models.PROTECT, related_name="document")
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64, unique=True)
    seal = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    development_certificate = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("proces-verbaal")
        verbose_name_plural = _("processen-verbaal")

    def __str__(self) -> str:
        return f"proces-verbaal {self.ballot_id} ({self.sha256[:12]})"


class PaperTallyKind(models.TextChoices):
    PAPER = "paper", _("stembiljetten op papier")
    HANDS = "hands", _("handopsteken")


class PaperTally(models.Model):
    """Votes counted in the hall (paper ballots or a show of hands), entered by one board
    member and confirmed by another before they count (ballots.paper). `electors` are the
    electors who voted this way: at confirmation they are marked as voted, so nobody counts
    twice; `lines` are the counted totals per choice: [{"choice", "votes", "weight"}]."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="paper_tallies")
    kind = models.CharField(_("soort"), max_length=8, choices=PaperTallyKind)
    electors = models.ManyToManyField(Elector, related_name="+")
    lines = models.JSONField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    discarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["ballot", "entered_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | Q(discarded_at__isnull=True),
                name="paper_tally_confirmed_or_discarded",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=models.F("entered_by")),
                name="paper_tally_second_board_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} tally {self.pk} of {self.ballot_id}"

    @property
    def pending(self) -> bool:
        return self.confirmed_at is None and self.discarded_at is None
