"""Votes counted in the hall: paper ballots and a show of hands (issue #15, item 5).

One board member enters the count: which electors voted this way (by membership number) and
the totals per choice (with weights for ambassadors); a second board member confirms it
before it counts. At confirmation, under the ballot's vote gate, every listed elector gets
a Participation marked `on_paper`: an online vote by any of them before that makes the
confirmation fail as a whole (nothing counts, the board corrects the count), and an online
vote after it is refused, even where votes may be changed. The confirmed count goes into the
ledger ("paper_votes"); the tally, the result, the documents and the ballot box show it apart.

Rules:
- only while the ballot is open, and only for a ballot whose vote is one choice (a proposal or
  one of several options; approval and ranked votes are not counted by hand);
- a show of hands is public, so never for a secret ballot; paper ballots of a secret ballot
  need at least K voters (REPORTING_GROUP_MINIMUM), or the count would show their choices;
- the totals add up: the votes to the number of listed electors, the weights to their
  weights (every line's weight at least its votes, and equal to them for one-member-one-vote);
- an elector appears in one count only and may not have voted online.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ballots import ledger
from ballots.errors import BallotError
from ballots.live import marks as live
from ballots.locks import vote_gate
from ballots.models import (
    Ballot,
    BallotStatus,
    Elector,
    PaperTally,
    PaperTallyKind,
    Participation,
)
from members.roles import is_board


class PaperRefused(BallotError):
    pass


@dataclass(frozen=True)
class Line:
    choice_id: int
    votes: int
    weight: int


def _check_board(user) -> None:
    if not is_board(user):
        raise PaperRefused(_("Alleen bestuursleden kunnen stemmen uit de zaal invoeren."))


def _check_open(ballot: Ballot) -> None:
    if ballot.status != BallotStatus.OPEN or timezone.now() >= ballot.closes_at:
        raise PaperRefused(
            _(
                "Stemmen uit de zaal tellen alleen mee zolang de stemming open is; voer ze in en "
                "laat ze bevestigen vóór de sluiting."
            )
        )


def check_lines(ballot: Ballot, electors: list[Elector], lines: list[Line]) -> None:
    choices = set(ballot.choices.values_list("pk", flat=True))
    seen = set()
    for line in lines:
        if line.choice_id not in choices:
            raise PaperRefused(_("Een regel noemt een keuze die niet bij deze stemming hoort."))
        if line.choice_id in seen:
            raise PaperRefused(_("Elke keuze komt maar één keer in de telling voor."))
        seen.add(line.choice_id)
        if line.votes < 0 or line.weight < 0:
            raise PaperRefused(_("Aantallen en stemgewichten zijn gehele getallen van 0 of meer."))
        if line.weight < line.votes or (not ballot.is_weighted and line.weight != line.votes):
            raise PaperRefused(
                _(
                    "Het stemgewicht van een keuze past niet bij het aantal stemmen: bij één lid "
                    "één stem is het gelijk, anders ten minste het aantal stemmen."
                )
            )
    votes = sum(line.votes for line in lines)
    weight = sum(line.weight for line in lines)
    if votes != len(electors):
        raise PaperRefused(
            _(
                "De telling telt %(votes)s stemmen, maar er zijn %(electors)s kiezers opgegeven "
                "die zo stemden: die moeten gelijk zijn."
            )
            % {"votes": votes, "electors": len(electors)}
        )
    if weight != sum(e.weight for e in electors):
        raise PaperRefused(
            _(
                "De telling telt stemgewicht %(weight)s, maar de opgegeven kiezers hebben samen "
                "stemgewicht %(electors)s."
            )
            % {"weight": weight, "electors": sum(e.weight for e in electors)}
        )


def enter(
    *, ballot: Ballot, kind: str, electors: list[Elector], lines: list[Line], by
) -> PaperTally:
    """The first board member's entry; it counts only once another one confirms it."""
    _check_board(by)
    if kind not in PaperTallyKind.values:
        raise PaperRefused(_("Onbekende soort telling."))
    with transaction.atomic():
        # One entry at a time per ballot (the "already in another count" check); NO KEY
        # UPDATE, so votes (whose foreign keys take KEY SHARE on this row) are not held up.
        ballot = Ballot.objects.select_for_update(no_key=True).get(pk=ballot.pk)
        _check_open(ballot)
        if ballot.input_shape != "one":
            raise PaperRefused(
                _(
                    "Alleen een stemming met één keuze per kiezer (een voorstel of één van "
                    "meerdere opties) kan in de zaal worden geteld."
                )
            )
        if kind == PaperTallyKind.HANDS and ballot.is_secret:
            raise PaperRefused(
                _("Handopsteken is openbaar en kan dus niet bij een geheime stemming.")
            )
        if not electors:
            raise PaperRefused(_("Geef op welke kiezers in de zaal stemden."))
        if len({e.pk for e in electors}) != len(electors):
            raise PaperRefused(_("Een kiezer staat twee keer in de lijst."))
        if any(e.ballot_id != ballot.pk for e in electors):
            raise PaperRefused(_("Een opgegeven persoon is geen kiezer bij deze stemming."))
        minimum = settings.REPORTING_GROUP_MINIMUM
        if ballot.is_secret and len(electors) < minimum:
            raise PaperRefused(
                _(
                    "Bij een geheime stemming telt een papieren telling pas met ten minste "
                    "%(minimum)s kiezers: anders is te herleiden wat zij stemden."
                )
                % {"minimum": minimum}
            )
        ids = [e.pk for e in electors]
        voted = Participation.objects.filter(ballot=ballot, elector_id__in=ids)
        if voted.exists():
            raise PaperRefused(_names("Al gestemd", voted.values_list("elector_id", flat=True)))
        pending = PaperTally.objects.filter(
            ballot=ballot, confirmed_at__isnull=True, discarded_at__isnull=True, electors__in=ids
        )
        if pending.exists():
            raise PaperRefused(
                _(
                    "Een opgegeven kiezer staat al in een andere telling die nog op bevestiging "
                    "wacht."
                )
            )
        check_lines(ballot, electors, lines)
        tally = PaperTally.objects.create(
            ballot=ballot,
            kind=kind,
            lines=[
                {"choice": line.choice_id, "votes": line.votes, "weight": line.weight}
                for line in lines
                if line.votes
            ],
            entered_by=by,
            entered_at=timezone.now(),
        )
        tally.electors.set(electors)
    return tally


def _names(head: str, elector_ids) -> str:
    names = [
        e.user.get_full_name()
        for e in Elector.objects.filter(pk__in=list(elector_ids)).select_related("user")[:5]
    ]
    return f"{head}: {', '.join(names)}. Zij kunnen niet ook in de zaal meetellen."


def confirm(*, tally: PaperTally, by) -> PaperTally:
    """The second board member's confirmation: the electors are marked as voted (all or
    none) and the count goes into the ledger."""
    _check_board(by)
    with transaction.atomic():
        vote_gate(tally.ballot_id)
        # Only the count's row: FOR UPDATE on the ballot's row (what select_related would
        # lock too) blocks every vote's foreign-key check and deadlocks with a vote whose
        # Participation this confirmation waits for (found on PostgreSQL by the race test).
        tally = (
            PaperTally.objects.select_for_update(of=("self",))
            .select_related("ballot")
            .get(pk=tally.pk)
        )
        ballot = tally.ballot
        if not tally.pending:
            raise PaperRefused(_("Deze telling is al bevestigd of verworpen."))
        if tally.entered_by_id == by.pk:
            raise PaperRefused(
                _("Een tweede bestuurslid moet de telling bevestigen, niet wie haar invoerde.")
            )
        _check_open(ballot)
        electors = list(tally.electors.all())
        try:
            with transaction.atomic():
                Participation.objects.bulk_create(
                    Participation(ballot=ballot, elector=e, on_paper=True) for e in electors
                )
        except IntegrityError:
            voted = Participation.objects.filter(
                ballot=ballot, elector_id__in=[e.pk for e in electors]
            )
            raise PaperRefused(
                _names("Intussen online gestemd", voted.values_list("elector_id", flat=True))
                + " Verwerp deze telling en voer haar opnieuw in zonder hen."
            ) from None
        tally.confirmed_by = by
        tally.confirmed_at = timezone.now()
        tally.save(update_fields=["confirmed_by", "confirmed_at"])
        ledger.record(ballot, "paper_votes", ledger_payload(tally, electors))
        live.announce(ballot.pk)
    return tally


def ledger_payload(tally: PaperTally, electors: list[Elector]) -> dict:
    """What the ledger and the ballot box hold of a confirmed count. Named ballots list the
    electors (they are in the roll call anyway); secret ones only how many."""
    ballot = tally.ballot
    payload = {
        "tally": tally.pk,
        "kind": tally.kind,
        "lines": [[line["choice"], line["votes"], line["weight"]] for line in tally.lines],
        "entered_by": tally.entered_by_id,
        "confirmed_by": tally.confirmed_by_id,
    }
    if ballot.is_secret:
        payload["voters"] = len(electors)
    else:
        payload["electors"] = sorted(e.pk for e in electors)
    return payload


def discard(*, tally: PaperTally, by) -> PaperTally:
    _check_board(by)
    with transaction.atomic():
        tally = PaperTally.objects.select_for_update().get(pk=tally.pk)
        if not tally.pending:
            raise PaperRefused(_("Deze telling is al bevestigd of verworpen."))
        tally.discarded_by = by
        tally.discarded_at = timezone.now()
        tally.save(update_fields=["discarded_by", "discarded_at"])
    return tally


def confirmed_lines(ballot: Ballot) -> dict[int, tuple[int, int]]:
    """choice id -> (votes, weight) of every confirmed count of this ballot."""
    totals: dict[int, tuple[int, int]] = {}
    for tally in PaperTally.objects.filter(ballot=ballot, confirmed_at__isnull=False):
        for line in tally.lines:
            votes, weight = totals.get(line["choice"], (0, 0))
            totals[line["choice"]] = (votes + line["votes"], weight + line["weight"])
    return totals
