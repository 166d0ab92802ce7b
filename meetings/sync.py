"""What a meeting means for the ballots on its agenda.

- Attendance: an elector checked in (in the hall or online) is `present` in every ballot of
  the meeting, so a ballot that requires presence (Ballot.attendance_required) admits exactly
  the people the desk checked in. Each change is recorded in the ballot's ledger.
- Stand-ins: in a weighted (ambassadors') ballot the seat of an absent ambassador is one
  Elector row; a stand-in moves that row to the deputy. The weight is never copied, so the
  ambassador and the deputy can never both count: the one-vote-per-elector constraint holds
  for the seat whoever casts it. The move is refused for a seat that has voted or has a proxy.
- Paper proxies become the ballot's own proxies (ballots.services.grant_proxy: the online
  limits, exactly), with the name of the board member who recorded them in the ledger.

At opening this runs inside the opening transaction (the `ballot_opened` signal); for a ballot
that is already open it runs under the ballot's closing gate (ballots.locks), so a vote in
flight either commits first (and the seat counts as voted) or runs after the change.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ballots import ledger
from ballots import services as ballot_services
from ballots.errors import BallotError
from ballots.locks import closing_gate
from ballots.models import Ballot, BallotStatus, Elector, Participation, Proxy
from meetings import selectors
from meetings.models import AgendaBallot, Meeting, PaperProxy, StandIn


def _by(user) -> int | str:
    """Who did it, as ballots records it in the ledger: the account number, never a name or
    an address (the ledger is published with the ballot box)."""
    return user.pk if user is not None else "systeem"


def apply_meeting_to_opened_ballot(sender, *, ballot: Ballot, **kwargs) -> None:
    """Receiver of ballots.signals.ballot_opened (inside the opening transaction)."""
    link = AgendaBallot.objects.filter(ballot=ballot).select_related("item__meeting").first()
    if link is None:
        return
    meeting = link.item.meeting
    if ballot.is_weighted:
        for stand_in in selectors.active_stand_ins(meeting):
            move_seat(ballot, stand_in, to_deputy=True, by=stand_in.approved_by)
    present = selectors.present_user_ids(meeting)
    electors = Elector.objects.filter(ballot=ballot, user_id__in=present)
    marked = sorted(electors.values_list("pk", flat=True))
    if marked:
        electors.update(present=True)
        ledger.record(
            ballot, "presence", {"by": "vergadering", "meeting": meeting.pk, "present": marked}
        )
    if ballot.proxies_allowed:
        for paper in selectors.active_paper_proxies(meeting).select_related(
            "grantor", "holder", "recorded_by"
        ):
            grant_paper_proxy(ballot, paper)


def _still_open(ballot_id: int) -> Ballot | None:
    ballot = Ballot.objects.select_for_update().get(pk=ballot_id)
    if ballot.status != BallotStatus.OPEN or timezone.now() >= ballot.closes_at:
        return None
    return ballot


def for_open_ballots(meeting: Meeting, apply) -> list[tuple[Ballot, str]]:
    """Run `apply(ballot)` for each open ballot of the meeting, each under that ballot's
    closing gate in its own savepoint; returns (ballot, reason) for those it refused."""
    refused = []
    for ballot_id in list(selectors.open_ballots(meeting).values_list("pk", flat=True)):
        with transaction.atomic():
            closing_gate(ballot_id)
            ballot = _still_open(ballot_id)
            if ballot is None:
                continue
            reason = apply(ballot)
            if reason:
                refused.append((ballot, reason))
    return refused


def move_seat(ballot: Ballot, stand_in: StandIn, *, to_deputy: bool, by) -> str:
    """Move the region's seat between ambassador and deputy in one ballot; '' when moved,
    else the reason it stays. The caller holds the ballot row (opening) or its gate."""
    source, target = (
        (stand_in.ambassador_id, stand_in.deputy_id)
        if to_deputy
        else (stand_in.deputy_id, stand_in.ambassador_id)
    )
    elector = (
        Elector.objects.select_for_update()
        .filter(ballot=ballot, user_id=source, region_id=stand_in.region_id)
        .first()
    )
    if elector is None:
        return _("geen kiezer bij deze stemming")
    if Elector.objects.filter(ballot=ballot, user_id=target).exists():
        return _("de plaatsvervanger is hier al kiezer")
    if Participation.objects.filter(ballot=ballot, elector=elector).exists():
        return _("al gestemd")
    if (
        Proxy.objects.filter(ballot=ballot, revoked=False)
        .filter(Q(grantor=elector) | Q(holder=elector))
        .exists()
    ):
        return _("er is een volmacht voor deze zetel")
    elector.user_id = target
    elector.present = selectors.is_present(stand_in.meeting, target)
    elector.save(update_fields=["user", "present"])
    ledger.record(
        ballot,
        "stand_in" if to_deputy else "stand_in_withdrawn",
        {
            "by": _by(by),
            "meeting": stand_in.meeting_id,
            "elector": elector.pk,
            "region": stand_in.region_id,
            "ambassador": stand_in.ambassador_id,
            "deputy": stand_in.deputy_id,
            "weight": elector.weight,
        },
    )
    return ""


def grant_paper_proxy(ballot: Ballot, paper: PaperProxy) -> str:
    """The paper proxy as the ballot's proxy, through the online proxies' own service and
    limits; '' when granted, else the refusal's message."""
    try:
        with transaction.atomic():
            proxy = ballot_services.grant_proxy(
                ballot=ballot, grantor_user=paper.grantor, holder_user=paper.holder
            )
            ledger.record(
                ballot,
                "paper_proxy",
                {
                    "meeting": paper.meeting_id,
                    "grantor": proxy.grantor_id,
                    "holder": proxy.holder_id,
                    "recorded_by": _by(paper.recorded_by),
                },
            )
    except BallotError as refused:
        return str(refused)
    return ""


def revoke_paper_proxy_in(ballot: Ballot, paper: PaperProxy, *, by) -> str:
    """Revoke the ballot's proxy that came from this paper proxy, unless it was used."""
    proxy = (
        Proxy.objects.select_for_update()
        .filter(
            ballot=ballot,
            grantor__user_id=paper.grantor_id,
            holder__user_id=paper.holder_id,
            revoked=False,
        )
        .first()
    )
    if proxy is None:
        return ""
    if proxy.used:
        return _("al gebruikt")
    proxy.revoked = True
    proxy.save(update_fields=["revoked"])
    ledger.record(
        ballot,
        "proxy_revoked",
        {"grantor": proxy.grantor_id, "holder": proxy.holder_id, "by": _by(by), "paper": True},
    )
    return ""


def presence_in(ballot: Ballot, user_id: int, present: bool, *, by) -> str:
    """Mark the user's elector row present or not in one open ballot (ledger: presence)."""
    elector = Elector.objects.filter(ballot=ballot, user_id=user_id).first()
    if elector is None or elector.present == present:
        return ""
    ballot_services.set_presence(
        ballot=ballot, elector=elector, present=present, by=by, how="vergadering"
    )
    return ""
