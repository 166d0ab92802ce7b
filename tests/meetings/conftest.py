import pytest

from meetings.models import Meeting, MeetingKind
from tests.factories import (
    AgendaItemFactory,
    MandateFactory,
    MeetingFactory,
    RegionFactory,
    add_totp,
    agenda_ballot,
    board_member,
    deputy,
)


@pytest.fixture
def chair():
    user = board_member()
    add_totp(user)
    return user


@pytest.fixture
def meeting() -> Meeting:
    return MeetingFactory()


@pytest.fixture
def assembly():
    """An ambassadors' meeting with one item and its weighted named ballot (draft), and two
    regions: North (ambassador + deputy, weight 120) and South (ambassador, weight 80)."""
    north, south = RegionFactory(name="Noord"), RegionFactory(name="Zuid")
    meeting = MeetingFactory(kind=MeetingKind.AMBASSADORS, title="Ambassadeursvergadering")
    item = AgendaItemFactory(meeting=meeting, order=1, title="Het akkoord")
    ballot = agenda_ballot(
        item, electorate="ambassadors", secrecy="named", question="Tekenen wij het akkoord?"
    )
    return {
        "meeting": meeting,
        "item": item,
        "ballot": ballot,
        "north": north,
        "south": south,
        "ambassador": MandateFactory(region=north, weight=120).user,
        "deputy": deputy(north),
        "other_ambassador": MandateFactory(region=south, weight=80).user,
    }
