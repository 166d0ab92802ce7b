"""Counting a closed ballot: the one mix of a secret ballot, the final seal, the result.

Runs after `services.stop_voting` has committed, so no vote can arrive and no lock stops
anyone from voting elsewhere. Work happens in bounded transactions (MIX_BATCH votes each,
under the ballot's ledger lock), so memory and lock time stay flat from 100 to 100,000 votes,
and a count interrupted by a crash simply continues where it stopped (the worker's tick looks
for closed ballots without a result).

The mix (secret ballots): the pending votes' ids are read once and shuffled (the operating
system's randomness); each transaction takes the next MIX_BATCH of that order (so a uniformly
random sample of the remaining votes), decrypts them with the ballot's key, shuffles them, and
writes the ledger entries and then the Vote rows (already pointing at their entries: no UPDATE,
so no second row version) in that order, and deletes the pending rows. After closing everyone
who voted is known, so a random split into transactions tells nothing; the Vote ids, xmin and
physical order follow the shuffle, not the voters. A vote keeps its reporting group only if the
breakdown may be published (tally.secret_breakdown): otherwise no row, entry or export of it
carries one. When the result is recorded, the key file is deleted: the dead pending tuples and
any dump taken while voting was open become unreadable for good.
"""

import logging
import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from ballots import bulk_copy, ledger, vote_keys
from ballots.errors import BallotError
from ballots.live import marks as live
from ballots.locks import ledger_lock
from ballots.models import Ballot, BallotStatus, Participation, PendingVote, Vote
from ballots.sealing import append_seal, seal_named, vote_payload

logger = logging.getLogger(__name__)
_random = secrets.SystemRandom()
# Votes per transaction of the count: voting has stopped, so the batch is sized for memory
# and throughput, not for anyone waiting on the ledger lock.
MIX_BATCH = 5000


class CountRefused(BallotError):
    """The box does not match what the ledger and participations say: nothing is counted."""


def count(ballot: Ballot) -> Ballot:
    """Count a closed ballot (idempotent: a counted ballot is returned as it is)."""
    from ballots.tally import secret_breakdown

    ballot = Ballot.objects.get(pk=ballot.pk)
    if ballot.status != BallotStatus.CLOSED or ballot.is_counted:
        return ballot
    if ballot.is_secret:
        _check_box(ballot)
        keep_groups, _reason = secret_breakdown(ballot)
        # Until nothing is pending: a second pass only finds votes another count left.
        while order := _pending_in_random_order(ballot):
            for start in range(0, len(order), MIX_BATCH):
                _mix_batch(ballot, order[start : start + MIX_BATCH], keep_groups=keep_groups)
    else:
        while seal_named(ballot, limit=MIX_BATCH):
            pass
    return _record_result(ballot)


def _check_box(ballot: Ballot) -> None:
    """Every participation left exactly one encrypted vote (or, after an interrupted count,
    its counted rows): more or fewer means rows were added or removed behind our back."""
    voted = Participation.objects.filter(ballot=ballot, on_paper=False).count()
    pending = PendingVote.objects.filter(ballot=ballot).count()
    counted = Vote.objects.filter(ballot=ballot).values("receipt_hash").distinct().count()
    if pending + counted != voted:
        raise CountRefused(
            _(
                "De stembus klopt niet: %(voted)s kiezers stemden, maar er zijn %(pending)s "
                "ongetelde en %(counted)s getelde stemmen. Er is niets geteld."
            )
            % {"voted": voted, "pending": pending, "counted": counted}
        )


def _pending_in_random_order(ballot: Ballot) -> list[int]:
    """Every pending vote's id, shuffled. Read once per count, not once per batch: each
    batch re-reading the remaining ids walked the index past every row the batches before
    it had deleted (not yet vacuumed), so the count grew faster than the box."""
    order = list(PendingVote.objects.filter(ballot=ballot).values_list("pk", flat=True))
    _random.shuffle(order)
    return order


def _mix_batch(ballot: Ballot, chosen: list[int], *, keep_groups: bool) -> None:
    with transaction.atomic():
        ledger_lock(ballot.pk)
        choices = set(ballot.choices.values_list("pk", flat=True))
        groups = set(ballot.reporting_groups.values_list("pk", flat=True))
        votes = []
        for row in PendingVote.objects.filter(pk__in=chosen).only("sealed").iterator():
            votes += _votes_of(ballot, row, choices, groups, keep_groups)
        _random.shuffle(votes)
        entries = ledger.append(ballot, [("vote", vote_payload(v)) for v in votes])
        for vote, entry in zip(votes, entries, strict=True):
            vote.ledger_entry = entry
        _insert_votes(votes)
        # Only what was read in this transaction: a count running beside this one may have
        # taken some of `chosen` already (it held the lock first), and those are gone.
        PendingVote.objects.filter(pk__in=chosen).delete()


VOTE_COLUMNS = [
    "ballot_id",
    "choice_id",
    "weight",
    "region_id",
    "group_id",
    "receipt_hash",
    "ranking",
    "elector_id",
    "cast_by_proxy",
    "withdrawn",
    "withdrawal_entry_id",
    "ledger_entry_id",
]


def _insert_votes(votes: list[Vote]) -> None:
    if not bulk_copy.use_copy(len(votes)):
        Vote.objects.bulk_create(votes, batch_size=1000)
        return
    # In the shuffled order, ids from the sequence: the physical order follows the shuffle.
    ids = bulk_copy.next_ids(Vote, len(votes))
    bulk_copy.copy_rows(
        Vote,
        ["id", *VOTE_COLUMNS],
        [(pk, *(getattr(v, c) for c in VOTE_COLUMNS)) for pk, v in zip(ids, votes, strict=True)],
    )


def _votes_of(ballot, row, choices: set, groups: set, keep_groups: bool) -> list[Vote]:
    try:
        data = vote_keys.open_sealed(ballot.vote_key_id, ballot.pk, row.sealed)
    except ValueError:
        raise CountRefused(
            _(
                "Een versleutelde stem is gewijzigd of hoort niet bij deze stemming; er is niets "
                "geteld."
            )
        ) from None
    group = data.get("group")
    if group is not None and group not in groups:
        raise CountRefused(_("Een stem noemt een groep die niet bij deze stemming hoort."))
    ranking = data.get("ranking")
    if ranking is not None and not (
        isinstance(ranking, list) and ranking and all(r in choices for r in ranking)
    ):
        raise CountRefused(_("Een rangschikking noemt een keuze die niet bij deze stemming hoort."))
    votes = []
    for choice_id, weight in data["parts"]:
        if choice_id not in choices or not isinstance(weight, int) or weight <= 0:
            raise CountRefused(_("Een stem noemt een keuze die niet bij deze stemming hoort."))
        votes.append(
            Vote(
                ballot=ballot,
                choice_id=choice_id,
                weight=weight,
                ranking=ranking,
                group_id=group if keep_groups else None,
                receipt_hash=data["receipt"],
            )
        )
    return votes


def _record_result(ballot: Ballot) -> Ballot:
    from ballots.tally import result_summary

    with transaction.atomic():
        ledger_lock(ballot.pk)
        ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if ballot.is_counted:
            return ballot
        if PendingVote.objects.filter(ballot=ballot).exists():
            raise CountRefused(_("Er staan nog ongetelde stemmen klaar; de telling loopt nog."))
        summary = result_summary(ballot)
        append_seal(ballot)
        ledger.append(ballot, [("counted", {"result": summary})])
        ballot.final_result = summary
        ballot.final_seal = ledger.head(ballot)[1]
        ballot.save(update_fields=["final_result", "final_seal"])
        live.announce(ballot.pk)
        if ballot.vote_key_id:
            key_id = ballot.vote_key_id
            transaction.on_commit(lambda: vote_keys.destroy_key(key_id))
    logger.info("ballot %s counted", ballot.pk)
    return ballot


def count_unfinished() -> list[int]:
    """The worker's catch-up: finish every count that was interrupted."""
    done = []
    for ballot in Ballot.objects.filter(status=BallotStatus.CLOSED, final_result__isnull=True):
        try:
            count(ballot)
        except BallotError:
            logger.exception("count of ballot %s refused", ballot.pk)
            continue
        done.append(ballot.pk)
    return done
