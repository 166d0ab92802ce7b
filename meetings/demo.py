"""Demo meetings (issue #15, item 7): a finished, certified hybrid ambassadors' assembly and an
upcoming members' meeting. Everything goes through the real services (check-ins, a deputy
standing in, a written proxy, two agenda items with their ballots, a count by show of hands
confirmed by a second board member, the two signed ballot documents and the signed record),
so the ledgers and documents are real. No emails (notify=False), like the ballots demo."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from ballots import paper
from ballots import services as ballot_services
from ballots.certification import approve_result
from ballots.models import Ballot, Elector
from faq.models import PositionPaper, Question
from meetings import attendance, certification, chair, proxies, standins
from meetings.models import AgendaBallot, AgendaItem, Meeting, MeetingKind, Presence
from members.demo import BOARD, DEMO_DOMAIN
from members.models import Mandate, User

FINISHED = "Ambassadeursvergadering over het Integraal Zorgakkoord (demo)"
UPCOMING = "Algemene ledenvergadering: hoe verder na het akkoord (demo)"
# In the finished assembly: whose deputy stands in, who gave a written proxy to whom, and who
# voted by show of hands at the second item (their phones stayed at home).
STAND_IN_REGION = "zeeland"
PROXY_FROM, PROXY_TO = "limburg", "oost-brabant"
BY_HANDS = ("drenthe", "friesland", "groningen")
ONLINE = ("amsterdam", "rijnmond")


def _board() -> list[User]:
    return [User.objects.get(email=f"{title}@{DEMO_DOMAIN}") for _n, _name, title in BOARD]


def _mandate(code: str, *, deputy: bool = False) -> Mandate:
    return Mandate.objects.current().get(region__code=code, is_deputy=deputy)


def _item_ballot(item: AgendaItem, question: str, **settings) -> Ballot:
    now = timezone.now()
    ballot = Ballot.objects.create(
        question=question,
        opens_at=now + datetime.timedelta(minutes=5),
        closes_at=now + datetime.timedelta(days=1),
        electorate="ambassadors",
        secrecy="named",
        result_visibility="everyone",
        attendance_required=True,
        **settings,
    )
    ballot_services.add_default_choices(ballot)
    AgendaBallot.objects.create(item=item, ballot=ballot)
    return ballot


@transaction.atomic
def load_demo_meetings() -> int:
    created = 0
    if not Meeting.objects.filter(title=FINISHED).exists():
        _finished_assembly()
        created += 1
    if not Meeting.objects.filter(title=UPCOMING).exists():
        _upcoming_meeting()
        created += 1
    return created


def _finished_assembly() -> None:
    rng = random.Random(15)
    chair_user, second = _board()
    meeting = Meeting.objects.create(
        kind=MeetingKind.AMBASSADORS,
        title=FINISHED,
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        place="Utrecht, vergadercentrum",
        mode="hybrid",
        created_by=chair_user,
    )
    first = AgendaItem.objects.create(
        meeting=meeting,
        order=1,
        title="Advies van de regio's over het akkoord",
        text="De ambassadeurs brengen het advies van hun regio in. Daarna stemmen zij over "
        "het voorstel om het akkoord te ondertekenen.",
    )
    first.papers.set(PositionPaper.objects.all())
    first.questions.set(Question.objects.all()[:3])
    second_item = AgendaItem.objects.create(
        meeting=meeting,
        order=2,
        title="Een werkgroep die de uitvoering volgt",
        text="Het bestuur stelt voor een werkgroep in te stellen die elk halfjaar rapporteert "
        "over de afspraken uit het akkoord.",
    )
    signing = _item_ballot(
        first,
        "Ondertekent de vereniging het akkoord, met het advies van de regio's erbij?",
        majority="absolute",
        base="present",
        proxies_allowed=True,
    )
    working_group = _item_ballot(
        second_item, "Stelt de vereniging een werkgroep in die de uitvoering volgt?"
    )

    # Before the meeting: a deputy stands in, a written proxy comes in, the desk checks in.
    absent = _mandate(STAND_IN_REGION)
    standins.approve_stand_in(
        meeting=meeting,
        ambassador=absent.user,
        deputy=_mandate(STAND_IN_REGION, deputy=True).user,
        by=chair_user,
    )
    proxies.record_paper_proxy(
        meeting=meeting,
        grantor=_mandate(PROXY_FROM).user,
        holder=_mandate(PROXY_TO).user,
        by=second,
    )
    for mandate in Mandate.objects.current().select_related("region"):
        code = mandate.region.code
        if code in (STAND_IN_REGION, PROXY_FROM) and not mandate.is_deputy:
            continue  # absent: represented by the deputy, or by the written proxy
        if mandate.is_deputy and code != STAND_IN_REGION:
            continue
        presence = Presence.ONLINE if code in ONLINE else Presence.HALL
        attendance.set_attendance(
            meeting=meeting, user_id=mandate.user_id, presence=presence, by=chair_user
        )

    chair.start_meeting(meeting=meeting, by=chair_user)
    ballot_services.open_ballot(signing, by=chair_user, notify=False)
    _vote(signing, rng, lean=0.7)
    holder = Elector.objects.get(ballot=signing, user=_mandate(PROXY_TO).user)
    grantor = Elector.objects.get(ballot=signing, user=_mandate(PROXY_FROM).user)
    ballot_services.cast_vote(
        ballot_id=signing.pk,
        user=holder.user,
        choice=signing.choices.get(label="Voor").pk,
        on_behalf_of=grantor.pk,
    )
    ballot_services.close_ballot(signing, by=chair_user, notify=False)

    chair.next_item(meeting=meeting, by=chair_user)
    ballot_services.open_ballot(working_group, by=chair_user, notify=False)
    hands = list(
        Elector.objects.filter(ballot=working_group, region__code__in=BY_HANDS, present=True)
    )
    voor = working_group.choices.get(label="Voor").pk
    counted = paper.enter(
        ballot=working_group,
        kind="hands",
        electors=hands,
        lines=[paper.Line(voor, len(hands), sum(e.weight for e in hands))],
        by=chair_user,
    )
    paper.confirm(tally=counted, by=second)
    _vote(working_group, rng, lean=0.8)
    ballot_services.close_ballot(working_group, by=chair_user, notify=False)
    chair.end_meeting(meeting=meeting, by=chair_user)

    for ballot in (signing, working_group):
        for board_member in (chair_user, second):
            approve_result(ballot=ballot, by=board_member, notify=False)
    for board_member in (chair_user, second):
        certification.approve_record(meeting=meeting, by=board_member)


def _vote(ballot: Ballot, rng: random.Random, *, lean: float) -> None:
    """Everyone present who has not voted yet votes online (proxies are cast apart)."""
    labels = {c.label: c.pk for c in ballot.choices.all()}
    voted = set(ballot.participations.values_list("elector_id", flat=True))
    for elector in Elector.objects.filter(ballot=ballot, present=True).select_related("user"):
        if elector.pk in voted:
            continue
        label = "Voor" if rng.random() < lean else "Tegen"
        ballot_services.cast_vote(ballot_id=ballot.pk, user=elector.user, choice=labels[label])


def _upcoming_meeting() -> None:
    chair_user, _second = _board()
    meeting = Meeting.objects.create(
        kind=MeetingKind.MEMBERS,
        title=UPCOMING,
        starts_at=timezone.now() + datetime.timedelta(days=14),
        place="Utrecht, vergadercentrum, en online",
        mode="hybrid",
        created_by=chair_user,
    )
    AgendaItem.objects.create(
        meeting=meeting,
        order=1,
        title="Opening en mededelingen",
        text="De voorzitter opent de vergadering en doet de mededelingen van het bestuur.",
    )
    report = AgendaItem.objects.create(
        meeting=meeting,
        order=2,
        title="Verslag van de eerste maanden van het akkoord",
        text="Het bestuur vertelt wat er sinds de ondertekening is gebeurd; daarna is er "
        "ruimte voor vragen uit de zaal en van wie online meedoet.",
    )
    report.questions.set(Question.objects.all()[:2])
    AgendaItem.objects.create(
        meeting=meeting,
        order=3,
        title="Rondvraag en sluiting",
        text="Wie een vraag voor de rondvraag heeft, meldt die vooraf bij het bestuur.",
    )
