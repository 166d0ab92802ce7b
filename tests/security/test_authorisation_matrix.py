"""Every URL and WebSocket route against every role: anonymous, a member, a member of
another region, an ambassador and a board member (the last two with their second factor).

The expected answers are written out per URL name below. A URL pattern that has no entry
fails the test: whoever adds a page decides, here, who may open it. The Django admin is
checked against its own rule: anonymous users and non-staff members are always sent to its
login; a staff board member gets a model's list and add pages exactly when the board role
holds the view and add permission for that model, and never a server error elsewhere. What
the admin's forms let a board member change (rights, passwords, groups, mandates, second
factors, email addresses) is posted and checked in the database, below; so is the socket's
origin check.
"""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from channels.db import database_sync_to_async
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from ballots import services
from ballots.checkin import checkin_token
from faq.models import MemberQuestion
from members.models import Mandate
from tests.factories import (
    INTERIM_SETTINGS,
    INTERIM_SETTINGS_IDS,
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
    "favicon": (301, 301, 301, 301, 301),  # to the static SVG icon, for everyone
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
    # counts in the hall (paper, show of hands): the board enters and confirms
    "ballots:paper_votes": BOARD_ONLY,
    "ballots:paper_decide": BOARD_POST_ONLY,
    # the ballot box: members once counted (409 while open), anyone when the board made it public
    "ballots:box": (302, 409, 409, 409, 409),
    "ballots:box_publicity": BOARD_POST_ONLY,
    "ballots:how_to_verify": PUBLIC,
    "ballots:verifier_package": PUBLIC,
    "ballots:certificate": PUBLIC,
    "ballots:results": LOGGED_IN,
    "ballots:manage": BOARD_ONLY,
    "ballots:lifecycle": BOARD_ONLY,
    "ballots:attendance": BOARD_ONLY,
    "ballots:checkin_display": BOARD_ONLY,
    "ballots:checkin": LOGGED_IN,  # a confirmation page; the POST records presence
    # The ballot is open: no export yet, and the board is told why (see test_exports_*).
    "ballots:download": (302, 403, 403, 403, 409),
    "ballots:approve": BOARD_ONLY,
    "ballots:second_round": BOARD_POST_ONLY,  # the POST opens a second round (board only)
    "ballots:document": NOT_FOUND_WHEN_LOGGED_IN,  # not certified yet: no document
    "ballots:verify": PUBLIC,
    "ballots:live_dashboard": BOARD_ONLY,
    "ballots:projector": BOARD_ONLY,
    # The board's workspace (issue #14). The ballot here is open: editing it sends the board
    # to its manage page, deleting it is refused (back to the workspace), both 302.
    "ballots:workspace": BOARD_ONLY,
    "ballots:workspace_new": BOARD_ONLY,
    "ballots:workspace_templates": BOARD_ONLY,
    "ballots:workspace_markdown": BOARD_POST_ONLY,
    "ballots:workspace_links": BOARD_ONLY,
    "ballots:workspace_edit": (302, 403, 403, 403, 302),
    "ballots:workspace_preview": BOARD_ONLY,
    "ballots:workspace_duplicate": BOARD_POST_ONLY,
    "ballots:workspace_delete": (302, 403, 403, 403, 302),
    # meetings (issue #15): every member follows the agenda; the board runs the meeting
    "meetings:index": LOGGED_IN,
    "meetings:detail": LOGGED_IN,
    "meetings:live_state": LOGGED_IN,  # JSON for a page that cannot keep its socket
    "meetings:console": BOARD_ONLY,
    "meetings:chair_action": BOARD_POST_ONLY,
    "meetings:desk": BOARD_ONLY,
    "meetings:desk_set": BOARD_POST_ONLY,
    "meetings:desk_counts": BOARD_ONLY,  # a fragment the desk refreshes
    "meetings:stand_ins": BOARD_ONLY,
    "meetings:paper_proxies": BOARD_ONLY,
    "meetings:projector": BOARD_ONLY,
    "meetings:record_approve": BOARD_POST_ONLY,
    "meetings:join_online": POST_ONLY,
    "meetings:self_checkin_qr": BOARD_ONLY,  # the projector's rotating check-in code (SVG)
    # the signed record exists once certified (the world's meeting is still going on)
    "meetings:record_document": NOT_FOUND_WHEN_LOGGED_IN,
    # preparing a meeting and its agenda (the meeting here is in progress: its details and
    # items may still change, its date and kind are shown but fixed)
    "meetings:meeting_new": BOARD_ONLY,
    "meetings:meeting_edit": BOARD_ONLY,
    "meetings:agenda_editor": BOARD_ONLY,
    "meetings:item_new": BOARD_ONLY,
    "meetings:item_edit": BOARD_ONLY,
    "meetings:item_move": BOARD_POST_ONLY,
    "meetings:item_delete": BOARD_ONLY,  # a confirmation page; the POST deletes
    "meetings:item_ballots": BOARD_POST_ONLY,
    "meetings:agenda_markdown": BOARD_POST_ONLY,
    # QR self check-in: the hall's screen, and the page a member's phone opens (this token
    # is a ballot's, so every member is told it is not valid; the POST checks in)
    "meetings:self_checkin_display": BOARD_ONLY,
    "meetings:self_checkin": LOGGED_IN,
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
    meeting = _meeting_with(ballot)
    objects = {
        "meeting": meeting.pk,
        "item_pk": meeting.items.order_by("order").first().pk,
        "pk": ballot.pk,
        "proxy_pk": proxy.pk,
        "tally_pk": 999_999,  # no such count: the permission is decided before the lookup
        "action": "close",
        "token": checkin_token(ballot.pk),
        "fmt": "csv",
        "slug": paper.slug,
        "uidb36": "zz",
        "key": "not-a-key",
    }
    return people, ballot, objects, question, asked


def _meeting_with(ballot):
    """A hybrid members' meeting in progress whose current item holds the open ballot."""
    from meetings.models import AgendaBallot, AgendaItem, Meeting, MeetingStatus

    meeting = Meeting.objects.create(
        title="Xorq Xorq", place="Xorq", starts_at=ballot.opens_at, status=MeetingStatus.IN_PROGRESS
    )
    item = AgendaItem.objects.create(meeting=meeting, order=1, title="Xorq 1", text="Xorq.")
    AgendaItem.objects.create(meeting=meeting, order=2, title="Xorq 2", text="Xorq.")
    AgendaBallot.objects.create(item=item, ballot=ballot)
    meeting.current_item = item
    meeting.save(update_fields=["current_item"])
    return meeting


def _kwargs_for(name: str, wanted: tuple[str, ...], objects, question, asked) -> dict:
    kwargs = {}
    for key in wanted:
        if key == "pk" and name.startswith("meetings:"):
            kwargs[key] = objects["meeting"]
        elif key == "pk" and name.startswith("faq:question"):
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
    "ballots:paper_votes",
    "ballots:paper_decide",
    "ballots:box_publicity",
    "ballots:second_round",
    "ballots:attendance",
    "ballots:approve",
    "faq:moderate",
    "faq:markdown_preview",
    "ballots:workspace_new",
    "ballots:workspace_templates",
    "ballots:workspace_edit",
    "ballots:workspace_duplicate",
    "ballots:workspace_delete",
    "ballots:workspace_markdown",
    "members:register_import",
    "members:register_import_confirm",
    "meetings:chair_action",
    "meetings:record_approve",
    "meetings:desk_set",
    "meetings:stand_ins",
    "meetings:paper_proxies",
    "meetings:meeting_new",
    "meetings:meeting_edit",
    "meetings:item_new",
    "meetings:item_edit",
    "meetings:item_move",
    "meetings:item_delete",
    "meetings:item_ballots",
    "meetings:agenda_markdown",
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


# Exports (issue #13): the open ballot above was exported with its interim tally and roll
# call. Every format, for every role, before and after closing.
NOT_YET = (302, 403, 403, 403, 409)  # 409: the board may export, but not in this state
EXPORTS_BEFORE_CLOSING = dict.fromkeys(("json", "csv", "xlsx", "pdf"), NOT_YET)
EXPORTS_AFTER_CLOSING = {
    "json": BOARD_ONLY,
    "csv": BOARD_ONLY,
    "xlsx": BOARD_ONLY,
    "pdf": NOT_YET,  # closed, not yet certified: no signed proces-verbaal
}


def _export_answers(people, ballot, designed) -> list[str]:
    from django.urls import reverse

    wrong = []
    for fmt, answers in designed.items():
        path = reverse("ballots:download", args=[ballot.pk, fmt])
        for role, expected in zip(ROLES, answers, strict=True):
            got = _client_for(role, people).get(path).status_code
            if got != expected:
                wrong.append(f"{path} as {role}: {got}, designed {expected}")
    return wrong


@pytest.mark.parametrize(
    "kind",
    INTERIM_SETTINGS,
    ids=INTERIM_SETTINGS_IDS,
)
def test_exports_exist_only_after_closing(world, kind):
    from ballots.exports import FORMATS

    assert set(EXPORTS_BEFORE_CLOSING) == set(EXPORTS_AFTER_CLOSING) == set(FORMATS)
    people = world[0]
    ballot = BallotFactory(**kind)
    ballot.regions.set([people["member"].membership.region])
    wrong = _export_answers(people, ballot, EXPORTS_BEFORE_CLOSING)  # a draft
    services.open_ballot(ballot, notify=False)
    voted = ballot.choices.get(label="Voor")
    services.cast_vote(ballot_id=ballot.pk, user=people["member"], choice=voted.pk)
    wrong += _export_answers(people, ballot, EXPORTS_BEFORE_CLOSING)
    services.close_ballot(ballot)
    wrong += _export_answers(people, ballot, EXPORTS_AFTER_CLOSING)
    assert not wrong, "\n".join(wrong)


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


# --- What the admin pages DO for a board member (issue #13) ---------------------------------
# A board member re-posted a user's change form with is_superuser=on and became superuser, and
# set a member's password through /beheer/members/user/<id>/password/ and logged in as them.
# These tests post each form as the page itself would send it and check the database, not
# only the status code.

NEW_PASSWORD = "een-nieuw-wachtwoord-42"


@pytest.fixture
def admin_world():
    """A board member (with a second factor), a colleague on the board, a member with a
    second factor and a verified address, and a superuser to read the forms with."""
    board, colleague = board_member(), board_member()
    for person in (board, colleague):
        add_totp(person)
    target = member()
    add_totp(target)
    root = get_user_model().objects.create_superuser(email="root@example.nl", password="x")
    add_totp(root)
    return board, colleague, target, root


def _as_posted(form) -> dict:
    """What a browser posts for `form` as rendered, unchanged."""
    data = {}
    for bound in form:
        value, widget = bound.value(), bound.field.widget
        if isinstance(widget, forms.MultiWidget):
            parts = value if isinstance(value, list) else widget.decompress(value)
            for suffix, part in zip(widget.widgets_names, parts, strict=True):
                data[bound.html_name + suffix] = "" if part is None else str(part)
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(item) for item in value]
        elif value is not None:
            data[bound.html_name] = str(value)
    return data


def _change_form(root, path: str) -> dict:
    """The admin change form at `path` exactly as a superuser gets it (with its inlines), so a
    refused change is refused by the page, never by a half-filled form."""
    client = Client()
    client.force_login(root)
    response = client.get(path)
    assert response.status_code == 200, path
    data = _as_posted(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data |= _as_posted(inline.formset.management_form)
        for form in inline.formset.forms:
            data |= _as_posted(form)
    return data


def _rights(user) -> tuple:
    user = get_user_model().objects.get(pk=user.pk)
    return (
        user.email,
        user.is_staff,
        user.is_superuser,
        sorted(user.groups.values_list("name", flat=True)),
        sorted(user.user_permissions.values_list("codename", flat=True)),
        user.password,
    )


def _raise_rights(client, root, user):
    """Post `user`'s change form with every right switched on and another address."""
    path = f"/beheer/members/user/{user.pk}/change/"
    data = _change_form(root, path) | {
        "email": "overgenomen@example.nl",
        "is_staff": "on",
        "is_superuser": "on",
        "groups": [str(pk) for pk in Group.objects.values_list("pk", flat=True)],
        "user_permissions": [str(pk) for pk in Permission.objects.values_list("pk", flat=True)],
    }
    return client.post(path, data)


def test_board_member_cannot_raise_rights_in_the_user_form(admin_world):
    board, colleague, target, root = admin_world
    Group.objects.get_or_create(name="Secretariaat")
    client = _client_for("board", {"board": board})
    for user in (board, colleague, target):
        before = _rights(user)
        _raise_rights(client, root, user)
        assert _rights(user) == before, f"the board member changed the rights of {user}"
    # The control: the same form, posted by a superuser, does change them.
    _raise_rights(_client_for("root", {"root": root}), root, target)
    assert get_user_model().objects.get(pk=target.pk).is_superuser


def test_board_member_cannot_set_anyones_password(admin_world):
    board, colleague, target, root = admin_world
    client = _client_for("board", {"board": board})
    form = {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    for user in (target, colleague, root):
        path = f"/beheer/members/user/{user.pk}/password/"
        posted = client.post(path, form)
        assert not get_user_model().objects.get(pk=user.pk).check_password(NEW_PASSWORD)
        assert posted.status_code == 403 and client.get(path).status_code == 403
    # So the member's account cannot be taken over with a password the board member chose.
    assert not Client().login(email=target.email, password=NEW_PASSWORD)


def test_board_member_cannot_touch_second_factors_or_email_addresses(admin_world):
    """As the attacker did: first try to become superuser, then remove a colleague's second
    factor and re-point a member's address (which would let a password reset take over)."""
    board, colleague, target, root = admin_world
    client = _client_for("board", {"board": board})
    _raise_rights(client, root, board)
    factors = list(Authenticator.objects.filter(user=colleague).values_list("pk", flat=True))
    address = EmailAddress.objects.get(user=target)
    for pk in factors:
        for action in ("change", "delete"):
            path = f"/beheer/mfa/authenticator/{pk}/{action}/"
            assert client.get(path).status_code == 403, path
            client.post(path, {"post": "yes"})
    path = f"/beheer/account/emailaddress/{address.pk}/change/"
    assert client.get(path).status_code == 403
    client.post(path, {"user": board.pk, "email": "overgenomen@example.nl", "verified": "on"})
    client.post(f"/beheer/account/emailaddress/{address.pk}/delete/", {"post": "yes"})
    assert sorted(Authenticator.objects.filter(user=colleague).values_list("pk", flat=True)) == (
        sorted(factors)
    )
    assert EmailAddress.objects.get(pk=address.pk).email == address.email
    assert EmailAddress.objects.get(pk=address.pk).user_id == target.pk


def test_board_member_cannot_hand_out_roles_in_the_admin(admin_world):
    """Roles come from the register import (recorded) or a superuser: not from the board
    group's admin page, the user list's actions, or an ambassador's mandate."""
    board, _colleague, target, _root = admin_world
    client = _client_for("board", {"board": board})
    bestuur = Group.objects.get(name="Bestuur")
    before = sorted(bestuur.permissions.values_list("pk", flat=True))
    client.post(
        f"/beheer/auth/group/{bestuur.pk}/change/",
        {"name": "Bestuur", "permissions": list(Permission.objects.values_list("pk", flat=True))},
    )
    assert sorted(bestuur.permissions.values_list("pk", flat=True)) == before
    region = target.membership.region
    mandate_form = {
        "region": region.pk,
        "user": board.pk,
        "weight": "500",
        "valid_from": "2020-01-01",
    }
    client.post("/beheer/members/mandate/add/", mandate_form)
    assert not Mandate.objects.filter(user=board).exists()
    client.post("/beheer/members/user/add/", {
        "email": "nep@example.nl", "full_name": "Nep", "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD, "usable_password": "true",
    })  # fmt: skip
    assert not get_user_model().objects.filter(email="nep@example.nl").exists()


def test_the_board_role_holds_no_permission_over_accounts_or_roles(db):
    """The board works in the product; accounts, rights, second factors, addresses and
    mandates are the register import's and the superuser's."""
    from members.roles import sync_board_group

    held = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in sync_board_group().permissions.select_related("content_type")
    }
    accounts = ("auth.", "account.", "mfa.", "sessions.", "admin.", "contenttypes.")
    writes = {f"members.{a}_{m}" for a in ("add", "change", "delete") for m in ("user", "mandate")}
    dangerous = {name for name in held if name.startswith(accounts) or name in writes}
    assert not dangerous, dangerous


def test_staff_with_change_user_still_cannot_edit_rights_or_passwords(admin_world):
    """Defence in depth: even a staff account given members.change_user directly (a
    secretariat account, say) gets those fields read-only and the password page refused."""
    _board, _colleague, target, root = admin_world
    clerk = get_user_model().objects.create_user(email="secretariaat@example.nl", is_staff=True)
    add_totp(clerk)
    clerk.user_permissions.add(
        Permission.objects.get(content_type__app_label="members", codename="view_user"),
        Permission.objects.get(content_type__app_label="members", codename="change_user"),
    )
    client = _client_for("clerk", {"clerk": clerk})
    for user in (clerk, target):
        before = _rights(user)
        _raise_rights(client, root, user)
        assert _rights(user) == before, f"the clerk changed the rights of {user}"
        path = f"/beheer/members/user/{user.pk}/password/"
        form = {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        assert client.post(path, form).status_code == 403
        assert not get_user_model().objects.get(pk=user.pk).check_password(NEW_PASSWORD)
    # Not even the password hash is shown on the page.
    page = client.get(f"/beheer/members/user/{target.pk}/change/").content.decode()
    assert target.password not in page


# --- The socket's origin (issue #13): channels' AllowedHostsOriginValidator compared host
# names only, so a page on any port of an allowed host could open a socket with the member's
# cookie. The site is at 127.0.0.1:8000 here (the Host header a browser sends).

SITE_HOST = "127.0.0.1:8000"


@database_sync_to_async
def _member_and_open_ballot():
    region = RegionFactory()
    user = member(region=region)
    ballot = BallotFactory()
    ballot.regions.set([region])
    services.open_ballot(ballot, notify=False)
    return user, ballot


async def _connects(ballot, user, origin: str, host: str = SITE_HOST) -> bool:
    from channels.testing import WebsocketCommunicator

    from config.asgi import application
    from tests.live.helpers import session_cookie

    headers = [
        (b"host", host.encode()),
        (b"origin", origin.encode()),
        (b"cookie", f"sessionid={await session_cookie(user)}".encode()),
    ]
    path = f"/ws/ballots/{ballot.pk}/live/"
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    await communicator.disconnect()
    return connected


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:8001",  # another port of the same, allowed host
        "http://127.0.0.1",  # port 80
        "https://127.0.0.1:8443",
        "http://localhost:8000",  # another allowed host name, not the page's own
        "http://evil.example:8000",
        "null",
    ],
)
async def test_websocket_refuses_pages_of_another_origin(origin):
    user, ballot = await _member_and_open_ballot()
    assert not await _connects(ballot, user, origin)


async def test_websocket_accepts_the_sites_own_pages():
    user, ballot = await _member_and_open_ballot()
    assert await _connects(ballot, user, f"http://{SITE_HOST}")
    assert await _connects(ballot, user, "https://127.0.0.1", host="127.0.0.1")
    # A Host outside ALLOWED_HOSTS is no site of ours, even when the origin matches it.
    assert not await _connects(ballot, user, "http://evil.example", host="evil.example")


async def test_websocket_refuses_a_member_suspended_since_logging_in():
    """Issue #13: a suspended member's open session kept its rights, the live socket too."""
    user, ballot = await _member_and_open_ballot()

    @database_sync_to_async
    def suspend():
        membership = user.membership
        membership.status = "suspended"
        membership.save()  # as the admin's membership page does

    await suspend()
    # The helper logs in without the login checks: a session opened before the suspension.
    assert (await refusal(await watcher(ballot.pk, user)))[1] == 4401


def test_board_member_keeps_the_admin_pages_the_board_works_with(admin_world):
    """The control for the tests above: ending a membership, drafting a ballot and editing the
    FAQ still work for the board in the admin; the role changes it made are visible."""
    board, _colleague, target, root = admin_world
    client = _client_for("board", {"board": board})
    membership = target.membership
    path = f"/beheer/members/membership/{membership.pk}/change/"
    data = _change_form(root, path) | {"status": "ended", "ended_on": "2030-01-01"}
    assert client.post(path, data).status_code == 302
    membership.refresh_from_db()
    assert membership.status == "ended"
    for page in (
        "/beheer/ballots/ballot/add/",
        "/beheer/faq/question/add/",
        "/beheer/faq/positionpaper/add/",
        "/beheer/members/mandate/",
        "/beheer/members/rolechange/",
        f"/beheer/members/user/{target.pk}/change/",  # read-only
    ):
        assert client.get(page).status_code == 200, page
