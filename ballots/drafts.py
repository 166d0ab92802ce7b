"""The board's drafts: create, update, duplicate and delete, from checked definitions
(ballots.definitions). Schedule, open and close stay in ballots.services.

Every function runs in one transaction and either does all of its work or raises a
BallotError whose Dutch message says why. Only a draft changes here: a ballot that has been
scheduled or opened is the ledger's (and the electorate's) from then on.
"""

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ballots.definitions import Checked, check, model_has, to_dict
from ballots.errors import NotEditable
from ballots.models import OPTION, Ballot, BallotStatus, Choice, Elector, LedgerEntry

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DEFAULT_DURATION = datetime.timedelta(days=7)


def placeholder_dates(duration: datetime.timedelta = DEFAULT_DURATION, *, now=None):
    """A week from now at 09:00 in Amsterdam, for `duration`: a new draft needs dates (the
    model's columns are required) and these are never in the past; the board sets the real
    ones in the workspace before scheduling."""
    now = now or timezone.now()
    day = (now.astimezone(AMSTERDAM) + datetime.timedelta(days=7)).date()
    opens = datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=AMSTERDAM)
    return opens, opens + max(duration, datetime.timedelta(minutes=5))


def date_problems(opens_at, closes_at, *, now=None) -> dict[str, str]:
    """{field: Dutch message} for opening and closing times that make no sense."""
    now = now or timezone.now()
    problems = {}
    if opens_at is not None and opens_at < now - datetime.timedelta(minutes=1):
        problems["opens_at"] = _(
            "Het openingstijdstip ligt in het verleden: kies een moment vanaf nu (of open de "
            "stemming later op de beheerpagina met 'nu openen')."
        )
    if closes_at is not None and closes_at <= now:
        problems["closes_at"] = _(
            "Het sluitingstijdstip ligt in het verleden: kies een later moment."
        )
    elif opens_at is not None and closes_at is not None and closes_at <= opens_at:
        problems["closes_at"] = _("De stemming moet sluiten na de opening: kies een later moment.")
    return problems


def _apply(ballot: Ballot, checked: Checked) -> None:
    d = checked.definition
    for name in (
        "question",
        "description",
        "electorate",
        "secrecy",
        "result_visibility",
        "majority",
        "base",
        "quorum_percent",
        "proxies_allowed",
        "max_proxies_held",
        "vote_change_allowed",
        "vote_splitting",
        "attendance_required",
    ):
        setattr(ballot, name, d[name])
    # Until the model has `kind` and the kinds' settings, a proposal has none to store.
    if model_has("kind"):
        ballot.kind = d["kind"]
    for name, value in d["settings"].items():
        if model_has(name):
            setattr(ballot, name, value)


def _write_related(ballot: Ballot, checked: Checked) -> None:
    keys = [key for key in checked.kind.option_keys if model_has(key, Choice)]
    ballot.choices.all().delete()  # a draft has no votes: its choices are replaced as a whole
    Choice.objects.bulk_create(
        Choice(
            ballot=ballot,
            order=order,
            # Options of every kind but a proposal count as themselves (no voor/tegen role).
            **{"role": OPTION, **{key: option[key] for key in keys}},
        )
        for order, option in enumerate(checked.definition["options"])
    )
    ballot.regions.set(checked.regions)
    ballot.read_first_questions.set(checked.questions)
    ballot.read_first_papers.set(checked.papers)


def create_draft(checked: Checked, *, by=None, opens_at=None, closes_at=None) -> Ballot:
    if opens_at is None or closes_at is None:
        opens_at, closes_at = placeholder_dates()
    with transaction.atomic():
        ballot = Ballot(
            status=BallotStatus.DRAFT, created_by=by, opens_at=opens_at, closes_at=closes_at
        )
        _apply(ballot, checked)
        ballot.full_clean(exclude=["created_by"], validate_unique=False)
        ballot.save()
        _write_related(ballot, checked)
    return ballot


def update_draft(ballot: Ballot, checked: Checked, *, opens_at, closes_at) -> Ballot:
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
        _refuse_unless_draft(
            ballot,
            _(
                "Alleen een concept kan bewerkt worden; deze stemming is %(status)s. Dupliceer "
                "haar om een nieuw concept te maken."
            ),
        )
        _apply(ballot, checked)
        ballot.opens_at, ballot.closes_at = opens_at, closes_at
        ballot.save()
        _write_related(ballot, checked)
    return ballot


def duplicate(ballot: Ballot, *, by=None) -> Ballot:
    """A new draft with the same definition. The dates are kept when both are still ahead,
    else moved to the placeholder week with the same duration (never in the past)."""
    checked = check(to_dict(ballot))
    opens_at, closes_at = ballot.opens_at, ballot.closes_at
    if opens_at <= timezone.now():
        opens_at, closes_at = placeholder_dates(closes_at - opens_at)
    return create_draft(checked, by=by, opens_at=opens_at, closes_at=closes_at)


def delete_draft(ballot: Ballot) -> None:
    """Delete a draft. A ballot that was ever scheduled or opened stays: its ledger and
    electorate are the record of what happened (checked under a row lock, so a crafted POST
    racing 'nu openen' cannot delete a ballot that opens meanwhile)."""
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
        _refuse_unless_draft(
            ballot,
            _(
                "Alleen een concept kan verwijderd worden; deze stemming is %(status)s. "
                "Dupliceer haar om een nieuw concept te maken."
            ),
        )
        if (
            Elector.objects.filter(ballot=ballot).exists()
            or LedgerEntry.objects.filter(ballot=ballot).exists()
        ):
            raise NotEditable(_("Deze stemming is al eens gepland of geopend en blijft bewaard."))
        ballot.choices.all().delete()
        ballot.delete()


def _refuse_unless_draft(ballot: Ballot, message: str) -> None:
    """`message` is whole sentences per action (a translator needs the sentence, not a verb
    to fit into one), with %(status)s."""
    if ballot.status != BallotStatus.DRAFT:
        raise NotEditable(message % {"status": ballot.get_status_display()})


def set_amended_motion(ballot: Ballot, motion: Ballot | None) -> Ballot:
    """Link an amendment to the motion it amends (workspace only: a ballot id does not travel
    in a definition file). A ballot cannot amend itself, and a motion has no motion above it."""
    if motion is not None and (motion.pk == ballot.pk or ballot.motion_text):
        motion = None
    if ballot.amends_id != (motion.pk if motion else None):
        ballot.amends = motion
        ballot.save(update_fields=["amends"])
    return ballot
