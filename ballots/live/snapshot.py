"""The live state of a ballot, read once per update and rendered once per audience.

The read is a handful of aggregate queries over indexed columns (no counter row is written on
the vote path: STACK.md's hot-row measurement). Its cost does not depend on the number of
watchers. A closed ballot is read from its sealed `final_result`, never recounted.

Secret ballots: no tally at all until the count after closing (their pending votes are
ciphertext, and any figure shown at two moments would differ by the votes cast in between:
issue #12). Turnout counts at once: it says who took part, which a secret ballot does not
hide.
"""

import json
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Sum

from ballots.live.access import AUDIENCES, BOARD, decide, tally_visible
from ballots.models import Ballot, BallotStatus, Elector, Participation, Vote
from members.models import Region

_version_lock = threading.Lock()
_last_version: dict[int, int] = {}


def next_version(ballot_id: int) -> int:
    """Microseconds since the epoch when the read starts, and always above this process's
    previous version for the ballot: a state with version >= t includes every vote
    acknowledged before t (the bench measures live lag with it)."""
    now = time.time_ns() // 1000
    with _version_lock:
        version = max(now, _last_version.get(ballot_id, 0) + 1)
        _last_version[ballot_id] = version
    return version


@dataclass
class BallotState:
    """Everything any audience may get; `render` decides what each one does get."""

    ballot_id: int
    version: int
    question: str
    status: str
    status_label: str
    opens_at: str
    closes_at: str
    weighted: bool
    secret: bool
    visibility: str
    turnout: dict
    regions: list[dict] = field(default_factory=list)
    tally: dict | None = None
    outcome: dict | None = None
    counting: bool = False  # closed, the count not yet done


_electorate_lock = threading.Lock()
_electorate: dict[int, dict[int, tuple[int, int]]] = {}


# Statuses in which the electorate exists and is frozen (a scheduled ballot has none yet).
_FROZEN = (BallotStatus.OPEN, BallotStatus.CLOSED, BallotStatus.CERTIFIED)


def _frozen_electorate(ballot_id: int, status: str) -> dict[int, tuple[int, int]]:
    """{region id: (electors, weight)} of an opened ballot. The electorate is frozen when the
    ballot opens (ballots.services.open_ballot creates every Elector then; none is added,
    removed or moved to another region or weight afterwards: a stand-in changes who holds a
    seat, not the seat), so it is read once per process: the aggregate over 13,000 electors
    cost ~10 ms on every state read, and at an assembly every vote makes the ballot page of
    its worker read the state again."""
    with _electorate_lock:
        known = _electorate.get(ballot_id)
    if known is not None:
        return known
    rows = (
        Elector.objects.filter(ballot_id=ballot_id)
        .values("region_id")
        .annotate(n=Count("pk"), w=Sum("weight"))
        .values_list("region_id", "n", "w")
    )
    frozen = {region_id: (n, w or 0) for region_id, n, w in rows}
    if status not in _FROZEN:
        return frozen
    with _electorate_lock:
        if len(_electorate) > 1000:
            _electorate.clear()
        _electorate[ballot_id] = frozen
    return frozen


def _electorate_by_region(ballot_id: int, status: str) -> dict[int, dict]:
    frozen = _frozen_electorate(ballot_id, status)
    # Names read each time (19 rows by primary key): a renamed region shows its new name.
    names = dict(Region.objects.filter(pk__in=frozen).values_list("pk", "name"))
    return {
        region_id: {
            "name": names.get(region_id, ""),
            "count": 0,
            "weight": 0,
            "electorate_count": n,
            "electorate_weight": w,
        }
        for region_id, (n, w) in frozen.items()
    }


def forget_electorates() -> None:
    """Tests only: a rolled-back test's ballot ids come back in the next one."""
    with _electorate_lock:
        _electorate.clear()


def _turnout_by_region(ballot_id: int, regions: dict[int, dict]) -> None:
    rows = (
        Participation.objects.filter(ballot_id=ballot_id)
        .values("elector__region_id")
        .annotate(n=Count("pk"), w=Sum("elector__weight"))
    )
    for r in rows:
        region = regions[r["elector__region_id"]]
        region["count"], region["weight"] = r["n"], r["w"] or 0


def _open_tally(ballot: Ballot) -> dict | None:
    """Per choice, from `Vote`: named ballots only (a secret ballot has no interim tally)."""
    if ballot.is_secret:
        return None
    sums = {
        r["choice_id"]: r
        for r in Vote.objects.filter(ballot=ballot, withdrawn=False)
        .values("choice_id")
        .annotate(votes=Count("pk"), weight=Sum("weight"))
    }
    choices = [
        {
            "label": c.label,
            "role": c.role,
            "votes": sums.get(c.pk, {}).get("votes", 0),
            "weight": sums.get(c.pk, {}).get("weight") or 0,
        }
        for c in ballot.choices.all()
    ]
    return {
        "partial": False,
        "counted": sum(c["votes"] for c in choices),
        "choices": choices,
    }


def read_state(ballot_id: int) -> BallotState | None:
    """The ballot's state now; None for a draft or a ballot that does not exist."""
    version = next_version(ballot_id)
    ballot = Ballot.objects.filter(pk=ballot_id).exclude(status=BallotStatus.DRAFT).first()
    if ballot is None:
        return None
    regions = _electorate_by_region(ballot.pk, ballot.status)
    final = ballot.final_result if ballot.status != BallotStatus.OPEN else None
    if final:
        turnout = dict(final["turnout"])
        _turnout_by_region(ballot.pk, regions)
        tally = {
            "partial": False,
            "counted": sum(c["votes"] for c in final["choices"]),
            "choices": [
                {k: c[k] for k in ("label", "role", "votes", "weight")} for c in final["choices"]
            ],
        }
        outcome = dict(final["outcome"])
    else:
        _turnout_by_region(ballot.pk, regions)
        turnout = {
            "count": sum(r["count"] for r in regions.values()),
            "weight": sum(r["weight"] for r in regions.values()),
        }
        tally = _open_tally(ballot) if ballot.status == BallotStatus.OPEN else None
        outcome = None
    turnout["electorate_count"] = sum(r["electorate_count"] for r in regions.values())
    turnout["electorate_weight"] = sum(r["electorate_weight"] for r in regions.values())
    return BallotState(
        ballot_id=ballot.pk,
        version=version,
        question=ballot.question,
        status=ballot.status,
        status_label=str(ballot.get_status_display()),
        opens_at=ballot.opens_at.isoformat(),
        closes_at=ballot.closes_at.isoformat(),
        weighted=ballot.is_weighted,
        secret=ballot.is_secret,
        visibility=ballot.result_visibility,
        turnout=turnout,
        regions=sorted(regions.values(), key=lambda r: r["name"]),
        tally=tally,
        outcome=outcome,
        counting=ballot.status == BallotStatus.CLOSED and not ballot.is_counted,
    )


def render(state: BallotState, audience: str) -> dict:
    """The payload one audience receives (the contract in the front end's ballots/live.js)."""
    show_tally = tally_visible(state.status, state.visibility, audience)
    return {
        "type": "state",
        "ballot": state.ballot_id,
        "version": state.version,
        "audience": audience,
        "status": state.status,
        "status_label": state.status_label,
        "question": state.question,
        "opens_at": state.opens_at,
        "closes_at": state.closes_at,
        "weighted": state.weighted,
        "secret": state.secret,
        "counting": state.counting,
        "turnout": state.turnout,
        "regions": state.regions if audience == BOARD else None,
        "tally": state.tally if show_tally else None,
        "outcome": state.outcome if show_tally else None,
    }


def frames(state: BallotState) -> dict[str, str]:
    """One serialised frame per audience: every socket of an audience gets the same string."""
    return {
        audience: json.dumps(render(state, audience), ensure_ascii=False, separators=(",", ":"))
        for audience in AUDIENCES
    }


_recent_lock = threading.Lock()
_recent: dict[int, tuple[float, BallotState | None]] = {}


def recent_state(ballot_id: int) -> BallotState | None:
    """The state, read at most once per update interval per process: a thousand members
    opening the ballot page (or polling) at once cost one read, not a thousand."""
    now = time.monotonic()
    with _recent_lock:
        cached = _recent.get(ballot_id)
    if cached and now - cached[0] < 1 / float(settings.LIVE_UPDATES_PER_SECOND):
        return cached[1]
    state = read_state(ballot_id)
    with _recent_lock:
        if len(_recent) > 1000:
            _recent.clear()
        _recent[ballot_id] = (now, state)
    return state


def forget_recent(ballot_id: int) -> None:
    """A change committed in this process: its own next page or poll reads afresh."""
    with _recent_lock:
        _recent.pop(ballot_id, None)


def payload_for(ballot: Ballot, user, requested: str | None = None) -> dict | None:
    """What `user` would receive on the live socket now (server-rendered pages use it);
    None if they may not watch."""
    decision = decide(ballot.pk, user, requested, status=ballot.status)
    if decision.audience is None:
        return None
    state = recent_state(ballot.pk)
    return None if state is None else render(state, decision.audience)
