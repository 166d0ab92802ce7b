"""Everything that changes a ballot: lifecycle, casting, proxies, attendance.

Each service runs in one transaction and either does all of its work or raises a
ballots.errors.BallotError whose message says why (nothing changed). Locks are named in the
docstrings; see ballots.locks for why they are advisory locks on PostgreSQL.
"""

import secrets
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ballots import ledger, notifications, signals, vote_keys
from ballots.electorate import eligible_electors, freeze_electors, freeze_reporting_groups
from ballots.errors import (
    AlreadyVoted,
    BallotClosed,
    BallotNotOpen,
    NotEditable,
    NotEligible,
    NotPresent,
    ProxyRefused,
)
from ballots.live import marks as live
from ballots.locks import closing_gate, vote_gate
from ballots.models import (
    Ballot,
    BallotStatus,
    Choice,
    Elector,
    Participation,
    PendingVote,
    Proxy,
    Vote,
)
from ballots.receipts import new_receipt_code, receipt_hash
from ledenstem_verify.rules import DEFAULT_CHOICES


def _who(user) -> dict:
    """Who did it, as the ledger records it: the account number, never a name or an address
    (the ledger is published in the ballot box; the association looks the number up)."""
    return {"by": user.pk if user is not None else "systeem"}


def add_default_choices(ballot: Ballot) -> None:
    """Voor / Tegen / Onthouding, unless the ballot already has choices."""
    if not ballot.choices.exists():
        Choice.objects.bulk_create(
            Choice(ballot=ballot, label=label, role=role, order=order)
            for order, (label, role) in enumerate(DEFAULT_CHOICES)
        )


def _check_ready(ballot: Ballot) -> None:
    if ballot.choices.count() < 2:
        raise NotEditable(_("Een stemming heeft ten minste twee keuzes nodig."))
    if ballot.closes_at <= timezone.now():
        raise NotEditable(_("De sluitingstijd ligt al in het verleden."))


def schedule_ballot(ballot: Ballot, *, by=None) -> Ballot:
    """Draft -> scheduled: it opens and closes on its own times (the worker flips it)."""
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if ballot.status != BallotStatus.DRAFT:
            raise NotEditable(
                _("Alleen een concept kan gepland worden (status: %(status)s).")
                % {"status": ballot.get_status_display()}
            )
        _check_ready(ballot)
        ballot.status = BallotStatus.SCHEDULED
        ballot.save(update_fields=["status"])
        ledger.record(
            ballot,
            "scheduled",
            {
                **_who(by),
                "opens_at": ballot.opens_at.isoformat(),
                "closes_at": ballot.closes_at.isoformat(),
            },
        )
        transaction.on_commit(lambda: _schedule_exact_times(ballot))
    return ballot


def _schedule_exact_times(ballot: Ballot) -> None:
    from ballots.tasks import schedule_exact_times

    schedule_exact_times(ballot)


def open_ballot(ballot: Ballot, *, by=None, notify: bool = True) -> Ballot:
    """Draft or scheduled -> open, now. Freezes the electorate: the Elector rows made here
    decide who may vote, whatever happens to the register afterwards."""
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if ballot.status not in (BallotStatus.DRAFT, BallotStatus.SCHEDULED):
            raise NotEditable(
                _("Deze stemming kan niet meer geopend worden (status: %(status)s).")
                % {"status": ballot.get_status_display()}
            )
        _check_ready(ballot)
        now = timezone.now()
        if ballot.opens_at > now:
            ballot.opens_at = now  # "open now" moves the opening to this moment
        eligible = eligible_electors(ballot)
        if not eligible:
            raise NotEditable(_("Er zijn geen kiesgerechtigden voor deze stemming."))
        if ballot.is_secret and ballot.is_weighted:
            # Also enforced by a constraint; said here in words for whoever opens it.
            raise NotEditable(
                _(
                    "Een gewogen stemming (ambassadeurs) kan niet geheim zijn: bij bekende "
                    "gewichten verraden de totalen per keuze wie wat stemde. Kies hoofdelijk."
                )
            )
        voted_amendments = []
        if ballot.motion_text:
            # A motion opens on its amended text, once every amendment is counted.
            from ballots.motions import amendments_of, apply_amendments

            voted_amendments = amendments_of(ballot)
            ballot.final_text = apply_amendments(ballot.motion_text, voted_amendments)
        groups = freeze_reporting_groups(ballot, eligible) if ballot.is_secret else {}
        freeze_electors(ballot, eligible, groups)
        ballot.status = BallotStatus.OPEN
        # Lots for ties are drawn from this seed (ledenstem_verify.methods): fixed and recorded
        # before anyone votes, so nobody can pick it to suit a result.
        ballot.lot_seed = secrets.token_hex(16)
        update = ["status", "opens_at", "lot_seed", "final_text"]
        if ballot.is_secret:
            ballot.vote_key_id = vote_keys.create_key()
            update.append("vote_key_id")
        ballot.save(update_fields=update)
        ledger.record(
            ballot,
            "opened",
            {
                **_who(by),
                "at": now.isoformat(),
                "closes_at": ballot.closes_at.isoformat(),
                "electors": len(eligible),
                "weight": sum(e.weight for e in eligible),
                "choices": [[c.pk, c.label, c.role] for c in ballot.choices.all()],
                "kind": ballot.kind,
                "seats": ballot.seats,
                "max_choices": ballot.max_choices,
                "lot_seed": ballot.lot_seed,
                **(
                    {
                        "motion_text": ballot.final_text,
                        "amendments": [
                            {"number": a.number, "adopted": a.adopted} for a in voted_amendments
                        ],
                    }
                    if ballot.motion_text
                    else {}
                ),
                "reporting_groups": [
                    {"number": g.number, "name": g.name, "electors": n}
                    for g, n in _group_sizes(groups, eligible)
                ],
            },
        )
        # The meeting a ballot is on (meetings.sync) brings in its attendance, stand-ins and
        # paper proxies here, in this transaction.
        signals.ballot_opened.send(sender=Ballot, ballot=ballot)
        live.announce(ballot.pk)
        if notify:
            transaction.on_commit(lambda: notifications.ballot_opened(ballot.pk))
    return ballot


def _group_sizes(groups: dict, eligible) -> list:
    sizes: dict[int, int] = {}
    for elector in eligible:
        if elector.region_id in groups:
            number = groups[elector.region_id].number
            sizes[number] = sizes.get(number, 0) + 1
    unique = {g.number: g for g in groups.values()}
    return [(unique[n], sizes[n]) for n in sorted(unique)]


def stop_voting(ballot: Ballot, *, by=None) -> Ballot:
    """Open -> closed, in milliseconds whatever the number of votes: takes the vote gate
    exclusively (votes in flight finish and are counted, later ones see the ballot closed),
    flips the status and records the closing. Counting is `ballots.counting.count`."""
    with transaction.atomic():
        closing_gate(ballot.pk)
        ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if ballot.status != BallotStatus.OPEN:
            raise NotEditable(
                _("Alleen een open stemming kan gesloten worden (status: %(status)s).")
                % {"status": ballot.get_status_display()}
            )
        now = timezone.now()
        if ballot.closes_at > now:
            ballot.closes_at = now  # "close now"
        ballot.status = BallotStatus.CLOSED
        ballot.save(update_fields=["status", "closes_at"])
        turnout = Participation.objects.filter(ballot=ballot).count()
        ledger.record(ballot, "closed", {**_who(by), "at": now.isoformat(), "voted": turnout})
        live.announce(ballot.pk)
    return ballot


def close_ballot(ballot: Ballot, *, by=None, notify: bool = True) -> Ballot:
    """Stop voting (at once, under the gate), then count: the one mix of a secret ballot and
    the final seal, in bounded batches outside the gate, and the result in the ledger. The
    worker finishes a count that was interrupted (ballots.scheduler)."""
    from ballots.counting import count

    ballot = stop_voting(ballot, by=by)
    ballot = count(ballot)
    if notify:
        transaction.on_commit(lambda: notifications.ballot_closed(ballot.pk))
    return ballot


def start_second_round(ballot: Ballot, *, by=None) -> Ballot:
    """One of several options, two rounds: when no option had an absolute majority, the board
    opens the second round in one click: a new ballot between the two leading options, with
    the same electorate and rules, linked to the first (recorded in both ledgers)."""
    from ballots.models import OPTION, BallotKind

    with transaction.atomic():
        first = Ballot.objects.select_for_update().get(pk=ballot.pk)
        decision = (first.final_result or {}).get("decision") or {}
        if first.kind != BallotKind.SINGLE or decision.get("result") != "runoff":
            raise NotEditable(_("Deze stemming heeft geen tweede ronde nodig."))
        if first.second_rounds.exists():
            raise NotEditable(_("De tweede ronde van deze stemming bestaat al."))
        now = timezone.now()
        second = Ballot.objects.create(
            question=f"Tweede ronde: {first.question}",
            description=first.description,
            kind=BallotKind.SINGLE,
            electorate=first.electorate,
            secrecy=first.secrecy,
            result_visibility=first.result_visibility,
            quorum_percent=first.quorum_percent,
            proxies_allowed=first.proxies_allowed,
            max_proxies_held=first.max_proxies_held,
            attendance_required=first.attendance_required,
            opens_at=now,
            closes_at=now + (first.closes_at - first.opens_at),
            runoff_of=first,
            created_by=by,
        )
        second.regions.set(first.regions.all())
        second.read_first_questions.set(first.read_first_questions.all())
        second.read_first_papers.set(first.read_first_papers.all())
        Choice.objects.bulk_create(
            Choice(ballot=second, label=label, role=OPTION, order=order)
            for order, label in enumerate(decision["runoff"])
        )
        ledger.record(
            first, "second_round", {**_who(by), "ballot": second.pk, "options": decision["runoff"]}
        )
    return open_ballot(second, by=by)


@dataclass(frozen=True)
class Receipt:
    ballot_id: int
    code: str  # shown once; only its hash is stored
    by_proxy: bool
    question: str = ""


# Choices of open ballots, per process: they cannot change once a ballot is scheduled (the
# admin edits drafts only), and every vote, ballot page and review step needs them.
_open_choices: dict[tuple, dict[int, Choice]] = {}


def choices_of(ballot: Ballot) -> dict[int, Choice]:
    """{pk: choice} in the choices' order; an open ballot's from this process's memory."""
    if ballot.status != BallotStatus.OPEN:
        return {c.pk: c for c in ballot.choices.all()}
    # With the opening moment: ids of a rolled-back transaction (tests) are used again.
    key = (ballot.pk, ballot.opens_at)
    if key not in _open_choices:
        if len(_open_choices) > 1000:
            _open_choices.clear()
        _open_choices[key] = {c.pk: c for c in ballot.choices.all()}
    return _open_choices[key]


def _parts(ballot: Ballot, weight: int, choice) -> list:
    """The vote as stored parts (ballots.kinds.parse_vote: one choice, a split weight, a set
    of approved options or an order of preference)."""
    from ballots.kinds import parse_vote

    return parse_vote(ballot, choices_of(ballot), weight, choice)


def cast_vote(*, ballot_id: int, user, choice, on_behalf_of=None) -> Receipt:
    """Store one vote of `user` (or, with `on_behalf_of`, of the elector who gave `user` a
    proxy) and return the receipt code.

    In one transaction, under the ballot's vote gate (shared): the ballot is open and its
    closing time has not passed; the voter is an elector (and present, if required); a proxy
    exists, is unrevoked and unused. The unique (ballot, elector) constraint on Participation
    makes a second vote fail even when 50 arrive at once. Secret ballots store the vote in
    PendingVote (encrypted, apart from the Participation); named ballots store it with the
    elector.
    """
    if not 0 < ballot_id < 2**31:
        # The gate's advisory lock key is an int4: a larger id (any <int:pk> from a URL) was a
        # DataError, a 500, on PostgreSQL (found by tests/abuse). No such ballot exists.
        raise BallotNotOpen(_("Deze stemming bestaat niet."))
    with transaction.atomic():
        vote_gate(ballot_id)
        # One query for the voter and the ballot: this is the hot path of an assembly.
        voter = (
            Elector.objects.select_related("ballot").filter(ballot__pk=ballot_id, user=user).first()
        )
        ballot = voter.ballot if voter else Ballot.objects.filter(pk=ballot_id).first()
        if ballot is None:
            raise BallotNotOpen(_("Deze stemming bestaat niet."))
        now = timezone.now()
        if ballot.status in (BallotStatus.CLOSED, BallotStatus.CERTIFIED) or (
            ballot.status == BallotStatus.OPEN and now >= ballot.closes_at
        ):
            raise BallotClosed(_("De stemming is gesloten; uw stem is niet meegeteld."))
        if ballot.status != BallotStatus.OPEN or now < ballot.opens_at:
            raise BallotNotOpen(_("De stemming is nog niet geopend."))
        if voter is None:
            raise NotEligible(_("U bent geen kiesgerechtigde bij deze stemming."))
        if ballot.attendance_required and not voter.present:
            raise NotPresent(_("Bij deze stemming stemt u alleen als u als aanwezig bent gemeld."))
        elector, proxy = voter, None
        if on_behalf_of is not None:
            proxy = (
                Proxy.objects.select_for_update()
                .filter(ballot=ballot, holder=voter, grantor_id=on_behalf_of, revoked=False)
                .select_related("grantor")
                .first()
            )
            if proxy is None:
                raise ProxyRefused(_("U heeft geen geldige volmacht van deze kiezer."))
            if proxy.used:
                raise AlreadyVoted(_("Met deze volmacht is al gestemd."))
            elector = proxy.grantor
        elif (
            ballot.proxies_allowed
            and Proxy.objects.filter(ballot=ballot, grantor=voter, revoked=False).exists()
        ):
            raise ProxyRefused(
                _("U heeft een volmacht gegeven; trek die eerst in om zelf te stemmen.")
            )
        parts = _parts(ballot, elector.weight, choice)
        replaced = _record_participation(ballot, elector, cast_by=voter if proxy else None)
        code = new_receipt_code()
        digest = receipt_hash(ballot.pk, code)
        if ballot.is_secret:
            # One row per vote, ciphertext only: choice, weight, receipt and reporting group
            # are readable only with the ballot's key file (ballots.vote_keys).
            sealed = vote_keys.seal(
                _vote_key(ballot),
                ballot.pk,
                {
                    "parts": [[p.choice.pk, p.weight] for p in parts],
                    "ranking": parts[0].ranking,
                    "receipt": digest,
                    "group": elector.group_id,
                },
            )
            PendingVote.objects.create(ballot=ballot, sealed=sealed)
        else:
            if replaced:
                Vote.objects.filter(ballot=ballot, elector=elector, withdrawn=False).update(
                    withdrawn=True
                )
            Vote.objects.bulk_create(
                Vote(
                    ballot=ballot,
                    choice=p.choice,
                    weight=p.weight,
                    ranking=p.ranking,
                    region_id=elector.region_id,
                    receipt_hash=digest,
                    elector=elector,
                    cast_by_proxy=proxy is not None,
                )
                for p in parts
            )
        if proxy is not None:
            proxy.used = True
            proxy.save(update_fields=["used"])
        live.announce(ballot.pk, turnout_only=True)
    return Receipt(
        ballot_id=ballot.pk, code=code, by_proxy=proxy is not None, question=ballot.question
    )


def _vote_key(ballot: Ballot) -> str:
    """The ballot's key id; made here for an open secret ballot that has none (one opened
    before keys existed), under the ballot's row lock so concurrent votes share one key."""
    if ballot.vote_key_id:
        return ballot.vote_key_id
    locked = Ballot.objects.select_for_update().only("vote_key_id").get(pk=ballot.pk)
    if not locked.vote_key_id:
        locked.vote_key_id = vote_keys.create_key()
        Ballot.objects.filter(pk=ballot.pk).update(vote_key_id=locked.vote_key_id)
    ballot.vote_key_id = locked.vote_key_id
    return ballot.vote_key_id


def _record_participation(ballot: Ballot, elector: Elector, *, cast_by) -> bool:
    """Insert the Participation; True if this replaces an earlier vote (named ballots that
    allow vote change), AlreadyVoted otherwise.

    INSERT ... ON CONFLICT DO NOTHING (PostgreSQL, SQLite >= 3.35): the unique constraint
    still decides, without the savepoint and its two extra round trips that catching an
    IntegrityError inside the vote's transaction would cost."""
    table = Participation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (ballot_id, elector_id, cast_by_id) VALUES (%s, %s, %s) "
            "ON CONFLICT (ballot_id, elector_id) DO NOTHING RETURNING id",
            [ballot.pk, elector.pk, cast_by.pk if cast_by else None],
        )
        if cursor.fetchone() is not None:
            return False
    if ballot.vote_change_allowed and cast_by is None:
        # Changes by one voter must run one after the other: without this lock two changes
        # submitted together each withdraw only the votes they saw, and both new votes
        # would count.
        earlier = Participation.objects.select_for_update().get(ballot=ballot, elector=elector)
        if earlier.on_paper:  # a count in the hall cannot be withdrawn by an online vote
            raise AlreadyVoted(
                _("U heeft in de zaal gestemd (op papier of bij handopsteken); die stem telt.")
            )
        return True
    raise AlreadyVoted(_("Er is al gestemd voor deze kiezer; een stem telt maar één keer."))


def grant_proxy(*, ballot: Ballot, grantor_user, holder_user) -> Proxy:
    """An elector authorises another elector of the same ballot to vote for them.

    Locks the holder's proxies so two grants at once cannot exceed the maximum."""
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if not ballot.proxies_allowed:
            raise ProxyRefused(_("Bij deze stemming zijn volmachten niet toegestaan."))
        if ballot.status not in (BallotStatus.OPEN, BallotStatus.SCHEDULED, BallotStatus.DRAFT):
            raise BallotClosed(_("De stemming is gesloten; volmachten kunnen niet meer."))
        if ballot.status == BallotStatus.OPEN and timezone.now() >= ballot.closes_at:
            raise BallotClosed(_("De stemming is gesloten; volmachten kunnen niet meer."))
        grantor = Elector.objects.filter(ballot=ballot, user=grantor_user).first()
        holder = Elector.objects.filter(ballot=ballot, user=holder_user).first()
        if grantor is None:
            raise NotEligible(_("U bent geen kiesgerechtigde bij deze stemming."))
        if holder is None:
            raise ProxyRefused(
                _("Een volmacht kan alleen naar een andere kiezer van deze stemming.")
            )
        if holder.pk == grantor.pk:
            raise ProxyRefused(_("U kunt uzelf geen volmacht geven."))
        if Participation.objects.filter(ballot=ballot, elector=grantor).exists():
            raise ProxyRefused(_("U heeft al gestemd; een volmacht is niet meer nodig."))
        if Proxy.objects.filter(ballot=ballot, grantor=grantor, revoked=False).exists():
            raise ProxyRefused(_("U heeft al een volmacht gegeven; trek die eerst in."))
        held = list(
            Proxy.objects.select_for_update().filter(ballot=ballot, holder=holder, revoked=False)
        )
        if len(held) >= ballot.max_proxies_held:
            raise ProxyRefused(
                _("Deze kiezer heeft al het maximum van %(limit)s volmacht(en).")
                % {"limit": ballot.max_proxies_held}
            )
        if Proxy.objects.filter(ballot=ballot, holder=grantor, revoked=False).exists():
            raise ProxyRefused(
                _(
                    "U stemt zelf al met een volmacht van een ander; een volmacht doorgeven kan "
                    "niet."
                )
            )
        if Proxy.objects.filter(ballot=ballot, grantor=holder, revoked=False).exists():
            raise ProxyRefused(
                _("Deze kiezer heeft zelf een volmacht gegeven en kan er geen aannemen.")
            )
        proxy = Proxy.objects.create(ballot=ballot, grantor=grantor, holder=holder)
        ledger.record(ballot, "proxy_granted", {"grantor": grantor.pk, "holder": holder.pk})
    return proxy


def revoke_proxy(*, proxy: Proxy, by_user) -> Proxy:
    with transaction.atomic():
        proxy = (
            Proxy.objects.select_for_update().select_related("grantor", "ballot").get(pk=proxy.pk)
        )
        if proxy.grantor.user_id != by_user.pk:
            raise ProxyRefused(_("Alleen wie de volmacht gaf, kan hem intrekken."))
        if proxy.revoked:
            raise ProxyRefused(_("Deze volmacht is al ingetrokken."))
        if proxy.used:
            raise ProxyRefused(_("Met deze volmacht is al gestemd; intrekken kan niet meer."))
        if proxy.ballot.status in (BallotStatus.CLOSED, BallotStatus.CERTIFIED):
            raise BallotClosed(_("De stemming is gesloten."))
        proxy.revoked = True
        proxy.save(update_fields=["revoked"])
        ledger.record(
            proxy.ballot, "proxy_revoked", {"grantor": proxy.grantor_id, "holder": proxy.holder_id}
        )
    return proxy


def set_presence(*, ballot: Ballot, elector: Elector, present: bool, by=None, how="board") -> None:
    """Attendance for hybrid assemblies, recorded in the ledger (only until closing).

    The status is read under the vote gate, not from the object passed in: closing takes the
    gate exclusively, so a presence change can never land after the ballot closed."""
    with transaction.atomic():
        vote_gate(ballot.pk)
        status = Ballot.objects.filter(pk=ballot.pk).values_list("status", flat=True).first()
        if status not in (BallotStatus.SCHEDULED, BallotStatus.OPEN):
            raise BallotClosed(_("Aanwezigheid kan alleen vóór de sluiting worden bijgehouden."))
        updated = Elector.objects.filter(pk=elector.pk, ballot=ballot).update(present=present)
        if not updated:
            raise NotEligible(_("Deze kiezer hoort niet bij deze stemming."))
        ledger.record(
            ballot, "presence", {**_who(by), "elector": elector.pk, "present": present, "how": how}
        )
