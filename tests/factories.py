"""factory_boy factories for the register; Dutch names from Faker's nl_NL locale."""

import datetime

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from members.models import Mandate, Membership, Region, User
from members.roles import sync_board_group

PASSWORD = "correct-horse-battery"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"regio-{n}")
    name = factory.Sequence(lambda n: f"Regio {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persoon{n}@example.nl")
    full_name = factory.Faker("name", locale="nl_NL")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"primary": True, "verified": True}
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    membership_number = factory.Sequence(lambda n: f"M-{n:05d}")
    region = factory.SubFactory(RegionFactory)


def member(*, email: str | None = None, **kwargs) -> User:
    """A user with an active membership (the common case in tests)."""
    if email is not None:
        kwargs["user__email"] = email
    return MembershipFactory(**kwargs).user


def board_member(**kwargs) -> User:
    user = member(**kwargs)
    user.groups.add(sync_board_group())
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


class MandateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mandate

    user = factory.LazyAttribute(lambda o: member(region=o.region))
    region = factory.SubFactory(RegionFactory)
    valid_from = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))


def ambassador(**kwargs) -> User:
    return MandateFactory(**kwargs).user


def add_totp(user: User) -> str:
    """Give `user` an activated TOTP authenticator; returns the secret to compute codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return secret


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "faq.Topic"
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Onderwerp {n}")
    slug = factory.Sequence(lambda n: f"onderwerp-{n}")


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "faq.Question"

    topic = factory.SubFactory(TopicFactory)
    label = factory.Sequence(lambda n: str(n + 1))
    question = factory.Faker("sentence", locale="nl_NL")
    answer = factory.Faker("paragraph", locale="nl_NL")
    status = "published"
    visibility = "public"


class PositionPaperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "faq.PositionPaper"

    title = factory.Faker("sentence", nb_words=5, locale="nl_NL")
    slug = factory.Sequence(lambda n: f"standpunt-{n}")
    organisation = "Werkgroep Test"
    organisation_code = "test"
    stance = "for"
    published_on = factory.LazyFunction(datetime.date.today)
    summary = factory.Faker("paragraph", locale="nl_NL")
    body = "## Sectie een\n\nTekst.\n\n## Sectie twee\n\nMeer tekst."
    status = "published"
    visibility = "public"


class BallotFactory(factory.django.DjangoModelFactory):
    """A draft ballot with Voor / Tegen / Onthouding, open from an hour ago for a day."""

    class Meta:
        model = "ballots.Ballot"
        skip_postgeneration_save = True

    question = factory.Sequence(lambda n: f"Stemt u in met voorstel {n}?")
    opens_at = factory.LazyFunction(lambda: _now() - datetime.timedelta(hours=1))
    closes_at = factory.LazyFunction(lambda: _now() + datetime.timedelta(days=1))

    @factory.post_generation
    def with_choices(ballot, create, extracted, **kwargs):
        if create and extracted is not False:
            from ballots.services import add_default_choices

            add_default_choices(ballot)


def _now():
    from django.utils import timezone

    return timezone.now()


def open_ballot(**kwargs):
    """A ballot, opened now (electorate frozen from the register as it stands)."""
    from ballots.services import open_ballot as open_it

    return open_it(BallotFactory(**kwargs))


def choice(ballot, label: str):
    return ballot.choices.get(label=label)


# The ballot settings that decide what an open ballot may show: hidden or visible tally
# (named), and secret (never a tally before closing). For pytest.mark.parametrize.
INTERIM_SETTINGS = [
    {"secrecy": "named", "result_visibility": "closed"},
    {"secrecy": "named", "result_visibility": "everyone"},
    {"secrecy": "secret"},
]
INTERIM_SETTINGS_IDS = ["named-hidden-until-closing", "named-visible", "secret"]


# --- meetings (issue #15) ---------------------------------------------------------------


class MeetingFactory(factory.django.DjangoModelFactory):
    """A planned hybrid members' meeting, starting in an hour."""

    class Meta:
        model = "meetings.Meeting"

    title = factory.Sequence(lambda n: f"Algemene ledenvergadering {n}")
    starts_at = factory.LazyFunction(lambda: _now() + datetime.timedelta(hours=1))
    place = "Utrecht"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.AgendaItem"

    meeting = factory.SubFactory(MeetingFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Agendapunt {n}")
    text = "Een **toelichting** bij dit punt."


def agenda_ballot(item, **kwargs):
    """A draft ballot (BallotFactory) on agenda item `item`."""
    from meetings.models import AgendaBallot

    ballot = BallotFactory(**kwargs)
    AgendaBallot.objects.create(item=item, ballot=ballot, order=item.ballot_links.count())
    return ballot


def deputy(region, **kwargs) -> User:
    """A deputy (plaatsvervanger) of `region` with a mandate in force."""
    return MandateFactory(region=region, is_deputy=True, **kwargs).user
