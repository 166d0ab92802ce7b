"""Every URL and WebSocket route against every role: anonymous, a member, a member of
another region, an ambassador and a board member (the last two with their second factor).

The expected answers are written out per URL name below. A URL pattern that has no entry
fails the test: whoever adds a page decides, here, who may open it. The Django admin is
checked against its own rule: anonymous users and non-staff members are always sent to its
login; a staff board member gets a model's list and add pages exactly when the board role
holds the view and add permission for that model, and never a server error elsewhere.
"""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from ballots import services
from ballots.checkin import checkin_token
from faq.models import MemberQuestion
from tests.factories import (
    BallotFactory,
    MandateFactory,
    PositionPaperFactory,
    QuestionFactory,
    RegionFactory,
    add_totp,
    board_member,
    member,
)
from tests.live.helpers import next_state, refusal, watcher

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = ("anonymous", "member", "other_region", "ambassador", "board")

# Shorthands: one answer per role, in ROLES order.
PUBLIC = (200, 200, 200, 200, 200)
LOGGED_IN = (302, 200, 200, 200, 200)
BOARD_ONLY = (302, 403, 403, 403, 200)
POST_ONLY = (302, 405, 405, 405, 405)  # login_required first, then the method check
BOARD_POST_ONLY = (302, 403, 403, 403, 405)
NOT_FOUND_WHEN_LOGGED_IN = (302, 404, 404, 404, 404)
ACCOUNT_PAGE = LOGGED_IN
# allauth pages for logged-out people: a logged-in user is sent on (302).
LOGGED_OUT_ONLY = (200, 302, 302, 302, 302)

GET_MATRIX: dict[str, tuple[int, ...]] = {
    # site
    "home": PUBLIC,
    "healthz": PUBLIC,
    "set_language": (302, 302, 302, 302, 302),  # a GET changes nothing, it only redirects
    # live
    "ballot_live_state": (403, 200, 200, 200, 200),
    # ballots (the open ballot is for region A only: "other_region" is no elector, but every
    # member may follow every ballot that is not a draft)
    "ballots:index": LOGGED_IN,
    "ballots:detail": LOGGED_IN,
    "ballots:vote": POST_ONLY,
    "ballots:grant_proxy": POST_ONLY,
    "ballots:revoke_proxy": POST_ONLY,
    "ballots:check_receipt": LOGGED_IN,
    "ballots:results": LOGGED_IN,
    "ballots:manage": BOARD_ONLY,
    "ballots:lifecycle": BOARD_ONLY,
    "ballots:attendance": BOARD_ONLY,
    "ballots:checkin_display": BOARD_ONLY,
    "ballots:checkin": LOGGED_IN,  # a confirmation page; the POST records presence
    "ballots:download": BOARD_ONLY,
    "ballots:approve": BOARD_ONLY,
    "ballots:document": NOT_FOUND_WHEN_LOGGED_IN,  # not certified yet: no document
    "ballots:verify": PUBLIC,
    "ballots:live_dashboard": BOARD_ONLY,
    "ballots:projector": BOARD_ONLY,
    # faq
    "faq:index": PUBLIC,
    "faq:question": PUBLIC,
    "faq:question_changes": LOGGED_IN,
    "faq:positions": PUBLIC,
    "faq:paper": PUBLIC,
    "faq:paper_pdf": (404, 404, 404, 404, 404),  # the paper has no PDF attached
    "faq:paper_changes": LOGGED_IN,
    "faq:search": PUBLIC,
    "faq:ask": LOGGED_IN,
    "faq:similar": LOGGED_IN,
    "faq:my_questions": LOGGED_IN,
    "faq:moderation_queue": BOARD_ONLY,
    "faq:moderate": BOARD_ONLY,
    "faq:markdown_preview": BOARD_POST_ONLY,
    # board pages
    "members:board": BOARD_ONLY,
    "members:register_import": BOARD_ONLY,
    "members:register_import_preview": (302, 403, 403, 403, 302),  # nothing uploaded: back
    "members:register_import_confirm": (302, 403, 403, 403, 405),
    # accounts (allauth): sign-up is closed, login pages are for logged-out people
    "account_signup": (200, 302, 302, 302, 302),  # "sign-up is closed" (the register only)
    "account_login": LOGGED_OUT_ONLY,
    "account_logout": (302, 200, 200, 200, 200),
    "account_inactive": PUBLIC,
    "account_email": ACCOUNT_PAGE,
    "account_email_verification_sent": (302, 302, 302, 302, 302),
    "account_change_password": ACCOUNT_PAGE,
    "account_set_password": (302, 302, 302, 302, 302),  # they all have a password
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,  # an invalid key: the "bad link" page
    "account_reset_password_from_key_done": PUBLIC,
    "account_request_login_code": LOGGED_OUT_ONLY,
    "account_confirm_login_code": (302, 302, 302, 302, 302),  # no code requested
    "account_reauthenticate": ACCOUNT_PAGE,
    "mfa_index": ACCOUNT_PAGE,
    # Changing a second factor asks for the password again first (reauthentication: 302).
    "mfa_activate_totp": (302, 302, 302, 302, 302),
    "mfa_deactivate_totp": (302, 404, 404, 302, 302),
    "mfa_authenticate": (302, 302, 302, 302, 302),  # only mid-login
    "mfa_reauthenticate": (302, 302, 302, 200, 200),  # only for who has a second factor
    "mfa_view_recovery_codes": (302, 404, 404, 404, 404),  # none generated yet
    "mfa_generate_recovery_codes": (302, 302, 302, 302, 302),
    "mfa_download_recovery_codes": (302, 404, 404, 404, 404),
    "mfa_add_webauthn": (302, 302, 302, 302, 302),
    "mfa_list_webauthn": ACCOUNT_PAGE,
    "mfa_edit_webauthn": (302, 302, 302, 302, 302),
    "mfa_remove_webauthn": (302, 302, 302, 302, 302),
    "mfa_login_webauthn": (302, 302, 302, 302, 302),
    "mfa_reauthenticate_webauthn": (302, 302, 302, 302, 302),
}


def _walk(patterns, namespace="", params=()):
    """(full name, leaf pattern, every URL parameter name on the way down)."""
    for pattern in patterns:
        own = tuple(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, inner, params + own)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or ""
            full = f"{namespace}:{name}" if namespace and name else name or namespace
            yield full, params + own


def all_patterns() -> list[tuple[str, tuple[str, ...]]]:
    return list(_walk(get_resolver().url_patterns))


def test_every_url_has_a_designed_answer():
    missing = sorted(
        {
            name
            for name, _ in all_patterns()
            if not name.startswith("admin") and name not in GET_MATRIX
        }
    )
    assert not missing, f"URLs without an entry in the authorisation matrix: {missing}"
    stale = sorted(set(GET_MATRIX) - {name for name, _ in all_patterns()})
    assert not stale, f"matrix entries for URLs that no longer exist: {stale}"


@pytest.fixture
def world():
    """One open ballot for region A (with a proxy), FAQ items, a member question, and the
    five people."""
    region_a, region_b = RegionFactory(), RegionFactory()
    people = {
        "member": member(region=region_a),
        "other_region": member(region=region_b),
        "board": board_member(region=region_a),
    }
    add_totp(people["board"])
    people["ambassador"] = MandateFactory(region=region_a).user
    add_totp(people["ambassador"])
    colleague = member(region=region_a)
    ballot = BallotFactory(proxies_allowed=True, attendance_required=True)
    ballot.regions.set([region_a])
    services.open_ballot(ballot, notify=False)
    proxy = services.grant_proxy(
        ballot=ballot, grantor_user=colleague, holder_user=people["member"]
    )
    question = QuestionFactory(visibility="public")
    paper = PositionPaperFactory(visibility="public")
    asked = MemberQuestion.objects.create(asked_by=people["member"], text="Wat als?")
    objects = {
        "pk": ballot.pk,
        "proxy_pk": proxy.pk,
        "action": "close",
        "token": checkin_token(ballot.pk),
        "fmt": "csv",
        "slug": paper.slug,
        "uidb36": "zz",
        "key": "not-a-key",
    }
    return people, ballot, objects, question, asked


def _kwargs_for(name: str, wanted: tuple[str, ...], objects, question, asked) -> dict:
    kwargs = {}
    for key in wanted:
        if key == "pk" and name.startswith("faq:question"):
            kwargs[key] = question.pk
        elif key == "pk" and name == "faq:moderate":
            kwargs[key] = asked.pk
        elif key == "pk" and name.startswith("mfa_"):
            kwargs[key] = 999_999
        else:
            kwargs[key] = objects[key]
    return kwargs


def _client_for(role: str, people) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(people[role])
    return client


def _path(name: str, kwargs: dict) -> str:
    from django.urls import reverse

    return reverse(name, kwargs=kwargs)


def test_get_matrix(world):
    people, _ballot, objects, question, asked = world
    clients = {role: _client_for(role, people) for role in ROLES}
    wrong = []
    for name, params in all_patterns():
        if name.startswith("admin") or name not in GET_MATRIX:
            continue
        path = _path(name, _kwargs_for(name, params, objects, question, asked))
        for role, expected in zip(ROLES, GET_MATRIX[name], strict=True):
            got = clients[role].get(path).status_code
            if got != expected:
                wrong.append(f"{name} {path} as {role}: {got}, designed {expected}")
    assert not wrong, "\n".join(wrong)


BOARD_POSTS = [
    "ballots:lifecycle",
    "ballots:attendance",
    "ballots:approve",
    "faq:moderate",
    "faq:markdown_preview",
    "members:register_import",
    "members:register_import_confirm",
]


def test_state_changing_board_endpoints_refuse_everyone_else(world):
    """POST (with a valid CSRF token: the client does not enforce it) as each non-board
    role: login for anonymous, 403 for the rest, and the ballot stays open."""
    people, ballot, objects, question, asked = world
    patterns = dict(all_patterns())
    for name in BOARD_POSTS:
        path = _path(name, _kwargs_for(name, patterns[name], objects, question, asked))
        for role in ("anonymous", "member", "other_region", "ambassador"):
            got = _client_for(role, people).post(path, {"confirm": "1"}).status_code
            assert got == (302 if role == "anonymous" else 403), (name, role, got)
    ballot.refresh_from_db()
    assert ballot.status == "open"


def test_admin_lists_and_add_pages_follow_model_permissions(world):
    people = world[0]
    wrong = []
    for name, params in all_patterns():
        if not name.startswith("admin"):
            continue
        path = _admin_path(name, params)
        if path is None:
            continue
        for role in ROLES:
            got = _client_for(role, people).get(path).status_code
            expected = _admin_expected(name, role, people.get(role))
            if got not in expected:
                wrong.append(f"{name} {path} as {role}: {got}, designed {expected}")
    assert not wrong, "\n".join(wrong)


def _admin_path(name: str, params: tuple[str, ...]) -> str | None:
    from django.urls import NoReverseMatch, reverse

    if name in ("admin", "admin:?") or name.endswith(":?"):
        return None  # redirects to the named change URLs, tested through those
    kwargs = {}
    for key in params:
        if key == "object_id":
            kwargs[key] = 1
        elif key == "app_label":
            kwargs[key] = "members"
        elif key == "content_type_id":
            kwargs[key] = ContentType.objects.get_for_model(Permission).pk
        elif key == "id":
            kwargs[key] = 1
        elif key == "url":
            return None
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _admin_expected(name: str, role: str, user) -> set[int]:
    if name == "admin:login":
        # Through allauth (302), or refused to a logged-in member who is not staff.
        return {302} if role in ("anonymous", "board") else {403}
    if role != "board":
        # Not staff: sent to the admin's login (a redirect), logged in or not.
        return {302}
    if name in ("admin:logout",):
        return {405}
    # A board member is staff: lists and add pages by the model's permission.
    for action, needs in (("_changelist", ("view", "change")), ("_add", ("add",))):
        if name.endswith(action):
            app, _, model = name.removeprefix("admin:").removesuffix(action).partition("_")
            allowed = any(user.has_perm(f"{app}.{need}_{model}") for need in needs)
            return {200} if allowed else {403}
    # Object pages of an object that may not exist: 302 (gone) or 404, 403 without permission.
    return {200, 302, 403, 404}


@pytest.mark.parametrize("role", ROLES)
async def test_websocket_route(role):
    @database_sync_to_async
    def setup():
        region = RegionFactory()
        people = {
            "member": member(region=region),
            "other_region": member(),
            "board": board_member(),
        }
        add_totp(people["board"])
        people["ambassador"] = MandateFactory(region=region).user
        add_totp(people["ambassador"])
        ballot = BallotFactory()
        ballot.regions.set([region])
        services.open_ballot(ballot, notify=False)
        return ballot, people.get(role)

    ballot, user = await setup()
    communicator = await watcher(ballot.pk, user)
    if role == "anonymous":
        assert (await refusal(communicator))[1] == 4401
        return
    state = await next_state(communicator)
    assert state["audience"] == ("board" if role == "board" else "member")
    await communicator.disconnect()


def test_admin_login_goes_through_allauth(client):
    """The admin's own form checked only a password (no rate limit, no second factor)."""
    response = client.get("/beheer/login/?next=/beheer/faq/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/beheer/faq/")
    assert client.post("/beheer/login/", {"username": "x", "password": "y"}).status_code == 302
    client.force_login(member())
    assert client.get("/beheer/login/").status_code == 403
    evil = client.get("/beheer/login/?next=https://evil.example/")
    assert evil.status_code == 403
    board = board_member()
    add_totp(board)
    client.force_login(board)
    response = client.get("/beheer/login/?next=https://evil.example/")
    assert response.status_code == 302 and response["Location"] == "/beheer/"
