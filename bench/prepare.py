"""Data for a run, written straight into the fresh database (Django set up in this process):
members with logged-in sessions, open ballots with frozen electorates, FAQ pages.

Sessions are made the way django.contrib.auth.login() stores them (user id, backend, session
auth hash), so every request is an ordinary logged-in request and no vote pays for a login.
"""

import datetime
from dataclasses import dataclass

REGIONS = 19
BATCH = 2000


@dataclass(frozen=True)
class Member:
    user_id: int
    session_key: str


def members(count: int) -> list[Member]:
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from members.models import Membership, MembershipStatus, Region

    User = get_user_model()
    regions = Region.objects.bulk_create(
        Region(code=f"bench-{i:02d}", name=f"Benchregio {i:02d}") for i in range(REGIONS)
    )
    unusable = make_password(None)  # nobody logs in with a password here
    expires = timezone.now() + datetime.timedelta(hours=12)
    backend = settings.AUTHENTICATION_BACKENDS[0]
    made: list[Member] = []
    for start in range(0, count, BATCH):
        numbers = range(start, min(count, start + BATCH))
        users = User.objects.bulk_create(
            User(email=f"lid{n}@bench.invalid", full_name=f"Lid {n}", password=unusable)
            for n in numbers
        )
        Membership.objects.bulk_create(
            Membership(
                user=user,
                membership_number=f"B-{n:06d}",
                region=regions[n % REGIONS],
                status=MembershipStatus.ACTIVE,
            )
            for n, user in zip(numbers, users, strict=True)
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, primary=True, verified=True) for user in users
        )
        sessions = []
        store = SessionStore()
        for user in users:
            key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
            data = store.encode(
                {
                    "_auth_user_id": str(user.pk),
                    "_auth_user_backend": backend,
                    "_auth_user_hash": user.get_session_auth_hash(),
                }
            )
            sessions.append(Session(session_key=key, session_data=data, expire_date=expires))
            made.append(Member(user.pk, key))
        Session.objects.bulk_create(sessions)
        _cache_sessions(sessions, expires)
    return made


def _cache_sessions(sessions, expires) -> None:
    """What login() writes besides the row when the session engine keeps a copy in the cache
    (members.sessions, with REDIS_URL as the production shape runs): the decoded session, for
    its lifetime. Nothing for the database engine (the embedded default)."""
    from importlib import import_module

    from django.conf import settings
    from django.core.cache import caches
    from django.utils import timezone

    engine = import_module(settings.SESSION_ENGINE).SessionStore
    prefix = getattr(engine, "cache_key_prefix", None)
    if prefix is None:
        return
    store = engine()
    seconds = int((expires - timezone.now()).total_seconds())
    caches[settings.SESSION_CACHE_ALIAS].set_many(
        {prefix + s.session_key: store.decode(s.session_data) for s in sessions}, seconds
    )


def open_ballot(question: str) -> int:
    """A secret members' ballot (the model's defaults: tally after closing), Voor / Tegen /
    Onthouding, opened through the service, which freezes every member as an elector and
    writes the ledger's first entries."""
    from django.utils import timezone

    from ballots import services
    from ballots.models import Ballot, ElectorateKind

    now = timezone.now()
    ballot = Ballot.objects.create(
        question=question,
        electorate=ElectorateKind.MEMBERS,
        opens_at=now - datetime.timedelta(minutes=1),
        closes_at=now + datetime.timedelta(hours=6),
    )
    services.add_default_choices(ballot)
    services.open_ballot(ballot, notify=False)
    return ballot.pk


def close_ballot(ballot_id: int) -> None:
    from ballots import services
    from ballots.models import Ballot

    services.close_ballot(Ballot.objects.get(pk=ballot_id), notify=False)


def faq_questions() -> list[int]:
    """The demo FAQ (the same questions and answers `make run` shows): published question
    ids, members-only ones included (the bench reads them logged in)."""
    from faq.demo import load_demo_faq
    from faq.models import Question, Status

    load_demo_faq()
    return list(
        Question.objects.filter(status=Status.PUBLISHED).order_by("pk").values_list("pk", flat=True)
    )


def counts(ballot_id: int) -> dict:
    """What the database holds for a ballot, for the correctness checks."""
    from django.db.models import Count

    from ballots.models import Participation, PendingVote, Vote

    participations = Participation.objects.filter(ballot_id=ballot_id)
    duplicates = participations.values("elector_id").annotate(n=Count("id")).filter(n__gt=1).count()
    return {
        "participations": participations.count(),
        "distinct_electors": participations.values("elector_id").distinct().count(),
        "duplicate_electors": duplicates,
        "votes": Vote.objects.filter(ballot_id=ballot_id, withdrawn=False).count(),
        "pending_votes": PendingVote.objects.filter(ballot_id=ballot_id).count(),
    }
