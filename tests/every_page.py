"""Every page of every role, for the voice test (tests/test_voice_pages.py) and the
accessibility test (tests/e2e/test_every_page_accessible.py).

The URL list is the authorisation matrix's (tests/security/test_authorisation_matrix.py):
every named URL whose designed answer for a role is 200 is a page of that role, so a page
added to the matrix is rendered here too. Beside those, the pages the matrix reaches only in
one state: a ballot of every kind (proposal, one of several, approval, ranked, election)
with its vote form, a weighted named ballot that lets the ambassador split, and closed,
counted ballots with their results.

The people and everything they wrote are given names and texts that are neither Dutch nor
English words (see NEUTRAL), so a Dutch word on an English page, or the reverse, is the
interface's and not a factory's.
"""

from django.urls import reverse

from ballots import services
from ballots.models import OPTION, Choice
from faq.models import PositionPaper, Question, Topic
from members.models import Mandate, Region
from tests.factories import BallotFactory, member
from tests.security.test_authorisation_matrix import (
    GET_MATRIX,
    ROLES,
    _kwargs_for,
    _path,
    all_patterns,
)

# The roles of issue #16 (the matrix's "other_region" is a member too).
PAGE_ROLES = ("anonymous", "member", "ambassador", "board")
NEUTRAL = "Xorq"  # neither Dutch nor English
OPTIONS = ["Xorq Alfa", "Xorq Bravo", "Xorq Delta"]
KINDS = {
    "proposal": {"kind": "proposal"},
    "single": {"kind": "single"},
    "approval": {"kind": "approval", "max_choices": 2, "seats": 2},
    "ranked": {"kind": "ranked"},
    "election": {"kind": "election", "seats": 1},
}


def _neutral_content() -> None:
    """What the factories wrote in (Faker's) Dutch, replaced by neutral text."""
    Question.objects.update(question=f"{NEUTRAL} 1?", answer=f"{NEUTRAL} {NEUTRAL}.")
    PositionPaper.objects.update(
        title=f"{NEUTRAL} paper", summary=f"{NEUTRAL}.", body=f"## {NEUTRAL}\n\n{NEUTRAL}."
    )
    for model in (Topic, Region):
        for n, row in enumerate(model.objects.order_by("pk")):
            row.name = f"{NEUTRAL} {n}"
            row.save(update_fields=["name"])
    from django.contrib.auth import get_user_model

    for n, user in enumerate(get_user_model().objects.order_by("pk")):
        user.full_name = f"{NEUTRAL} {chr(ord('A') + n % 26)}"
        user.save(update_fields=["full_name"])
    from faq.models import MemberQuestion

    MemberQuestion.objects.update(text=f"{NEUTRAL}?")


def _ballot(question: str, region, *, options=OPTIONS, with_choices=False, **settings):
    ballot = BallotFactory(question=question, description="", with_choices=with_choices, **settings)
    for order, label in enumerate(options):
        Choice.objects.create(ballot=ballot, label=label, role=OPTION, order=order)
    for default in ballot.choices.exclude(role=OPTION):
        default.label = f"{NEUTRAL} {default.pk}"
        default.save(update_fields=["label"])
    if settings.get("electorate") != "ambassadors":
        ballot.regions.set([region])
    return services.open_ballot(ballot, notify=False)


def _proposal_or_options(kind: str) -> dict:
    """A proposal gets the default choices (Voor / Tegen / Onthouding); the others options."""
    return {"options": [], "with_choices": True} if kind == "proposal" else {}


def every_page(world) -> dict[str, list[tuple[str, str]]]:
    """For each role of PAGE_ROLES: (what, path) of every page it may open, in the world of
    the matrix's `world` fixture (extended here)."""
    people, ballot, objects, question, asked = world
    region = people["member"].membership.region
    ballot.question = f"{NEUTRAL} {NEUTRAL}?"
    ballot.description = ""
    ballot.save(update_fields=["question", "description"])

    extra: dict[str, list[tuple[str, str]]] = {role: [] for role in PAGE_ROLES}
    logged_in = PAGE_ROLES[1:]
    # A ballot of every kind, open: its page with the vote form.
    for kind, settings in KINDS.items():
        open_one = _ballot(f"{NEUTRAL} {kind}?", region, **_proposal_or_options(kind), **settings)
        for role in logged_in:
            extra[role].append((f"{kind} ballot", reverse("ballots:detail", args=[open_one.pk])))
    # Weighted, named, for ambassadors, splitting allowed: the split form.
    Mandate.objects.filter(user=people["ambassador"]).update(weight=300)
    split = _ballot(
        f"{NEUTRAL} split?",
        region,
        options=[],
        electorate="ambassadors",
        secrecy="named",
        vote_splitting=True,
        with_choices=True,
    )
    extra["ambassador"].append(("split vote form", reverse("ballots:detail", args=[split.pk])))
    extra["board"].append(("split ballot (board)", reverse("ballots:detail", args=[split.pk])))
    # Closed and counted: a proposal with votes, and every other kind.
    counted = []
    voters = [people["member"], people["board"]] + [member(region=region) for _ in range(2)]
    for kind, settings in KINDS.items():
        closed = _ballot(
            f"{NEUTRAL} {kind} closed?",
            region,
            secrecy="named",
            **_proposal_or_options(kind),
            **settings,
        )
        first = closed.choices.order_by("order").first()
        ranked = kind == "ranked" or closed.ranked_election
        for voter in voters:
            if kind in ("approval", "election"):
                vote = [first.pk]
            elif ranked:
                vote = list(
                    closed.choices.filter(role=OPTION)
                    .order_by("order")
                    .values_list("pk", flat=True)
                )
            else:
                vote = first.pk
            services.cast_vote(ballot_id=closed.pk, user=voter, choice=vote)
        services.close_ballot(closed, notify=False)
        counted.append((kind, closed))
    for kind, closed in counted:
        for role in logged_in:
            extra[role].append((f"{kind} results", reverse("ballots:results", args=[closed.pk])))
            extra[role].append((f"{kind} closed", reverse("ballots:detail", args=[closed.pk])))
        extra["board"].append(
            (f"{kind} closed manage", reverse("ballots:manage", args=[closed.pk]))
        )
        extra["board"].append(
            (f"{kind} closed approve", reverse("ballots:approve", args=[closed.pk]))
        )
    # A draft in the board's workspace: its edit form and the delete confirmation.
    draft = BallotFactory(question=f"{NEUTRAL} draft?", description="")
    extra["board"].append(("draft edit", reverse("ballots:workspace_edit", args=[draft.pk])))
    extra["board"].append(("draft delete", reverse("ballots:workspace_delete", args=[draft.pk])))
    extra["board"].append(("draft preview", reverse("ballots:workspace_preview", args=[draft.pk])))
    for role in PAGE_ROLES:
        extra[role].append(("search with results", reverse("faq:search") + f"?q={NEUTRAL}"))
        extra[role].append(("search without results", reverse("faq:search") + "?q=qqqqzz"))
    _neutral_content()
    # The choices' labels are the ballot's content, written by the board in Dutch like its
    # question (a proposal's default "Voor", "Tegen", "Onthouding"): neutral here, so the
    # interface around them is what is checked. After closing, the result keeps its labels.
    for option in Choice.objects.exclude(ballot__status__in=["closed", "certified"]):
        option.label = f"{NEUTRAL} {option.pk}"
        option.save(update_fields=["label"])

    pages: dict[str, list[tuple[str, str]]] = {role: [] for role in PAGE_ROLES}
    for name, params in all_patterns():
        if name.startswith("admin") or name not in GET_MATRIX:
            continue
        path = _path(name, _kwargs_for(name, params, objects, question, asked))
        for role, expected in zip(ROLES, GET_MATRIX[name], strict=True):
            if role in pages and expected == 200:
                pages[role].append((name, path))
    for role in PAGE_ROLES:
        pages[role] += extra[role]
    return pages
